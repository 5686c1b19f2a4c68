"""The workers' /metrics merged into one exposition: what one process would report for all of them.

Each worker keeps its own prometheus_client registry (prometheus_client's multiprocess mode cannot
carry the bridge's own collectors: the per-frame tally of bridge/metrics.py and the process metrics),
so the supervisor reads every worker's text exposition and merges it by label set:

- counters and histograms are summed, and a worker that died (or was restarted) leaves its last
  totals behind, so no counter ever goes backwards;
- gauges are summed over the live workers (`bridge_connected_stations` is the pod's), except those
  MERGE names: the open-file pair keeps the fullest worker (`process_open_fds` the highest, and
  `process_max_fds` the lowest limit, so the README's ratio alert fires for the worker nearest its
  limit), the start time the oldest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from prometheus_client.core import Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector

# family name -> how live workers' values of a gauge combine (anything not named: summed)
MERGE = {
    "process_open_fds": max,
    "process_max_fds": min,
    "process_start_time_seconds": min,
    "bridge_build_info": max,
}
CUMULATIVE = frozenset({"counter", "histogram", "summary"})

Key = tuple[str, tuple[tuple[str, str], ...]]  # sample name, sorted labels


@dataclass
class Family:
    name: str
    documentation: str
    type: str
    samples: dict[Key, float] = field(default_factory=dict)


def parse(text: str) -> dict[str, Family]:
    """A text exposition as families of samples; `_created` samples (a start time, not a count) left out."""
    families: dict[str, Family] = {}
    for parsed in text_string_to_metric_families(text):
        if parsed.name.endswith("_created"):  # the 0.0.4 text format gives them as gauges of their own
            continue
        family = families.setdefault(parsed.name, Family(parsed.name, parsed.documentation, parsed.type))
        for sample in parsed.samples:
            if parsed.type in CUMULATIVE and sample.name.endswith("_created"):
                continue
            family.samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return families


class WorkerMetrics(Collector):
    """The latest exposition of each live worker (by pid) and the totals that dead workers left."""

    def __init__(self) -> None:
        self.live: dict[int, dict[str, Family]] = {}
        self.retired: dict[str, Family] = {}

    def update(self, pid: int, text: str) -> None:
        self.live[pid] = parse(text)

    def retire(self, pid: int) -> None:
        """Worker `pid` exited: keep its counters' last totals, forget its gauges."""
        for family in self.live.pop(pid, {}).values():
            if family.type not in CUMULATIVE:
                continue
            kept = self.retired.setdefault(
                family.name, Family(family.name, family.documentation, family.type)
            )
            for key, value in family.samples.items():
                kept.samples[key] = kept.samples.get(key, 0.0) + value

    def merged(self) -> list[Family]:
        out: dict[str, Family] = {}
        gauges: dict[tuple[str, Key], list[float]] = {}
        for families in (self.retired, *self.live.values()):
            for family in families.values():
                into = out.setdefault(family.name, Family(family.name, family.documentation, family.type))
                for key, value in family.samples.items():
                    if family.name in MERGE and family.type not in CUMULATIVE:
                        gauges.setdefault((family.name, key), []).append(value)
                    into.samples[key] = into.samples.get(key, 0.0) + value
        for (name, key), values in gauges.items():
            out[name].samples[key] = MERGE[name](values)
        return list(out.values())

    def collect(self) -> Iterator[Metric]:
        yield from as_metrics(self.merged())


def as_metrics(families: Iterable[Family]) -> Iterator[Metric]:
    for family in families:
        metric = Metric(family.name, family.documentation, family.type)
        for (name, labels), value in family.samples.items():
            metric.add_sample(name, dict(labels), value)
        yield metric
