"""Building blocks shared by the generated OCPP message models.

The schemas are the referee, so the types here are strict where JSON Schema is strict: a string
field takes only a string, an integer only an integer (no "12"), a number any JSON number but never a
string. Date-times must be strings; a timestamp without an offset (common on 1.6 chargers) is read as
UTC so the 2.0.1 side always receives an RFC 3339 time with a zone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    StrictBool,
    StrictInt,
    StrictStr,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "EMPTY",
    "Message",
    "Number",
    "OcppDateTime",
    "OpenMessage",
    "Payload",
    "StrictBool",
    "StrictInt",
    "StrictStr",
    "json_data",
    "json_time",
    "multiple_of",
]


# RFC 3339 date-time; the offset may be missing (many 1.6 chargers leave it out: read as UTC).
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?")


def _only_str(value: Any) -> Any:
    # JSON gives strings; datetime objects come only from the bridge's own code.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("datetime_type", "a date-time must be a JSON string")
    if not RFC3339.fullmatch(value):  # pydantic alone would take "0" or "1700000000" as Unix time
        raise PydanticCustomError("datetime_parsing", "not an RFC 3339 date-time")
    return value


def _assume_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _only_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("float_type", "a number must be a JSON number")
    return value


# Enough digits for the exact quotient of any double by a decimal step (1.7e308 / 0.1 has 310).
_EXACT = Context(prec=1000, Emax=MAX_EMAX, Emin=MIN_EMIN)


def multiple_of(step: float) -> AfterValidator:
    """A decimal `multipleOf` check, as the schema means it on the JSON text: 21.4 is a multiple of
    0.1 although 21.4 / 0.1 is not whole in binary. Exact for every double (1.7e308 included: a
    float quotient would overflow), like the official schemas' checkers, which use decimals."""
    exact_step = Decimal(repr(step))

    def check(value: float) -> float:
        # repr is the shortest text that reads back as this double: the number as JSON wrote it
        if _EXACT.remainder(Decimal(repr(value)), exact_step) != 0:
            raise PydanticCustomError("multiple_of", "must be a multiple of {step}", {"step": step})
        return value

    return AfterValidator(check)


def json_time(value: datetime) -> str:
    """A date-time as the bridge emits it: RFC 3339, UTC as Z, and at most 3 fractional digits
    (OCPP 2.0.1 part 2 allows no more, and CSMSs parse by that rule; cut, not rounded, so a time
    never moves into the next second)."""
    text = value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")
    if value.tzinfo is None:
        return text + "Z"
    return text[:-6] + "Z" if text.endswith("+00:00") else text


OcppDateTime = Annotated[
    datetime,
    BeforeValidator(_only_str),
    AfterValidator(_assume_utc),
    PlainSerializer(json_time, when_used="json"),
]
Number = Annotated[float, BeforeValidator(_only_number)]


class Message(BaseModel):
    """A schema object with `additionalProperties: false`: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_inf_nan="strings")

    def to_json(self) -> dict[str, Any]:
        """The payload as JSON-ready data, without the optional fields that were not set."""
        return self.model_dump(mode="json", exclude_none=True)


class OpenMessage(Message):
    """A schema object that allows extra properties (2.0.1 CustomDataType)."""

    model_config = ConfigDict(extra="allow", frozen=True)


# What translators hand the engine: a model, or for the hot paths (MeterValues, StatusNotification
# and their answers) the JSON-ready dict itself, which skips building and dumping a model per frame.
Payload = Message | dict[str, Any]
EMPTY: dict[str, Any] = {}  # the empty payload ({} answers); shared, never mutate it


def json_data(payload: Payload) -> dict[str, Any]:
    """A payload as JSON-ready data."""
    return payload if type(payload) is dict else payload.to_json()  # type: ignore[union-attr]
