"""OCPP 2.1 upstream: a thin edge between the 1.6 <-> 2.0.1 translation and a CSMS speaking 2.1.

When the CSMS accepts subprotocol `ocpp2.1` (bridge/server.py offers it, see --csms-version), the
session runs an engine with this edge mixed in (`engine_class`). The translators are not duplicated:

    station (1.6) <-> Engine (1.6 <-> 2.0.1 translators) <-> Upstream21 edge <-> CSMS (2.1)

- Frames to the CSMS pass unchanged: in every message the bridge sends, 2.1 only added optional
  fields and enum values (tools/diff_v21.py; tests/test_upstream21.py holds every one to the 2.1
  schemas), so a valid 2.0.1 payload is a valid 2.1 payload.
- Frames from the CSMS are fitted to 2.0.1 first, by the table mappings/v21.toml: 2.1-only actions get
  CALLERROR NotSupported; 2.1-only fields are dropped where the table says a 1.6 station loses
  nothing, refused NotSupported (in a call) or dropped with a WARNING (in an answer) otherwise.
- 2.1's new message types SEND (6) and CALLRESULTERROR (5) are dropped with a log line and counted in
  bridge_translation_errors_total{side="csms",reason="v21_send"|"v21_callresulterror"}: neither
  may be answered, and a 1.6 station has nothing to receive them.

Pure like the engine: no I/O. The fitting walks the 2.0.1 models' fields, so it needs no 2.1 schemas
at run time (they ship only with the `ocpp` package, a test dependency).
"""

from __future__ import annotations

import functools
import logging
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bridge import rpc
from bridge.engine import Engine, Send, Side
from bridge.models import v201
from bridge.models.base import Message, OpenMessage
from bridge.tables import TableError, read_table
from bridge.trace import TracedEngine

log = logging.getLogger(__name__)

PROTOCOL_201 = "ocpp2.0.1"
PROTOCOL_21 = "ocpp2.1"
PROTOCOLS = {"2.0.1": PROTOCOL_201, "2.1": PROTOCOL_21}
SEND, CALLRESULTERROR = 6, 5  # OCPP-J 2.1 message types


def offered_protocols(preferred: str) -> tuple[str, ...]:
    """The subprotocols the bridge offers the CSMS, the preferred (--csms-version) first."""
    first = PROTOCOLS[preferred]
    return (first, *(p for p in PROTOCOLS.values() if p != first))


@dataclass(frozen=True)
class V21Table:
    """mappings/v21.toml: the 2.1 fields dropped on the way to the station, by 2.0.1 action."""

    drop: dict[str, frozenset[str]]


@functools.cache
def load_v21_table() -> V21Table:
    raw = read_table("v21.toml")
    drop: dict[str, frozenset[str]] = {}
    for action, paths in raw.get("down", {}).get("drop", {}).items():
        model = v201.REQUESTS.get(action)
        if model is None:
            raise TableError(f"mappings/v21.toml: [down.drop] {action} is not an OCPP 2.0.1 action")
        for path in paths:
            if not any(_path_unknown(m, path) for m in (model, v201.RESPONSES[action])):
                raise TableError(
                    f"mappings/v21.toml: [down.drop] {action} {path}: OCPP 2.0.1 has this field already"
                )
        drop[action] = frozenset(paths)
    return V21Table(drop)


def _path_unknown(model: type[Message], path: str) -> bool:
    """True if the 2.0.1 model has no field at `path` (its parents existing), as a 2.1 addition."""
    *parents, name = path.replace("[]", "").split(".")
    for part in parents:
        child = _children(model).get(part)
        if child is None:
            return False
        model = child
    return name not in model.model_fields


def _message_type(annotation: Any) -> type[Message] | None:
    """The model a field holds (itself, in a list, or optional), or None for a plain value."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _message_type(arg)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, Message):
        return annotation
    return None


@functools.cache
def _children(model: type[Message]) -> dict[str, type[Message] | None]:
    return {name: _message_type(f.annotation) for name, f in model.model_fields.items()}


def unknown_fields(data: dict[str, Any], model: type[Message], prefix: str = "") -> list[str]:
    """Paths of the fields in `data` that the 2.0.1 `model` does not have (list items as `[]`)."""
    found: list[str] = []
    children = _children(model)
    for name, value in data.items():
        path = f"{prefix}{name}"
        if name not in children:
            found.append(path)
            continue
        child = children[name]
        if child is None or issubclass(child, OpenMessage):
            continue
        if isinstance(value, dict):
            found.extend(unknown_fields(value, child, path + "."))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    found.extend(f for f in unknown_fields(item, child, path + "[].") if f not in found)
    return found


def without(data: dict[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    """A copy of `data` without the fields at `paths` (the input is not changed)."""
    out = dict(data)
    for path in paths:
        _drop(out, path.split("."))
    return out


def _drop(node: dict[str, Any], parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    name = head.removesuffix("[]")
    if not rest:
        node.pop(name, None)
        return
    value = node.get(name)
    if head.endswith("[]") and isinstance(value, list):
        node[name] = items = [dict(i) if isinstance(i, dict) else i for i in value]
        for item in items:
            if isinstance(item, dict):
                _drop(item, rest)
    elif isinstance(value, dict):
        node[name] = copy = dict(value)
        _drop(copy, rest)


class Upstream21(Engine):
    """The 2.1 edge, mixed in before Engine or TracedEngine (see `engine_class`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.v21 = load_v21_table()
        self.csms.version = "2.1"  # in the descriptions of the CALLERRORs the CSMS gets

    def receive(self, side: Side, text: str | bytes) -> list[Send]:
        if side is Side.CSMS:
            fitted = self._from_csms(text)
            if isinstance(fitted, list):
                return fitted
            text = fitted
        return super().receive(side, text)

    def _from_csms(self, text: str | bytes) -> str | bytes | list[Send]:
        """The frame as 2.0.1 text for the engine, or what to send instead (maybe nothing)."""
        try:
            data = rpc._loads(text)
        except (ValueError, RecursionError):
            return text  # the engine answers it, as any frame that is not JSON
        if type(data) is not list or not data:
            return text
        kind = data[0]
        if kind in (SEND, CALLRESULTERROR):
            return self._drop_frame(kind, data)
        well_formed = len(data) > 1 and isinstance(data[1], str) and 0 < len(data[1]) <= rpc.MAX_ID_LENGTH
        if not well_formed:
            return text  # the engine answers it, as any broken frame
        if kind == rpc.CALL and len(data) == 4 and isinstance(data[2], str) and isinstance(data[3], dict):
            return self._fit_call(text, data)
        if kind == rpc.CALLRESULT and len(data) == 3 and isinstance(data[2], dict):
            pending = self.csms.awaiting.get(data[1])
            if pending is not None:
                payload = self._fit(pending.sent_action, data[2], answer=True)
                if payload is not data[2]:
                    return rpc.result_frame(data[1], payload)
        return text

    def _drop_frame(self, kind: int, data: list[Any]) -> list[Send]:
        name = "SEND" if kind == SEND else "CALLRESULTERROR"
        reason = "v21_send" if kind == SEND else "v21_callresulterror"
        self.observer.error(Side.CSMS, reason)
        detail = data[2] if kind == SEND and len(data) > 2 else data[2:4]
        self.log.warning(
            "dropped an OCPP 2.1 %s frame from the CSMS (message id %s, %s): a 1.6 station has "
            "nothing to receive it and it takes no answer",
            name,
            str(data[1])[:36] if len(data) > 1 else "?",
            str(detail)[:200],
        )
        return []

    def _fit_call(self, text: str | bytes, data: list[Any]) -> str | bytes | list[Send]:
        message_id, action, payload = data[1], data[2], data[3]
        if action not in v201.REQUESTS:
            out: list[Send] = []
            self.observer.frame_in(Side.CSMS, action)
            description = f"{action} is OCPP 2.1 only: a 1.6 station behind this bridge cannot do it"
            self._refuse(self.csms, str(message_id)[:36], "untranslatable", description, out)
            return out
        unknown = unknown_fields(payload, v201.REQUESTS[action])
        refused = [f for f in unknown if f not in self.v21.drop.get(action, ())]
        if refused:
            out = []
            self.observer.frame_in(Side.CSMS, action)
            description = (
                f"{action}: {', '.join(refused)} is not in OCPP 2.0.1 (a 2.1 field, or unknown) and a "
                "1.6 station behind this bridge cannot honour it"
            )
            self._refuse(self.csms, str(message_id)[:36], "untranslatable", description, out)
            return out
        if unknown:
            self.log.debug("dropped OCPP 2.1 field(s) %s of %s", ", ".join(unknown), action)
            payload = without(payload, unknown)
        beyond = self._enum_beyond_201(action, payload)
        if beyond is not None:
            out = []
            self.observer.frame_in(Side.CSMS, action)
            self._refuse(self.csms, str(message_id)[:36], "untranslatable", f"{action}: {beyond}", out)
            return out
        return rpc.call_frame(message_id, action, payload) if unknown else text

    @staticmethod
    def _enum_beyond_201(action: str, payload: dict[str, Any]) -> str | None:
        """What is wrong when a CSMS call uses an enum value 2.0.1 does not have (Reset ImmediateAndResume,
        an idToken.type 2.1 left free, ...): valid 2.1 the CSMS may send, which a 1.6 station cannot
        take, so NotSupported rather than the TypeConstraintViolation the engine gives a broken frame.
        None for anything else (the engine answers other schema errors as usual)."""
        try:
            v201.REQUESTS[action].model_validate(payload)
        except ValidationError as exc:
            error = exc.errors()[0]
            if error["type"] == "enum" and isinstance(error.get("input"), str):  # a string: maybe 2.1's
                where = ".".join(str(part) for part in error["loc"])
                expected = error.get("ctx", {}).get("expected", "")
                return (
                    f"{where} {error.get('input')!r} is not a value a 1.6 station behind this bridge can "
                    f"take (it can take {expected})"
                )
        return None

    def _fit(self, action: str, payload: dict[str, Any], *, answer: bool) -> dict[str, Any]:
        model = (v201.RESPONSES if answer else v201.REQUESTS).get(action)
        if model is None:
            return payload
        unknown = unknown_fields(payload, model)
        if not unknown:
            return payload
        unexpected = [f for f in unknown if f not in self.v21.drop.get(action, ())]
        if unexpected:
            self.observer.error(Side.CSMS, "v21_field_dropped")
            self.log.warning(
                "dropped OCPP 2.1 field(s) %s of the CSMS's %s answer: a 1.6 station cannot use them",
                ", ".join(unexpected),
                action,
            )
        return without(payload, unknown)


class Engine21(Upstream21, Engine):
    """The engine of a station whose CSMS speaks OCPP 2.1."""


class TracedEngine21(TracedEngine, Upstream21):
    """The same, with the live frame trace (bridge/trace.py) outside the edge: the trace shows the
    CSMS's frames as they came, 2.1, and the edge's own answers."""


def engine_class(csms_protocol: str, traced: bool) -> type[Engine]:
    """The engine class for a session whose CSMS accepted `csms_protocol`."""
    if csms_protocol == PROTOCOL_21:
        return TracedEngine21 if traced else Engine21
    return TracedEngine if traced else Engine
