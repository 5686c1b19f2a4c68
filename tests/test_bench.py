"""`ocpp-bridge bench` end to end with tiny numbers: it runs, every call is answered, it prints its report.

Timing figures are never asserted (they depend on the machine); what is checked is that the bench
drives real processes to completion and reports what an operator reads.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bridge.bench import mix
from bridge.engine import Engine, Side
from bridge.tables import load_tables
from bridge.topology import load_topology
from bridge.translate.context import StationContext
from tests.conftest import CsmsServer, RunningBridge
from tests.schemas import assert_valid

ROOT = Path(__file__).resolve().parent.parent
BENCH = [sys.executable, "-m", "bridge.cli", "bench", "--no-pin", "--no-progress", "--rounds", "1"]


def test_bench_prints_its_table_with_the_relay_baseline() -> None:
    result = subprocess.run(
        [*BENCH, "--stations", "3", "--calls", "4", "--idle", "5", "--baseline", "relay"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    table = result.stdout
    header = table.splitlines()[1].split()
    assert header == ["bridge", "relay", "bridge/relay"]
    for row in (
        "calls/s",
        "latency p50",
        "latency p99",
        "latency max",
        "CPU (target)",
        "peak RSS (load rounds)",
    ):
        assert row in table, row
    assert "memory per idle station" in table
    assert "start-up to ready" in table
    cpu = next(line for line in table.splitlines() if line.startswith("CPU per call (target)"))
    bridge_us, relay_us = (float(v) for v in cpu.replace(",", "").split()[4:8:2])
    assert bridge_us > 0 and relay_us > 0
    assert "load side busy, by round" in table
    errors = next(line for line in table.splitlines() if line.startswith("errors")).split()[1:]
    assert errors == ["0", "0"]


@pytest.mark.parametrize(
    ("pin", "says"),
    [
        ("load=4096", "CPU 4096 is not one this process may run on"),
        ("load=one", "comma-separated list of CPU numbers"),
        ("loader=0", "ROLE one of bridge, relay, csms, load"),
    ],
)
def test_a_wrong_pin_is_a_one_line_usage_error_before_anything_starts(pin: str, says: str) -> None:
    """A CPU the machine does not have once surfaced as a traceback from the load process, after the
    CSMS and the bridge had started."""
    bench = [sys.executable, "-m", "bridge.cli", "bench", "--no-progress", "--idle", "0", "--pin", pin]
    result = subprocess.run(bench, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert says in result.stderr
    assert result.stderr.startswith(f"ocpp-bridge bench: --pin {pin}:")
    assert "Traceback" not in result.stderr


def test_a_result_line_bigger_than_a_pipe_arrives_whole_after_uvloop() -> None:
    """The load process's RESULT line (every latency) is far over the 64 KiB a pipe holds with 1,000
    stations, and is written after uvloop left stdout non-blocking: it once arrived cut, and the
    bench failed. Here the reader starts late, so the writer finds the pipe full."""
    writer = textwrap.dedent(
        """
        import asyncio, sys
        from bridge.bench.load import say, say_whole
        from bridge.bench.process import load_loop, prepare

        prepare(load_loop(), None)

        async def main() -> None:
            say("P 1")

        asyncio.run(main())
        say_whole("RESULT " + "9" * 400_000)
        """
    )
    reader = "import sys, time; time.sleep(0.5); sys.stdout.write(str(len(sys.stdin.read())))"
    with subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, cwd=ROOT) as proc:
        assert proc.stdout is not None
        counted = subprocess.run(
            [sys.executable, "-c", reader], stdin=proc.stdout, capture_output=True, text=True, timeout=60
        )
    assert proc.returncode == 0
    assert int(counted.stdout) == len("P 1\n") + len("RESULT ") + 400_000 + 1


def test_bench_measures_a_bridge_running_several_workers() -> None:
    """--workers 2: the bench's bridge is `run --workers 2` (a shared SQLite store, memory: being
    refused), its CPU and memory counted over the supervisor and both workers."""
    result = subprocess.run(
        [*BENCH, "--stations", "6", "--calls", "5", "--idle", "10", "--workers", "2", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["config"]["workers"] == 2
    bridge = report["results"]["bridge"]
    assert bridge["calls"] == 6 * 5 and not bridge["errors"]
    assert bridge["cpu_us_per_call"] > 0
    assert bridge["idle"]["connected"] == 10
    # three processes' memory: more than one bridge process alone would hold
    assert bridge["peak_rss"] > 2 * 30 * 2**20


async def test_bench_loads_a_running_bridge_and_every_call_is_answered(
    bridge: RunningBridge, csms: CsmsServer
) -> None:
    """--target: the bench's stations against a bridge in front of the `ocpp` package's CSMS, which
    checks every 2.0.1 frame against the official schemas and would answer a bad one with an error."""
    process = await asyncio.create_subprocess_exec(
        *BENCH,
        "--target",
        f"ws://127.0.0.1:{bridge.port}",
        "--stations",
        "2",
        "--calls",
        "25",
        "--idle",
        "0",
        "--json",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    report = json.loads(out)
    result = report["results"]["bridge"]
    assert result["calls"] == 2 * 25
    assert report["errors"] == 0
    assert result["latency_ms"]["p50"] <= result["latency_ms"]["p99"] <= result["latency_ms"]["max"]
    meter_values = csms.stations["bench-0"].received_calls("MeterValues")
    assert meter_values, "the mix sends MeterValues"
    assert len(meter_values[-1][3]["meterValue"][0]["sampledValue"]) >= 3
    assert csms.stations["bench-1"].received_calls("StatusNotification")
    assert csms.stations["bench-1"].received_calls("Heartbeat")


def test_paced_rounds_offer_the_rate_asked_to_both_targets_whatever_they_could_do() -> None:
    """--rate: open loop at a fixed total rate, the same for bridge and relay, so that their CPU per
    call compares the translation's cost at equal load. 4 stations x 30 calls at 60 calls/s take
    about 2 s a round however fast the targets are; a closed loop would take a fraction of that."""
    result = subprocess.run(
        [
            *BENCH,
            "--stations",
            "4",
            "--calls",
            "30",
            "--idle",
            "0",
            "--baseline",
            "relay",
            "--rate",
            "60",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["config"]["rate"] == 60
    for target in ("bridge", "relay"):
        figures = report["results"][target]
        assert figures["calls"] == 4 * 30
        assert 40 <= figures["calls_per_s"] <= 66, figures["calls_per_s"]  # paced, not as fast as answered
        assert figures["cpu_us_per_call"] > 0
    assert report["ratios"]["cpu_per_call"] > 0
    assert report["config"]["load_loop"] in ("uvloop", "asyncio")
    assert report["config"]["loop"] in ("uvloop", "asyncio")  # --loop: the targets' loop only


def test_a_round_whose_load_side_was_saturated_is_flagged_not_reported_as_capacity() -> None:
    from bridge.bench.report import Round, Run, table, to_json

    def round_(target: str, busy: float) -> Round:
        return Round(target, 1000, 1.0, [1000] * 1000, {}, {"target": 0.9, "load": 0.5, "csms": 0.4}, 0, busy)

    run = Run(
        config={
            "stations": 10,
            "calls": 100,
            "idle": 0,
            "rounds": 1,
            "loop": "asyncio",
            "cpus": 2,
            "pinning": "none",
        }
    )
    run.rounds = [round_("bridge", 0.55), round_("relay", 0.97)]
    text = table(run)
    assert "LOAD-BOUND rounds (relay 1 of 1)" in text
    assert "97%!" in text and "55%" in text
    assert to_json(run)["results"]["relay"]["load_bound_rounds"] == 1
    assert to_json(run)["results"]["bridge"]["load_bound_rounds"] == 0
    run.rounds = [round_("bridge", 0.55), round_("relay", 0.6)]
    assert "LOAD-BOUND" not in table(run)


def test_the_mix_is_valid_ocpp_16_and_translates_to_valid_201() -> None:
    """The load is what real stations send: every call of the mix is valid 1.6, and the bridge
    forwards each of them, translated into valid 2.0.1, instead of answering an error."""
    ctx = StationContext("bench-0", load_tables(), topologies=load_topology(None))
    engine = Engine(ctx)
    actions = set()
    for n, template in enumerate([mix.boot_template(), *mix.templates(seed=0)]):
        frame = json.loads(template % str(n))
        assert_valid("1.6", frame[2], frame[3])
        sent = engine.receive(Side.STATION, template % str(n))
        assert len(sent) == 1 and sent[0].side is Side.CSMS, sent
        forwarded = json.loads(sent[0].text)
        assert forwarded[0] == 2
        assert_valid("2.0.1", forwarded[2], forwarded[3])
        engine.receive(Side.CSMS, json.dumps([3, forwarded[1], _answer(forwarded[2])]))
        actions.add(frame[2])
    assert actions == {"BootNotification", "Heartbeat", "StatusNotification", "MeterValues"}


def _answer(action: str) -> dict[str, object]:
    now = "2025-01-01T12:00:00Z"
    if action == "BootNotification":
        return {"currentTime": now, "interval": 300, "status": "Accepted"}
    if action == "Heartbeat":
        return {"currentTime": now}
    return {}


def test_engine_bench_prints_a_figure_for_every_action_and_store() -> None:
    # tools/engine_bench.py drives the engine through a started transaction, so it also fails when
    # a translation of the bench mix or a transaction stops working
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "engine_bench.py"), "--calls", "30"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    engine_table, store_table = result.stdout.split("\n\n")
    header, *rows = engine_table.splitlines()
    labels = [row.rsplit(None, 1)[0] for row in rows]
    assert labels == [
        "MeterValues (5 samples)",
        "StatusNotification",
        "Heartbeat",
        "MeterValues in a transaction",
        "StatusNotification, charging",
    ]
    for row in rows:
        assert float(row.rsplit(None, 1)[1]) > 0
    header, saves = store_table.splitlines()
    assert header.split()[-2:] == ["memory", "sqlite"]
    assert all(float(figure) > 0 for figure in saves.rsplit(None, 2)[1:])
