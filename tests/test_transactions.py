"""A whole charging session through the bridge, with real `ocpp` peers, restarts and a shared store."""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v201 import call as call201

from bridge.engine import Engine, Side
from bridge.store import TransactionRecord
from bridge.tables import load_tables
from bridge.translate.context import StationContext
from tests.conftest import (
    Connection,
    CsmsServer,
    Station,
    bridge_process,
    connect_station,
    eventually,
    run_bridge,
)
from tests.schemas import assert_frame_valid

T0 = "2026-05-01T10:00:00Z"


class ChargingStation(Station):
    """A 1.6 charger that starts a transaction when told to remotely and stops when told to."""

    def __init__(self, station_id: str, connection: Connection) -> None:
        super().__init__(station_id, connection)
        self.transaction_id: int | None = None
        self.started = asyncio.Event()
        self.stopped = asyncio.Event()

    @on("RemoteStartTransaction")
    def on_remote_start(
        self, id_tag: str, connector_id: int | None = None, **_: Any
    ) -> result16.RemoteStartTransaction:
        return result16.RemoteStartTransaction(status="Accepted")

    @after("RemoteStartTransaction")
    async def start_charging(self, id_tag: str, connector_id: int | None = None, **_: Any) -> None:
        answer = await self.call(
            call16.StartTransaction(
                connector_id=connector_id or 1, id_tag=id_tag, meter_start=1000, timestamp=T0
            )
        )
        self.transaction_id = answer.transaction_id
        self.started.set()

    @on("RemoteStopTransaction")
    def on_remote_stop(self, transaction_id: int) -> result16.RemoteStopTransaction:
        ok = transaction_id == self.transaction_id
        return result16.RemoteStopTransaction(status="Accepted" if ok else "Rejected")

    @after("RemoteStopTransaction")
    async def stop_charging(self, transaction_id: int) -> None:
        await self.call(
            call16.StopTransaction(
                meter_stop=4500,
                timestamp="2026-05-01T11:00:00Z",
                transaction_id=transaction_id,
                reason="Remote",
                transaction_data=[
                    {
                        "timestamp": "2026-05-01T10:30:00Z",
                        "sampledValue": [
                            {"value": "2800", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
                        ],
                    },
                    {"timestamp": "2026-05-01T10:45:00Z", "sampledValue": []},  # empty: 2.0.1 cannot carry it
                ],
            )
        )
        self.stopped.set()

    @on("TriggerMessage")
    def on_trigger(self, requested_message: str, connector_id: int | None = None) -> result16.TriggerMessage:
        return result16.TriggerMessage(status="Accepted")

    @after("TriggerMessage")
    async def triggered(self, requested_message: str, connector_id: int | None = None) -> None:
        if requested_message == "MeterValues":  # a triggered reading, without transactionId, as 1.6 allows
            reading = {
                "timestamp": "2026-05-01T10:40:00Z",
                "sampledValue": [{"value": "3100", "context": "Trigger"}],
            }
            await self.call(call16.MeterValues(connector_id=connector_id or 1, meter_value=[reading]))


def events(csms: CsmsServer, station_id: str) -> list[dict[str, Any]]:
    frames = csms.stations[station_id].received_calls("TransactionEvent")
    for frame in frames:
        assert_frame_valid("2.0.1", frame)
    return [frame[3] for frame in frames]


async def test_a_whole_remote_session_reaches_the_csms_as_one_coherent_transaction(csms: CsmsServer) -> None:
    async with (
        run_bridge(csms_url=csms.url) as bridge,
        connect_station(bridge.url("CP-SESSION"), factory=ChargingStation) as station,
    ):
        server_side = await csms.wait_for("CP-SESSION")
        await station.call(call16.BootNotification(charge_point_vendor="ACME", charge_point_model="W-11"))
        authorized = await station.call(call16.Authorize(id_tag="04A2B3C4D5"))
        assert authorized.id_tag_info["status"] == "Accepted"
        started = await server_side.call(
            call201.RequestStartTransaction(
                id_token={"id_token": "04A2B3C4D5", "type": "ISO14443"}, remote_start_id=4711, evse_id=1
            )
        )
        assert started.status == "Accepted"
        await asyncio.wait_for(station.started.wait(), 5)
        await station.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Charging"))
        await station.call(
            call16.MeterValues(
                connector_id=1,
                transaction_id=station.transaction_id,
                meter_value=[
                    {
                        "timestamp": "2026-05-01T10:15:00Z",
                        "sampledValue": [{"value": "1800", "context": "Sample.Periodic"}],
                    }
                ],
            )
        )
        await station.call(
            call16.StatusNotification(connector_id=1, error_code="NoError", status="SuspendedEV")
        )
        tx_id = events(csms, "CP-SESSION")[0]["transactionInfo"]["transactionId"]
        trigger = await server_side.call(
            call201.TriggerMessage(requested_message="TransactionEvent", evse={"id": 1})
        )
        assert trigger.status == "Accepted"
        await eventually(lambda: len(events(csms, "CP-SESSION")) == 5)
        stopped = await server_side.call(call201.RequestStopTransaction(transaction_id=tx_id))
        assert stopped.status == "Accepted"
        await asyncio.wait_for(station.stopped.wait(), 5)
        await eventually(lambda: len(events(csms, "CP-SESSION")) == 6)

    sequence = events(csms, "CP-SESSION")
    assert [e["seqNo"] for e in sequence] == list(range(6))
    assert [e["eventType"] for e in sequence] == [
        "Started",
        "Updated",
        "Updated",
        "Updated",
        "Updated",
        "Ended",
    ]
    assert {e["transactionInfo"]["transactionId"] for e in sequence} == {tx_id}
    assert [e["triggerReason"] for e in sequence] == [
        "RemoteStart",
        "ChargingStateChanged",
        "MeterValuePeriodic",
        "ChargingStateChanged",
        "Trigger",
        "RemoteStop",
    ]
    first, charging, periodic, suspended, triggered, ended = sequence
    assert first["transactionInfo"]["remoteStartId"] == 4711
    assert first["idToken"] == {"idToken": "04A2B3C4D5", "type": "ISO14443"}
    assert first["evse"] == {"id": 1, "connectorId": 1}
    assert first["meterValue"][0]["sampledValue"][0] == {
        "value": 1000,
        "context": "Transaction.Begin",
        "measurand": "Energy.Active.Import.Register",
        "unitOfMeasure": {"unit": "Wh"},
    }
    assert first["offline"] is True  # T0 lies months before the bridge's clock: a replay
    assert charging["transactionInfo"]["chargingState"] == "Charging"
    assert periodic["meterValue"][0]["sampledValue"] == [{"value": 1800, "context": "Sample.Periodic"}]
    assert suspended["transactionInfo"]["chargingState"] == "SuspendedEV"
    assert triggered["meterValue"][0]["sampledValue"][0]["value"] == 3100
    assert ended["transactionInfo"]["stoppedReason"] == "Remote"
    assert [m["sampledValue"][0]["value"] for m in ended["meterValue"]] == [2800, 4500]
    assert ended["meterValue"][-1]["sampledValue"][0]["context"] == "Transaction.End"
    # the station saw its own 1.6 integer id in RemoteStopTransaction
    remote_stop = [
        f for d, f in station.frames if d == "received" and f[0] == 2 and f[2] == "RemoteStopTransaction"
    ]
    assert remote_stop[0][3] == {"transactionId": station.transaction_id}


async def test_old_transaction_messages_go_up_as_offline(csms: CsmsServer) -> None:
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    just_now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    async with run_bridge(csms_url=csms.url) as bridge, connect_station(bridge.url("CP-OFF")) as station:
        old = await station.call(
            call16.StartTransaction(connector_id=2, id_tag="A", meter_start=0, timestamp=an_hour_ago)
        )
        await station.call(
            call16.StopTransaction(meter_stop=10, timestamp=just_now, transaction_id=old.transaction_id)
        )
    started, ended = events(csms, "CP-OFF")
    assert started["offline"] is True
    assert "offline" not in ended
    assert (started["seqNo"], ended["seqNo"]) == (0, 1)
    assert ended["triggerReason"] == "StopAuthorized" and ended["transactionInfo"]["stoppedReason"] == "Local"


async def test_unknown_2_0_1_transaction_id_is_rejected_without_asking_the_station(csms: CsmsServer) -> None:
    async with (
        run_bridge(csms_url=csms.url) as bridge,
        connect_station(bridge.url("CP-UNK"), factory=ChargingStation) as station,
    ):
        server_side = await csms.wait_for("CP-UNK")
        answer = await server_side.call(call201.RequestStopTransaction(transaction_id="no-such-transaction"))
        assert (answer.status, answer.status_info["reason_code"]) == ("Rejected", "TxNotFound")
        assert not [f for d, f in station.frames if d == "received" and f[0] == 2]


# -- restarts and replicas: real bridge processes ------------------------------------------------


async def start_on(url: str, station_id: str) -> int:
    async with connect_station(f"{url}/{station_id}", station_id) as station:
        answer = await station.call(
            call16.StartTransaction(connector_id=1, id_tag="CARD", meter_start=100, timestamp=T0)
        )
        await station.call(
            call16.MeterValues(
                connector_id=1,
                transaction_id=answer.transaction_id,
                meter_value=[{"timestamp": T0, "sampledValue": [{"value": "150"}]}],
            )
        )
        return answer.transaction_id


async def stop_on(url: str, station_id: str, transaction_id: int) -> None:
    async with connect_station(f"{url}/{station_id}", station_id) as station:
        await station.call(
            call16.StopTransaction(meter_stop=900, timestamp=T0, transaction_id=transaction_id)
        )


def assert_one_transaction(csms: CsmsServer, station_id: str) -> None:
    sequence = events(csms, station_id)
    assert [e["eventType"] for e in sequence] == ["Started", "Updated", "Ended"]
    assert [e["seqNo"] for e in sequence] == [0, 1, 2]
    assert len({e["transactionInfo"]["transactionId"] for e in sequence}) == 1


async def test_a_bridge_restart_mid_session_still_closes_the_transaction(
    csms: CsmsServer, tmp_path: Path
) -> None:
    store = f"sqlite:///{tmp_path}/bridge.sqlite3"
    async with bridge_process(csms.url, store) as (url, process):
        transaction_id = await start_on(url, "CP-RESTART")
        process.send_signal(signal.SIGKILL)  # no drain, no goodbye: the store must already hold it
        await process.wait()
    async with bridge_process(csms.url, store) as (url, _):
        await stop_on(url, "CP-RESTART", transaction_id)
    assert_one_transaction(csms, "CP-RESTART")


async def test_two_bridges_sharing_redis_continue_each_others_transactions(
    csms: CsmsServer, redis_url: str
) -> None:
    async with (
        bridge_process(csms.url, redis_url) as (first, _),
        bridge_process(csms.url, redis_url) as (second, _),
    ):
        transaction_id = await start_on(first, "CP-REPLICA")
        await stop_on(second, "CP-REPLICA", transaction_id)  # the station reconnected to the other replica
    assert_one_transaction(csms, "CP-REPLICA")


def test_remote_start_carries_a_tx_profile_the_way_1_6_takes_it() -> None:
    from tests.command_peers import down, engine

    bridge = engine()
    profile = {
        "id": 9,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": [
            {"id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.04}]}
        ],
    }
    request = {
        "idToken": {"idToken": "CARD", "type": "ISO14443"},
        "remoteStartId": 3,
        "evseId": 2,
        "chargingProfile": profile,
    }
    (to_station,), _ = down(bridge, "RequestStartTransaction", request)  # checked against the 1.6 schema
    assert to_station[3]["connectorId"] == 2
    assert to_station[3]["chargingProfile"]["chargingSchedule"]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 16.0}
    ]
    external = {**profile, "chargingProfilePurpose": "TxDefaultProfile"}
    to_station, (refused,) = down(
        engine(), "RequestStartTransaction", {**request, "chargingProfile": external}
    )
    assert to_station == [] and refused[2]["status"] == "Rejected"


def test_a_charging_session_costs_one_store_write_per_event_and_none_outside_a_transaction() -> None:
    # The live bridge saves what a translation changed before it sends the frames (bridge/engine.py,
    # StoreBatch); the statuses and meter readings of a running transaction are numbered from the
    # connection's memory, so each costs one write and nothing is read back.
    engine = Engine(StationContext("CP-COUNT", load_tables()), deferred_store=True)
    ts = datetime.now(UTC).isoformat()
    ids = itertools.count()
    writes: list[list[TransactionRecord]] = []

    def call(action: str, payload: dict[str, Any], answer: dict[str, Any]) -> list[Any]:
        """Send a station call; the CSMS answers it with `answer`, and the bridge's own follow-ups
        with {}. Returns every call that reached the CSMS."""
        sent: list[Any] = []
        todo = list(engine.receive(Side.STATION, json.dumps([2, f"m{next(ids)}", action, payload])))
        batch = engine.take_batch()
        if batch is not None:
            writes.append(batch.records)
            todo += engine.stored(batch, True)
        while todo:
            frame = json.loads(todo.pop(0).text)
            if frame[0] == 2:
                assert_frame_valid("2.0.1", frame)  # dict-built TransactionEvents too
                reply = answer if not sent else {}
                sent.append(frame)
                todo += engine.receive(Side.CSMS, json.dumps([3, frame[1], reply]))
                assert engine.take_batch() is None  # answers from the CSMS never touch the store
        return sent

    boot = {"chargePointVendor": "V", "chargePointModel": "M"}
    call("BootNotification", boot, {"currentTime": ts, "interval": 60, "status": "Accepted"})
    call("Heartbeat", {}, {"currentTime": ts})
    call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Preparing"}, {})
    assert writes == []  # nothing outside a transaction
    start = {"connectorId": 1, "idTag": "TAG", "meterStart": 0, "timestamp": ts}
    call("StartTransaction", start, {"idTokenInfo": {"status": "Accepted"}})
    ((tx,),) = writes
    assert (tx.next_seq, tx.ended) == (1, False)
    sample = [
        {"timestamp": ts, "sampledValue": [{"value": "10", "measurand": "Energy.Active.Import.Register"}]}
    ]
    for status in ["Charging", "SuspendedEV"] * 5:  # each a change of chargingState
        call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": status}, {})
        call("MeterValues", {"connectorId": 1, "transactionId": tx.id16, "meterValue": sample}, {})
    stop = {"transactionId": tx.id16, "meterStop": 10, "timestamp": ts}
    (ended,) = call("StopTransaction", stop, {})
    assert ended[2] == "TransactionEvent" and ended[3]["eventType"] == "Ended"
    assert ended[3]["seqNo"] == 21  # Started 0, then 10 charging-state changes and 10 readings
    assert len(writes) == 22 and all(len(w) == 1 for w in writes)  # one record per event, one write each
    assert writes[-1][0].ended and writes[-1][0].next_seq == 22


def test_frames_of_a_transaction_event_wait_for_its_record_and_a_failed_save_undoes_it() -> None:
    # The live bridge (deferred_store): nothing of a translation that changed a transaction leaves
    # before its record is saved; nothing overtakes it; a failed save answers InternalError and uses
    # up no seqNo, so the station's retry goes up as if the first attempt never happened.
    engine = Engine(StationContext("CP-HOLD", load_tables()), deferred_store=True)
    ts = datetime.now(UTC).isoformat()

    def station(message_id: str, action: str, payload: dict[str, Any]) -> list[Any]:
        return [
            json.loads(s.text)
            for s in engine.receive(Side.STATION, json.dumps([2, message_id, action, payload]))
        ]

    start = {"connectorId": 1, "idTag": "TAG", "meterStart": 0, "timestamp": ts}
    assert station("s1", "StartTransaction", start) == []  # held: the Started event waits for the store
    batch = engine.take_batch()
    assert batch is not None and [r.next_seq for r in batch.records] == [1]
    # a Heartbeat meanwhile (from the bridge's view: another frame of this station) does not overtake it
    assert station("h1", "Heartbeat", {}) == []
    (started,) = [json.loads(s.text) for s in engine.stored(batch, True)]  # only the Started: one in flight
    assert started[2] == "TransactionEvent" and started[3]["eventType"] == "Started"
    sends = engine.receive(Side.CSMS, json.dumps([3, started[1], {}]))
    (answer,) = [json.loads(s.text) for s in sends if s.side is Side.STATION]
    (heartbeat,) = [json.loads(s.text) for s in sends if s.side is Side.CSMS]  # now its turn
    assert answer[:2] == [3, "s1"] and heartbeat[2] == "Heartbeat"
    tx = answer[2]["transactionId"]
    engine.receive(Side.CSMS, json.dumps([3, heartbeat[1], {"currentTime": ts}]))

    sample = [{"timestamp": ts, "sampledValue": [{"value": "5"}]}]
    readings = {"connectorId": 1, "transactionId": tx, "meterValue": sample}
    assert station("m1", "MeterValues", readings) == []
    failed = engine.take_batch()
    assert failed is not None
    (refused,) = [json.loads(s.text) for s in engine.stored(failed, False, "no answer within 2 s")]
    assert refused[:3] == [4, "m1", "InternalError"] and "store" in refused[3]
    assert station("m2", "MeterValues", readings) == []  # the station's retry
    retried = engine.take_batch()
    assert retried is not None
    (updated,) = [json.loads(s.text) for s in engine.stored(retried, True)]
    assert updated[3]["eventType"] == "Updated" and updated[3]["seqNo"] == 1  # not 2: nothing used up
