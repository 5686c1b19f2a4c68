"""Repairs of real firmware quirks (mappings/repairs.toml, bridge/repair.py).

Per repair, a frame of the shape quoted in the public bug report the table cites goes from a raw
station through the real bridge to the `ocpp` package's 2.0.1 CSMS: it arrives as the intended 2.0.1
frame (checked against the official schema) and the station gets its normal answer; with
`--station-repairs off` the same frame gets the CALLERROR it always got. And no repair ever touches
a frame the official 1.6 schema allows.
"""

from __future__ import annotations

import copy
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bridge.repair
from bridge.engine import Engine, Side
from bridge.metrics import Metrics
from bridge.repair import decimal_text, load_repairs, rfc3339_utc
from bridge.tables import TableError, load_tables, mappings_dir
from bridge.topology import TopologyBook, load_topology
from bridge.translate.context import StationContext
from tests.conftest import CsmsServer, RunningBridge, eventually, exchange, raw_station, run_bridge
from tests.schemas import assert_frame_valid, assert_valid, schema
from tests.strategies import from_schema

T = "2026-01-01T10:00:00Z"
INFO_987 = "User didn't disconnect vehicle within 00:10:00 minutes after charging has ended."


@dataclass
class Case:
    repair: str  # the table's name of the repair the frame needs
    action: str
    payload: Callable[[list[Any]], dict[str, Any]]  # from the answers to the setup calls
    expected: list[tuple[str, dict[str, Any]]]  # what the CSMS receives: (action, payload)
    off_code: str  # the CALLERROR without repairs
    setup: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answer: dict[str, Any] | None = None  # the station's answer, when it is fixed


def sample(value: Any, **more: Any) -> dict[str, Any]:
    return {"value": value, **more}


CASES = [
    # mobilityhouse/ocpp#353: "value": 0.0
    Case(
        "number_as_text",
        "MeterValues",
        lambda _: {
            "connectorId": 1,
            "meterValue": [
                {
                    "timestamp": T,
                    "sampledValue": [
                        sample(12.5, measurand="Current.Import", phase="L1", unit="A"),
                        sample(1234, measurand="Energy.Active.Import.Register", unit="Wh"),
                    ],
                }
            ],
        },
        [
            (
                "MeterValues",
                {
                    "evseId": 1,
                    "meterValue": [
                        {
                            "timestamp": T,
                            "sampledValue": [
                                {
                                    "value": 12.5,
                                    "measurand": "Current.Import",
                                    "phase": "L1",
                                    "unitOfMeasure": {"unit": "A"},
                                },
                                {
                                    "value": 1234,
                                    "measurand": "Energy.Active.Import.Register",
                                    "unitOfMeasure": {"unit": "Wh"},
                                },
                            ],
                        }
                    ],
                },
            )
        ],
        "TypeConstraintViolation",
        answer={},
    ),
    # lbbrhzn/ocpp#1144 (Huawei): meterValue as one object
    Case(
        "object_as_array",
        "MeterValues",
        lambda _: {
            "connectorId": 1,
            "meterValue": {
                "timestamp": "2024-04-16T17:28:55.000Z",
                "sampledValue": [
                    sample(
                        "0.00",
                        context="Sample.Periodic",
                        measurand="Energy.Active.Import.Register",
                        unit="kWh",
                    )
                ],
            },
        },
        [
            (
                "MeterValues",
                {
                    "evseId": 1,
                    "meterValue": [
                        {
                            "timestamp": "2024-04-16T17:28:55Z",
                            "sampledValue": [
                                {
                                    "value": 0,
                                    "context": "Sample.Periodic",
                                    "measurand": "Energy.Active.Import.Register",
                                    "unitOfMeasure": {"unit": "kWh"},
                                }
                            ],
                        }
                    ],
                },
            )
        ],
        "TypeConstraintViolation",
        answer={},
    ),
    # lbbrhzn/ocpp#466: an empty sampledValue on every clock interval
    Case(
        "empty_readings",
        "MeterValues",
        lambda _: {
            "connectorId": 1,
            "meterValue": [
                {"timestamp": T, "sampledValue": []},
                {"timestamp": T, "sampledValue": [sample("230.1", measurand="Voltage", unit="V")]},
            ],
        },
        [
            (
                "MeterValues",
                {
                    "evseId": 1,
                    "meterValue": [
                        {
                            "timestamp": T,
                            "sampledValue": [
                                {"value": 230.1, "measurand": "Voltage", "unitOfMeasure": {"unit": "V"}}
                            ],
                        }
                    ],
                },
            )
        ],
        "OccurenceConstraintViolation",
        answer={},
    ),
    # lbbrhzn/ocpp#1627: one bad enum spelling loses every reading of the message
    Case(
        "enum_case",
        "MeterValues",
        lambda _: {
            "connectorId": 2,
            "meterValue": [
                {
                    "timestamp": T,
                    "sampledValue": [
                        sample(
                            "349.944",
                            measurand="energy.active.import.register",
                            unit="KWH",
                            location="outlet",
                        )
                    ],
                }
            ],
        },
        [
            (
                "MeterValues",
                {
                    "evseId": 2,
                    "meterValue": [
                        {
                            "timestamp": T,
                            "sampledValue": [
                                {
                                    "value": 349.944,
                                    "measurand": "Energy.Active.Import.Register",
                                    "location": "Outlet",
                                    "unitOfMeasure": {"unit": "kWh"},
                                }
                            ],
                        }
                    ],
                },
            )
        ],
        "TypeConstraintViolation",
        answer={},
    ),
    # mobilityhouse/ocpp#733, lbbrhzn/ocpp#1969: "Hz"
    Case(
        "unit_alias",
        "MeterValues",
        lambda _: {
            "connectorId": 1,
            "meterValue": [
                {"timestamp": T, "sampledValue": [sample("50.01", measurand="Frequency", unit="Hz")]}
            ],
        },
        [
            (
                "MeterValues",
                {
                    "evseId": 1,
                    "meterValue": [
                        {
                            "timestamp": T,
                            "sampledValue": [
                                {"value": 50.01, "measurand": "Frequency", "unitOfMeasure": {"unit": "Hz"}}
                            ],
                        }
                    ],
                },
            )
        ],
        "TypeConstraintViolation",
        answer={},
    ),
    # lbbrhzn/ocpp#1248 (Legrand GreenUp), the frame as quoted
    Case(
        "unknown_error_code",
        "StatusNotification",
        lambda _: {
            "connectorId": 0,
            "errorCode": "Error",
            "status": "Faulted",
            "timestamp": "2024-08-03T16:16:55Z",
        },
        [
            (
                "NotifyEvent",
                {
                    "eventData": [
                        {
                            "eventId": 1,
                            "timestamp": "2024-08-03T16:16:55Z",
                            "trigger": "Delta",
                            "actualValue": "Faulted",
                            "component": {"name": "ChargingStation"},
                            "variable": {"name": "AvailabilityState"},
                            "eventNotificationType": "HardWiredNotification",
                        },
                        {
                            "eventId": 2,
                            "timestamp": "2024-08-03T16:16:55Z",
                            "trigger": "Delta",
                            "actualValue": "true",
                            "techCode": "Error",  # the charger's own word
                            "techInfo": "errorCode OtherError",
                            "component": {"name": "ChargingStation"},
                            "variable": {"name": "Problem"},
                            "eventNotificationType": "HardWiredNotification",
                        },
                    ]
                },
            )
        ],
        "TypeConstraintViolation",
        answer={},
    ),
    # monta-app/ocpp-emulator#5: an offset of hours only
    Case(
        "iso_date_time",
        "StatusNotification",
        lambda _: {
            "connectorId": 2,
            "errorCode": "NoError",
            "status": "Preparing",
            "timestamp": "2024-04-26T14:35:02+02",
        },
        [
            (
                "StatusNotification",
                {
                    "timestamp": "2024-04-26T12:35:02Z",
                    "connectorStatus": "Occupied",
                    "evseId": 2,
                    "connectorId": 1,
                },
            )
        ],
        "PropertyConstraintViolation",
        answer={},
    ),
    # "" for optional enum fields
    Case(
        "empty_optional",
        "MeterValues",
        lambda _: {
            "connectorId": 1,
            "meterValue": [
                {
                    "timestamp": T,
                    "sampledValue": [sample("7.2", measurand="Power.Active.Import", unit="kW", phase="")],
                }
            ],
        },
        [
            (
                "MeterValues",
                {
                    "evseId": 1,
                    "meterValue": [
                        {
                            "timestamp": T,
                            "sampledValue": [
                                {
                                    "value": 7.2,
                                    "measurand": "Power.Active.Import",
                                    "unitOfMeasure": {"unit": "kW"},
                                }
                            ],
                        }
                    ],
                },
            )
        ],
        "TypeConstraintViolation",
        answer={},
    ),
    # lbbrhzn/ocpp#987: info of 83 characters (with NoError: it rides on AvailabilityState)
    Case(
        "long_text",
        "StatusNotification",
        lambda _: {
            "connectorId": 1,
            "status": "Finishing",
            "errorCode": "NoError",
            "info": INFO_987,
            "timestamp": T,
        },
        [
            (
                "StatusNotification",
                {"timestamp": T, "connectorStatus": "Occupied", "evseId": 1, "connectorId": 1},
            ),
            (
                "NotifyEvent",
                {
                    "eventData": [
                        {
                            "eventId": 1,
                            "timestamp": T,
                            "trigger": "Delta",
                            "actualValue": "Occupied",
                            "techInfo": INFO_987[:50],
                            "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
                            "variable": {"name": "AvailabilityState"},
                            "eventNotificationType": "HardWiredNotification",
                        }
                    ]
                },
            ),
        ],
        "PropertyConstraintViolation",
        answer={},
    ),
    # lbbrhzn/ocpp#2030: the idTag echoed with two bytes appended
    Case(
        "stop_id_tag_echo",
        "StopTransaction",
        lambda answers: {
            "meterStop": 1388,
            "idTag": "BA86I250X5G6MOD5DLKD\x10\x0e",
            "transactionId": answers[0]["transactionId"],
            "timestamp": "2026-01-01T11:42:28Z",
            "reason": "EVDisconnected",
        },
        [],  # checked in the test: a TransactionEvent Ended without an idToken
        "PropertyConstraintViolation",
        setup=[
            (
                "StartTransaction",
                {"connectorId": 1, "idTag": "BA86I250X5G6MOD5DLKD", "meterStart": 0, "timestamp": T},
            )
        ],
    ),
    # evcc-io/evcc#14579: Authorize with a connectorId
    Case(
        "known_extra_field",
        "Authorize",
        lambda _: {"connectorId": 2, "idTag": "0584350940c0"},
        [("Authorize", {"idToken": {"idToken": "0584350940c0", "type": "ISO14443"}})],
        "OccurenceConstraintViolation",
        answer={"idTagInfo": {"status": "Accepted"}},
    ),
]


def test_every_repair_in_the_table_has_a_case() -> None:
    assert {case.repair for case in CASES} == load_tables().repairs.names


def received(csms: CsmsServer, station_id: str) -> list[list[Any]]:
    return csms.stations[station_id].received_calls() if station_id in csms.stations else []


async def run_case(running: RunningBridge, station_id: str, case: Case) -> tuple[list[Any], list[Any]]:
    """Send the setup calls and the quirky one; (its answer, the answers to the setup calls)."""
    answers = []
    async with raw_station(running.url(station_id)) as ws:
        for i, (action, payload) in enumerate(case.setup):
            answer = await exchange(ws, json.dumps([2, f"s{i}", action, payload]))
            assert answer[0] == 3, answer
            answers.append(answer[2])
        answer = await exchange(ws, json.dumps([2, "q", case.action, case.payload(answers)]))
    return answer, answers


@pytest.mark.parametrize("case", CASES, ids=[c.repair for c in CASES])
async def test_quirky_frame_goes_up_as_the_intended_201_frame(
    csms: CsmsServer, bridge: RunningBridge, case: Case
) -> None:
    station_id = f"R-{case.repair}"
    answer, _ = await run_case(bridge, station_id, case)
    assert answer[:2] == [3, "q"], answer  # the station's normal answer
    assert_valid("1.6", case.action, answer[2], response=True)
    if case.answer is not None:
        assert answer[2] == case.answer
    setup = len(case.setup)
    await eventually(lambda: len(received(csms, station_id)) >= setup + max(1, len(case.expected)))
    up = received(csms, station_id)[setup:]
    for frame in up:
        assert_frame_valid("2.0.1", frame)  # the official 2.0.1 schema
    if case.repair == "stop_id_tag_echo":
        (ended,) = up
        assert (ended[2], ended[3]["eventType"], ended[3]["triggerReason"]) == (
            "TransactionEvent",
            "Ended",
            "EVCommunicationLost",
        )
        assert "idToken" not in ended[3]  # the garbled echo is not passed on as a token
        assert ended[3]["transactionInfo"]["stoppedReason"] == "EVDisconnected"
        return
    assert len(up) == len(case.expected)
    for frame, (action, payload) in zip(up, case.expected, strict=True):
        assert frame[2] == action
        got = {k: v for k, v in frame[3].items() if k not in ("generatedAt", "seqNo")}
        assert got == payload


@pytest.mark.parametrize("case", CASES, ids=[c.repair for c in CASES])
async def test_with_repairs_off_the_frame_gets_todays_callerror(csms: CsmsServer, case: Case) -> None:
    station_id = f"S-{case.repair}"
    async with run_bridge(csms_url=csms.url, call_timeout=3, station_repairs="off") as strict:
        answer, _ = await run_case(strict, station_id, case)
    assert answer[:3] == [4, "q", case.off_code], answer
    assert_frame_valid("1.6", answer)
    assert len(received(csms, station_id)) == len(case.setup)  # nothing of it reached the CSMS


async def test_only_empty_readings_left_the_bridge_answers_itself(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    payload = {"connectorId": 1, "meterValue": [{"timestamp": T, "sampledValue": []}]}
    async with raw_station(bridge.url("R-EMPTY")) as ws:
        assert await exchange(ws, json.dumps([2, "e", "MeterValues", payload])) == [3, "e", {}]
        assert (await exchange(ws, '[2,"h","Heartbeat",{}]'))[:2] == [3, "h"]
    assert [f[2] for f in received(csms, "R-EMPTY")] == ["Heartbeat"]


async def test_repairs_are_counted_by_action_and_repair(csms: CsmsServer, bridge: RunningBridge) -> None:
    frame = {"connectorId": 1, "meterValue": [{"timestamp": T, "sampledValue": [sample(1.5), sample(2)]}]}
    async with raw_station(bridge.url("R-COUNT")) as ws:
        for i in range(2):
            assert (await exchange(ws, json.dumps([2, f"m{i}", "MeterValues", frame])))[0] == 3
    counter = bridge.server.metrics.repairs.labels("MeterValues", "number_as_text")
    assert counter._value.get() == 4  # two fields, twice


# -- the engine alone --------------------------------------------------------------------------------


def engine(repairs: bool = True, topologies: TopologyBook | None = None, **kw: Any) -> Engine:
    ctx = StationContext("CP-R", load_tables(), topologies=topologies or TopologyBook())
    return Engine(ctx, repairs=repairs, **kw)


def send(e: Engine, side: Side, action: str, payload: dict[str, Any]) -> list[list[Any]]:
    return [json.loads(s.text) for s in e.receive(side, json.dumps([2, "c1", action, payload]))]


LEGRAND = {"connectorId": 0, "errorCode": "Error", "status": "Faulted"}


def test_one_warning_per_repair_kind_per_connection_then_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bridge")
    e = engine()
    for i in range(3):
        sends = e.receive(Side.STATION, json.dumps([2, f"c{i}", "StatusNotification", LEGRAND]))
        e.receive(Side.CSMS, json.dumps([3, json.loads(sends[0].text)[1], {}]))
    lines = [r for r in caplog.records if "unknown_error_code" in r.getMessage()]
    assert [r.levelno for r in lines] == [logging.WARNING, logging.DEBUG, logging.DEBUG]
    warning = lines[0].getMessage()
    assert "CP-R" in warning and "errorCode" in warning and "'Error' -> 'OtherError'" in warning
    # a new connection (a new engine) warns again
    caplog.clear()
    send(engine(), Side.STATION, "StatusNotification", LEGRAND)
    assert [r.levelno for r in caplog.records if "unknown_error_code" in r.getMessage()] == [logging.WARNING]


def test_metric_counts_each_field_repaired() -> None:
    metrics = Metrics()
    e = engine(observer=metrics)
    send(e, Side.STATION, "StatusNotification", {**LEGRAND, "timestamp": "2024-08-03T16:16:55+0200"})
    value = metrics.registry.get_sample_value
    labels = {"action": "StatusNotification"}
    assert value("bridge_station_repairs_total", {**labels, "repair": "unknown_error_code"}) == 1
    assert value("bridge_station_repairs_total", {**labels, "repair": "iso_date_time"}) == 1


def test_a_repair_that_leaves_the_frame_invalid_is_refused_for_what_is_left() -> None:
    (error,) = send(engine(), Side.STATION, "StatusNotification", {**LEGRAND, "status": "Busy"})
    assert error[:3] == [4, "c1", "TypeConstraintViolation"]
    assert error[4]["field"] == "status"  # not errorCode, which was repaired
    assert_frame_valid("1.6", error)


@pytest.mark.parametrize(
    "payload",
    [
        {"connectorId": "1", "errorCode": "NoError", "status": "Available"},  # identity field: a string
        {"connectorId": 1, "errorCode": "", "status": "Available"},  # an empty errorCode says nothing
        {"connectorId": 1, "errorCode": "NoError", "status": "Busy"},  # no 1.6 status is meant
        {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": "1700000000"},
        {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timeStamp": T},  # misspelt
    ],
)
def test_what_is_not_unambiguous_stays_a_refusal(payload: dict[str, Any]) -> None:
    assert load_tables().repairs.repair("StatusNotification", payload) is None
    (error,) = send(engine(), Side.STATION, "StatusNotification", payload)
    assert error[0] == 4


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("StartTransaction", {"connectorId": 1, "idTag": "X" * 21, "meterStart": 0, "timestamp": T}),
        ("Authorize", {"idTag": "X" * 21}),
        ("BootNotification", {"chargePointVendor": "V" * 21, "chargePointModel": "M"}),
        (
            "MeterValues",
            {
                "connectorId": 1,
                "transactionId": "7",
                "meterValue": [{"timestamp": T, "sampledValue": [sample("1")]}],
            },
        ),
    ],
)
def test_identity_fields_are_never_rewritten(action: str, payload: dict[str, Any]) -> None:
    (error,) = send(engine(), Side.STATION, action, payload)
    assert error[0] == 4
    assert load_tables().repairs.repair(action, payload) is None


def test_csms_frames_are_not_repaired() -> None:
    e = engine()
    sends = e.receive(Side.CSMS, '[2,"d1","ChangeAvailability",{"operationalStatus":"inoperative"}]')
    (error,) = [json.loads(s.text) for s in sends]
    assert error[:3] == [4, "d1", "TypeConstraintViolation"]
    assert all(s.side is Side.CSMS for s in sends)


def test_topology_file_overrides_the_switch_per_station_and_model() -> None:
    off_here = TopologyBook(repair_stations={"CP-R": False})
    assert send(engine(True, off_here), Side.STATION, "StatusNotification", LEGRAND)[0][0] == 4
    on_model = TopologyBook(repair_models={"GreenUp": True})
    e = engine(False, on_model)
    assert send(e, Side.STATION, "StatusNotification", LEGRAND)[0][0] == 4  # model not known yet
    e.ctx.model = "GreenUp"  # as its BootNotification says
    assert send(e, Side.STATION, "StatusNotification", {**LEGRAND})[0][2] == "NotifyEvent"
    book = load_topology(mappings_dir() / "topology.example.toml")  # type: ignore[arg-type]
    assert book.station_repairs("CP-0042") is True
    assert book.station_repairs("CP-9", "Strict-7") is False
    assert book.station_repairs("CP-9", "Other") is None


def test_translate_shows_the_repairs_beside_the_frame() -> None:
    from bridge.capture import translate_stream

    frame = json.dumps([2, "7", "StatusNotification", LEGRAND])
    out = io.StringIO()
    translate_stream(io.StringIO(frame + "\n"), out, "1.6")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("in  1.6")
    assert lines[1].startswith("fix ") and "'Error' -> 'OtherError'" in lines[1]
    assert lines[1].endswith("[unknown_error_code]")
    assert lines[2].startswith('out 2.0.1  [2,"7","NotifyEvent"')
    off = io.StringIO()
    translate_stream(io.StringIO(frame + "\n"), off, "1.6", repairs=False)
    assert "fix" not in off.getvalue() and '[4,"7","TypeConstraintViolation"' in off.getvalue()


# -- valid input is never touched ------------------------------------------------------------------


@pytest.mark.parametrize("action", sorted(load_tables().repairs.by_action))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_repairs_never_change_a_frame_the_16_schema_allows(action: str, data: st.DataObject) -> None:
    payload = data.draw(from_schema(schema("1.6", action)))
    before = copy.deepcopy(payload)
    assert load_tables().repairs.repair(action, payload) is None
    assert payload == before


# -- the pieces ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-26T14:35:02+02", "2024-04-26T12:35:02Z"),
        ("2024-04-26T14:35:02+0200", "2024-04-26T12:35:02Z"),
        ("2024-04-26T00:35:02.123456789-0130", "2024-04-26T02:05:02.123456789Z"),
        ("2024-04-26 14:35:02,5Z", "2024-04-26T14:35:02.5Z"),
        ("2024-04-26T14:35+01:00", "2024-04-26T13:35:00Z"),
        ("2024-01-01T00:30:00+01", "2023-12-31T23:30:00Z"),
        ("2024-04-26T14:35:02", "2024-04-26T14:35:02Z"),  # no offset: UTC, as the models read it
        ("1700000000", None),  # a Unix time: seconds or milliseconds? not guessed
        ("2024-04-26", None),
        ("2024-02-30T10:00:00Z", None),
        ("2024-04-26T14:35:02+25", None),
        ("26.04.2024 14:35:02", None),
    ],
)
def test_iso_8601_to_rfc_3339_utc(text: str, expected: str | None) -> None:
    assert rfc3339_utc(text) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0.0"),
        (12.5, "12.5"),
        (1234, "1234"),
        (-3, "-3"),
        (1e-7, "0.0000001"),
        (1e22, "10000000000000000000000"),
        (True, None),
        ("1", None),
    ],
)
def test_numbers_become_their_exact_decimal_text(value: Any, text: str | None) -> None:
    assert decimal_text(value) == text


BASE = {"kind": "truncate", "source": "https://example.com/1"}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({**BASE, "fields": ["StartTransaction.idTag"]}, "identity field"),
        ({**BASE, "fields": ["BootNotification.chargePointModel"]}, "identity field"),
        ({**BASE, "fields": ["StatusNotification.infoo"]}, "no such field"),
        ({**BASE, "fields": ["StatusNotifcation.info"]}, "no 1.6 action"),
        ({**BASE, "fields": ["StatusNotification.status"]}, "not a string with a maximum"),
        ({**BASE, "kind": "cut", "fields": ["StatusNotification.info"]}, "kind 'cut'"),
        ({"kind": "truncate", "fields": ["StatusNotification.info"]}, "source"),
        ({**BASE, "kind": "number_to_text", "fields": ["StatusNotification.status"]}, "not a plain string"),
        ({**BASE, "kind": "drop_extra", "fields": ["Authorize.idTag"]}, "is a 1.6 field"),
        ({**BASE, "kind": "drop_empty", "fields": ["StatusNotification.status"]}, "is required"),
        ({**BASE, "kind": "drop_empty", "fields": ["StatusNotification.info"]}, "an empty string is valid"),
        ({**BASE, "kind": "drop_echo", "fields": ["StartTransaction.idTag"]}, "is required"),
        (
            {
                **BASE,
                "kind": "enum_alias",
                "fields": ["StatusNotification.status"],
                "aliases": {"busy": "Bzzy"},
            },
            "name no value",
        ),
        (
            {
                **BASE,
                "kind": "error_code",
                "fields": ["StatusNotification.errorCode"],
                "fallback": "Oops",
                "keep_in": ["info"],
            },
            "fallback",
        ),
        (
            {**BASE, "kind": "drop_empty_readings", "fields": ["StopTransaction.transactionData"]},
            "no samples already",
        ),
        ({**BASE, "fields": ["StatusNotification.info"], "extra": 1}, "unknown key"),
    ],
)
def test_a_bad_table_fails_at_start_up_naming_the_entry(
    monkeypatch: pytest.MonkeyPatch, entry: dict[str, Any], message: str
) -> None:
    monkeypatch.setattr(bridge.repair, "read_table", lambda name: {"repair": {"bad": entry}})
    with pytest.raises(TableError, match=r"repairs\.toml") as raised:
        load_repairs()
    assert message in str(raised.value) and ("repair.bad" in str(raised.value))


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        # a case difference is the case repair's: NoError stays NoError, not OtherError
        ({"errorCode": "noerror"}, {"errorCode": "NoError"}),
        ({"errorCode": "Error"}, {"errorCode": "OtherError", "vendorErrorCode": "Error"}),
        (
            {"errorCode": "E-STOP", "vendorErrorCode": "17"},
            {"errorCode": "OtherError", "vendorErrorCode": "17", "info": "E-STOP"},
        ),
        (
            {"errorCode": "E-STOP", "vendorErrorCode": "17", "info": "pressed"},
            {"errorCode": "OtherError", "vendorErrorCode": "17", "info": "E-STOP: pressed"},
        ),
    ],
)
def test_an_unknown_error_word_is_kept_where_there_is_room(
    payload: dict[str, Any], expected: dict[str, Any]
) -> None:
    frame = {"connectorId": 1, "status": "Faulted", **payload}
    repaired = load_tables().repairs.repair("StatusNotification", frame)
    assert repaired is not None
    assert repaired.payload == {"connectorId": 1, "status": "Faulted", **expected}
    assert_valid("1.6", "StatusNotification", repaired.payload)
    assert frame == {"connectorId": 1, "status": "Faulted", **payload}  # the original is left alone
