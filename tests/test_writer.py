"""The writer's fast path (bridge/writer.py): frames go to the transport synchronously, in order,
when nothing waits; a compressed connection falls back to the writer's task.

The fast path uses aiohttp internals. If an aiohttp upgrade removes them, the bridge still works
(through the task) but spends about a tenth more CPU per call: this test makes that visible."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import WSMsgType, web

from bridge.writer import PeerWriter, direct_writer
from tests.conftest import serve_loopback


async def _pair(compress: bool) -> tuple[web.AppRunner, aiohttp.ClientSession, list[object]]:
    server_side: list[object] = []
    ready = asyncio.Event()

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=compress)
        await ws.prepare(request)
        server_side.append(ws)
        ready.set()
        async for _ in ws:
            pass
        return ws

    runner, port = await serve_loopback("/", handler)
    session = aiohttp.ClientSession()
    client = await session.ws_connect(f"http://127.0.0.1:{port}/", compress=15 if compress else 0)
    await ready.wait()
    return runner, session, [client, server_side[0]]


async def _send_and_read(compress: bool) -> tuple[bool, list[str]]:
    runner, session, (client, server) = await _pair(compress)
    try:
        writer = PeerWriter(
            server,
            "station",
            max_buffer=1 << 20,
            timeout=30,
            on_stuck=lambda reason: None,
            log=logging.getLogger("test"),
        )
        writer.start()
        fast = writer._direct is not None
        frames = [f'[2,"{n}","Heartbeat",{{}}]' for n in range(200)]
        for frame in frames:
            writer.put(frame)
        received = []
        async with asyncio.timeout(10):
            while len(received) < len(frames):
                message = await client.receive()
                assert message.type is WSMsgType.TEXT
                received.append(message.data)
        writer.stop()
        return fast, received
    finally:
        await client.close()
        await session.close()
        await runner.cleanup()


async def test_frames_go_straight_to_the_transport_in_order_when_uncompressed() -> None:
    runner, session, (client, server) = await _pair(False)
    try:
        assert direct_writer(client) is not None, "aiohttp's client frame writer lost the fast path"
        assert direct_writer(server) is not None, "aiohttp's server frame writer lost the fast path"
    finally:
        await client.close()
        await session.close()
        await runner.cleanup()
    fast, received = await _send_and_read(False)
    assert fast
    assert received == [f'[2,"{n}","Heartbeat",{{}}]' for n in range(200)]


async def test_a_compressed_connection_sends_through_the_task_in_order() -> None:
    fast, received = await _send_and_read(True)
    assert not fast
    assert received == [f'[2,"{n}","Heartbeat",{{}}]' for n in range(200)]


def test_aiohttp_still_has_the_internal_that_ends_a_connection_missing_its_pong() -> None:
    """bridge/liveness.py ends a peer that missed its pong as aiohttp's own heartbeat does, through
    this method; an aiohttp upgrade that drops it must fail here, not silently keep dead peers."""
    for cls in (web.WebSocketResponse, aiohttp.ClientWebSocketResponse):
        assert callable(getattr(cls, "_handle_ping_pong_exception", None)), cls
