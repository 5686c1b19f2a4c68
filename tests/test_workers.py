"""`ocpp-bridge run --workers N`: real supervisor and worker processes, real peers on loopback.

Each test starts the command as a user would (2 workers, a shared SQLite store) and talks to it only
through its station port, its admin port and signals.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import CsmsServer, connect_station, eventually, free_port, raw_station, wait_ready
from tests.schemas import assert_frame_valid

BRIDGE = [sys.executable, "-m", "bridge.cli"]


@dataclass
class Workers:
    process: asyncio.subprocess.Process
    port: int
    admin: int
    log: list[str] = field(default_factory=list)

    def url(self, station_id: str) -> str:
        return f"ws://127.0.0.1:{self.port}/{station_id}"

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{self.admin}{path}") as r:
            return r.status, await r.text()

    async def workers(self) -> list[dict[str, Any]]:
        return json.loads((await self.get("/workers"))[1])

    async def metric(self, name: str, **labels: str) -> float:
        """A sample of the supervisor's merged /metrics (0 if absent)."""
        text = (await self.get("/metrics"))[1]
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and sample.labels == labels:
                    return sample.value
        return 0.0


@contextlib.asynccontextmanager
async def run_workers(csms_url: str, store_url: str, **env: str) -> AsyncIterator[Workers]:
    port, admin = free_port(), free_port()
    settings = {
        "BRIDGE_CSMS_URL": csms_url,
        "BRIDGE_STORE_URL": store_url,
        "BRIDGE_WORKERS": "2",
        "BRIDGE_DRAIN_TIMEOUT": "5",
        "BRIDGE_LOG_FORMAT": "text",
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        *BRIDGE, "--host", "127.0.0.1", "--port", str(port), "--admin-port", str(admin),
        env={**os.environ, **settings}, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    running = Workers(process, port, admin)

    async def read_log() -> None:
        assert process.stderr is not None
        async for line in process.stderr:
            running.log.append(line.decode())

    reader = asyncio.create_task(read_log())
    try:
        await wait_ready(admin)
        yield running
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)  # the workers follow (PR_SET_PDEATHSIG)
            await process.wait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader, 5)


def pid_alive(pid: int) -> bool:
    """The process runs (a zombie, exited but not yet reaped by whoever adopted it, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


async def boot(station: Any) -> None:
    from ocpp.v16 import call

    answer = await station.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
    assert answer.status == "Accepted"


async def test_two_workers_serve_stations_through_one_port_and_metrics_add_up(
    csms: CsmsServer, store_url: str
) -> None:
    async with run_workers(csms.url, store_url) as bridge, contextlib.AsyncExitStack() as stack:
        stations = []
        # the kernel spreads connections over both workers' listeners (SO_REUSEPORT)
        while len(stations) < 40:
            station_id = f"CP-{len(stations)}"
            station = await stack.enter_async_context(connect_station(bridge.url(station_id), station_id))
            await boot(station)
            stations.append(station)
            per_worker = [w["stations"] for w in await bridge.workers()]
            assert sum(per_worker) == len(stations)
            if len(stations) >= 4 and all(per_worker):
                break
        assert all(per_worker), per_worker
        for station in stations:
            upstream = await csms.wait_for(station.id)
            for frame in upstream.received_calls():
                assert_frame_valid("2.0.1", frame)
            assert [f[2] for f in upstream.received_calls()] == ["BootNotification"]
        assert await bridge.metric("bridge_connected_stations", mode="primary") == len(stations)
        assert await bridge.metric("bridge_connections_total", outcome="accepted") == len(stations)
        assert await bridge.metric(
            "bridge_frames_in_total", side="station", action="BootNotification"
        ) == len(stations)
        assert await bridge.metric("bridge_workers") == 2
        pids = {w["pid"] for w in await bridge.workers()}
        assert len(pids) == 2 and all(pids)


async def test_sigterm_drains_every_worker_and_exits_0(csms: CsmsServer, store_url: str) -> None:
    async with run_workers(csms.url, store_url) as bridge, contextlib.AsyncExitStack() as stack:
        sockets = []
        while len(sockets) < 40:
            ws = await stack.enter_async_context(raw_station(bridge.url(f"CP-{len(sockets)}")))
            sockets.append(ws)
            if len(sockets) >= 2 and all(w["stations"] for w in await bridge.workers()):
                break
        pids = [w["pid"] for w in await bridge.workers()]
        bridge.process.send_signal(signal.SIGTERM)
        for ws in sockets:
            message = await asyncio.wait_for(ws.receive(), 10)
            assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 1001  # going away
        assert await asyncio.wait_for(bridge.process.wait(), 10) == 0
        assert not any(pid_alive(pid) for pid in pids)
    assert sum("signal received: draining" in line for line in bridge.log) == 3  # supervisor, 2 workers


async def test_a_killed_worker_is_started_again_and_counters_never_go_back(
    csms: CsmsServer, store_url: str
) -> None:
    async with run_workers(csms.url, store_url) as bridge:
        for n in range(6):
            async with raw_station(bridge.url(f"CP-{n}")):
                pass
        accepted = await bridge.metric("bridge_connections_total", outcome="accepted")
        assert accepted == 6
        before = await bridge.workers()
        os.kill(before[0]["pid"], signal.SIGKILL)

        async def restarted() -> bool:
            now = await bridge.workers()
            return now[0]["pid"] not in (None, before[0]["pid"]) and now[0]["ready"]

        async with asyncio.timeout(10):
            while not await restarted():  # noqa: ASYNC110  (polling the admin port)
                await asyncio.sleep(0.05)
        await wait_ready(bridge.admin)
        after = await bridge.workers()
        assert after[0]["restarts"] == 1 and after[1]["pid"] == before[1]["pid"]
        assert await bridge.metric("bridge_worker_restarts_total") == 1
        # the dead worker's count is kept: the pod's total does not drop when a worker dies
        assert await bridge.metric("bridge_connections_total", outcome="accepted") == accepted
        async with connect_station(bridge.url("CP-after"), "CP-after") as station:
            await boot(station)
        assert await bridge.metric("bridge_connections_total", outcome="accepted") == accepted + 1
    assert any("exited unexpectedly" in line for line in bridge.log)


async def test_a_station_reconnecting_to_another_worker_closes_its_older_connection(
    csms: CsmsServer, store_url: str
) -> None:
    async with run_workers(csms.url, store_url) as bridge, contextlib.AsyncExitStack() as stack:
        older = await stack.enter_async_context(raw_station(bridge.url("CP-TWICE")))
        for _ in range(24):  # until a reconnect lands on the other worker (1 in 2 each time)
            newer = await stack.enter_async_context(raw_station(bridge.url("CP-TWICE")))
            message = await asyncio.wait_for(older.receive(), 5)
            assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 4000  # replaced
            older = newer
            if any("on another worker" in line for line in bridge.log):
                break
        assert any("on another worker" in line for line in bridge.log)
        answer = json.loads(await asyncio.wait_for(_exchange(older, '[2,"h","Heartbeat",{}]'), 5))
        assert answer[:2] == [3, "h"]
        assert_frame_valid("1.6", answer, "Heartbeat")
        assert await bridge.metric("bridge_connected_stations", mode="primary") == 1


async def _exchange(ws: aiohttp.ClientWebSocketResponse, text: str) -> str:
    await ws.send_str(text)
    message = await ws.receive()
    assert message.type == aiohttp.WSMsgType.TEXT, message
    return str(message.data)


async def test_sighup_reaches_every_worker(csms: CsmsServer, store_url: str, tmp_path: Path) -> None:
    allowed = tmp_path / "allowlist.txt"
    allowed.write_text("CP-OLD\n")
    async with run_workers(
        csms.url, store_url, BRIDGE_STATION_ALLOWLIST_FILE=str(allowed), BRIDGE_LOG_FORMAT="json"
    ) as bridge:
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(bridge.url("CP-NEW"), protocols=("ocpp1.6",))
            assert refused.value.status == 404
        allowed.write_text("CP-OLD\nCP-NEW\n")
        bridge.process.send_signal(signal.SIGHUP)

        def reloaded() -> set[int]:
            lines = [json.loads(line) for line in bridge.log]
            return {line["worker"] for line in lines if line["message"].startswith("SIGHUP: reloading")}

        await eventually(lambda: reloaded() == {0, 1})  # each worker says so, in its own log lines
        for _ in range(8):  # wherever the kernel puts it
            async with raw_station(bridge.url("CP-NEW")) as ws:
                assert json.loads(await _exchange(ws, '[2,"h","Heartbeat",{}]'))[:2] == [3, "h"]


async def test_workers_do_not_outlive_a_killed_supervisor(csms: CsmsServer, store_url: str) -> None:
    async with run_workers(csms.url, store_url) as bridge, raw_station(bridge.url("CP-1")) as ws:
        pids = [w["pid"] for w in await bridge.workers()]
        bridge.process.send_signal(signal.SIGKILL)  # nothing forwards: the kernel tells the workers
        message = await asyncio.wait_for(ws.receive(), 10)
        assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 1001  # drained, not dropped
        await eventually(lambda: not any(pid_alive(pid) for pid in pids), wait=10)


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--store-url", "memory:"], "memory:"),
        (["--store-url", "sqlite:///x.sqlite3", "--port", "0"], "--port"),
    ],
    ids=["memory store", "port 0"],
)
def test_what_workers_cannot_share_is_refused_at_start(flags: list[str], says: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [*BRIDGE, "--csms-url", "ws://127.0.0.1:9/ocpp", "--workers", "2", *flags],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")},
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "--workers" in line and says in line


def test_a_worker_that_cannot_start_stops_the_whole_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [*BRIDGE, "--csms-url", "ws://127.0.0.1:9/ocpp", "--workers", "2", "--store-url", "sqlite:///s.sqlite3",
         "--port", str(free_port()), "--admin-port", str(free_port()), "--topology-file", "missing.toml"],
        capture_output=True, text=True, timeout=30, cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")},
    )  # fmt: skip
    assert result.returncode == 1
    assert "missing.toml" in result.stderr and "could not start" in result.stderr


RESERVE = textwrap.dedent(
    """
    import asyncio, sys
    from bridge.store.sqlite import SqliteStore

    async def main():
        store = SqliteStore(sys.argv[1], busy_timeout=10)
        await store.open()
        for _ in range(40):
            print(await store.reserve_ids(10, 0), flush=True)
        await store.close()

    asyncio.run(main())
    """
)


def test_workers_sharing_a_sqlite_store_never_draw_the_same_ids(tmp_path: Path) -> None:
    path = str(tmp_path / "store.sqlite3")
    processes = [
        subprocess.Popen([sys.executable, "-c", RESERVE, path], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    lasts = []
    for process in processes:
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 0
        lasts += [int(line) for line in out.split()]
    ids = [i for last in lasts for i in range(last - 9, last + 1)]
    assert len(ids) == 3 * 40 * 10 and len(set(ids)) == len(ids)


def test_merged_metrics_sum_counts_keep_the_fullest_worker_and_outlive_a_dead_one() -> None:
    """The merge rules of the supervisor's /metrics, on the expositions of two real registries."""
    from prometheus_client import CollectorRegistry, generate_latest

    from bridge.engine import Side
    from bridge.metrics import Metrics, bridge_version
    from bridge.workers.merge import WorkerMetrics

    one, two = Metrics(), Metrics()
    one.connections.labels("accepted").inc(3)
    two.connections.labels("accepted").inc(2)
    two.connections.labels("refused_404").inc()
    one.stations.labels("primary").inc(3)
    two.stations.labels("primary").inc(1)
    one.round_trip(Side.CSMS, "Heartbeat", 0.003)
    two.round_trip(Side.CSMS, "Heartbeat", 0.2)
    merged = WorkerMetrics()
    registry = CollectorRegistry()
    registry.register(merged)

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    def exposition(metrics: Metrics, open_fds: int, max_fds: int = 20_000) -> str:
        """The registry's text, with given open-file figures (as if the worker held that many stations)."""
        given = {"process_open_fds": open_fds, "process_max_fds": max_fds}
        out = []
        for line in generate_latest(metrics.registry).decode().splitlines():
            name = line.split()[0]
            out.append(f"{name} {given[name]}" if name in given else line)
        return "\n".join(out) + "\n"

    merged.update(1, exposition(one, 10))
    merged.update(2, exposition(two, 1000, max_fds=4096))
    assert value("bridge_connections_total", outcome="accepted") == 5
    assert value("bridge_connections_total", outcome="refused_404") == 1
    assert value("bridge_connected_stations", mode="primary") == 4
    assert value("bridge_round_trip_seconds_count", side="csms", action="Heartbeat") == 2
    assert value("bridge_round_trip_seconds_bucket", side="csms", action="Heartbeat", le="0.005") == 1
    assert value("bridge_round_trip_seconds_bucket", side="csms", action="Heartbeat", le="+Inf") == 2
    assert value("process_open_fds") == 1000  # the fullest worker's, not a sum
    assert value("process_max_fds") == 4096  # the lowest limit: their ratio is the fullest worker's
    assert value("bridge_build_info", version=bridge_version()) == 1  # not 2
    merged.retire(2)  # worker 2 died: its counts stay, its stations do not
    assert value("bridge_connections_total", outcome="accepted") == 5
    assert value("bridge_connected_stations", mode="primary") == 3
    one.connections.labels("accepted").inc()
    merged.update(1, exposition(one, 10))
    assert value("bridge_connections_total", outcome="accepted") == 6


@pytest.mark.parametrize("count", [2, 3, 8])
def test_workers_share_out_the_upstream_connection_rate(count: int) -> None:
    """The CSMS sees no more new connections a second from N workers than from one bridge process."""
    from bridge.settings import Settings
    from bridge.workers.supervisor import worker_settings

    settings = Settings(upstream_connect_rate=50, upstream_connect_burst=20, workers=count)
    each = worker_settings(settings, count)
    assert each.upstream_connect_rate * count == pytest.approx(50)
    assert each.upstream_connect_burst * count <= 20 and each.upstream_connect_burst >= 1
    assert each.model_copy(update={"upstream_connect_rate": 50, "upstream_connect_burst": 20}) == settings


def test_auto_is_one_worker_per_cpu_the_process_may_use() -> None:
    from bridge.workers import worker_count

    assert worker_count("auto") == len(os.sched_getaffinity(0))
    assert worker_count(3) == 3


async def test_shadow_report_covers_every_worker_and_the_command_prints_it(
    csms: CsmsServer, store_url: str
) -> None:
    """In shadow mode each worker compares its own stations; the supervisor's /shadow, and
    `ocpp-bridge shadow-report` reading it, is the report of them all."""
    from ocpp.v16 import call

    from tests.legacy_csms import start_legacy

    legacy = await start_legacy()
    legacy.blocked.add("TAG-X")  # the old back office blocks a tag the new one accepts
    try:
        async with (
            run_workers(
                csms.url, store_url, BRIDGE_LEGACY_CSMS_URL=legacy.url, BRIDGE_DEFAULT_MODE="shadow"
            ) as bridge,
            contextlib.AsyncExitStack() as stack,
        ):
            stations = []
            while len(stations) < 40:  # until both workers have a station
                station_id = f"CP-{len(stations)}"
                station = await stack.enter_async_context(connect_station(bridge.url(station_id), station_id))
                await boot(station)
                answer = await station.call(call.Authorize(id_tag="TAG-X"))
                assert answer.id_tag_info["status"] == "Blocked"  # the legacy CSMS decides
                stations.append(station_id)
                if len(stations) >= 2 and all(w["stations"] for w in await bridge.workers()):
                    break

            for _ in range(100):  # the shadow's answers are compared after the station got its own
                shown = json.loads((await bridge.get("/shadow"))[1])
                if len(shown["differences"]) == len(stations):
                    break
                await asyncio.sleep(0.05)
            printed = await asyncio.to_thread(
                subprocess.run,
                [*BRIDGE, "shadow-report", "--url", f"http://127.0.0.1:{bridge.admin}"],
                capture_output=True,
                text=True,
                timeout=30,
            )
            one = await asyncio.to_thread(
                subprocess.run,
                [*BRIDGE, "shadow-report", "--station", stations[0]],
                capture_output=True,
                text=True,
                timeout=30,
                env={**os.environ, "BRIDGE_ADMIN_PORT": str(bridge.admin), "BRIDGE_HOST": "127.0.0.1"},
            )
    finally:
        assert legacy.runner is not None
        await legacy.runner.cleanup()
    assert printed.returncode == 0, printed.stderr
    report = json.loads(printed.stdout)
    assert sorted(report["stations"]) == sorted(stations)
    for station_id in stations:
        assert report["stations"][station_id]["Authorize"]["differed"] == 1
        assert report["stations"][station_id]["BootNotification"]["agreed"] == 1
    assert sorted(d["station"] for d in report["differences"]) == sorted(stations)
    assert "workers_missing" not in report
    assert one.returncode == 0, one.stderr
    only = json.loads(one.stdout)
    assert list(only["stations"]) == [stations[0]]
    assert [d["station"] for d in only["differences"]] == [stations[0]]


def test_shadow_report_says_when_no_bridge_answers() -> None:
    printed = subprocess.run(
        [*BRIDGE, "shadow-report", "--url", f"http://127.0.0.1:{free_port()}"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert printed.returncode == 1
    assert "ocpp-bridge shadow-report: http://127.0.0.1:" in printed.stderr
