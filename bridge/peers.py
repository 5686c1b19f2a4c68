"""Minimal OCPP-J peers on aiohttp: a 2.0.1 CSMS server and a 1.6J station client.

Small, dependency-free and validating (payloads go through the same generated models), for the
demo and the benchmark. The test suite uses the `ocpp` package's peers instead, so the bridge is
never checked only against code of our own.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from bridge import rpc

Handler = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
Tap = Callable[[str, str, str], None]  # (peer name, "sent" | "received", frame text)


class Peer:
    """One OCPP-J endpoint on an open WebSocket: answers calls with `handler`, makes calls with `call`."""

    def __init__(self, name: str, ws: Any, handler: Handler, tap: Tap | None = None) -> None:
        self.name = name
        self.ws = ws
        self.handler = handler
        self.tap = tap
        self.ids = itertools.count(1)
        self.waiting: dict[str, asyncio.Future[rpc.Frame]] = {}

    async def _send(self, text: str) -> None:
        if self.tap:
            self.tap(self.name, "sent", text)
        await self.ws.send_str(text)

    async def call(self, action: str, payload: dict[str, Any], wait: float = 10) -> rpc.Frame:
        message_id = f"{self.name}-{next(self.ids)}"
        future: asyncio.Future[rpc.Frame] = asyncio.get_running_loop().create_future()
        self.waiting[message_id] = future
        await self._send(rpc.dumps(rpc.Call(message_id, action, payload)))
        try:
            async with asyncio.timeout(wait):
                return await future
        finally:
            self.waiting.pop(message_id, None)

    async def send_raw(self, text: str) -> None:
        await self._send(text)

    async def run(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            if self.tap:
                self.tap(self.name, "received", message.data)
            try:
                frame = rpc.parse(message.data)
            except rpc.FrameError:
                continue
            if isinstance(frame, rpc.Call):
                payload = await self.handler(frame.action, frame.payload)
                await self._send(rpc.dumps(rpc.CallResult(frame.id, payload)))
            elif frame.id in self.waiting and not self.waiting[frame.id].done():
                self.waiting[frame.id].set_result(frame)


class CsmsServer:
    """A tiny CSMS: accepts any station at /<anything>/<id> with subprotocol `protocol` (ocpp2.0.1,
    or ocpp1.6 for the legacy CSMS of the shadow demo)."""

    def __init__(
        self, handler: Handler, tap: Tap | None = None, protocol: str = "ocpp2.0.1", name: str = "csms"
    ) -> None:
        self.handler = handler
        self.protocol = protocol
        self.name = name
        self.tap = tap
        self.peers: dict[str, Peer] = {}
        self.connected = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_get("/{path:.*}", self._station)
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def _station(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=(self.protocol,))
        await ws.prepare(request)
        station_id = request.match_info["path"].rsplit("/", 1)[-1]
        peer = Peer(self.name, ws, self.handler, self.tap)
        self.peers[station_id] = peer
        self.connected.set()
        try:
            await peer.run()
        finally:
            self.peers.pop(station_id, None)
        return ws

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"ws://{host}:{self.port}/ocpp"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@contextlib.asynccontextmanager
async def station_client(url: str, handler: Handler, name: str = "station", tap: Tap | None = None):  # type: ignore[no-untyped-def]
    """Connect a 1.6J station to `url` and yield its Peer while the reader runs."""
    async with aiohttp.ClientSession() as session, session.ws_connect(url, protocols=("ocpp1.6",)) as ws:
        peer = Peer(name, ws, handler, tap)
        reader = asyncio.create_task(peer.run())
        try:
            yield peer
        finally:
            await ws.close()
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
