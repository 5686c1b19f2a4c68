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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bridge import rpc
from bridge.engine import Engine, Send, Side, StoreBatch
from bridge.models import v201
from bridge.models.base import Message, OpenMessage, Payload
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
    # optional fields of frames to the CSMS, dropped when outside [low, high] (high None: no bound)
    bounds: dict[str, dict[str, tuple[float, float | None]]]


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
    bounds: dict[str, dict[str, tuple[float, float | None]]] = {}
    for action, paths in raw.get("up", {}).get("bounds", {}).items():
        model = v201.REQUESTS.get(action)
        if model is None:
            raise TableError(f"mappings/v21.toml: [up.bounds] {action} is not an OCPP 2.0.1 action")
        for path in paths:
            models = (model, v201.RESPONSES[action])
            if not any(_path_optional(m, path) for m in models):
                raise TableError(
                    f"mappings/v21.toml: [up.bounds] {action} {path}: not an optional 2.0.1 field"
                )
        bounds[action] = {path: (low[0], low[1] if len(low) > 1 else None) for path, low in paths.items()}
    return V21Table(drop, bounds)


def _parent(model: type[Message], path: str) -> tuple[type[Message] | None, str]:
    """The model holding the last field of `path` (None if a parent is missing), and that field's name."""
    *parents, name = path.replace("[]", "").split(".")
    for part in parents:
        child = _children(model).get(part)
        if child is None:
            return None, name
        model = child
    return model, name


def _path_optional(model: type[Message], path: str) -> bool:
    """True if the model has an optional field at `path`."""
    parent, name = _parent(model, path)
    field = parent.model_fields.get(name) if parent is not None else None
    return field is not None and not field.is_required()


def _negative(text: str | bytes) -> bool:
    """Whether a compact JSON frame may hold a negative number (cheap: three substring scans)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return ":-" in text or ",-" in text or "[-" in text


def _drop_outside(
    node: Any, parts: list[str], path: str, low: float, high: float | None
) -> tuple[Any, list[str]]:
    """`node` without the numbers outside [low, high] at `parts` (copied along the way), and the
    paths dropped."""
    head, rest = parts[0], parts[1:]
    name = head.removesuffix("[]")
    if not isinstance(node, dict) or name not in node:
        return node, []
    value = node[name]
    if not rest:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and (value < low or (high is not None and value > high)):
            return {k: v for k, v in node.items() if k != name}, [path]
        return node, []
    dropped: list[str] = []
    if head.endswith("[]") and isinstance(value, list):
        items = []
        for item in value:
            item, gone = _drop_outside(item, rest, path, low, high)
            items.append(item)
            dropped.extend(gone)
        new = items
    else:
        new, dropped = _drop_outside(value, rest, path, low, high)
    return ({**node, name: new} if dropped else node), dropped


def _path_unknown(model: type[Message], path: str) -> bool:
    """True if the 2.0.1 model has no field at `path` (its parents existing), as a 2.1 addition."""
    parent, name = _parent(model, path)
    return parent is not None and name not in parent.model_fields


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
        # the actions of the CSMS's latest calls, by message id, for the answers [up.bounds]
        # concerns; bounded (the engine keeps at most --max-pending-calls of them open)
        self._csms_calls: dict[str, str] = {}
        self._upper_bounded = {
            f'"{path.rsplit(".", 1)[-1]}"'
            for paths in self.v21.bounds.values()
            for path, (_, high) in paths.items()
            if high is not None
        }
        # the CSMS's answers: validated as 2.0.1 first (no cost when they are); fitted only if not
        self.csms.responses = {
            action: functools.partial(self._answer_validator, action, validate)
            for action, validate in self.csms.responses.items()
        }

    def receive(self, side: Side, text: str | bytes) -> list[Send]:
        if side is Side.CSMS:
            fitted = self._from_csms(text)
            if isinstance(fitted, list):
                return fitted
            text = fitted
        return self._to_csms(super().receive(side, text))

    def expire(self) -> list[Send]:
        return self._to_csms(super().expire())

    def stored(self, batch: StoreBatch, ok: bool, problem: str = "") -> list[Send]:
        return self._to_csms(super().stored(batch, ok, problem))

    def call(self, side: Side, action: str, payload: Payload) -> list[Send]:
        return self._to_csms(super().call(side, action, payload))

    def _to_csms(self, sends: list[Send]) -> list[Send]:
        """2.1 bounds numbers 2.0.1 did not (no negative ids and counters, at most 3 phases:
        mappings/v21.toml [up.bounds]), and a 1.6 station's number may cross them. Only frames with a
        negative number or a field with an upper bound are read (a few substring scans)."""
        for send in sends:
            if send.side is not Side.CSMS:
                continue
            text = send.text
            if _negative(text) or any(name in text for name in self._upper_bounded):
                send.text = self._bounds(send.text)
        return sends

    def _bounds(self, text: str) -> str:
        frame = rpc._loads(text)
        if frame[0] == rpc.CALL:
            action, payload = frame[2], frame[3]
        elif frame[0] == rpc.CALLRESULT:  # the bridge's answer to a CSMS call
            action, payload = self._csms_calls.get(frame[1], ""), frame[2]
        else:
            return text
        if action not in self.v21.bounds:
            return text
        dropped: list[str] = []
        for path, (low, high) in self.v21.bounds[action].items():
            payload, gone = _drop_outside(payload, path.split("."), path, low, high)
            dropped.extend(gone)
        if not dropped:
            return text
        self.observer.error(Side.CSMS, "v21_field_dropped")
        self.log.warning(
            "dropped %s of %s to the CSMS: out of the range OCPP 2.1 takes there",
            ", ".join(dropped),
            action,
        )
        if frame[0] == rpc.CALL:
            return rpc.call_frame(frame[1], action, payload)
        return rpc.result_frame(frame[1], payload)

    def _from_csms(self, text: str | bytes) -> str | bytes | list[Send]:
        """The frame as 2.0.1 text for the engine, or what to send instead (maybe nothing)."""
        if _answer_or_error(text):
            return text  # the hot path (answers) is not parsed twice; see _answer_validator
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
        if action in self.v21.bounds:
            self._csms_calls[message_id] = action
            if len(self._csms_calls) > 4 * self.max_pending:
                del self._csms_calls[next(iter(self._csms_calls))]
        if action not in v201.REQUESTS:
            out: list[Send] = []
            self.observer.frame_in(Side.CSMS, action)
            description = f"{action} is OCPP 2.1 only: a 1.6 station behind this bridge cannot do it"
            self._refuse(self.csms, str(message_id)[:36], "untranslatable", description, out)
            return out
        if action not in self.csms.translators:  # as the engine answers, before reading what 2.1 changed
            out = []
            self.observer.frame_in(Side.CSMS, action)
            description = f"{action} is not translated by the bridge (see the README's coverage table)"
            self._refuse(self.csms, message_id, "unknown_action", description, out)
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
        an idToken.type 2.1 left free, ...) or leaves out a field 2.1 made optional: valid 2.1 the CSMS
        may send, which a 1.6 station cannot take, so NotSupported rather than the constraint
        violation the engine gives a broken frame. None for anything else (answered as usual)."""
        try:
            v201.REQUESTS[action].model_validate(payload)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"])
            if error["type"] == "missing":  # 2.1 made some fields optional (tools/diff_v21.py)
                return f"{where} is missing: a 1.6 station behind this bridge needs it, as OCPP 2.0.1 does"
            if error["type"] == "enum" and isinstance(error.get("input"), str):  # a string: maybe 2.1's
                expected = error.get("ctx", {}).get("expected", "")
                return (
                    f"{where} {error.get('input')!r} is not a value a 1.6 station behind this bridge can "
                    f"take (it can take {expected})"
                )
        return None

    def _answer_validator(self, action: str, validate: Callable[[Any], Message], payload: Any) -> Message:
        """The CSMS's answer to `action` as a 2.0.1 model. A 2.1 answer that is not valid 2.0.1 is
        fitted: fields 2.0.1 lacks are dropped, then each optional field 2.0.1 cannot hold (an enum
        value 2.1 added or left free, a longer string) is dropped, innermost first, so the station
        still gets the answer. A WARNING says what was dropped, except fields mappings/v21.toml
        [down.drop] expects; what no dropping fixes raises as before (the station gets InternalError)."""
        try:
            return validate(payload)
        except ValidationError:
            if not isinstance(payload, dict):
                raise
        model = v201.RESPONSES[action]
        dropped: list[str] = []
        for _ in range(MAX_DROPS):
            try:
                answer = validate(payload)
                break
            except ValidationError as exc:
                loc = _optional_prefix(model, exc.errors()[0]["loc"])
                if loc is None:
                    raise
                payload = _without_at(payload, loc)
                dropped.append(
                    ".".join("[]" if isinstance(p, int) else str(p) for p in loc).replace(".[]", "[]")
                )
        else:
            return validate(payload)  # raises: too broken to fit
        unexpected = [f for f in dict.fromkeys(dropped) if f not in self.v21.drop.get(action, ())]
        if unexpected:
            self.observer.error(Side.CSMS, "v21_field_dropped")
            self.log.warning(
                "dropped field(s) %s of the CSMS's %s answer: OCPP 2.1 values a 1.6 station behind "
                "the bridge cannot take",
                ", ".join(unexpected),
                action,
            )
        return answer


MAX_DROPS = 32  # fields dropped from one answer at most


def _answer_or_error(text: str | bytes) -> bool:
    """A CALLRESULT or CALLERROR (types 3, 4), by its first digit, without parsing the frame."""
    head = (
        text[:8].lstrip()[1:].lstrip()
        if isinstance(text, str)
        else text[:8].lstrip()[1:].lstrip().decode("latin-1")
    )
    return head[:1] in ("3", "4") and not head[1:2].isdigit()


def _optional_prefix(model: type[Message], loc: tuple[int | str, ...]) -> tuple[int | str, ...] | None:
    """The path to the innermost field on `loc` that may be left out: one the model does not know
    (extra_forbidden) or an optional one. None when every field on the way is required."""
    found = None
    current: type[Message] | None = model
    for i, part in enumerate(loc):
        if isinstance(part, int):
            continue
        if current is None:
            break
        field = current.model_fields.get(str(part))
        if field is None:
            return loc[: i + 1]  # a field 2.0.1 does not have
        if not field.is_required():
            found = loc[: i + 1]
        current = _children(current).get(str(part))
    return found


def _without_at(data: dict[str, Any], loc: tuple[int | str, ...]) -> dict[str, Any]:
    """A copy of `data` without the field at `loc` (copies only along the path)."""
    head, rest = loc[0], loc[1:]
    out: Any = list(data) if isinstance(data, list) else dict(data)
    if not rest:
        if isinstance(out, dict):
            out.pop(head, None)
        return out
    out[head] = _without_at(out[head], rest)
    return out


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
