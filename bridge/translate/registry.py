"""The translator registry: which function translates which action, in which direction.

A call translator takes the validated request (a model of the sender's version) and the station's
context and returns one outcome:

- `Forward`: send this action and payload to the other side (and, optionally, follow-up calls the
  bridge makes itself once the answer is in);
- `Answer`: the bridge answers the sender itself, nothing crosses;
- `Refuse`: the bridge answers with a CALLERROR (a reason from mappings/errors.toml).

A result translator takes the other side's validated answer and returns the sender's answer.
Register with the decorators, keyed by the sender's action name:

    @up.call("BootNotification")        # station (1.6) -> CSMS (2.0.1)
    @up.result("BootNotification")
    @down.call("TriggerMessage")        # CSMS (2.0.1) -> station (1.6)
    @down.result("TriggerMessage")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bridge.models.base import Payload
from bridge.translate.context import StationContext


@dataclass(slots=True)  # not frozen: a frozen init costs a setattr call per field, per frame
class BridgeCall:
    """A call the bridge itself makes to the receiver (its answer is checked, then consumed)."""

    action: str
    payload: Payload


@dataclass(slots=True)
class Forward:
    action: str
    payload: Payload
    note: Any = None  # handed to the result translator, e.g. what the call asked for
    then: tuple[BridgeCall, ...] = ()


@dataclass(slots=True)
class Answer:
    payload: Payload
    then: tuple[BridgeCall, ...] = ()  # calls the bridge makes to the receiver instead


@dataclass(slots=True)
class Refuse:
    reason: str
    description: str


@dataclass(slots=True)
class Reply:
    """A result translator's answer to the sender, plus calls the bridge then makes to the sender
    (e.g. GetBaseReport: the answer, then NotifyReport frames built from the station's configuration)."""

    payload: Payload
    calls_to_sender: tuple[BridgeCall, ...] = ()


@dataclass(slots=True)
class Continue:
    """A result translator's next call to the same receiver for the same request, instead of an
    answer yet (SetVariables: one ChangeConfiguration per item). The engine sends it under a new
    message id and hands its answer to the same result translator with `note`, which carries what
    the chain has gathered so far; the caller gets one answer when a step returns one."""

    action: str
    payload: Payload
    note: Any = None


Outcome = Forward | Answer | Refuse
CallTranslator = Callable[[Any, StationContext], Outcome]
# (answer from the receiver, the original request, context, note) -> sender's answer or a refusal
ResultTranslator = Callable[[Any, Any, StationContext, Any], Payload | Reply | Refuse | Continue]


@dataclass
class Translator:
    action: str
    call: CallTranslator | None = None
    result: ResultTranslator | None = None


@dataclass(eq=False)  # compared and hashed by identity: the engine caches per registry
class Registry:
    """Translators for calls made by one side (`sender`) and answered by the other (`receiver`)."""

    sender: str
    receiver: str
    translators: dict[str, Translator] = field(default_factory=dict)

    def _entry(self, action: str) -> Translator:
        return self.translators.setdefault(action, Translator(action))

    def call(self, action: str) -> Callable[[CallTranslator], CallTranslator]:
        def register(function: CallTranslator) -> CallTranslator:
            entry = self._entry(action)
            if entry.call is not None:
                raise ValueError(f"{self.sender} call {action} registered twice")
            entry.call = function
            return function

        return register

    def result(self, action: str) -> Callable[[ResultTranslator], ResultTranslator]:
        def register(function: ResultTranslator) -> ResultTranslator:
            entry = self._entry(action)
            if entry.result is not None:
                raise ValueError(f"{self.sender} result {action} registered twice")
            entry.result = function
            return function

        return register

    def get(self, action: str) -> Translator | None:
        entry = self.translators.get(action)
        return entry if entry is not None and entry.call is not None else None


up = Registry(sender="1.6", receiver="2.0.1")  # calls a station makes
down = Registry(sender="2.0.1", receiver="1.6")  # calls the CSMS makes
