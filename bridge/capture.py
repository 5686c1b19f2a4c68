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
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from bridge.engine import Engine, Side
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


def translate_stream(
    stream: TextIO,
    out: TextIO,
    source: str,
    station_id: str = "capture",
    topology_file: str | None = None,
    security_extension: bool = False,
) -> int:
    ctx = StationContext(
        station_id,
        load_tables(),
        topologies=load_topology(Path(topology_file) if topology_file else None),
        security_extension=security_extension,
    )
    engine = Engine(ctx, one_in_flight=False)
    for raw in stream:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        side, frame = split_line(line, source)
        out.write(f"in  {LABEL[side]:<6} {frame}\n")
        sends = engine.receive(side, frame)
        if not sends:
            out.write("    (nothing sent: an answer to the bridge's own call, or see the log)\n")
        for send in sends:
            note = "  (answered by the bridge)" if send.side is side else ""
            out.write(f"out {LABEL[send.side]:<6} {send.text}{note}\n")
    return 0
