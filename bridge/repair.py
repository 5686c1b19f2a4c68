"""Repairs of known firmware quirks in a station's 1.6 call, before it is validated again strictly.

The rules are data: mappings/repairs.toml names each repair, its kind and the fields it applies to;
`load_repairs` checks every field against the bridge's 1.6 models at start-up (the field exists, has
the shape the kind needs, and is no identity field). The engine calls `RepairTable.repair` only for
a station's call that failed validation, and validates what comes back as strictly as any frame:
repairs never widen what the bridge sends on, they only turn a known quirk into the value the
charger meant.

Every kind acts only on a value that is invalid where it stands (a number where a string belongs,
a word outside an enum, a string over its maximum, ...), so a frame valid under the 1.6 schema comes
back unchanged (tests/test_repairs.py checks that for every payload the official schema allows).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import ValidationError

from bridge.models import v16
from bridge.models.base import RFC3339
from bridge.tables import TableError, read_table

WHERE = "repairs.toml"

# The order kinds run in: shapes first (so the paths below them exist), then values, then lengths
# (a kept error word may make info too long; the cut comes after).
KINDS = (
    "drop_extra",
    "object_to_list",
    "drop_empty_readings",
    "number_to_text",
    "drop_empty",
    "enum_case",
    "enum_alias",
    "error_code",
    "date_time",
    "truncate",
    "drop_echo",
)
EXTRA_KEYS = {"enum_alias": {"aliases"}, "error_code": {"fallback", "keep_in"}}

# Never rewritten (drop_echo may remove an optional echo of one; drop_extra removes fields 1.6 lacks).
IDENTITY = frozenset(
    {
        "idTag",
        "parentIdTag",
        "transactionId",
        "connectorId",
        "reservationId",
        "meterStart",
        "meterStop",
        "chargePointVendor",
        "chargePointModel",
        "chargePointSerialNumber",
        "chargeBoxSerialNumber",
        "meterSerialNumber",
        "iccid",
        "imsi",
        "requestId",
    }
)

Path = tuple[tuple[str, bool], ...]  # (field name, for each item of the array it holds)


@dataclass(frozen=True, slots=True)
class Change:
    """One repair made to one field of one frame."""

    repair: str  # the table's name for it, the `repair` label of bridge_station_repairs_total
    field: str  # where, e.g. meterValue[0].sampledValue[2].value
    note: str  # what was done, for the log and `ocpp-bridge translate`


@dataclass(slots=True)
class Repaired:
    payload: dict[str, Any]
    changes: list[Change]
    answer: dict[str, Any] | None = None  # nothing left to send on: the bridge answers with this


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    path: Path
    enum: frozenset[str] = frozenset()
    lookup: dict[str, str] = field(default_factory=dict)  # casefolded word -> enum value
    max_length: int | None = None
    fallback: str | None = None
    keep_in: tuple[str, ...] = ()
    answer_when_empty: bool = False


@dataclass(frozen=True)
class RepairTable:
    by_action: dict[str, tuple[Rule, ...]]  # in KINDS order
    names: frozenset[str]

    def repair(self, action: str, payload: dict[str, Any]) -> Repaired | None:
        """The payload with every applicable repair made (a copy), or None when none applied."""
        rules = self.by_action.get(action)
        if not rules:
            return None
        data = copy.deepcopy(payload)
        changes: list[Change] = []
        answer = None
        for rule in rules:
            apply = OPERATIONS[rule.kind]
            for parent, key, where in list(_targets(data, rule.path, "")):
                emptied = apply(rule, parent, key, where, changes)
                if emptied and rule.answer_when_empty:
                    answer = {}
        return Repaired(data, changes, answer) if changes else None


def _targets(node: Any, path: Path, where: str) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(object, key, readable path) for every place `path` names in the payload."""
    if not isinstance(node, dict):
        return
    (name, each), rest = path[0], path[1:]
    if not rest:
        yield node, name, where + name
        return
    child = node.get(name)
    if each:
        if isinstance(child, list):
            for i, item in enumerate(child):
                yield from _targets(item, rest, f"{where}{name}[{i}].")
    else:
        yield from _targets(child, rest, f"{where}{name}.")


def _show(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- the kinds: each changes parent[key] in place when (and only when) it is invalid ------------------

Operation = Callable[[Rule, dict[str, Any], str, str, list[Change]], bool]


def _set(rule: Rule, parent: dict[str, Any], key: str, where: str, new: Any, changes: list[Change]) -> None:
    changes.append(Change(rule.name, where, f"{where} {_show(parent[key])} -> {_show(new)}"))
    parent[key] = new


def _drop(rule: Rule, parent: dict[str, Any], key: str, where: str, why: str, changes: list[Change]) -> None:
    changes.append(Change(rule.name, where, f"{where} {_show(parent.pop(key))} dropped ({why})"))


def decimal_text(value: Any) -> str | None:
    """A JSON number's exact decimal text (no exponent): 0.0 -> "0.0", 1e-07 -> "0.0000001"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return None
    return format(Decimal(repr(value)), "f")


def _number_to_text(rule: Rule, parent: dict[str, Any], key: str, where: str, changes: list[Change]) -> bool:
    text = decimal_text(parent.get(key))
    if text is not None:
        _set(rule, parent, key, where, text, changes)
    return False


def _object_to_list(rule: Rule, parent: dict[str, Any], key: str, where: str, changes: list[Change]) -> bool:
    value = parent.get(key)
    if isinstance(value, dict):
        parent[key] = [value]
        changes.append(Change(rule.name, where, f"{where}: a single object made a one-element array"))
    return False


def _drop_empty_readings(
    rule: Rule, parent: dict[str, Any], key: str, where: str, changes: list[Change]
) -> bool:
    readings = parent.get(key)
    if not isinstance(readings, list):
        return False
    kept = [r for r in readings if not (isinstance(r, dict) and r.get("sampledValue") == [])]
    if len(kept) == len(readings):
        return False
    parent[key] = kept
    left = f"{len(kept)} left" if kept else "none left: answered by the bridge"
    note = f"{where}: {len(readings) - len(kept)} reading(s) with an empty sampledValue dropped ({left})"
    changes.append(Change(rule.name, where, note))
    return not kept


def _drop_empty(rule: Rule, parent: dict[str, Any], key: str, where: str, changes: list[Change]) -> bool:
    if parent.get(key) == "":
        _drop(rule, parent, key, where, "an empty optional field", changes)
    return False


def _enum_lookup(rule: Rule, parent: dict[str, Any], key: str, where: str, changes: list[Change]) -> bool:
    value = parent.get(key)
    if isinstance(value, str) and value not in rule.enum:
        found = rule.lookup.get(value.casefold())
        if found is not None:
            _set(rule, parent, key, where, found, changes)
    return False


def _error_code(rule: Rule, parent: dict[str, Any], key: str, where: str, changes: list[Change]) -> bool:
    word = parent.get(key)
    if not isinstance(word, str) or not word or word in rule.enum:
        return False
    assert rule.fallback is not None
    kept = next((k for k in rule.keep_in if not parent.get(k)), rule.keep_in[-1])
    parent[kept] = f"{word}: {parent[kept]}" if parent.get(kept) else word
    parent[key] = rule.fallback
    note = f"{where} {_show(word)} -> {rule.fallback!r}, the word kept in {kept}"
    changes.append(Change(rule.name, where, note))
    return False


ISO8601 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?"
)


def rfc3339_utc(text: str) -> str | None:
    """An ISO 8601 date-time with one meaning as RFC 3339 UTC ("...T14:35:02+02" ->
    "...T12:35:02Z"); None when it is not one. No offset means UTC, as the models read it."""
    match = ISO8601.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    minutes = 0
    if offset and offset not in "Zz":
        digits = offset[1:].replace(":", "")
        hours, mins = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or mins > 59:
            return None
        minutes = (hours * 60 + mins) * (-1 if offset[0] == "-" else 1)
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
        utc = local - timedelta(minutes=minutes)
    except (ValueError, OverflowError):
        return None
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


def _date_time(rule: Rule, parent: dict[str, Any], key: str, where: str, changes: list[Change]) -> bool:
    value = parent.get(key)
    if isinstance(value, str) and not RFC3339.fullmatch(value):
        normal = rfc3339_utc(value)
        if normal is not None:
            _set(rule, parent, key, where, normal, changes)
    return False


def _truncate(rule: Rule, parent: dict[str, Any], key: str, where: str, changes: list[Change]) -> bool:
    value = parent.get(key)
    limit = rule.max_length
    if isinstance(value, str) and limit is not None and len(value) > limit:
        parent[key] = value[:limit]
        note = f"{where} cut to its 1.6 maximum of {limit} characters (was {len(value)}: {value!r})"
        changes.append(Change(rule.name, where, note))
    return False


def _drop_echo(rule: Rule, parent: dict[str, Any], key: str, where: str, changes: list[Change]) -> bool:
    if key not in parent:
        return False
    value = parent[key]
    limit = rule.max_length
    if not isinstance(value, str) or (limit is not None and len(value) > limit):
        _drop(rule, parent, key, where, "an optional echo the CSMS does not need", changes)
    return False


def _drop_extra(rule: Rule, parent: dict[str, Any], key: str, where: str, changes: list[Change]) -> bool:
    if key in parent:
        _drop(rule, parent, key, where, "not a 1.6 field", changes)
    return False


OPERATIONS: dict[str, Operation] = {
    "drop_extra": _drop_extra,
    "object_to_list": _object_to_list,
    "drop_empty_readings": _drop_empty_readings,
    "number_to_text": _number_to_text,
    "drop_empty": _drop_empty,
    "enum_case": _enum_lookup,
    "enum_alias": _enum_lookup,
    "error_code": _error_code,
    "date_time": _date_time,
    "truncate": _truncate,
    "drop_echo": _drop_echo,
}
assert set(OPERATIONS) == set(KINDS)


# -- loading and checking the table ----------------------------------------------------------------


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise TableError(f"mappings/{WHERE}: {message}")


@cache
def _schema(action: str) -> dict[str, Any]:
    return v16.REQUESTS[action].model_json_schema()


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """A schema node without its $ref and its `| None` (optional fields)."""
    while True:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in node:
            branches = [n for n in node["anyOf"] if n.get("type") != "null"]
            if len(branches) != 1:
                return node
            node = branches[0]
        else:
            return node


@dataclass(frozen=True)
class Place:
    parent: dict[str, Any]  # the schema of the object holding the field
    node: dict[str, Any] | None  # the field's schema; None: the object has no such field
    required: bool


def _place(at: str, action: str, path: Path) -> Place:
    schema = _schema(action)
    node = schema
    for name, each in path[:-1]:
        props = node.get("properties", {})
        _check(name in props, f"{at}: {action} has no field {name!r}")
        node = _resolve(schema, props[name])
        if each:
            _check(node.get("type") == "array", f"{at}: {name} is not an array")
            node = _resolve(schema, node["items"])
        _check(node.get("type") == "object", f"{at}: {name} does not hold objects")
    name = path[-1][0]
    props = node.get("properties", {})
    leaf = _resolve(schema, props[name]) if name in props else None
    return Place(node, leaf, name in node.get("required", []))


def parse_path(at: str, text: Any) -> tuple[str, Path]:
    _check(isinstance(text, str) and "." in text, f"{at}: a field is written Action.field, got {text!r}")
    action, *parts = text.split(".")
    _check(action in v16.REQUESTS, f"{at}: {action!r} is no 1.6 action")
    path = []
    for part in parts:
        name = part.removesuffix("[]")
        _check(name.isidentifier(), f"{at}: {text!r}: {part!r} is no field name")
        path.append((name, part.endswith("[]")))
    _check(not path[-1][1], f"{at}: {text!r} must end at a field, not its items")
    return action, tuple(path)


def _answers_empty(action: str) -> bool:
    try:
        v16.RESPONSES[action].model_validate({})
    except ValidationError:
        return False
    return True


def _rule(name: str, raw: dict[str, Any], text: str) -> tuple[str, Rule]:
    at = f"repair.{name}"
    kind = raw["kind"]
    action, path = parse_path(at, text)
    place = _place(at, action, path)
    leaf, field_name = place.node, path[-1][0]
    what = f"{at}: {text}"
    if kind not in ("drop_echo", "drop_extra"):
        _check(field_name not in IDENTITY, f"{what} is an identity field: never rewritten")
    if kind == "drop_extra":
        _check(leaf is None, f"{what} is a 1.6 field: drop_extra is for fields 1.6 does not have")
        _check(place.parent.get("additionalProperties") is False, f"{what}: the object takes any field")
        return action, Rule(name, kind, path)
    _check(leaf is not None, f"{what}: no such field in {action}")
    assert leaf is not None
    enum = frozenset(leaf.get("enum", ()))
    is_text = leaf.get("type") == "string" and not enum and "format" not in leaf
    if kind == "number_to_text":
        _check(is_text, f"{what} is not a plain string field")
        return action, Rule(name, kind, path)
    if kind == "object_to_list":
        _check(leaf.get("type") == "array", f"{what} is not an array")
        return action, Rule(name, kind, path)
    if kind == "drop_empty_readings":
        items = _resolve(_schema(action), leaf.get("items", {}))
        samples = _resolve(_schema(action), items.get("properties", {}).get("sampledValue", {}))
        _check(samples.get("minItems", 0) >= 1, f"{what}: its readings may have no samples already")
        empty_invalid = place.required and leaf.get("minItems", 0) >= 1
        _check(not empty_invalid or _answers_empty(action), f"{what}: {action} has no empty answer")
        return action, Rule(name, kind, path, answer_when_empty=empty_invalid)
    if kind in ("enum_case", "enum_alias", "error_code"):
        _check(bool(enum), f"{what} is not an enum")
        folded: dict[str, str] = {}
        for value in enum:
            _check(value.casefold() not in folded, f"{what}: {value!r} and another value differ by case only")
            folded[value.casefold()] = value
        if kind == "enum_case":
            return action, Rule(name, kind, path, enum=enum, lookup=folded)
        if kind == "enum_alias":
            aliases = raw.get("aliases")
            _check(isinstance(aliases, dict) and bool(aliases), f"{at}: aliases = {{word = value}} needed")
            lookup = {}
            for word, value in aliases.items():  # each alias applies where its value exists
                _check(isinstance(value, str), f"{at}: alias {word!r} needs a value")
                _check(word.casefold() not in folded, f"{what}: alias {word!r} is a value already")
                if value in enum:
                    lookup[word.casefold()] = value
            return action, Rule(name, kind, path, enum=enum, lookup=lookup)
        fallback, keep_in = raw.get("fallback"), raw.get("keep_in")
        _check(fallback in enum, f"{what}: fallback {fallback!r} is no value of it")
        _check(isinstance(keep_in, list) and bool(keep_in), f"{at}: keep_in = [fields] needed")
        for sibling in keep_in:
            node = place.parent.get("properties", {}).get(sibling)
            ok = node is not None and _resolve(_schema(action), node).get("type") == "string"
            _check(ok and sibling not in place.parent.get("required", []), f"{at}: keep_in {sibling!r}")
        return action, Rule(name, kind, path, enum=enum, fallback=fallback, keep_in=tuple(keep_in))
    if kind == "date_time":
        _check(leaf.get("format") == "date-time", f"{what} is not a date-time")
        return action, Rule(name, kind, path)
    if kind == "drop_empty":
        _check(not place.required, f"{what} is required: it cannot be left out")
        _check(bool(enum) or leaf.get("format") == "date-time", f"{what}: an empty string is valid there")
        return action, Rule(name, kind, path)
    if kind == "truncate":
        _check(is_text and "maxLength" in leaf, f"{what} is not a string with a maximum length")
        return action, Rule(name, kind, path, max_length=leaf["maxLength"])
    # drop_echo
    _check(not place.required, f"{what} is required: only an optional echo may be dropped")
    _check(leaf.get("type") == "string", f"{what} is not a string field")
    return action, Rule(name, kind, path, max_length=leaf.get("maxLength"))


def load_repairs() -> RepairTable:
    """Read and check mappings/repairs.toml; raises TableError naming the entry at fault."""
    raw = read_table(WHERE)
    _check(set(raw) == {"repair"}, "the table is [repair.NAME] sections only")
    found: dict[str, list[Rule]] = {}
    for name, entry in raw["repair"].items():
        at = f"repair.{name}"
        _check(isinstance(entry, dict), f"{at} must be a table")
        kind = entry.get("kind")
        _check(kind in KINDS, f"{at}: kind {kind!r} is not one of {', '.join(KINDS)}")
        allowed = {"kind", "fields", "source"} | EXTRA_KEYS.get(kind, set())
        _check(set(entry) <= allowed, f"{at}: unknown key(s) {sorted(set(entry) - allowed)}")
        source = entry.get("source")
        _check(isinstance(source, str) and source.startswith("https://"), f"{at}: source = URL needed")
        fields = entry.get("fields")
        _check(isinstance(fields, list) and bool(fields), f"{at}: fields = [...] needed")
        rules = [_rule(name, entry, text) for text in fields]
        for action, rule in rules:
            found.setdefault(action, []).append(rule)
        if kind == "enum_alias":
            used = {value for _, rule in rules for value in rule.lookup.values()}
            unused = sorted(w for w, v in entry["aliases"].items() if v not in used)
            _check(not unused, f"{at}: alias(es) {unused} name no value of any of its fields")
    order = {kind: i for i, kind in enumerate(KINDS)}
    by_action = {a: tuple(sorted(rules, key=lambda r: order[r.kind])) for a, rules in found.items()}
    return RepairTable(by_action, frozenset(raw["repair"]))
