"""The pure translation engine: correlation, timeouts, bounds, error vocabulary. No sockets."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from bridge.engine import Engine, Side
from bridge.tables import load_tables
from bridge.topology import TopologyBook, TopologyError, load_topology
from bridge.translate.context import StationContext
from tests.schemas import assert_frame_valid, assert_valid


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def make_engine(clock: Clock | None = None, topologies: TopologyBook | None = None, **kw: Any) -> Engine:
    ctx = StationContext("CP-1", load_tables(), topologies=topologies or TopologyBook())
    if clock is not None:
        ctx.clock = clock
        kw["clock"] = clock
    return Engine(ctx, **kw)


def frames(sends: list[Any], side: Side) -> list[list[Any]]:
    return [json.loads(s.text) for s in sends if s.side is side]


# 1.6 ChargePointStatus -> 2.0.1 ConnectorStatusEnumType, as ../shared/ocpp-mapping.md section 2.3 gives it
STATUS_REFERENCE = {
    "Available": "Available",
    "Preparing": "Occupied",
    "Charging": "Occupied",
    "SuspendedEV": "Occupied",
    "SuspendedEVSE": "Occupied",
    "Finishing": "Occupied",
    "Reserved": "Reserved",
    "Unavailable": "Unavailable",
    "Faulted": "Faulted",
}


@pytest.mark.parametrize(("status16", "status201"), STATUS_REFERENCE.items())
def test_every_charge_point_status_maps_as_the_reference_says(status16: str, status201: str) -> None:
    engine = make_engine()
    payload = {
        "connectorId": 3,
        "errorCode": "NoError",
        "status": status16,
        "timestamp": "2026-01-01T00:00:00Z",
    }
    (up,) = frames(
        engine.receive(Side.STATION, json.dumps([2, "s", "StatusNotification", payload])), Side.CSMS
    )
    assert_frame_valid("2.0.1", up)
    assert up[3] == {
        "timestamp": "2026-01-01T00:00:00Z",
        "connectorStatus": status201,
        "evseId": 3,
        "connectorId": 1,
    }


def test_naive_station_timestamps_are_sent_as_utc() -> None:
    engine = make_engine()
    payload = {
        "connectorId": 1,
        "errorCode": "NoError",
        "status": "Available",
        "timestamp": "2026-01-01T08:00:00",
    }
    (up,) = frames(
        engine.receive(Side.STATION, json.dumps([2, "s", "StatusNotification", payload])), Side.CSMS
    )
    assert up[3]["timestamp"] == "2026-01-01T08:00:00Z"


def test_topology_file_overrides_the_default(tmp_path: Any) -> None:
    path = tmp_path / "topology.toml"
    path.write_text('[stations."CP-1"]\n1 = [1, 1]\n2 = [1, 2]\n')
    engine = make_engine(topologies=load_topology(path))
    payload = {"connectorId": 2, "errorCode": "NoError", "status": "Available"}
    (up,) = frames(
        engine.receive(Side.STATION, json.dumps([2, "s", "StatusNotification", payload])), Side.CSMS
    )
    assert (up[3]["evseId"], up[3]["connectorId"]) == (1, 2)
    payload["connectorId"] = 3  # not in this station's table: refused, not guessed
    (answer,) = frames(
        engine.receive(Side.STATION, json.dumps([2, "t", "StatusNotification", payload])), Side.STATION
    )
    assert answer[:3] == [4, "t", "PropertyConstraintViolation"]


@pytest.mark.parametrize(
    "text",
    [
        '[models."X"]\n1 = [1]\n',
        '[stations."A"]\n0 = [1, 1]\n',
        '[stations."A"]\n1 = [1, 1]\n2 = [1, 1]\n',
        "[other]\n",
    ],
)
def test_a_broken_topology_file_fails_at_start_up(tmp_path: Any, text: str) -> None:
    path = tmp_path / "topology.toml"
    path.write_text(text)
    with pytest.raises(TopologyError):
        load_topology(path)


def test_the_shipped_example_topology_loads() -> None:
    from bridge.tables import mappings_dir

    book = load_topology(mappings_dir() / "topology.example.toml")  # type: ignore[arg-type]
    assert book.for_station("CP-0042").to_evse(3) == (2, 1)
    assert book.for_station("other", "DualCable-22").to_evse(2) == (1, 2)


def test_boot_answer_is_translated_back_with_the_call_it_answers() -> None:
    engine = make_engine()
    engine.receive(
        Side.STATION, '[2,"b1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]'
    )
    answer = '[3,"b1",{"status":"Pending","currentTime":"2026-01-01T00:00:00Z","interval":10,"statusInfo":{"reasonCode":"X"}}]'
    (down,) = frames(engine.receive(Side.CSMS, answer), Side.STATION)
    assert down == [3, "b1", {"status": "Pending", "currentTime": "2026-01-01T00:00:00Z", "interval": 10}]
    assert_valid("1.6", "BootNotification", down[2], response=True)


def test_charge_box_serial_is_used_when_the_charge_point_serial_is_absent() -> None:
    engine = make_engine()
    call = '[2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M","chargeBoxSerialNumber":"CB-7"}]'
    (up,) = frames(engine.receive(Side.STATION, call), Side.CSMS)
    assert up[3]["chargingStation"]["serialNumber"] == "CB-7"


def test_csms_error_codes_are_respelled_for_16() -> None:
    engine = make_engine()
    engine.receive(Side.STATION, '[2,"h1","Heartbeat",{}]')
    (down,) = frames(engine.receive(Side.CSMS, '[4,"h1","FormatViolation","bad",{"k":1}]'), Side.STATION)
    assert down == [4, "h1", "FormationViolation", "bad", {"k": 1}]
    engine.receive(Side.STATION, '[2,"h2","Heartbeat",{}]')
    (down,) = frames(engine.receive(Side.CSMS, '[4,"h2","RpcFrameworkError","x",{}]'), Side.STATION)
    assert down[2] == "ProtocolError"
    engine.receive(Side.STATION, '[2,"h3","Heartbeat",{}]')
    (down,) = frames(engine.receive(Side.CSMS, '[4,"h3","MadeUpCode","x",{}]'), Side.STATION)
    assert down[2] == "GenericError"


def test_an_invalid_answer_from_the_csms_is_not_passed_down() -> None:
    engine = make_engine()
    engine.receive(Side.STATION, '[2,"h1","Heartbeat",{}]')
    (down,) = frames(engine.receive(Side.CSMS, '[3,"h1",{"currentTime":"soon"}]'), Side.STATION)
    assert down[:3] == [4, "h1", "InternalError"]
    assert "invalid payload" in down[3]


def test_unanswered_call_times_out_with_an_error_to_its_sender() -> None:
    clock = Clock()
    engine = make_engine(clock, call_timeout=30)
    engine.receive(Side.STATION, '[2,"h1","Heartbeat",{}]')
    clock.t += 29
    assert engine.expire() == []
    clock.t += 2
    (down,) = frames(engine.expire(), Side.STATION)
    assert down[:3] == [4, "h1", "InternalError"]
    assert engine.pending() == 0
    # a late answer is not forwarded: the station already has its error
    assert engine.receive(Side.CSMS, '[3,"h1",{"currentTime":"2026-01-01T00:00:00Z"}]') == []


def test_only_one_call_in_flight_towards_the_csms_and_the_table_is_bounded() -> None:
    engine = make_engine(max_pending=3)
    first = frames(engine.receive(Side.STATION, '[2,"a","Heartbeat",{}]'), Side.CSMS)
    assert [f[1] for f in first] == ["a"]
    assert engine.receive(Side.STATION, '[2,"b","Heartbeat",{}]') == []  # queued behind "a"
    engine.receive(Side.STATION, '[2,"c","Heartbeat",{}]')
    (refused,) = frames(engine.receive(Side.STATION, '[2,"d","Heartbeat",{}]'), Side.STATION)
    assert refused[:3] == [4, "d", "GenericError"]
    (dup,) = frames(engine.receive(Side.STATION, '[2,"a","Heartbeat",{}]'), Side.STATION)
    assert dup[:3] == [4, "a", "GenericError"] or dup[:3] == [4, "a", "ProtocolError"]
    sends = engine.receive(Side.CSMS, '[3,"a",{"currentTime":"2026-01-01T00:00:00Z"}]')
    assert [f[1] for f in frames(sends, Side.STATION)] == ["a"]
    assert [f[1] for f in frames(sends, Side.CSMS)] == ["b"]  # the next one goes once "a" is answered


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("garbage", "RpcFrameworkError"),
        ('[6,"x","Heartbeat",{}]', "MessageTypeNotSupported"),
        ('[2,"x","NoSuchAction",{}]', "NotImplemented"),
        (
            '[2,"x","TriggerMessage",{"requestedMessage":"Heartbeat","extra":1}]',
            "OccurrenceConstraintViolation",
        ),
        (
            '[2,"x","TriggerMessage",{"requestedMessage":"Heartbeat","evse":{"id":"1"}}]',
            "TypeConstraintViolation",
        ),
        ('[2,"x","TriggerMessage",{"requestedMessage":"Nope"}]', "TypeConstraintViolation"),
        (
            '[2,"x","TriggerMessage",{"requestedMessage":"Heartbeat","customData":{"vendorId":"'
            + "v" * 256
            + '"}}]',
            "PropertyConstraintViolation",
        ),
    ],
)
def test_bad_csms_input_gets_the_201_spelling(frame: str, code: str) -> None:
    engine = make_engine()
    (answer,) = frames(engine.receive(Side.CSMS, frame), Side.CSMS)
    assert answer[2] == code
    assert_frame_valid("2.0.1", answer)


def meter_values(samples: list[dict[str, Any]], connector: int = 1) -> str:
    reading = {"timestamp": "2026-03-01T12:00:00Z", "sampledValue": samples}
    return json.dumps([2, "mv", "MeterValues", {"connectorId": connector, "meterValue": [reading]}])


def test_meter_value_units_and_numbers_follow_the_reference() -> None:
    engine = make_engine()
    samples = [
        {"value": "21.5", "measurand": "Temperature", "unit": "Celcius"},  # no 2.0.1 measurand: dropped
        {"value": "49.98", "measurand": "Frequency", "unit": "Hertz"},
        {"value": "0", "unit": "Celcius"},
        {"value": "7", "measurand": "SoC", "unit": "Percent", "location": "EV", "context": "Sample.Clock"},
    ]
    (up,) = frames(engine.receive(Side.STATION, meter_values(samples, connector=0)), Side.CSMS)
    assert_frame_valid("2.0.1", up)
    assert up[3]["evseId"] == 0
    assert up[3]["meterValue"][0]["sampledValue"] == [
        {"value": 49.98, "measurand": "Frequency", "unitOfMeasure": {"unit": "Hz"}},
        {"value": 0, "unitOfMeasure": {"unit": "Celsius"}},
        {
            "value": 7,
            "context": "Sample.Clock",
            "measurand": "SoC",
            "location": "EV",
            "unitOfMeasure": {"unit": "Percent"},
        },
    ]


def test_a_meter_value_that_is_not_a_number_is_a_clear_error() -> None:
    engine = make_engine()
    (answer,) = frames(engine.receive(Side.STATION, meter_values([{"value": "12,5 kWh"}])), Side.STATION)
    assert answer[:3] == [4, "mv", "PropertyConstraintViolation"]
    assert "'12,5 kWh' is not a number" in answer[3]
    assert engine.pending() == 0  # nothing went to the CSMS


@pytest.mark.parametrize("orphan", [True, False], ids=["with an orphan", "alone"])
def test_signed_meter_data_rides_on_its_raw_twin(orphan: bool) -> None:
    engine = make_engine()
    samples = [
        {"value": "1000", "measurand": "Energy.Active.Import.Register"},
        {"value": "OCMF|{...}", "format": "SignedData", "measurand": "Energy.Active.Import.Register"},
    ]
    if orphan:  # a signed sample without a Raw twin: dropped
        samples.append({"value": "AP3X", "format": "SignedData", "measurand": "Power.Active.Import"})
    (up,) = frames(engine.receive(Side.STATION, meter_values(samples)), Side.CSMS)
    assert_frame_valid("2.0.1", up)
    (sample,) = up[3]["meterValue"][0]["sampledValue"]
    assert sample["signedMeterValue"]["signedMeterData"] == "OCMF|{...}"


def test_a_dropped_measurand_is_logged_once_per_connection_not_with_every_reading(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # a station sampling Temperature every minute must not write a line per reading, fleet-wide
    caplog.set_level(logging.INFO, logger="bridge")
    samples = [{"value": "21.5", "measurand": "Temperature", "unit": "Celcius"}, {"value": "1000"}]
    engine = make_engine()
    for n in range(3):
        text = meter_values(samples).replace('"mv"', f'"mv{n}"')
        (up,) = frames(engine.receive(Side.STATION, text), Side.CSMS)  # the Raw sample goes up
        engine.receive(Side.CSMS, json.dumps([3, up[1], {}]))
    lines = [r.getMessage() for r in caplog.records if "Temperature" in r.getMessage()]
    assert len(lines) == 1 and "once per connection" in lines[0]
    caplog.clear()
    make_engine().receive(Side.STATION, meter_values(samples))  # a new connection says it again
    assert sum("Temperature" in r.getMessage() for r in caplog.records) == 1


def test_meter_values_with_nothing_2_0_1_can_carry_are_answered_by_the_bridge() -> None:
    engine = make_engine()
    (answer,) = frames(
        engine.receive(Side.STATION, meter_values([{"value": "900", "measurand": "RPM"}])), Side.STATION
    )
    assert answer == [3, "mv", {}]


@pytest.mark.parametrize(
    ("status16", "status201"),
    [
        ("Idle", "Idle"),
        ("Uploaded", "Uploaded"),
        ("UploadFailed", "UploadFailure"),
        ("Uploading", "Uploading"),
    ],
)
def test_diagnostics_status_becomes_log_status(status16: str, status201: str) -> None:
    engine = make_engine()
    engine.ctx.log_request_id = 42
    call = json.dumps([2, "d", "DiagnosticsStatusNotification", {"status": status16}])
    (up,) = frames(engine.receive(Side.STATION, call), Side.CSMS)
    assert up[2:] == ["LogStatusNotification", {"status": status201, "requestId": 42}]
    assert_frame_valid("2.0.1", up)


def test_no_error_details_ride_on_the_availability_state_event() -> None:
    # chargers put state in info/vendorId/vendorErrorCode with NoError; 2.0.1 StatusNotification has no
    # field for them, so they go up on the connector's AvailabilityState event
    engine = make_engine()

    def up(message_id: str, payload: dict[str, Any]) -> list[list[Any]]:
        """Every call the CSMS gets for one station call, each answered with {}."""
        calls = []
        sends = engine.receive(Side.STATION, json.dumps([2, message_id, "StatusNotification", payload]))
        while to_csms := frames(sends, Side.CSMS):
            calls += to_csms
            assert_frame_valid("2.0.1", to_csms[0])
            sends = engine.receive(Side.CSMS, json.dumps([3, to_csms[0][1], {}]))
        return calls

    status = {
        "connectorId": 1,
        "errorCode": "NoError",
        "status": "Available",
        "timestamp": "2026-01-01T00:00:00Z",
    }
    details = {"info": "Status Update", "vendorId": "Chago", "vendorErrorCode": "0x00"}
    forwarded, notify = up("s1", {**status, **details})
    assert forwarded[2] == "StatusNotification"
    (event,) = notify[3]["eventData"]
    assert event["component"] == {"name": "Connector", "evse": {"id": 1, "connectorId": 1}}
    assert (event["variable"], event["actualValue"]) == ({"name": "AvailabilityState"}, "Available")
    assert (event["techCode"], event["techInfo"]) == ("0x00", "vendorId Chago; Status Update")
    assert [c[2] for c in up("s2", status)] == ["StatusNotification"]  # without details, no extra event
    (station_event,) = up("s3", {**status, **details, "connectorId": 0})  # connector 0: its own event
    (event0,) = station_event[3]["eventData"]
    assert (event0["component"], event0["techCode"], event0["techInfo"]) == (
        {"name": "ChargingStation"},
        "0x00",
        "vendorId Chago; Status Update",
    )
