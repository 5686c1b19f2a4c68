"""Prometheus metrics of one bridge process, served at GET /metrics.

Label values are bounded: actions are the OCPP action names the bridge knows (anything else is
counted as "other"), reasons are the rows of mappings/errors.toml.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from bridge.engine import Side
from bridge.models import v16, v201

KNOWN_ACTIONS = frozenset(v16.REQUESTS) | frozenset(v201.REQUESTS)


def _action(action: str) -> str:
    return action if action in KNOWN_ACTIONS else "other"


class Metrics:
    """Implements the engine's Observer protocol on a Prometheus registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.stations = Gauge("bridge_connected_stations", "Stations connected right now.", registry=r)
        self.connections = Counter(
            "bridge_connections_total", "Station connection attempts by outcome.", ["outcome"], registry=r
        )
        self.frames_in = Counter(
            "bridge_frames_in_total",
            "Calls received, by sending side and action.",
            ["side", "action"],
            registry=r,
        )
        self.frames_out = Counter(
            "bridge_frames_out_total",
            "Frames sent, by receiving side and the action they carry or answer.",
            ["side", "action"],
            registry=r,
        )
        self.errors = Counter(
            "bridge_translation_errors_total",
            "Frames the bridge answered or dropped itself, by side and reason (mappings/errors.toml).",
            ["side", "reason"],
            registry=r,
        )
        self.latency = Histogram(
            "bridge_round_trip_seconds",
            "Time from sending a call to a peer until its answer, by that peer and action.",
            ["side", "action"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )
        self.timeouts = Counter(
            "bridge_call_timeouts_total",
            "Calls a peer never answered in time.",
            ["side", "action"],
            registry=r,
        )

    def frame_in(self, side: Side, action: str) -> None:
        self.frames_in.labels(side.value, _action(action)).inc()

    def frame_out(self, side: Side, action: str) -> None:
        self.frames_out.labels(side.value, _action(action)).inc()

    def error(self, side: Side, reason: str) -> None:
        self.errors.labels(side.value, reason).inc()

    def round_trip(self, side: Side, action: str, seconds: float) -> None:
        self.latency.labels(side.value, _action(action)).observe(seconds)

    def timeout(self, side: Side, action: str) -> None:
        self.timeouts.labels(side.value, _action(action)).inc()
