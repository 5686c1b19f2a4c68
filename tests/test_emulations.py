"""2.0.1 requests the bridge answers truthfully itself, or spreads over time, for a 1.6 station: Reset
OnIdle (Scheduled, then a Soft reset once the last transaction ends), BootNotification reason
RemoteReset after a reset, and GetTransactionStatus from the bridge's own records. Real peers: the
`ocpp` package's 1.6 charge point and 2.0.1 CSMS through the bridge on loopback."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from ocpp.v16 import call as call16

from tests.command_peers import CommandStation, ask, reporting_csms
from tests.conftest import connect_station, eventually, now, run_bridge
from tests.schemas import assert_frame_valid


async def start(station: CommandStation, connector: int = 1) -> int:
    answer = await station.call(
        call16.StartTransaction(connector_id=connector, id_tag="CARD", meter_start=0, timestamp=now())
    )
    return int(answer.transaction_id)


async def stop(station: CommandStation, transaction_id: int, timestamp: str | None = None) -> None:
    await station.call(
        call16.StopTransaction(meter_stop=10, timestamp=timestamp or now(), transaction_id=transaction_id)
    )


def boot_reasons(server_side: Any) -> list[str]:
    return [f[3]["reason"] for f in server_side.received_calls("BootNotification")]


async def test_reset_on_idle_waits_for_the_last_transaction_then_resets_soft_and_the_boot_says_so() -> None:
    async with reporting_csms() as server, run_bridge(csms_url=server.url) as bridge:
        async with connect_station(bridge.url("CP-IDLE"), "CP-IDLE", factory=CommandStation) as station:
            csms = await server.wait_for("CP-IDLE")
            first, second = await start(station, 1), await start(station, 2)
            scheduled = await ask(csms, "Reset", {"type": "OnIdle"})
            assert_frame_valid("2.0.1", scheduled, request_action="Reset")
            assert scheduled[2] == {"status": "Scheduled"}
            await stop(station, first)
            await asyncio.sleep(0.1)
            assert station.calls_seen() == []  # one transaction still runs: no reset yet
            await stop(station, second)
            await eventually(lambda: station.calls_seen() == [["Reset", {"type": "Soft"}]])
        # the station rebooted and connects again: its BootNotification says why
        async with connect_station(bridge.url("CP-IDLE"), "CP-IDLE", factory=CommandStation) as station:
            await station.call(call16.BootNotification(charge_point_vendor="V", charge_point_model="M"))
            await station.call(call16.BootNotification(charge_point_vendor="V", charge_point_model="M"))
    assert boot_reasons(server.stations["CP-IDLE"]) == ["RemoteReset", "PowerUp"]  # the first boot only


async def test_reset_on_idle_of_an_idle_station_goes_down_at_once_and_immediate_overtakes_a_scheduled_one() -> (
    None
):
    async with reporting_csms() as server, run_bridge(csms_url=server.url) as bridge:
        async with connect_station(bridge.url("CP-NOW"), "CP-NOW", factory=CommandStation) as station:
            csms = await server.wait_for("CP-NOW")
            accepted = await ask(csms, "Reset", {"type": "OnIdle"})
            assert accepted[2] == {"status": "Accepted"}
            assert station.calls_seen() == [["Reset", {"type": "Soft"}]]
            tx = await start(station)
            assert (await ask(csms, "Reset", {"type": "OnIdle"}))[2] == {"status": "Scheduled"}
            assert (await ask(csms, "Reset", {"type": "Immediate"}))[2] == {"status": "Accepted"}
            await stop(station, tx)
            await asyncio.sleep(0.1)
            # no second Soft reset after the stop: the Immediate one replaced the scheduled one
            assert station.calls_seen() == [["Reset", {"type": "Soft"}], ["Reset", {"type": "Hard"}]]


async def test_a_rejected_reset_leaves_the_next_boot_a_power_up() -> None:
    async with reporting_csms() as server, run_bridge(csms_url=server.url) as bridge:
        async with connect_station(bridge.url("CP-REJ"), "CP-REJ", factory=CommandStation) as station:
            csms = await server.wait_for("CP-REJ")
            station.answers["Reset"] = {"status": "Rejected"}
            assert (await ask(csms, "Reset", {"type": "Immediate"}))[2] == {"status": "Rejected"}
            await station.call(call16.BootNotification(charge_point_vendor="V", charge_point_model="M"))
    assert boot_reasons(server.stations["CP-REJ"]) == ["PowerUp"]


async def test_get_transaction_status_is_answered_from_the_bridges_records() -> None:
    async with reporting_csms() as server, run_bridge(csms_url=server.url) as bridge:
        async with connect_station(bridge.url("CP-TXS"), "CP-TXS", factory=CommandStation) as station:
            csms = await server.wait_for("CP-TXS")
            tx = await start(station)
            (started,) = [f for f in csms.received_calls("TransactionEvent")]
            id201 = started[3]["transactionInfo"]["transactionId"]
            running = await ask(csms, "GetTransactionStatus", {"transactionId": id201})
            unknown = await ask(csms, "GetTransactionStatus", {"transactionId": "not-one-of-ours"})
            anything = await ask(csms, "GetTransactionStatus", {})
            await stop(station, tx)
            ended = await ask(csms, "GetTransactionStatus", {"transactionId": id201})
            # a stop from the station's offline queue: it is working through its backlog
            old = (datetime.now(UTC) - timedelta(minutes=10)).isoformat().replace("+00:00", "Z")
            await stop(station, await start(station), timestamp=old)
            replaying = await ask(csms, "GetTransactionStatus", {})
            assert station.calls_seen() == []  # all answered by the bridge
    for frame in (running, unknown, anything, ended, replaying):
        assert_frame_valid("2.0.1", frame, request_action="GetTransactionStatus")
    assert running[2] == {"ongoingIndicator": True, "messagesInQueue": False}
    assert unknown[2] == {"ongoingIndicator": False, "messagesInQueue": False}
    assert anything[2] == {"messagesInQueue": False}
    assert ended[2] == {"ongoingIndicator": False, "messagesInQueue": False}
    assert replaying[2] == {"messagesInQueue": True}
