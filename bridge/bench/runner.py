"""`ocpp-bridge bench`: start the processes, run the phases, print the report.

Processes (each pinned to its CPUs when pinning is on; `--pin ROLE=CPUS` to choose):
    csms    bridge/bench/csms.py      fast 2.0.1 CSMS, fixed answers
    bridge  `ocpp-bridge run`         through bridge/bench/launch.py (pinning, fd limit, event loop)
    relay   bridge/bench/relay.py     plain aiohttp frame relay (--baseline relay)
    load    bridge/bench/load.py      the simulated stations (--load-procs of them)

Phases: warm-up (not measured); idle (K stations connect, boot and stay silent; the target's RSS
with them minus before, per station); then `--rounds` load rounds per target, bridge and relay
alternating (bridge, relay, relay, bridge, ...) so that drift on a noisy machine hits both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import aiohttp

from bridge import limits
from bridge.bench import process
from bridge.bench.process import free_port, sample_tree
from bridge.bench.progress import Progress
from bridge.bench.report import Idle, Round, Run, table, to_json

PY = sys.executable
SETTLE = 1.0  # seconds after the last idle station connected before the RSS is read
IDLE_WINDOW = 2.0  # seconds over which the CPU use of the idle stations is measured


class BenchError(Exception):
    pass


@dataclass
class Child:
    """A process of the run, talking in lines on stdin/stdout; stderr goes to a file in the work dir."""

    role: str
    proc: asyncio.subprocess.Process
    log: Path
    lines: list[str] = field(default_factory=list)

    @classmethod
    async def start(
        cls, role: str, argv: list[str], workdir: Path, env: dict[str, str] | None = None
    ) -> Child:
        log = workdir / f"{role}-{time.monotonic_ns()}.log"
        with log.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=err,
                env=env,
                limit=1 << 26,  # a RESULT line carries every latency
            )
        return cls(role, proc, log)

    async def expect(self, prefix: str, within: float, on_line: Callable[[str], None] | None = None) -> str:
        """Read lines until one starts with `prefix`; others go to `on_line`."""
        assert self.proc.stdout is not None
        try:
            async with asyncio.timeout(within):
                while True:
                    raw = await self.proc.stdout.readline()
                    if not raw:
                        raise BenchError(f"the {self.role} process ended unexpectedly{self.tail()}")
                    line = raw.decode().rstrip("\n")
                    if line.startswith(prefix):
                        return line[len(prefix) :].strip()
                    if on_line is not None:
                        on_line(line)
        except TimeoutError:
            raise BenchError(
                f"no {prefix} from the {self.role} process within {within:g} s{self.tail()}"
            ) from None

    async def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()

    def tail(self) -> str:
        try:
            text = self.log.read_text(errors="replace").strip().splitlines()[-8:]
        except OSError:
            return ""
        return (":\n  " + "\n  ".join(text)) if text else ""

    async def stop(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.terminate()
            try:
                async with asyncio.timeout(5):
                    await self.proc.wait()
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                await self.proc.wait()


@dataclass
class Target:
    name: str  # "bridge" or "relay"
    url: str
    pid: int | None  # None: a deployment we did not start and cannot see


def pin_plan(args: argparse.Namespace) -> dict[str, str | None]:
    """CPUs per role. Default on 2+ CPUs: the bridge (and the relay, never busy at the same time) on
    the first CPU, the CSMS and the load generators on the others."""
    roles = ("bridge", "relay", "csms", "load")
    if args.no_pin:
        return dict.fromkeys(roles)
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    plan: dict[str, str | None] = dict.fromkeys(roles)
    if len(cpus) >= 2:
        rest = ",".join(map(str, cpus[1:]))
        plan = {"bridge": str(cpus[0]), "relay": str(cpus[0]), "csms": rest, "load": rest}
        if len(cpus) >= 4:
            plan["csms"] = str(cpus[1])
            plan["load"] = ",".join(map(str, cpus[2:]))
    workers = getattr(args, "workers", 1)
    if workers > 1 and len(cpus) >= 2:  # every worker gets a CPU of its own, shared with the load if need be
        plan["bridge"] = ",".join(map(str, cpus[: min(workers, len(cpus))]))
    for spec in args.pin or []:
        role, _, chosen = spec.partition("=")
        if role not in roles or not chosen:
            raise BenchError(f"--pin {spec}: use ROLE=CPUS with ROLE one of {', '.join(roles)}")
        try:
            chosen_cpus = {int(c) for c in chosen.split(",")}
        except ValueError:
            raise BenchError(
                f"--pin {spec}: CPUS is a comma-separated list of CPU numbers, e.g. 0 or 1,2"
            ) from None
        if cpus and not chosen_cpus <= set(cpus):
            missing = ",".join(map(str, sorted(chosen_cpus - set(cpus))))
            raise BenchError(
                f"--pin {spec}: CPU {missing} is not one this process may run on "
                f"({','.join(map(str, cpus))}); see nproc, taskset -p $$"
            )
        plan[role] = chosen
    return plan


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.loop = process.resolve_loop(args.loop)  # the bridge's and the relay's
        self.load_loop = process.load_loop()  # the CSMS's and the stations': never what is measured
        self.plan = pin_plan(args)
        self.progress = Progress(sys.stderr, enabled=not args.no_progress)
        self.children: list[Child] = []
        self.workdir = Path(tempfile.mkdtemp(prefix="ocpp-bridge-bench-"))
        self.cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        self.run_ = Run(
            config={
                "stations": args.stations,
                "calls": args.calls,
                "idle": args.idle,
                "rounds": args.rounds,
                "baseline": args.baseline,
                "target": args.target,
                "loop": self.loop,
                "load_loop": self.load_loop,
                "rate": args.rate,
                "load_procs": args.load_procs,
                "workers": args.workers,
                "cpus": self.cpus,
                "pinning": ", ".join(f"{r}={c}" for r, c in self.plan.items() if c) or "none",
                "python": sys.version.split()[0],
            }
        )

    # -- processes -------------------------------------------------------------------------------------

    def _cpus(self, role: str) -> list[str]:
        cpus = self.plan.get(role)
        return ["--cpus", cpus] if cpus else []

    async def _spawn(self, role: str, argv: list[str], env: dict[str, str] | None = None) -> Child:
        child = await Child.start(role, argv, self.workdir, env)
        self.children.append(child)
        return child

    async def start_csms(self) -> str:
        child = await self._spawn(
            "csms", [PY, "-m", "bridge.bench.csms", "--loop", self.load_loop, *self._cpus("csms")]
        )
        port = await child.expect("READY", 30)
        return f"ws://127.0.0.1:{port}/ocpp"

    async def start_bridge(self, csms_url: str) -> Target:
        port, admin = free_port(), free_port()
        env = dict(os.environ)
        # A benchmark measures steady state: the reconnect-storm limiter would pace the connect phase,
        # and transaction ids need no file. Everything else (log level INFO, ...) is the bridge's
        # default; the user's own BRIDGE_* settings win.
        env.setdefault("BRIDGE_UPSTREAM_CONNECT_RATE", "1000000")
        env.setdefault("BRIDGE_UPSTREAM_CONNECT_BURST", "1000000")
        # Several workers share one store, and memory: is one process's (the bridge refuses it).
        store = "memory:" if self.args.workers <= 1 else f"sqlite:///{self.workdir / 'bench.sqlite3'}"
        env.setdefault("BRIDGE_STORE_URL", store)
        argv = [PY, "-m", "bridge.bench.launch", "--loop", self.loop, *self._cpus("bridge"), "--"]
        argv += ["run", "--csms-url", csms_url, "--host", "127.0.0.1", "--port", str(port)]
        argv += ["--admin-port", str(admin), "--event-loop", self.loop]
        if self.args.workers > 1:
            argv += ["--workers", str(self.args.workers)]
        began = time.monotonic()
        child = await self._spawn("bridge", argv, env)
        await self._wait_ready(child, f"http://127.0.0.1:{admin}/readyz")
        self.run_.startup_seconds = time.monotonic() - began
        return Target("bridge", f"ws://127.0.0.1:{port}", child.proc.pid)

    async def start_relay(self, csms_url: str) -> Target:
        argv = [PY, "-m", "bridge.bench.relay", "--upstream", csms_url, "--loop", self.loop]
        child = await self._spawn("relay", argv + self._cpus("relay"))
        port = await child.expect("READY", 30)
        return Target("relay", f"ws://127.0.0.1:{port}", child.proc.pid)

    async def _wait_ready(self, child: Child, url: str, within: float = 30) -> None:
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if child.proc.returncode is not None:
                    raise BenchError(f"the bridge did not start{child.tail()}")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with http.get(url) as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.005)
        raise BenchError(f"the bridge was not ready within {within:g} s{child.tail()}")

    async def _loads(self, target: Target, stations: int, extra: list[str]) -> list[Child]:
        procs = max(1, min(self.args.load_procs, stations))
        share, more = divmod(stations, procs)
        children, first = [], 0
        for i in range(procs):
            n = share + (1 if i < more else 0)
            argv = [PY, "-m", "bridge.bench.load", "--url", target.url, "--stations", str(n)]
            argv += ["--first", str(first), "--loop", self.load_loop, "--deadline", str(self.args.deadline)]
            if self.args.rate and "--calls" in extra:
                argv += ["--rate", f"{self.args.rate * n / stations:.3f}"]
            argv += ["--connect-concurrency", str(self.args.connect_concurrency), *self._cpus("load"), *extra]
            children.append(await self._spawn("load", argv))
            first += n
        return children

    # -- phases ----------------------------------------------------------------------------------------

    async def round(self, target: Target, stations: int, calls: int, label: str) -> Round:
        loads = await self._loads(target, stations, ["--calls", str(calls)])
        connected = {id(c): 0 for c in loads}
        self.progress.start(f"{label}: connecting", stations)

        def counting(child: Child) -> Callable[[str], None]:
            def on_line(line: str) -> None:
                if line.startswith("P "):
                    connected[id(child)] = int(line.split()[2])
                    self.progress.update(sum(connected.values()))

            return on_line

        await asyncio.gather(*(c.expect("READY", self.args.deadline + 30, counting(c)) for c in loads))
        pids = self._pids(target, loads)
        before = {role: self._cpu(p) for role, p in pids.items()}
        ours_before, busy_before = self._cpu(self._ours()), process.machine_busy()
        load_cpus = self._load_cpus()
        load_before = process.cpus_busy(load_cpus) if load_cpus else None
        self.progress.start(f"{label}: calls", stations * calls)
        for c in loads:
            await c.send("GO")
        started_at = time.monotonic()
        peak = 0

        async def watch() -> None:
            nonlocal peak
            while True:
                s = sample_tree(target.pid) if target.pid else None
                peak = max(peak, s.rss if s else 0)
                await asyncio.sleep(0.2)

        watcher = asyncio.create_task(watch())
        try:
            results = await asyncio.gather(
                *(c.expect("RESULT", self.args.deadline + 30, counting(c)) for c in loads)
            )
        finally:
            watcher.cancel()
        ended_at = time.monotonic()
        after = {role: self._cpu(p) for role, p in pids.items()}
        ours_after, busy_after = self._cpu(self._ours()), process.machine_busy()
        load_after = process.cpus_busy(load_cpus) if load_cpus else None
        self.progress.done()
        await self._reap(loads)
        parsed = [json.loads(r) for r in results]
        errors: dict[str, int] = {}
        for r in parsed:
            for kind, n in r["errors"].items():
                errors[kind] = errors.get(kind, 0) + n
        missing = stations - sum(r["connected"] for r in parsed)
        started = [r["started"] for r in parsed if "started" in r]
        ended = [r["ended"] for r in parsed if "ended" in r]
        seconds = max(ended) - min(started) if started else 0.0
        latencies = [lat for r in parsed for lat in r["latencies_us"]]
        cpu = {
            role: after[role] - before[role]
            for role in pids
            if before[role] is not None and after[role] is not None
        }
        if None not in (ours_before, ours_after, busy_before, busy_after):
            # CPU the machine spent on anything but this bench: the noise on a shared machine
            cpu["other"] = max(0.0, (busy_after - busy_before) - (ours_after - ours_before))  # type: ignore[operator]
        if missing and not errors:
            errors["stations that did not connect"] = missing
        load_busy = None
        if load_cpus and load_before is not None and load_after is not None and seconds:
            load_busy = (load_after - load_before) / (len(load_cpus) * (ended_at - started_at))
        elif seconds and "load" in cpu and "csms" in cpu:
            # not pinned: how much of the CPUs the target leaves free the CSMS and stations took
            load_busy = (cpu["load"] + cpu["csms"]) / (max(1, self.cpus - 1) * seconds)
        return Round(target.name, len(latencies), seconds, latencies, errors, cpu, peak, load_busy)

    def _pids(self, target: Target, loads: list[Child]) -> dict[str, list[int]]:
        pids: dict[str, list[int]] = {"load": [c.proc.pid for c in loads]}
        if target.pid:
            pids["target"] = [target.pid]
        csms = [c.proc.pid for c in self.children if c.role == "csms"]
        if csms:
            pids["csms"] = csms
        return pids

    def _ours(self) -> list[int]:
        return [os.getpid()]  # counted with all its descendants: every process of the run

    def _load_cpus(self) -> set[int] | None:
        """The CPUs the CSMS and the stations are pinned to, if they are pinned apart from the target."""
        chosen = {self.plan.get("load"), self.plan.get("csms")} - {None}
        cpus = {int(c) for spec in chosen for c in str(spec).split(",")}
        target = {int(c) for c in str(self.plan.get("bridge") or "").split(",") if c}
        if not cpus or not target or cpus & target:  # shared with the target: its busy share says nothing
            return None
        return cpus

    @staticmethod
    def _cpu(pids: list[int]) -> float | None:
        samples = [sample_tree(p) for p in pids]
        return None if any(s is None for s in samples) else sum(s.cpu for s in samples if s)

    async def idle(self, target: Target, requested: int) -> Idle:
        stations, note = requested, ""
        if target.pid is not None:
            # what `run` logs as its room: each worker process has the hard limit to itself
            workers = self.args.workers if target.name == "bridge" else 1
            room = limits.station_room(limits.nofile_hard_limit()) * workers
            if stations > room:
                stations = room
                note = (
                    f"{target.name}: {room:,} of {requested:,} idle stations: the open-file hard limit here is "
                    f"{limits.nofile_hard_limit():,} a process and the {target.name} needs 2 per station (ulimit -Hn)"
                )
        base = sample_tree(target.pid) if target.pid else None
        loads = await self._loads(target, stations, ["--idle"])
        counts = {id(c): 0 for c in loads}
        self.progress.start(f"{target.name}: {stations:,} idle stations connecting", stations)

        def counting(child: Child) -> Callable[[str], None]:
            def on_line(line: str) -> None:
                if line.startswith("P "):
                    counts[id(child)] = int(line.split()[2])
                    self.progress.update(sum(counts.values()))

            return on_line

        began = time.monotonic()
        ready = await asyncio.gather(
            *(c.expect("READY", self.args.deadline + 30, counting(c)) for c in loads)
        )
        connect_seconds = time.monotonic() - began
        self.progress.done()
        await asyncio.sleep(SETTLE)
        with_them = sample_tree(target.pid) if target.pid else None
        await asyncio.sleep(IDLE_WINDOW)  # what K silent stations cost in CPU (timers, keep-alives)
        later = sample_tree(target.pid) if target.pid else None
        idle_cpu = (later.cpu - with_them.cpu) / IDLE_WINDOW if later and with_them else None
        for c in loads:
            await c.send("STOP")
        results = [json.loads(r) for r in await asyncio.gather(*(c.expect("RESULT", 60) for c in loads))]
        await self._reap(loads)
        errors: dict[str, int] = {}
        for r in results:
            for kind, n in r["errors"].items():
                errors[kind] = errors.get(kind, 0) + n
        connected = sum(int(r.split()[0]) for r in ready)
        await asyncio.sleep(SETTLE)  # let the target close its side before the next phase
        return Idle(
            target.name,
            requested,
            connected,
            base.rss if base else 0,
            with_them.rss if with_them else 0,
            errors,
            round(connect_seconds, 2),
            idle_cpu,
            note,
        )

    async def _reap(self, children: list[Child]) -> None:
        for c in children:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(15):
                    await c.proc.wait()
            await c.stop()
            self.children.remove(c)

    # -- the whole run ---------------------------------------------------------------------------------

    async def run(self) -> Run:
        args = self.args
        if self.plan.get("load") and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {int(c) for c in self.plan["load"].split(",")})  # type: ignore[union-attr]
        limits.raise_nofile()
        try:
            targets = await self._targets()
            self.progress.note(f"warming up {', '.join(t.name for t in targets)}")
            for t in targets:
                await self.round(t, min(20, max(1, args.stations)), 20, f"{t.name} warm-up")
            self.progress.note(f"machine: {self.cpus} CPU(s); pinning: {self.run_.config['pinning']}")
            if args.idle:
                for t in targets:
                    self.run_.idle.append(await self.idle(t, args.idle))
                self.run_.notes += [i.note for i in self.run_.idle if i.note]
            if args.stations and args.calls:
                for n in range(args.rounds):
                    order = targets if n % 2 == 0 else targets[::-1]
                    for t in order:
                        label = f"{t.name} round {n + 1}/{args.rounds}"
                        self.run_.rounds.append(await self.round(t, args.stations, args.calls, label))
        finally:
            for child in reversed(self.children):
                await child.stop()
        return self.run_

    async def _targets(self) -> list[Target]:
        args = self.args
        if args.target:
            self.run_.startup_seconds = None
            return [Target("bridge", args.target.rstrip("/"), args.target_pid)]
        self.progress.note("starting the CSMS, the bridge" + (" and the relay" if args.baseline else ""))
        csms_url = await self.start_csms()
        targets = [await self.start_bridge(csms_url)]
        if args.baseline == "relay":
            targets.append(await self.start_relay(csms_url))
        return targets


def run(args: argparse.Namespace, out: IO[str] = sys.stdout) -> int:
    if args.target and args.baseline:
        print("ocpp-bridge bench: --baseline needs the bench's own bridge; drop --target", file=sys.stderr)
        return 2
    try:
        bench = Bench(args)
    except BenchError as exc:  # a usage mistake (--pin): said before anything starts
        print(f"ocpp-bridge bench: {exc}", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(bench.run())
    except BenchError as exc:
        print(f"ocpp-bridge bench: {exc}\n(process logs kept in {bench.workdir})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    if result.errors():
        result.notes.append(f"process logs kept in {bench.workdir}")
    else:
        shutil.rmtree(bench.workdir, ignore_errors=True)
    if args.json:
        json.dump(to_json(result), out, indent=2)
        out.write("\n")
    else:
        out.write(table(result) + "\n")
    return 1 if result.errors() else 0
