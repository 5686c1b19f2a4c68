"""One worker process of `ocpp-bridge run --workers N`: `python -m bridge.workers.worker`.

The supervisor (supervisor.py) starts it with the settings as JSON on stdin (kept out of the
environment and the command line, where credentials in them would show) and WORKER_ENV naming its
slot and the supervisor's private directory. It is the ordinary `serve()` of bridge/cli.py, with three
differences: the station listener binds with SO_REUSEPORT beside the other workers; the admin app
(/healthz, /readyz, /metrics) is served on a private Unix socket, read by the supervisor's admin port;
and a line to the supervisor (link.py) reports readiness and replaces a station's older connection
held by another worker.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from bridge.server import BridgeServer
from bridge.settings import Settings
from bridge.workers.link import LinkClient

log = logging.getLogger(__name__)

WORKER_ENV = "OCPP_BRIDGE_WORKER"  # {"slot": i, "dir": supervisor's run directory, "supervisor": pid}
PR_SET_PDEATHSIG = 1


def admin_socket(run_dir: str | Path, slot: int) -> str:
    return str(Path(run_dir) / f"admin-{slot}.sock")


def link_socket(run_dir: str | Path) -> str:
    return str(Path(run_dir) / "link.sock")


@dataclass
class WorkerRole:
    """What makes `serve()` a worker (bridge/cli.py takes it as `worker=`)."""

    slot: int
    run_dir: str
    link: LinkClient = field(init=False)

    def __post_init__(self) -> None:
        self.link = LinkClient(link_socket(self.run_dir), self.slot)

    async def attach(self, server: BridgeServer) -> None:
        """Connect to the supervisor; from now on a station connecting here closes its older
        connection on the other workers, and theirs close it here."""
        await self.link.connect()
        server.claim = self.link.claim
        self.link.release = server.release

    async def start_admin(self, server: BridgeServer) -> web.AppRunner:
        runner = web.AppRunner(server.admin_app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        path = admin_socket(self.run_dir, self.slot)
        await web.UnixSite(runner, path).start()
        os.chmod(path, 0o600)
        return runner

    def ready(self) -> None:
        self.link.ready()


def die_with_supervisor(supervisor: int) -> None:
    """Get SIGTERM (and so drain) when the supervisor dies, even by SIGKILL (Linux)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != supervisor:  # it died before the line above
        raise SystemExit(1)


class WorkerTag(logging.Filter):
    """Every log line of a worker names it: `"worker": <slot>` in JSON logs."""

    def __init__(self, slot: int) -> None:
        super().__init__()
        self.slot = slot

    def filter(self, record: logging.LogRecord) -> bool:
        record.worker = self.slot
        return True


def main() -> int:
    spec = json.loads(os.environ[WORKER_ENV])
    die_with_supervisor(int(spec["supervisor"]))
    settings = Settings(**json.loads(sys.stdin.read()))
    from bridge.cli import run_serve
    from bridge.logs import setup_logging

    setup_logging(settings.log_format, settings.log_level)
    for handler in logging.getLogger().handlers:
        handler.addFilter(WorkerTag(int(spec["slot"])))
    return run_serve(settings, worker=WorkerRole(int(spec["slot"]), str(spec["dir"])))


if __name__ == "__main__":
    sys.exit(main())
