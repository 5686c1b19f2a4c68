"""WebSocket pings (--ws-ping-interval): a peer that is gone without a TCP close is found and the pair closed.

The silent peers here keep their sockets open and their kernels keep acknowledging TCP, but their
WebSocket layer never answers a ping (aiohttp with autoping off, never reading): a charger that lost
power behind a NAT or a load balancer that still holds the connection looks like that.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from ocpp.v16 import call as call16

from tests.conftest import CsmsServer, connect_station, eventually, run_bridge, serve_loopback

PING = 2.0  # seconds: a silent peer is found after about 3 s (a ping, then half an interval for the pong);
# a healthy peer on this busy loop has 1 s to answer, so a stalled loop does not drop it
WAIT = 20  # generous: the suite runs on a busy 2-core machine


async def test_a_station_that_stops_answering_pings_is_dropped_and_its_csms_side_closed(
    csms: CsmsServer,
) -> None:
    async with (
        run_bridge(csms_url=csms.url, ws_ping_interval=PING) as bridge,
        aiohttp.ClientSession() as http,
        # autoping off and nobody reading: the socket stays open but no pong ever comes back
        http.ws_connect(bridge.url("CP-DEAD"), protocols=("ocpp1.6",), autoping=False) as dead,
        connect_station(bridge.url("CP-ALIVE")) as alive,
    ):
        dead_upstream = (await csms.wait_for("CP-DEAD"))._connection.ws
        await csms.wait_for("CP-ALIVE")
        await eventually(lambda: dead_upstream.closed, wait=WAIT)
        assert dead_upstream.close_code == 1001  # going away: the station left
        await eventually(lambda: "CP-DEAD" not in bridge.server.sessions)
        assert not dead.closed  # it never closed anything itself: only the missing pongs told
        # a station that answers its pings stays connected through them
        assert "CP-ALIVE" in bridge.server.sessions
        assert (await alive.call(call16.Heartbeat())).current_time


@contextlib.asynccontextmanager
async def silent_csms() -> AsyncIterator[tuple[str, list[web.WebSocketResponse]]]:
    """A 2.0.1 CSMS that accepts the connection and then never reads again (so never answers a ping)."""
    accepted: list[web.WebSocketResponse] = []
    forever = asyncio.Event()

    async def handle(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("ocpp2.0.1",), autoping=False)
        await ws.prepare(request)
        accepted.append(ws)
        await forever.wait()
        return ws

    runner, port = await serve_loopback("/ocpp/{station}", handle, shutdown_timeout=0.1)
    try:
        yield f"ws://127.0.0.1:{port}/ocpp", accepted
    finally:
        forever.set()
        await runner.cleanup()


async def test_a_csms_that_stops_answering_pings_closes_the_station_with_1013() -> None:
    async with (
        silent_csms() as (url, accepted),
        run_bridge(csms_url=url, ws_ping_interval=PING) as bridge,
        aiohttp.ClientSession() as http,
        http.ws_connect(bridge.url("CP-1"), protocols=("ocpp1.6",)) as station,
    ):
        assert len(accepted) == 1
        async with asyncio.timeout(WAIT):
            message = await station.receive()  # answers the bridge's pings while it waits
        assert message.type == aiohttp.WSMsgType.CLOSE
        assert station.close_code == 1013  # try again later: the station queues and reconnects
        await eventually(lambda: bridge.server.sessions == {})


async def test_the_bridge_answers_pings_from_both_sides_and_pings_each_on_time(csms: CsmsServer) -> None:
    """The pair's connections have aiohttp's autoping off (bridge/liveness.py pings for them): the
    bridge itself must answer a station's ping and the CSMS's, and ping each side every interval."""
    async with (
        run_bridge(csms_url=csms.url, ws_ping_interval=PING) as bridge,
        aiohttp.ClientSession() as http,
        http.ws_connect(bridge.url("CP-P"), protocols=("ocpp1.6",), autoping=False) as station,
    ):
        upstream = (await csms.wait_for("CP-P"))._connection.ws
        await station.ping(b"from-station")
        pings, pong = 0, False
        async with asyncio.timeout(WAIT):
            while True:  # the bridge's pong to our ping, and its own pings (answered: we stay)
                message = await station.receive()
                if message.type == aiohttp.WSMsgType.PONG:
                    assert message.data == b"from-station"
                    pong = True
                elif message.type == aiohttp.WSMsgType.PING:
                    pings += 1
                    await station.pong(message.data)
                else:
                    raise AssertionError(f"unexpected {message.type}")
                if pings >= 2 and pong:
                    break
        await upstream.ping(b"from-csms")  # answered by the same pump code on the CSMS side
        await asyncio.sleep(PING)  # a ping each way more: nobody is dropped
        assert "CP-P" in bridge.server.sessions and not station.closed and not upstream.closed
