"""The shadow comparison's tally: per station and action, how the copies' comparisons went, and the
latest differences. Served as JSON at GET /shadow on the admin port and mirrored in the bridge_shadow_*
metrics; filled by bridge/shadow.py."""

from __future__ import annotations

import time
from collections import Counter, deque
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client import Counter as PromCounter

from bridge.compare import Difference
from bridge.metrics import KNOWN_ACTIONS

KEEP_DIFFERENCES = 1000  # the latest differences the report keeps
OUTCOMES = ("agreed", "differed", "shadow_errors", "timeouts", "dropped")


def _action(action: str) -> str:
    return action if action in KNOWN_ACTIONS else "other"


class ShadowReport:
    """Per station and action: calls seen and how their comparison went; the latest differences.
    Served as JSON at GET /shadow on the admin port; mirrored in the bridge_shadow_* metrics."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.stations: dict[str, dict[str, Counter[str]]] = {}
        self.refused: Counter[str] = (
            Counter()
        )  # station id -> calls from the shadow CSMS answered by the bridge
        self.differences: deque[dict[str, Any]] = deque(maxlen=KEEP_DIFFERENCES)
        self.calls = PromCounter(
            "bridge_shadow_calls_total",
            "Station calls copied to a shadow CSMS, by 1.6 action and outcome (agreed, differed, "
            "shadow_errors, timeouts, dropped).",
            ["action", "outcome"],
            registry=registry,
        )
        self.fields = PromCounter(
            "bridge_shadow_differences_total",
            "Decision-bearing fields (mappings/shadow.toml) on which the shadow CSMS answered otherwise.",
            ["action", "field"],
            registry=registry,
        )
        self.refused_calls = PromCounter(
            "bridge_shadow_refused_calls_total",
            "Calls from a shadow CSMS that the bridge answered itself (NotSupported), by action.",
            ["action"],
            registry=registry,
        )

    def count(self, station_id: str, action: str, outcome: str) -> None:
        actions = self.stations.setdefault(station_id, {})
        tally = actions.setdefault(action, Counter())
        tally["seen"] += 1
        tally[outcome] += 1
        self.calls.labels(_action(action), outcome).inc()

    def differed(
        self, station_id: str, mode: str, action: str, found: list[Difference], decided: Any, shadow: Any
    ) -> None:
        self.count(station_id, action, "differed")
        for difference in found:
            self.fields.labels(_action(action), difference.field).inc()
        self.differences.append(
            {
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "station": station_id,
                "mode": mode,
                "action": action,
                "fields": [{"field": d.field, "decided": d.decided, "shadow": d.shadow} for d in found],
                "decided": decided,
                "shadow": shadow,
            }
        )

    def refused_call(self, station_id: str, action: str) -> None:
        self.refused[station_id] += 1
        self.refused_calls.labels(_action(action)).inc()

    def as_json(self) -> dict[str, Any]:
        stations = {
            station: {action: {k: tally[k] for k in ("seen", *OUTCOMES)} for action, tally in actions.items()}
            for station, actions in self.stations.items()
        }
        return {
            "stations": stations,
            "refused_calls": dict(self.refused),
            "differences": list(self.differences),
        }


def merge_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Several workers' reports as one (`run --workers N`): a station that reconnected onto another
    worker has counts in both, summed; the differences interleaved by time, the latest kept."""
    stations: dict[str, dict[str, Counter[str]]] = {}
    refused: Counter[str] = Counter()
    differences: list[dict[str, Any]] = []
    for report in reports:
        for station, actions in report.get("stations", {}).items():
            for action, tally in actions.items():
                stations.setdefault(station, {}).setdefault(action, Counter()).update(tally)
        refused.update(report.get("refused_calls", {}))
        differences += report.get("differences", [])
    differences.sort(key=lambda d: str(d.get("time", "")))
    return {
        "stations": {
            station: {action: {k: tally[k] for k in ("seen", *OUTCOMES)} for action, tally in actions.items()}
            for station, actions in stations.items()
        },
        "refused_calls": dict(refused),
        "differences": differences[-KEEP_DIFFERENCES:],
    }
