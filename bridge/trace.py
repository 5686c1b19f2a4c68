"""The live frame trace: every frame a station pair receives and sends, one log line each.

Which stations: those matching `--trace` (ids or glob patterns, logged at INFO, so at the default
level), and every station when the log level is DEBUG (logged at DEBUG). The decision is made once
per connection; an untraced station runs the plain Engine and pays nothing.

Each line's message has the form `ocpp-bridge translate` prints and reads back:

    in  1.6    [2,"7","Heartbeat",{}]                 a frame the bridge received from the station
    out 2.0.1  [2,"7","Heartbeat",{}]                 a frame the bridge sent (here: to the CSMS)

on the logger `bridge.trace`, with the station id as on every line. Credentials are taken out before
the line is made (OCPP's AuthorizationKey and BasicAuthPassword values wherever they sit in a payload,
password/secret fields, then the log's own redaction), so a trace can be shared.

Hooked in at one point: `BridgeServer._engine` builds a `TracedEngine` instead of an `Engine` for a
traced station; the engine's `receive` (a frame in) and `expire` (answers to timed-out calls) are
where every frame the session sends comes from.
"""

from __future__ import annotations

import fnmatch
import logging
import re
from collections.abc import Sequence
from typing import Any

import orjson

from bridge.engine import Engine, Send, Side, StoreBatch
from bridge.logs import REDACTED, redact

log = logging.getLogger("bridge.trace")

SECRET_NAMES = frozenset({"AuthorizationKey", "BasicAuthPassword"})
SECRET_VALUE_KEYS = frozenset({"value", "attributeValue"})
SECRET_KEY = re.compile(r"password|passwd|secret|api[_-]?key|authorizationkey", re.I)


class Tracer:
    """Decides, per station, whether and at which level its frames are logged."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = list(patterns)

    def level(self, station_id: str) -> int | None:
        if any(fnmatch.fnmatchcase(station_id, pattern) for pattern in self.patterns):
            return logging.INFO
        if log.isEnabledFor(logging.DEBUG):
            return logging.DEBUG
        return None


class TracedEngine(Engine):
    """An Engine that logs each frame it is given and each frame it returns for sending."""

    def __init__(self, *args: Any, trace_level: int = logging.DEBUG, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trace_level = trace_level

    def receive(self, side: Side, text: str | bytes) -> list[Send]:
        self._line("in ", side, text)
        sends = super().receive(side, text)
        for send in sends:
            self._line("out", send.side, send.text)
        return sends

    def expire(self) -> list[Send]:
        sends = super().expire()
        for send in sends:
            self._line("out", send.side, send.text)
        return sends

    def stored(self, batch: StoreBatch, ok: bool, problem: str = "") -> list[Send]:
        """The frames a transaction event held until its record was saved (or the refusal)."""
        sends = super().stored(batch, ok, problem)
        for send in sends:
            self._line("out", send.side, send.text)
        return sends

    def _line(self, direction: str, side: Side, text: str | bytes) -> None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        log.log(
            self.trace_level,
            "%s %-6s %s",
            direction,
            self._leg(side).version,  # 1.6, and 2.0.1 or 2.1 as the CSMS accepted
            scrub(text),
            extra={"station_id": self.ctx.station_id},
        )


def scrub(text: str) -> str:
    """The frame with its credentials replaced by [redacted]; kept on one line, still JSON if it was."""
    try:
        frame = orjson.loads(text)
    except orjson.JSONDecodeError:
        return redact(text.replace("\n", "\\n").replace("\r", "\\r"))
    return redact(orjson.dumps(_scrub(frame)).decode())


def _names(node: dict[str, Any]) -> set[str]:
    """The names a payload object is about: a 1.6 configuration `key`, a 2.0.1 `variable.name`."""
    names = {value for value in node.values() if isinstance(value, str)}
    variable = node.get("variable")
    if isinstance(variable, dict) and isinstance(variable.get("name"), str):
        names.add(variable["name"])
    return names


def _scrub(node: Any) -> Any:
    if isinstance(node, list):
        return [_scrub(item) for item in node]
    if not isinstance(node, dict):
        return node
    secret = bool(_names(node) & SECRET_NAMES)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if secret and key in SECRET_VALUE_KEYS:
            out[key] = REDACTED
        elif secret and key == "variableAttribute" and isinstance(value, list):  # NotifyReport
            out[key] = [
                {**a, "value": REDACTED} if isinstance(a, dict) and "value" in a else a for a in value
            ]
        elif SECRET_KEY.search(key) and not isinstance(value, dict | list):
            out[key] = REDACTED
        else:
            out[key] = _scrub(value)
    return out
