"""The README is the user's manual: it must name every setting and every trigger value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.models import v201
from bridge.settings import Settings, env_name, flag_name

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field: str) -> None:
    assert f"`{flag_name(field)}` | `{env_name(field)}`" in README


@pytest.mark.parametrize("value", [v.value for v in v201.MessageTriggerEnumType])
def test_every_trigger_value_has_a_row(value: str) -> None:
    assert f"\n| {value} |" in README


def test_the_readme_test_command_is_what_ci_runs() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "python -m pytest" in README and "\npython -m pytest\n" in ci
