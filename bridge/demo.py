"""`ocpp-bridge demo`: a built-in 2.0.1 CSMS, the bridge and a simulated 1.6J station in one process.

Real sockets on loopback, the same server code as `ocpp-bridge run`. Every frame is printed as
the station saw it (left, OCPP 1.6J) beside the same message as the CSMS saw it (right, OCPP
2.0.1); frames one side never saw (answered or made by the bridge itself) stand alone.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bridge.peers import CsmsServer, Peer, station_client
from bridge.server import BridgeServer
from bridge.settings import Settings

CYAN, MAGENTA, YELLOW, BOLD, DIM, RESET = "\033[36m", "\033[35m", "\033[33m", "\033[1m", "\033[2m", "\033[0m"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


async def csms_handler(action: str, payload: dict[str, Any]) -> dict[str, Any]:
    if action == "BootNotification":
        return {"status": "Accepted", "currentTime": _now(), "interval": 300}
    if action == "Heartbeat":
        return {"currentTime": _now()}
    return {}


TRIGGERED: dict[str, tuple[str, dict[str, Any]]] = {
    "StatusNotification": ("StatusNotification", {"errorCode": "NoError", "status": "Charging"}),
    "DiagnosticsStatusNotification": ("DiagnosticsStatusNotification", {"status": "Uploaded"}),
    "Heartbeat": ("Heartbeat", {}),
}


class DemoStation:
    """Answers triggers like a real 1.6 charger: Accepted, then the requested message."""

    def __init__(self) -> None:
        self.peer: Peer | None = None
        self.tasks: set[asyncio.Task[Any]] = set()

    async def handler(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        if (
            action in ("TriggerMessage", "ExtendedTriggerMessage")
            and payload["requestedMessage"] in TRIGGERED
        ):
            task = asyncio.create_task(self._send_triggered(payload))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            return {"status": "Accepted"}
        if action in ("TriggerMessage", "ExtendedTriggerMessage"):
            return {"status": "NotImplemented"}
        return {}

    async def _send_triggered(self, trigger: dict[str, Any]) -> None:
        await asyncio.sleep(0.05)  # after the answer, as a charger does
        action, payload = TRIGGERED[trigger["requestedMessage"]]
        if action == "StatusNotification":
            payload = {"connectorId": trigger.get("connectorId", 1), **payload}
        assert self.peer is not None
        await self.peer.call(action, payload)


@dataclass
class Printer:
    color: bool
    events: list[tuple[str, str, str]] = field(default_factory=list)

    def tap(self, peer: str, direction: str, text: str) -> None:
        self.events.append((peer, direction, text))

    def paint(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.color else text

    def header(self) -> None:
        width = self._column()
        left = "OCPP 1.6J station (before/after)".ljust(width)
        print(self.paint(f"{left} | OCPP 2.0.1 CSMS", BOLD))
        print("-" * (width * 2 + 3))

    def _column(self) -> int:
        return max(40, (shutil.get_terminal_size((160, 20)).columns - 3) // 2)

    def step(self, title: str) -> None:
        """Print the frames captured since the last step, paired by message id."""
        width = self._column()
        print(self.paint(f"\n== {title}", BOLD))
        rows: dict[str, dict[str, str]] = {}
        for peer, direction, text in self.events:
            try:
                frame_id = json.loads(text)[1]
            except (ValueError, IndexError, TypeError):
                frame_id = text
            arrow = "->" if direction == "sent" else "<-"
            key = f"{frame_id}:{json.loads(text)[0] if text.startswith('[') else ''}"
            rows.setdefault(key, {})[peer] = f"{arrow} {text}"
        self.events.clear()
        for row in rows.values():
            left = row.get("station", "")
            right = row.get("csms", "")
            lonely = self.paint("(the bridge alone)", YELLOW)
            left_lines = _chunks(left, width)
            right_lines = _chunks(right, width)
            for i in range(max(len(left_lines), len(right_lines))):
                lcell = left_lines[i] if i < len(left_lines) else ""
                rcell = right_lines[i] if i < len(right_lines) else ""
                lpad = self.paint(lcell.ljust(width), CYAN)
                rtext = self.paint(rcell, MAGENTA)
                if i == 0 and not right:
                    rtext = lonely
                if i == 0 and not left:
                    lpad = lonely + " " * (width - len("(the bridge alone)"))
                print(f"{lpad} | {rtext}")


def _chunks(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


Step = Callable[[Peer, dict[str, Peer]], Awaitable[object]]

STEPS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "BootNotification: flat 1.6 fields become chargingStation/modem, reason PowerUp is supplied",
        "BootNotification",
        {
            "chargePointVendor": "ACME",
            "chargePointModel": "Wallbox-11",
            "chargePointSerialNumber": "SN-0001",
            "firmwareVersion": "1.4.2",
            "iccid": "8931000000000000001",
            "meterType": "EM-24",
        },
    ),
    ("Heartbeat: same in both versions, still validated", "Heartbeat", {}),
    (
        "StatusNotification: connector 1 -> EVSE 1/connector 1, timestamp supplied by the bridge",
        "StatusNotification",
        {"connectorId": 1, "errorCode": "NoError", "status": "Preparing"},
    ),
    (
        "StatusNotification with a fault: the errorCode follows as a NotifyEvent (Problem)",
        "StatusNotification",
        {"connectorId": 1, "errorCode": "GroundFailure", "status": "Faulted", "info": "RCD tripped"},
    ),
    (
        "A payload that breaks the 1.6 schema is answered by the bridge; nothing reaches the CSMS",
        "StatusNotification",
        {"connectorId": "1", "errorCode": "NoError", "status": "Available"},
    ),
]

CSMS_STEPS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "TriggerMessage StatusNotification for EVSE 2: evse becomes connectorId 2; the status comes back in 2.0.1",
        "TriggerMessage",
        {"requestedMessage": "StatusNotification", "evse": {"id": 2}},
    ),
    (
        "TriggerMessage LogStatusNotification: 1.6 calls it DiagnosticsStatusNotification",
        "TriggerMessage",
        {"requestedMessage": "LogStatusNotification"},
    ),
    (
        "TriggerMessage SignV2GCertificate: 1.6J has no equivalent, the bridge answers; the station sees nothing",
        "TriggerMessage",
        {"requestedMessage": "SignV2GCertificate"},
    ),
]


async def start_bridge(bridge: BridgeServer) -> tuple[web.AppRunner, int]:
    """The demo's bridge on a free loopback port: its runner (to clean up) and the port."""
    runner = web.AppRunner(bridge.app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    bridge.ready = True
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


async def run_demo(color: bool = True) -> int:
    color = color and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    logging.basicConfig(level=logging.ERROR)
    printer = Printer(color)
    csms = CsmsServer(csms_handler, tap=printer.tap)
    csms_url = await csms.start()
    settings = Settings(csms_url=csms_url, host="127.0.0.1", port=0, call_timeout=5, store_url="memory:")
    runner, port = await start_bridge(BridgeServer(settings))
    print(f"built-in 2.0.1 CSMS at {csms_url}, bridge at ws://127.0.0.1:{port}/, station DEMO-CP-1\n")
    printer.header()
    try:
        demo_station = DemoStation()
        url = f"ws://127.0.0.1:{port}/DEMO-CP-1"
        async with station_client(url, demo_station.handler, tap=printer.tap) as station:
            demo_station.peer = station
            await csms.connected.wait()
            for title, action, payload in STEPS:
                await station.call(action, payload)
                await _settle()
                printer.step(title)
            csms_peer = next(iter(csms.peers.values()))
            for title, action, payload in CSMS_STEPS:
                await csms_peer.call(action, payload)
                await _settle()
                printer.step(title)
    finally:
        await runner.cleanup()
        await csms.stop()
    print("\nDone. Run your own: ocpp-bridge --csms-url ws://<your-csms>/<path> --port 9100")
    return 0


async def _settle() -> None:
    """Let the frames in flight (follow-up calls, triggered messages) arrive before printing."""
    await asyncio.sleep(0.3)
