"""Generate bridge/models/v16.py and bridge/models/v201.py from the official OCPP JSON schemas.

The schemas ship inside the `ocpp` package on PyPI. Regenerate with:

    python tools/gen_models.py

Why not datamodel-code-generator: we need one module per OCPP version (it writes one per schema),
CustomDataType left open as its schema says (its --extra-fields flag forbids extras everywhere),
date-times that accept only strings and normalise naive timestamps to UTC, and numbers that accept
JSON integers but never strings. The schemas use a small subset of JSON Schema, so a direct
translation is short and fully under our control.
"""

from __future__ import annotations

import json
import keyword
import subprocess
import sys
from pathlib import Path
from typing import Any

import ocpp

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = Path(ocpp.__file__).parent

HEADER = '''"""OCPP {version} message models, generated from the official JSON schemas. Do not edit.

Regenerate with `python tools/gen_models.py` (schemas from the `ocpp` package, version {pkg}).
"""
from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field, with_config
from typing_extensions import NotRequired, TypedDict

from bridge.models.base import (
    Message,
    Number,
    OcppDateTime,
    OpenMessage,
    StrictBool,
    StrictInt,
    StrictStr,
    multiple_of,
)

'''


# Objects validated into plain dicts (TypedDict) instead of model instances: the meter readings, the
# bulk of a fleet's traffic (a MeterValues carries several samples, each a model instance of its own
# otherwise; a dict costs half as much to validate). bridge/translate/readings.py reads them.
AS_DICT = {
    "MeterValuesRequestMeterValue",
    "MeterValuesRequestMeterValueSampledValue",
    "StopTransactionRequestTransactionData",
    "StopTransactionRequestTransactionDataSampledValue",
}


def _camel(name: str) -> str:
    return name[:1].upper() + name[1:]


class Generator:
    def __init__(self, version: str, inline_prefix: bool) -> None:
        self.version = version
        self.inline_prefix = inline_prefix  # 1.6 schemas inline every type; name them by path
        self.classes: dict[str, str] = {}
        self.order: list[str] = []
        self.requests: dict[str, str] = {}
        self.responses: dict[str, str] = {}

    def emit(self, name: str, code: str) -> str:
        if name in self.classes:
            if self.classes[name] != code:
                raise SystemExit(f"{self.version}: two different definitions named {name}")
            return name
        self.classes[name] = code
        self.order.append(name)
        return name

    def enum(self, name: str, values: list[str]) -> str:
        lines = [f"class {name}(StrEnum):"]
        for value in values:
            member = value.replace(".", "_").replace("-", "_")
            if keyword.iskeyword(member) or not member.isidentifier():
                member = "v_" + "".join(c if c.isalnum() else "_" for c in value)
            lines.append(f"    {member} = {value!r}")
        return self.emit(name, "\n".join(lines))

    def type_of(self, schema: dict[str, Any], path_name: str, defs: dict[str, Any]) -> str:
        if "$ref" in schema:
            ref = schema["$ref"].split("/")[-1]
            return self.definition(ref, defs[ref], defs)
        kind = schema.get("type")
        if "enum" in schema:
            return self.enum(path_name, schema["enum"])
        if kind == "object":
            return self.model(path_name, schema, defs)
        if kind == "array":
            item = self.type_of(schema["items"], path_name, defs)
            return f"list[{item}]"
        if kind == "string":
            return "OcppDateTime" if schema.get("format") == "date-time" else "StrictStr"
        if kind == "integer":
            return "StrictInt"
        if kind == "number":
            if "multipleOf" in schema:  # decimal steps: pydantic's float check fails 21.4 % 0.1
                return f"Annotated[Number, multiple_of({schema['multipleOf']!r})]"
            return "Number"
        if kind == "boolean":
            return "StrictBool"
        if kind is None:
            return "object"  # 2.0.1 DataTransfer.data: any JSON value
        raise SystemExit(f"unsupported schema type {kind!r} at {path_name}")

    def definition(self, name: str, schema: dict[str, Any], defs: dict[str, Any]) -> str:
        return self.type_of(schema, name, defs)

    def constraints(self, schema: dict[str, Any]) -> list[str]:
        out = []
        mapping = {
            "maxLength": "max_length",
            "minLength": "min_length",
            "minItems": "min_length",
            "maxItems": "max_length",
            "minimum": "ge",
            "maximum": "le",
        }
        for key, arg in mapping.items():
            if key in schema:
                out.append(f"{arg}={schema[key]!r}")
        return out

    def model(self, name: str, schema: dict[str, Any], defs: dict[str, Any]) -> str:
        required = set(schema.get("required", []))
        base = "Message" if schema.get("additionalProperties") is False else "OpenMessage"
        fields = []
        for prop, sub in schema.get("properties", {}).items():
            child_name = f"{name}{_camel(prop)}" if self.inline_prefix else _camel(prop)
            annotation = self.type_of(sub, child_name, defs)
            items = sub.get("items", {}) if sub.get("type") == "array" else {}
            cons = self.constraints(sub)
            if items and "$ref" not in items and items.get("type") != "object":
                # constraints on the array's items (e.g. 1.6 GetConfiguration key maxLength)
                item_cons = self.constraints(items)
                if item_cons:
                    inner = annotation[len("list[") : -1]
                    annotation = f"list[Annotated[{inner}, Field({', '.join(item_cons)})]]"
            if prop not in required:
                annotation = f"{annotation} | None"
            if cons:
                annotation = f"Annotated[{annotation}, Field({', '.join(cons)})]"
            if name in AS_DICT:
                if prop not in required:
                    annotation = f"NotRequired[{annotation}]"
                fields.append(f"    {prop}: {annotation}")
                continue
            default = "" if prop in required else " = None"
            fields.append(f"    {prop}: {annotation}{default}")
        body = "\n".join(fields) if fields else "    pass"
        if name in AS_DICT:
            if base != "Message":
                raise SystemExit(f"{name}: only closed objects can be dicts")
            config = '@with_config(ConfigDict(extra="forbid"))'
            return self.emit(name, f"{config}\nclass {name}(TypedDict):\n{body}")
        return self.emit(name, f"class {name}({base}):\n{body}")

    def schema_file(self, path: Path, top_name: str, action: str, is_response: bool) -> None:
        schema = json.loads(path.read_text())
        defs = schema.get("definitions", {})
        prefix = top_name if self.inline_prefix else ""
        if self.inline_prefix:
            self.model(prefix, schema, defs)
        else:
            self.model(top_name, schema, defs)
        (self.responses if is_response else self.requests)[action] = top_name

    def render(self) -> str:
        pkg = getattr(ocpp, "__version__", "2.1.0")
        blocks = [self.classes[name] for name in self.order]
        registry = ["REQUESTS: dict[str, type[Message]] = {"]
        registry += [f"    {a!r}: {c}," for a, c in sorted(self.requests.items())]
        registry += ["}", "", "RESPONSES: dict[str, type[Message]] = {"]
        registry += [f"    {a!r}: {c}," for a, c in sorted(self.responses.items())]
        registry.append("}")
        blocks.append("\n".join(registry))
        return HEADER.format(version=self.version, pkg=pkg) + "\n\n\n".join(blocks) + "\n"


def main() -> None:
    v16 = Generator("1.6", inline_prefix=True)
    for path in sorted((SCHEMAS / "v16" / "schemas").glob("*.json")):
        stem = path.stem
        if stem.endswith("Response"):
            v16.schema_file(path, stem, stem[: -len("Response")], True)
        else:
            v16.schema_file(path, stem + "Request", stem, False)
    v201 = Generator("2.0.1", inline_prefix=False)
    for path in sorted((SCHEMAS / "v201" / "schemas").glob("*.json")):
        stem = path.stem
        if stem.endswith("Response"):
            v201.schema_file(path, stem, stem[: -len("Response")], True)
        else:
            v201.schema_file(path, stem, stem[: -len("Request")], False)
    out = ROOT / "bridge" / "models"
    (out / "v16.py").write_text(v16.render())
    (out / "v201.py").write_text(v201.render())
    targets = [str(out / "v16.py"), str(out / "v201.py")]
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", *targets], check=True)
    subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "-q", *targets], check=True)
    print(f"wrote {len(v16.classes)} 1.6 and {len(v201.classes)} 2.0.1 classes to {out}")


if __name__ == "__main__":
    main()
