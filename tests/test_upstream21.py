"""OCPP 2.1 upstream (--csms-version): a real 2.1 CSMS (the `ocpp` package's v21 classes) and a real
1.6 ChargePoint through the bridge, every frame the CSMS gets held to the official 2.1 schemas."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ocpp.routing import on
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21

from bridge.engine import Side
from bridge.models import v16, v201
from bridge.translate.registry import up
from bridge.upstream21 import Engine21, load_v21_table, offered_protocols
from tests.conftest import (
    Connection,
    CsmsServer,
    Station,
    connect_station,
    eventually,
    now,
    run_bridge,
    serve_loopback,
)
from tests.schemas import assert_frame_valid, schema
from tests.strategies import from_schema
from tests.test_properties import ACCEPTABLE_REFUSALS, check_round_trip
from tools import diff_v21

T0 = "2026-05-01T10:00:00Z"


class Csms21(ChargePoint21):
    """A 2.1 CSMS from the `ocpp` package: validates every payload against the 2.1 schemas."""

    def __init__(self, station_id: str, connection: Connection) -> None:
        super().__init__(station_id, connection, response_timeout=5)
        self.frames = connection.log

    @on("BootNotification")
    def on_boot(self, **_: Any) -> result21.BootNotification:
        return result21.BootNotification(current_time=now(), interval=300, status="Accepted")

    @on("Heartbeat")
    def on_heartbeat(self) -> result21.Heartbeat:
        return result21.Heartbeat(current_time=now())

    @on("StatusNotification")
    def on_status(self, **_: Any) -> result21.StatusNotification:
        return result21.StatusNotification()

    @on("Authorize")
    def on_authorize(self, **_: Any) -> result21.Authorize:
        # allowedEnergyTransfer is 2.1 only: dropped on the way to the 1.6 station (mappings/v21.toml)
        return result21.Authorize(
            id_token_info={"status": "Accepted"}, allowed_energy_transfer=["AC_three_phase"]
        )

    @on("TransactionEvent")
    def on_transaction_event(self, **_: Any) -> result21.TransactionEvent:
        return result21.TransactionEvent(transaction_limit={"maxEnergy": 20000.0})  # 2.1 only

    @on("MeterValues")
    def on_meter_values(self, **_: Any) -> result21.MeterValues:
        return result21.MeterValues()


@dataclass
class RawCsms:
    ws: web.WebSocketResponse
    inbox: asyncio.Queue[str] = field(default_factory=asyncio.Queue)

    answers: list[list[Any]] = field(default_factory=list)

    async def call(self, frame: list[Any]) -> list[Any]:
        """Send a frame as the CSMS and read the bridge's next frame to it."""
        await self.ws.send_str(json.dumps(frame))
        async with asyncio.timeout(5):
            answer = json.loads(await self.inbox.get())
        self.answers.append(answer)
        return answer


@dataclass
class Csms21Server:
    url: str = ""
    stations: dict[str, Csms21] = field(default_factory=dict)
    raw: dict[str, RawCsms] = field(default_factory=dict)
    connected: dict[str, asyncio.Event] = field(default_factory=dict)
    logs: dict[str, list[tuple[str, list[Any]]]] = field(default_factory=dict)

    async def wait_for(self, station_id: str) -> None:
        async with asyncio.timeout(5):
            await self.connected.setdefault(station_id, asyncio.Event()).wait()


@contextlib.asynccontextmanager
async def csms21(protocols: tuple[str, ...] = ("ocpp2.1",), raw: bool = False) -> AsyncIterator[Csms21Server]:
    """A CSMS that accepts `protocols` (the first the bridge offers of them); with `raw`, a bare
    WebSocket the test drives frame by frame instead of the `ocpp` package's CSMS."""
    server = Csms21Server()

    async def handle(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(protocols=protocols)
        await ws.prepare(request)
        station_id = request.match_info["station"]
        if raw:
            server.raw[station_id] = peer = RawCsms(ws)
            server.connected.setdefault(station_id, asyncio.Event()).set()
            async for message in ws:
                if message.type == aiohttp.WSMsgType.TEXT:
                    peer.inbox.put_nowait(message.data)
            return ws
        csms = Csms21(station_id, Connection(ws, server.logs.setdefault(station_id, [])))
        server.stations[station_id] = csms
        server.connected.setdefault(station_id, asyncio.Event()).set()
        with contextlib.suppress(ConnectionError):
            await csms.start()
        return ws

    runner, port = await serve_loopback("/ocpp/{station}", handle)
    server.url = f"ws://127.0.0.1:{port}/ocpp"
    try:
        yield server
    finally:
        await runner.cleanup()


class Charger(Station):
    """A 1.6 charger that accepts Reset and triggers a StatusNotification when asked."""

    @on("Reset")
    def on_reset(self, type: str) -> result16.Reset:
        return result16.Reset(status="Accepted")

    @on("TriggerMessage")
    def on_trigger(self, requested_message: str, connector_id: int | None = None) -> result16.TriggerMessage:
        return result16.TriggerMessage(status="Accepted")


def assert_all_valid_21(log: list[tuple[str, list[Any]]]) -> int:
    """Every frame the 2.1 CSMS received (calls, and answers to its own calls) against the 2.1 schemas."""
    sent_actions = {f[1]: f[2] for d, f in log if d == "sent" and f[0] == 2}
    checked = 0
    for direction, frame in log:
        if direction != "received":
            continue
        assert_frame_valid("2.1", frame, sent_actions.get(frame[1]) if frame[0] == 3 else None)
        checked += 1
    return checked


async def test_a_1_6_station_charges_through_a_2_1_csms(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bridge")
    async with (
        csms21() as csms,
        run_bridge(csms_url=csms.url, csms_version="2.1") as bridge,
        connect_station(bridge.url("CP-21"), factory=Charger) as station,
    ):
        await csms.wait_for("CP-21")
        boot = await station.call(call16.BootNotification(charge_point_vendor="ACME", charge_point_model="W"))
        assert boot.status == "Accepted" and boot.interval == 300
        await station.call(
            call16.StatusNotification(connector_id=1, error_code="NoError", status="Available")
        )
        authorized = await station.call(call16.Authorize(id_tag="04A2B3C4D5"))
        assert authorized.id_tag_info == {"status": "Accepted"}  # 2.1's allowedEnergyTransfer dropped
        started = await station.call(
            call16.StartTransaction(connector_id=1, id_tag="04A2B3C4D5", meter_start=1000, timestamp=T0)
        )
        assert started.id_tag_info["status"] == "Accepted" and started.transaction_id > 0
        reading = {
            "timestamp": "2026-05-01T10:30:00Z",
            "sampledValue": [{"value": "2800", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}],
        }
        await station.call(
            call16.MeterValues(connector_id=1, transaction_id=started.transaction_id, meter_value=[reading])
        )
        await station.call(
            call16.StopTransaction(
                meter_stop=4500, timestamp="2026-05-01T11:00:00Z", transaction_id=started.transaction_id
            )
        )
        server_side = csms.stations["CP-21"]
        reset = await server_side.call(call21.Reset(type="OnIdle"))
        assert reset.status == "Accepted"
        triggered = await server_side.call(
            call21.TriggerMessage(requested_message="StatusNotification", evse={"id": 1, "connector_id": 1})
        )
        assert triggered.status == "Accepted"
        log = csms.logs["CP-21"]
        received = [f[2] for d, f in log if d == "received" and f[0] == 2]
        assert received[:3] == ["BootNotification", "StatusNotification", "Authorize"]
        assert received.count("TransactionEvent") == 3  # Started, Updated (meter values), Ended
        assert assert_all_valid_21(log) == 8  # 6 calls and the answers to Reset and TriggerMessage
    assert "upstream ocpp2.1 open" in caplog.text


async def test_what_a_1_6_station_cannot_do_gets_not_supported(caplog: pytest.LogCaptureFixture) -> None:
    async with (
        csms21(raw=True) as csms,
        run_bridge(csms_url=csms.url, csms_version="2.1") as bridge,
        connect_station(bridge.url("CP-21X"), factory=Charger),
    ):
        await csms.wait_for("CP-21X")
        ws = csms.raw["CP-21X"]
        # an action only 2.1 has
        answer = await ws.call([2, "t1", "GetTariffs", {"evseId": 1}])
        assert answer[:3] == [4, "t1", "NotSupported"] and "2.1 only" in answer[3]
        # a 2.1-only field that changes what is asked: refused, not silently dropped
        profile = {
            "id": 1,
            "stackLevel": 0,
            "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Absolute",
            "chargingSchedule": [
                {
                    "id": 1,
                    "chargingRateUnit": "A",
                    "startSchedule": T0,
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16, "dischargeLimit": -10}],
                }
            ],
        }
        answer = await ws.call([2, "t2", "SetChargingProfile", {"evseId": 1, "chargingProfile": profile}])
        assert answer[:3] == [4, "t2", "NotSupported"]
        assert "chargingProfile.chargingSchedule[].chargingSchedulePeriod[].dischargeLimit" in answer[3]
        # enum values 2.1 added, or left free: valid 2.1 a 1.6 station cannot take
        answer = await ws.call([2, "t3", "Reset", {"type": "ImmediateAndResume"}])
        assert answer[:3] == [4, "t3", "NotSupported"] and "'ImmediateAndResume'" in answer[3]
        assert "Immediate" in answer[3] and "OnIdle" in answer[3]  # what it can take
        start = {"idToken": {"idToken": "VIN123", "type": "VIN"}, "remoteStartId": 1}
        answer = await ws.call([2, "t5", "RequestStartTransaction", start])
        assert answer[:3] == [4, "t5", "NotSupported"] and "idToken.type 'VIN'" in answer[3]
        # a frame that breaks 2.1 too still gets the schema's own answer
        answer = await ws.call([2, "t6", "Reset", {"type": 7}])
        assert answer[:3] == [4, "t6", "TypeConstraintViolation"]
        # 2.1's SEND and CALLRESULTERROR take no answer: dropped, logged, counted; the next call is answered
        await ws.ws.send_str(json.dumps([6, "s1", "NotifyPeriodicEventStream", {"id": 1, "pending": 0}]))
        await ws.ws.send_str(json.dumps([5, "e1", "FormatViolation", "bad result", {}]))
        answer = await ws.call([2, "t4", "GetTariffs", {"evseId": 1}])
        assert answer[1] == "t4"  # nothing was sent for the SEND or the CALLRESULTERROR
        for frame in ws.answers:
            assert_frame_valid("2.1", frame)  # every CALLERROR code is one 2.1 has
        errors = bridge.server.metrics.errors
        assert errors.labels("csms", "v21_send")._value.get() == 1
        assert errors.labels("csms", "v21_callresulterror")._value.get() == 1
    assert "dropped an OCPP 2.1 SEND frame" in caplog.text


async def test_a_2_1_csms_call_with_droppable_2_1_fields_reaches_the_station() -> None:
    async with (
        csms21(raw=True) as csms,
        run_bridge(csms_url=csms.url, csms_version="2.1") as bridge,
        connect_station(bridge.url("CP-21T"), factory=Charger) as station,
    ):
        await csms.wait_for("CP-21T")
        ws = csms.raw["CP-21T"]
        trigger = {"requestedMessage": "Heartbeat", "customTrigger": "vendor-x"}
        answer = await ws.call([2, "t1", "TriggerMessage", trigger])
        assert answer == [3, "t1", {"status": "Accepted"}]
        assert_frame_valid("2.1", answer, "TriggerMessage")
        got = [f for d, f in station.frames if d == "received" and f[0] == 2]
        assert got == [[2, "t1", "TriggerMessage", {"requestedMessage": "Heartbeat"}]]


async def test_a_csms_that_speaks_only_2_0_1_still_works_when_2_1_is_preferred(
    csms: CsmsServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bridge")
    async with (
        run_bridge(csms_url=csms.url, csms_version="2.1") as bridge,
        connect_station(bridge.url("CP-201")) as station,
    ):
        await csms.wait_for("CP-201")
        boot = await station.call(call16.BootNotification(charge_point_vendor="ACME", charge_point_model="W"))
        assert boot.status == "Accepted"
        await eventually(lambda: bool(csms.stations["CP-201"].received_calls("BootNotification")))
    assert "upstream ocpp2.0.1 open (the CSMS chose it over ocpp2.1)" in caplog.text


async def test_a_csms_that_speaks_only_2_1_is_used_as_2_1_under_the_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bridge")
    async with (
        csms21() as csms,
        run_bridge(csms_url=csms.url) as bridge,  # --csms-version 2.0.1, the default
        connect_station(bridge.url("CP-ONLY21")) as station,
    ):
        await csms.wait_for("CP-ONLY21")
        boot = await station.call(call16.BootNotification(charge_point_vendor="ACME", charge_point_model="W"))
        assert boot.status == "Accepted"
        assert assert_all_valid_21(csms.logs["CP-ONLY21"]) == 1
    assert "upstream ocpp2.1 open (the CSMS chose it over ocpp2.0.1)" in caplog.text


def test_the_bridge_offers_both_protocols_the_preferred_first() -> None:
    assert offered_protocols("2.0.1") == ("ocpp2.0.1", "ocpp2.1")
    assert offered_protocols("2.1") == ("ocpp2.1", "ocpp2.0.1")


def test_what_the_bridge_sends_up_in_2_0_1_is_valid_2_1() -> None:
    """The edge passes frames to the CSMS unchanged but for [up.bounds]: sound only while 2.1 removes
    nothing, narrows no enum and newly requires no field in any message the bridge can send (its
    calls, its answers). Narrowed number bounds: test_valid_2_1_input_gives_valid_output finds them."""
    narrowing = []
    for action in sorted(set(v201.REQUESTS)):
        for kind in ("Request", "Response"):
            d = diff_v21.diff(action, kind)
            required = [p for p in d.added if p.endswith("!")]
            if d.removed or d.enum_removed or d.now_required or required:
                narrowing.append(f"{action}{kind}")
    # the only one: monitors; the bridge sends no NotifyMonitoringReport (1.6 has no monitors)
    assert narrowing == ["NotifyMonitoringReportRequest"]
    assert "NotifyMonitoringReport" not in up.translators


def test_every_bound_in_the_table_is_one_2_1_added() -> None:
    for action, paths in load_v21_table().bounds.items():
        narrowed = {
            where.rsplit(" ", 1)[0]
            for kind in ("Request", "Response")
            for where in diff_v21.diff(action, kind).narrowed
        }
        assert set(paths) <= narrowed, f"{action}: {set(paths) - narrowed} were not narrowed by 2.1"


def test_every_field_the_table_drops_is_a_2_1_addition() -> None:
    table = load_v21_table()
    for action, paths in table.drop.items():
        added = {p.rstrip("!") for kind in ("Request", "Response") for p in diff_v21.diff(action, kind).added}
        assert paths <= added, f"{action}: {paths - added} are not 2.1 additions"


def test_translate_shows_the_2_1_output() -> None:
    from io import StringIO

    from bridge.capture import translate_stream

    capture = StringIO(
        '[2,"1","GetTariffs",{"evseId":1}]\n'
        '1.6 [2,"b","BootNotification",{"chargePointVendor":"A","chargePointModel":"B"}]\n'
    )
    out = StringIO()
    translate_stream(capture, out, "2.1", csms_version="2.1")
    lines = out.getvalue().splitlines()
    assert lines[1].startswith('out 2.1    [4,"1","NotSupported","GetTariffs is OCPP 2.1 only')
    assert lines[3].startswith('out 2.1    [2,"b","BootNotification",{"chargingStation"')
    frame = json.loads(lines[3].removeprefix("out 2.1").strip())
    assert_frame_valid("2.1", frame)


async def test_the_trace_shows_the_2_1_frames_as_the_csms_sent_them(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bridge.trace")
    async with (
        csms21(raw=True) as csms,
        run_bridge(csms_url=csms.url, csms_version="2.1", trace=["CP-21TR"]) as bridge,
        connect_station(bridge.url("CP-21TR"), factory=Charger),
    ):
        await csms.wait_for("CP-21TR")
        ws = csms.raw["CP-21TR"]
        await ws.call([2, "t1", "TriggerMessage", {"requestedMessage": "Heartbeat", "customTrigger": "x"}])
        await ws.call([2, "t2", "GetTariffs", {"evseId": 1}])
    trace = [r.getMessage() for r in caplog.records if r.name == "bridge.trace"]
    assert (
        trace[0]
        == 'in  2.1    [2,"t1","TriggerMessage",{"requestedMessage":"Heartbeat","customTrigger":"x"}]'
    )
    assert trace[1] == 'out 1.6    [2,"t1","TriggerMessage",{"requestedMessage":"Heartbeat"}]'
    assert trace[-2] == 'in  2.1    [2,"t2","GetTariffs",{"evseId":1}]'
    assert trace[-1].startswith('out 2.1    [4,"t2","NotSupported"')


# --- property-based: generated from the official schemas, through the 2.1 edge ---------------------

VERSION21 = {Side.STATION: "1.6", Side.CSMS: "2.1"}


def check_round_trip_21(sender: Side, action: str, payload: dict[str, Any], data: st.DataObject) -> None:
    """tests/test_properties.py's round trip with a 2.1 CSMS: every frame the bridge emits is valid
    for its receiver (the CSMS's against the 2.1 schemas), each call it makes answered with a valid
    generated 2.1 (or 1.6) answer, and the sender gets a valid answer or a CALLERROR its version
    knows (NotSupported for what 2.1 has and 1.6 cannot express)."""
    check_round_trip(
        sender, action, payload, data, Engine21, VERSION21, ACCEPTABLE_REFUSALS | {"NotSupported"}
    )


def cases_21() -> list[tuple[Side, str]]:
    """Every 1.6 call from the station, every 2.1 call (2.1-only ones too) from the CSMS."""
    return [(Side.STATION, a) for a in sorted(v16.REQUESTS)] + [
        (Side.CSMS, a) for a in sorted(diff_v21.actions("v21"))
    ]


@pytest.mark.parametrize(("sender", "action"), cases_21())
@settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
)
@given(data=st.data())
def test_valid_2_1_input_gives_valid_output(sender: Side, action: str, data: st.DataObject) -> None:
    payload = data.draw(from_schema(schema(VERSION21[sender], action)), "payload")
    check_round_trip_21(sender, action, payload, data)
