"""The load generator: N simulated OCPP 1.6J stations in one process, driven over stdin/stdout.

    python -m bridge.bench.load --url ws://127.0.0.1:9100 --stations 200 --calls 50 [--first 0]
    python -m bridge.bench.load --url ws://127.0.0.1:9100 --stations 1000 --idle

Every station connects (subprotocol ocpp1.6) to <url>/bench-<n> and boots; then the process prints
`READY <connected> <failed>` and waits for `GO` on stdin. With --calls, each station then sends its
calls one at a time, awaiting each answer as OCPP-J requires (frames from bridge/bench/mix.py), either
as fast as answers come or, with --rate, paced at a fixed total rate (open loop), and
the process prints `RESULT <json>` (latencies in microseconds, errors, start and end on the
system-wide monotonic clock). With --idle the stations stay connected, silent, until `STOP`.
`P <phase> <count>` lines report progress. Everything is bounded by --deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import WSMsgType

from bridge.bench import mix
from bridge.bench.process import prepare

Socket = aiohttp.ClientWebSocketResponse


@dataclass
class Recorder:
    latencies: list[int] = field(default_factory=list)  # microseconds, one per answered call
    connected: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def error(self, kind: str) -> None:
        self.errors[kind] += 1


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def exchange(ws: Socket, frame: str, message_id: str) -> str | None:
    """Send one call and wait for its answer; None when it is a CALLRESULT, else what went wrong."""
    await ws.send_str(frame)
    ok, refused = f'[3,"{message_id}"', f'[4,"{message_id}"'
    while True:
        message = await ws.receive()
        if message.type is not WSMsgType.TEXT:
            return f"connection closed ({ws.close_code})"
        data: str = message.data
        if data.startswith(ok):
            return None
        if data.startswith(refused):
            return "CALLERROR " + json.loads(data)[2]
        if data.startswith("[2,"):  # a call from the bridge: answer it like an agreeable charger
            await ws.send_str(f"[3,{json.dumps(json.loads(data)[1])},{{}}]")


async def connect(
    session: aiohttp.ClientSession, url: str, index: int, gate: asyncio.Semaphore, rec: Recorder
) -> Socket | None:
    station_id = f"bench-{index}"
    async with gate:
        try:
            ws = await session.ws_connect(f"{url}/{station_id}", protocols=("ocpp1.6",), max_msg_size=0)
        except aiohttp.WSServerHandshakeError as exc:
            rec.error(f"handshake refused: HTTP {exc.status}")
            return None
        except (aiohttp.ClientError, OSError) as exc:
            rec.error(f"cannot connect: {type(exc).__name__}")
            return None
        problem = await exchange(ws, mix.boot_template() % "boot", "boot")
    if problem is not None:
        rec.error(f"BootNotification: {problem}")
        await ws.close()
        return None
    rec.connected += 1
    return ws


async def drive(ws: Socket, index: int, calls: int, rec: Recorder, interval: float = 0.0) -> None:
    """Send `calls` calls, one at a time. Closed loop (interval 0): each as soon as the last is answered.
    Paced: call n is due at start + n * interval (a per-station phase spreads the stations); a call
    whose turn comes while the previous one is still unanswered goes as soon as that answer arrives,
    and its latency counts from when it was due, so a slow target is not flattered by waiting less
    (no coordinated omission)."""
    templates = mix.templates(seed=index)
    count = len(templates)
    latencies = rec.latencies
    clock = time.perf_counter_ns
    step = int(interval * 1e9)
    due = clock() + (index * 7919 % 1000) * step // 1000 if step else 0
    for n in range(calls):
        message_id = str(n)
        if step:
            wait = due - clock()
            if wait > 0:
                await asyncio.sleep(wait / 1e9)
            started = due
            due += step
        else:
            started = clock()
        problem = await exchange(ws, templates[n % count] % message_id, message_id)
        if problem is not None:
            rec.error(problem)
            if ws.closed:
                return
            continue
        latencies.append((clock() - started) // 1000)


async def report(rec: Recorder, phase: str, every: float = 0.25) -> None:
    while True:
        await asyncio.sleep(every)
        say(f"P {phase} {rec.connected if phase == 'connect' else len(rec.latencies)}")


async def command() -> str:
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    return line.strip() or "STOP"  # stdin closed: the runner is gone


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rec = Recorder()
    deadline = time.monotonic() + args.deadline
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:
        gate = asyncio.Semaphore(args.connect_concurrency)
        ticker = asyncio.create_task(report(rec, "connect"))
        indices = range(args.first, args.first + args.stations)
        try:
            async with asyncio.timeout_at(_loop_time(deadline)):
                sockets = await asyncio.gather(*(connect(session, args.url, i, gate, rec) for i in indices))
        except TimeoutError:
            sockets = []
            rec.error("connect phase ran out of time")
        ticker.cancel()
        say(f"READY {rec.connected} {sum(rec.errors.values())}")
        result: dict[str, Any] = {"connected": rec.connected}
        if await command() == "GO" and not args.idle:  # idle: the command is STOP
            ticker = asyncio.create_task(report(rec, "calls"))
            started = time.monotonic()
            live = sum(1 for ws in sockets if ws)
            interval = live / args.rate if args.rate and live else 0.0  # seconds between a station's calls
            tasks = [
                asyncio.create_task(drive(ws, i, args.calls, rec, interval))
                for i, ws in zip(indices, sockets, strict=False)
                if ws
            ]
            if tasks:
                _, late = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
                for task in late:
                    task.cancel()
                if late:
                    rec.error(f"{len(late)} station(s) not done by the deadline")
            result.update(started=started, ended=time.monotonic())
            ticker.cancel()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                await asyncio.gather(*(ws.close() for ws in sockets if ws), return_exceptions=True)
    result.update(latencies_us=rec.latencies, errors=dict(rec.errors))
    return result


def _loop_time(monotonic_deadline: float) -> float:
    loop = asyncio.get_running_loop()
    return loop.time() + (monotonic_deadline - time.monotonic())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bridge.bench.load")
    parser.add_argument("--url", required=True, help="ws://host:port[/path]; the station id is appended")
    parser.add_argument("--stations", type=int, required=True)
    parser.add_argument("--first", type=int, default=0, help="number of the first station (bench-<n>)")
    parser.add_argument("--calls", type=int, default=0, help="calls per station after boot")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="calls/s of this process in all (open loop); 0: closed loop"
    )
    parser.add_argument("--idle", action="store_true", help="connect and boot, then stay silent until STOP")
    parser.add_argument("--connect-concurrency", type=int, default=64)
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds for the whole run at most")
    parser.add_argument("--loop", default="asyncio", choices=("asyncio", "uvloop"))
    parser.add_argument("--cpus", default=None)
    args = parser.parse_args(argv)
    prepare(args.loop, args.cpus)
    result = asyncio.run(run(args))
    say_whole("RESULT " + json.dumps(result, separators=(",", ":")))
    return 0


def say_whole(line: str) -> None:
    """A line of any size, whole. uvloop leaves stdout non-blocking, and after it sys.stdout silently
    cut a line bigger than the pipe holds (64 KiB: a RESULT of 1,000 stations' latencies) even once
    blocking again; os.write on the blocking descriptor does not."""
    sys.stdout.flush()
    fd = sys.stdout.fileno()
    os.set_blocking(fd, True)
    data = memoryview((line + "\n").encode())
    while data:
        data = data[os.write(fd, data) :]


if __name__ == "__main__":
    sys.exit(main())
