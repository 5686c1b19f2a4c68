"""An optional allow-list of station ids: unknown chargers are refused before they reach the CSMS.

Two ways to say which stations may connect, either or both (a station must satisfy every one given):

- `--station-allowlist-file`: a text file, one station id or shell-style pattern a line
  (`CP-0042`, `ACME-*`, `DEPOT[12]-??`); blank lines and `#` comments are ignored. Matching is
  case-sensitive, as OCPP identities are. The file is read at start-up (a missing or empty file stops
  the bridge) and again on SIGHUP; a reload that fails keeps the previous list.
- `--station-id-pattern`: a regular expression the whole station id must match.

Without either, every well-formed station id is let through and the CSMS decides.
"""

from __future__ import annotations

import fnmatch
import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

GLOB_CHARS = frozenset("*?[")


class AllowListError(ValueError):
    pass


def read_allowlist(path: Path) -> tuple[frozenset[str], tuple[str, ...]]:
    """(exact ids, glob patterns) from an allow-list file; raises AllowListError for an unusable one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AllowListError(f"cannot read station allow-list {path}: {exc}") from None
    exact: set[str] = set()
    patterns: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if any(c.isspace() for c in line):
            raise AllowListError(f"{path}:{number}: one station id or pattern a line, without spaces")
        if GLOB_CHARS & set(line):
            patterns.append(line)
        else:
            exact.add(line)
    if not exact and not patterns:
        raise AllowListError(f"station allow-list {path} lists no station: every station would be refused")
    return frozenset(exact), tuple(patterns)


class AllowList:
    """Decides whether a station id may connect."""

    def __init__(self, path: Path | None = None, pattern: str = "") -> None:
        self.path = path
        try:
            self.regex = re.compile(pattern) if pattern else None
        except re.error as exc:
            raise AllowListError(
                f"station id pattern {pattern!r} is not a regular expression: {exc}"
            ) from None
        # (exact ids, patterns): one attribute, so that a reload read in a worker thread swaps both at once
        self.lists: tuple[frozenset[str], tuple[str, ...]] = (frozenset(), ())
        if path is not None:
            self.lists = read_allowlist(path)

    @property
    def active(self) -> bool:
        return self.path is not None or self.regex is not None

    def allows(self, station_id: str) -> bool:
        if self.regex is not None and self.regex.fullmatch(station_id) is None:
            return False
        if self.path is None:
            return True
        exact, patterns = self.lists
        return station_id in exact or any(fnmatch.fnmatchcase(station_id, p) for p in patterns)

    def reload(self) -> bool:
        """Read the file again (SIGHUP). On failure keep the current list, log why, return False."""
        if self.path is None:
            return True
        try:
            self.lists = read_allowlist(self.path)
        except AllowListError as exc:
            log.error("%s; keeping the previous allow-list", exc)
            return False
        log.info("station allow-list reloaded: %d id(s), %d pattern(s)", *map(len, self.lists))
        return True
