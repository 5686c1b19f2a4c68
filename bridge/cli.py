"""The `ocpp-bridge` command.

    ocpp-bridge [run] --csms-url ws://csms:9000/ocpp [--host H] [--port P] ...   run the proxy
    ocpp-bridge demo                                                          see it work, no setup
    ocpp-bridge translate --from 2.0.1 < capture.jsonl                         translate a capture
    ocpp-bridge bench [--stations N] [--baseline relay] [--json]                 load test (capacity)
    ocpp-bridge healthcheck                                  GET /healthz on the admin port (the image's HEALTHCHECK)
    ocpp-bridge --version

`python -m bridge` is the same command.

Every `run` flag is also an environment variable BRIDGE_<NAME> (see bridge/settings.py).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.metadata
import json
import logging
import os
import signal
import sqlite3
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from aiohttp import web
from pydantic import ValidationError

from bridge import limits
from bridge.allowlist import AllowListError
from bridge.listener import ListenerSite
from bridge.server import BridgeServer
from bridge.settings import SECRETS_DIR, Settings, add_setting_flags, describe_errors, settings_from
from bridge.store import StoreError, TransactionStore, open_store
from bridge.tables import TableError
from bridge.tls import TlsConfigError
from bridge.topology import TopologyError
from bridge.workers import refusal as workers_refusal
from bridge.workers import worker_count

if TYPE_CHECKING:
    from bridge.workers.worker import WorkerRole

log = logging.getLogger("bridge")

COMMANDS = ("run", "demo", "translate", "bench", "healthcheck", "shadow-report")
MANY_STATIONS = 1_000  # below room for this many, start-up warns about the open-file limit


def version() -> str:
    """The installed distribution's version (pyproject.toml's, as pip installed it)."""
    try:
        return importlib.metadata.version("ocpp-bridge")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ocpp-bridge",
        description="Translating proxy: OCPP 1.6J charging stations <-> an OCPP 2.0.1 CSMS.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser(
        "run",
        help="run the proxy (the default command)",
        description="Run the proxy (the default command: `ocpp-bridge --csms-url ...` is `ocpp-bridge run "
        "--csms-url ...`). Every flag is also an environment variable BRIDGE_<NAME>, and a file "
        f"BRIDGE_<NAME> in {SECRETS_DIR}; a flag wins over the variable, which wins over the file.",
        epilog="Other commands: demo, translate, bench, healthcheck (ocpp-bridge <command> --help).",
    )
    add_setting_flags(run)
    demo = commands.add_parser("demo", help="run a built-in CSMS, the bridge and a station, and show frames")
    demo.add_argument("--no-color", action="store_true", help="plain output even on a terminal")
    demo.add_argument(
        "--shadow", action="store_true", help="shadow mode: a 1.6 CSMS decides, a 2.0.1 CSMS is compared"
    )
    translate = commands.add_parser("translate", help="translate OCPP-J frames read from stdin, one a line")
    translate.add_argument(
        "--from",
        dest="source",
        choices=("1.6", "2.0.1", "2.1"),
        required=True,
        help="version of the frames on stdin; a line may start with '1.6 ' or '2.0.1 ' to override",
    )
    translate.add_argument(
        "--station-id",
        default=None,
        help="station id to translate for; in a bridge log, the station whose frames are read "
        "(default: the first one in the log)",
    )
    translate.add_argument(
        "--csms-version",
        choices=("2.0.1", "2.1"),
        default=None,
        help="the CSMS's OCPP version, as accepted at its handshake (default: 2.1 with --from 2.1, else 2.0.1)",
    )
    translate.add_argument("--topology-file", default=None, help="topology file, as for run")
    translate.add_argument(
        "--station-repairs",
        choices=("on", "off"),
        default="on",
        help="repair known 1.6 firmware quirks first, as `run` does (default: on)",
    )
    translate.add_argument(
        "--security-extension",
        action="store_true",
        help="the station has the OCPP 1.6 security extension (certificates, GetLog, signed firmware)",
    )
    from bridge.bench import add_arguments as add_bench_arguments

    add_bench_arguments(commands.add_parser("bench", help="load-test a bridge on this machine and report"))
    commands.add_parser(
        "healthcheck",
        help="exit 0 if the bridge on this host answers GET /healthz on its admin port (BRIDGE_ADMIN_PORT)",
    )
    report = commands.add_parser(
        "shadow-report",
        help="print the shadow comparison (GET /shadow on the admin port of the bridge on this host) as JSON",
    )
    report.add_argument(
        "--url",
        default=None,
        help="admin URL of the bridge (default: this host, BRIDGE_ADMIN_PORT), e.g. http://bridge:9101",
    )
    report.add_argument("--station", default=None, help="only this station's counts and differences")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in (*COMMANDS, "--version"):
        # `ocpp-bridge --help` too: the run flags are what a user looks for (the commands are listed)
        args_list.insert(0, "run")
    args = build_parser().parse_args(args_list)
    if args.command == "demo":
        from bridge.demo import run_demo
        from bridge.demo_shadow import run_shadow_demo

        try:
            return asyncio.run((run_shadow_demo if args.shadow else run_demo)(color=not args.no_color))
        except BrokenPipeError:  # `ocpp-bridge demo | head`: the reader has seen enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    if args.command == "translate":
        from bridge.capture import translate_stream

        return translate_stream(
            sys.stdin,
            sys.stdout,
            args.source,
            args.station_id,
            args.topology_file,
            repairs=args.station_repairs == "on",
            security_extension=args.security_extension,
            csms_version=args.csms_version or ("2.1" if args.source == "2.1" else "2.0.1"),
        )
    if args.command == "bench":
        from bridge.bench.runner import run as run_bench

        return run_bench(args)
    if args.command == "healthcheck":
        return healthcheck()
    if args.command == "shadow-report":
        return shadow_report(args.url, args.station)
    return run_command(vars(args))


def run_command(flags: dict[str, object]) -> int:
    try:
        settings = settings_from(flags, os.environ, SECRETS_DIR)
    except ValidationError as exc:
        for line in describe_errors(exc):
            print(f"ocpp-bridge: invalid setting {line}", file=sys.stderr)
        return 2
    from bridge.logs import setup_logging

    setup_logging(settings.log_format, settings.log_level)
    if not settings.csms_url:
        log.error("no CSMS configured: pass --csms-url ws://host:port/path or set BRIDGE_CSMS_URL")
        return 2
    workers = worker_count(settings.workers)
    problem = workers_refusal(settings, workers)
    if problem is not None:
        log.error("cannot start: %s", problem)
        return 2
    if event_loop(settings.event_loop)[1] is None and settings.event_loop == "uvloop":
        log.error("--event-loop uvloop: uvloop is not installed (pip install uvloop), or use auto or asyncio")
        return 2
    if workers > 1:  # a supervisor and `workers` processes (bridge/workers)
        from bridge.workers.supervisor import supervise

        return supervise(settings, workers)
    return run_serve(settings)


def run_serve(settings: Settings, worker: WorkerRole | None = None) -> int:
    """serve() on the event loop --event-loop names, until it drains; 1 if it cannot start."""
    loop_name, loop_factory = event_loop(settings.event_loop)
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(serve(settings, loop_name=loop_name, worker=worker))
    except (
        TableError,
        TopologyError,
        StoreError,
        AllowListError,
        TlsConfigError,
        StartError,
        OSError,
    ) as exc:
        log.error("cannot start: %s", exc)
        return 1


class StartError(Exception):
    """A start-up problem already put in the user's words (one line, naming the setting)."""


def open_store_for(settings: Settings) -> TransactionStore:
    """The transaction store a URL names (connected later, in start-up), or a StartError."""
    try:
        return open_store(
            settings.store_url, timeout=settings.store_timeout, retention=settings.store_retention
        )
    except (StoreError, sqlite3.Error, OSError) as exc:
        raise store_start_error(settings, exc) from None


def store_start_error(settings: Settings, exc: BaseException) -> StartError:
    """A one-line reason why the store could not be opened: which setting points where, and why not."""
    where = settings.store_url
    if where.startswith("sqlite:///"):
        path = os.path.abspath(where.removeprefix("sqlite:///"))
        where += f" (file {path}; its directory must exist and be writable by uid {os.getuid()})"
    else:
        from bridge.store.redis import redacted

        where = redacted(where)
    return StartError(
        f"cannot open the transaction store {where}, set by --store-url / BRIDGE_STORE_URL: {exc}"
    )


def admin_url(command: str, path: str) -> str | None:
    """http://<this host>:<admin port><path>, from the environment as `run` reads it; None if a setting
    there is invalid (said on stderr)."""
    try:
        settings = settings_from({}, os.environ, SECRETS_DIR)
    except ValidationError as exc:
        for line in describe_errors(exc):
            print(f"ocpp-bridge {command}: invalid setting {line}", file=sys.stderr)
        return None
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "", "::") else settings.host
    return f"http://{host if ':' not in host else f'[{host}]'}:{settings.admin_port}{path}"


def shadow_report(url: str | None, station: str | None) -> int:
    """GET /shadow of a running bridge (one report for all its workers), printed as indented JSON."""
    url = url.rstrip("/") + "/shadow" if url else admin_url("shadow-report", "/shadow")
    if url is None:
        return 2
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            report = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"ocpp-bridge shadow-report: {url}: {exc}", file=sys.stderr)
        return 1
    if station is not None:
        report = {
            "stations": {station: report.get("stations", {}).get(station, {})},
            "refused_calls": {station: report.get("refused_calls", {}).get(station, 0)},
            "differences": [d for d in report.get("differences", []) if d.get("station") == station],
        }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def healthcheck() -> int:
    """GET /healthz on the admin port of the bridge on this host; the port comes from the environment."""
    url = admin_url("healthcheck", "/healthz")
    if url is None:
        return 2
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            ok = response.status == 200
    except (urllib.error.URLError, OSError) as exc:
        print(f"ocpp-bridge healthcheck: {url}: {exc}", file=sys.stderr)
        return 1
    return 0 if ok else 1


def event_loop(choice: str) -> tuple[str, Callable[[], asyncio.AbstractEventLoop] | None]:
    """(name, factory) of the event loop `--event-loop` asks for; factory None: asyncio's own."""
    if choice == "asyncio":
        return "asyncio", None
    try:
        import uvloop
    except ImportError:
        return "asyncio", None
    return "uvloop", uvloop.new_event_loop


async def serve(
    settings: Settings,
    started: asyncio.Event | None = None,
    loop_name: str = "asyncio",
    worker: WorkerRole | None = None,
) -> int:
    """Run until SIGTERM/SIGINT, then drain: stop accepting, close stations with 1001, exit 0.

    SIGHUP reloads the TLS certificates, the station allow-list and the station modes without closing
    anyone (the files read in a worker thread). As one of several workers (`worker`), the listener shares its port and the admin app is the supervisor's.
    """
    began = time.monotonic()
    open_files = limits.raise_nofile()
    room = limits.station_room(open_files)
    if room < MANY_STATIONS:
        log.warning(
            "the open-file limit is %d: room for about %d stations (2 sockets each); raise the hard "
            "limit (LimitNOFILE=, ulimit -Hn) to serve more",
            open_files,
            room,
        )
    server = BridgeServer(settings, store=open_store_for(settings))
    try:
        await server.open_store()
    except (StoreError, sqlite3.Error, OSError) as exc:
        raise store_start_error(settings, exc) from None
    if worker is not None:
        await worker.attach(server)
        admin = await worker.start_admin(server)
    else:
        admin = await start_admin(server, settings)
    runner = web.AppRunner(
        server.app,
        handle_signals=False,
        access_log=None,
        shutdown_timeout=1.0,
        # aiohttp closes a connection that has not delivered a whole request this long after it
        # opened (or since its last one): slow-loris handshakes and idle sockets are cut.
        keepalive_timeout=settings.handshake_timeout,
    )
    await runner.setup()
    site = ListenerSite(  # the TLS handshake gets --handshake-timeout too (bridge/listener.py)
        runner,
        settings.host,
        settings.port,
        handshake_timeout=settings.handshake_timeout,
        ssl_context=server.tls.listener,
        backlog=settings.listen_backlog,
        reuse_port=worker is not None,
    )
    await site.start()
    server.ready = True
    # Start-up objects (models, tables) never die: keep them out of the collector's way, and collect
    # less often, since each station's frames make many short-lived objects (bench: +13% calls/s,
    # p99 halved at 200 stations).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    log.info(
        "listening on %s:%s for OCPP 1.6J stations (%s); CSMS %s; room for %d stations; event loop %s; "
        "ready in %.0f ms",
        settings.host,
        settings.port,
        "wss://" if server.tls.listener is not None else "ws://",
        settings.csms_url,
        room,
        loop_name,
        (time.monotonic() - began) * 1000,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    reloads: set[asyncio.Task[None]] = set()  # held until done (the loop keeps only weak references)

    def reload() -> None:  # new TLS certificates, allow-list, station modes: read off the event loop
        task = asyncio.create_task(server.reload())
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, reload)
    if started is not None:
        started.set()
    if worker is not None:  # signal handlers in place: the supervisor may send SIGTERM from now on
        worker.ready()
    await stop.wait()
    log.info("signal received: draining (grace period %.0f s)", settings.drain_timeout)
    server.ready = False
    server.draining = True
    await site.stop()
    await server.drain(settings.drain_timeout)
    await runner.cleanup()
    await admin.cleanup()
    log.info("stopped")
    return 0


async def start_admin(server: BridgeServer, settings: Settings) -> web.AppRunner:
    """The admin port: /healthz, /readyz and /metrics, up before the stations' port and down after it."""
    runner = web.AppRunner(server.admin_app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.admin_port)
    try:
        await site.start()
    except OSError:
        await runner.cleanup()
        raise
    log.info("health and metrics on %s:%s (/healthz, /readyz, /metrics)", settings.host, settings.admin_port)
    return runner


if __name__ == "__main__":
    sys.exit(main())
