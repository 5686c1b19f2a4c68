"""Actions whose fields are the same in 1.6 and 2.0.1 (listed in mappings/actions.toml).

They are not piped: the request was validated against the sender's schema before it gets here, and
what crosses is that validated model dumped again, so a field the sender's schema does not know
cannot cross, and a date-time without an offset goes on with its UTC offset. Answers going down to
1.6 lose 2.0.1's `statusInfo` and `customData`, which 1.6 has no place for.

The two official schemas of each listed action are identical apart from those two fields
(tests/test_properties.py checks it for every action in the table), so what is valid for the
sender is valid for the receiver and is not validated a second time.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from bridge.models.base import Message
from bridge.translate.context import StationContext
from bridge.translate.registry import Forward, Outcome, Translator

V201_ONLY = ("statusInfo", "customData")


def _data(payload: Message) -> dict[str, Any]:
    data = payload.to_json()
    for name in V201_ONLY:
        data.pop(name, None)
    return data


@cache
def translator(action: str, sender: str) -> Translator:
    """The translator for a same-shape action called by `sender` ("1.6" or "2.0.1")."""

    def call(request: Message, ctx: StationContext) -> Outcome:
        return Forward(action, _data(request))

    def result(answer: Message, request: Any, ctx: StationContext, note: Any) -> dict[str, Any]:
        return _data(answer)

    return Translator(action, call, result)
