"""Property-based: payloads generated from the sender's official schema, through every translator.

Whatever a valid sender sends, the bridge emits either frames valid for the receiver's official
schema or a CALLERROR the sender's version knows, and the answer that comes back is valid for the
original sender. New translators are picked up from the registry automatically.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bridge.translate  # noqa: F401  (registers the translators)
from bridge.engine import Engine, Side
from bridge.tables import load_tables
from bridge.translate.context import StationContext
from bridge.translate.registry import down, up
from tests.schemas import assert_frame_valid, schema
from tests.strategies import from_schema

VERSION = {Side.STATION: "1.6", Side.CSMS: "2.0.1"}
OTHER = {Side.STATION: Side.CSMS, Side.CSMS: Side.STATION}


# codes with which the bridge may refuse schema-valid input: a value it cannot map (e.g. a
# connector the topology does not know) or an action it does not translate
ACCEPTABLE_REFUSALS = {"PropertyConstraintViolation", "NotImplemented"}


def cases() -> list[tuple[Side, str]]:
    tables = load_tables()
    station = sorted(set(up.translators) | tables.same_shape_up)
    csms = sorted(set(down.translators) | tables.same_shape_down)
    return [(Side.STATION, a) for a in station] + [(Side.CSMS, a) for a in csms]


def check_round_trip(sender: Side, action: str, payload: dict[str, Any], data: st.DataObject) -> None:
    engine = Engine(StationContext("CP-P", load_tables()))
    sends = engine.receive(sender, json.dumps([2, "m1", action, payload]))
    receiver = OTHER[sender]
    back = [json.loads(s.text) for s in sends if s.side is sender]
    ahead = [json.loads(s.text) for s in sends if s.side is receiver]
    for frame in back:  # the bridge answered itself: an error or an answer valid for the sender
        assert_frame_valid(VERSION[sender], frame, request_action=action)
        # valid input is never blamed on its shape, and never makes a translator fail
        assert frame[0] == 3 or frame[2] in ACCEPTABLE_REFUSALS, frame
    for frame in ahead:
        assert_frame_valid(VERSION[receiver], frame)
    if not ahead:
        assert back, "the bridge neither forwarded nor answered"
        return
    forwarded = ahead[0]
    answer = data.draw(from_schema(schema(VERSION[receiver], forwarded[2], response=True)))
    result = [json.loads(s.text) for s in engine.receive(receiver, json.dumps([3, forwarded[1], answer]))]
    to_sender = [f for f in result if f[1] == "m1"]
    assert len(to_sender) == 1
    assert_frame_valid(VERSION[sender], to_sender[0], request_action=action)


@pytest.mark.parametrize(("sender", "action"), cases())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_valid_input_gives_valid_output(sender: Side, action: str, data: st.DataObject) -> None:
    payload = data.draw(from_schema(schema(VERSION[sender], action)))
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
