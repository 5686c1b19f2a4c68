"""Actions whose fields are the same in 1.6 and 2.0.1 (listed in mappings/actions.toml).

They are not piped: the request was validated against the sender's schema before it gets here, and
is rebuilt as the receiver's model, so a field the receiver does not know cannot cross. Answers
going down to 1.6 lose 2.0.1's `statusInfo` and `customData`, which 1.6 has no place for.
"""

from __future__ import annotations

from typing import Any

from bridge.models import v16, v201
from bridge.models.base import Message
from bridge.translate.context import StationContext
from bridge.translate.registry import Forward, Outcome, Translator

V201_ONLY = ("statusInfo", "customData")


def _rebuild(model: type[Message], payload: Message) -> Message:
    data = {k: v for k, v in payload.to_json().items() if k not in V201_ONLY}
    return model.model_validate(data)


def translator(action: str, sender: str) -> Translator:
    """A translator for a same-shape action called by `sender` ("1.6" or "2.0.1")."""
    receiver_models = v201 if sender == "1.6" else v16
    sender_models = v16 if sender == "1.6" else v201

    def call(request: Message, ctx: StationContext) -> Outcome:
        return Forward(action, _rebuild(receiver_models.REQUESTS[action], request))

    def result(answer: Message, request: Any, ctx: StationContext, note: Any) -> Message:
        return _rebuild(sender_models.RESPONSES[action], answer)

    return Translator(action, call, result)
