"""One station <-> one CSMS connection pair: the two pumps around the translation engine.

Connection state is mirrored: when either side closes, the other is closed too, so a station never
sits connected to nothing (it queues its transactions offline instead) and the CSMS never sees a
station that cannot hear it.

Each side has a writer of its own (bridge/writer.py): the pumps and the expiry path hand the engine's
output to `_deliver`, which only queues, so frames towards one side never wait behind a write to the
other. A peer that stops reading (its unsent data past --max-send-buffer, or nothing taken for
--send-timeout seconds) is treated as gone: its connection is dropped and the other side is closed
as mirroring says (the station with 1013, so it queues offline).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable

from aiohttp import ClientWebSocketResponse, WSMsgType, web

from bridge.engine import Engine, Send, Side, StoreBatch
from bridge.liveness import Pinger
from bridge.logs import station_id as station_id_var
from bridge.metrics import Metrics
from bridge.shadow import ShadowCopy
from bridge.store import MemoryStore, TransactionStore
from bridge.writer import PeerWriter

log = logging.getLogger(__name__)

GOING_AWAY = 1001
TRY_AGAIN_LATER = 1013
MESSAGE_TOO_BIG = 1009
INTERNAL_ERROR = 1011
YIELD_EVERY = 16  # frames one pump handles before it lets other tasks run
REPLACED = 4000  # application close code: a newer connection of the same station id took over
MAX_SEND_BUFFER = 256 * 1024  # the defaults of --max-send-buffer and --send-timeout
SEND_TIMEOUT = 30.0
FLUSH_WITHIN = 2.0  # seconds the frames still queued for a side get before that side is closed

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
        max_send_buffer: int = MAX_SEND_BUFFER,
        send_timeout: float = SEND_TIMEOUT,
        metrics: Metrics | None = None,
        shadow: ShadowCopy | None = None,
        ping_interval: float = 0.0,
    ) -> None:
        self.station_id = station_id
        self.station = station
        self.csms = csms
        self.engine = engine
        self.store: TransactionStore = store if store is not None else MemoryStore()
        self.store_timeout = store_timeout
        self.on_store_error = on_store_error
        self.loader: asyncio.Task[None] | None = None
        self.metrics = metrics
        self.shadow = shadow  # a second CSMS that gets copies of the station's calls (bridge/shadow.py)
        self.closing: tuple[int, str] | None = None
        # pings both ways (bridge/liveness.py); the connections are opened with autoping off when on
        now = asyncio.get_running_loop().time()
        self.pingers = {
            side: Pinger(ws, "station" if side is Side.STATION else "CSMS", ping_interval, now)
            for side, ws in ((Side.STATION, station), (Side.CSMS, csms))
        }
        self.next_tick = min(p.due() for p in self.pingers.values())  # the ticker skips it until then
        # the expiry path runs in the server's ticker task, which has no station id of its own
        self.log = logging.LoggerAdapter(log, {"station_id": station_id})
        self.writers = {
            side: PeerWriter(
                ws,
                "station" if side is Side.STATION else "CSMS",
                max_buffer=max_send_buffer,
                timeout=send_timeout,
                on_stuck=functools.partial(self._peer_stuck, side),
                log=self.log,
            )
            for side, ws in ((Side.STATION, station), (Side.CSMS, csms))
        }

    async def run(self) -> None:
        """Pump frames both ways until one side goes; then close the other."""
        station_id_var.set(self.station_id)
        for writer in self.writers.values():
            writer.start()
        if self.shadow is not None:
            self.shadow.start()
        csms_pump = asyncio.create_task(self._pump(self.csms, Side.CSMS))
        if self.engine.ctx.running is None:  # the store could not be read when the station connected
            self.loader = asyncio.create_task(self._load_transactions())
        try:
            await self._pump(self.station, Side.STATION)  # the handler's own task reads the station
            if not csms_pump.done():
                if self.closing is None:
                    self.closing = (GOING_AWAY, "station disconnected")
                    log.info(
                        "station disconnected (code %s); closing the CSMS connection",
                        self.station.close_code,
                    )
                code, reason = self.closing
                await self.writers[Side.CSMS].flushed(FLUSH_WITHIN)
                await self.csms.close(code=code, message=reason.encode())
            await csms_pump
        finally:
            csms_pump.cancel()
            if self.loader is not None:
                self.loader.cancel()
            for writer in self.writers.values():
                writer.stop()
            if self.shadow is not None:
                await self.shadow.stop()
            lost = self.engine.pending()
            if lost:
                log.warning("connection pair closed with %d call(s) unanswered; senders will retry", lost)

    async def close(self, code: int, reason: str) -> None:
        """Close both sides (drain, a newer connection of the same station, ...), each once the
        frames queued for it are sent (at most FLUSH_WITHIN seconds)."""
        self.closing = (code, reason)
        await asyncio.gather(*(writer.flushed(FLUSH_WITHIN) for writer in self.writers.values()))
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
                    if self.shadow is not None and side is Side.STATION:
                        self.shadow.from_station(message.data)  # before the deciding answer can go out
                    self._deliver(self.engine.receive(side, message.data))
                    batch = self.engine.take_batch()
                    if batch is not None:  # its frames go out once its transaction records are saved
                        self._deliver(await self._save(batch))
                    frames += 1
                    if frames % YIELD_EVERY == 0:
                        # Reading buffered frames does not suspend: a station flooding the bridge
                        # with thousands of frames must let the other stations' tasks run.
                        await asyncio.sleep(0)
                elif message.type == WSMsgType.PING:
                    await ws.pong(message.data)
                elif message.type == WSMsgType.PONG:
                    self.pingers[side].pong()
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
            await self.writers[Side.STATION].flushed(FLUSH_WITHIN)  # the answers it sent before it went
            await self.station.close(code=code, message=reason.encode())
        if side is Side.STATION and ws.close_code == MESSAGE_TOO_BIG:
            log.warning("station sent a frame larger than the limit; connection closed (1009)")

    def tick(self, now: float) -> None:
        """The process ticker's visit: pings due, and a peer that missed its pong ended."""
        for pinger in self.pingers.values():
            pinger.tick(now)
        self.next_tick = min(p.due() for p in self.pingers.values())

    def _deliver(self, sends: list[Send]) -> None:
        """Queue the engine's output, each frame on the writer of its side. Never suspends: the
        writers send from tasks of their own, in order per side."""
        for send in sends:
            self.writers[send.side].put(send.text)
            if self.shadow is not None and send.side is Side.STATION:
                self.shadow.to_station(send.text)  # the deciding answer, for the comparison

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
            self.log.warning(
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
                self.log.debug("still cannot read the station's transactions from the store: %s", exc)
                continue
            self.engine.ctx.load_transactions(records)
            self.log.info(
                "read the station's transactions from the store (%d running)",
                len(self.engine.ctx.running or {}),
            )

    def expire(self) -> None:
        """Answer the calls whose time ran out (the server's one ticker calls this for every
        session with calls pending); the answers are queued like any other frame."""
        sends = self.engine.expire()
        if sends:
            self._deliver(sends)

    def _peer_stuck(self, side: Side, reason: str) -> None:
        """A peer stopped reading (reason "buffer" or "timeout", see bridge/writer.py): drop its
        connection, freeing what waits for it; the pumps then close the other side as mirroring says."""
        if self.metrics is not None:
            self.metrics.slow_peer_closes.labels(side.value, reason).inc()
        if self.closing is None:
            if side is Side.CSMS:
                self.closing = (TRY_AGAIN_LATER, "the CSMS is not reading")
            else:
                self.closing = (GOING_AWAY, "station not reading")
        self.log.warning(
            "closing the pair: the %s stopped reading (%s); closing the %s with %s",
            side.value,
            "send buffer full" if reason == "buffer" else "send timeout",
            "station" if side is Side.CSMS else "CSMS",
            self.closing[0],
        )
        self.writers[side].abort()
