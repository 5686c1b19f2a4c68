"""Structured logs: one JSON object a line by default, plain text for humans (--log-format text).

Every record carries the station id when there is one: the session sets it in a context variable,
so log lines from anywhere in a station's task are tagged without passing it around.

Credentials never reach the output: every formatted line, exception tracebacks included, goes through
`redact`, which blanks Authorization header values, HTTP Basic/Bearer tokens, the password of a URL
(`wss://user:secret@csms`), `password=`/`token=`-style parameters and the values of OCPP's own
secrets (1.6 `AuthorizationKey`, 2.0.1 `BasicAuthPassword`).
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import time
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

station_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("station_id", default=None)


REDACTED = "[redacted]"
_SECRETS = (
    # Authorization: Basic dXNlcjpwYXNz  /  'Authorization': 'Bearer ...'  /  authorization=...
    (
        re.compile(
            r"(authorization(?:\\?['\"])?\s*[:=]\s*(?:\\?['\"])?)(?:(basic|bearer|digest)\s+)?[^\s'\",;}\\]+",
            re.I,
        ),
        r"\1\2 " + REDACTED,
    ),
    # a token on its own: Basic/Bearer and a base64-like word with a digit or +/= in it (not prose)
    (re.compile(r"\b(Basic|Bearer)\s+(?=[\w+/.~-]*[\d+/=])[\w+/.~-]{8,}=*", re.I), r"\1 " + REDACTED),
    # scheme://user:password@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]*@", re.I), r"\1" + REDACTED + "@"),
    # password=..., "passwd": "...", token: ... (query strings, dicts, JSON, JSON inside a JSON string)
    (
        re.compile(
            r"((?:password|passwd|pwd|secret|token|api[_-]?key)(?:\\?['\"])?\s*[:=]\s*(?:\\?['\"])?)"
            r"[^\s'\"&,;}\\]+",
            re.I,
        ),
        r"\1" + REDACTED,
    ),
    # OCPP secrets inside a logged frame: the value that follows the key or variable name (the value
    # stops at a backslash too, so a frame inside a JSON log line stays valid JSON)
    (
        re.compile(
            r"((?:AuthorizationKey|BasicAuthPassword)\W.{0,120}?(?:value|attributeValue)[\\\"':=\s]+)"
            r"[^\\\"',}\s]+"
        ),
        r"\1" + REDACTED,
    ),
    # ... and a 2.0.1 attributeValue written before its variable's name
    (
        re.compile(r"(attributeValue[\\\"':=\s]+)[^\\\"',}\s]+(?=.{0,160}?BasicAuthPassword)"),
        r"\1" + REDACTED,
    ),
)


def redact(text: str) -> str:
    """The text with every credential it holds replaced by [redacted]."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text.replace("  " + REDACTED, " " + REDACTED)


class RedactingFormatter(logging.Formatter):
    """Wraps a formatter and redacts what it produces: message, arguments, extra fields, traceback."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record))


class StationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "station_id", None) is None:
            record.station_id = station_id.get()
        return True


class _UtcTime:
    """Timestamps in UTC, ISO 8601 with milliseconds and a zone: 2026-11-28T12:40:00.123Z."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


class JsonLogFormatter(_UtcTime, JsonFormatter):
    pass


class TextLogFormatter(_UtcTime, logging.Formatter):
    """Text for humans: a line without a station shows `[-]`."""

    def format(self, record: logging.LogRecord) -> str:
        station = getattr(record, "station_id", None)
        record.station_text = "-" if station is None else station
        return super().format(record)


def setup_logging(fmt: str = "json", level: str = "INFO", stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(StationFilter())
    if fmt == "json":
        formatter: logging.Formatter = JsonLogFormatter(
            "%(asctime)s %(levelname)s %(name)s %(station_id)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    else:
        formatter = TextLogFormatter("%(asctime)s %(levelname)-7s [%(station_text)s] %(message)s")
    handler.setFormatter(RedactingFormatter(formatter))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
