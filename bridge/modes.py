"""Which way a station's traffic goes: chosen at its handshake, from the protocol it offers and,
for a 1.6 station, its migration mode.

    station offers   mode                    decides (answers the station)   gets copies (shadow)
    ocpp2.0.1 first  passthrough             2.0.1 CSMS, not translated       -
    ocpp1.6          primary (default)       2.0.1 CSMS, translated           -
    ocpp1.6          legacy                  1.6 CSMS, not translated         -
    ocpp1.6          shadow                  1.6 CSMS, not translated         2.0.1 CSMS, translated
    ocpp1.6          primary+legacy-shadow   2.0.1 CSMS, translated           1.6 CSMS, not translated
    neither          refused at the handshake (HTTP 400)

A 1.6 station's mode is --default-mode unless --station-modes-file names it: one
`<station id or glob pattern> <mode>` a line (`#` comments), an exact id before any pattern,
patterns in file order. The file is read at start-up (an unusable one stops the bridge) and on
SIGHUP (an unusable one keeps the previous); a change applies at the station's next connection.
The choice is a small `Route` that the server's upstream connection, engine and shadow follow.
"""

from __future__ import annotations

import fnmatch
import logging
from dataclasses import dataclass
from pathlib import Path

from bridge.allowlist import GLOB_CHARS

log = logging.getLogger(__name__)

OCPP16 = "ocpp1.6"
OCPP201 = "ocpp2.0.1"
STATION_PROTOCOLS = (OCPP201, OCPP16)  # what a station may speak, as the README's table says
MODES = ("primary", "legacy", "shadow", "primary+legacy-shadow")
NEEDS_LEGACY = frozenset({"legacy", "shadow", "primary+legacy-shadow"})


class NoCommonProtocol(ValueError):
    pass


class ModesError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Route:
    mode: str  # the `mode` label of bridge_connected_stations
    station_protocol: str  # the WebSocket subprotocol the station gets
    csms_protocol: str  # the subprotocol asked of the CSMS that decides
    csms_url: str
    shadow_protocol: str = ""  # the CSMS that gets copies, if any
    shadow_url: str = ""

    @property
    def translated(self) -> bool:
        return self.station_protocol != self.csms_protocol

    def shadow_route(self) -> Route:
        """The route of the copies: the same station, the shadow CSMS."""
        return Route(self.mode, self.station_protocol, self.shadow_protocol, self.shadow_url)


def station_protocol(offered: list[str]) -> str:
    """The subprotocol a station gets: 2.0.1 when it offers it first (or alone, or without 1.6),
    1.6 when it offers 1.6; NoCommonProtocol otherwise."""
    ours = [p for p in offered if p in STATION_PROTOCOLS]
    if not ours:
        shown = ", ".join(p for p in offered if p) or "none"
        raise NoCommonProtocol(
            f"the station must offer WebSocket subprotocol {OCPP16} or {OCPP201} (it offered: {shown[:200]})"
        )
    return ours[0]


def route(protocol: str, mode: str, csms_url: str, legacy_url: str) -> Route:
    """The route of a station that speaks `protocol` in migration `mode` (1.6 stations only)."""
    if protocol == OCPP201:
        return Route("passthrough", OCPP201, OCPP201, csms_url)
    if mode == "legacy":
        return Route(mode, OCPP16, OCPP16, legacy_url)
    if mode == "shadow":
        return Route(mode, OCPP16, OCPP16, legacy_url, OCPP201, csms_url)
    if mode == "primary+legacy-shadow":
        return Route(mode, OCPP16, OCPP201, csms_url, OCPP16, legacy_url)
    return Route("primary", OCPP16, OCPP201, csms_url)


def read_modes(path: Path, legacy: bool) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """(exact ids, (pattern, mode) in file order); raises ModesError naming the line at fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModesError(f"cannot read station modes file {path}: {exc}") from None
    exact: dict[str, str] = {}
    patterns: list[tuple[str, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ModesError(f"{path}:{number}: expected `<station id or pattern> <mode>`, got {line!r}")
        station, mode = parts
        if mode not in MODES:
            raise ModesError(f"{path}:{number}: unknown mode {mode!r}; one of {', '.join(MODES)}")
        if mode in NEEDS_LEGACY and not legacy:
            raise ModesError(f"{path}:{number}: mode {mode} needs --legacy-csms-url (the 1.6 CSMS)")
        if GLOB_CHARS & set(station):
            patterns.append((station, mode))
        else:
            exact[station] = mode
    return exact, tuple(patterns)


class ModeBook:
    """Each 1.6 station's migration mode."""

    def __init__(self, path: Path | None, default: str, legacy: bool) -> None:
        self.path = path
        self.default = default
        self.legacy = legacy  # a legacy CSMS is configured
        # (exact ids, (pattern, mode) pairs): one attribute, so that a reload read in a worker thread
        # swaps both at once
        self.table: tuple[dict[str, str], tuple[tuple[str, str], ...]] = ({}, ())
        if path is not None:
            self.table = read_modes(path, legacy)

    def mode(self, station_id: str) -> str:
        exact, patterns = self.table
        found = exact.get(station_id)
        if found is not None:
            return found
        for pattern, mode in patterns:
            if fnmatch.fnmatchcase(station_id, pattern):
                return mode
        return self.default

    def reload(self) -> bool:
        """Read the file again (SIGHUP). On failure keep the current modes, log why, return False."""
        if self.path is None:
            return True
        try:
            self.table = read_modes(self.path, self.legacy)
        except ModesError as exc:
            log.error("%s; keeping the previous station modes", exc)
            return False
        log.info(
            "station modes reloaded: %d id(s), %d pattern(s); they apply at each station's next connection",
            *map(len, self.table),
        )
        return True
