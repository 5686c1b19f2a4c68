"""Shadow copies: a station's calls also go to a second CSMS, whose answers are compared, never sent.

In mode `shadow` the 1.6 CSMS decides (the station's frames pass through to it) and the 2.0.1 CSMS
gets each station call translated; in `primary+legacy-shadow` the 2.0.1 CSMS decides and the 1.6
CSMS gets each call unchanged (bridge/modes.py). The shadow side has an engine of its own (the same
translators, or the same validating pass-through) and a connection of its own, driven by tasks of
its own: the station's pump only hands frames over (`from_station`, `to_station`), never waits.

- Copies queue (at most QUEUE calls) and go to the shadow one at a time; a full queue drops the copy
  and counts it. Each waits at most --shadow-timeout for its answer; a later answer only counts.
- A shadow CSMS that is down, refuses or closes is retried every RECONNECT seconds; meanwhile the
  copies are counted as shadow errors. The station never notices.
- Calls from the shadow CSMS are not forwarded to the station: the bridge answers them itself with
  a CALLERROR NotSupported ("the station is in shadow mode ..."), counted.
- Both answers are compared as the 1.6 station would get them (bridge/compare.py, mappings/shadow.toml).
- Transaction ids: in `shadow` the copy of a StartTransaction waits for the deciding (1.6) answer and
  the shadow engine takes its transactionId as the 1.6 id of its record, so the station's later
  MeterValues and StopTransaction copies name the right transaction, and the record (with its 2.0.1
  id) is kept in the transaction store as in `primary`: a station moved on to `primary` carries on
  with the same transaction. In `primary+legacy-shadow` the 1.6 CSMS numbers its own; the copies'
  transactionId is rewritten to it (kept in memory for the connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientWebSocketResponse, WSMsgType

from bridge import rpc
from bridge.compare import OUTCOME, Difference, compare
from bridge.engine import Engine, NullObserver, Send, Side
from bridge.shadow_report import ShadowReport
from bridge.store import TransactionStore

log = logging.getLogger(__name__)

QUEUE = 64  # copies waiting for the shadow, per station
RECONNECT = 5.0  # seconds between attempts to reach a shadow CSMS that is down
TRANSACTION_ID_CALLS = ("StopTransaction", "MeterValues")


@dataclass
class Copied:
    """A station call copied to the shadow, and the two answers to it."""

    action: str
    text: str | bytes
    decided: rpc.Frame | None = None
    shadow: rpc.Frame | None = None
    decided_in: asyncio.Event = field(default_factory=asyncio.Event)
    shadow_in: asyncio.Event = field(default_factory=asyncio.Event)


Connect = Callable[[], Awaitable[ClientWebSocketResponse]]


class ShadowCopy:
    """The shadow side of one station's session."""

    def __init__(
        self,
        station_id: str,
        mode: str,
        engine: Engine,
        connect: Connect,
        report: ShadowReport,
        *,
        timeout: float,
        store: TransactionStore,
        store_timeout: float,
    ) -> None:
        self.station_id = station_id
        self.mode = mode
        self.engine = engine
        engine.observer = NullObserver()  # its frames are not the station's: see bridge_shadow_*
        engine.call_timeout = timeout + 1.0  # ours fires first; the engine's only frees its queue
        for leg in (engine.station, engine.csms):
            leg.awaiting.ttl = engine.call_timeout
        self.translating = engine.station.version != engine.csms.version
        self.connect = connect
        self.report = report
        self.timeout = timeout
        self.store = store
        self.store_timeout = store_timeout
        self.ws: ClientWebSocketResponse | None = None
        self.dropped = False  # a copy was dropped already (logged once at WARNING)
        self.down = False  # the last attempt to reach the shadow CSMS failed (until one succeeds)
        self.connected = asyncio.Event()
        self.calls: dict[str, Copied] = {}
        self.queue: asyncio.Queue[str] = asyncio.Queue(QUEUE)
        self.tasks: list[asyncio.Task[None]] = []
        self.sending = asyncio.Lock()
        self.log = logging.LoggerAdapter(log, {"station_id": station_id})
        # transaction ids, see the module's docstring
        self.decided_ids: deque[int] = deque()
        self.new_id16 = engine.ctx.new_id16
        engine.ctx.new_id16 = self._id16
        self.rewrite: dict[int, int] = {}

    # -- the station's session calls these; they never wait -----------------------------------------

    def start(self) -> None:
        self.tasks = [asyncio.create_task(self._connection()), asyncio.create_task(self._worker())]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(BaseException):
                await task
        if self.ws is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1.0):
                    await self.ws.close()

    def from_station(self, text: str | bytes) -> None:
        """A frame from the station: a call is copied (queued for the shadow)."""
        try:
            frame = rpc.parse(text)
        except rpc.FrameError:
            return  # the deciding side answers it
        if not isinstance(frame, rpc.Call) or frame.id in self.calls:
            return  # the station's answers belong to the deciding CSMS
        if self.down:
            self.report.count(self.station_id, frame.action, "shadow_errors")
            return
        if self.queue.full():
            self.report.count(self.station_id, frame.action, "dropped")
            self.log.log(
                logging.DEBUG if self.dropped else logging.WARNING,
                "shadow: the shadow CSMS is behind, %d copies wait; %s not copied%s",
                QUEUE,
                frame.action,
                "" if self.dropped else " (further drops of this connection: counted, logged at DEBUG)",
            )
            self.dropped = True
            return
        self.calls[frame.id] = Copied(frame.action, text)
        self.queue.put_nowait(frame.id)

    def to_station(self, text: str) -> None:
        """A frame the station gets: the deciding answer to a copied call is kept for comparison."""
        if not self.calls:
            return
        frame = rpc.parse(text)  # the bridge's own output: well-formed
        if isinstance(frame, rpc.Call):
            return
        copied = self.calls.get(frame.id)
        if copied is None or copied.decided is not None:
            return
        copied.decided = frame
        copied.decided_in.set()
        self._settle(frame.id, copied)

    # -- the shadow side's own tasks ---------------------------------------------------------------

    async def _connection(self) -> None:
        """Keep the shadow connection open (retried every RECONNECT s) and read it."""
        while True:
            try:
                self.ws = await self.connect()
            except Exception as exc:
                self.down = True
                self.log.warning(
                    "shadow: cannot reach the shadow CSMS (%s); retrying in %g s", exc, RECONNECT
                )
                await asyncio.sleep(RECONNECT)
                continue
            self.log.info("shadow: connected to the shadow CSMS (%s)", self.ws.protocol)
            self.down = False
            self.connected.set()
            try:
                await self._read(self.ws)
            except Exception:  # a bug or a broken connection: the shadow only, never the station
                self.log.exception("shadow: reading the shadow CSMS failed; reconnecting")
            finally:
                self.ws = None
                self.down = True
                self.connected.clear()
            self.log.warning("shadow: the shadow CSMS closed the connection; retrying in %g s", RECONNECT)
            await asyncio.sleep(RECONNECT)

    async def _read(self, ws: ClientWebSocketResponse) -> None:
        async for message in ws:
            if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                continue
            with contextlib.suppress(rpc.FrameError):
                frame = rpc.parse(message.data)
                if isinstance(frame, rpc.Call):
                    await self._refuse_call(frame)
                    continue
            await self._dispatch(self.engine.receive(Side.CSMS, message.data))

    async def _refuse_call(self, call: rpc.Call) -> None:
        self.report.refused_call(self.station_id, call.action)
        self.log.info("shadow: answered the shadow CSMS's %s itself (NotSupported)", call.action)
        description = (
            f"station {self.station_id} is in {self.mode} mode: calls from this CSMS are not forwarded"
        )
        await self._send(rpc.dumps(rpc.CallError(call.id, "NotSupported", description[:255], {})))

    async def _worker(self) -> None:
        """Send the copies one at a time; each waits at most `timeout` for its answer."""
        while True:
            call_id = await self.queue.get()
            copied = self.calls.get(call_id)
            if copied is None:
                continue
            try:
                await self._copy(call_id, copied)
            except Exception:  # a bug costs this copy, counted, never the station or the next copies
                self.log.exception("shadow: copying %s failed", copied.action)
                if self.calls.get(call_id) is copied:
                    self._drop(call_id, copied, "shadow_errors")

    async def _copy(self, call_id: str, copied: Copied) -> None:
        """One copy: to the shadow engine and CSMS, then wait for its answer (or the timeout)."""
        if self.ws is None:  # the first connection may still be opening
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.timeout):
                    await self.connected.wait()
        if self.ws is None:
            self._drop(call_id, copied, "shadow_errors")
            return
        if self.engine.ctx.running is None:  # the store did not answer when the station connected
            await self._load_transactions()
        text = await self._prepared(copied)
        sends = self.engine.receive(Side.STATION, text)
        batch = self.engine.take_batch()
        if batch is not None:
            sends = [*sends, *await self._save(batch)]
        await self._dispatch(sends)
        try:
            async with asyncio.timeout(self.timeout):
                await copied.shadow_in.wait()
        except TimeoutError:
            if self.calls.get(call_id) is copied and copied.shadow is None:
                self.log.warning("shadow: no answer to %s within %g s", copied.action, self.timeout)
                self._drop(call_id, copied, "timeouts")
        self._expire()

    async def _prepared(self, copied: Copied) -> str | bytes:
        """The copy as the shadow engine must get it (transaction ids, see the module's docstring)."""
        if copied.action == "StartTransaction" and self.translating:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.timeout):
                    await copied.decided_in.wait()
            if isinstance(copied.decided, rpc.CallResult):
                decided_id = copied.decided.payload.get("transactionId")
                if isinstance(decided_id, int):
                    self.decided_ids.append(decided_id)
            return copied.text
        if copied.action in TRANSACTION_ID_CALLS and not self.translating and self.rewrite:
            frame = rpc.parse(copied.text)
            assert isinstance(frame, rpc.Call)
            shadow_id = self.rewrite.get(frame.payload.get("transactionId"))  # type: ignore[arg-type]
            if shadow_id is not None:
                return rpc.dumps(
                    rpc.Call(frame.id, frame.action, {**frame.payload, "transactionId": shadow_id})
                )
        return copied.text

    def _id16(self) -> int:
        """The 1.6 id of a transaction the shadow engine starts: the deciding CSMS's, when known."""
        return self.decided_ids.popleft() if self.decided_ids else self.new_id16()

    async def _load_transactions(self) -> None:
        """Read the station's transactions for the shadow engine (until then its transaction copies
        get InternalError from it, counted as shadow errors)."""
        try:
            async with asyncio.timeout(self.store_timeout):
                records = await self.store.load(self.station_id)
        except Exception as exc:
            self.log.debug("shadow: still cannot read the station's transactions: %s", exc)
            return
        self.engine.ctx.load_transactions(records)

    async def _save(self, batch: Any) -> list[Send]:
        try:
            async with asyncio.timeout(self.store_timeout):
                await self.store.save(batch.records)
        except Exception as exc:
            self.log.warning("shadow: could not save %s's transaction record: %s", batch.action, exc)
            return self.engine.stored(batch, False, str(exc))
        return self.engine.stored(batch, True)

    async def _dispatch(self, sends: list[Send]) -> None:
        for send in sends:
            if send.side is Side.CSMS:
                await self._send(send.text)
            else:
                self._shadow_answer(send.text)

    async def _send(self, text: str) -> None:
        ws = self.ws
        if ws is None:
            return
        async with self.sending:
            with contextlib.suppress(Exception):  # a broken shadow connection: the reader notices
                await ws.send_str(text)

    def _shadow_answer(self, text: str) -> None:
        """What the shadow side would have sent the station: the shadow's answer to a copied call."""
        frame = rpc.parse(text)
        if isinstance(frame, rpc.Call):
            return  # a call the bridge makes itself after a translation: not the station's business here
        copied = self.calls.get(frame.id)
        if copied is None or copied.shadow is not None:
            return
        copied.shadow = frame
        copied.shadow_in.set()
        self._settle(frame.id, copied)

    def _expire(self) -> None:
        sends = self.engine.expire()  # calls the engine still waits for: only frees its queue
        for send in sends:
            if send.side is Side.STATION:
                self._shadow_answer(send.text)

    def _drop(self, call_id: str, copied: Copied, outcome: str) -> None:
        self.calls.pop(call_id, None)
        copied.shadow_in.set()
        self.report.count(self.station_id, copied.action, outcome)

    def _settle(self, call_id: str, copied: Copied) -> None:
        """Both answers are in: compare them, count, and forget the call."""
        decided, shadow = copied.decided, copied.shadow
        if decided is None or shadow is None:
            return
        del self.calls[call_id]
        action = copied.action
        if isinstance(shadow, rpc.CallError):
            if isinstance(decided, rpc.CallError):
                self.report.count(self.station_id, action, "agreed")
                return
            self.log.info(
                "shadow: %s answered with CALLERROR %s: %s", action, shadow.code, shadow.description
            )
            self.report.count(self.station_id, action, "shadow_errors")
            return
        assert isinstance(shadow, rpc.CallResult)
        if isinstance(decided, rpc.CallError):
            found = [Difference(OUTCOME, f"CALLERROR {decided.code}", "answered")]
            self._differed(action, found, [decided.code, decided.description], shadow.payload)
            return
        assert isinstance(decided, rpc.CallResult)
        if action == "StartTransaction" and not self.translating:
            ids = decided.payload.get("transactionId"), shadow.payload.get("transactionId")
            if isinstance(ids[0], int) and isinstance(ids[1], int):
                self.rewrite[ids[0]] = ids[1]
        found = compare(action, decided.payload, shadow.payload)
        if found:
            self._differed(action, found, decided.payload, shadow.payload)
        else:
            self.report.count(self.station_id, action, "agreed")

    def _differed(self, action: str, found: list[Difference], decided: Any, shadow: Any) -> None:
        self.report.differed(self.station_id, self.mode, action, found, decided, shadow)
        self.log.warning(
            "shadow: the shadow CSMS answered %s otherwise (%s); decided: %s; shadow: %s",
            action,
            ", ".join(f"{d.field}: {d.decided!r} vs {d.shadow!r}" for d in found),
            json.dumps(decided)[:1000],
            json.dumps(shadow)[:1000],
        )
