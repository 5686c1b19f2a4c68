"""The calls a benchmark station makes: what a charging 1.6J station sends, pre-serialized.

Per 20 calls: 12 MeterValues (5 sampled values each, as a station sampling energy, power, current,
voltage and the EV's state of charge does), 5 StatusNotification (a charging session's connector
states, all NoError) and 3 Heartbeat, in an order shuffled per station. Payloads are serialized once;
a call is one string format with its message id. MeterValues carry no transactionId: the figure
is the bridge's framing, validation and translation, not a transaction store's writes.
"""

from __future__ import annotations

import json
import random
from typing import Any

TIMESTAMP = "2025-01-01T12:00:00.000Z"

BOOT: dict[str, Any] = {"chargePointVendor": "Bench", "chargePointModel": "Load-1", "firmwareVersion": "1.0"}

METER_VALUES: dict[str, Any] = {
    "connectorId": 1,
    "meterValue": [
        {
            "timestamp": TIMESTAMP,
            "sampledValue": [
                {
                    "value": "12345.6",
                    "context": "Sample.Periodic",
                    "measurand": "Energy.Active.Import.Register",
                    "location": "Outlet",
                    "unit": "Wh",
                },
                {
                    "value": "7200",
                    "context": "Sample.Periodic",
                    "measurand": "Power.Active.Import",
                    "unit": "W",
                },
                {"value": "31.8", "measurand": "Current.Import", "phase": "L1", "unit": "A"},
                {"value": "230.4", "measurand": "Voltage", "phase": "L1-N", "unit": "V"},
                {"value": "45", "measurand": "SoC", "location": "EV", "unit": "Percent"},
            ],
        }
    ],
}

STATUSES = ("Preparing", "Charging", "SuspendedEV", "Finishing", "Available")


def status(value: str) -> dict[str, Any]:
    return {"connectorId": 1, "errorCode": "NoError", "status": value, "timestamp": TIMESTAMP}


def calls() -> list[tuple[str, dict[str, Any]]]:
    """One cycle of the mix, unshuffled: (action, payload)."""
    cycle: list[tuple[str, dict[str, Any]]] = [("MeterValues", METER_VALUES)] * 12
    cycle += [("StatusNotification", status(s)) for s in STATUSES]
    cycle += [("Heartbeat", {})] * 3
    return cycle


def _template(action: str, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, separators=(",", ":")).replace("%", "%%")
    return f'[2,"%s","{action}",{body}]'


def boot_template() -> str:
    return _template("BootNotification", BOOT)


def templates(seed: int) -> list[str]:
    """The cycle as frame templates (`template % message_id`), shuffled for one station."""
    cycle = [_template(action, payload) for action, payload in calls()]
    random.Random(seed).shuffle(cycle)
    return cycle
