"""One station <-> one CSMS connection pair: the two pumps around the translation engine.

Connection state is mirrored: when either side closes, the other is closed too, so a station never
sits connected to nothing (it queues its transactions offline instead) and the CSMS never sees a
station that cannot hear it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import ClientWebSocketResponse, WSMsgType, web

from bridge.engine import Engine, Send, Side, StoreBatch
from bridge.logs import station_id as station_id_var
from bridge.store import MemoryStore, TransactionStore

log = logging.getLogger(__name__)

GOING_AWAY = 1001
TRY_AGAIN_LATER = 1013
MESSAGE_TOO_BIG = 1009
INTERNAL_ERROR = 1011
YIELD_EVERY = 16  # frames one pump handles before it lets other tasks run
REPLACED = 4000  # application close code: a newer connection of the same station id took over

CLOSED = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)
AnyWebSocket = web.WebSocketResponse | ClientWebSocketResponse


class StationSession:
    def __init__(
        self,
        station_id: str,
        station: web.WebSocketResponse,
        csms: ClientWebSocketResponse,
        engine: Engine,
        *,
        store: TransactionStore | None = None,
        store_timeout: float = 2.0,
        on_store_error: Callable[[str], None] = lambda operation: None,
    ) -> None:
        self.station_id = station_id
        self.station = station
        self.csms = csms
        self.engine = engine
        self.store: TransactionStore = store if store is not None else MemoryStore()
        self.store_timeout = store_timeout
        self.on_store_error = on_store_error
        self.closing: tuple[int, str] | None = None
        self.loader: asyncio.Task[None] | None = None

    async def run(self) -> None:
        """Pump frames both ways until one side goes; then close the other."""
        station_id_var.set(self.station_id)
        csms_pump = asyncio.create_task(self._pump(self.csms, Side.CSMS))
        if self.engine.ctx.running is None:  # the store could not be read when the station connected
            self.loader = asyncio.create_task(self._load_transactions())
        try:
            await self._pump(self.station, Side.STATION)  # the handler's own task reads the station
            if not csms_pump.done():
                code, reason = self.closing = self.closing or (GOING_AWAY, "station disconnected")
                log.info(
                    "station disconnected (code %s); closing the CSMS connection", self.station.close_code
                )
                await self.csms.close(code=code, message=reason.encode())
            await csms_pump
        finally:
            csms_pump.cancel()
            if self.loader is not None:
                self.loader.cancel()
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
        frames = 0
        try:
            # Not `async for`: once the session is closing, it must not read again. aiohttp's
            # receive() on a socket that another task is closing closes it itself with 1000,
            # replacing the code the session chose (1001 going away, 1013 try again later).
            while self.closing is None:
                message = await ws.receive()
                if message.type in CLOSED:
                    break
                if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    await self._deliver(self.engine.receive(side, message.data))
                    batch = self.engine.take_batch()
                    if batch is not None:
                        await self._deliver(await self._save(batch))
                    frames += 1
                    if frames % YIELD_EVERY == 0:
                        # Reading buffered frames does not suspend: a station flooding the bridge
                        # with thousands of frames must let the other stations' tasks run.
                        await asyncio.sleep(0)
                elif message.type == WSMsgType.ERROR:
                    log.warning("%s connection error: %s", side.value, ws.exception())
        except Exception:
            # A bug, not a peer's doing: end this pair cleanly instead of leaving one side open.
            log.exception("station session failed; closing both connections (code %s)", INTERNAL_ERROR)
            await self.close(INTERNAL_ERROR, "bridge internal error")
            return
        if side is Side.CSMS and not self.station.closed:
            if self.closing is None:  # the CSMS went, not the bridge's own doing
                self.closing = (TRY_AGAIN_LATER, f"CSMS connection closed (code {ws.close_code})")
                log.warning("the CSMS closed the connection (code %s); closing the station", ws.close_code)
            code, reason = self.closing
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

    async def _save(self, batch: StoreBatch) -> list[Send]:
        """Save the transaction records a translation changed, within --store-timeout; then the
        frames it produced go out, or on failure its caller gets InternalError and retries."""
        try:
            async with asyncio.timeout(self.store_timeout):
                await self.store.save(batch.records)
        except Exception as exc:  # StoreUnavailable, a timeout, whatever the driver raised
            problem = (
                f"no answer within {self.store_timeout:g} s" if isinstance(exc, TimeoutError) else str(exc)
            )
            self.on_store_error("save")
            log.warning(
                "could not save %s's transaction in the store %s: %s; the station gets InternalError",
                batch.action,
                self.store.describe,
                problem,
            )
            return self.engine.stored(batch, False, problem)
        return self.engine.stored(batch, True)

    async def _load_transactions(self) -> None:
        """Read the station's transactions once the store answers again (retried every few seconds);
        until then its transaction messages get InternalError and the station retries them."""
        delay = min(5.0, self.store_timeout)
        while self.engine.ctx.running is None:
            await asyncio.sleep(delay)
            try:
                async with asyncio.timeout(self.store_timeout):
                    records = await self.store.load(self.station_id)
            except Exception as exc:
                self.on_store_error("load")
                log.debug("still cannot read the station's transactions from the store: %s", exc)
                continue
            self.engine.ctx.load_transactions(records)
            log.info(
                "read the station's transactions from the store (%d running)",
                len(self.engine.ctx.running or {}),
            )

    def expire(self) -> asyncio.Task[None] | None:
        """Answer the calls whose time ran out (the server's one ticker calls this for every
        session with calls pending); the answers go out in a task of their own."""
        sends = self.engine.expire()
        return asyncio.create_task(self._deliver_expired(sends)) if sends else None

    async def _deliver_expired(self, sends: list[Send]) -> None:
        station_id_var.set(self.station_id)
        await self._deliver(sends)
