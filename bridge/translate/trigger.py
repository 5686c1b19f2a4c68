"""TriggerMessage, CSMS (2.0.1) -> station (1.6), with the table in mappings/triggers.toml.

- A requestedMessage 1.6 can express goes down as 1.6 TriggerMessage (LogStatusNotification as
  DiagnosticsStatusNotification), or, for stations configured with the 1.6 security extension, as
  ExtendedTriggerMessage (SignChargingStationCertificate as SignChargePointCertificate, and
  LogStatusNotification as itself so the station answers with a requestId).
- One 1.6J cannot express (SignV2GCertificate, SignCombinedCertificate,
  PublishFirmwareStatusNotification) is answered by the bridge: NotImplemented with a statusInfo
  saying why. Nothing goes to the station.
- TransactionEvent is emulated: a MeterValues trigger on the connector of the ongoing transaction.
- `evse` picks the 1.6 connectorId through the station's topology for StatusNotification and
  MeterValues; an EVSE or connector the topology does not know is answered Rejected. For the other
  messages the station answers as a whole and `evse` is ignored.
- The answer's status (Accepted, Rejected, NotImplemented) carries over. After Accepted the bridge
  remembers the trigger, so a triggered BootNotification goes up with reason Triggered.
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.models import v16, v201
from bridge.translate.context import StationContext
from bridge.translate.registry import Answer, Forward, Outcome, down

UNSUPPORTED = "UnsupportedRequest"


@dataclass(frozen=True)
class TriggerNote:
    expected_action: str  # the 1.6 call the station will make if it accepts


def _refuse(status: str, reason_code: str, info: str) -> Answer:
    return Answer(
        v201.TriggerMessageResponse(
            status=status, statusInfo=v201.StatusInfoType(reasonCode=reason_code, additionalInfo=info[:512])
        )
    )


def _connector_id(request: v201.TriggerMessageRequest, ctx: StationContext) -> int | Answer | None:
    """The 1.6 connectorId for this trigger, None for the whole station, or a Rejected answer."""
    evse = request.evse
    if evse is None or request.requestedMessage not in ctx.tables.triggers.uses_evse:
        return None
    topology = ctx.topology
    connector = topology.to_connector(evse.id, evse.connectorId)
    if connector is not None:
        return connector
    known_evse = bool(topology.evse_connectors(evse.id)) if topology.connectors else evse.id >= 0
    if not known_evse:
        return _refuse(
            "Rejected", "UnknownEvse", f"EVSE {evse.id} is not in this station's topology ({topology.source})"
        )
    if evse.connectorId is not None:
        return _refuse(
            "Rejected", "UnknownConnectorId", f"EVSE {evse.id} has no connector {evse.connectorId}"
        )
    return None  # an EVSE with several 1.6 connectors: the station reports all of them


@down.call("TriggerMessage")
def trigger_message(request: v201.TriggerMessageRequest, ctx: StationContext) -> Outcome:
    table = ctx.tables.triggers
    wanted = request.requestedMessage
    if wanted in table.not_expressible:
        return _refuse("NotImplemented", UNSUPPORTED, table.not_expressible[wanted])
    if wanted in table.emulated:
        return _transaction_event(request, ctx)
    connector = _connector_id(request, ctx)
    if isinstance(connector, Answer):
        return connector
    if ctx.security_extension and wanted in table.extended:
        name = table.extended[wanted]
        return Forward(
            "ExtendedTriggerMessage",
            v16.ExtendedTriggerMessageRequest(requestedMessage=name, connectorId=connector),
            note=TriggerNote(table.triggered_action[name.value]),
        )
    if wanted not in table.plain:
        info = (
            f"{wanted.value} needs the OCPP 1.6 security extension, which this station is not configured for"
        )
        return _refuse("NotImplemented", UNSUPPORTED, info)
    name16 = table.plain[wanted]
    return Forward(
        "TriggerMessage",
        v16.TriggerMessageRequest(requestedMessage=name16, connectorId=connector),
        note=TriggerNote(table.triggered_action[name16.value]),
    )


def _transaction_event(request: v201.TriggerMessageRequest, ctx: StationContext) -> Outcome:
    """TransactionEvent: a MeterValues trigger on the transaction's connector; its MeterValues go up as
    TransactionEvent Updated with triggerReason Trigger (bridge/translate/transactions.py)."""
    active = ctx.running_transactions()
    if request.evse is not None:
        connector = ctx.topology.to_connector(request.evse.id, request.evse.connectorId)
        active = [r for r in active if r.connector_id == connector]
    if len(active) != 1:
        what = "on that EVSE" if request.evse is not None else "to pick (give an evse)"
        info = f"{'no' if not active else 'more than one'} ongoing transaction {what}"
        return _refuse("Rejected", "TxNotFound", info)
    record = active[0]
    ctx.expect_tx_trigger(record.connector_id)
    name = ctx.tables.triggers.emulated[request.requestedMessage]
    return Forward(
        "TriggerMessage",
        v16.TriggerMessageRequest(requestedMessage=name, connectorId=record.connector_id),
        note=TriggerNote(ctx.tables.triggers.triggered_action[name.value]),
    )


@down.result("TriggerMessage")
def trigger_message_result(
    answer: v16.TriggerMessageResponse | v16.ExtendedTriggerMessageResponse,
    request: v201.TriggerMessageRequest,
    ctx: StationContext,
    note: TriggerNote,
) -> v201.TriggerMessageResponse:
    if answer.status.value == "Accepted":
        ctx.expect_trigger(note.expected_action)
    return v201.TriggerMessageResponse(status=answer.status.value)
