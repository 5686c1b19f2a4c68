"""Prometheus metrics of one bridge process, served at GET /metrics.

Label values are bounded: actions are the OCPP action names the bridge knows (anything else is
counted as "other"), reasons are the rows of mappings/errors.toml.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from itertools import accumulate

from prometheus_client import CollectorRegistry, Counter, Gauge, ProcessCollector
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from bridge.engine import Side
from bridge.models import v16, v201
from bridge.repair import Change

KNOWN_ACTIONS = frozenset(v16.REQUESTS) | frozenset(v201.REQUESTS)


def bridge_version() -> str:
    """The installed ocpp-bridge's version (pyproject.toml), or "unknown" when run from a bare checkout."""
    try:
        return package_version("ocpp-bridge")
    except PackageNotFoundError:
        return "unknown"


def _action(action: str) -> str:
    return action if action in KNOWN_ACTIONS else "other"


class _FrameTally(Collector):
    """The per-frame metrics (frames in and out, round trips): plain dict updates on the event loop,
    rendered as Prometheus counters and a histogram when /metrics is read. A prometheus_client
    metric takes a lock and a label lookup on every update, a sixth of the engine's time per call."""

    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        # keyed by the Side member itself: `side.value` is a Python-level property call per frame
        self.frames_in: dict[tuple[Side, str], int] = {}
        self.frames_out: dict[tuple[Side, str], int] = {}
        self.round_trips: dict[tuple[Side, str], list[float]] = {}  # per-bucket counts, then +Inf, then sum

    def count(self, table: dict[tuple[Side, str], int], side: Side, action: str) -> None:
        key = (side, action if action in KNOWN_ACTIONS else "other")
        table[key] = table.get(key, 0) + 1

    def observe(self, side: Side, action: str, seconds: float) -> None:
        key = (side, action if action in KNOWN_ACTIONS else "other")
        counts = self.round_trips.get(key)
        if counts is None:
            counts = self.round_trips[key] = [0.0] * (len(self.buckets) + 2)
        counts[bisect_left(self.buckets, seconds)] += 1
        counts[-1] += seconds

    def collect(self) -> Iterator[Metric]:
        labels = ["side", "action"]
        for name, doc, table in (
            ("bridge_frames_in", "Calls received, by sending side and action.", self.frames_in),
            (
                "bridge_frames_out",
                "Frames sent, by receiving side and the action they carry or answer.",
                self.frames_out,
            ),
        ):
            family = CounterMetricFamily(name, doc, labels=labels)
            for (side, action), value in table.items():
                family.add_metric([side.value, action], value)
            yield family
        histogram = HistogramMetricFamily(
            "bridge_round_trip_seconds",
            "Time from sending a call to a peer until its answer, by that peer and action.",
            labels=labels,
        )
        bounds = [*(repr(float(b)) for b in self.buckets), "+Inf"]
        for (side, action), counts in self.round_trips.items():
            cumulative = list(accumulate(counts[:-1]))
            histogram.add_metric([side.value, action], list(zip(bounds, cumulative, strict=True)), counts[-1])
        yield histogram


class Metrics:
    """Implements the engine's Observer protocol on a Prometheus registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        # process_open_fds / process_max_fds (two per station: alert before they meet),
        # process_resident_memory_bytes, process_cpu_seconds_total (Linux)
        ProcessCollector(registry=r)
        build = Gauge(
            "bridge_build_info", "Always 1; the version of the running bridge.", ["version"], registry=r
        )
        build.labels(bridge_version()).set(1)
        self.stations = Gauge(
            "bridge_connected_stations",
            "Stations connected right now, by mode (primary: 1.6 translated; passthrough: 2.0.1 "
            "not translated; legacy, shadow, primary+legacy-shadow: see the README's Migrating a fleet).",
            ["mode"],
            registry=r,
        )
        self.connections = Counter(
            "bridge_connections_total", "Station connection attempts by outcome.", ["outcome"], registry=r
        )
        self.errors = Counter(
            "bridge_translation_errors_total",
            "Frames the bridge answered or dropped itself, by side and reason (mappings/errors.toml).",
            ["side", "reason"],
            registry=r,
        )
        self.tally = _FrameTally(buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
        r.register(self.tally)
        self.store_errors = Counter(
            "bridge_store_errors_total",
            "Transaction store operations that failed or timed out, by operation "
            "(load: a station's transactions at connect; save: a transaction event; reserve_ids; prune).",
            ["operation"],
            registry=r,
        )
        self.timeouts = Counter(
            "bridge_call_timeouts_total",
            "Calls a peer never answered in time.",
            ["side", "action"],
            registry=r,
        )
        self.repairs = Counter(
            "bridge_station_repairs_total",
            "Fields of station calls repaired before validation (mappings/repairs.toml), by 1.6 action and repair.",
            ["action", "repair"],
            registry=r,
        )

        self.slow_peer_closes = Counter(
            "bridge_slow_peer_closes_total",
            "Pairs closed because a peer stopped reading: side, and reason (buffer: more than "
            "--max-send-buffer waiting; timeout: nothing taken for --send-timeout seconds).",
            ["side", "reason"],
            registry=r,
        )

    def store_error(self, operation: str) -> None:
        self.store_errors.labels(operation).inc()

    def frame_in(self, side: Side, action: str) -> None:
        self.tally.count(self.tally.frames_in, side, action)

    def frame_out(self, side: Side, action: str) -> None:
        self.tally.count(self.tally.frames_out, side, action)

    def error(self, side: Side, reason: str) -> None:
        self.errors.labels(side.value, reason).inc()

    def round_trip(self, side: Side, action: str, seconds: float) -> None:
        self.tally.observe(side, action, seconds)

    def timeout(self, side: Side, action: str) -> None:
        self.timeouts.labels(side.value, _action(action)).inc()

    def repaired(self, action: str, changes: Sequence[Change]) -> None:
        for change in changes:  # labels bounded: 1.6 actions the table names, its repair names
            self.repairs.labels(action, change.repair).inc()
