"""A minimal, fast OCPP 2.0.1 CSMS for the benchmark: no validation, fixed answers.

    python -m bridge.bench.csms [--port 0] [--loop asyncio|uvloop] [--cpus 1]

Accepts any station at any path, offers subprotocols ocpp2.0.1 and ocpp1.6 (so the plain relay can
use it too), and answers every CALL with a CALLRESULT whose payload is fixed per action: valid for
the calls the benchmark mix makes, in both versions. Prints `READY <port>` once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from aiohttp import WSMsgType, web

from bridge.bench.process import prepare

NOW = "2025-01-01T12:00:00.000Z"
ANSWERS = {
    "BootNotification": json.dumps({"currentTime": NOW, "interval": 300, "status": "Accepted"}),
    "Heartbeat": json.dumps({"currentTime": NOW}),
}


def answer(text: str) -> str | None:
    """The CALLRESULT for a CALL frame (None for anything else), reading only the frame's head."""
    head = text[:200].split('"', 5)  # '[2,', id, ',', action, ',{...'
    if len(head) == 6 and head[0].replace(" ", "") == "[2," and head[2].strip() == ",":
        message_id, action = head[1], head[3]
    else:
        try:
            frame = json.loads(text)
        except ValueError:
            return None
        if not (isinstance(frame, list) and len(frame) == 4 and frame[0] == 2):
            return None
        message_id, action = json.dumps(frame[1])[1:-1], frame[2]
    return f'[3,"{message_id}",{ANSWERS.get(action, "{}")}]'


async def station(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(protocols=("ocpp2.0.1", "ocpp1.6"), max_msg_size=0)
    await ws.prepare(request)
    async for message in ws:
        if message.type == WSMsgType.TEXT:
            reply = answer(message.data)
            if reply is not None:
                await ws.send_str(reply)
    return ws


async def readyz(request: web.Request) -> web.Response:
    return web.Response(text="ready\n")


async def serve(port: int) -> None:
    app = web.Application()
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/{path:.*}", station)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=4096)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"READY {bound}", flush=True)
    try:
        await asyncio.Event().wait()  # until SIGTERM ends the process
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bridge.bench.csms")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--loop", default="asyncio", choices=("asyncio", "uvloop"))
    parser.add_argument("--cpus", default=None)
    args = parser.parse_args(argv)
    prepare(args.loop, args.cpus)
    try:
        asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
