"""Same version on both sides: the engine for a station whose CSMS speaks its own OCPP version.

A 2.0.1 station in front of the 2.0.1 CSMS, or a 1.6 station in front of a legacy 1.6 CSMS
(bridge/modes.py), is not translated but still guarded like a translated one: every frame is
parsed, every call and every answer validated against that version's schemas, bad input answered
with that version's CALLERROR code, calls bounded (--max-pending-calls, one in flight, timeouts),
counted in the same metrics. What passes is the sender's payload exactly as it arrived.

It is the translating Engine with both legs of one version and one translator that forwards:
everything else (pending tables, expiry, error answers) is shared code, so a passed-through
station cannot drift from a translated one in how it is protected.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from pydantic import ValidationError

from bridge import rpc
from bridge.engine import Engine, Leg, PendingTable, Send, Side, _validators
from bridge.models import v16, v201
from bridge.models.base import Message
from bridge.translate.context import StationContext
from bridge.translate.registry import Forward, Outcome, Translator

# version -> (generated models, column of mappings/errors.toml)
VERSIONS: dict[str, tuple[ModuleType, str]] = {"1.6": (v16, "v16"), "2.0.1": (v201, "v201")}


class PassthroughEngine(Engine):
    """Validates both ways against `version`'s schemas and forwards each payload unchanged."""

    def __init__(self, ctx: StationContext, *, version: str = "2.0.1", **options: Any) -> None:
        options["repairs"] = (
            False  # the repairs table (mappings/repairs.toml) is for 1.6 stations in translation
        )
        super().__init__(ctx, **options)
        models, key = VERSIONS[version]
        self.version = version
        self._raw: dict[str, Any] = {}  # the payload of the frame being handled, as it arrived
        self._action = ""
        forward = Translator("*", self._forward_raw, self._result_raw)
        translators = dict.fromkeys(models.REQUESTS, forward)
        errors = ctx.tables.errors
        codes = errors.v16_codes if key == "v16" else errors.v201_codes
        for side, leg_name in ((Side.STATION, "station"), (Side.CSMS, "csms")):
            leg = Leg(
                side,
                version,
                key,
                _validators(models, "REQUESTS"),
                _validators(models, "RESPONSES"),
                translators,
                PendingTable(self.call_timeout, self.clock),
                {},  # codes cross unchanged: both peers spell them the same way
                codes,
            )
            setattr(self, leg_name, leg)

    def _forward_raw(self, request: Message, ctx: StationContext) -> Outcome:
        return Forward(self._action, self._raw)

    def _result_raw(self, answer: Message, request: Any, ctx: StationContext, note: Any) -> dict[str, Any]:
        return self._raw

    def _on_call(self, leg: Leg, call: rpc.Call, out: list[Send]) -> None:
        self._raw, self._action = call.payload, call.action
        super()._on_call(leg, call, out)

    def _on_result(self, leg: Leg, result: rpc.CallResult, out: list[Send]) -> None:
        self._raw = result.payload
        super()._on_result(leg, result, out)

    def _repaired(
        self, leg: Leg, call: rpc.Call, validate: Any, exc: ValidationError, out: list[Send]
    ) -> None:
        """No repairs: a call that breaks its schema is refused with the version's code."""
        reason, description, details = self._violation(exc)
        self._refuse(leg, call.id, reason, f"{call.action}: {description}", out, details)
        return None
