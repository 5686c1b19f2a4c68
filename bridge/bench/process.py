"""What every benchmark process shares: event loop choice, CPU pinning, file-descriptor limit, /proc stats.

Each process of a bench run (fast CSMS, bridge, relay, load generator) calls `prepare()` first, so all
of them run under the same event-loop settings, each on the CPUs it was given.
"""

from __future__ import annotations

import asyncio
import os
import socket
from dataclasses import dataclass

from bridge.limits import raise_nofile

LOOPS = ("asyncio", "uvloop")


def uvloop_available() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_loop(name: str) -> str:
    """`auto` is uvloop when it is installed (pip install 'ocpp-bridge[fast]'), else asyncio."""
    if name == "auto":
        return "uvloop" if uvloop_available() else "asyncio"
    if name == "uvloop" and not uvloop_available():
        raise SystemExit("ocpp-bridge bench: --loop uvloop needs uvloop (pip install uvloop)")
    return name


def prepare(loop: str, cpus: str | None) -> None:
    """Pin to `cpus` ("0" or "0,1"), raise the fd limit, install the event loop policy."""
    if cpus:
        os.sched_setaffinity(0, {int(c) for c in cpus.split(",")})
    raise_nofile()
    if loop == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class ProcSample:
    """CPU seconds used so far, resident memory and its peak (bytes) of one process, from /proc."""

    cpu: float
    rss: int
    peak_rss: int


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def sample(pid: int) -> ProcSample | None:
    """None where /proc is not there (not Linux) or the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/status") as f:
            status = dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return None
    cpu = (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime
    return ProcSample(cpu, _kib(status.get("VmRSS")), _kib(status.get("VmHWM")))


def _kib(value: str | None) -> int:
    return int(value.split()[0]) * 1024 if value else 0


def machine_busy() -> float | None:
    """CPU seconds all CPUs of the machine spent busy since boot (/proc/stat), None where unknown."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    steal = fields[7] if len(fields) > 7 else 0  # taken by the hypervisor: not ours to count either
    return (sum(fields[:8]) - idle - steal) / _TICKS
