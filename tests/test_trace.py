"""The live frame trace (--trace, or every station at DEBUG): frames in and out, credentials redacted,
in a form `ocpp-bridge translate` reads back."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from ocpp.v201 import call as call201

from bridge.capture import translate_stream
from bridge.logs import setup_logging
from bridge.store import open_store
from bridge.trace import Tracer, scrub
from tests.conftest import CsmsServer, exchange, now, raw_station, run_bridge

SECRET = "s3cret-Pa55word"
BOOT = '[2,"b1","BootNotification",{"chargePointVendor":"ACME","chargePointModel":"AC-22"}]'


@pytest.fixture
def log_output(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """The bridge's real log handler and formatter (redaction included), writing to a buffer."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    buffer = io.StringIO()
    setup_logging(request.param, "INFO", stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


async def a_session_with_a_secret(csms: CsmsServer, station_id: str, url: str) -> None:
    """Boot, then the CSMS sets the station's Basic auth password (AuthorizationKey in 1.6)."""
    async with raw_station(url) as ws:
        assert (await exchange(ws, BOOT))[:2] == [3, "b1"]
        server_side = await csms.wait_for(station_id)
        setting = call201.SetVariables(
            set_variable_data=[
                {  # the value first, the name after: redaction must not depend on the order
                    "attribute_value": SECRET,
                    "component": {"name": "SecurityCtrlr"},
                    "variable": {"name": "BasicAuthPassword"},
                }
            ]
        )
        answer = asyncio.create_task(server_side.call(setting))
        async with asyncio.timeout(5):
            message = await ws.receive()
        change = json.loads(message.data)
        assert change[2] == "ChangeConfiguration" and change[3]["key"] == "AuthorizationKey"
        await ws.send_str(json.dumps([3, change[1], {"status": "Accepted"}]))
        result = await answer
        assert result.set_variable_result[0]["attribute_status"] == "Accepted"


@pytest.mark.parametrize("log_output", ["json", "text"], indirect=True)
async def test_traced_stations_frames_are_logged_redacted_and_translate_reads_them_back(
    csms: CsmsServer, log_output: io.StringIO
) -> None:
    async with run_bridge(csms_url=csms.url, trace=["CP-T*"]) as bridge:
        await a_session_with_a_secret(csms, "CP-T1", bridge.url("CP-T1"))
        await a_session_with_a_secret(csms, "CP-OTHER", bridge.url("CP-OTHER"))
    log = log_output.getvalue()
    assert SECRET not in log
    lines = log.splitlines()
    if lines[0].startswith("{"):
        records = [json.loads(line) for line in lines]  # redaction kept every line valid JSON
        traced = [(r["station_id"], r["message"]) for r in records if r["logger"] == "bridge.trace"]
    else:
        found = (re.fullmatch(r"\S+Z [A-Z]+ +\[([^\]]*)\] ((?:in |out) .*)", line) for line in lines)
        traced = [(m[1], m[2]) for m in found if m]
    assert {station for station, _ in traced} == {"CP-T1"}  # CP-OTHER is not traced at INFO
    trace = [message for _, message in traced]

    def what(line: str) -> tuple[str, str, str]:
        frame = json.loads(line[11:])
        return line[:3], line[4:10].strip(), frame[2] if frame[0] == 2 else "answer"

    assert [what(line) for line in trace] == [
        ("in ", "1.6", "BootNotification"),
        ("out", "2.0.1", "BootNotification"),
        ("in ", "2.0.1", "answer"),
        ("out", "1.6", "answer"),
        ("in ", "2.0.1", "SetVariables"),
        ("out", "1.6", "ChangeConfiguration"),
        ("in ", "1.6", "answer"),
        ("out", "2.0.1", "answer"),
    ]
    assert any('"AuthorizationKey","value":"[redacted]"' in line for line in trace)
    # the log read back by `ocpp-bridge translate` gives what the bridge sent
    replay = io.StringIO()
    translate_stream(io.StringIO(log), replay, "1.6")
    assert replay.getvalue().splitlines() == trace


def test_every_station_is_traced_at_debug_and_only_the_listed_ones_otherwise() -> None:
    logger = logging.getLogger("bridge.trace")
    before = logger.level
    try:
        logger.setLevel(logging.INFO)
        tracer = Tracer(["CP-1", "ACME-*"])
        assert tracer.level("CP-1") == logging.INFO
        assert tracer.level("ACME-0042") == logging.INFO
        assert tracer.level("CP-2") is None
        logger.setLevel(logging.DEBUG)
        assert tracer.level("CP-2") == logging.DEBUG
        assert Tracer([]).level("anyone") == logging.DEBUG
    finally:
        logger.setLevel(before)


@pytest.mark.parametrize(
    "frame",
    [
        [2, "1", "ChangeConfiguration", {"key": "AuthorizationKey", "value": SECRET}],
        [3, "1", {"configurationKey": [{"key": "AuthorizationKey", "readonly": False, "value": SECRET}]}],
        [
            3,
            "1",
            {
                "getVariableResult": [
                    {
                        "attributeStatus": "Accepted",
                        "attributeValue": SECRET,
                        "component": {"name": "SecurityCtrlr"},
                        "variable": {"name": "BasicAuthPassword"},
                    }
                ]
            },
        ],
        [
            2,
            "1",
            "NotifyReport",
            {
                "requestId": 1,
                "generatedAt": "2026-01-01T00:00:00Z",
                "seqNo": 0,
                "reportData": [
                    {
                        "component": {"name": "SecurityCtrlr"},
                        "variable": {"name": "BasicAuthPassword"},
                        "variableAttribute": [{"type": "Actual", "value": SECRET}],
                    }
                ],
            },
        ],
        [2, "1", "DataTransfer", {"vendorId": "X", "data": json.dumps({"password": SECRET})}],
    ],
    ids=["ChangeConfiguration", "GetConfiguration", "GetVariables", "NotifyReport", "DataTransfer"],
)
def test_credentials_are_taken_out_of_traced_frames(frame: list[object]) -> None:
    scrubbed = scrub(json.dumps(frame))
    assert SECRET not in scrubbed
    assert json.loads(scrubbed)[:2] == frame[:2]  # still one JSON frame


def test_a_frame_that_is_not_json_stays_on_one_line() -> None:
    assert scrub('oops\n[2,"x"') == 'oops\\n[2,"x"'


@pytest.mark.parametrize("log_output", ["text"], indirect=True)
async def test_a_traced_station_in_a_transaction_is_stored_and_its_held_frames_are_traced(
    csms: CsmsServer, log_output: io.StringIO, tmp_path: Path
) -> None:
    # A traced station's engine is the live one (its records saved before its frames go out), and the
    # frames the store held show in the trace when they leave.
    start = '[2,"s1","StartTransaction",{"connectorId":1,"idTag":"CARD","meterStart":0,"timestamp":"%s"}]'
    store_url = f"sqlite:///{tmp_path}/store.sqlite3"
    async with run_bridge(csms_url=csms.url, trace=["CP-TX"], store_url=store_url) as bridge:
        async with raw_station(bridge.url("CP-TX")) as ws:
            answer = await exchange(ws, start % now())
    assert answer[:2] == [3, "s1"]
    store = open_store(store_url)
    await store.open()
    (record,) = await store.load("CP-TX")
    await store.close()
    assert record.id16 == answer[2]["transactionId"] and not record.ended
    trace = [
        line for line in log_output.getvalue().splitlines() if "[CP-TX] in " in line or "[CP-TX] out" in line
    ]
    assert [line.split("] ", 1)[1][:10] for line in trace] == [
        "in  1.6   ",
        "out 2.0.1 ",
        "in  2.0.1 ",
        "out 1.6   ",
    ]
    assert '"TransactionEvent"' in trace[1]
