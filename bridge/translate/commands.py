"""Station commands, CSMS (2.0.1) -> station (1.6): Reset, ChangeAvailability, UnlockConnector,
ClearCache. Value tables: mappings/commands.toml.

- Reset: type Immediate -> Hard. OnIdle -> Soft once the station is idle: with transactions running,
  the bridge answers Scheduled itself and sends the Soft reset when the last one ends (a 1.6 Soft
  reset would end them instead of waiting). A Reset of one EVSE (`evseId`) is answered Rejected by the
  bridge: 1.6 resets only the whole charge point. The answer's status carries over; an accepted reset
  makes the station's next BootNotification go up with reason RemoteReset.
- ChangeAvailability: `evse` -> 1.6 connectorId through the topology (no `evse`: connector 0, the
  whole charge point); operationalStatus -> type (same names). An EVSE or connector the topology
  does not know is answered Rejected with statusInfo. Status carries over (same names).
- UnlockConnector: evseId/connectorId -> 1.6 connectorId through the topology; one the topology
  does not know is answered UnknownConnector. While a transaction runs on that connector the bridge
  answers OngoingAuthorizedTransaction itself, as 2.0.1 requires (a 1.6 unlock would end the
  transaction). Answer: Unlocked, UnlockFailed as they are; 1.6 NotSupported -> UnlockFailed.
- ClearCache: empty request; status carries over.
"""

from __future__ import annotations

from bridge.models import v16, v201
from bridge.translate.context import StationContext
from bridge.translate.local_answer import UNSUPPORTED, Unresolved, connector_of, info
from bridge.translate.registry import Answer, Forward, Outcome, down


@down.call("Reset")
def reset(request: v201.ResetRequest, ctx: StationContext) -> Outcome:
    if request.evseId is not None:
        text = f"OCPP 1.6J resets the whole charge point only; it cannot reset EVSE {request.evseId} alone"
        return Answer(v201.ResetResponse(status="Rejected", statusInfo=info(UNSUPPORTED, text)))
    if request.type == v201.ResetEnumType.OnIdle and ctx.running_transactions():
        ctx.reset_when_idle = True  # transactions.py sends the Soft reset when the last one ends
        return Answer(v201.ResetResponse(status="Scheduled"))
    ctx.reset_when_idle = False  # an Immediate reset (or an idle station) overtakes a scheduled one
    return Forward("Reset", v16.ResetRequest(type=ctx.tables.commands.reset_type[request.type]))


@down.result("Reset")
def reset_result(
    answer: v16.ResetResponse, request: v201.ResetRequest, ctx: StationContext, note: object
) -> v201.ResetResponse:
    if answer.status == v16.ResetResponseStatus.Accepted:
        ctx.boot_reasons[ctx.station_id] = "RemoteReset"
    return v201.ResetResponse(status=answer.status.value)


@down.call("ChangeAvailability")
def change_availability(request: v201.ChangeAvailabilityRequest, ctx: StationContext) -> Outcome:
    evse = request.evse
    connector = 0 if evse is None else connector_of(ctx, evse.id, evse.connectorId)
    if isinstance(connector, Unresolved):
        return Answer(v201.ChangeAvailabilityResponse(status="Rejected", statusInfo=connector.status_info))
    return Forward(
        "ChangeAvailability",
        v16.ChangeAvailabilityRequest(connectorId=connector, type=request.operationalStatus.value),
    )


@down.result("ChangeAvailability")
def change_availability_result(
    answer: v16.ChangeAvailabilityResponse, request: object, ctx: StationContext, note: object
) -> v201.ChangeAvailabilityResponse:
    return v201.ChangeAvailabilityResponse(status=answer.status.value)


@down.call("UnlockConnector")
def unlock_connector(request: v201.UnlockConnectorRequest, ctx: StationContext) -> Outcome:
    connector = connector_of(ctx, request.evseId, request.connectorId)
    if isinstance(connector, Unresolved) or connector == 0:
        status_info = (
            connector.status_info
            if isinstance(connector, Unresolved)
            else info("UnknownConnectorId", "EVSE 0 is the whole station, not a connector")
        )
        return Answer(v201.UnlockConnectorResponse(status="UnknownConnector", statusInfo=status_info))
    transaction = ctx.transaction_on_connector(connector)
    if transaction is not None:
        text = f"transaction {transaction} is running on this connector; stop it first"
        return Answer(
            v201.UnlockConnectorResponse(
                status="OngoingAuthorizedTransaction", statusInfo=info("TxInProgress", text)
            )
        )
    return Forward("UnlockConnector", v16.UnlockConnectorRequest(connectorId=connector))


@down.result("UnlockConnector")
def unlock_connector_result(
    answer: v16.UnlockConnectorResponse, request: object, ctx: StationContext, note: object
) -> v201.UnlockConnectorResponse:
    status = ctx.tables.commands.unlock_status[answer.status]
    if answer.status is v16.UnlockConnectorResponseStatus.NotSupported:
        text = "the OCPP 1.6 station answered NotSupported: it cannot unlock this connector remotely"
        return v201.UnlockConnectorResponse(status=status, statusInfo=info(UNSUPPORTED, text))
    return v201.UnlockConnectorResponse(status=status)


@down.call("ClearCache")
def clear_cache(request: v201.ClearCacheRequest, ctx: StationContext) -> Outcome:
    return Forward("ClearCache", v16.ClearCacheRequest())


@down.result("ClearCache")
def clear_cache_result(
    answer: v16.ClearCacheResponse, request: object, ctx: StationContext, note: object
) -> v201.ClearCacheResponse:
    return v201.ClearCacheResponse(status=answer.status.value)
