"""Shadow comparison: the decision-bearing fields of two answers to the same station call.

Which fields bear the decision is data (mappings/shadow.toml, checked against the 1.6 answer
schemas at start-up). Answers are compared as the 1.6 station would get them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from bridge.models import v16
from bridge.tables import TableError, read_table

OUTCOME = "outcome"  # the field name of a difference in kind: one answered, the other refused


@dataclass(frozen=True, slots=True)
class Difference:
    field: str
    decided: Any  # the value in the answer the station got
    shadow: Any  # the value in the shadow CSMS's answer


def _properties(action: str) -> dict[str, Any]:
    schema = v16.RESPONSES[action].model_json_schema()
    return schema.get("properties", {})


@cache
def load_fields() -> dict[str, tuple[str, ...]]:
    """mappings/shadow.toml's [fields], each path checked against the 1.6 answer of its action."""
    table = read_table("shadow.toml").get("fields", {})
    fields: dict[str, tuple[str, ...]] = {}
    for action, paths in table.items():
        if action not in v16.RESPONSES:
            raise TableError(f"mappings/shadow.toml: {action} is not a 1.6 action")
        top = _properties(action)
        for path in paths:
            if path.split(".", 1)[0] not in top:
                raise TableError(f"mappings/shadow.toml: {action} has no field {path.split('.', 1)[0]}")
        fields[action] = tuple(paths)
    return fields


def _get(payload: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(payload, dict):
            return None
        payload = payload.get(part)
    return payload


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str) and a != b:
        try:
            return datetime.fromisoformat(a) == datetime.fromisoformat(b)
        except ValueError:
            return False
    return bool(a == b)


def compare(action: str, decided: dict[str, Any], shadow: dict[str, Any]) -> list[Difference]:
    """The named fields of `action` whose values differ between the two (1.6) answers."""
    out = []
    for path in load_fields().get(action, ()):
        mine, theirs = _get(decided, path), _get(shadow, path)
        if not _same(mine, theirs):
            out.append(Difference(path, mine, theirs))
    return out
