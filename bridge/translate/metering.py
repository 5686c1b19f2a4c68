"""MeterValues, station (1.6) -> CSMS (2.0.1), with the tables in mappings/metering.toml.

- connectorId -> evseId through the station's topology (connector 0, the main meter, is EVSE 0).
- meterValue -> meterValue, sample by sample (bridge/translate/readings.py: numbers, units,
  measurands, signed data).
- Readings with a `transactionId` (or answering a TransactionEvent trigger) belong to a transaction:
  they go up as TransactionEvent Updated (bridge/translate/transactions.py).
- When nothing is left to send, the bridge answers the station itself (2.0.1 needs at least one
  meterValue with one sample).
"""

from __future__ import annotations

import logging

from bridge.models import v16
from bridge.models.base import EMPTY, Payload
from bridge.translate.context import StationContext
from bridge.translate.readings import meter_readings
from bridge.translate.registry import Answer, Forward, Outcome, Refuse, up
from bridge.translate.transactions import transaction_update

log = logging.getLogger(__name__)


@up.call("MeterValues")
def meter_values(request: v16.MeterValuesRequest, ctx: StationContext) -> Outcome:
    in_transaction = transaction_update(request, ctx)
    if in_transaction is not None:
        return in_transaction
    evse = ctx.topology.to_evse(request.connectorId)
    if evse is None:
        return Refuse(
            "property_violation",
            f"connectorId {request.connectorId} is not in this station's topology ({ctx.topology.source})",
        )
    meter_values_out = meter_readings(request.meterValue, ctx)
    if isinstance(meter_values_out, Refuse):
        return meter_values_out
    if not meter_values_out:
        level = logging.INFO if ctx.first_time("empty MeterValues") else logging.DEBUG
        log.log(level, "MeterValues had no sample OCPP 2.0.1 can carry; answered by the bridge")
        return Answer(EMPTY)
    return Forward("MeterValues", {"evseId": evse[0], "meterValue": meter_values_out})


@up.result("MeterValues")
def meter_values_result(answer: object, request: object, ctx: StationContext, note: object) -> Payload:
    return EMPTY
