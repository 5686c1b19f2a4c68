"""`ocpp-bridge demo --shadow`: shadow mode with two built-in CSMSs that disagree on one idTag.

A 1.6J CSMS decides (it blocks TAG-STOLEN), a 2.0.1 CSMS watches (it accepts every tag), the bridge
between them in mode `shadow` and a simulated 1.6J station doing a charging session. For each
station call the demo prints what the station sent and got (the 1.6 CSMS's answer), what the 2.0.1
CSMS was sent and answered, and the comparison; at the end, the report GET /shadow serves.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

from bridge.demo import BOLD, CYAN, DIM, MAGENTA, RESET, YELLOW, start_bridge
from bridge.peers import CsmsServer, station_client
from bridge.server import BridgeServer
from bridge.settings import Settings
from bridge.shadow_report import ShadowReport

BLOCKED = "TAG-STOLEN"
STATION = "DEMO-CP-1"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class LegacyCsms:
    """The 1.6 back office being replaced: blocks one tag, numbers transactions from 501."""

    def __init__(self) -> None:
        self.ids = itertools.count(501)

    async def handler(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        tag = {"status": "Blocked" if payload.get("idTag") == BLOCKED else "Accepted"}
        if action == "BootNotification":
            return {"status": "Accepted", "currentTime": _now(), "interval": 300}
        if action == "Authorize":
            return {"idTagInfo": tag}
        if action == "StartTransaction":
            return {"transactionId": next(self.ids), "idTagInfo": tag}
        return {}


async def new_csms(action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The 2.0.1 back office being introduced: accepts every tag (nobody told it about the theft)."""
    if action == "BootNotification":
        return {"status": "Accepted", "currentTime": _now(), "interval": 300}
    if action == "Authorize":
        return {"idTokenInfo": {"status": "Accepted"}}
    if action == "TransactionEvent" and payload.get("idToken"):
        return {"idTokenInfo": {"status": "Accepted"}}
    return {}


SESSION: list[tuple[str, dict[str, Any]]] = [
    ("BootNotification", {"chargePointVendor": "ACME", "chargePointModel": "Wallbox-11"}),
    ("Authorize", {"idTag": "TAG-GOOD"}),
    ("Authorize", {"idTag": BLOCKED}),
    ("StartTransaction", {"connectorId": 1, "idTag": "TAG-GOOD", "meterStart": 0, "timestamp": ""}),
    ("StopTransaction", {"meterStop": 1200, "timestamp": "", "transactionId": 0}),
]
WHO = {
    "station": ("1.6J station       ", CYAN),
    "legacy": ("1.6J CSMS (decides)", CYAN),
    "csms": ("2.0.1 CSMS (shadow)", MAGENTA),
}


async def run_shadow_demo(color: bool = True) -> int:
    color = color and sys.stdout.isatty() and "NO_COLOR" not in os.environ

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    logging.basicConfig(level=logging.ERROR)
    events: list[tuple[str, str, str]] = []

    def tap(peer: str, direction: str, text: str) -> None:
        events.append((peer, direction, text))

    legacy = CsmsServer(LegacyCsms().handler, tap=tap, protocol="ocpp1.6", name="legacy")
    new = CsmsServer(new_csms, tap=tap)
    legacy_url, new_url = await legacy.start(), await new.start()
    settings = Settings(
        csms_url=new_url,
        legacy_csms_url=legacy_url,
        default_mode="shadow",
        host="127.0.0.1",
        port=0,
        call_timeout=5,
        store_url="memory:",
    )
    bridge = BridgeServer(settings)
    runner, port = await start_bridge(bridge)
    print(f"1.6J CSMS (decides) at {legacy_url}; 2.0.1 CSMS (shadow) at {new_url}")
    print(
        f"bridge at ws://127.0.0.1:{port}/ in mode shadow; station DEMO-CP-1; {BLOCKED} is blocked by the 1.6 CSMS only"
    )
    report = bridge.shadow_report
    try:
        url = f"ws://127.0.0.1:{port}/DEMO-CP-1"

        async def no_calls(action: str, payload: dict[str, Any]) -> dict[str, Any]:
            return {}

        async with station_client(url, no_calls, tap=tap) as station:
            transaction_id = 0
            for action, payload in SESSION:
                if "timestamp" in payload:
                    payload = {**payload, "timestamp": _now()}
                if action == "StopTransaction":
                    payload = {**payload, "transactionId": transaction_id}
                before = _tally(report, action)
                answer = await station.call(action, payload)
                if action == "StartTransaction":
                    transaction_id = answer.payload.get("transactionId", 0)  # type: ignore[union-attr]
                await _settled(report, action, before)
                print(paint(f"\n== {action} {payload.get('idTag', '')}".rstrip(), BOLD))
                for peer, direction, text in events:
                    who, code = WHO[peer]
                    arrow = "->" if direction == "sent" else "<-"
                    print(f"{paint(who, code)} {arrow} {text}")
                events.clear()
                line, differed = _comparison(report, action, before)
                print(paint(line, YELLOW if differed else DIM))
            new_peer = next(iter(new.peers.values()))
            print(paint("\n== the 2.0.1 CSMS calls the station: the bridge answers for it", BOLD))
            await new_peer.call("Reset", {"type": "Immediate"})
            for peer, direction, text in events:
                who, code = WHO[peer]
                print(f"{paint(who, code)} {'->' if direction == 'sent' else '<-'} {text}")
            events.clear()
        print(paint("\n== the report (GET /shadow on the admin port)", BOLD))
        print(json.dumps(report.as_json(), indent=2))
    finally:
        await runner.cleanup()
        await legacy.stop()
        await new.stop()
    print(
        paint("\nDone. Run your own: ", DIM)
        + "ocpp-bridge --legacy-csms-url ws://<old-csms>/<path> --csms-url ws://<new-csms>/<path> --default-mode shadow"
    )
    return 0


def _tally(report: ShadowReport, action: str) -> dict[str, int]:
    return dict(report.stations.get(STATION, {}).get(action, {}))


def _comparison(report: ShadowReport, action: str, before: dict[str, int]) -> tuple[str, bool]:
    """What became of the latest call of `action`: (a line to print, whether it differed)."""
    after = _tally(report, action)
    grew = [
        k
        for k in ("agreed", "differed", "shadow_errors", "timeouts", "dropped")
        if after.get(k, 0) > before.get(k, 0)
    ]
    if grew == ["differed"]:
        last = report.differences[-1]
        fields = ", ".join(
            f"{f['field']}: {f['decided']!r} (decided) vs {f['shadow']!r} (shadow)" for f in last["fields"]
        )
        return f"comparison: DIFFERS  {fields}", True
    return f"comparison: {grew[0] if grew else 'pending'}", False


async def _settled(report: ShadowReport, action: str, before: dict[str, int]) -> None:
    """Wait (at most 2 s) until the latest call of `action` is compared, then for stray frames."""
    for _ in range(100):
        if _tally(report, action).get("seen", 0) > before.get("seen", 0):
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.05)
