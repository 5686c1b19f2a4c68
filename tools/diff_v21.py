"""Diff the OCPP 2.0.1 and 2.1 JSON schemas shipped in the `ocpp` package, per action and field.

    python tools/diff_v21.py                 # every action both versions have, and 2.1's new actions
    python tools/diff_v21.py Authorize Reset # only these actions
    python tools/diff_v21.py --json          # machine-readable (tests/test_upstream21.py uses diff())

For each message (request and response) it lists, by JSON path: fields 2.1 added or removed, fields
whose required-ness changed, enum values added or removed, and type changes. mappings/v21.toml is the
bridge's answer to these differences; this tool is how that table is checked when the schemas change.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import ocpp

SCHEMAS = Path(ocpp.__file__).parent


@dataclass
class MessageDiff:
    action: str
    kind: str  # "Request" or "Response"
    added: list[str] = field(default_factory=list)  # paths only 2.1 has (required ones marked "!")
    removed: list[str] = field(default_factory=list)
    now_required: list[str] = field(default_factory=list)
    no_longer_required: list[str] = field(default_factory=list)
    enum_added: dict[str, list[str]] = field(default_factory=dict)
    enum_removed: dict[str, list[str]] = field(default_factory=dict)
    type_changed: dict[str, str] = field(default_factory=dict)
    # bounds (minimum, maximum, maxLength, minLength, maxItems, minItems): "old -> new"
    narrowed: dict[str, str] = field(default_factory=dict)  # 2.1 takes fewer values than 2.0.1
    widened: dict[str, str] = field(default_factory=dict)

    def empty(self) -> bool:
        return not any(v for k, v in asdict(self).items() if k not in ("action", "kind"))


def load(version: str, action: str, kind: str) -> dict[str, Any] | None:
    path = SCHEMAS / version / "schemas" / f"{action}{kind}.json"
    return json.loads(path.read_text()) if path.exists() else None


def actions(version: str) -> set[str]:
    return {
        p.name.removesuffix("Request.json") for p in (SCHEMAS / version / "schemas").glob("*Request.json")
    }


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = root["definitions"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _type(node: dict[str, Any]) -> str:
    return str(node.get("type", "enum" if "enum" in node else "?"))


def _walk(old: dict[str, Any], new: dict[str, Any], ro: Any, rn: Any, path: str, d: MessageDiff) -> None:
    old, new = _resolve(old, ro), _resolve(new, rn)
    if _type(old) != _type(new):
        d.type_changed[path or "."] = f"{_type(old)} -> {_type(new)}"
    _bounds(old, new, path, d)
    if "enum" in old or "enum" in new:
        before, after = set(old.get("enum", [])), set(new.get("enum", []))
        if "enum" not in new:
            d.type_changed[path] = "enum -> free string"  # every 2.0.1 value stays valid
        elif "enum" not in old:
            d.type_changed[path] = "string -> enum"
        else:
            if after - before:
                d.enum_added[path] = sorted(after - before)
            if before - after:
                d.enum_removed[path] = sorted(before - after)
        return
    if old.get("type") == "array" or new.get("type") == "array":
        _walk(old.get("items", {}), new.get("items", {}), ro, rn, path + "[]", d)
        return
    po, pn = old.get("properties", {}), new.get("properties", {})
    qo, qn = set(old.get("required", [])), set(new.get("required", []))
    for name in sorted(pn.keys() | po.keys()):
        if name == "customData":
            continue
        sub = f"{path}.{name}" if path else name
        if name not in po:
            d.added.append(sub + ("!" if name in qn else ""))
        elif name not in pn:
            d.removed.append(sub)
        else:
            if name in qn and name not in qo:
                d.now_required.append(sub)
            if name in qo and name not in qn:
                d.no_longer_required.append(sub)
            _walk(po[name], pn[name], ro, rn, sub, d)


LOWER, UPPER = ("minimum", "minLength", "minItems"), ("maximum", "maxLength", "maxItems")


def _bounds(old: dict[str, Any], new: dict[str, Any], path: str, d: MessageDiff) -> None:
    for key in LOWER + UPPER:
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        where = f"{path or '.'} {key}"
        if key in LOWER:
            narrower = after is not None and (before is None or after > before)
        else:
            narrower = after is not None and (before is None or after < before)
        (d.narrowed if narrower else d.widened)[where] = f"{before} -> {after}"


def diff(action: str, kind: str) -> MessageDiff:
    d = MessageDiff(action, kind)
    old, new = load("v201", action, kind), load("v21", action, kind)
    if old is None or new is None:
        raise KeyError(f"{action}{kind} is not in both versions")
    _walk(old, new, old, new, "", d)
    return d


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("actions", nargs="*", help="actions to diff (default: all)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    both = sorted(actions("v201") & actions("v21"))
    chosen = args.actions or both
    diffs = [diff(a, k) for a in chosen for k in ("Request", "Response")]
    only21, only201 = sorted(actions("v21") - actions("v201")), sorted(actions("v201") - actions("v21"))
    if args.json:
        result = {"only_v21": only21, "only_v201": only201, "messages": [asdict(d) for d in diffs]}
        json.dump(result, sys.stdout, indent=1)
        print()
        return 0
    for d in diffs:
        if d.empty():
            continue
        print(f"{d.action}{d.kind}:")
        for key, value in asdict(d).items():
            if key not in ("action", "kind") and value:
                print(f"  {key}: {value}")
    if not args.actions:
        print(f"actions only in 2.1 ({len(only21)}): {', '.join(only21)}")
        print(f"actions only in 2.0.1 ({len(only201)}): {', '.join(only201) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
