"""Write constraints.txt: the exact versions the container image installs (Dockerfile, `pip install -c`).

    python tools/pin_image.py            # from the packages installed in this environment
    python tools/pin_image.py --check    # exit 1 if constraints.txt differs from what would be written

The pins are the project's runtime dependencies (pyproject.toml `[project] dependencies`) and all they
depend on, at the versions installed here: run it in the virtualenv the test suite passed in, so the
image runs what was tested, and two builds of the same commit install the same versions.
tests/test_image.py checks that every pin satisfies pyproject.toml and that nothing is left unpinned.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from importlib.metadata import distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
HEADER = (
    "# Versions the container image installs (Dockerfile: pip install --constraint constraints.txt).\n"
    "# Written by tools/pin_image.py from a tested environment; checked by tests/test_image.py.\n"
)


def runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"]]


def closure(requirements: list[Requirement], env: dict[str, str] | None = None) -> dict[str, Requirement]:
    """Every distribution `requirements` pull in (markers evaluated for this Python), by canonical name,
    with the requirement that first named it; read from the installed packages' metadata."""
    found: dict[str, Requirement] = {}
    todo = list(requirements)
    while todo:
        requirement = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate(env or {"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        found[name] = requirement
        todo.extend(Requirement(line) for line in distribution(requirement.name).requires or [])
    return found


def pins() -> str:
    lines = [f"{name}=={distribution(name).version}" for name in sorted(closure(runtime_requirements()))]
    return HEADER + "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="compare with constraints.txt, write nothing")
    args = parser.parse_args()
    text = pins()
    if args.check:
        if CONSTRAINTS.read_text() != text:
            print("constraints.txt differs from this environment's versions", file=sys.stderr)
            return 1
        return 0
    CONSTRAINTS.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
