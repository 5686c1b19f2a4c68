"""Soak test: N stations through the real bridge for T minutes, with random faults; nothing may be lost.

    python tools/soak.py --stations 200 --minutes 3            # the figures in the README
    python tools/soak.py --stations 50 --minutes 1 --seed 7    # a quick one

Everything runs on loopback: a light OCPP 2.0.1 CSMS and the stations in this process, the bridge as
its own process (`python -m bridge.cli`, as users run it). Each station behaves like a charger with
a backlog: it keeps its messages (MeterValues carrying a sequence number, StatusNotification,
Heartbeat) in a queue, sends them one at a time, drops one from the queue only when a CALLRESULT
acknowledges it, and after any connection loss reconnects with a random back-off and sends again what
was not acknowledged. Faults, at random: the CSMS restarts (it closes every connection and stays away
for a few seconds), stations drop their connection abruptly, and optionally the bridge itself is
restarted with SIGTERM (--bridge-restart-every).

After T minutes the stations stop making new messages and the faults stop; the stations get up to
--settle seconds to deliver their backlog. Then it prints:

    calls sent        distinct messages the stations made (frames sent, retries included)
    answered          messages acknowledged with a CALLRESULT
    lost              acknowledged but never received by the CSMS, plus never delivered at all

and exits 1 if anything was lost. Duplicates (a message the CSMS received twice, because the
acknowledgement was lost in a fault and the station sent it again) are OCPP's at-least-once delivery
and are reported, not counted as lost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import sys
import tempfile
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


ANSWERS = {
    "Heartbeat": lambda: {"currentTime": now()},
    "BootNotification": lambda: {"currentTime": now(), "interval": 300, "status": "Accepted"},
    "StatusNotification": dict,
    "NotifyEvent": dict,
    "MeterValues": dict,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the CSMS ----------------------------------------------------------------------------------------


@dataclass
class Csms:
    """A light OCPP 2.0.1 CSMS that records every call it receives (before answering it)."""

    port: int
    deliveries: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    sockets: set[web.WebSocketResponse] = field(default_factory=set)
    handshakes: int = 0
    restarts: int = 0
    runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/ocpp/{station}", self._handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port, reuse_address=True).start()

    async def stop(self) -> None:
        await asyncio.gather(*(ws.close(code=1001) for ws in list(self.sockets)), return_exceptions=True)
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        station_id = request.match_info["station"]
        self.handshakes += 1
        ws = web.WebSocketResponse(protocols=("ocpp2.0.1",))
        await ws.prepare(request)
        self.sockets.add(ws)
        try:
            async for message in ws:
                frame = json.loads(message.data)
                if frame[0] != 2:
                    continue
                seq, dot, _ = frame[1].partition(".")
                if dot and seq.isdigit():  # a station's own message (the bridge's calls have uuids)
                    self.deliveries[(station_id, int(seq))] += 1
                await ws.send_str(json.dumps([3, frame[1], ANSWERS[frame[2]]()]))
        except ConnectionError:
            pass
        finally:
            self.sockets.discard(ws)
        return ws


# -- the stations ------------------------------------------------------------------------------------


@dataclass
class Tally:
    made: int = 0  # distinct messages
    frames: int = 0  # frames sent, retries included
    acked: set[tuple[str, int]] = field(default_factory=set)
    callerrors: int = 0
    resent: int = 0  # frames of a message sent before (not acknowledged then)
    drops: int = 0
    connects: int = 0
    refused: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    backlog: int = 0  # not acknowledged when the run ended


def message(seq: int, rng: random.Random) -> tuple[str, dict[str, Any]]:
    kind = rng.random()
    if kind < 0.6:
        sample = {"value": str(seq), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
        return "MeterValues", {
            "connectorId": 1,
            "meterValue": [{"timestamp": now(), "sampledValue": [sample]}],
        }
    if kind < 0.9:
        status = rng.choice(["Available", "Preparing", "Charging", "SuspendedEV", "Finishing"])
        return "StatusNotification", {
            "connectorId": 1,
            "errorCode": "NoError",
            "status": status,
            "timestamp": now(),
        }
    return "Heartbeat", {}


def abort(ws: aiohttp.ClientWebSocketResponse) -> None:
    """Drop the connection as a charger losing its modem does: no close frame, just gone."""
    connection = ws._response.connection  # no public way to reset a client WebSocket's transport
    if connection is not None and connection.transport is not None:
        connection.transport.abort()


@dataclass
class Station:
    station_id: str
    url: str
    rng: random.Random
    tally: Tally
    queue: deque[tuple[int, str, dict[str, Any]]] = field(default_factory=deque)
    tried: set[int] = field(default_factory=set)  # seqs sent at least once
    seq: int = 0
    attempts: int = 0

    async def run(self, http: aiohttp.ClientSession, making: asyncio.Event, faults: asyncio.Event,
                  deadline: float, interval: float, drop_rate: float, answer_wait: float) -> None:  # fmt: skip
        while time.monotonic() < deadline and (making.is_set() or self.queue):
            try:
                ws = await http.ws_connect(self.url, protocols=("ocpp1.6",))
            except aiohttp.WSServerHandshakeError as exc:
                self.tally.refused[exc.status] += 1
                await asyncio.sleep(self.rng.uniform(1.0, 4.0))
                continue
            except (aiohttp.ClientError, OSError):
                await asyncio.sleep(self.rng.uniform(1.0, 4.0))
                continue
            self.tally.connects += 1
            try:
                await self._talk(ws, making, faults, deadline, interval, drop_rate, answer_wait)
            finally:
                if not ws.closed:
                    await ws.close()
            await asyncio.sleep(self.rng.uniform(0.5, 3.0))  # back-off before reconnecting
        self.tally.backlog += len(self.queue)

    async def _talk(self, ws: aiohttp.ClientWebSocketResponse, making: asyncio.Event, faults: asyncio.Event,
                    deadline: float, interval: float, drop_rate: float, answer_wait: float) -> None:  # fmt: skip
        while time.monotonic() < deadline:
            if not self.queue:
                if not making.is_set():
                    return
                await asyncio.sleep(self.rng.expovariate(1 / interval))
                self.seq += 1
                self.queue.append((self.seq, *message(self.seq, self.rng)))
                self.tally.made += 1
            if faults.is_set() and self.rng.random() < drop_rate * interval:
                self.tally.drops += 1
                abort(ws)
                return
            seq, action, payload = self.queue[0]
            self.attempts += 1
            message_id = f"{seq}.{self.attempts}"
            try:
                await ws.send_str(json.dumps([2, message_id, action, payload]))
            except ConnectionError:
                return  # the connection is gone: reconnect, then send it
            self.tally.frames += 1
            if seq in self.tried:
                self.tally.resent += 1
            self.tried.add(seq)
            frame = await self._answer(ws, message_id, answer_wait)
            if frame is None:
                return  # closed under the call, or no answer: send it again after reconnecting
            if frame[0] == 3:
                self.queue.popleft()
                self.tally.acked.add((self.station_id, seq))
            elif frame[0] == 4:
                self.tally.callerrors += 1
                await asyncio.sleep(self.rng.uniform(0.5, 2.0))

    async def _answer(self, ws: aiohttp.ClientWebSocketResponse, message_id: str, wait: float) -> Any:
        """The answer to `message_id` (a late answer to an earlier attempt is skipped), or None."""
        try:
            async with asyncio.timeout(wait):
                while True:
                    received = await ws.receive()
                    if received.type is not aiohttp.WSMsgType.TEXT:
                        return None
                    frame = json.loads(received.data)
                    if frame[0] in (3, 4) and frame[1] == message_id:
                        return frame
        except TimeoutError:
            return None


# -- the run -----------------------------------------------------------------------------------------


async def start_bridge(
    port: int, csms_url: str, log: Path, call_timeout: float
) -> asyncio.subprocess.Process:
    admin = free_port()  # /readyz: a fresh admin port each start
    env = {**os.environ, "BRIDGE_CSMS_URL": csms_url, "BRIDGE_STORE_URL": "memory:", "PYTHONPATH": str(ROOT)}
    env["BRIDGE_ADMIN_PORT"] = str(admin)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bridge.cli", "--host", "127.0.0.1", "--port", str(port),
        "--call-timeout", str(call_timeout), "--log-level", "WARNING", "--drain-timeout", "5",
        env=env, stderr=log.open("ab"), cwd=str(ROOT),
    )  # fmt: skip
    async with aiohttp.ClientSession() as http:
        for _ in range(400):
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"http://127.0.0.1:{admin}/readyz") as r:
                    if r.status == 200:
                        return process
            await asyncio.sleep(0.05)
    raise RuntimeError(f"the bridge did not become ready; see {log}")


async def stop_bridge(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()


async def faults_loop(args: argparse.Namespace, rng: random.Random, csms: Csms, bridge: dict[str, Any],
                      faults: asyncio.Event, counts: dict[str, int]) -> None:  # fmt: skip
    next_csms = time.monotonic() + rng.uniform(0.5, 1.5) * args.csms_restart_every
    next_bridge = (
        time.monotonic() + rng.uniform(0.5, 1.5) * args.bridge_restart_every
        if args.bridge_restart_every
        else None
    )
    while faults.is_set():
        await asyncio.sleep(0.2)
        if time.monotonic() >= next_csms:
            counts["csms_restarts"] += 1
            await csms.stop()
            await asyncio.sleep(rng.uniform(1.0, 5.0))
            await csms.start()
            next_csms = time.monotonic() + rng.uniform(0.5, 1.5) * args.csms_restart_every
        if next_bridge is not None and time.monotonic() >= next_bridge:
            counts["bridge_restarts"] += 1
            await stop_bridge(bridge["process"])
            bridge["process"] = await start_bridge(bridge["port"], csms.url, bridge["log"], args.call_timeout)
            next_bridge = time.monotonic() + rng.uniform(0.5, 1.5) * args.bridge_restart_every


async def soak(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="ocpp-bridge-soak-"))
    log = workdir / "bridge.log"
    csms = Csms(free_port())
    await csms.start()
    bridge = {"port": free_port(), "log": log}
    bridge["process"] = await start_bridge(bridge["port"], csms.url, log, args.call_timeout)  # type: ignore[attr-defined]
    tally = Tally()
    making, faults = asyncio.Event(), asyncio.Event()
    making.set()
    faults.set()
    counts: dict[str, int] = defaultdict(int)
    began = time.monotonic()
    deadline = began + args.minutes * 60 + args.settle
    stations = [
        Station(
            f"SOAK-{n:04d}",
            f"ws://127.0.0.1:{bridge['port']}/SOAK-{n:04d}",
            random.Random(rng.random()),
            tally,
        )
        for n in range(args.stations)
    ]
    print(
        f"soak: {args.stations} stations for {args.minutes:g} min (seed {args.seed}); bridge log: {log}",
        file=sys.stderr,
    )
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        answer_wait = args.call_timeout + 5
        runs = [
            asyncio.create_task(
                s.run(http, making, faults, deadline, args.interval, args.drop_rate, answer_wait)
            )
            for s in stations
        ]
        chaos = asyncio.create_task(faults_loop(args, rng, csms, bridge, faults, counts))
        await asyncio.sleep(args.minutes * 60)
        making.clear()  # no new messages, no more faults: the backlog drains
        faults.clear()
        await chaos
        await asyncio.gather(*runs)
    await stop_bridge(bridge["process"])  # type: ignore[arg-type]
    await csms.stop()
    elapsed = time.monotonic() - began

    delivered = set(csms.deliveries)
    acked_not_delivered = tally.acked - delivered
    made = {(s.station_id, seq) for s in stations for seq in range(1, s.seq + 1)}
    never_delivered = made - delivered
    lost = len(acked_not_delivered) + len(never_delivered)
    duplicates = sum(csms.deliveries.values()) - len(delivered)
    refused = ", ".join(f"HTTP {k}: {v}" for k, v in sorted(tally.refused.items())) or "none"
    print(
        f"\nsoak: {args.stations} stations, {args.minutes:g} min + settle ({elapsed:.0f} s in all), seed {args.seed}\n"
        f"faults: {counts['csms_restarts']} CSMS restarts, {counts['bridge_restarts']} bridge restarts, "
        f"{tally.drops} station drops\n"
        f"connections: {tally.connects} opened; handshakes refused: {refused}\n"
        f"calls sent      {tally.made:>8}   ({tally.frames} frames: {tally.resent} sent again after a fault)\n"
        f"answered        {len(tally.acked):>8}   (CALLRESULT; {tally.callerrors} CALLERROR answers, resent)\n"
        f"lost            {lost:>8}   (acknowledged but not at the CSMS: {len(acked_not_delivered)}; "
        f"never delivered: {len(never_delivered)})\n"
        f"duplicates      {duplicates:>8}   (received twice by the CSMS: acknowledgement lost in a fault)\n"
        f"backlog at end  {tally.backlog:>8}"
    )
    return 1 if lost or tally.backlog else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--interval", type=float, default=2.0, help="mean seconds between a station's messages"
    )
    parser.add_argument(
        "--csms-restart-every", type=float, default=40.0, help="mean seconds between CSMS restarts"
    )
    parser.add_argument("--bridge-restart-every", type=float, default=0.0, help="mean seconds; 0: never")
    parser.add_argument("--drop-rate", type=float, default=0.005, help="abrupt drops per station per second")
    parser.add_argument("--call-timeout", type=float, default=10.0, help="the bridge's --call-timeout")
    parser.add_argument(
        "--settle", type=float, default=90.0, help="seconds to deliver the backlog at the end"
    )
    args = parser.parse_args(argv)
    return asyncio.run(soak(args))


if __name__ == "__main__":
    sys.exit(main())
