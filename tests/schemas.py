"""The referee: the official OCPP JSON schemas shipped in the `ocpp` package, not our own models."""

from __future__ import annotations

import decimal
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import ocpp

SCHEMAS = Path(ocpp.__file__).parent


@cache
def schema(version: str, action: str, response: bool = False) -> dict[str, Any]:
    if version == "1.6":
        path = SCHEMAS / "v16" / "schemas" / f"{action}{'Response' if response else ''}.json"
    else:  # 2.0.1 and 2.1 (whose schemas ship as ocpp/v21)
        folder = "v21" if version == "2.1" else "v201"
        path = SCHEMAS / folder / "schemas" / f"{action}{'Response' if response else 'Request'}.json"
    return json.loads(path.read_text())


def _decimal(data: Any) -> Any:
    """JSON with fractional numbers as Decimal: 1.6 `multipleOf: 0.1` holds exactly only in decimal
    (21.4 / 0.1 is 213.99999999999997 in binary); the `ocpp` package validates the same way."""
    return json.loads(json.dumps(data), parse_float=Decimal)


@cache
def _validator(version: str, action: str, response: bool) -> jsonschema.protocols.Validator:
    s = schema(version, action, response)
    if version == "1.6":
        s = _decimal(s)
    cls = jsonschema.Draft4Validator if version == "1.6" else jsonschema.Draft6Validator
    return cls(s, format_checker=cls.FORMAT_CHECKER)


# `multipleOf` takes a decimal remainder: exact for any double only with enough digits (1.7e308 / 0.1
# has 310; the default 28 raise DivisionImpossible)
EXACT = decimal.Context(prec=1000, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def assert_valid(version: str, action: str, payload: dict[str, Any], response: bool = False) -> None:
    """Fail with the schema's own message if payload is not valid for `action` in `version`."""
    if version == "1.6":
        payload = _decimal(payload)
    with decimal.localcontext(EXACT):
        errors = sorted(_validator(version, action, response).iter_errors(payload), key=str)
    kind = "response" if response else "request"
    assert not errors, f"{version} {action} {kind} breaks the official schema: {errors[0].message}\n{payload}"


def is_valid(version: str, action: str, payload: dict[str, Any], response: bool = False) -> bool:
    if version == "1.6":
        payload = _decimal(payload)
    with decimal.localcontext(EXACT):
        return _validator(version, action, response).is_valid(payload)


def assert_frame_valid(version: str, frame: list[Any], request_action: str | None = None) -> None:
    """A whole OCPP-J frame: CALL against the request schema, CALLRESULT against the response schema
    of `request_action`, CALLERROR against the version's error codes."""
    kind = frame[0]
    if kind == 2:
        assert_valid(version, frame[2], frame[3])
    elif kind == 3:
        assert request_action is not None
        assert_valid(version, request_action, frame[2], response=True)
    else:
        assert kind == 4 and len(frame) == 5, frame
        assert frame[2] in ERROR_CODES[version], f"{frame[2]} is not an OCPP {version} error code"


ERROR_CODES = {
    # OCPP-J 1.6 section 4.2.3 (with the errata spelling of OccurenceConstraintViolation)
    "1.6": {
        "NotImplemented", "NotSupported", "InternalError", "ProtocolError", "SecurityError",
        "FormationViolation", "PropertyConstraintViolation", "OccurenceConstraintViolation",
        "TypeConstraintViolation", "GenericError",
    },
    # OCPP 2.0.1 part 4, 4.3
    "2.0.1": {
        "FormatViolation", "GenericError", "InternalError", "MessageTypeNotSupported", "NotImplemented",
        "NotSupported", "OccurrenceConstraintViolation", "PropertyConstraintViolation", "ProtocolError",
        "RpcFrameworkError", "SecurityError", "TypeConstraintViolation",
    },
}  # fmt: skip
ERROR_CODES["2.1"] = ERROR_CODES["2.0.1"]  # OCPP 2.1 part 4 keeps the same twelve codes
