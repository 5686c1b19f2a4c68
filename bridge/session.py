"""One station <-> one CSMS connection pair: the two pumps around the translation engine.

Connection state is mirrored: when either side closes, the other is closed too, so a station never
sits connected to nothing (it queues its transactions offline instead) and the CSMS never sees a
station that cannot hear it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import ClientWebSocketResponse, WSMsgType, web

from bridge.engine import Engine, Send, Side
from bridge.logs import station_id as station_id_var

log = logging.getLogger(__name__)

GOING_AWAY = 1001
TRY_AGAIN_LATER = 1013
MESSAGE_TOO_BIG = 1009
INTERNAL_ERROR = 1011
REPLACED = 4000  # application close code: a newer connection of the same station id took over

AnyWebSocket = web.WebSocketResponse | ClientWebSocketResponse


class StationSession:
    def __init__(
        self,
        station_id: str,
        station: web.WebSocketResponse,
        csms: ClientWebSocketResponse,
        engine: Engine,
        tick: float = 1.0,
    ) -> None:
        self.station_id = station_id
        self.station = station
        self.csms = csms
        self.engine = engine
        self.tick = tick
        self.closing: tuple[int, str] | None = None

    async def run(self) -> None:
        """Pump frames both ways until one side goes; then close the other."""
        station_id_var.set(self.station_id)
        csms_pump = asyncio.create_task(self._pump(self.csms, Side.CSMS))
        ticker = asyncio.create_task(self._expire_loop())
        try:
            await self._pump(self.station, Side.STATION)  # the handler's own task reads the station
            if not csms_pump.done():
                code, reason = self.closing or (GOING_AWAY, "station disconnected")
                log.info(
                    "station disconnected (code %s); closing the CSMS connection", self.station.close_code
                )
                await self.csms.close(code=code, message=reason.encode())
            await csms_pump
        finally:
            ticker.cancel()
            csms_pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            lost = self.engine.pending()
            if lost:
                log.warning("connection pair closed with %d call(s) unanswered; senders will retry", lost)

    async def close(self, code: int, reason: str) -> None:
        """Close both sides (drain, a newer connection of the same station, ...)."""
        self.closing = (code, reason)
        await asyncio.gather(
            self.station.close(code=code, message=reason.encode()),
            self.csms.close(code=code, message=reason.encode()),
            return_exceptions=True,
        )

    async def _pump(self, ws: AnyWebSocket, side: Side) -> None:
        try:
            async for message in ws:
                if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    await self._deliver(self.engine.receive(side, message.data))
                    # Let the other stations' tasks run between frames: a station flooding the
                    # bridge with a burst of thousands of frames must not starve them.
                    await asyncio.sleep(0)
                elif message.type == WSMsgType.ERROR:
                    log.warning("%s connection error: %s", side.value, ws.exception())
        except Exception:
            # A bug, not a peer's doing: end this pair cleanly instead of leaving one side open.
            log.exception("station session failed; closing both connections (code %s)", INTERNAL_ERROR)
            await self.close(INTERNAL_ERROR, "bridge internal error")
            return
        if side is Side.CSMS and not self.station.closed:
            code, reason = self.closing or (
                TRY_AGAIN_LATER,
                f"CSMS connection closed (code {ws.close_code})",
            )
            log.warning("the CSMS closed the connection (code %s); closing the station", ws.close_code)
            await self.station.close(code=code, message=reason.encode())
        if side is Side.STATION and ws.close_code == MESSAGE_TOO_BIG:
            log.warning("station sent a frame larger than the limit; connection closed (1009)")

    async def _deliver(self, sends: list[Send]) -> None:
        for send in sends:
            ws = self.station if send.side is Side.STATION else self.csms
            if ws.closed:
                log.warning("dropped a frame for the %s: connection already closed", send.side.value)
                continue
            try:
                await ws.send_str(send.text)
            except ConnectionError:  # closing under us: the pair is going down, the sender retries
                log.warning("dropped a frame for the %s: connection closing", send.side.value)

    async def _expire_loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick)
            sends = self.engine.expire()
            if sends:
                await self._deliver(sends)
