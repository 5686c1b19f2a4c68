"""`ocpp-bridge run --workers N`: N processes accept stations on one port, under one supervisor.

    supervisor.py   spawns the workers, forwards SIGTERM/SIGINT/SIGHUP, restarts a worker that dies
    admin.py        the supervisor's admin port: /healthz, /readyz, /workers, /metrics (merged)
    merge.py        merging the workers' Prometheus expositions into one
    link.py         the supervisor <-> worker line: readiness, and a station id claimed by one worker
                    closes that station's older connection on the others
    worker.py       a worker process: the ordinary `serve()` with SO_REUSEPORT and a private admin socket

`--workers 1` (the default) runs no supervisor at all: the bridge is the one process it always was.
"""

from __future__ import annotations

import os

from bridge.settings import Settings


def worker_count(workers: int | str) -> int:
    """How many worker processes `--workers` asks for; auto: the CPUs this process may run on."""
    if workers == "auto":
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on Linux
            return max(1, os.cpu_count() or 1)
    return int(workers)


def refusal(settings: Settings, count: int) -> str | None:
    """Why `count` workers cannot run with these settings (one line naming the settings), or None."""
    if count <= 1:
        return None
    if settings.store_url == "memory:":
        return (
            f"--workers {settings.workers} ({count} processes) needs a transaction store the workers "
            "share, and --store-url / BRIDGE_STORE_URL memory: is each process's own: use "
            "sqlite:///<path> or redis://host:6379/0, or --workers 1"
        )
    if settings.port == 0:
        return (
            f"--workers {settings.workers}: --port / BRIDGE_PORT 0 would give each worker a port of its "
            "own; give a port number"
        )
    return None
