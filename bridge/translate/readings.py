"""1.6 meter readings as 2.0.1 meterValue objects, for MeterValues (bridge/translate/metering.py),
StartTransaction / StopTransaction and MeterValues in a transaction (bridge/translate/transactions.py).

- Each sampledValue: the string `value` becomes a number (a value that is not a number is refused
  with a PropertyConstraintViolation naming it, nothing is sent); `unit` -> unitOfMeasure.unit
  (Celcius -> Celsius, Hertz -> Hz, mappings/metering.toml); measurand, phase, location and context
  carry over; 1.6-only measurands (Temperature, RPM) have no 2.0.1 value and are dropped.
- `format: SignedData` samples carry a signed blob instead of a number: the blob goes into the
  `signedMeterValue.signedMeterData` of the Raw sample with the same measurand/phase/location/context
  (signingMethod, encodingMethod and publicKey, unknown in 1.6, are empty strings). A signed sample
  with no Raw twin is dropped, and so is a blob over 2.0.1's 2,500 characters (1.6 sets no limit; a
  cut signature verifies nothing): the reading itself still goes up, without its signature.

This runs for every sample of every MeterValues, the bulk of a fleet's traffic, so it works on
dicts both ways: the 1.6 readings arrive validated as TypedDicts (tools/gen_models.py AS_DICT), and
the 2.0.1 output is built as JSON-ready dicts, not models; tests/test_properties.py holds the output
to the official 2.0.1 schema for every payload the 1.6 schema allows. Enum members go in as they
are (they are strings; `.value` is a Python-level property call per field).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

from bridge.models import v16, v201
from bridge.models.base import json_time
from bridge.translate.context import StationContext
from bridge.translate.registry import Refuse

log = logging.getLogger(__name__)

SIGNED = v16.MeterValuesRequestMeterValueSampledValueFormat.SignedData
SampledValue16 = v16.MeterValuesRequestMeterValueSampledValue
# signedMeterData's maxLength in the 2.0.1 schema
SIGNED_MAX: int = next(
    m.max_length
    for m in v201.SignedMeterValueType.model_fields["signedMeterData"].metadata
    if hasattr(m, "max_length")
)


def _number(text: str) -> float | int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _note(ctx: StationContext, what: str, why: str) -> None:
    """Dropping part of a reading is normal for a given station and repeats with every reading:
    INFO once per connection, DEBUG after that."""
    if ctx.first_time(what):
        log.info("dropping %s from this station's readings: %s (logged once per connection)", what, why)
    else:
        log.debug("dropped %s: %s", what, why)


def _key(sample: SampledValue16) -> tuple[object, ...]:
    return (sample.get("measurand"), sample.get("phase"), sample.get("location"), sample.get("context"))


def sampled_values(samples: list[SampledValue16], ctx: StationContext) -> list[dict[str, Any]] | Refuse:
    """2.0.1 sampledValue objects (JSON-ready) for one 1.6 meterValue."""
    table = ctx.tables.metering
    signed = {_key(s): s["value"] for s in samples if s.get("format") == SIGNED}
    out: list[dict[str, Any]] = []
    for sample in samples:
        if sample.get("format") == SIGNED:
            continue
        value = _number(sample["value"])
        if value is None:
            return Refuse(
                "property_violation", f"sampledValue value {sample['value'][:40]!r} is not a number"
            )
        item: dict[str, Any] = {"value": value}
        if (measurand := sample.get("measurand")) is not None:
            item["measurand"] = table.measurands[measurand]
            if item["measurand"] is None:
                _note(ctx, f"measurand {measurand.value}", "OCPP 2.0.1 has no such measurand")
                continue
        if (context := sample.get("context")) is not None:
            item["context"] = context
        if (phase := sample.get("phase")) is not None:
            item["phase"] = phase
        if (location := sample.get("location")) is not None:
            item["location"] = location
        if (unit := sample.get("unit")) is not None:
            item["unitOfMeasure"] = {"unit": table.units[unit]}
        blob = signed.pop(_key(sample), None) if signed else None
        if blob is not None and len(blob) > SIGNED_MAX:
            _note(ctx, "signed data over 2,500 characters", "OCPP 2.0.1 signedMeterData holds at most 2,500")
            blob = None
        if blob is not None:
            item["signedMeterValue"] = {
                "signedMeterData": blob,
                "signingMethod": "",
                "encodingMethod": "",
                "publicKey": "",
            }
        out.append(item)
    if signed:
        _note(ctx, "unmatched signed samples", "signed samples without a matching Raw sample")
    return out


def meter_readings(readings: Sequence[Any], ctx: StationContext) -> list[dict[str, Any]] | Refuse:
    """2.0.1 meterValue objects (JSON-ready) for 1.6 readings (MeterValues.meterValue,
    StopTransaction.transactionData); readings left without a sample 2.0.1 can carry are dropped."""
    out = []
    for reading in readings:
        samples = sampled_values(reading["sampledValue"], ctx)
        if isinstance(samples, Refuse):
            return samples
        if samples:
            out.append({"timestamp": json_time(reading["timestamp"]), "sampledValue": samples})
    return out
