"""A mixed fleet on one endpoint: 2.0.1 stations passed through, 1.6 stations translated, one CSMS."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from ocpp.routing import on
from ocpp.v16 import call as call16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from tests.conftest import Connection, CsmsServer, RunningBridge, connect_station, exchange, now
from tests.schemas import assert_frame_valid


class Station201(ChargePoint201):
    """A 2.0.1 charging station from the `ocpp` package (validates against the official schemas)."""

    def __init__(self, station_id: str, connection: Connection) -> None:
        super().__init__(station_id, connection, response_timeout=5)
        self.frames = connection.log

    @on("GetVariables")
    def on_get_variables(self, get_variable_data: list[dict[str, Any]]) -> result201.GetVariables:
        return result201.GetVariables(
            get_variable_result=[
                {"attributeStatus": "Accepted", "attributeValue": "42", **item} for item in get_variable_data
            ]
        )


@contextlib.asynccontextmanager
async def connect_201(
    url: str, station_id: str, protocols: tuple[str, ...] = ("ocpp2.0.1",)
) -> AsyncIterator[Any]:
    async with aiohttp.ClientSession() as session, session.ws_connect(url, protocols=protocols) as ws:
        assert ws.protocol == "ocpp2.0.1"
        station = Station201(station_id, Connection(ws, []))
        task = __import__("asyncio").create_task(station.start())
        try:
            yield station
        finally:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


async def session_201(station: Station201) -> None:
    """Boot, authorize, a transaction with a meter value, its end: what a 2.0.1 station does."""
    boot = await station.call(
        call201.BootNotification(
            charging_station={"model": "Wallbox-22", "vendorName": "ACME"}, reason="PowerUp"
        )
    )
    assert boot.status == "Accepted" and boot.interval == 300
    auth = await station.call(call201.Authorize(id_token={"idToken": "TAG-1", "type": "ISO14443"}))
    assert auth.id_token_info["status"] == "Accepted"
    base = {"timestamp": now(), "evse": {"id": 1, "connectorId": 1}}
    started = await station.call(
        call201.TransactionEvent(
            event_type="Started",
            trigger_reason="Authorized",
            seq_no=0,
            transaction_info={"transactionId": "tx-201-a"},
            id_token={"idToken": "TAG-1", "type": "ISO14443"},
            timestamp=base["timestamp"],
            evse=base["evse"],
        )
    )
    assert started.id_token_info["status"] == "Accepted"
    await station.call(
        call201.MeterValues(
            evse_id=1,
            meter_value=[{"timestamp": now(), "sampledValue": [{"value": 1234.5}]}],
        )
    )
    await station.call(
        call201.TransactionEvent(
            event_type="Ended",
            trigger_reason="StopAuthorized",
            seq_no=1,
            transaction_info={"transactionId": "tx-201-a", "stoppedReason": "Local"},
            timestamp=now(),
        )
    )


async def session_16(station: Any) -> None:
    boot = await station.call(
        call16.BootNotification(charge_point_vendor="ACME", charge_point_model="Wallbox-11")
    )
    assert boot.status == "Accepted"
    auth = await station.call(call16.Authorize(id_tag="TAG-2"))
    assert auth.id_tag_info["status"] == "Accepted"
    start = await station.call(
        call16.StartTransaction(connector_id=1, id_tag="TAG-2", meter_start=0, timestamp=now())
    )
    await station.call(
        call16.StopTransaction(meter_stop=900, timestamp=now(), transaction_id=start.transaction_id)
    )


async def test_a_201_station_and_a_16_station_share_the_bridge_and_the_csms(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    async with (
        connect_201(bridge.url("CP-201"), "CP-201") as new,
        connect_station(bridge.url("CP-16")) as old,
    ):
        await session_201(new)
        await session_16(old)
        async with aiohttp.ClientSession() as http, http.get(bridge.http + "/metrics") as r:
            text = await r.text()
        # the CSMS calls the 2.0.1 station: the call and its answer cross unchanged
        upstream = csms.stations["CP-201"]
        answer = await upstream.call(
            call201.GetVariables(
                get_variable_data=[
                    {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
                ]
            )
        )
        assert answer.get_variable_result[0]["attribute_value"] == "42"
    assert 'bridge_connected_stations{mode="passthrough"} 1.0' in text
    assert 'bridge_connected_stations{mode="primary"} 1.0' in text

    # what the 2.0.1 station sent is exactly what the CSMS received, frame for frame (ids included)
    sent = [f for d, f in new.frames if d == "sent" and f[0] == 2]
    received = upstream.received_calls()
    assert received == sent
    assert [f[2] for f in received] == [
        "BootNotification", "Authorize", "TransactionEvent", "MeterValues", "TransactionEvent"
    ]  # fmt: skip
    # and the answers the station got are the CSMS's own, unchanged
    answers_sent = [f for d, f in upstream.frames if d == "sent" and f[0] == 3]
    answers_got = [f for d, f in new.frames if d == "received" and f[0] == 3]
    assert answers_got == answers_sent
    # the 1.6 station was translated as always, into valid 2.0.1
    translated = csms.stations["CP-16"].received_calls()
    assert [f[2] for f in translated] == [
        "BootNotification",
        "Authorize",
        "TransactionEvent",
        "TransactionEvent",
    ]
    for frame in translated:
        assert_frame_valid("2.0.1", frame)


async def test_a_201_station_is_guarded_like_a_translated_one(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    """Bad input from a passed-through station is answered with a 2.0.1 CALLERROR and never reaches
    the CSMS; a call the CSMS does not get an answer to is answered by the bridge."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(bridge.url("CP-201B"), protocols=("ocpp2.0.1",)) as ws,
    ):
        assert ws.protocol == "ocpp2.0.1"
        wrong_type = await exchange(ws, '[2,"m1","Heartbeat",{"extra":1}]')
        assert wrong_type[:2] == [4, "m1"]
        assert_frame_valid("2.0.1", wrong_type)
        not_201 = await exchange(ws, '[2,"m2","StartTransaction",{"connectorId":1}]')
        assert not_201[:3] == [4, "m2", "NotImplemented"]
        garbage = await exchange(ws, "[2,")
        assert garbage[2] == "RpcFrameworkError"  # 2.0.1's code, where a 1.6 station gets FormationViolation
        ok = await exchange(ws, '[2,"m3","Heartbeat",{}]')
        assert ok[0] == 3 and "currentTime" in ok[2]
    upstream = csms.stations["CP-201B"]
    assert [f[2] for f in upstream.received_calls()] == ["Heartbeat"]


@pytest.mark.parametrize(
    ("offered", "expected"),
    [
        (("ocpp2.0.1", "ocpp1.6"), "ocpp2.0.1"),
        (("ocpp1.6", "ocpp2.0.1"), "ocpp1.6"),
        (("ocpp2.1", "ocpp2.0.1"), "ocpp2.0.1"),
    ],
)
async def test_the_first_protocol_the_station_offers_that_the_bridge_speaks_wins(
    csms: CsmsServer, bridge: RunningBridge, offered: tuple[str, ...], expected: str
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(bridge.url("CP-P"), protocols=offered) as ws,
    ):
        assert ws.protocol == expected
        answer = await exchange(ws, '[2,"h","Heartbeat",{}]')
        assert answer[0] == 3


async def test_a_station_offering_neither_version_is_refused_with_a_reason(
    csms: CsmsServer, bridge: RunningBridge, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(bridge.url("CP-X"), protocols=("ocpp1.5", "ocpp2.1"))
    assert refused.value.status == 400
    assert "offer WebSocket subprotocol ocpp1.6 or ocpp2.0.1 (it offered: ocpp1.5, ocpp2.1)" in caplog.text
    assert csms.requests == []  # the CSMS never heard of it


async def test_a_201_station_is_mirrored_and_drained_like_a_translated_one(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(bridge.url("CP-201M"), protocols=("ocpp2.0.1",)) as ws:
            await csms.wait_for("CP-201M")
            await csms.drop_all()  # the CSMS goes: the station is closed so that it queues offline
            message = await ws.receive(timeout=5)  # the close frame itself says what the bridge sent
            assert (message.type, message.data) == (aiohttp.WSMsgType.CLOSE, 1013)
        async with session.ws_connect(bridge.url("CP-201N"), protocols=("ocpp2.0.1",)) as ws:
            await csms.wait_for("CP-201N")
            await bridge.server.drain(grace=2)
            message = await ws.receive(timeout=5)
            assert (message.type, message.data) == (aiohttp.WSMsgType.CLOSE, 1001)
