"""Migration modes with real peers on loopback: a 1.6 CSMS (the `ocpp` package's 1.6 ChargePoint as
central system), a 2.0.1 CSMS, and 1.6 stations in legacy, shadow, primary and primary+legacy-shadow."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from bridge.modes import ModeBook, ModesError
from bridge.settings import Settings
from tests.conftest import (
    Csms,
    CsmsServer,
    connect_station,
    eventually,
    exchange,
    now,
    raw_station,
    run_bridge,
    serve_loopback,
    start_csms,
)
from tests.legacy_csms import LegacyServer, start_legacy
from tests.schemas import ERROR_CODES, assert_frame_valid, assert_valid


@pytest.fixture
async def legacy() -> AsyncIterator[LegacyServer]:
    server = await start_legacy()
    server.blocked.add("TAG-X")  # the old back office blocks a tag the new one accepts
    yield server
    assert server.runner is not None
    await server.runner.cleanup()


async def report(http_base: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(http_base + "/shadow") as r:
        assert r.status == 200
        return await r.json()


async def metrics(http_base: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(http_base + "/metrics") as r:
        return await r.text()


async def charging_session(station: Any) -> dict[str, Any]:
    """Boot, two authorizations (one the CSMSs disagree on), a transaction: what the station got."""
    got: dict[str, Any] = {}
    got["boot"] = await station.call(
        call16.BootNotification(charge_point_vendor="ACME", charge_point_model="Wallbox-11")
    )
    got["ok"] = await station.call(call16.Authorize(id_tag="TAG-1"))
    got["x"] = await station.call(call16.Authorize(id_tag="TAG-X"))
    got["start"] = await station.call(
        call16.StartTransaction(connector_id=1, id_tag="TAG-1", meter_start=0, timestamp=now())
    )
    transaction_id = got["start"].transaction_id
    await station.call(
        call16.MeterValues(
            connector_id=1,
            transaction_id=transaction_id,
            meter_value=[{"timestamp": now(), "sampledValue": [{"value": "500"}]}],
        )
    )
    got["stop"] = await station.call(
        call16.StopTransaction(meter_stop=900, timestamp=now(), transaction_id=transaction_id)
    )
    return got


async def test_shadow_the_legacy_csms_decides_and_the_new_one_is_compared(
    csms: CsmsServer, legacy: LegacyServer
) -> None:
    async with (
        run_bridge(
            csms_url=csms.url, legacy_csms_url=legacy.url, default_mode="shadow", call_timeout=3
        ) as bridge,
        connect_station(bridge.url("CP-S")) as station,
    ):
        got = await charging_session(station)
        # the station got the legacy CSMS's decisions: its block, its transaction id
        assert got["x"].id_tag_info["status"] == "Blocked"
        assert got["start"].transaction_id == 1001
        new = await csms.wait_for("CP-S")
        await eventually(lambda: len(new.received_calls("TransactionEvent")) == 3)
        # the new CSMS calls the station: the bridge answers for it, the station never sees the call
        with pytest.raises(Exception, match="shadow mode"):
            await new.call(call201.Reset(type="Immediate"), suppress=False)
        shown = await report(bridge.http)
        text = await metrics(bridge.http)
        assert 'bridge_connected_stations{mode="shadow"} 1.0' in text

    # the legacy CSMS got the station's frames unchanged
    assert [f[2] for f in legacy.received_calls("CP-S")] == [
        "BootNotification", "Authorize", "Authorize", "StartTransaction", "MeterValues", "StopTransaction"
    ]  # fmt: skip
    sent = [f for d, f in station.frames if d == "sent" and f[0] == 2]
    assert legacy.received_calls("CP-S") == sent
    assert all(f[2] != "Reset" for d, f in station.frames)
    # the new CSMS got the same calls translated, valid 2.0.1, one transaction from start to end
    shadowed = new.received_calls()
    for frame in shadowed:
        assert_frame_valid("2.0.1", frame)
    events = [f[3] for f in new.received_calls("TransactionEvent")]
    assert [e["eventType"] for e in events] == ["Started", "Updated", "Ended"]
    assert len({e["transactionInfo"]["transactionId"] for e in events}) == 1
    # the comparison: one Authorize differed, on the field the table names; the rest agreed
    cp = shown["stations"]["CP-S"]
    assert cp["Authorize"] == {
        "seen": 2,
        "agreed": 1,
        "differed": 1,
        "shadow_errors": 0,
        "timeouts": 0,
        "dropped": 0,
    }
    for action in ("BootNotification", "StartTransaction", "MeterValues", "StopTransaction"):
        assert cp[action]["agreed"] == 1, (action, cp[action])
    (difference,) = shown["differences"]
    assert difference["fields"] == [{"field": "idTagInfo.status", "decided": "Blocked", "shadow": "Accepted"}]
    assert shown["refused_calls"] == {"CP-S": 1}
    assert 'bridge_shadow_differences_total{action="Authorize",field="idTagInfo.status"} 1.0' in text
    assert 'bridge_shadow_refused_calls_total{action="Reset"} 1.0' in text


async def test_legacy_mode_passes_through_to_the_16_csms_only(csms: CsmsServer, legacy: LegacyServer) -> None:
    async with (
        run_bridge(
            csms_url=csms.url, legacy_csms_url=legacy.url, default_mode="legacy", call_timeout=3
        ) as bridge,
        connect_station(bridge.url("CP-L")) as station,
    ):
        got = await charging_session(station)
        assert got["x"].id_tag_info["status"] == "Blocked" and got["start"].transaction_id == 1001
        # invalid 1.6 from a station is refused with the 1.6 code and never reaches the legacy CSMS
        async with raw_station(bridge.url("CP-L2")) as ws:
            refused = await exchange(ws, '[2,"s1","StatusNotification",{"connectorId":1,"status":"Bogus"}]')
        assert refused[:3] == [4, "s1", "OccurenceConstraintViolation"] or refused[2] in ERROR_CODES["1.6"]
        assert_frame_valid("1.6", refused)
    assert csms.requests == []
    sent = [f for d, f in station.frames if d == "sent" and f[0] == 2]
    assert legacy.received_calls("CP-L") == sent
    assert legacy.received_calls("CP-L2") == []


async def test_primary_with_legacy_shadow_keeps_the_16_csms_fed_for_a_roll_back(
    csms: CsmsServer, legacy: LegacyServer
) -> None:
    async with (
        run_bridge(
            csms_url=csms.url,
            legacy_csms_url=legacy.url,
            default_mode="primary+legacy-shadow",
            call_timeout=3,
        ) as bridge,
        connect_station(bridge.url("CP-B")) as station,
    ):
        got = await charging_session(station)
        assert got["x"].id_tag_info["status"] == "Accepted"  # the 2.0.1 CSMS decides now
        await eventually(lambda: len(legacy.received_calls("CP-B", "StopTransaction")) == 1)
        shown = await report(bridge.http)
    # the legacy CSMS got every call, its own transaction id in the later ones
    copies = legacy.received_calls("CP-B")
    assert [f[2] for f in copies][-3:] == ["StartTransaction", "MeterValues", "StopTransaction"]
    assert copies[-1][3]["transactionId"] == copies[-2][3]["transactionId"] == 1001
    for frame in copies:
        assert_valid("1.6", frame[2], frame[3])
    cp = shown["stations"]["CP-B"]
    assert cp["Authorize"]["differed"] == 1 and shown["differences"][0]["fields"][0]["shadow"] == "Blocked"


async def test_a_shadow_csms_that_is_down_never_troubles_the_station(legacy: LegacyServer) -> None:
    gone = await start_csms()
    url = gone.url
    assert gone.runner is not None
    await gone.runner.cleanup()  # nothing listens there now
    async with (
        run_bridge(csms_url=url, legacy_csms_url=legacy.url, default_mode="shadow", call_timeout=3) as bridge,
        connect_station(bridge.url("CP-D")) as station,
    ):
        got = await charging_session(station)
        assert got["stop"] is not None
        shown = await report(bridge.http)
    cp = shown["stations"]["CP-D"]
    assert cp["BootNotification"]["shadow_errors"] == 1 and cp["Authorize"]["shadow_errors"] == 2
    assert sum(t["agreed"] + t["differed"] for t in cp.values()) == 0


class SlowCsms(Csms):
    """Answers Authorize only after a while: longer than the bridge gives a shadow."""

    slow = ("Authorize", "Heartbeat")

    async def _handle_call(self, msg: Any) -> None:
        if msg.action in self.slow:
            await asyncio.sleep(1.5)
        await super()._handle_call(msg)


async def test_a_slow_shadow_csms_costs_the_station_nothing_and_counts_timeouts(legacy: LegacyServer) -> None:
    slow = await start_csms(SlowCsms)
    try:
        async with (
            run_bridge(
                csms_url=slow.url,
                legacy_csms_url=legacy.url,
                default_mode="shadow",
                call_timeout=3,
                shadow_timeout=0.3,
            ) as bridge,
            connect_station(bridge.url("CP-W")) as station,
        ):
            got = await charging_session(station)  # the ocpp station gives each call 5 s: none waited
            assert got["x"].id_tag_info["status"] == "Blocked"
            tally = bridge.server.shadow_report.stations
            await eventually(lambda: tally["CP-W"].get("Authorize", {}).get("seen", 0) == 2, wait=10)
            shown = await report(bridge.http)
    finally:
        assert slow.runner is not None
        await slow.runner.cleanup()
    cp = shown["stations"]["CP-W"]
    assert cp["Authorize"]["timeouts"] >= 1
    assert cp["BootNotification"]["agreed"] == 1, cp


async def test_a_shadow_csms_answering_invalid_frames_is_counted_not_felt(legacy: LegacyServer) -> None:
    async def nonsense(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("ocpp2.0.1",))
        await ws.prepare(request)
        async for message in ws:
            frame = json.loads(message.data)
            await ws.send_str(json.dumps([3, frame[1], {"status": "Maybe", "bogus": True}]))
        return ws

    runner, port = await serve_loopback("/ocpp/{station}", nonsense)
    url = f"ws://127.0.0.1:{port}/ocpp"
    try:
        async with (
            run_bridge(
                csms_url=url, legacy_csms_url=legacy.url, default_mode="shadow", call_timeout=3
            ) as bridge,
            connect_station(bridge.url("CP-N")) as station,
        ):
            boot = await station.call(
                call16.BootNotification(charge_point_vendor="ACME", charge_point_model="Wallbox-11")
            )
            assert boot.status == "Accepted"
            auth = await station.call(call16.Authorize(id_tag="TAG-1"))
            assert auth.id_tag_info["status"] == "Accepted"
            await eventually(lambda: "CP-N" in bridge.server.shadow_report.stations)
            await eventually(
                lambda: bridge.server.shadow_report.stations["CP-N"].get("Authorize", {}).get("seen", 0) == 1
            )
            shown = await report(bridge.http)
    finally:
        await runner.cleanup()
    cp = shown["stations"]["CP-N"]
    assert cp["BootNotification"]["shadow_errors"] == 1 and cp["Authorize"]["shadow_errors"] == 1


async def test_transitions_legacy_shadow_primary_and_back_follow_the_modes_file(
    csms: CsmsServer, legacy: LegacyServer, tmp_path: Path
) -> None:
    """Each stage applies at the station's next connection (SIGHUP reloads the file); a transaction
    started in shadow ends in primary under the same 2.0.1 transactionId."""
    modes = tmp_path / "modes.txt"
    modes.write_text("# stage 1\nCP-T legacy\n")
    async with run_bridge(
        csms_url=csms.url, legacy_csms_url=legacy.url, station_modes_file=modes, call_timeout=3
    ) as bridge:
        async with connect_station(bridge.url("CP-T")) as station:
            await station.call(call16.Heartbeat())
        assert "CP-T" not in csms.stations and len(legacy.received_calls("CP-T")) == 1

        modes.write_text("CP-* shadow\n")
        await bridge.server.reload()
        async with connect_station(bridge.url("CP-T")) as station:
            start = await station.call(
                call16.StartTransaction(connector_id=1, id_tag="TAG-1", meter_start=0, timestamp=now())
            )
            assert start.transaction_id == 1001  # the legacy CSMS's
            new = await csms.wait_for("CP-T")
            await eventually(lambda: len(new.received_calls("TransactionEvent")) == 1)

        modes.write_text("CP-T primary\n")
        await bridge.server.reload()
        async with connect_station(bridge.url("CP-T")) as station:
            stop = await station.call(
                call16.StopTransaction(meter_stop=700, timestamp=now(), transaction_id=start.transaction_id)
            )
            assert stop is not None
        legacy_calls = len(legacy.received_calls("CP-T"))
        assert legacy_calls == 2  # Heartbeat, StartTransaction: the primary stage did not reach it

        modes.write_text("CP-T legacy\n")  # roll back
        await bridge.server.reload()
        async with connect_station(bridge.url("CP-T")) as station:
            await station.call(call16.Heartbeat())
        assert len(legacy.received_calls("CP-T")) == legacy_calls + 1
    log = csms.logs["CP-T"]  # kept across the station's connections
    events = [f[3] for d, f in log if d == "received" and f[0] == 2 and f[2] == "TransactionEvent"]
    assert [e["eventType"] for e in events] == ["Started", "Ended"]
    assert events[0]["transactionInfo"]["transactionId"] == events[1]["transactionInfo"]["transactionId"]


def test_modes_file_rules(tmp_path: Path) -> None:
    path = tmp_path / "modes.txt"
    path.write_text("CP-1 shadow\nACME-* legacy\n* primary+legacy-shadow\n")
    book = ModeBook(path, "primary", legacy=True)
    assert [book.mode(s) for s in ("CP-1", "ACME-7", "OTHER")] == [
        "shadow",
        "legacy",
        "primary+legacy-shadow",
    ]
    path.write_text("CP-1 sideways\n")
    assert book.reload() is False and book.mode("CP-1") == "shadow"  # the previous modes stay
    with pytest.raises(ModesError, match="unknown mode 'sideways'"):
        ModeBook(path, "primary", legacy=True)
    path.write_text("CP-1 shadow\n")
    with pytest.raises(ModesError, match="needs --legacy-csms-url"):
        ModeBook(path, "primary", legacy=False)
    with pytest.raises(ValueError, match="needs --legacy-csms-url"):
        Settings(csms_url="ws://x/ocpp", default_mode="shadow")


async def test_copies_beyond_the_queue_are_dropped_and_counted_while_the_station_is_served(
    legacy: LegacyServer,
) -> None:
    slow = await start_csms(SlowCsms)
    try:
        async with (
            run_bridge(
                csms_url=slow.url, legacy_csms_url=legacy.url, default_mode="shadow", shadow_timeout=0.5
            ) as bridge,
            raw_station(bridge.url("CP-Q")) as ws,
        ):
            for n in range(100):  # each answered by the 1.6 CSMS, none waiting for the shadow
                answer = await exchange(ws, f'[2,"h{n}","Heartbeat",{{}}]')
                assert answer[:2] == [3, f"h{n}"] and "currentTime" in answer[2]
            tally = bridge.server.shadow_report.stations["CP-Q"]["Heartbeat"]
            assert tally["dropped"] >= 100 - 64 - 1  # the rest wait in the queue, or were compared
            shadow = bridge.server.sessions["CP-Q"].shadow
            assert shadow is not None and len(shadow.calls) <= 64 + 1  # the queue, and one in flight
    finally:
        assert slow.runner is not None
        await slow.runner.cleanup()
