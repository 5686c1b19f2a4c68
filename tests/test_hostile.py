"""Hostile input: mutated payloads through every translator, a fuzzed frame parser, hostile station ids,
oversized frames and headers, slow-loris handshakes.

The rule for every frame the bridge emits, whatever it was fed: valid UTF-8, valid JSON, an OCPP-J
frame the receiver's official schema accepts, or a CALLERROR whose code the receiver's version knows.
The engine never raises. Payloads start valid (drawn from the sender's official schema) and get one
mutation: a field dropped, a field added, a value swapped for one of the wrong type, a string made
huge, deep nesting, unicode, NaN and numbers out of range. The official schema then says whether the
result is still valid, and so what the bridge must do with it.

A longer fuzzing campaign: `python tools/fuzz_frames.py --minutes 30` (README, "Fuzzing").
"""

from __future__ import annotations

import asyncio
import contextlib
import decimal
import functools
import json
import math
import os
import signal
import socket
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from unittest import mock
from urllib.parse import quote, urlsplit

import aiohttp
import jsonschema
import pytest
import yarl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ocpp.v16 import call as call16

import bridge.translate  # noqa: F401  (registers the translators)
from bridge import rpc
from bridge.engine import Engine, Send, Side
from bridge.server import StationIdError, station_id_from_path, upstream_url
from bridge.tables import load_tables
from bridge.translate.context import StationContext
from tests.conftest import (
    CsmsServer,
    connect_station,
    eventually,
    free_port,
    raw_station,
    run_bridge,
    wait_ready,
)
from tests.schemas import ERROR_CODES, EXACT, schema
from tests.strategies import from_schema
from tests.test_properties import ACCEPTABLE_REFUSALS, OTHER, VERSION, cases

TABLES = load_tables()
# tools/fuzz_frames.py runs these properties with many times the examples (a longer campaign)
SCALE = int(os.environ.get("BRIDGE_FUZZ_SCALE", "1"))

# -- building hostile frames -------------------------------------------------------------------------


class Raw:
    """JSON text no Python value serializes to (NaN, 1e400, a 5000-digit number): spliced in verbatim."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Raw({self.text!r})"


RAW_TEXTS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0" * 5000, '"\\u0000"', '"\\u202e"']


def nest(depth: int) -> Any:
    value: Any = "core"
    for level in range(depth):
        value = [value] if level % 2 else {"n": value}
    return value


UNICODE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=30
) | st.sampled_from(["\u202eevil", "\u200b", "Ω≈ç√", "🔌⚡", "e\u0301", "\x00", "\ufeff", "\U0001d54f" * 25])

HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, -1, 2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 10**30, 2**53 + 1]),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.5, -0.0, 1e308, -1e308, 5e-324]),
    UNICODE,
    st.integers(1, 5).map(lambda k: "A" * (10**k)),  # 10 to 100 000 characters
    st.integers(1, 400).map(nest),  # deep, but within what JSON parsers take
    st.lists(st.integers(), max_size=5),
    st.dictionaries(UNICODE, st.integers(), max_size=3),
    st.sampled_from(RAW_TEXTS).map(Raw),
)


def encode(frame: list[Any]) -> str:
    """Serialize a frame that may hold Raw values, splicing their text in."""
    raws: list[str] = []

    def swap(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(value.text)
            return f"\x01RAW{len(raws) - 1}\x01"
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        return value

    text = json.dumps(swap(frame), ensure_ascii=False)
    for n, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\x01RAW{n}\x01", ensure_ascii=False), raw)
    return text


def slots(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value that can be mutated: dict keys and list indexes, as paths."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*path, key))
            found.extend(slots(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((*path, index))
            found.extend(slots(item, (*path, index)))
    return found


def containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every object in a JSON value (where a field can be added)."""
    found = [path] if isinstance(value, dict) else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found.extend(containers(item, (*path, key)))
    return found


def at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


@st.composite
def mutated(draw: st.DrawFn, payload: dict[str, Any]) -> tuple[str, Any]:
    """(what was done, the payload with one hostile mutation)."""
    payload = json.loads(json.dumps(payload))  # a deep copy
    places = slots(payload)
    kinds = ["add"] + (["drop", "replace", "lengthen"] if places else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "add":
        target = at(payload, draw(st.sampled_from(containers(payload))))
        target[draw(UNICODE)] = draw(HOSTILE)
        return kind, payload
    path = draw(st.sampled_from(places))
    parent, key = at(payload, path[:-1]), path[-1]
    if kind == "drop":
        del parent[key]
    elif kind == "replace":
        parent[key] = draw(HOSTILE)
    else:  # a string (or the text of any value) made long: over maxLength, or far over
        parent[key] = str(parent[key]) + "x" * draw(st.sampled_from([1, 50, 600, 70_000]))
    return kind, payload


# -- what the bridge must answer ---------------------------------------------------------------------

# jsonschema keyword that failed -> the CALLERROR codes that describe it (OCPP-J 1.6 4.2.3, 2.0.1 4.3)
OCCURRENCE = {"OccurenceConstraintViolation", "OccurrenceConstraintViolation"}
TYPE = {"TypeConstraintViolation"}
PROPERTY = {"PropertyConstraintViolation"}
EXPECTED_CODES = {
    "required": OCCURRENCE,
    "additionalProperties": OCCURRENCE,
    "minItems": OCCURRENCE,
    "maxItems": OCCURRENCE,
    "type": TYPE,
    "enum": TYPE,  # an OCPP enumeration is the field's data type (mappings/errors.toml)
    "maxLength": PROPERTY,
    "minLength": PROPERTY,
    "minimum": PROPERTY,
    "maximum": PROPERTY,
    "multipleOf": PROPERTY,
    "format": PROPERTY,
}
NOT_JSON = {"1.6": "FormationViolation", "2.0.1": "RpcFrameworkError"}
# The JSON schemas leave integers unbounded, but OCPP's integer is 32 bits (2.0.1 part 2, primitive
# datatypes): a schema-valid integer outside that range may be refused as such.
OUT_OF_RANGE = TYPE | PROPERTY


def lenient_date_time(error: Any) -> bool:
    """A deliberate leniency: a date-time without a UTC offset, which many 1.6 chargers send, is read
    as UTC and forwarded with one (README), where the schema's date-time format says refuse. Strings
    that are not RFC 3339 date-times at all ("0", "1700000000", a bare date) are refused."""
    return error.validator == "format" and error.validator_value == "date-time"


def without_nulls(value: Any) -> Any:
    """The value with every object member that is null left out."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def integral_float(value: Any) -> bool:
    """Holds a float with no fraction (1.0): an integer for JSON Schema draft 6 (the 2.0.1 schemas), not
    for draft 4 (1.6); the bridge's models take only JSON integers, so it may be refused as a type."""
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, dict):
        return any(integral_float(v) for v in value.values())
    if isinstance(value, list):
        return any(integral_float(v) for v in value)
    return False


def beyond_int32(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not -(2**31) <= value < 2**31
    if isinstance(value, dict):
        return any(beyond_int32(v) for v in value.values())
    if isinstance(value, list):
        return any(beyond_int32(v) for v in value)
    return False


def parsed(sends: list[Send]) -> list[tuple[Side, list[Any]]]:
    """Each emitted frame, checked to be text a WebSocket can carry and JSON a strict parser takes."""
    frames = []
    for send in sends:
        send.text.encode("utf-8")  # raises on a lone surrogate: a text frame must be valid UTF-8
        frames.append((send.side, json.loads(send.text, parse_constant=rpc._reject_constant)))
    return frames


def _decimal_multiple_of(validator: Any, step: Any, instance: Any, schema: Any) -> Any:
    """multipleOf as OCPP means it: 0.3 is a multiple of 0.1 (jsonschema's float division says not)."""
    if not validator.is_type(instance, "number") or not math.isfinite(instance):
        return
    if (Decimal(repr(instance)) / Decimal(repr(step))) % 1 != 0:
        yield jsonschema.ValidationError(f"{instance!r} is not a multiple of {step}")


@functools.cache
def validator(version: str, action: str, response: bool) -> Any:
    base = jsonschema.Draft4Validator if version == "1.6" else jsonschema.Draft6Validator
    cls = jsonschema.validators.extend(base, {"multipleOf": _decimal_multiple_of})
    return cls(schema(version, action, response), format_checker=base.FORMAT_CHECKER)


def schema_errors(version: str, action: str, payload: Any, response: bool = False) -> list[Any]:
    """What the official schema finds wrong with a payload (nothing: it is valid)."""
    with decimal.localcontext(EXACT):  # multipleOf exact for any double (1e27 / 0.1 included)
        return list(validator(version, action, response).iter_errors(payload))


def assert_frame_valid(version: str, frame: list[Any], request_action: str | None = None) -> None:
    """tests.schemas.assert_frame_valid, with OCPP's decimal multipleOf."""
    if frame[0] == 2:
        errors = schema_errors(version, frame[2], frame[3])
    elif frame[0] == 3:
        assert request_action is not None
        errors = schema_errors(version, request_action, frame[2], response=True)
    else:
        assert frame[0] == 4 and len(frame) == 5, frame
        assert frame[2] in ERROR_CODES[version], f"{frame[2]} is not an OCPP {version} error code"
        errors = []
    assert not errors, f"{version} frame breaks the official schema: {errors[0].message}\n{frame}"


def is_json(text: str) -> bool:
    try:
        rpc.parse(text)
    except rpc.FrameError:
        return False
    return True


def engine(repairs: bool = True, observer: Any = None) -> Engine:
    return Engine(StationContext("CP-H", TABLES), repairs=repairs, observer=observer)


def outline(frames: list[tuple[Side, list[Any]]]) -> list[tuple[Side, int, Any]]:
    """Who got what kind of frame (and which error code), without ids and timestamps."""
    return [(side, f[0], f[2] if f[0] == 4 else None) for side, f in frames]


def check_repairs(sender: Side, action: str, text: str, strict: list[tuple[Side, list[Any]]]) -> None:
    """With --station-repairs on (the default): what a strict bridge does, or, when the repair
    stage changed the frame (and said so), frames valid for whoever receives them."""
    from bridge.capture import RepairNotes

    notes = RepairNotes()
    frames = parsed(engine(observer=notes).receive(sender, text))
    if not notes.changes:
        # A repair that did not make the call valid is not reported, and the station is refused for
        # what is left after it (a single object made an array that still lacks a field, say): what a
        # strict bridge answers to the repaired call.
        message = rpc_message(text)
        tried = None
        if sender is Side.STATION and message is not None and isinstance(message[3], dict):
            tried = TABLES.repairs.repair(action, message[3])
        if message is not None and tried is not None and tried.changes and tried.answer is None:
            strict = parsed(engine(repairs=False).receive(sender, encode([*message[:3], tried.payload])))
        assert outline(frames) == outline(strict)
        return
    assert sender is Side.STATION  # the CSMS's frames are never repaired
    for side, frame in frames:
        assert_frame_valid(VERSION[side], frame, request_action=action if side is sender else None)


def rpc_message(text: str) -> list[Any] | None:
    """The frame as a list, if it is JSON this test can read back (not a 5,000-digit number)."""
    try:
        message = json.loads(text)
    except ValueError:
        return None
    return message if isinstance(message, list) and len(message) == 4 else None


def expected_codes(errors: list[Any]) -> set[str]:
    return set().union(*(EXPECTED_CODES.get(e.validator, set()) for e in errors))


def check_refusal(frame: list[Any], version: str, message_id: str, errors: list[Any]) -> None:
    assert frame[0] == 4 and frame[1] == message_id, frame
    assert frame[2] in ERROR_CODES[version], frame
    assert frame[2] in expected_codes(errors), (frame, [e.message for e in errors])


@pytest.mark.parametrize(("sender", "action"), cases())
@settings(max_examples=40 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_calls_give_a_valid_frame_or_the_right_callerror(
    sender: Side, action: str, data: st.DataObject
) -> None:
    version, receiver = VERSION[sender], OTHER[sender]
    payload = data.draw(from_schema(schema(version, action)))
    kind, hostile = data.draw(mutated(payload))
    text = encode([2, "m1", action, hostile])
    frames = parsed(engine(repairs=False).receive(sender, text))  # never raises; strict, as a CSMS is
    check_repairs(sender, action, text, frames)
    back = [f for side, f in frames if side is sender]
    ahead = [f for side, f in frames if side is receiver]
    for frame in ahead:
        assert_frame_valid(VERSION[receiver], frame)
    if not is_json(text):  # NaN, Infinity, a 5000-digit number: not JSON a peer may send
        assert ahead == [] and len(back) == 1
        assert back[0][0] == 4 and back[0][2] == NOT_JSON[version], back
        return
    sent = json.loads(text)[3]
    errors = schema_errors(version, action, sent)
    acceptable = ACCEPTABLE_REFUSALS | (OUT_OF_RANGE if beyond_int32(hostile) else set())
    if integral_float(hostile):
        acceptable |= TYPE
    if errors and not schema_errors(version, action, without_nulls(sent)):
        # null for an optional field: read as absent (chargers do send it), or refused as a type
        acceptable |= expected_codes(errors)
        errors = []
    if errors and all(lenient_date_time(e) for e in errors) and ahead:
        return  # see lenient_date_time: forwarded, and valid for the receiver (checked above)
    if errors:  # invalid for the sender's own schema: refused, with the code that says why
        assert ahead == [] and len(back) == 1, (kind, frames)
        check_refusal(back[0], version, "m1", errors)
        return
    for frame in back:  # still valid: answered or forwarded, as in test_properties
        assert_frame_valid(version, frame, request_action=action)
        assert frame[0] == 3 or frame[2] in acceptable, frame
    assert back or ahead


@pytest.mark.parametrize(("sender", "action"), cases())
@settings(max_examples=25 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_answers_give_the_caller_a_valid_answer_or_a_callerror(
    sender: Side, action: str, data: st.DataObject
) -> None:
    version, receiver = VERSION[sender], OTHER[sender]
    payload = data.draw(from_schema(schema(version, action)))
    bridge = engine()
    ahead = [
        f
        for side, f in parsed(bridge.receive(sender, json.dumps([2, "m1", action, payload])))
        if side is receiver
    ]
    if not ahead:
        return  # answered by the bridge itself: no answer from the receiver to mutate
    call = ahead[0]
    answer = data.draw(from_schema(schema(VERSION[receiver], call[2], response=True)))
    kind, hostile = data.draw(mutated(answer))
    text = encode([3, call[1], hostile])
    frames = parsed(bridge.receive(receiver, text))  # never raises
    to_sender = [f for side, f in frames if side is sender and f[1] == "m1"]
    for side, frame in frames:
        if side is receiver:  # the bridge's own calls (follow-ups) or its error about the answer
            assert_frame_valid(VERSION[receiver], frame)
    if not is_json(text):  # the receiver is told; the caller's call times out into an InternalError
        assert to_sender == []
        assert [f[2] for side, f in frames if side is receiver and f[0] == 4] == [NOT_JSON[VERSION[receiver]]]
        return
    assert len(to_sender) == 1, (kind, frames)
    answered = json.loads(text)[2]
    errors = schema_errors(VERSION[receiver], call[2], without_nulls(answered), response=True)
    if errors and not all(lenient_date_time(e) for e in errors):  # see lenient_date_time
        # an answer that breaks the receiver's schema (null for an optional field aside, read as
        # absent) never reaches the caller: it gets an InternalError instead
        assert to_sender[0][:3] == [4, "m1", "InternalError"], (kind, to_sender)
    assert_frame_valid(version, to_sender[0], request_action=action)


# -- the frame parser, fuzzed ------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | UNICODE,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(UNICODE, inner, max_size=4),
    max_leaves=12,
)
# frames that are nearly right: the right shape with any element swapped for anything
FRAME_LIKE = st.one_of(
    st.tuples(st.sampled_from([2, 3, 4, 5, 0, -1, "2", 2.0, True]), UNICODE | JSON_VALUES).map(list),
    st.lists(JSON_VALUES, max_size=6).map(lambda rest: [2, *rest]),
    st.lists(JSON_VALUES, max_size=6).map(lambda rest: [3, *rest]),
    st.lists(JSON_VALUES, max_size=6).map(lambda rest: [4, *rest]),
    st.builds(lambda i, a, p: [2, i, a, p], UNICODE | JSON_VALUES, UNICODE | JSON_VALUES, JSON_VALUES),
    st.builds(lambda i, p: [3, i, p], UNICODE | JSON_VALUES, JSON_VALUES),
    st.builds(lambda i, c, d, x: [4, i, c, d, x], UNICODE, UNICODE | JSON_VALUES, UNICODE, JSON_VALUES),
    JSON_VALUES,
).map(json.dumps)
TEXTS = st.one_of(
    st.text(),
    st.binary().map(lambda b: b.decode("utf-8", "replace")),
    FRAME_LIKE,
    FRAME_LIKE.map(lambda t: t[: len(t) // 2]),  # cut short
    st.sampled_from(RAW_TEXTS).map(lambda raw: f'[2,"x","Heartbeat",{{"a":{raw}}}]'),
)


def check_parse(text: str | bytes) -> None:
    """rpc.parse returns a frame or raises FrameError, nothing else; what it returns serializes back."""
    try:
        frame = rpc.parse(text)
    except rpc.FrameError as exc:
        assert exc.reason in TABLES.errors.reasons
        return
    again = rpc.dumps(frame)
    assert rpc.parse(again) == frame


@contextlib.contextmanager
def json_codec(name: str) -> Iterator[None]:
    """Frames parsed and serialized by orjson (a dependency), or by the standard library, which
    bridge/rpc.py falls back to on a platform without an orjson wheel: both must behave the same."""
    if name == "orjson":
        assert rpc.orjson is not None, "orjson is a dependency of the bridge"
        yield
        return
    with mock.patch.object(rpc, "_loads", rpc._std_loads), mock.patch.object(rpc, "_dumps", rpc._std_dumps):
        yield


CODECS = ["orjson", "stdlib"]


@pytest.mark.parametrize("codec", CODECS)
@settings(max_examples=400 * SCALE, deadline=None)
@given(text=TEXTS)
def test_the_frame_parser_only_ever_returns_a_frame_or_a_frame_error(codec: str, text: str) -> None:
    with json_codec(codec):
        check_parse(text)
        check_parse(text.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("codec", CODECS)
@settings(max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, side=st.sampled_from(list(Side)))
def test_the_engine_answers_any_text_with_valid_frames_and_never_raises(
    codec: str, text: str, side: Side
) -> None:
    with json_codec(codec):
        sends = engine().receive(side, text)
    for peer_side, frame in parsed(sends):
        version = VERSION[peer_side]
        if frame[0] == 4:
            assert frame[2] in ERROR_CODES[version], frame
        else:
            assert_frame_valid(version, frame)


# -- station ids -------------------------------------------------------------------------------------

ID_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))


@settings(max_examples=500 * SCALE, deadline=None)
@given(
    station_id=st.text(ID_CHARS, min_size=1, max_size=60), prefix=st.sampled_from(["/", "/ocpp/", "/a/b/"])
)
def test_a_station_id_is_refused_or_becomes_exactly_one_path_segment_upstream(
    station_id: str, prefix: str
) -> None:
    try:
        accepted = station_id_from_path(prefix + quote(station_id, safe=""))
    except StationIdError:
        return
    assert accepted == station_id
    assert accepted.isprintable() and "/" not in accepted and "\\" not in accepted and len(accepted) <= 48
    url = urlsplit(upstream_url("wss://csms.example:8443/ocpp", accepted))
    assert (url.scheme, url.netloc, url.query, url.fragment) == ("wss", "csms.example:8443", "", "")
    assert url.path.startswith("/ocpp/") and url.path.count("/") == 2


@settings(max_examples=300 * SCALE, deadline=None)
@given(path=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_any_raw_path_gives_a_checked_station_id_or_a_refusal(path: str) -> None:
    try:
        station_id = station_id_from_path("/" + path)
    except StationIdError:
        return
    assert station_id and station_id.isprintable() and len(station_id) <= 48
    assert not {"/", "\\"} & set(station_id) and station_id not in (".", "..")


HOSTILE_PATHS = [
    "/CP%2F..%2F..%2Fadmin",  # an encoded separator, to climb the CSMS's path
    "/..%2Fadmin",
    "/%2e%2e",
    "/CP%5C1",  # backslash
    "/CP%00",  # NUL
    "/CP%0D%0AX-Injected:%201",  # header injection
    "/CP%1B%5B31m",  # terminal escape
    "/%FF%FE",  # not UTF-8
    "/" + "A" * 49,  # longer than OCPP's CiString48 identity
    "/" + "%41" * 49,
    "/CP%E2%80%AE1",  # U+202E, right-to-left override: not printable
]


def raw_http(port: int, request: bytes, wait: float = 10, until_closed: bool = False) -> bytes:
    """Send bytes on a fresh socket; read the response head (or, until_closed, everything until the
    server closes the socket); b"<timeout>" is appended if `wait` passes first."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(request)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
                if not until_closed and b"\r\n\r\n" in data:
                    break
        except TimeoutError:
            data += b"<timeout>"
        return data


def upgrade_request(path: str, extra_headers: str = "") -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: bridge\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Protocol: ocpp1.6\r\n{extra_headers}\r\n"
    ).encode()


async def test_hostile_station_ids_are_refused_at_the_handshake_and_never_reach_the_csms(
    csms: CsmsServer,
) -> None:
    async with run_bridge(csms_url=csms.url) as bridge:
        for path in HOSTILE_PATHS:
            response = await asyncio.to_thread(raw_http, bridge.port, upgrade_request(path))
            assert response.startswith(b"HTTP/1.1 400 "), (path, response[:100])
        # tricks that are legal ids arrive as exactly one, re-encoded path segment
        for path, station_id in [
            ("/CP%252F..", "CP%2F.."),
            ("/CP%3Fx=1%23y", "CP?x=1#y"),
            ("/a/..%20/CP", "CP"),
        ]:
            async with raw_station(yarl.URL(f"ws://127.0.0.1:{bridge.port}{path}", encoded=True)):  # type: ignore[arg-type]
                await csms.wait_for(station_id)
    assert [r.match_info["station"] for r in csms.requests] == ["CP%2F..", "CP?x=1#y", "CP"]
    for request in csms.requests:  # one segment under the CSMS's path, no query, no fragment
        assert request.rel_url.raw_path.count("/") == 2 and request.rel_url.raw_query_string == ""


# -- oversized frames, oversized headers, slow handshakes ---------------------------------------------


async def test_an_oversized_frame_from_the_csms_closes_that_pair_only(csms: CsmsServer) -> None:
    async with run_bridge(csms_url=csms.url, max_frame_size=2048) as bridge:
        async with raw_station(bridge.url("CP-BIG")) as big, connect_station(bridge.url("CP-OK")) as ok:
            upstream = (await csms.wait_for("CP-BIG"))._connection.ws
            await upstream.send_str(
                json.dumps([2, "x", "DataTransfer", {"vendorId": "V", "data": "x" * 5000}])
            )
            message = await asyncio.wait_for(big.receive(), 5)
            assert message.type is aiohttp.WSMsgType.CLOSE and message.data == 1013  # try again later
            await eventually(lambda: upstream.closed)  # the bridge closed its side (1009, too big)
            assert (await ok.call(call16.Heartbeat())).current_time  # the other pair is untouched


async def test_oversized_headers_are_refused_before_any_upstream_connection(csms: CsmsServer) -> None:
    async with run_bridge(csms_url=csms.url) as bridge:
        huge_value = upgrade_request("/CP-1", "X-Big: " + "a" * 100_000 + "\r\n")
        many = upgrade_request("/CP-1", "".join(f"X-{n}: {n}\r\n" for n in range(1000)))
        long_line = upgrade_request("/" + "A" * 20_000)
        for request in (huge_value, many, long_line):
            response = await asyncio.to_thread(raw_http, bridge.port, request)
            assert response.split(b"\r\n", 1)[0].split()[1] in (b"400", b"413", b"431"), response[:80]
    assert csms.requests == []


async def test_slow_loris_handshakes_are_cut_and_the_bridge_keeps_serving(csms: CsmsServer) -> None:
    """A client that trickles its upgrade request, or opens a socket and says nothing, is closed after
    --handshake-timeout (the real process: the timeout is set where `ocpp-bridge` builds its server)."""
    port, admin = free_port(), free_port()
    env = {**os.environ, "BRIDGE_CSMS_URL": csms.url, "BRIDGE_ADMIN_PORT": str(admin)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bridge.cli", "--host", "127.0.0.1", "--port", str(port),
        "--handshake-timeout", "1", env=env, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await wait_ready(admin)

        def trickle() -> bytes:
            """Send the upgrade request a byte every 50 ms, never finishing it; say how it ended."""
            with socket.create_connection(("127.0.0.1", port), timeout=0.05) as sock:
                for byte in upgrade_request("/CP-SLOW")[:-2]:
                    try:
                        sock.sendall(bytes([byte]))
                        return b"closed" if sock.recv(1) == b"" else b"answered"
                    except TimeoutError:
                        continue  # nothing from the bridge yet: next byte
                    except (BrokenPipeError, ConnectionResetError):
                        return b"closed"
                return b"sent everything"

        def idle() -> bytes:
            return raw_http(port, b"", wait=10, until_closed=True)

        trickled, silent = await asyncio.gather(asyncio.to_thread(trickle), asyncio.to_thread(idle))
        assert silent == b""  # closed by the bridge, not by our 10 s timeout
        assert trickled == b"closed"
        async with connect_station(f"ws://127.0.0.1:{port}/CP-FINE") as station:  # still serving
            assert (await station.call(call16.Heartbeat())).current_time
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 10)
    assert csms.requests and all(r.match_info["station"] == "CP-FINE" for r in csms.requests)
