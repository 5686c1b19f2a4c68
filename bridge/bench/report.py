"""Bench results: what one run measured, the figures derived from it, and the table and JSON printed.

Throughput is pooled over the rounds of a target (all calls / all measured seconds), latency
percentiles over all its calls (nearest rank). Ratios are bridge / relay: above 1 means the bridge
takes more (time, memory) or, for calls/s, does more.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

NOISY = 0.10  # cores used by other processes during a round above which the table warns
LOAD_BOUND = 0.90  # busy share of the load side's CPUs from which a round measured the load, not the target


@dataclass
class Round:
    """One load round against one target."""

    target: str
    calls: int
    seconds: float
    latencies_us: list[int]
    errors: dict[str, int]
    cpu: dict[str, float]  # process role -> CPU seconds used during the round
    peak_rss: int = 0  # bytes, the target's highest resident memory seen during the round
    load_busy: float | None = None  # busy share of the CPUs of the CSMS and the stations (0..1)

    @property
    def load_bound(self) -> bool:
        return self.load_busy is not None and self.load_busy >= LOAD_BOUND


@dataclass
class Idle:
    """K stations connected and silent: the target's resident memory before and with them."""

    target: str
    requested: int
    connected: int
    rss_before: int
    rss_with: int
    errors: dict[str, int]
    seconds_to_connect: float
    cpu_cores: float | None = None  # the target's CPU use while they sit idle
    note: str = ""

    @property
    def per_station(self) -> float | None:
        if not self.connected or not self.rss_with:
            return None
        return (self.rss_with - self.rss_before) / self.connected


@dataclass
class Run:
    config: dict[str, Any]
    rounds: list[Round] = field(default_factory=list)
    idle: list[Idle] = field(default_factory=list)
    startup_seconds: float | None = None
    notes: list[str] = field(default_factory=list)

    def targets(self) -> list[str]:
        seen = [r.target for r in self.rounds] + [i.target for i in self.idle]
        return list(dict.fromkeys(seen))

    def errors(self) -> int:
        return sum(sum(r.errors.values()) for r in self.rounds) + sum(
            sum(i.errors.values()) for i in self.idle
        )


def percentile(ordered: list[int], p: float) -> int:
    if not ordered:
        return 0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def summary(run: Run, target: str) -> dict[str, Any]:
    rounds = [r for r in run.rounds if r.target == target]
    out: dict[str, Any] = {}
    if rounds:
        seconds = sum(r.seconds for r in rounds)
        calls = sum(r.calls for r in rounds)
        ordered = sorted(lat for r in rounds for lat in r.latencies_us)
        errors: dict[str, int] = {}
        for r in rounds:
            for kind, n in r.errors.items():
                errors[kind] = errors.get(kind, 0) + n
        cpu = {
            role: sum(r.cpu.get(role, 0.0) for r in rounds) / seconds if seconds else 0.0
            for role in rounds[0].cpu
        }
        out.update(
            calls=calls,
            seconds=round(seconds, 3),
            calls_per_s=calls / seconds if seconds else 0.0,
            calls_per_s_by_round=[round(r.calls / r.seconds) if r.seconds else 0 for r in rounds],
            latency_ms={f"p{p}": percentile(ordered, p) / 1000 for p in (50, 90, 99)}
            | {"max": (ordered[-1] if ordered else 0) / 1000},
            cpu_cores=cpu,
            peak_rss=max(r.peak_rss for r in rounds),
            errors=errors,
            cpu_us_per_call=cpu.get("target", 0.0) * seconds / calls * 1e6
            if calls and "target" in cpu
            else None,
            load_busy=[None if r.load_busy is None else round(r.load_busy, 3) for r in rounds],
            load_bound_rounds=sum(r.load_bound for r in rounds),
        )
    for idle in run.idle:
        if idle.target == target:
            out["idle"] = asdict(idle) | {"per_station": idle.per_station}
    return out


def ratios(bridge: dict[str, Any], relay: dict[str, Any]) -> dict[str, float | None]:
    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    out: dict[str, float | None] = {}
    if "calls_per_s" in bridge and "calls_per_s" in relay:
        out["calls_per_s"] = ratio(bridge["calls_per_s"], relay["calls_per_s"])
        for key in ("p50", "p90", "p99", "max"):
            out[key] = ratio(bridge["latency_ms"][key], relay["latency_ms"][key])
        out["cpu_per_call"] = ratio(bridge.get("cpu_us_per_call"), relay.get("cpu_us_per_call"))
    if "idle" in bridge and "idle" in relay:
        out["idle_per_station"] = ratio(bridge["idle"]["per_station"], relay["idle"]["per_station"])
    return out


def to_json(run: Run) -> dict[str, Any]:
    results = {t: summary(run, t) for t in run.targets()}
    out: dict[str, Any] = {
        "config": run.config,
        "startup_seconds": run.startup_seconds,
        "results": results,
        "notes": run.notes,
        "errors": run.errors(),
    }
    if "bridge" in results and "relay" in results:
        out["ratios"] = ratios(results["bridge"], results["relay"])
    out["rounds"] = [asdict(r) | {"latencies_us": None} for r in run.rounds]
    return out


# -- the table ---------------------------------------------------------------------------------------


def _kib(n: float | None) -> str:
    return "-" if n is None else f"{n / 1024:,.1f} KiB"


def _mib(n: float | None) -> str:
    return "-" if not n else f"{n / 1024 / 1024:,.1f} MiB"


def _x(r: float | None) -> str:
    return "-" if r is None else f"{r:.2f}x"


def table(run: Run) -> str:
    data = to_json(run)
    results: dict[str, dict[str, Any]] = data["results"]
    names = list(results)
    c = run.config
    load = (
        f"{c['stations']:,} stations x {c['calls']:,} calls, {c['rounds']} round(s)"
        if c["stations"] and c["calls"]
        else "no load rounds"
    )
    if c.get("rate") and c["stations"] and c["calls"]:
        load += f", paced at {c['rate']:,.0f} calls/s"
    lines = [
        f"ocpp-bridge bench: {load}; {c['idle']:,} idle stations; "
        + (f"bridge with {c['workers']} workers; " if c.get("workers", 1) > 1 else "")
        + f"loop {c['loop']} "
        f"(CSMS and stations: {c.get('load_loop', c['loop'])}); {c['cpus']} CPU(s), pinning: {c['pinning']}",
    ]
    header = ["", *names] + (["bridge/relay"] if "ratios" in data else [])
    rows: list[list[str]] = []
    ratio = data.get("ratios", {})

    def row(label: str, values: list[str], r: str | None = None) -> None:
        rows.append([label, *values] + ([r or ""] if "ratios" in data else []))

    if any("calls_per_s" in results[n] for n in names):
        row(
            "calls/s",
            [f"{results[n].get('calls_per_s', 0):,.0f}" for n in names],
            _x(ratio.get("calls_per_s")),
        )
        row(
            "  per round",
            [" ".join(f"{v:,}" for v in results[n].get("calls_per_s_by_round", [])) for n in names],
        )
        row(
            "CPU per call (target)",
            [_us(results[n].get("cpu_us_per_call")) for n in names],
            _x(ratio.get("cpu_per_call")),
        )
        row(
            "load side busy, by round",
            [" ".join(_busy(b) for b in results[n].get("load_busy", [])) or "-" for n in names],
        )
        for key in ("p50", "p90", "p99", "max"):
            row(
                f"latency {key}",
                [
                    f"{results[n]['latency_ms'][key]:,.1f} ms" if "latency_ms" in results[n] else "-"
                    for n in names
                ],
                _x(ratio.get(key)),
            )
        row("CPU (target)", [_pct(results[n].get("cpu_cores", {}).get("target")) for n in names])
        row("CPU (CSMS, load)", [_load_cpu(results[n].get("cpu_cores", {})) for n in names])
        row("CPU (other processes)", [_pct(results[n].get("cpu_cores", {}).get("other")) for n in names])
        row("peak RSS (load rounds)", [_mib(results[n].get("peak_rss")) for n in names])
    if any("idle" in results[n] for n in names):
        row(
            "idle stations",
            [f"{results[n]['idle']['connected']:,}" if "idle" in results[n] else "-" for n in names],
        )
        row(
            "memory per idle station",
            [_kib(results[n]["idle"]["per_station"]) if "idle" in results[n] else "-" for n in names],
            _x(ratio.get("idle_per_station")),
        )
        row(
            "CPU with idle stations",
            [_pct(results[n]["idle"]["cpu_cores"]) if "idle" in results[n] else "-" for n in names],
        )
    row("errors", [f"{_errors(results[n]):,}" for n in names])
    if run.startup_seconds is not None:
        row("start-up to ready", [f"{run.startup_seconds:.2f} s"] + ["" for _ in names[1:]])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        lines.append(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
    lines += [f"note: {n}" for n in run.notes]
    bound = {n: results[n].get("load_bound_rounds", 0) for n in names}
    if any(bound.values()):
        which = ", ".join(f"{n} {k} of {len(results[n].get('load_busy', []))}" for n, k in bound.items() if k)
        lines.append(
            f"note: LOAD-BOUND rounds ({which}): the CSMS and stations kept their CPUs >= "
            f"{LOAD_BOUND:.0%} busy, so those rounds measured the load side; their calls/s and latency "
            "(and the bridge/relay ratios of them) are not capacity figures. CPU per call still is; "
            "compare targets at the same offered load with --rate, or give the load side more CPUs"
        )
    busy = max((results[n].get("cpu_cores", {}).get("other", 0.0) for n in names), default=0.0)
    if busy > NOISY:
        lines.append(
            f"note: other processes used up to {busy * 100:.0f}% of a core during the rounds: absolute "
            "figures are low, trust the ratios (or run again on a quiet machine)"
        )
    for n in names:
        errors = dict(results[n].get("errors", {}))
        for kind, count in results[n].get("idle", {}).get("errors", {}).items():
            errors[kind] = errors.get(kind, 0) + count
        for kind, count in errors.items():
            lines.append(f"{n} error: {count:,} x {kind}")
    return "\n".join(lines)


def _us(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} us"


def _busy(share: float | None) -> str:
    if share is None:
        return "?"
    return f"{share * 100:.0f}%" + ("!" if share >= LOAD_BOUND else "")


def _pct(cores: float | None) -> str:
    return "-" if cores is None else f"{cores * 100:.0f}% of a core"


def _load_cpu(cpu: dict[str, float]) -> str:
    if "csms" not in cpu and "load" not in cpu:
        return "-"
    return f"{cpu.get('csms', 0) * 100:.0f}%, {cpu.get('load', 0) * 100:.0f}%"


def _errors(result: dict[str, Any]) -> int:
    return sum(result.get("errors", {}).values()) + sum(result.get("idle", {}).get("errors", {}).values())
