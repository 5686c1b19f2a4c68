"""Hypothesis strategies that draw payloads valid for an official OCPP JSON schema.

hypothesis-jsonschema would be the library for this, but its latest release (0.23.1) fails on
current Hypothesis (`'many' object has no attribute 'more'`). The OCPP schemas use a small subset
of JSON Schema (objects, enums, arrays, strings with maxLength, date-time, integers, numbers,
booleans, local $refs), so the strategy is short.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"))

DATE_TIMES = st.builds(
    lambda dt, offset, z: (
        dt.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
        if z
        else dt.isoformat() + f"{'+' if offset >= 0 else '-'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    ),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
    st.integers(-12 * 60, 14 * 60).map(lambda m: m - m % 15),
    st.booleans(),
)


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
        return TEXT.filter(lambda s: len(s) <= schema.get("maxLength", 10**6)).map(
            lambda s: s[: schema.get("maxLength", 60)]
        )
    if kind == "integer":
        return st.integers(schema.get("minimum", -(2**31)), schema.get("maximum", 2**31 - 1))
    if kind == "number":
        if "multipleOf" in schema:
            step = schema["multipleOf"]
            return st.integers(0, 10**6).map(lambda n: round(n * step, 6))
        return st.one_of(st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6, allow_nan=False, width=32))
    if kind == "boolean":
        return st.booleans()
    if kind is None:
        return st.one_of(TEXT, st.integers(), st.dictionaries(TEXT, st.integers(), max_size=2))
    raise ValueError(f"unsupported schema: {schema}")


__all__ = ["DATE_TIMES", "from_schema"]
