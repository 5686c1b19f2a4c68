"""The baseline: a plain aiohttp WebSocket relay, the floor an aiohttp design of the bridge can reach.

    python -m bridge.bench.relay --upstream ws://127.0.0.1:9000/ocpp [--port 0] [--loop ...] [--cpus 0]

Built like the bridge, minus the translation: for each station it opens one upstream WebSocket to
<upstream>/<stationId> before accepting the station's handshake, then forwards every frame untouched
both ways (the station's reads in the handler task, the upstream's in a second task) and mirrors a
close. Same frame size limit, same connector settings. Prints `READY <port>` once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

import aiohttp
from aiohttp import WSMsgType, web

from bridge.bench.process import prepare

MAX_FRAME = 65536


class Relay:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.client: aiohttp.ClientSession | None = None

    async def start(self, app: web.Application) -> None:
        self.client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def stop(self, app: web.Application) -> None:
        if self.client is not None:
            await self.client.close()

    async def readyz(self, request: web.Request) -> web.Response:
        return web.Response(text="ready\n")

    async def station(self, request: web.Request) -> web.StreamResponse:
        assert self.client is not None
        station_id = request.match_info["path"].rsplit("/", 1)[-1]
        try:
            upstream = await self.client.ws_connect(
                f"{self.upstream}/{station_id}", protocols=("ocpp2.0.1",), max_msg_size=MAX_FRAME
            )
        except (aiohttp.ClientError, OSError) as exc:
            return web.Response(status=502, text=f"cannot reach upstream: {exc}\n")
        ws = web.WebSocketResponse(protocols=("ocpp1.6",), max_msg_size=MAX_FRAME)
        await ws.prepare(request)
        back = asyncio.create_task(self._pump(upstream, ws))
        try:
            await self._pump(ws, upstream)
            await upstream.close()
            await back
        finally:
            back.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await back
        return ws

    @staticmethod
    async def _pump(source: web.WebSocketResponse | aiohttp.ClientWebSocketResponse, sink: object) -> None:
        async for message in source:
            if message.type == WSMsgType.TEXT and not sink.closed:  # type: ignore[attr-defined]
                await sink.send_str(message.data)  # type: ignore[attr-defined]
        if not sink.closed:  # type: ignore[attr-defined]
            await sink.close()  # type: ignore[attr-defined]


async def serve(port: int, upstream: str) -> None:
    relay = Relay(upstream)
    app = web.Application()
    app.router.add_get("/readyz", relay.readyz)
    app.router.add_get("/{path:.*}", relay.station)
    app.on_startup.append(relay.start)
    app.on_cleanup.append(relay.stop)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)  # the bridge's listen settings
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"READY {bound}", flush=True)
    await asyncio.Event().wait()  # until SIGTERM ends the process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bridge.bench.relay")
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--loop", default="asyncio", choices=("asyncio", "uvloop"))
    parser.add_argument("--cpus", default=None)
    args = parser.parse_args(argv)
    prepare(args.loop, args.cpus)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.upstream))
    return 0


if __name__ == "__main__":
    sys.exit(main())
