"""The `ocpp-bridge` command.

    ocpp-bridge [run] --csms-url ws://csms:9000/ocpp [--host H] [--port P] ...   run the proxy
    ocpp-bridge demo                                                          see it work, no setup
    ocpp-bridge translate --from 2.0.1 < capture.jsonl                         translate a capture
    ocpp-bridge bench [--stations N] [--baseline relay] [--json]                 load test (capacity)
    ocpp-bridge --version

`python -m bridge` is the same command.

Every `run` flag is also an environment variable BRIDGE_<NAME> (see bridge/settings.py).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.metadata
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence

from aiohttp import web
from pydantic import ValidationError

from bridge import limits
from bridge.allowlist import AllowListError
from bridge.server import BridgeServer
from bridge.settings import Settings, add_setting_flags, settings_from
from bridge.store import StoreError
from bridge.tables import TableError
from bridge.tls import TlsConfigError
from bridge.topology import TopologyError

log = logging.getLogger("bridge")

COMMANDS = ("run", "demo", "translate", "bench")
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
    run = commands.add_parser("run", help="run the proxy (the default command)")
    add_setting_flags(run)
    demo = commands.add_parser("demo", help="run a built-in CSMS, the bridge and a station, and show frames")
    demo.add_argument("--no-color", action="store_true", help="plain output even on a terminal")
    translate = commands.add_parser("translate", help="translate OCPP-J frames read from stdin, one a line")
    translate.add_argument(
        "--from",
        dest="source",
        choices=("1.6", "2.0.1"),
        required=True,
        help="version of the frames on stdin; a line may start with '1.6 ' or '2.0.1 ' to override",
    )
    translate.add_argument("--station-id", default="capture", help="station id to translate for")
    translate.add_argument("--topology-file", default=None, help="topology file, as for run")
    translate.add_argument(
        "--security-extension",
        action="store_true",
        help="the station has the OCPP 1.6 security extension (certificates, GetLog, signed firmware)",
    )
    from bridge.bench import add_arguments as add_bench_arguments

    add_bench_arguments(commands.add_parser("bench", help="load-test a bridge on this machine and report"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in (*COMMANDS, "-h", "--help", "--version"):
        args_list.insert(0, "run")
    args = build_parser().parse_args(args_list)
    if args.command == "demo":
        from bridge.demo import run_demo

        try:
            return asyncio.run(run_demo(color=not args.no_color))
        except BrokenPipeError:  # `ocpp-bridge demo | head`: the reader has seen enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    if args.command == "translate":
        from bridge.capture import translate_stream

        return translate_stream(
            sys.stdin, sys.stdout, args.source, args.station_id, args.topology_file, args.security_extension
        )
    if args.command == "bench":
        from bridge.bench.runner import run as run_bench

        return run_bench(args)
    return run_command(vars(args))


def run_command(flags: dict[str, object]) -> int:
    try:
        settings = settings_from(flags, os.environ)
    except ValidationError as exc:
        print(f"ocpp-bridge: invalid setting:\n{exc}", file=sys.stderr)
        return 2
    from bridge.logs import setup_logging

    setup_logging(settings.log_format, settings.log_level)
    if not settings.csms_url:
        log.error("no CSMS configured: pass --csms-url ws://host:port/path or set BRIDGE_CSMS_URL")
        return 2
    try:
        return asyncio.run(serve(settings))
    except (TableError, TopologyError, StoreError, AllowListError, TlsConfigError, OSError) as exc:
        log.error("cannot start: %s", exc)
        return 1


async def serve(settings: Settings, started: asyncio.Event | None = None) -> int:
    """Run until SIGTERM/SIGINT, then drain: stop accepting, close stations with 1001, exit 0.

    SIGHUP reloads the TLS certificates and the station allow-list without closing anyone.
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
    server = BridgeServer(settings)
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
    site = web.TCPSite(
        runner,
        settings.host,
        settings.port,
        ssl_context=server.tls.listener,
        backlog=settings.listen_backlog,
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
        "listening on %s:%s for OCPP 1.6J stations (%s); CSMS %s; room for %d stations; ready in %.0f ms",
        settings.host,
        settings.port,
        "wss://" if server.tls.listener is not None else "ws://",
        settings.csms_url,
        room,
        (time.monotonic() - began) * 1000,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, server.reload)  # new TLS certificates, allow-list
    if started is not None:
        started.set()
    await stop.wait()
    log.info("signal received: draining (grace period %.0f s)", settings.drain_timeout)
    server.ready = False
    server.draining = True
    await site.stop()
    await server.drain(settings.drain_timeout)
    await runner.cleanup()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
