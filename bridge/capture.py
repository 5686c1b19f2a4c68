"""`ocpp-bridge translate`: run captured OCPP-J frames through the same engine the proxy uses.

Each input line is one frame (a JSON array). `--from` says which side sent it; a line may start
with `1.6 ` or `2.0.1 ` to say so itself, so a two-sided capture translates results too (a
CALLRESULT is translated with the knowledge of the call it answers). For every frame the output
shows what it was and what the bridge would send, to whom. Calls are not held back until the one
before is answered, as they are in a live session (OCPP-J allows one call in flight): a capture of
commands without the answers shows every command's translation. `--security-extension` translates
for a station with the OCPP 1.6 security extension (as --security-extension-stations does for run).

    in  2.0.1  [2,"1","TriggerMessage",{"requestedMessage":"LogStatusNotification"}]
    out 1.6    [2,"1","TriggerMessage",{"requestedMessage":"DiagnosticsStatusNotification"}]

It also reads the bridge's own log (the live frame trace, bridge/trace.py), in either log format, and
its own output: `in` lines are translated again, `out` lines (what the bridge sent) are skipped, and
log lines that are not frames are ignored. A log holds many stations: only one station's frames are
translated, the one given with --station-id, else the first one seen (said on stderr).

A station's frame that needed repairs (mappings/repairs.toml) shows each one beside it:

    in  1.6    [2,"7","StatusNotification",{"connectorId":0,"errorCode":"Error","status":"Faulted"}]
    fix        errorCode 'Error' -> 'OtherError', the word kept in vendorErrorCode  [unknown_error_code]

`--station-repairs off` translates as the bridge would with repairs off (the frame is refused).

`--csms-version 2.1` translates as for a CSMS that accepted ocpp2.1 (bridge/upstream21.py): the CSMS
side's frames are read and shown as 2.1 (`--from 2.1`, or lines starting with `2.1 `).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bridge.engine import Engine, NullObserver, Side
from bridge.repair import Change
from bridge.tables import load_tables
from bridge.topology import load_topology
from bridge.translate.context import StationContext
from bridge.upstream21 import PROTOCOLS, engine_class

VERSIONS = {"1.6": Side.STATION, "2.0.1": Side.CSMS, "2.1": Side.CSMS}


TRACE = re.compile(r"(in|out) +(1\.6|2\.0\.1|2\.1) +(\S.*)")
TEXT_LOG = re.compile(r"\d{4}-\d\d-\d\d[ T][\d:,.]+Z? +[A-Z]+ +\[(?P<station>[^\]]*)\] (?P<message>.*)")


class RepairNotes(NullObserver):
    """Collects the repairs the engine makes to the frame being translated."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def repaired(self, action: str, changes: Sequence[Change]) -> None:
        self.changes.extend(changes)


def read_line(line: str, default: str) -> tuple[str | None, str, Side, str] | None:
    """(station id or None, "in" or "out", sending side, frame) of one input line; None to skip it."""
    station: str | None = None
    if line.startswith("{"):  # a JSON log line: only the frame trace's are frames
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            return None
        station, line = record.get("station_id"), str(record.get("message", ""))
    elif match := TEXT_LOG.fullmatch(line):
        station, line = match["station"], match["message"]
        station = None if station in ("-", "None") else station
    elif line.startswith("("):  # a note in translate's own output
        return None
    else:
        trace = TRACE.fullmatch(line)
        if trace is None:
            side, frame = split_line(line, default)
            return None, "in", side, frame
    trace = TRACE.fullmatch(line)
    if trace is None:
        return None
    return station, trace[1], VERSIONS[trace[2]], trace[3]


def split_line(line: str, default: str) -> tuple[Side, str]:
    for version, side in VERSIONS.items():
        if line.startswith(version + " "):
            return side, line[len(version) + 1 :].strip()
    return VERSIONS[default], line


def translate_stream(
    stream: TextIO,
    out: TextIO,
    source: str,
    station_id: str | None = None,
    topology_file: str | None = None,
    repairs: bool = True,
    security_extension: bool = False,
    csms_version: str = "2.0.1",
) -> int:
    label = {Side.STATION: "1.6", Side.CSMS: csms_version}
    notes = RepairNotes()
    tables, topologies = load_tables(), load_topology(Path(topology_file) if topology_file else None)
    engine: Engine | None = None
    wanted = station_id
    for raw in stream:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        entry = read_line(line, source)
        if entry is None or entry[1] == "out":
            continue
        station, _, side, frame = entry
        if station is not None:
            if wanted is None:
                wanted = station
                print(
                    f"translating the frames of station {station} (--station-id for another)", file=sys.stderr
                )
            if station != wanted:
                continue
        if engine is None:
            context = StationContext(
                wanted or "capture", tables, topologies=topologies, security_extension=security_extension
            )
            # every call's translation shown, even in a capture of calls without their answers
            engine = engine_class(PROTOCOLS[csms_version], traced=False)(
                context, observer=notes, repairs=repairs, one_in_flight=False
            )
        out.write(f"in  {label[side]:<6} {frame}\n")
        notes.changes.clear()
        sends = engine.receive(side, frame)
        for change in notes.changes:
            out.write(f"fix        {change.note}  [{change.repair}]\n")
        if not sends:
            out.write("    (nothing sent: an answer to the bridge's own call, or see the log)\n")
        for send in sends:
            note = "  (answered by the bridge)" if send.side is side else ""
            out.write(f"out {label[send.side]:<6} {send.text}{note}\n")
    return 0
