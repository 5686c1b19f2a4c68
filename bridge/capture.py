"""`ocpp-bridge translate`: run captured OCPP-J frames through the same engine the proxy uses.

Each input line is one frame (a JSON array). `--from` says which side sent it; a line may start
with `1.6 ` or `2.0.1 ` to say so itself, so a two-sided capture translates results too (a
CALLRESULT is translated with the knowledge of the call it answers). For every frame the output
shows what it was and what the bridge would send, to whom:

    in  2.0.1  [2,"1","TriggerMessage",{"requestedMessage":"LogStatusNotification"}]
    out 1.6    [2,"1","TriggerMessage",{"requestedMessage":"DiagnosticsStatusNotification"}]

A station's frame that needed repairs (mappings/repairs.toml) shows each one beside it:

    in  1.6    [2,"7","StatusNotification",{"connectorId":0,"errorCode":"Error","status":"Faulted"}]
    fix        errorCode 'Error' -> 'OtherError', the word kept in vendorErrorCode  [unknown_error_code]

`--station-repairs off` translates as the bridge would with repairs off (the frame is refused).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bridge.engine import Engine, NullObserver, Side
from bridge.repair import Change
from bridge.tables import load_tables
from bridge.topology import load_topology
from bridge.translate.context import StationContext

VERSIONS = {"1.6": Side.STATION, "2.0.1": Side.CSMS}
LABEL = {Side.STATION: "1.6", Side.CSMS: "2.0.1"}


def split_line(line: str, default: str) -> tuple[Side, str]:
    for version, side in VERSIONS.items():
        if line.startswith(version + " "):
            return side, line[len(version) + 1 :].strip()
    return VERSIONS[default], line


class RepairNotes(NullObserver):
    """Collects the repairs the engine makes to the frame being translated."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def repaired(self, action: str, changes: Sequence[Change]) -> None:
        self.changes.extend(changes)


def translate_stream(
    stream: TextIO,
    out: TextIO,
    source: str,
    station_id: str = "capture",
    topology_file: str | None = None,
    repairs: bool = True,
) -> int:
    ctx = StationContext(
        station_id, load_tables(), topologies=load_topology(Path(topology_file) if topology_file else None)
    )
    notes = RepairNotes()
    engine = Engine(ctx, observer=notes, repairs=repairs)
    for raw in stream:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        side, frame = split_line(line, source)
        out.write(f"in  {LABEL[side]:<6} {frame}\n")
        notes.changes.clear()
        sends = engine.receive(side, frame)
        for change in notes.changes:
            out.write(f"fix        {change.note}  [{change.repair}]\n")
        if not sends:
            out.write("    (nothing sent: see the log line above)\n")
        for send in sends:
            note = "  (answered by the bridge)" if send.side is side else ""
            out.write(f"out {LABEL[send.side]:<6} {send.text}{note}\n")
    return 0
