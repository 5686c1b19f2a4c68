"""Reservations, CSMS (2.0.1) -> station (1.6): ReserveNow, CancelReservation.

- ReserveNow: id -> reservationId, expiryDateTime -> expiryDate, idToken.idToken -> idTag,
  groupIdToken.idToken -> parentIdTag (dropped, logged, when longer than 1.6's 20 characters),
  evseId -> connectorId through the topology (no evseId: connector 0, any connector; the station
  accepts that only if it supports ReserveConnectorZeroSupported). An idToken longer than 20
  characters, or an EVSE the topology cannot name one 1.6 connector for, is answered Rejected by the
  bridge with statusInfo. connectorType has no 1.6 field and is dropped (logged). The answer's
  status carries over (same five names).
- CancelReservation: same field; status carries over.
"""

from __future__ import annotations

import logging

from bridge.models import v16, v201
from bridge.translate.context import StationContext
from bridge.translate.local_answer import Unresolved, connector_of, info
from bridge.translate.registry import Answer, Forward, Outcome, down

log = logging.getLogger(__name__)

ID_TAG_LENGTH = 20  # 1.6 IdToken maxLength


@down.call("ReserveNow")
def reserve_now(request: v201.ReserveNowRequest, ctx: StationContext) -> Outcome:
    token = request.idToken.idToken
    if len(token) > ID_TAG_LENGTH:
        text = f"idToken has {len(token)} characters; an OCPP 1.6 idTag holds at most {ID_TAG_LENGTH}"
        return Answer(v201.ReserveNowResponse(status="Rejected", statusInfo=info("InvalidIdToken", text)))
    connector = 0 if request.evseId is None else connector_of(ctx, request.evseId)
    if isinstance(connector, Unresolved):
        return Answer(v201.ReserveNowResponse(status="Rejected", statusInfo=connector.status_info))
    parent = request.groupIdToken.idToken if request.groupIdToken is not None else None
    if parent is not None and len(parent) > ID_TAG_LENGTH:
        log.info("ReserveNow %s: groupIdToken is longer than a 1.6 parentIdTag; dropped", request.id)
        parent = None
    if request.connectorType is not None:
        log.info("ReserveNow %s: OCPP 1.6 has no connectorType; dropped", request.id)
    return Forward(
        "ReserveNow",
        v16.ReserveNowRequest(
            connectorId=connector,
            expiryDate=request.expiryDateTime,
            idTag=token,
            parentIdTag=parent,
            reservationId=request.id,
        ),
    )


@down.result("ReserveNow")
def reserve_now_result(
    answer: v16.ReserveNowResponse, request: object, ctx: StationContext, note: object
) -> v201.ReserveNowResponse:
    return v201.ReserveNowResponse(status=answer.status.value)


@down.call("CancelReservation")
def cancel_reservation(request: v201.CancelReservationRequest, ctx: StationContext) -> Outcome:
    return Forward("CancelReservation", v16.CancelReservationRequest(reservationId=request.reservationId))


@down.result("CancelReservation")
def cancel_reservation_result(
    answer: v16.CancelReservationResponse, request: object, ctx: StationContext, note: object
) -> v201.CancelReservationResponse:
    return v201.CancelReservationResponse(status=answer.status.value)
