"""OCPP-J framing: parse a WebSocket text frame once, at the edge, and serialize frames back.

    CALL        [2, messageId, action, payload]
    CALLRESULT  [3, messageId, payload]
    CALLERROR   [4, messageId, errorCode, errorDescription, errorDetails]

Both OCPP 1.6J and 2.0.1 use these three shapes; only the error-code vocabulary differs
(see mappings/errors.toml and bridge/ocpp_errors.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

try:  # a dependency: parses and serializes frames several times faster than the standard library
    import orjson
except ImportError:  # a platform without an orjson wheel: the standard library does the same, slower
    orjson = None

CALL, CALLRESULT, CALLERROR = 2, 3, 4
MAX_ID_LENGTH = 36
UNKNOWN_ID = "-1"  # the id OCPP-J prescribes for an error about a frame whose id cannot be read


@dataclass(slots=True)  # not frozen: a frozen init costs a setattr call per field, per frame
class Call:
    id: str
    action: str
    payload: dict[str, Any]


@dataclass(slots=True)
class CallResult:
    id: str
    payload: dict[str, Any]


@dataclass(slots=True)
class CallError:
    id: str
    code: str
    description: str = ""
    details: dict[str, Any] = field(default_factory=dict)


Frame = Call | CallResult | CallError


class FrameError(Exception):
    """A frame that is not valid OCPP-J. `reason` names the row of mappings/errors.toml to answer with."""

    def __init__(self, reason: str, message: str, message_id: str = UNKNOWN_ID) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.message_id = message_id


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e400: no peer can use it, and it would not serialize back
        raise ValueError(f"number {text[:24]} is out of range")
    return value


def _std_loads(text: str | bytes) -> Any:
    data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite)
    if "\\ud" in text if isinstance(text, str) else b"\\ud" in text:
        _check_surrogates(data)  # the stdlib parser accepts lone UTF-16 surrogates; orjson does not
    return data


def _std_dumps(data: list[Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _fast_dumps(data: list[Any]) -> str:
    try:
        return orjson.dumps(data).decode()
    except TypeError:  # what orjson does not serialize itself (an int beyond 64 bits, ...)
        return _std_dumps(data)


# orjson, like the loader above, refuses NaN, Infinity and numbers beyond a double's range (1e400); it
# also refuses lone UTF-16 surrogates, and reads an integer beyond 64 bits as a number with a fraction
# (which a schema that wants an integer then refuses).
_loads: Callable[[str | bytes], Any] = orjson.loads if orjson is not None else _std_loads
_dumps: Callable[[list[Any]], str] = _fast_dumps if orjson is not None else _std_dumps
_LENGTH = {CALL: 4, CALLRESULT: 3, CALLERROR: 5}


def _check_surrogates(data: object) -> None:
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise ValueError("a lone UTF-16 surrogate is not valid text") from None


def parse(text: str | bytes) -> Frame:
    """Parse one OCPP-J frame or raise FrameError saying what is wrong with it."""
    try:
        data = _loads(text)
    except (ValueError, RecursionError) as exc:  # orjson.JSONDecodeError is a ValueError
        raise FrameError("invalid_json", f"frame is not valid JSON: {exc}") from None
    if type(data) is not list or not data:
        raise FrameError("bad_frame", "frame must be a non-empty JSON array")
    message_id = data[1] if len(data) > 1 and isinstance(data[1], str) else UNKNOWN_ID
    kind = data[0]
    if type(kind) is not int:  # JSON gives int, never a subclass but bool
        raise FrameError("bad_frame", "the first element must be a message type number", message_id)
    expected = _LENGTH.get(kind)
    if expected is None:
        raise FrameError("unknown_message_type", f"message type {kind} is not supported", message_id)
    if len(data) != expected:
        raise FrameError("bad_frame", f"message type {kind} takes {expected} elements", message_id)
    if not isinstance(data[1], str) or not data[1] or len(data[1]) > MAX_ID_LENGTH:
        raise FrameError("bad_frame", f"message id must be a string of 1 to {MAX_ID_LENGTH} characters")
    if kind == CALL:
        if not isinstance(data[2], str) or not data[2]:
            raise FrameError("bad_frame", "action must be a non-empty string", message_id)
        if not isinstance(data[3], dict):
            raise FrameError("bad_frame", "payload must be a JSON object", message_id)
        return Call(message_id, data[2], data[3])
    if kind == CALLRESULT:
        if not isinstance(data[2], dict):
            raise FrameError("bad_frame", "payload must be a JSON object", message_id)
        return CallResult(message_id, data[2])
    code, description, details = data[2], data[3], data[4]
    if not isinstance(code, str) or not isinstance(description, str) or not isinstance(details, dict):
        raise FrameError(
            "bad_frame", "CALLERROR needs a code, a description and a details object", message_id
        )
    return CallError(message_id, code, description, details)


def dumps(frame: Frame) -> str:
    """Serialize a frame as compact OCPP-J text."""
    if isinstance(frame, Call):
        data: list[Any] = [CALL, frame.id, frame.action, frame.payload]
    elif isinstance(frame, CallResult):
        data = [CALLRESULT, frame.id, frame.payload]
    else:
        description = frame.description if len(frame.description) <= 255 else frame.description[:254] + "…"
        data = [CALLERROR, frame.id, frame.code, description, frame.details]
    return _dumps(data)


def call_frame(message_id: str, action: str, payload: dict[str, Any]) -> str:
    """A CALL frame as text (what `dumps(Call(...))` gives, without building the Call)."""
    return _dumps([CALL, message_id, action, payload])


def result_frame(message_id: str, payload: dict[str, Any]) -> str:
    """A CALLRESULT frame as text."""
    return _dumps([CALLRESULT, message_id, payload])
