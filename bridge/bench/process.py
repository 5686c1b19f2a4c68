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


def load_loop() -> str:
    """The loop of the processes that are not measured (CSMS, load generators): the fastest there is,
    so that they are not what caps a round (uvloop, or asyncio where it is not installed)."""
    return "uvloop" if uvloop_available() else "asyncio"


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


def tree(pid: int) -> list[int]:
    """`pid` and its descendants (a supervisor and its workers, `run --workers N`), from /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
            except (OSError, ValueError):
                continue
    return found


def sample_tree(pid: int) -> ProcSample | None:
    """CPU and memory of `pid` and its descendants together; None when `pid` itself is gone."""
    own = sample(pid)
    if own is None:
        return None
    cpu, rss, peak = own.cpu, own.rss, own.peak_rss
    for child in tree(pid)[1:]:
        s = sample(child)
        if s is not None:
            cpu, rss, peak = cpu + s.cpu, rss + s.rss, peak + s.peak_rss
    return ProcSample(cpu, rss, peak)


def sample(pid: int) -> ProcSample | None:
    """None where /proc is not there (not Linux) or the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/status") as f:
            status = dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return None
    cpu = _run_time(pid)
    if cpu is None:
        cpu = (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime, in 10 ms ticks
    return ProcSample(cpu, _kib(status.get("VmRSS")), _kib(status.get("VmHWM")))


def _run_time(pid: int) -> float | None:
    """Seconds on a CPU of all the process's threads, in nanoseconds' precision (schedstat)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
        total = 0
        for task in tasks:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return total / 1e9


def _kib(value: str | None) -> int:
    return int(value.split()[0]) * 1024 if value else 0


def cpus_busy(cpus: set[int] | None = None) -> float | None:
    """CPU seconds the given CPUs (all of them when None) spent busy since boot, from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            lines = [line.split() for line in f if line.startswith("cpu")]
    except OSError:
        return None
    total = 0.0
    for fields in lines:
        name = fields[0]
        if name == "cpu" or (cpus is not None and int(name[3:]) not in cpus):
            continue
        values = [int(v) for v in fields[1:]]
        idle = values[3] + (values[4] if len(values) > 4 else 0)
        steal = values[7] if len(values) > 7 else 0
        total += sum(values[:8]) - idle - steal
    return total / _TICKS


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
