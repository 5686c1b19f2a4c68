"""The `ocpp-bridge` command as a user runs it: a real process, real signals."""

from __future__ import annotations

import asyncio
import importlib.metadata
import io
import json
import logging
import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import ValidationError

from bridge.logs import setup_logging
from bridge.settings import describe_errors, load_settings
from tests.conftest import CsmsServer, eventually, free_port, wait_ready

BRIDGE = [sys.executable, "-m", "bridge.cli"]


def test_flags_win_over_environment_which_wins_over_defaults() -> None:
    env = {"BRIDGE_CSMS_URL": "ws://env:9000/ocpp", "BRIDGE_PORT": "9200", "BRIDGE_LOG_FORMAT": "text"}
    settings = load_settings(["--port", "9300", "--call-timeout", "5"], env)
    assert (settings.csms_url, settings.port, settings.log_format) == ("ws://env:9000/ocpp", 9300, "text")
    assert settings.call_timeout == 5
    assert settings.max_frame_size == 65536


def test_the_admin_port_must_differ_from_the_station_port() -> None:
    with pytest.raises(ValueError, match="--admin-port must differ from --port"):
        load_settings(["--port", "9100", "--admin-port", "9100"], {})
    assert load_settings(["--port", "0", "--admin-port", "0"], {}).admin_port == 0  # both picked by the OS


def test_a_bad_setting_is_reported_not_a_traceback() -> None:
    result = subprocess.run(
        [*BRIDGE, "--csms-url", "http://nope", "--port", "1"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "must start with ws:// or wss://" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_shows_the_run_flags_and_the_other_commands() -> None:
    result = subprocess.run([*BRIDGE, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    for flag in ("--csms-url", "--admin-port", "--ws-ping-interval", "--trace", "BRIDGE_CSMS_URL"):
        assert flag in result.stdout
    assert "demo, translate, bench, healthcheck" in result.stdout


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--csms-url", "ws://"], "--csms-url / BRIDGE_CSMS_URL: has no host"),
        (["--csms-url", "wss:///ocpp"], "--csms-url / BRIDGE_CSMS_URL: has no host"),
        (["--port", "x"], "--port / BRIDGE_PORT: Input should be a valid integer"),
        (["--log-level", "loud"], "--log-level / BRIDGE_LOG_LEVEL: Input should be 'DEBUG'"),
    ],
)
def test_a_bad_value_is_reported_by_its_flag_and_variable(flags: list[str], expected: str) -> None:
    result = subprocess.run(
        [*BRIDGE, "--csms-url", "ws://csms:9000/ocpp", *flags], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert expected in line and "Traceback" not in line
    assert "csms_url" not in line and "log_level" not in line  # the Python names mean nothing to a user


def test_a_password_in_a_bad_value_is_not_echoed() -> None:
    with pytest.raises(ValidationError) as refused:
        load_settings(["--csms-url", "wss://cp:hunter22@/ocpp"], {})
    assert "hunter22" not in " ".join(describe_errors(refused.value))


def test_log_format_and_level_in_any_case() -> None:
    settings = load_settings(["--log-level", "debug"], {"BRIDGE_LOG_FORMAT": "Text"})
    assert (settings.log_level, settings.log_format) == ("DEBUG", "text")


def test_settings_from_mounted_secret_files(tmp_path: Path) -> None:
    """/run/secrets (Docker, Kubernetes): one file a setting, named like its variable; env and flags win."""
    (tmp_path / "BRIDGE_CSMS_URL").write_text("wss://cp:s3cret@csms.example.com/ocpp\n")
    (tmp_path / "bridge_security_extension_stations").write_text("CP-1,CP-2")
    settings = load_settings([], {}, secrets_dir=tmp_path)
    assert settings.csms_url == "wss://cp:s3cret@csms.example.com/ocpp"
    assert settings.security_extension_stations == ["CP-1", "CP-2"]
    env = {"BRIDGE_CSMS_URL": "ws://env:9000/ocpp"}
    assert load_settings([], env, secrets_dir=tmp_path).csms_url == "ws://env:9000/ocpp"
    flag = ["--csms-url", "ws://flag:9000/ocpp"]
    assert load_settings(flag, env, secrets_dir=tmp_path).csms_url == "ws://flag:9000/ocpp"
    assert load_settings([], {}, secrets_dir=tmp_path / "absent").csms_url == ""


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_log_lines_carry_utc_time_with_its_zone_and_no_none_station(fmt: str) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    buffer = io.StringIO()
    try:
        setup_logging(fmt, "INFO", stream=buffer)
        logging.getLogger("bridge").info("hello")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    line = buffer.getvalue().strip()
    stamp = json.loads(line)["time"] if fmt == "json" else line.split(" ", 1)[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp)
    when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - when).total_seconds()) < 60
    if fmt == "text":
        assert " [-] hello" in line and "None" not in line


def test_missing_csms_url_says_how_to_set_it() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}
    result = subprocess.run(BRIDGE, capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 2
    assert "BRIDGE_CSMS_URL" in result.stderr


@pytest.mark.parametrize(("event_loop", "runs_on"), [("auto", "uvloop"), ("asyncio", "asyncio")])
async def test_run_serves_stations_logs_json_and_drains_on_sigterm(
    csms: CsmsServer, event_loop: str, runs_on: str
) -> None:
    """On either event loop (auto is uvloop, a dependency of the package on Linux)."""
    port, admin = free_port(), free_port()
    env = {
        **os.environ,
        "BRIDGE_EVENT_LOOP": event_loop,
        "BRIDGE_CSMS_URL": csms.url,
        "BRIDGE_DRAIN_TIMEOUT": "5",
        "BRIDGE_STORE_URL": "memory:",
    }
    process = await asyncio.create_subprocess_exec(
        *BRIDGE, "--host", "127.0.0.1", "--port", str(port), "--admin-port", str(admin),
        env=env, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{admin}/readyz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            ws = await http.ws_connect(f"ws://127.0.0.1:{port}/CP-SIG", protocols=("ocpp1.6",))
            await ws.send_str('[2,"h","Heartbeat",{}]')
            assert json.loads((await ws.receive()).data)[:2] == [3, "h"]
            began = time.monotonic()
            process.send_signal(signal.SIGTERM)
            message = await asyncio.wait_for(ws.receive(), 10)
            assert message.type == aiohttp.WSMsgType.CLOSE
            assert ws.close_code == 1001
            code = await asyncio.wait_for(process.wait(), 10)
            assert code == 0
            assert time.monotonic() - began < 5
            server_side = csms.stations["CP-SIG"]._connection.ws
            await eventually(lambda: server_side.closed)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.stderr is not None
    lines = [json.loads(line) for line in (await process.stderr.read()).decode().splitlines()]
    assert any(line.get("station_id") == "CP-SIG" for line in lines)
    assert all({"time", "level", "message"} <= set(line) for line in lines)
    listening = next(line["message"] for line in lines if line["message"].startswith("listening on"))
    assert f"event loop {runs_on};" in listening


def test_translate_reads_a_capture_from_stdin() -> None:
    capture = "\n".join(
        [
            '[2,"1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]',
            '2.0.1 [3,"1",{"status":"Accepted","currentTime":"2026-01-01T00:00:00Z","interval":60}]',
            '[2,"2","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Charging"}]',
        ]
    )
    result = subprocess.run(
        [*BRIDGE, "translate", "--from", "1.6"], input=capture, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    outs = [
        json.JSONDecoder().raw_decode(line.split(None, 2)[2])[0]  # without a note after the frame
        for line in result.stdout.splitlines()
        if line.startswith("out")
    ]
    assert outs[0][2:] == ["BootNotification", outs[0][3]] and outs[0][3]["reason"] == "PowerUp"
    assert outs[1] == [3, "1", {"status": "Accepted", "currentTime": "2026-01-01T00:00:00Z", "interval": 60}]
    assert outs[2][3]["connectorStatus"] == "Occupied"


def _translate(capture: list[str], *flags: str) -> list[list[Any]]:
    result = subprocess.run(
        [*BRIDGE, "translate", *flags], input="\n".join(capture), capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert "nothing sent" not in result.stdout
    return [
        json.JSONDecoder().raw_decode(line.split(None, 2)[2])[0]  # without a note after the frame
        for line in result.stdout.splitlines()
        if line.startswith("out")
    ]


def test_translate_shows_every_call_of_a_capture_without_answers() -> None:
    # a live session holds the second call until the first is answered; a capture tool shows both
    capture = [
        '[2,"1","ChangeAvailability",{"operationalStatus":"Inoperative","evse":{"id":1}}]',
        '[2,"2","ChangeAvailability",{"operationalStatus":"Operative","evse":{"id":2}}]',
        '[2,"3","UnlockConnector",{"evseId":1,"connectorId":1}]',
        '1.6 [3,"2",{"status":"Scheduled"}]',
    ]
    outs = _translate(capture, "--from", "2.0.1")
    assert [frame[:3] for frame in outs[:3]] == [
        [2, "1", "ChangeAvailability"],
        [2, "2", "ChangeAvailability"],
        [2, "3", "UnlockConnector"],
    ]
    assert outs[1][3] == {"connectorId": 2, "type": "Operative"}
    assert outs[3] == [3, "2", {"status": "Scheduled"}]  # answers still find their call


def test_translate_can_say_the_station_has_the_security_extension() -> None:
    capture = ['[2,"1","GetLog",{"logType":"SecurityLog","requestId":4,"log":{"remoteLocation":"ftp://x/"}}]']
    (plain,) = _translate(capture, "--from", "2.0.1")
    assert plain[2]["status"] == "Rejected"  # plain 1.6 has no security log: the bridge answers
    (secure,) = _translate(capture, "--from", "2.0.1", "--security-extension")
    assert secure[2:4] == ["GetLog", secure[3]] and secure[3]["logType"] == "SecurityLog"


@pytest.mark.parametrize("command", [["ocpp-bridge"], [sys.executable, "-m", "bridge"]])
def test_version_and_python_dash_m(command: list[str]) -> None:
    if command == ["ocpp-bridge"]:
        command = [str(Path(sys.executable).parent / "ocpp-bridge")]
    result = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ocpp-bridge {importlib.metadata.version('ocpp-bridge')}"
    result = subprocess.run([*command, "translate", "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "--security-extension" in result.stdout


def test_demo_runs_end_to_end_and_shows_both_versions() -> None:
    env = {**os.environ, "COLUMNS": "2000"}  # one line per frame, so whole frames can be searched
    result = subprocess.run([*BRIDGE, "demo"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert '"chargePointVendor":"ACME"' in out  # 1.6 before
    assert '"vendorName":"ACME"' in out  # 2.0.1 after
    assert '"NotifyEvent"' in out
    assert "TypeConstraintViolation" in out
    # the three triggers: an evse that becomes a connectorId, a renamed message, one 1.6J cannot express
    assert '"requestedMessage":"StatusNotification","connectorId":2' in out
    assert '"requestedMessage":"DiagnosticsStatusNotification"' in out
    assert '"LogStatusNotification",{"status":"Uploaded"}' in out
    assert '"status":"NotImplemented","statusInfo":{"reasonCode":"UnsupportedRequest"' in out
    assert "\033[" not in out  # no colour codes when stdout is not a terminal


def test_shadow_demo_shows_the_two_csmss_disagreeing_on_one_tag() -> None:
    result = subprocess.run([*BRIDGE, "demo", "--shadow"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # the station got the 1.6 CSMS's decision; the 2.0.1 CSMS was asked the translated question
    assert '[3,"station-3",{"idTagInfo":{"status":"Blocked"}}]' in out
    assert '"Authorize",{"idToken":{"idToken":"TAG-STOLEN","type":"ISO14443"}}' in out
    assert out.count("comparison: DIFFERS") == 1
    assert "idTagInfo.status: 'Blocked' (decided) vs 'Accepted' (shadow)" in out
    report = json.loads(out[out.index("{\n") : out.rindex("}") + 1])
    assert report["stations"]["DEMO-CP-1"]["Authorize"]["differed"] == 1


def _limited(soft: int, hard: int | None = None) -> Callable[[], None]:
    def limit() -> None:  # in the child, before exec: the limits a service manager would set
        current_hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard if hard is not None else current_hard))

    return limit


def _open_files(pid: int) -> tuple[int, int]:
    with open(f"/proc/{pid}/limits") as f:
        row = next(line for line in f if line.startswith("Max open files")).split()
    return int(row[3]), int(row[4])


@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="reads /proc/<pid>/limits (Linux)")
@pytest.mark.parametrize(
    ("soft", "hard"), [(256, None), (300, 300)], ids=["low soft limit", "low hard limit"]
)
async def test_run_raises_its_open_file_limit_and_says_how_many_stations_fit(
    soft: int, hard: int | None
) -> None:
    # two sockets a station: a service started with the common soft limit of 1024 would stop at ~500
    port, admin = free_port(), free_port()
    env = {**os.environ, "BRIDGE_CSMS_URL": "ws://127.0.0.1:9/ocpp", "BRIDGE_STORE_URL": "memory:"}
    process = await asyncio.create_subprocess_exec(
        *BRIDGE,
        "--port",
        str(port),
        "--admin-port",
        str(admin),
        "--host",
        "127.0.0.1",
        "--log-format",
        "text",
        env=env,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=_limited(soft, hard),
    )
    try:
        await wait_ready(admin)
        in_force, hard_limit = _open_files(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    log = err.decode()
    assert in_force == hard_limit  # the soft limit went up to the hard one
    room = (hard_limit - 100) // 2
    assert f"room for {room} stations" in log
    assert ("raise the hard limit" in log) == (room < 1000)
