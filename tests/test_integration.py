"""Real `ocpp` peers through the real bridge over loopback sockets."""

from __future__ import annotations

import asyncio

import pytest
from ocpp.exceptions import NotImplementedError as OcppNotImplemented
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from tests.conftest import CsmsServer, RunningBridge, connect_station, exchange, raw_station
from tests.schemas import assert_frame_valid, assert_valid


async def test_boot_heartbeat_status_reach_the_csms_in_201_form(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    async with connect_station(bridge.url("CP-1")) as station:
        boot = await station.call(
            call16.BootNotification(
                charge_point_vendor="ACME",
                charge_point_model="Wallbox-11",
                charge_point_serial_number="SN-1",
                firmware_version="1.4.2",
                iccid="8931000000000000001",
                imsi="240010000000001",
                meter_type="EM-24",
                meter_serial_number="M-9",
            )
        )
        assert boot.status == "Accepted" and boot.interval == 300
        heartbeat = await station.call(call16.Heartbeat())
        assert heartbeat.current_time
        await station.call(call16.StatusNotification(connector_id=2, error_code="NoError", status="Charging"))

    server_side = csms.stations["CP-1"]
    boot_frame, heartbeat_frame, status_frame = server_side.received_calls()
    for frame in (boot_frame, heartbeat_frame, status_frame):
        assert_frame_valid("2.0.1", frame)
    assert boot_frame[3] == {
        "reason": "PowerUp",
        "chargingStation": {
            "vendorName": "ACME",
            "model": "Wallbox-11",
            "serialNumber": "SN-1",
            "firmwareVersion": "1.4.2",
            "modem": {"iccid": "8931000000000000001", "imsi": "240010000000001"},
        },
    }
    assert heartbeat_frame[2:] == ["Heartbeat", {}]
    status = status_frame[3]
    assert (status["evseId"], status["connectorId"], status["connectorStatus"]) == (2, 1, "Occupied")
    assert status["timestamp"].endswith("Z")  # supplied by the bridge: 1.6 left it out
    # every answer the station got was valid 1.6 (the ocpp package validated them); check once more
    answers = [f for d, f in station.frames if d == "received"]
    assert [a[0] for a in answers] == [3, 3, 3]
    assert_valid("1.6", "BootNotification", answers[0][2], response=True)


async def test_a_connector_fault_is_reported_as_notify_event_and_cleared(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    async with connect_station(bridge.url("CP-F")) as station:
        await station.call(
            call16.StatusNotification(
                connector_id=1,
                error_code="GroundFailure",
                status="Faulted",
                info="RCD tripped",
                vendor_error_code="E42",
                timestamp="2026-01-01T10:00:00Z",
            )
        )
        await station.call(
            call16.StatusNotification(connector_id=1, error_code="NoError", status="Available")
        )
        server_side = await csms.wait_for("CP-F")
        for _ in range(50):
            if len(server_side.received_calls("NotifyEvent")) == 2:
                break
            await asyncio.sleep(0.05)
    raised, cleared = server_side.received_calls("NotifyEvent")
    for frame in (raised, cleared):
        assert_frame_valid("2.0.1", frame)
    event = raised[3]["eventData"][0]
    assert event["component"] == {"name": "Connector", "evse": {"id": 1, "connectorId": 1}}
    assert event["variable"] == {"name": "Problem"}
    # the 1.6 category rides in techInfo when the vendor's code took techCode
    assert (event["actualValue"], event["techCode"], event["techInfo"]) == (
        "true",
        "E42",
        "errorCode GroundFailure; RCD tripped",
    )
    assert event["timestamp"] == "2026-01-01T10:00:00Z"
    clear = cleared[3]["eventData"][0]
    assert (clear["actualValue"], clear["cleared"]) == ("false", True)
    statuses = server_side.received_calls("StatusNotification")
    assert [f[3]["connectorStatus"] for f in statuses] == ["Faulted", "Available"]


async def test_whole_station_status_becomes_an_availability_event(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    async with connect_station(bridge.url("CP-0")) as station:
        await station.call(
            call16.StatusNotification(connector_id=0, error_code="NoError", status="Unavailable")
        )
    frame = csms.stations["CP-0"].received_calls("NotifyEvent")[0]
    assert_frame_valid("2.0.1", frame)
    event = frame[3]["eventData"][0]
    assert (event["component"], event["variable"], event["actualValue"]) == (
        {"name": "ChargingStation"},
        {"name": "AvailabilityState"},
        "Unavailable",
    )
    assert csms.stations["CP-0"].received_calls("StatusNotification") == []


async def test_csms_call_the_bridge_cannot_translate_gets_201_not_implemented(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    async with connect_station(bridge.url("CP-2")) as station:
        server_side = await csms.wait_for("CP-2")
        with pytest.raises(OcppNotImplemented) as raised:
            await server_side.call(call201.ClearDisplayMessage(id=1), suppress=False)
        assert "ClearDisplayMessage" in str(raised.value.description)
        assert not [f for d, f in station.frames if d == "received"]  # nothing reached the station


async def test_station_call_the_bridge_does_not_translate_gets_16_not_implemented(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    async with raw_station(bridge.url("CP-3")) as ws:
        answer = await exchange(ws, '[2,"a1","Reset",{"type":"Hard"}]')  # a CSMS-to-station action
    assert answer[:3] == [4, "a1", "NotImplemented"]
    assert "Reset" in answer[3]
    assert csms.stations["CP-3"].received_calls() == []


BAD_FRAMES = [
    ("not json", [4, "-1", "FormationViolation"]),
    ('{"a": 1}', [4, "-1", "FormationViolation"]),
    ("[]", [4, "-1", "FormationViolation"]),
    ('[7,"x1","Heartbeat",{}]', [4, "x1", "FormationViolation"]),
    ('[2,"x2","Heartbeat"]', [4, "x2", "FormationViolation"]),
    ('[2,"x3","Heartbeat",[]]', [4, "x3", "FormationViolation"]),
    ('[2,"x4","NoSuchAction",{}]', [4, "x4", "NotImplemented"]),
    ('[2,"x5","StatusNotification",{"connectorId":"1","errorCode":"NoError","status":"Available"}]',
     [4, "x5", "TypeConstraintViolation"]),
    ('[2,"x6","StatusNotification",{"connectorId":1,"errorCode":"NoError"}]', [4, "x6", "OccurenceConstraintViolation"]),
    ('[2,"x7","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Busy"}]',
     [4, "x7", "TypeConstraintViolation"]),
    ('[2,"x8","Heartbeat",{"extra":true}]', [4, "x8", "OccurenceConstraintViolation"]),
    ('[2,"x9","BootNotification",{"chargePointVendor":"' + "V" * 21 + '","chargePointModel":"M"}]',
     [4, "x9", "PropertyConstraintViolation"]),
]  # fmt: skip


@pytest.mark.parametrize(("frame", "expected"), BAD_FRAMES)
async def test_bad_station_input_gets_a_16_error_and_other_stations_keep_working(
    csms: CsmsServer, bridge: RunningBridge, frame: str, expected: list[object]
) -> None:
    async with raw_station(bridge.url("BAD")) as bad, connect_station(bridge.url("GOOD")) as good:
        answer = await exchange(bad, frame)
        assert answer[:3] == expected
        assert_frame_valid("1.6", answer)
        # the misbehaving station is still connected and served, and so is its neighbour
        assert (await exchange(bad, '[2,"ok","Heartbeat",{}]'))[:2] == [3, "ok"]
        assert (await good.call(call16.Heartbeat())).current_time
    assert csms.stations["BAD"].received_calls() == [[2, "ok", "Heartbeat", {}]]


async def test_result_for_an_unknown_message_id_is_dropped_and_counted(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    async with raw_station(bridge.url("CP-U")) as ws:
        await ws.send_str('[3,"never-asked",{}]')
        assert (await exchange(ws, '[2,"h","Heartbeat",{}]'))[:2] == [3, "h"]
    metrics = bridge.server.metrics.errors.labels("station", "unknown_message_id")._value.get()
    assert metrics == 1


async def test_csms_payload_breaking_201_schema_gets_201_error(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    async with connect_station(bridge.url("CP-V")):
        server_side = await csms.wait_for("CP-V")
        bad = '[2,"c1","TriggerMessage",{"requestedMessage":"Heartbeat","evse":{"id":"one"}}]'
        await server_side._connection.ws.send_str(bad)
        for _ in range(50):
            answers = [f for d, f in server_side.frames if d == "received" and f[1] == "c1"]
            if answers:
                break
            await asyncio.sleep(0.05)
    assert answers[0][:3] == [4, "c1", "TypeConstraintViolation"]
    assert_frame_valid("2.0.1", answers[0])


async def test_oversized_frame_closes_only_that_station(csms: CsmsServer) -> None:
    from tests.conftest import run_bridge

    async with run_bridge(csms_url=csms.url, max_frame_size=1024) as bridge:
        async with raw_station(bridge.url("BIG")) as big, connect_station(bridge.url("SMALL")) as small:
            await big.send_str('[2,"b","DataTransfer",{"vendorId":"x","data":"' + "x" * 2000 + '"}]')
            async with asyncio.timeout(5):
                message = await big.receive()
            assert message.type.name in ("CLOSE", "CLOSED")
            assert big.close_code == 1009
            assert (await small.call(call16.Heartbeat())).current_time


@pytest.mark.parametrize(
    ("status201", "status16"),
    [("Accepted", "Accepted"), ("Blocked", "Blocked"), ("NoCredit", "Invalid"), ("Unknown", "Invalid")],
)
async def test_authorize_maps_id_tag_and_status(
    csms: CsmsServer, bridge: RunningBridge, status201: str, status16: str
) -> None:
    csms.authorize_answer = {
        "status": status201,
        "cacheExpiryDateTime": "2027-01-01T00:00:00Z",
        "groupIdToken": {"idToken": "FLEET-7", "type": "Central"},
        "personalMessage": {"format": "UTF8", "content": "Hello"},
    }
    async with connect_station(bridge.url("CP-AUTH")) as station:
        answer = await station.call(call16.Authorize(id_tag="04A2B3C4D5"))
    assert answer.id_tag_info == {
        "status": status16,
        "expiry_date": "2027-01-01T00:00:00Z",
        "parent_id_tag": "FLEET-7",
    }
    (frame,) = csms.stations["CP-AUTH"].received_calls("Authorize")
    assert_frame_valid("2.0.1", frame)
    assert frame[3] == {"idToken": {"idToken": "04A2B3C4D5", "type": "ISO14443"}}
