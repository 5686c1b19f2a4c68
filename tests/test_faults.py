"""Faults on real loopback sockets: the CSMS restarting under 200 stations, a silent or misbehaving
CSMS, the same station twice, floods, and SIGTERM under load.

The CSMS here is a light aiohttp 2.0.1 server (not the `ocpp` package's, which answers every call
correctly and could not misbehave on cue): it records every frame it receives before it answers, so
"no frame is acknowledged to a station that did not reach the CSMS" is checked against its record.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import signal
import sys
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bridge.admission import Admission, AdmissionRefused
from bridge.engine import Side
from bridge.logs import station_id as station_id_var
from tests.conftest import RunningBridge, eventually, free_port, now, run_bridge, wait_ready
from tests.schemas import assert_frame_valid

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "Heartbeat": lambda: {"currentTime": now()},
    "StatusNotification": dict,
    "NotifyEvent": dict,
    "MeterValues": dict,
    "BootNotification": lambda: {"currentTime": now(), "interval": 300, "status": "Accepted"},
    "Authorize": lambda: {"idTokenInfo": {"status": "Accepted"}},
}

# What a misbehaving CSMS sends instead of the right answer: call frame -> frames to send back.
Script = Callable[[list[Any]], list[str]]


def correct(call: list[Any]) -> list[str]:
    return [json.dumps([3, call[1], ANSWERS[call[2]]()])]


@dataclass
class LightCsms:
    """An OCPP 2.0.1 CSMS on loopback that can be stopped and restarted on the same port."""

    script: Script = correct
    answer_delay: float = 0.0
    port: int = 0
    received: dict[str, list[list[Any]]] = field(default_factory=lambda: defaultdict(list))
    handshakes: list[tuple[float, str]] = field(default_factory=list)
    open: dict[str, set[web.WebSocketResponse]] = field(default_factory=lambda: defaultdict(set))
    closed: list[tuple[str, int | None]] = field(default_factory=list)
    max_in_flight: int = 0  # most calls from the bridge unanswered at once on one connection
    invalid: list[str] = field(default_factory=list)  # calls that broke the official 2.0.1 schema
    runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp"

    def received_ids(self) -> set[tuple[str, str]]:
        return {(sid, f[1]) for sid, frames in self.received.items() for f in frames if f[0] == 2}

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/ocpp/{station}", self._handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Go away as a restarting CSMS does: close every connection, stop listening."""
        sockets = [ws for group in self.open.values() for ws in group]
        await asyncio.gather(*(ws.close(code=1001, message=b"restart") for ws in sockets))
        assert self.runner is not None
        await self.runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        station_id = request.match_info["station"]
        self.handshakes.append((asyncio.get_running_loop().time(), station_id))
        ws = web.WebSocketResponse(protocols=("ocpp2.0.1",))
        await ws.prepare(request)
        self.open[station_id].add(ws)
        in_flight = 0

        async def answer(call: list[Any]) -> None:
            nonlocal in_flight
            await asyncio.sleep(self.answer_delay)
            in_flight -= 1
            for text in self.script(call):
                if not ws.closed:
                    await ws.send_str(text)

        tasks = set()
        try:
            async for message in ws:
                frame = json.loads(message.data)  # the bridge only ever sends whole, valid JSON
                self.received[station_id].append(frame)
                if frame[0] == 2:
                    try:
                        assert_frame_valid("2.0.1", frame)
                    except AssertionError as exc:
                        self.invalid.append(str(exc))
                    in_flight += 1
                    self.max_in_flight = max(self.max_in_flight, in_flight)
                    task = asyncio.create_task(answer(frame))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
        finally:
            self.open[station_id].discard(ws)
            self.closed.append((station_id, ws.close_code))
        return ws


@contextlib.asynccontextmanager
async def light_csms(**kw: Any) -> AsyncIterator[LightCsms]:
    csms = LightCsms(**kw)
    await csms.start()
    try:
        yield csms
    finally:
        with contextlib.suppress(Exception):
            await csms.stop()
    assert csms.invalid == []


def client() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))  # hundreds of stations


async def connect(
    http: aiohttp.ClientSession, url: str, attempts: int = 400
) -> aiohttp.ClientWebSocketResponse:
    """Connect as a station does: on a refused handshake (CSMS down, bridge busy) wait and retry."""
    for _ in range(attempts):
        try:
            async with asyncio.timeout(20):  # a handshake that hangs is a failure, not a hung suite
                return await http.ws_connect(url, protocols=("ocpp1.6",))
        except aiohttp.WSServerHandshakeError as exc:
            assert exc.status in (502, 503, 504), exc
            await asyncio.sleep(random.uniform(0.05, 0.25))
    raise AssertionError(f"{url}: no connection after {attempts} attempts")


@dataclass
class Closed:
    """The connection closed instead of answering: the close code the bridge sent (None: no close frame).

    Read from the close frame itself: the client's own `close_code` turns into 1006 when its reply to
    the close frame finds the socket already shut, which says nothing about what the bridge sent.
    """

    code: int | None


async def call(ws: aiohttp.ClientWebSocketResponse, message_id: str, action: str, payload: Any) -> Any:
    """Send a call and return the answer frame, or Closed when the connection closed instead."""
    try:
        await ws.send_str(json.dumps([2, message_id, action, payload]))
    except ConnectionError:
        return Closed(None)
    message = await ws.receive()
    if message.type is aiohttp.WSMsgType.CLOSE:
        return Closed(message.data)
    if message.type is not aiohttp.WSMsgType.TEXT:
        return Closed(None)
    frame = json.loads(message.data)
    assert frame[1] == message_id, frame
    return frame


def most_in_any_second(times: list[float]) -> int:
    times = sorted(times)
    most, start = 0, 0
    for end in range(len(times)):
        while times[end] - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


# -- the CSMS restarts under 200 stations ------------------------------------------------------------


@dataclass
class Slot:
    reserved: float  # when the bridge reserved it
    start: float  # when it begins: the handshake may go up from then on
    station_id: str | None


def record_admission_slots(bridge: RunningBridge) -> list[Slot]:
    """Record every upstream connection slot the bridge reserves (a station's handshakes reserve
    one each, in turn)."""
    admission = bridge.server.admission
    reserve = admission.reserve
    slots: list[Slot] = []

    def recording(max_wait: float) -> float:
        now = admission.clock()
        delay = reserve(max_wait)
        slots.append(Slot(now, now + delay, station_id_var.get()))
        return delay

    admission.reserve = recording  # type: ignore[method-assign]
    return slots


STATIONS = 200
RATE, BURST = 100.0, 20


async def test_csms_restart_with_200_stations_closes_all_and_admits_reconnects_at_a_bounded_rate() -> None:
    async with (
        light_csms() as csms,
        run_bridge(
            csms_url=csms.url, upstream_connect_rate=RATE, upstream_connect_burst=BURST, call_timeout=5
        ) as bridge,
        client() as http,
    ):
        slots = record_admission_slots(bridge)
        ids = [f"CP-{n:03d}" for n in range(STATIONS)]
        async with asyncio.timeout(60):
            sockets = await asyncio.gather(*(connect(http, bridge.url(i)) for i in ids))
        acked: set[tuple[str, str]] = set()
        close_codes: dict[str, int | None] = {}
        talking = asyncio.Event()

        async def talk(station_id: str, ws: aiohttp.ClientWebSocketResponse) -> None:
            """Send calls back to back, as a station with a backlog does, until the connection closes."""
            for n in range(10_000):
                message_id = f"{station_id}-{n}"
                frame = await call(ws, message_id, "Heartbeat", {})
                if isinstance(frame, Closed):
                    close_codes[station_id] = frame.code
                    return
                if frame[0] == 3:
                    acked.add((station_id, message_id))
                if len(acked) >= STATIONS:
                    talking.set()

        talkers = [asyncio.create_task(talk(i, ws)) for i, ws in zip(ids, sockets, strict=True)]
        async with asyncio.timeout(20):
            await talking.wait()
        await csms.stop()  # every station has calls in flight now
        async with asyncio.timeout(10):
            await asyncio.gather(*talkers)
        # every station was closed, with "try again later", so that it queues its data offline
        assert set(close_codes) == set(ids)
        assert set(close_codes.values()) == {1013}
        await eventually(lambda: bridge.server.sessions == {})

        restarted = asyncio.get_running_loop().time()
        await csms.start()  # same port
        answers: dict[str, Any] = {}

        async def come_back(station_id: str) -> None:
            ws = await connect(http, bridge.url(station_id))
            answers[station_id] = await call(ws, f"{station_id}-back", "Heartbeat", {})
            acked.add((station_id, f"{station_id}-back"))
            await ws.close()

        async with asyncio.timeout(60):
            await asyncio.gather(*(come_back(i) for i in ids))
        assert all(frame[0] == 3 for frame in answers.values())

        # the reconnect storm reached the CSMS no faster than the configured rate allows. Measured on
        # the bridge's own admission slots, not on when the CSMS saw the handshakes: on a loaded
        # machine a stalled event loop lets timers that are due together fire together, which says
        # nothing about the slots the bridge handed out (at most BURST at once, then RATE a second).
        reconnects = [(t, sid) for t, sid in csms.handshakes if t >= restarted]
        assert len(reconnects) == STATIONS
        assert most_in_any_second([slot.start for slot in slots]) <= BURST + RATE
        # and no handshake went up before its slot began (its slot: the station's latest before it)
        for seen, station_id in reconnects:
            mine = [slot for slot in slots if slot.station_id == station_id and slot.reserved <= seen]
            assert mine and mine[-1].start <= seen, (station_id, seen, mine[-1:])
        # nothing was acknowledged to a station that the CSMS did not receive
        assert acked <= csms.received_ids()


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_admission_gives_a_burst_then_the_rate_first_come_first_served() -> None:
    clock = FakeClock()
    admission = Admission(rate=10, burst=3, clock=clock)
    waits = [admission.reserve(max_wait=10) for _ in range(6)]
    assert waits == pytest.approx([0, 0, 0, 0.1, 0.2, 0.3])
    with pytest.raises(AdmissionRefused) as refused:  # a slot 0.4 s away, but only 0.35 s to wait
        admission.reserve(max_wait=0.35)
    assert refused.value.retry_after == pytest.approx(0.4)
    assert admission.reserve(max_wait=1) == pytest.approx(0.4)  # the refusal reserved nothing
    clock.now = 10.0  # a quiet spell refills the burst, and no more than the burst
    assert [admission.reserve(max_wait=0) for _ in range(3)] == [0, 0, 0]
    with pytest.raises(AdmissionRefused):
        admission.reserve(max_wait=0)


async def test_a_handshake_that_cannot_get_a_slot_in_time_is_refused_with_retry_after() -> None:
    async with (
        light_csms() as csms,
        run_bridge(csms_url=csms.url, upstream_connect_rate=0.2, upstream_connect_burst=1, connect_timeout=0.5)
        as bridge,
        client() as http,
    ):  # fmt: skip
        first = await http.ws_connect(bridge.url("CP-A"), protocols=("ocpp1.6",))
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(bridge.url("CP-B"), protocols=("ocpp1.6",))
        assert refused.value.status == 503
        assert refused.value.headers is not None and 1 <= int(refused.value.headers["Retry-After"]) <= 5
        assert [sid for _, sid in csms.handshakes] == ["CP-A"]  # CP-B never reached the CSMS
        await first.close()


# -- a slow or silent CSMS ---------------------------------------------------------------------------


async def test_silent_csms_every_call_gets_one_callerror_and_the_pending_table_stays_bounded() -> None:
    async with (
        light_csms(script=lambda call: []) as csms,
        run_bridge(csms_url=csms.url, call_timeout=0.5, max_pending_calls=16) as bridge,
        client() as http,
    ):
        ws = await connect(http, bridge.url("CP-SILENT"))
        answer = await call(ws, "first", "Heartbeat", {})
        assert answer[:3] == [4, "first", "InternalError"]
        assert "no answer from the CSMS" in answer[3]
        for burst in range(3):  # a station that does not wait, three times over
            for n in range(60):
                await ws.send_str(json.dumps([2, f"b{burst}-{n}", "Heartbeat", {}]))
            engine = bridge.server.sessions["CP-SILENT"].engine
            assert len(engine.csms.awaiting) <= 16
            answers = []
            async with asyncio.timeout(10):
                while len(answers) < 60:
                    answers.append(json.loads((await ws.receive()).data))
            assert sorted(a[1] for a in answers) == sorted(f"b{burst}-{n}" for n in range(60))
            codes = [a[2] for a in answers]
            assert codes.count("GenericError") == 60 - 16  # refused at once: too many pending calls
            assert codes.count("InternalError") == 16  # accepted, then timed out
            for frame in answers:
                assert_frame_valid("1.6", frame)
            await eventually(lambda engine=engine: engine.pending() == 0)  # type: ignore[misc]
        # one call at a time reached the silent CSMS, and the station is still served
        assert csms.max_in_flight == 1
        assert not ws.closed


async def test_slow_csms_answer_after_the_timeout_is_dropped_and_counted() -> None:
    async with (
        light_csms(answer_delay=1.0) as csms,
        run_bridge(csms_url=csms.url, call_timeout=0.3) as bridge,
        client() as http,
    ):
        ws = await connect(http, bridge.url("CP-SLOW"))
        assert (await call(ws, "h1", "Heartbeat", {}))[:3] == [4, "h1", "InternalError"]
        await eventually(lambda: errors(bridge, Side.CSMS, "unknown_message_id") == 1)  # late answer
        with pytest.raises(TimeoutError):  # and it is not passed on to the station
            async with asyncio.timeout(0.5):
                await ws.receive()
        assert len(csms.received["CP-SLOW"]) == 1


def errors(bridge: RunningBridge, side: Side, reason: str) -> float:
    value = bridge.server.metrics.registry.get_sample_value(
        "bridge_translation_errors_total", {"side": side.value, "reason": reason}
    )
    return value or 0.0


# -- a CSMS that answers garbage, the wrong message id, or in OCPP 1.6 --------------------------------


def misbehaving(call: list[Any]) -> list[str]:
    message_id = call[1]
    if message_id == "garbage":
        return ["}{ not json"]
    if message_id == "wrong-id":
        return [json.dumps([3, "nobody-asked", {"currentTime": now()}])]
    if message_id == "v16-answer":  # an Authorize answer as OCPP 1.6 spells it
        return [json.dumps([3, message_id, {"idTagInfo": {"status": "Accepted"}}])]
    if message_id == "bad-time":
        return [json.dumps([3, message_id, {"currentTime": "yesterday"}])]
    if message_id == "v16-error":  # a CALLERROR code only OCPP 1.6 has
        return [json.dumps([4, message_id, "OccurenceConstraintViolation", "typo'd", {}])]
    return correct(call)


@pytest.mark.parametrize(
    ("message_id", "action", "payload", "code", "counted"),
    # counted: (the side the bridge answered or dropped a frame from, reason in mappings/errors.toml)
    [
        ("garbage", "Heartbeat", {}, "InternalError", (Side.CSMS, "invalid_json")),
        ("wrong-id", "Heartbeat", {}, "InternalError", (Side.CSMS, "unknown_message_id")),
        ("v16-answer", "Authorize", {"idTag": "04A1"}, "InternalError", (Side.STATION, "bad_answer")),
        ("bad-time", "Heartbeat", {}, "InternalError", (Side.STATION, "bad_answer")),
        ("v16-error", "Heartbeat", {}, "OccurenceConstraintViolation", (Side.CSMS, "peer_error")),
    ],
)
async def test_a_csms_answering_nonsense_gets_the_station_a_clean_error_logged_and_counted(
    message_id: str,
    action: str,
    payload: dict[str, Any],
    code: str,
    counted: tuple[Side, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with (
        light_csms(script=misbehaving) as csms,
        run_bridge(csms_url=csms.url, call_timeout=0.5) as bridge,
        client() as http,
    ):
        ws = await connect(http, bridge.url("CP-ODD"))
        answer = await call(ws, message_id, action, payload)
        assert answer[:3] == [4, message_id, code]
        assert_frame_valid("1.6", answer)
        assert errors(bridge, *counted) == 1
        assert any(r.levelname in ("WARNING", "INFO") and "CSMS" in r.getMessage() for r in caplog.records)
        # the connection survives, and the next call goes through
        assert (await call(ws, "fine", "Heartbeat", {}))[0] == 3
        if counted[1] == "invalid_json":  # the CSMS is told, in its own error vocabulary
            await eventually(lambda: any(f[0] == 4 for f in csms.received["CP-ODD"]))
            error = next(f for f in csms.received["CP-ODD"] if f[0] == 4)
            assert error[2] == "RpcFrameworkError"
            assert_frame_valid("2.0.1", error)


# -- the same station id twice ----------------------------------------------------------------------


async def test_the_newer_connection_wins_with_a_clear_close_code_and_the_upstream_follows() -> None:
    async with light_csms() as csms, run_bridge(csms_url=csms.url) as bridge, client() as http:
        old = await connect(http, bridge.url("CP-TWICE"))
        new = await connect(http, bridge.url("CP-TWICE"))
        message = await asyncio.wait_for(old.receive(), 5)
        assert message.type is aiohttp.WSMsgType.CLOSE
        assert (message.data, message.extra) == (4000, "replaced by a newer connection of the same station")
        await eventually(lambda: len(csms.open["CP-TWICE"]) == 1)
        assert ("CP-TWICE", 4000) in csms.closed  # the older upstream was closed with the same code
        assert (await call(new, "h", "Heartbeat", {}))[0] == 3


async def test_a_crowd_of_connections_with_one_station_id_leaves_exactly_one_pair_open() -> None:
    async with light_csms() as csms, run_bridge(csms_url=csms.url) as bridge, client() as http:
        sockets = await asyncio.gather(*(connect(http, bridge.url("CP-CROWD")) for _ in range(12)))

        async def fate(ws: aiohttp.ClientWebSocketResponse) -> int | None:
            """The close code this connection got, or None if it is still open a while later."""
            try:
                message = await asyncio.wait_for(ws.receive(), 1.5)
            except TimeoutError:
                return None
            assert message.type is aiohttp.WSMsgType.CLOSE
            return message.data

        fates = await asyncio.gather(*(fate(ws) for ws in sockets))
        assert sorted(fates, key=str) == [4000] * 11 + [None]
        assert len(csms.open["CP-CROWD"]) == 1
        survivor = sockets[fates.index(None)]
        assert (await call(survivor, "h", "Heartbeat", {}))[0] == 3
        assert list(bridge.server.sessions) == ["CP-CROWD"]


# -- station floods ---------------------------------------------------------------------------------


async def test_a_station_flooding_thousands_of_calls_is_limited_and_the_others_are_unaffected() -> None:
    async with (
        light_csms(answer_delay=0.001) as csms,
        run_bridge(csms_url=csms.url, max_pending_calls=16) as bridge,
        client() as http,
    ):
        flood = await connect(http, bridge.url("CP-FLOOD"))
        calm = await connect(http, bridge.url("CP-CALM"))
        burst = 3000
        frames = "".join(json.dumps([2, f"f{n}", "Heartbeat", {}]) + "\n" for n in range(burst))

        async def flooding() -> list[Any]:
            for line in frames.splitlines():
                await flood.send_str(line)
            answers = []
            async with asyncio.timeout(60):
                while len(answers) < burst:
                    message = await flood.receive()
                    assert message.type is aiohttp.WSMsgType.TEXT, message
                    answers.append(json.loads(message.data))
            return answers

        async def calm_station() -> list[Any]:
            return [await call(calm, f"c{n}", "Heartbeat", {}) for n in range(30)]

        answers, calm_answers = await asyncio.gather(flooding(), calm_station())
        # every call got exactly one answer: forwarded and answered, or refused for too many pending
        assert sorted(a[1] for a in answers) == sorted(f"f{n}" for n in range(burst))
        assert {a[0] for a in answers} <= {3, 4}
        assert {a[2] for a in answers if a[0] == 4} == {"GenericError"}
        refused = sum(a[0] == 4 for a in answers)
        assert refused > 0
        forwarded = {("CP-FLOOD", a[1]) for a in answers if a[0] == 3}
        assert forwarded <= csms.received_ids()
        assert len([f for f in csms.received["CP-FLOOD"] if f[0] == 2]) == burst - refused
        # OCPP-J: never more than one call in flight towards the CSMS, however the station behaves
        assert csms.max_in_flight == 1
        # the calm station was served throughout
        assert [a[0] for a in calm_answers] == [3] * 30
        assert not flood.closed


# -- SIGTERM under load -----------------------------------------------------------------------------


async def test_sigterm_under_load_drains_every_station_with_whole_frames() -> None:
    port, admin = free_port(), free_port()
    async with light_csms(answer_delay=0.002) as csms, client() as http:
        env = {
            **os.environ,
            "BRIDGE_CSMS_URL": csms.url,
            "BRIDGE_DRAIN_TIMEOUT": "5",
            "BRIDGE_ADMIN_PORT": str(admin),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bridge.cli",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "WARNING",
            env=env,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await wait_ready(admin)
            ids = [f"CP-T{n:02d}" for n in range(40)]
            sockets = await asyncio.gather(*(connect(http, f"ws://127.0.0.1:{port}/{i}") for i in ids))
            acked: set[tuple[str, str]] = set()
            results: dict[str, tuple[int | None, list[Any]]] = {}
            loaded = asyncio.Event()

            async def talk(station_id: str, ws: aiohttp.ClientWebSocketResponse) -> None:
                received: list[Any] = []
                for n in range(100_000):
                    frame = await call(ws, f"{station_id}-{n}", "Heartbeat", {})
                    if isinstance(frame, Closed):
                        break
                    received.append(frame)
                    if frame[0] == 3:
                        acked.add((station_id, frame[1]))
                    if len(acked) > 400:
                        loaded.set()
                results[station_id] = (frame.code, received)

            talkers = [asyncio.create_task(talk(i, ws)) for i, ws in zip(ids, sockets, strict=True)]
            async with asyncio.timeout(20):
                await loaded.wait()
            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(15):
                await asyncio.gather(*talkers)
                assert await process.wait() == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        # every station was told "going away", after whole frames only (a cut frame would be a 1002/1006)
        assert {code for code, _ in results.values()} == {1001}
        for _, frames in results.values():
            for frame in frames:
                assert_frame_valid("1.6", frame, request_action="Heartbeat")
        # the upstream side went the same way, and nothing was acknowledged that the CSMS did not get
        await eventually(lambda: not any(csms.open.values()))
        assert {code for sid, code in csms.closed if sid in ids} == {1001}
        assert acked <= csms.received_ids()
