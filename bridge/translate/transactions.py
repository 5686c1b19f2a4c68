"""Transactions: 1.6 StartTransaction / MeterValues with a transactionId / StopTransaction become 2.0.1
TransactionEvent Started / Updated / Ended; RequestStart/StopTransaction go down as
RemoteStart/StopTransaction. Tables: mappings/transactions.toml.

- The bridge issues both ids: the 1.6 integer in StartTransaction.conf and a 2.0.1 UUID for the CSMS,
  and keeps the pair with the next seqNo in the store (bridge/store/), so a restart or a reconnect to
  another replica closes the transaction with the same id and the next seqNo.
- seqNo: 0 for Started, +1 per event of that transaction (Updated from MeterValues or a charging-state
  change, Ended).
- meterStart / meterStop go up as an Energy.Active.Import.Register sample in Wh (context
  Transaction.Begin / Transaction.End); StopTransaction's transactionData is folded into the Ended
  event's meterValue (readings without samples are dropped: 2.0.1 needs at least one).
- offline: true when the message's timestamp is older than --offline-after seconds: a station
  replaying its queue after a reconnect.
- triggerReason: Authorized (RemoteStart after a RequestStartTransaction for that connector, whose
  remoteStartId the Started event carries); MeterValuePeriodic / MeterValueClock / Trigger from the
  readings' context; ChargingStateChanged; the stop reason's row for Ended.
- A StopTransaction or MeterValues for a transactionId the store does not know (e.g. started before
  the bridge was deployed, or a store that lost its data) is not dropped: the bridge issues a 2.0.1
  id for it, keeps it under the station's 1.6 id (so the transaction's later messages share it), sends
  the event and logs a warning; the CSMS then sees an Ended without a Started.
- The store is never read mid-frame (bridge/translate/context.py keeps the connection's transactions);
  what a translation changes is saved by the session before the frames that refer to it are sent.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bridge.models import v16, v201
from bridge.models.base import EMPTY, Message, json_data, json_time
from bridge.store import TransactionRecord
from bridge.translate.authorize import id_tag_info
from bridge.translate.context import StationContext
from bridge.translate.local_answer import info as status_info
from bridge.translate.readings import meter_readings
from bridge.translate.registry import Answer, BridgeCall, Forward, Outcome, Refuse, Reply, down, up
from bridge.translate.smart_charging import convert_profile

log = logging.getLogger(__name__)

ENERGY = "Energy.Active.Import.Register"
# After a transaction message from a station's offline queue, the station is taken to be replaying
# that queue for this many seconds (GetTransactionStatus messagesInQueue).
REPLAY_WINDOW = 30.0


def _meter_reading(timestamp: datetime, value: int, context: str) -> dict[str, Any]:
    """meterStart/meterStop as a 2.0.1 meterValue, JSON-ready like metering.meter_readings'."""
    sample = {"value": value, "context": context, "measurand": ENERGY, "unitOfMeasure": {"unit": "Wh"}}
    return {"timestamp": json_time(timestamp), "sampledValue": [sample]}


def _evse(ctx: StationContext, connector_id: int) -> v201.EVSEType | None:
    evse = ctx.topology.to_evse(connector_id) if connector_id > 0 else None
    return v201.EVSEType(id=evse[0], connectorId=evse[1]) if evse is not None else None


def _record(ctx: StationContext, id16: int, connector_id: int) -> TransactionRecord:
    record = ctx.transaction(id16)
    if record is None:
        log.warning("transactionId %s is unknown to the store; issuing a 2.0.1 id for it", id16)
        record = ctx.adopt_transaction(id16, connector_id)
    return record


def _event(
    ctx: StationContext,
    record: TransactionRecord,
    event_type: str,
    timestamp: datetime,
    trigger: str,
    seq_no: int,
    **fields: object,
) -> dict[str, Any]:
    """A TransactionEvent payload, JSON-ready: the readings in it are dicts already, and building
    the model would validate every sample again (a MeterValues in a transaction, the bulk of a
    charging fleet's traffic, cost twice as much that way). tests/test_properties.py and the
    transaction tests hold every payload to the official 2.0.1 schema."""
    info: dict[str, Any] = {"transactionId": record.id201}
    for name in ("chargingState", "stoppedReason", "remoteStartId"):
        value = fields.pop(name, None)
        if value is not None:
            info[name] = value
    event: dict[str, Any] = {
        "eventType": event_type,
        "timestamp": json_time(timestamp),
        "triggerReason": trigger,
        "seqNo": seq_no,
    }
    if ctx.is_offline_replay(timestamp):
        event["offline"] = True
        ctx.replaying_until = ctx.clock() + REPLAY_WINDOW
    event["transactionInfo"] = info
    for name, value in fields.items():
        if value is not None:
            event[name] = json_data(value) if isinstance(value, Message) else value
    return event


# -- station -> CSMS -------------------------------------------------------------------------------


@up.call("StartTransaction")
def start_transaction(request: v16.StartTransactionRequest, ctx: StationContext) -> Outcome:
    remote_start_id = ctx.take_remote_start(request.connectorId)
    record = ctx.start_transaction(request.connectorId, remote_start_id)
    event = _event(
        ctx,
        record,
        "Started",
        request.timestamp,
        "RemoteStart" if remote_start_id is not None else "Authorized",
        0,
        remoteStartId=remote_start_id,
        reservationId=request.reservationId,
        evse=_evse(ctx, request.connectorId),
        idToken=v201.IdTokenType(idToken=request.idTag, type=ctx.id_token_type),
        meterValue=[_meter_reading(request.timestamp, request.meterStart, "Transaction.Begin")],
    )
    return Forward("TransactionEvent", event, note=record)


@up.result("StartTransaction")
def start_transaction_result(
    answer: v201.TransactionEventResponse, request: object, ctx: StationContext, note: TransactionRecord
) -> v16.StartTransactionResponse:
    info = id_tag_info(answer.idTokenInfo, ctx).to_json() if answer.idTokenInfo else {"status": "Accepted"}
    return v16.StartTransactionResponse.model_validate({"idTagInfo": info, "transactionId": note.id16})


def transaction_update(request: v16.MeterValuesRequest, ctx: StationContext) -> Outcome | None:
    """MeterValues that belong to a transaction as a TransactionEvent Updated, or None if none does."""
    triggered = ctx.take_tx_trigger(request.connectorId)
    if request.transactionId is not None:
        record = _record(ctx, request.transactionId, request.connectorId)
    elif triggered:
        record = ctx.active_transaction(request.connectorId)  # type: ignore[assignment]
        if record is None:
            return None
    else:
        return None
    readings = meter_readings(request.meterValue, ctx)
    if isinstance(readings, Refuse):
        return readings
    if not readings:
        return Answer(EMPTY)
    first = request.meterValue[0]["sampledValue"][0].get("context")
    trigger = (
        "Trigger" if triggered else ctx.tables.transactions.meter_trigger.get(first, "MeterValuePeriodic")
    )  # type: ignore[arg-type]
    seq = ctx.next_seq(record.id16)
    event = _event(
        ctx, record, "Updated", request.meterValue[-1]["timestamp"], trigger, seq, meterValue=readings
    )
    return Forward("TransactionEvent", event)


def charging_state_event(
    ctx: StationContext, request: v16.StatusNotificationRequest, timestamp: datetime
) -> BridgeCall | None:
    """A TransactionEvent Updated when a status change during a transaction changes chargingState."""
    state = ctx.tables.transactions.charging_state.get(request.status)
    record = ctx.active_transaction(request.connectorId) if state is not None else None
    if state is None or record is None or ctx.charging_states.get(request.connectorId) == state.value:
        return None
    ctx.charging_states[request.connectorId] = state.value
    seq = ctx.next_seq(record.id16)
    event = _event(ctx, record, "Updated", timestamp, "ChargingStateChanged", seq, chargingState=state)
    return BridgeCall("TransactionEvent", event)


@up.call("StopTransaction")
def stop_transaction(request: v16.StopTransactionRequest, ctx: StationContext) -> Outcome:
    record = ctx.transaction(request.transactionId)
    connector = record.connector_id if record is not None else 0
    record = record or _record(ctx, request.transactionId, 0)
    stopped, trigger = ctx.tables.transactions.stop_reason[
        request.reason or v16.StopTransactionRequestReason.Local
    ]
    readings = meter_readings(request.transactionData or [], ctx)
    if isinstance(readings, Refuse):
        return readings
    readings.append(_meter_reading(request.timestamp, request.meterStop, "Transaction.End"))
    seq = ctx.next_seq(record.id16)
    id_token = v201.IdTokenType(idToken=request.idTag, type=ctx.id_token_type) if request.idTag else None
    event = _event(
        ctx,
        record,
        "Ended",
        request.timestamp,
        trigger,
        seq,
        stoppedReason=stopped,
        evse=_evse(ctx, connector),
        idToken=id_token,
        meterValue=readings,
    )
    ctx.end_transaction(record.id16)
    ctx.charging_states.pop(connector, None)
    return Forward("TransactionEvent", event, note=record)


@up.result("StopTransaction")
def stop_transaction_result(
    answer: v201.TransactionEventResponse, request: object, ctx: StationContext, note: object
) -> Reply:
    if answer.idTokenInfo is None:
        response = v16.StopTransactionResponse()
    else:
        response = v16.StopTransactionResponse.model_validate(
            {"idTagInfo": id_tag_info(answer.idTokenInfo, ctx).to_json()}
        )
    if ctx.reset_when_idle and not ctx.running_transactions():
        # the Reset OnIdle the bridge answered Scheduled (commands.py): the station is idle now
        ctx.reset_when_idle = False
        ctx.boot_reasons[ctx.station_id] = "RemoteReset"
        log.info("the station's last transaction ended: sending the scheduled Reset (OnIdle) as Soft")
        return Reply(response, calls_to_sender=(BridgeCall("Reset", v16.ResetRequest(type="Soft")),))
    return Reply(response)


# -- CSMS -> station -------------------------------------------------------------------------------


@down.call("RequestStartTransaction")
def request_start(request: v201.RequestStartTransactionRequest, ctx: StationContext) -> Outcome:
    def rejected(code: str, info: str) -> Answer:
        return Answer(
            v201.RequestStartTransactionResponse(status="Rejected", statusInfo=status_info(code, info))
        )

    connector = None
    if request.evseId is not None:
        connector = ctx.topology.to_connector(request.evseId, None)
        if connector is None:
            return rejected("UnknownEvse", f"EVSE {request.evseId} is not in this station's topology")
    if len(request.idToken.idToken) > 20:
        return rejected("InvalidIdToken", "OCPP 1.6 idTags are at most 20 characters")
    profile = None
    if request.chargingProfile is not None:
        given = request.chargingProfile
        if given.chargingProfilePurpose != "TxProfile" or given.transactionId is not None:
            return rejected(
                "UnsupportedRequest", "RequestStartTransaction takes a TxProfile without transactionId"
            )
        converted = convert_profile(given, ctx)
        if isinstance(converted, v201.StatusInfoType):
            return Answer(v201.RequestStartTransactionResponse(status="Rejected", statusInfo=converted))
        profile = v16.RemoteStartTransactionRequestChargingProfile.model_validate(converted.to_json())
    ctx.expect_remote_start(connector, request.remoteStartId)
    return Forward(
        "RemoteStartTransaction",
        v16.RemoteStartTransactionRequest(
            connectorId=connector, idTag=request.idToken.idToken, chargingProfile=profile
        ),
    )


@down.result("RequestStartTransaction")
def request_start_result(
    answer: v16.RemoteStartTransactionResponse,
    request: v201.RequestStartTransactionRequest,
    ctx: StationContext,
    note: object,
) -> v201.RequestStartTransactionResponse:
    running = None
    if request.evseId is not None:
        connector = ctx.topology.to_connector(request.evseId, None)
        running = ctx.transaction_on_connector(connector) if connector is not None else None
    return v201.RequestStartTransactionResponse(status=answer.status.value, transactionId=running)


@down.call("RequestStopTransaction")
def request_stop(request: v201.RequestStopTransactionRequest, ctx: StationContext) -> Outcome:
    id16 = ctx.transaction_id_16(request.transactionId)
    if id16 is None:
        info = f"no ongoing transaction {request.transactionId} on this station"
        return Answer(
            v201.RequestStopTransactionResponse(status="Rejected", statusInfo=status_info("TxNotFound", info))
        )
    return Forward("RemoteStopTransaction", v16.RemoteStopTransactionRequest(transactionId=id16))


@down.result("RequestStopTransaction")
def request_stop_result(
    answer: v16.RemoteStopTransactionResponse, request: object, ctx: StationContext, note: object
) -> v201.RequestStopTransactionResponse:
    return v201.RequestStopTransactionResponse(status=answer.status.value)


@down.call("GetTransactionStatus")
def get_transaction_status(request: v201.GetTransactionStatusRequest, ctx: StationContext) -> Outcome:
    """Answered by the bridge from its own records (1.6 has no such request). ongoingIndicator: the
    transaction is running on this station. messagesInQueue: the station is replaying its offline
    queue (a transaction message with an old timestamp arrived in the last REPLAY_WINDOW seconds),
    since the bridge cannot see a 1.6 station's queue otherwise."""
    replaying = ctx.clock() < ctx.replaying_until
    if request.transactionId is None:
        return Answer(v201.GetTransactionStatusResponse(messagesInQueue=replaying))
    ongoing = ctx.transaction_id_16(request.transactionId) is not None
    return Answer(v201.GetTransactionStatusResponse(ongoingIndicator=ongoing, messagesInQueue=replaying))
