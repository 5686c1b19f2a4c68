"""Property-based: payloads generated from the sender's official schema, through every translator.

Whatever a valid sender sends (every action of its version, edges included: tests/strategies.py),
the bridge emits frames valid for the receiver's official schema, formats (date-time, uri) checked,
answers every call the other side answers validly, and gives the sender an answer valid for it or
a CALLERROR its version knows; no translator or validator raises. New translators are picked up
automatically.

Examples per action come from the hypothesis profile (tests/conftest.py): `normal` in the suite,
`--hypothesis-profile deep` for a long run.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Set
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bridge.translate  # noqa: F401  (registers the translators)
from bridge.engine import Engine, Side
from bridge.models import v16, v201
from bridge.tables import load_tables
from bridge.translate.context import StationContext
from bridge.translate.registry import down, up
from tests.schemas import assert_frame_valid, is_valid, schema
from tests.strategies import from_schema

VERSION = {Side.STATION: "1.6", Side.CSMS: "2.0.1"}
OTHER = {Side.STATION: Side.CSMS, Side.CSMS: Side.STATION}


# codes with which the bridge may refuse schema-valid input: a value it cannot map (e.g. a
# connector the topology does not know) or an action it does not translate
ACCEPTABLE_REFUSALS = {"PropertyConstraintViolation", "NotImplemented"}
# what a bug would count: a translator or validator that raised, a valid answer refused
BUGS = {"internal_error", "bad_answer"}


def cases() -> list[tuple[Side, str]]:
    """The calls the bridge translates, by sender (tests/test_hostile.py mutates these)."""
    tables = load_tables()
    station = sorted(set(up.translators) | tables.same_shape_up)
    csms = sorted(set(down.translators) | tables.same_shape_down)
    return [(Side.STATION, a) for a in station] + [(Side.CSMS, a) for a in csms]


def all_cases() -> list[tuple[Side, str]]:
    """Every action of each version's schemas, from its side: a station may send any 1.6 call and a
    CSMS any 2.0.1 call; those the bridge does not translate must get a clean NotImplemented."""
    return [(Side.STATION, a) for a in sorted(v16.REQUESTS)] + [(Side.CSMS, a) for a in sorted(v201.REQUESTS)]


class Errors:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def error(self, side: Side, reason: str) -> None:
        self.reasons.append(reason)

    def frame_in(self, side: Side, action: str) -> None:
        pass

    frame_out = frame_in

    def round_trip(self, side: Side, action: str, seconds: float) -> None:
        pass

    def timeout(self, side: Side, action: str) -> None:
        pass


def check_round_trip(
    sender: Side,
    action: str,
    payload: dict[str, Any],
    data: st.DataObject,
    engine_class: type[Engine] = Engine,
    versions: dict[Side, str] = VERSION,
    refusals: Set[str] = ACCEPTABLE_REFUSALS,
) -> None:
    """Send the call, answer every call the bridge makes with a valid generated answer from that
    side, until the sender has its answer; every frame on the way must be valid for its receiver
    (`versions`: which OCPP version each side speaks; tests/test_upstream21.py runs it with a 2.1 CSMS)."""
    assert is_valid(versions[sender], action, payload), "the generator drew an invalid payload"
    errors = Errors()
    ctx = StationContext("CP-P", load_tables(), security_extension=data.draw(st.booleans(), "security"))
    engine = engine_class(ctx, observer=errors)
    inbox = deque(engine.receive(sender, json.dumps([2, "m1", action, payload])))
    final: list[Any] | None = None
    for _ in range(100):  # a bound on the exchange; chained flows take a few calls
        if not inbox:
            break
        send = inbox.popleft()
        frame = json.loads(send.text)
        version = versions[send.side]
        if frame[0] == 2:  # a call to a peer: valid for it, and answered validly
            assert_frame_valid(version, frame)
            answer = data.draw(from_schema(schema(version, frame[2], response=True)), f"{frame[2]} answer")
            assert is_valid(version, frame[2], answer, response=True), "the generator drew an invalid answer"
            inbox.extend(engine.receive(send.side, json.dumps([3, frame[1], answer])))
        else:
            assert send.side is sender and frame[1] == "m1" and final is None, frame
            final = frame
    else:
        raise AssertionError("the exchange did not end")
    assert final is not None, "the sender never got an answer"
    assert_frame_valid(versions[sender], final, request_action=action)
    # valid input is never blamed on its shape, and never makes a translator fail
    assert final[0] == 3 or final[2] in refusals, final
    assert not BUGS & set(errors.reasons), errors.reasons


@pytest.mark.parametrize(("sender", "action"), all_cases())
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_valid_input_gives_valid_output(sender: Side, action: str, data: st.DataObject) -> None:
    payload = data.draw(from_schema(schema(VERSION[sender], action)), "payload")
    check_round_trip(sender, action, payload, data)


def _shape(node: Any) -> Any:
    """A schema without what does not constrain a payload (titles, comments, ids, Java names) and
    without 2.0.1's customData / statusInfo, which the bridge strips."""
    if isinstance(node, dict):
        skip = {"$schema", "$id", "id", "comment", "description", "javaType", "title", "definitions"}
        out = {k: _shape(v) for k, v in node.items() if k not in skip}
        if isinstance(out.get("properties"), dict):
            for name in ("customData", "statusInfo"):
                out["properties"].pop(name, None)
            if not out["properties"]:
                del out["properties"]
        return out
    if isinstance(node, list):
        return [_shape(v) for v in node]
    return node


def _resolved(version: str, action: str, response: bool) -> Any:
    """The schema with its local $refs inlined, so a definition is compared by content."""
    whole = schema(version, action, response)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/definitions/"):
                return walk(whole["definitions"][ref.rsplit("/", 1)[1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return _shape(walk(whole))


@pytest.mark.parametrize("response", [False, True], ids=["request", "response"])
@pytest.mark.parametrize("action", sorted(load_tables().same_shape_up | load_tables().same_shape_down))
def test_same_shape_actions_have_one_schema_in_both_versions(action: str, response: bool) -> None:
    # bridge/translate/same_shape.py forwards the validated payload without validating it again
    # against the receiver's schema: that is only sound while the two official schemas agree
    assert _resolved("1.6", action, response) == _resolved("2.0.1", action, response)
