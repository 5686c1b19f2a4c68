"""OCPP-J framing: parse a WebSocket text frame once, at the edge, and serialize frames back.

    CALL        [2, messageId, action, payload]
    CALLRESULT  [3, messageId, payload]
    CALLERROR   [4, messageId, errorCode, errorDescription, errorDetails]

Both OCPP 1.6J and 2.0.1 use these three shapes; only the error-code vocabulary differs
(see mappings/errors.toml and bridge/ocpp_errors.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

CALL, CALLRESULT, CALLERROR = 2, 3, 4
MAX_ID_LENGTH = 36
UNKNOWN_ID = "-1"  # the id OCPP-J prescribes for an error about a frame whose id cannot be read


@dataclass(frozen=True, slots=True)
class Call:
    id: str
    action: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallResult:
    id: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
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


def parse(text: str | bytes) -> Frame:
    """Parse one OCPP-J frame or raise FrameError saying what is wrong with it."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise FrameError("invalid_json", f"frame is not valid JSON: {exc}") from None
    if not isinstance(data, list) or not data:
        raise FrameError("bad_frame", "frame must be a non-empty JSON array")
    message_id = data[1] if len(data) > 1 and isinstance(data[1], str) else UNKNOWN_ID
    kind = data[0]
    if not isinstance(kind, int) or isinstance(kind, bool):
        raise FrameError("bad_frame", "the first element must be a message type number", message_id)
    if kind not in (CALL, CALLRESULT, CALLERROR):
        raise FrameError("unknown_message_type", f"message type {kind} is not supported", message_id)
    expected = {CALL: 4, CALLRESULT: 3, CALLERROR: 5}[kind]
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
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
