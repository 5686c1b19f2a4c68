"""Schema-valid input at the edges the schemas allow (huge numbers, long blobs, odd URIs, fine
time stamps), and what a bug in a translator costs: one CALLERROR, never the connection."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from rfc3986_validator import validate_rfc3986

from bridge.engine import Engine, Side
from bridge.tables import load_tables
from bridge.translate.context import StationContext
from bridge.translate.registry import down, up
from tests.schemas import assert_frame_valid, is_valid

PROFILE_201 = {
    "id": 1,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": [
        {
            "id": 1,
            "startSchedule": "2026-01-01T00:00:00Z",
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 1.7e308}],
        }
    ],
}


class Errors:
    """An observer that keeps the error reasons the engine counted."""

    def __init__(self) -> None:
        self.reasons: list[tuple[Side, str]] = []

    def frame_in(self, side: Side, action: str) -> None:
        pass

    def frame_out(self, side: Side, action: str) -> None:
        pass

    def error(self, side: Side, reason: str) -> None:
        self.reasons.append((side, reason))

    def round_trip(self, side: Side, action: str, seconds: float) -> None:
        pass

    def timeout(self, side: Side, action: str) -> None:
        pass


def make_engine(observer: Errors | None = None, security_extension: bool = False) -> Engine:
    ctx = StationContext("CP-E", load_tables(), security_extension=security_extension)
    return Engine(ctx, observer=observer)


def send(engine: Engine, side: Side, frame: list[Any]) -> dict[Side, list[list[Any]]]:
    out: dict[Side, list[list[Any]]] = {Side.STATION: [], Side.CSMS: []}
    for item in engine.receive(side, json.dumps(frame)):
        out[item.side].append(json.loads(item.text))
    return out


def test_a_huge_but_valid_limit_in_a_composite_schedule_goes_up() -> None:
    engine = make_engine()
    (down_call,) = send(engine, Side.CSMS, [2, "c1", "GetCompositeSchedule", {"evseId": 1, "duration": 60}])[
        Side.STATION
    ]
    answer = {
        "status": "Accepted",
        "connectorId": 1,
        "scheduleStart": "2026-01-01T00:00:00Z",
        "chargingSchedule": {
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 1.7e308},
                {"startPeriod": 60, "limit": 0.1},
            ],
        },
    }
    (up_answer,) = send(engine, Side.STATION, [3, down_call[1], answer])[Side.CSMS]
    assert_frame_valid("2.0.1", up_answer, request_action="GetCompositeSchedule")
    periods = up_answer[2]["schedule"]["chargingSchedulePeriod"]
    assert [p["limit"] for p in periods] == [1.7e308, 0.1]


@pytest.mark.parametrize("action", ["SetChargingProfile", "RequestStartTransaction"])
def test_a_huge_but_valid_limit_in_a_charging_profile_goes_down(action: str) -> None:
    engine = make_engine()
    if action == "SetChargingProfile":
        payload: dict[str, Any] = {"evseId": 1, "chargingProfile": PROFILE_201}
    else:
        profile = {**PROFILE_201, "chargingProfilePurpose": "TxProfile"}
        payload = {"idToken": {"idToken": "T", "type": "ISO14443"}, "remoteStartId": 7, "evseId": 1}
        payload["chargingProfile"] = profile
    out = send(engine, Side.CSMS, [2, "c1", action, payload])
    assert out[Side.CSMS] == []
    (call,) = out[Side.STATION]
    assert_frame_valid("1.6", call)
    assert json.dumps(call).count("1.7e+308") == 1


def test_the_multiple_of_check_is_exact_at_both_ends_of_the_float_range() -> None:
    engine = make_engine()
    (down_call,) = send(engine, Side.CSMS, [2, "c1", "GetCompositeSchedule", {"evseId": 1, "duration": 60}])[
        Side.STATION
    ]
    answer = {
        "status": "Accepted",
        "chargingSchedule": {
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 5e-324}],
        },
    }
    (refusal,) = send(engine, Side.STATION, [3, down_call[1], answer])[Side.CSMS]
    assert refusal[:3] == [
        4,
        "c1",
        "InternalError",
    ]  # the station broke its own schema: not a multiple of 0.1
    assert "multiple of 0.1" in refusal[3]


def _break(monkeypatch: pytest.MonkeyPatch, translator: Any, name: str) -> None:
    def broken(*args: Any) -> Any:
        raise ZeroDivisionError("a bug in a translator")

    monkeypatch.setattr(translator, name, broken)


def test_a_failing_call_translator_costs_one_callerror_logged_and_counted(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _break(monkeypatch, up.translators["BootNotification"], "call")
    errors = Errors()
    engine = make_engine(errors)
    boot = {"chargePointVendor": "V", "chargePointModel": "M"}
    with caplog.at_level(logging.ERROR):
        out = send(engine, Side.STATION, [2, "b1", "BootNotification", boot])
    assert out[Side.CSMS] == []
    (refusal,) = out[Side.STATION]
    assert refusal[:3] == [4, "b1", "InternalError"]
    assert_frame_valid("1.6", refusal)
    assert (Side.STATION, "internal_error") in errors.reasons
    assert any(
        r.exc_info and "a bug in a translator" in r.getMessage() + str(r.exc_info[1]) for r in caplog.records
    )
    # the session goes on: the next frame is translated
    status = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
    assert send(engine, Side.STATION, [2, "s1", "StatusNotification", status])[Side.CSMS]


def test_a_failing_result_translator_costs_one_callerror(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _break(monkeypatch, down.translators["ChangeAvailability"], "result")
    errors = Errors()
    engine = make_engine(errors)
    (call,) = send(engine, Side.CSMS, [2, "a1", "ChangeAvailability", {"operationalStatus": "Inoperative"}])[
        Side.STATION
    ]
    with caplog.at_level(logging.ERROR):
        out = send(engine, Side.STATION, [3, call[1], {"status": "Accepted"}])
    (refusal,) = out[Side.CSMS]
    assert refusal[:3] == [4, "a1", "InternalError"]
    assert (Side.CSMS, "internal_error") in errors.reasons
    assert any(r.exc_info for r in caplog.records)


def test_a_failing_validator_costs_one_callerror(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    errors = Errors()
    engine = make_engine(errors)

    def broken(payload: Any) -> Any:
        raise OverflowError("a bug in a validator")

    monkeypatch.setitem(engine.station.requests, "Heartbeat", broken)
    with caplog.at_level(logging.ERROR):
        out = send(engine, Side.STATION, [2, "h1", "Heartbeat", {}])
    (refusal,) = out[Side.STATION]
    assert refusal[:3] == [4, "h1", "InternalError"]
    assert (Side.STATION, "internal_error") in errors.reasons
    assert any(r.exc_info for r in caplog.records)


def _meter_values(blob: str) -> list[Any]:
    sample = {"value": "12.5", "measurand": "Energy.Active.Import.Register"}
    signed = {**sample, "value": blob, "format": "SignedData"}
    reading = {"timestamp": "2026-01-01T00:00:00Z", "sampledValue": [sample, signed]}
    return [2, "m1", "MeterValues", {"connectorId": 1, "meterValue": [reading]}]


@pytest.mark.parametrize("length", [2500, 2501, 10_000])
def test_signed_data_longer_than_2_0_1_allows_is_dropped_not_sent(length: int) -> None:
    engine = make_engine()
    (up_call,) = send(engine, Side.STATION, _meter_values("S" * length))[Side.CSMS]
    assert_frame_valid("2.0.1", up_call)
    (sample,) = up_call[3]["meterValue"][0]["sampledValue"]
    assert sample["value"] == 12.5  # the reading itself always goes up
    assert ("signedMeterValue" in sample) == (length <= 2500)


NOT_URIS = [
    "https://x.example/fw[1].bin",
    "https://x.example/%zz",
    "https://x.example\\fw.bin",
    "<x>",
    "https://x.example/a b",
    "fw.bin",
]


@pytest.mark.parametrize("location", NOT_URIS)
@pytest.mark.parametrize("action", ["GetLog", "UpdateFirmware"])
def test_a_location_that_is_no_rfc_3986_uri_is_rejected_by_the_bridge(action: str, location: str) -> None:
    assert not validate_rfc3986(location, rule="URI")  # the referee agrees it is no URI
    engine = make_engine()
    out = send(engine, Side.CSMS, [2, "l1", action, _location_request(action, location)])
    assert out[Side.STATION] == []
    (answer,) = out[Side.CSMS]
    assert_frame_valid("2.0.1", answer, request_action=action)
    assert answer[2]["status"] == "Rejected"
    assert answer[2]["statusInfo"]["reasonCode"] == "InvalidURL"


@pytest.mark.parametrize("action", ["GetLog", "UpdateFirmware"])
def test_non_ascii_in_a_location_is_percent_encoded_as_rfc_3987_maps_an_iri(action: str) -> None:
    engine = make_engine()
    out = send(engine, Side.CSMS, [2, "l1", action, _location_request(action, "https://x.example/é?q=ü")])
    (call,) = out[Side.STATION]
    assert_frame_valid("1.6", call)  # with the uri format checked
    assert call[3]["location"] == "https://x.example/%C3%A9?q=%C3%BC"


def _location_request(action: str, location: str) -> dict[str, Any]:
    if action == "GetLog":
        return {"logType": "DiagnosticsLog", "requestId": 1, "log": {"remoteLocation": location}}
    return {"requestId": 1, "firmware": {"location": location, "retrieveDateTime": "2026-01-01T00:00:00Z"}}


def test_the_schema_referee_checks_uri_formats() -> None:
    # without a URI format checker (rfc3986-validator) jsonschema skips `format: uri` silently
    payload = {"location": "https://x.example/fw[1].bin", "retrieveDate": "2026-01-01T00:00:00Z"}
    assert not is_valid("1.6", "UpdateFirmware", payload)
    assert is_valid("1.6", "UpdateFirmware", {**payload, "location": "https://x.example/fw%5B1%5D.bin"})


def test_2_0_1_date_times_go_up_with_at_most_3_fractional_digits() -> None:
    engine = make_engine()
    status = {
        "connectorId": 1,
        "errorCode": "NoError",
        "status": "Available",
        "timestamp": "2026-01-01T00:00:00.901999Z",
    }
    (call,) = send(engine, Side.STATION, [2, "s1", "StatusNotification", status])[Side.CSMS]
    assert call[3]["timestamp"] == "2026-01-01T00:00:00.901Z"
    engine = make_engine()  # a fresh one: the StatusNotification above is in flight
    boot = {"chargePointVendor": "V", "chargePointModel": "M"}
    (call,) = send(engine, Side.STATION, [2, "b1", "BootNotification", boot])[Side.CSMS]
    answer = {"status": "Accepted", "currentTime": "2026-01-01T00:00:00.9+02:00", "interval": 60}
    (back,) = send(engine, Side.CSMS, [3, "b1", answer])[Side.STATION]
    assert back[2]["currentTime"] == "2026-01-01T00:00:00.900+02:00"
    engine = make_engine()
    reading = {"timestamp": "2026-01-01T00:00:00.123456+00:00", "sampledValue": [{"value": "1"}]}
    (call,) = send(
        engine, Side.STATION, [2, "m1", "MeterValues", {"connectorId": 1, "meterValue": [reading]}]
    )[Side.CSMS]
    assert call[3]["meterValue"][0]["timestamp"] == "2026-01-01T00:00:00.123Z"
