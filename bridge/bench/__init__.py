"""`ocpp-bridge bench`: how many stations one bridge carries, and what it adds to each round trip.

    ocpp-bridge bench [--stations 200] [--calls 50] [--idle 1000] [--rounds 3] [--baseline relay] [--rate N]
                      [--target ws://host:port] [--loop auto|asyncio|uvloop] [--workers N] [--json]

A fast 2.0.1 CSMS, the bridge and the simulated 1.6J stations each run in a process of their own
(see runner.py); `--baseline relay` adds a plain aiohttp frame relay, measured in the same run, and
prints bridge/relay ratios: on a shared or small machine the ratio is the figure to trust.
This module only declares the options, so that `ocpp-bridge --help` stays fast.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stations", type=int, default=200, help="stations sending calls (default 200)")
    parser.add_argument("--calls", type=int, default=50, help="calls per station after boot (default 50)")
    parser.add_argument(
        "--idle",
        type=int,
        default=1000,
        help="stations that connect, boot and stay idle, for memory per station (default 1000; 0: skip)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="paced: offer N calls/s in all, open loop, to each target (default 0: as fast as answered); "
        "CPU per call at the same offered load is the translation's cost, whatever the load side can do",
    )
    parser.add_argument("--rounds", type=int, default=3, help="load rounds per target (default 3)")
    parser.add_argument(
        "--baseline",
        choices=("relay",),
        default=None,
        help="also measure a plain aiohttp frame relay, interleaved, and print bridge/relay ratios",
    )
    parser.add_argument(
        "--target", default=None, help="ws://host:port of a running bridge to load instead of starting one"
    )
    parser.add_argument(
        "--target-pid", type=int, default=None, help="with --target: its process id, for CPU and memory"
    )
    parser.add_argument(
        "--loop",
        choices=("auto", "asyncio", "uvloop"),
        default="auto",
        help="event loop of the bridge and the relay (default auto, as `ocpp-bridge run`: uvloop where "
        "installed); the CSMS and the stations always run on the fastest loop installed",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="run the bridge with `run --workers N` (default 1); N > 1 uses a shared SQLite store in the "
        "bench's directory (memory: is one process's) and, unless --pin says otherwise, the first N CPUs",
    )
    parser.add_argument(
        "--pin",
        action="append",
        metavar="ROLE=CPUS",
        help="pin a process to CPUs, e.g. --pin bridge=0 --pin load=1,2 (roles: bridge relay csms load); "
        "by default the bridge gets the first CPU and the others the rest",
    )
    parser.add_argument("--no-pin", action="store_true", help="no CPU pinning at all")
    parser.add_argument(
        "--load-procs", type=int, default=1, help="load-generator processes (more on bigger machines)"
    )
    parser.add_argument(
        "--connect-concurrency", type=int, default=64, help="handshakes in flight per load process"
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=300.0,
        help="seconds a phase may take before it is cut (default 300)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--no-progress", action="store_true", help="no progress output on stderr")
