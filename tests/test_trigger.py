"""TriggerMessage end to end: the `ocpp` package's 2.0.1 CSMS triggers, its 1.6 charge point answers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from ocpp.routing import after, on
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v201 import call as call201

from tests.conftest import Connection, CsmsServer, Station, connect_station, eventually, run_bridge
from tests.schemas import assert_frame_valid, assert_valid


class TriggeredStation(Station):
    """Answers triggers with `answer` and, when Accepted, sends the requested message like a real charger."""

    answer = "Accepted"

    def __init__(self, station_id: str, connection: Connection) -> None:
        super().__init__(station_id, connection)
        self.triggers: list[list[Any]] = []

    @on("TriggerMessage")
    def on_trigger(self, requested_message: str, connector_id: int | None = None) -> result16.TriggerMessage:
        return result16.TriggerMessage(status=self.answer)

    @on("ExtendedTriggerMessage")
    def on_extended(
        self, requested_message: str, connector_id: int | None = None
    ) -> result16.ExtendedTriggerMessage:
        return result16.ExtendedTriggerMessage(status=self.answer)

    @after("TriggerMessage")
    async def send_requested(self, requested_message: str, connector_id: int | None = None) -> None:
        if self.answer == "Accepted":
            await self.call(MESSAGES[requested_message](connector_id or 1))

    @after("ExtendedTriggerMessage")
    async def send_extended(self, requested_message: str, connector_id: int | None = None) -> None:
        await self.send_requested(requested_message, connector_id)


MESSAGES: dict[str, Any] = {
    "BootNotification": lambda c: call16.BootNotification(
        charge_point_vendor="ACME", charge_point_model="W-11"
    ),
    "Heartbeat": lambda c: call16.Heartbeat(),
    "StatusNotification": lambda c: call16.StatusNotification(
        connector_id=c, error_code="NoError", status="Available"
    ),
    "MeterValues": lambda c: call16.MeterValues(
        connector_id=c,
        meter_value=[
            {
                "timestamp": "2026-03-01T12:00:00Z",
                "sampledValue": [
                    {
                        "value": "1234.5",
                        "measurand": "Energy.Active.Import.Register",
                        "unit": "kWh",
                        "context": "Trigger",
                    },
                    {"value": "-3.2", "measurand": "Current.Import", "unit": "A", "phase": "L1"},
                    {"value": "31", "measurand": "Temperature", "unit": "Celcius"},
                ],
            }
        ],
    ),
    "FirmwareStatusNotification": lambda c: call16.FirmwareStatusNotification(status="Idle"),
    "DiagnosticsStatusNotification": lambda c: call16.DiagnosticsStatusNotification(status="UploadFailed"),
    "LogStatusNotification": lambda c: call16.LogStatusNotification(status="Uploading", request_id=7),
    "SignChargePointCertificate": lambda c: call16.SignCertificate(csr="-----BEGIN CERTIFICATE REQUEST-----"),
}


def station_calls(station: Any) -> list[list[Any]]:
    return [f for d, f in station.frames if d == "received" and f[0] == 2]


async def trigger(server_side: Any, payload: dict[str, Any]) -> list[Any]:
    """Send a raw 2.0.1 TriggerMessage from the CSMS and return the answer frame it gets."""
    message_id = f"t-{len(server_side.frames)}"
    await server_side._connection.send(json.dumps([2, message_id, "TriggerMessage", payload]))
    answers: list[list[Any]] = []

    def answered() -> bool:
        answers[:] = [f for d, f in server_side.frames if d == "received" and f[1] == message_id]
        return bool(answers)

    await eventually(answered)
    return answers[0]


# (2.0.1 trigger, the 1.6 frame payload the station must see, the 2.0.1 action the CSMS then gets)
PLAIN = [
    ({"requestedMessage": "BootNotification"}, {"requestedMessage": "BootNotification"}, "BootNotification"),
    ({"requestedMessage": "Heartbeat", "evse": {"id": 1}}, {"requestedMessage": "Heartbeat"}, "Heartbeat"),
    (
        {"requestedMessage": "StatusNotification", "evse": {"id": 2}},
        {"requestedMessage": "StatusNotification", "connectorId": 2},
        "StatusNotification",
    ),
    (
        {"requestedMessage": "StatusNotification", "evse": {"id": 2, "connectorId": 1}},
        {"requestedMessage": "StatusNotification", "connectorId": 2},
        "StatusNotification",
    ),
    (
        {"requestedMessage": "StatusNotification"},
        {"requestedMessage": "StatusNotification"},
        "StatusNotification",
    ),
    (
        {"requestedMessage": "MeterValues", "evse": {"id": 1}},
        {"requestedMessage": "MeterValues", "connectorId": 1},
        "MeterValues",
    ),
    (
        {"requestedMessage": "FirmwareStatusNotification"},
        {"requestedMessage": "FirmwareStatusNotification"},
        "FirmwareStatusNotification",
    ),
    (
        {"requestedMessage": "LogStatusNotification"},
        {"requestedMessage": "DiagnosticsStatusNotification"},
        "LogStatusNotification",
    ),
]


@pytest.mark.parametrize(("request201", "request16", "then"), PLAIN)
async def test_expressible_triggers_reach_the_station_and_the_message_comes_back(
    csms: CsmsServer, request201: dict[str, Any], request16: dict[str, Any], then: str
) -> None:
    async with (
        run_bridge(csms_url=csms.url) as bridge,
        connect_station(bridge.url("CP-T"), factory=TriggeredStation) as station,
    ):
        server_side = await csms.wait_for("CP-T")
        answer = await trigger(server_side, request201)
        assert answer[2] == {"status": "Accepted"}
        assert_valid("2.0.1", "TriggerMessage", answer[2], response=True)
        assert [f[2:] for f in station_calls(station)] == [["TriggerMessage", request16]]
        await eventually(lambda: bool(server_side.received_calls(then)))
    (triggered,) = server_side.received_calls(then)
    assert_frame_valid("2.0.1", triggered)
    if then == "BootNotification":
        assert triggered[3]["reason"] == "Triggered"
    if then == "LogStatusNotification":
        assert triggered[3] == {"status": "UploadFailure"}
    if then == "MeterValues":
        assert triggered[3]["evseId"] == 1
        samples = triggered[3]["meterValue"][0]["sampledValue"]
        assert samples == [
            {
                "value": 1234.5,
                "context": "Trigger",
                "measurand": "Energy.Active.Import.Register",
                "unitOfMeasure": {"unit": "kWh"},
            },
            {"value": -3.2, "measurand": "Current.Import", "phase": "L1", "unitOfMeasure": {"unit": "A"}},
        ]  # Temperature has no 2.0.1 measurand: dropped


async def test_a_boot_without_a_trigger_is_power_up(csms: CsmsServer) -> None:
    async with run_bridge(csms_url=csms.url) as bridge, connect_station(bridge.url("CP-B")) as station:
        await station.call(MESSAGES["BootNotification"](1))
    assert csms.stations["CP-B"].received_calls("BootNotification")[0][3]["reason"] == "PowerUp"


@pytest.mark.parametrize(
    "requested",
    [
        "SignV2GCertificate",
        "SignCombinedCertificate",
        "PublishFirmwareStatusNotification",
    ],
)
async def test_triggers_16_cannot_express_are_answered_by_the_bridge(
    csms: CsmsServer, requested: str
) -> None:
    async with (
        run_bridge(csms_url=csms.url) as bridge,
        connect_station(bridge.url("CP-N"), factory=TriggeredStation) as station,
    ):
        server_side = await csms.wait_for("CP-N")
        response = await server_side.call(call201.TriggerMessage(requested_message=requested))
        assert response.status == "NotImplemented"
        assert response.status_info["reason_code"] == "UnsupportedRequest"
        assert "1.6J" in response.status_info["additional_info"]
        await asyncio.sleep(0.1)
        assert station_calls(station) == []


async def test_certificate_trigger_needs_the_security_extension(csms: CsmsServer) -> None:
    async with (
        run_bridge(csms_url=csms.url, security_extension_stations=["CP-SEC"]) as bridge,
        connect_station(bridge.url("CP-PLAIN"), factory=TriggeredStation) as plain,
        connect_station(bridge.url("CP-SEC"), factory=TriggeredStation) as secure,
    ):
        plain_csms = await csms.wait_for("CP-PLAIN")
        refused = await plain_csms.call(
            call201.TriggerMessage(requested_message="SignChargingStationCertificate")
        )
        assert refused.status == "NotImplemented"
        assert "security extension" in refused.status_info["additional_info"]
        assert station_calls(plain) == []

        secure_csms = await csms.wait_for("CP-SEC")
        accepted = await secure_csms.call(
            call201.TriggerMessage(requested_message="SignChargingStationCertificate")
        )
        assert accepted.status == "Accepted"
        assert [f[2:] for f in station_calls(secure)] == [
            ["ExtendedTriggerMessage", {"requestedMessage": "SignChargePointCertificate"}]
        ]
        await eventually(lambda: bool(secure_csms.received_calls("SignCertificate")))
        (sign,) = secure_csms.received_calls("SignCertificate")
        assert_frame_valid("2.0.1", sign)
        assert sign[3]["certificateType"] == "ChargingStationCertificate"

        await secure_csms.call(call201.TriggerMessage(requested_message="LogStatusNotification"))
        assert station_calls(secure)[-1][2:] == [
            "ExtendedTriggerMessage",
            {"requestedMessage": "LogStatusNotification"},
        ]
        await eventually(lambda: bool(secure_csms.received_calls("LogStatusNotification")))
        assert secure_csms.received_calls("LogStatusNotification")[0][3] == {
            "status": "Uploading",
            "requestId": 7,
        }


async def test_unknown_evse_or_connector_is_rejected_without_asking_the_station(
    csms: CsmsServer, tmp_path: Any
) -> None:
    topology = tmp_path / "topology.toml"
    topology.write_text('[stations."CP-E"]\n1 = [1, 1]\n2 = [1, 2]\n')
    async with (
        run_bridge(csms_url=csms.url, topology_file=topology) as bridge,
        connect_station(bridge.url("CP-E"), factory=TriggeredStation) as station,
    ):
        server_side = await csms.wait_for("CP-E")
        unknown_evse = await server_side.call(
            call201.TriggerMessage(requested_message="StatusNotification", evse={"id": 5})
        )
        assert (unknown_evse.status, unknown_evse.status_info["reason_code"]) == ("Rejected", "UnknownEvse")
        unknown_connector = await server_side.call(
            call201.TriggerMessage(requested_message="StatusNotification", evse={"id": 1, "connector_id": 3})
        )
        assert (unknown_connector.status, unknown_connector.status_info["reason_code"]) == (
            "Rejected",
            "UnknownConnectorId",
        )
        assert station_calls(station) == []
        ok = await server_side.call(
            call201.TriggerMessage(requested_message="StatusNotification", evse={"id": 1, "connector_id": 2})
        )
        assert ok.status == "Accepted"
        assert station_calls(station)[0][3] == {"requestedMessage": "StatusNotification", "connectorId": 2}


async def test_the_16_trigger_name_gets_a_type_error_that_says_what_replaced_it(csms: CsmsServer) -> None:
    async with (
        run_bridge(csms_url=csms.url) as bridge,
        connect_station(bridge.url("CP-D"), factory=TriggeredStation) as station,
    ):
        server_side = await csms.wait_for("CP-D")
        answer = await trigger(server_side, {"requestedMessage": "DiagnosticsStatusNotification"})
        assert answer[2] == "TypeConstraintViolation"
        assert "replaced DiagnosticsStatusNotification with LogStatusNotification" in answer[3]
        assert "valid values: BootNotification, LogStatusNotification" in answer[3]
        assert len(answer[4]["validValues"]) == 11 and "TransactionEvent" in answer[4]["validValues"]
        assert_frame_valid("2.0.1", answer)
        assert station_calls(station) == []


@pytest.mark.parametrize("status", ["Rejected", "NotImplemented"])
async def test_the_stations_refusal_carries_over(csms: CsmsServer, status: str) -> None:
    class Refusing(TriggeredStation):
        answer = status

    async with run_bridge(csms_url=csms.url) as bridge, connect_station(bridge.url("CP-R"), factory=Refusing):
        server_side = await csms.wait_for("CP-R")
        response = await server_side.call(call201.TriggerMessage(requested_message="Heartbeat"))
        assert response.status == status


async def test_a_trigger_reaches_only_its_own_station(csms: CsmsServer) -> None:
    async with (
        run_bridge(csms_url=csms.url) as bridge,
        connect_station(bridge.url("CP-A"), factory=TriggeredStation) as a,
        connect_station(bridge.url("CP-B"), factory=TriggeredStation) as b,
    ):
        await (await csms.wait_for("CP-A")).call(call201.TriggerMessage(requested_message="Heartbeat"))
        await csms.wait_for("CP-B")
        await eventually(lambda: bool(csms.stations["CP-A"].received_calls("Heartbeat")))
        assert len(station_calls(a)) == 1
        assert station_calls(b) == []
        assert csms.stations["CP-B"].received_calls() == []


async def test_concurrent_triggers_to_one_station_correlate(csms: CsmsServer) -> None:
    async with (
        run_bridge(csms_url=csms.url) as bridge,
        connect_station(bridge.url("CP-C"), factory=TriggeredStation) as station,
    ):
        server_side = await csms.wait_for("CP-C")
        ws = server_side._connection
        await ws.send('[2,"first","TriggerMessage",{"requestedMessage":"Heartbeat"}]')
        await ws.send('[2,"second","TriggerMessage",{"requestedMessage":"SignV2GCertificate"}]')
        await ws.send(
            '[2,"third","TriggerMessage",{"requestedMessage":"StatusNotification","evse":{"id":3}}]'
        )

        def answers() -> dict[str, Any]:
            return {f[1]: f[2] for d, f in server_side.frames if d == "received" and f[0] == 3}

        await eventually(lambda: len(answers()) == 3)
        assert answers()["first"] == {"status": "Accepted"}
        assert answers()["second"]["status"] == "NotImplemented"
        assert answers()["third"] == {"status": "Accepted"}
        assert [f[3] for f in station_calls(station)] == [
            {"requestedMessage": "Heartbeat"},
            {"requestedMessage": "StatusNotification", "connectorId": 3},
        ]


async def test_notifications_a_station_sends_on_its_own_reach_the_csms_in_201_form(csms: CsmsServer) -> None:
    async with run_bridge(csms_url=csms.url) as bridge, connect_station(bridge.url("CP-S")) as station:
        await station.call(call16.FirmwareStatusNotification(status="Installing"))
        await station.call(call16.SignedFirmwareStatusNotification(status="InvalidSignature", request_id=9))
        await station.call(
            call16.SecurityEventNotification(
                type="FirmwareUpdated", timestamp="2026-01-01T00:00:00Z", tech_info="v2"
            )
        )
    server_side = csms.stations["CP-S"]
    frames = server_side.received_calls()
    for frame in frames:
        assert_frame_valid("2.0.1", frame)
    assert [f[2:] for f in frames] == [
        ["FirmwareStatusNotification", {"status": "Installing"}],
        ["FirmwareStatusNotification", {"status": "InvalidSignature", "requestId": 9}],
        [
            "SecurityEventNotification",
            {"type": "FirmwareUpdated", "timestamp": "2026-01-01T00:00:00Z", "techInfo": "v2"},
        ],
    ]


async def test_a_transaction_event_trigger_without_a_transaction_is_rejected(csms: CsmsServer) -> None:
    async with (
        run_bridge(csms_url=csms.url) as bridge,
        connect_station(bridge.url("CP-X"), factory=TriggeredStation) as station,
    ):
        server_side = await csms.wait_for("CP-X")
        response = await server_side.call(call201.TriggerMessage(requested_message="TransactionEvent"))
        assert (response.status, response.status_info["reason_code"]) == ("Rejected", "TxNotFound")
        assert station_calls(station) == []


def test_the_expiring_memories_follow_the_contexts_clock() -> None:
    # cachetools' TTLCache with the context's clock as its timer: a trigger's 60 s window, a
    # remembered remoteStartId and a TransactionEvent trigger all end on the same clock the tests drive
    from bridge.tables import load_tables
    from bridge.translate.context import StationContext

    now = [1000.0]
    ctx = StationContext("CP-CLOCK", load_tables(), clock=lambda: now[0], trigger_window=60)
    ctx.expect_trigger("BootNotification")
    ctx.expect_remote_start(None, 7)
    ctx.expect_tx_trigger(2)
    now[0] += 59
    assert ctx.take_remote_start(1) == 7  # any connector's
    assert ctx.take_remote_start(1) is None  # once
    now[0] += 2  # past the window
    assert not ctx.take_trigger("BootNotification")
    assert not ctx.take_tx_trigger(2)
    ctx.expect_trigger("BootNotification")
    assert ctx.take_trigger("BootNotification") and not ctx.take_trigger("BootNotification")
