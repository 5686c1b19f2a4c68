"""StatusNotification: 1.6 ChargePointStatus -> 2.0.1 connectorStatus, and connector faults.

- connectorId N -> evseId/connectorId through the station's topology (default EVSE N, connector 1).
- status -> connectorStatus with mappings/status.toml (Preparing, Charging, ... -> Occupied).
- timestamp is required in 2.0.1: the bridge's UTC clock fills it when the station left it out.
- errorCode/info/vendorId/vendorErrorCode have no field in 2.0.1 StatusNotification. An errorCode
  other than NoError is reported after the StatusNotification as a NotifyEvent on component
  `Connector` (with the EVSE), variable `Problem`, actualValue "true", techCode = vendorErrorCode or
  errorCode, techInfo = "errorCode <1.6 errorCode>" when a vendorErrorCode took the techCode, then
  "vendorId <vendorId>" and info, joined by "; ". The next NoError status of that connector clears it
  (actualValue "false", cleared true).
- With NoError, info/vendorId/vendorErrorCode (chargers put state there) go up the same way on the
  connector's `AvailabilityState` event (actualValue the connectorStatus): techCode = vendorErrorCode,
  techInfo as above. A status with none of them sends no such event.
- connectorId 0 (the whole charge point) has no 2.0.1 StatusNotification: it becomes a NotifyEvent
  on component `ChargingStation`, variable `AvailabilityState`, actualValue the mapped status
  (plus a `Problem` event when errorCode is not NoError). The station gets its empty answer once
  the CSMS has answered the NotifyEvent.
- During a transaction, a change to Charging / SuspendedEV / SuspendedEVSE (EVConnected for Preparing
  and Finishing) also goes up as a TransactionEvent Updated with that chargingState.
"""

from __future__ import annotations

from datetime import datetime

from bridge.models import v16, v201
from bridge.models.base import EMPTY, Payload, json_time
from bridge.translate.context import StationContext
from bridge.translate.registry import BridgeCall, Forward, Outcome, Refuse, up
from bridge.translate.transactions import charging_state_event

NO_ERROR = v16.StatusNotificationRequestErrorCode.NoError


def _event(
    ctx: StationContext,
    timestamp: datetime,
    component: v201.ComponentType,
    variable: str,
    actual_value: str,
    *,
    tech_code: str | None = None,
    tech_info: str | None = None,
    cleared: bool | None = None,
) -> v201.EventDataType:
    return v201.EventDataType(
        eventId=ctx.next_event_id(),
        timestamp=timestamp,
        trigger="Delta",
        actualValue=actual_value,
        techCode=tech_code,
        techInfo=tech_info,
        cleared=cleared,
        component=component,
        variable=v201.VariableType(name=variable),
        eventNotificationType="HardWiredNotification",
    )


def _notify(ctx: StationContext, events: list[v201.EventDataType]) -> v201.NotifyEventRequest:
    return v201.NotifyEventRequest(generatedAt=ctx.now(), seqNo=ctx.next_notify_seq(), eventData=events)


def _tech(request: v16.StatusNotificationRequest) -> tuple[str | None, str | None]:
    """(techCode, techInfo) for the 1.6 error fields: nothing of them is lost."""
    parts = []
    if request.vendorErrorCode and request.errorCode != NO_ERROR:
        parts.append(f"errorCode {request.errorCode.value}")  # the category behind the vendor's code
    if request.vendorId:
        parts.append(f"vendorId {request.vendorId}")
    if request.info:
        parts.append(request.info)
    code = request.vendorErrorCode or (request.errorCode.value if request.errorCode != NO_ERROR else None)
    return code, "; ".join(parts) or None


def _has_details(request: v16.StatusNotificationRequest) -> bool:
    return bool(request.info or request.vendorId or request.vendorErrorCode)


def _problem(
    ctx: StationContext,
    request: v16.StatusNotificationRequest,
    timestamp: datetime,
    component: v201.ComponentType,
) -> list[v201.EventDataType]:
    """The Problem event this status raises or clears, if any."""
    connector = request.connectorId
    if request.errorCode != NO_ERROR:
        ctx.connector_errors[connector] = request.errorCode.value
        code, info = _tech(request)
        return [_event(ctx, timestamp, component, "Problem", "true", tech_code=code, tech_info=info)]
    if ctx.connector_errors.pop(connector, None) is not None:
        return [_event(ctx, timestamp, component, "Problem", "false", cleared=True)]
    return []


@up.call("StatusNotification")
def status_notification(request: v16.StatusNotificationRequest, ctx: StationContext) -> Outcome:
    timestamp = request.timestamp or ctx.now()
    status = ctx.tables.connector_status[request.status]
    details = request.errorCode == NO_ERROR and _has_details(request)
    code, info = _tech(request) if details else (None, None)
    if request.connectorId == 0:
        component = v201.ComponentType(name="ChargingStation")
        events = [
            _event(
                ctx, timestamp, component, "AvailabilityState", status.value, tech_code=code, tech_info=info
            )
        ]
        events += _problem(ctx, request, timestamp, component)
        return Forward("NotifyEvent", _notify(ctx, events))
    evse = ctx.topology.to_evse(request.connectorId)
    if evse is None:
        return Refuse(
            "property_violation",
            f"connectorId {request.connectorId} is not in this station's topology ({ctx.topology.source})",
        )
    evse_id, connector_id = evse
    then: tuple[BridgeCall, ...] = ()
    if details or request.errorCode != NO_ERROR or request.connectorId in ctx.connector_errors:
        evse_type = v201.EVSEType(id=evse_id, connectorId=connector_id)
        component = v201.ComponentType(name="Connector", evse=evse_type)
        events = _problem(ctx, request, timestamp, component)
        if details:  # NoError with vendor details: carried on the connector's AvailabilityState
            events.append(
                _event(
                    ctx,
                    timestamp,
                    component,
                    "AvailabilityState",
                    status.value,
                    tech_code=code,
                    tech_info=info,
                )
            )
        then = (BridgeCall("NotifyEvent", _notify(ctx, events)),)
    # a plain dict, not a model: StatusNotification is a fifth of a fleet's traffic (see readings.py)
    forward = {
        "timestamp": json_time(timestamp),
        "connectorStatus": status,
        "evseId": evse_id,
        "connectorId": connector_id,
    }
    charging = charging_state_event(ctx, request, timestamp)
    if charging is not None:
        then += (charging,)
    return Forward("StatusNotification", forward, then=then)


@up.result("StatusNotification")
def status_notification_result(answer: object, request: object, ctx: StationContext, note: object) -> Payload:
    return EMPTY
