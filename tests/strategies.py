"""Hypothesis strategies that draw payloads valid for an official OCPP JSON schema, edges included.

hypothesis-jsonschema would be the library for this, but its latest release (0.23.1) still fails on
current Hypothesis (`'many' object has no attribute 'more'`, checked again with Hypothesis 6.170).
The OCPP schemas use a small subset of JSON Schema (objects, enums, arrays, strings with maxLength,
date-time and uri formats, integers, numbers with multipleOf, booleans, local $refs), so the
strategy is short; what it adds over a plain generator are the edges a schema allows and a real
peer may send:
- strings: empty, exactly maxLength, any Unicode (astral planes, combining marks, controls);
  strings that look like URLs, so that location fields reach the paths that forward them;
- numbers: the whole double range (1.7e308, 5e-324, -0.0), integers to 64 bits, multipleOf
  steps with whole doubles beyond 2**53 and tiny steps;
- date-times: years 1 to 9999, offsets up to +-23:59, 0 to 12 fractional digits, `t` and `z`;
- arrays: empty where minItems allows, up to a few items.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"))
ASCII_URL = st.builds(
    "{}://{}/{}".format,
    st.sampled_from(["http", "https", "ftp", "sftp", "HTTPS"]),
    st.from_regex(r"[a-z0-9.-]{1,20}(:[0-9]{1,5})?", fullmatch=True),
    st.text(
        alphabet=st.characters(codec="ascii", exclude_categories=("Cc",)) | st.sampled_from("éü€"),
        max_size=30,
    ),
)

URIS = st.builds(  # RFC 3986 URIs, for `format: uri`
    "{}://{}/{}".format,
    st.sampled_from(["http", "https", "ftp"]),
    st.from_regex(r"[a-z0-9.-]{1,20}(:[0-9]{1,5})?", fullmatch=True),
    st.from_regex(r"([A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-F]{2}){0,30}", fullmatch=True),
)


def _string(max_length: int | None) -> st.SearchStrategy[str]:
    limit = max_length if max_length is not None else 10**4
    short = st.one_of(TEXT, ASCII_URL).map(lambda s: s[:limit])
    if max_length is None:
        return short
    longest = st.one_of(  # exactly maxLength: a drawn pattern repeated (astral characters count as one)
        TEXT.map(lambda s: (s * limit)[:limit] if s else "x" * limit),
        st.just("\U0001f50c" * limit),
    )
    return st.one_of(short, longest)


def _fraction(digits: int, micro: int) -> str:
    return "." + f"{micro:06d}{micro:06d}"[:digits] if digits else ""


DATE_TIMES = st.builds(
    lambda dt, digits, zone, t: (
        f"{dt.year:04d}-{dt:%m-%d}{t}{dt:%H:%M:%S}{_fraction(digits, dt.microsecond)}{zone}"
    ),
    st.datetimes(),
    st.integers(0, 12),
    st.one_of(
        st.sampled_from(["Z", "z", "+00:00", "-00:00"]),
        st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(
            lambda m: f"{'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
        ),
    ),
    st.sampled_from(["T", "t"]),
)

INT64 = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, 1, -1, 2**31 - 1, -(2**31), 2**53, 2**63 - 1, -(2**63)]),
)
DOUBLES = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1.7e308, -1.7e308, 5e-324, 2.2250738585072014e-308, -0.0, 0.1, 1e22]),
    st.integers(-(2**63), 2**63 - 1),
)


def _multiple_of(step: float) -> st.SearchStrategy[Any]:
    exact = Decimal(repr(step))
    return st.one_of(
        st.integers(-(10**7), 10**7).map(lambda n: float(n * exact)),  # n * 0.1, exactly in decimal
        st.floats(min_value=2.0**53, allow_infinity=False),  # doubles this large are whole numbers
        st.sampled_from([1.7e308, 0.0]),
    )


def _bounded(strategy: st.SearchStrategy[Any], schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is None and high is None:
        return strategy
    return strategy.filter(lambda v: (low is None or v >= low) and (high is None or v <= high))


def from_schema(schema: dict[str, Any], root: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
    root = root or schema
    if "$ref" in schema:
        return from_schema(root["definitions"][schema["$ref"].split("/")[-1]], root)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        fixed = {k: from_schema(v, root) for k, v in props.items() if k in required}
        optional = {k: from_schema(v, root) for k, v in props.items() if k not in required}
        return st.fixed_dictionaries(fixed, optional=optional)
    if kind == "array":
        return st.lists(
            from_schema(schema["items"], root),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", 3), 3),
        )
    if kind == "string":
        if schema.get("format") == "date-time":
            return DATE_TIMES
        if schema.get("format") == "uri":
            return URIS
        return _string(schema.get("maxLength"))
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None or high is not None:  # bounds may be written as 0.0 in the schemas
            low = -(2**63) if low is None else math.ceil(low)
            high = 2**63 - 1 if high is None else math.floor(high)
            return st.one_of(st.integers(low, high), st.sampled_from([low, high]))
        return INT64
    if kind == "number":
        if "multipleOf" in schema:
            return _bounded(_multiple_of(schema["multipleOf"]), schema)
        return _bounded(DOUBLES, schema)
    if kind == "boolean":
        return st.booleans()
    if kind is None:
        return st.one_of(TEXT, st.integers(), st.dictionaries(TEXT, st.integers(), max_size=2))
    raise ValueError(f"unsupported schema: {schema}")


__all__ = ["DATE_TIMES", "from_schema"]
