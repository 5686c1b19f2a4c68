"""Frames towards one peer of a pair, sent in order by a task of their own, within bounds.

Each side of a station pair has its own writer, so frames towards one side never wait behind a write
to the other: the answers a station is owed reach it while its CSMS is not reading, and the other
way round. `put` only queues (it never suspends); the writer's task hands the frames to the socket.

Two bounds make a peer that stops reading cost only its own pair, and bounded memory:

- bytes: the data waiting for the peer (queued here plus what the transport still holds because the
  kernel would not take it) may not pass `max_buffer`. One frame on its own always fits, however
  large, so a lone big frame is never mistaken for a stuck peer.
- time: while data waits for the peer, the peer must take some of it at least every `timeout`
  seconds. Taken means acknowledged by the peer's TCP stack (the socket's SIOCOUTQ, on Linux), which
  goes on only while the peer reads: the kernel hands our socket more room only in large steps (a
  third of its send buffer, up to MBs), so what it accepts from us would show a steady slow reader
  as stuck for seconds. A slow link that makes progress is fine; a peer that takes nothing is not.

A peer past either bound is reported once through `on_stuck(reason)` ("buffer" or "timeout"); the
session then closes the pair. The check costs nothing per frame: one timer, armed only while data
waits, looks at the progress every `timeout` seconds.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import struct
import termios
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType

log = logging.getLogger(__name__)

BUFFER = "buffer"
TIMEOUT = "timeout"


def unacknowledged(transport: asyncio.BaseTransport | None) -> int:
    """Bytes in the kernel's send queue of the transport's socket that the peer has not acknowledged
    yet (0 where the system cannot tell: then progress is what the kernel accepts from us)."""
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None or not hasattr(termios, "TIOCOUTQ"):
        return 0
    try:
        raw = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
    except OSError:
        return 0
    return int(struct.unpack("i", raw)[0])


def transport_of(ws: Any) -> asyncio.Transport | None:
    """The transport under an aiohttp WebSocket (server or client side). aiohttp has no public
    accessor for it; both kinds keep it on their frame writer."""
    return getattr(getattr(ws, "_writer", None), "transport", None)


def direct_writer(ws: Any) -> Any | None:
    """aiohttp's frame writer of `ws` when a frame can be written to it synchronously: prepared, and
    without permessage-deflate (whose compressor is shared and locked). None otherwise.

    This leans on aiohttp internals (`_writer`, `_write_websocket_frame`, present since 3.11, and
    the protocol's `_paused`, set while the transport's buffer is over its high-water mark); where
    they are missing the writer simply always sends from its task. tests/test_writer.py fails if an
    aiohttp upgrade takes the fast path away, so a slowdown cannot come in silently."""
    writer = getattr(ws, "_writer", None)
    if writer is None or getattr(writer, "compress", 1) or not hasattr(writer, "_write_websocket_frame"):
        return None
    if not isinstance(getattr(getattr(writer, "protocol", None), "_paused", None), bool):
        return None
    return writer


class PeerWriter:
    """Sends frames to one WebSocket, in order, within the bounds above.

    The common case costs no task: while none of our frames wait and the transport is not paused
    (over its high-water mark), `put` writes the frame to the transport at once. Otherwise (a peer
    that reads slowly, or a connection that compresses) frames queue for a task that waits for the
    transport to drain, which runs only while frames wait (an idle station costs no task: 10,000 of them
    would otherwise hold 20,000 parked tasks, ~8 KiB a station). The progress timer is armed when
    data is left waiting and re-armed only when it fires, so it costs one timer per --send-timeout.
    Measured on the bench (200 stations, asyncio): a task per frame was a fifth of the bridge's CPU."""

    __slots__ = (
        "_direct",
        "_started",
        "_stopped",
        "_taken",
        "_task",
        "_timer",
        "frames",
        "log",
        "max_buffer",
        "name",
        "on_stuck",
        "queued",
        "stuck",
        "timeout",
        "total",
        "ws",
    )

    def __init__(
        self,
        ws: Any,
        name: str,
        *,
        max_buffer: int,
        timeout: float,
        on_stuck: Callable[[str], None],
        log: logging.Logger | logging.LoggerAdapter[logging.Logger] = log,
    ) -> None:
        self.ws = ws
        self.name = name  # "station" or "CSMS", for log lines
        self.max_buffer = max_buffer
        self.timeout = timeout
        self.on_stuck = on_stuck
        self.log = log
        # a list, not a deque (56 bytes empty, not 624): the task takes all the frames at once
        self.frames: list[bytes] = []
        self.queued = 0  # bytes not handed to the socket yet
        self.total = 0  # bytes ever queued: total - waiting() - unacknowledged is what the peer took
        self.stuck = False
        self._started = False
        self._stopped = False
        self._task: asyncio.Task[None] | None = None  # sending; None while nothing waits
        self._timer: asyncio.TimerHandle | None = None
        self._taken = 0  # what the peer had taken when the timer was armed
        self._direct: Any | None = None  # aiohttp's frame writer, once started, if usable directly

    # -- the producer's side (synchronous) ---------------------------------------------------------

    def start(self) -> None:
        """Begin sending (frames queued before are sent first)."""
        self._started = True
        self._direct = direct_writer(self.ws)
        if self.frames and self._task is None:
            self._task = asyncio.create_task(self._run())

    def put(self, text: str) -> None:
        """Queue a frame for the peer. Never suspends; a peer past its bounds is reported, not waited on."""
        if self.stuck or self._stopped:
            return  # the pair is closing because of this peer, or is closed: nothing more for it
        if self.ws.closed:
            self.log.warning("dropped a frame for the %s: connection already closed", self.name)
            return
        data = text.encode()
        direct = self._direct
        if direct is not None and self._task is None and not self.frames and not direct.protocol._paused:
            # nothing of ours waits and the transport takes more: the frame goes now, in order
            self.total += len(data)
            try:
                direct._write_websocket_frame(data, WSMsgType.TEXT, 0)
            except ConnectionError:  # closing under us: the pair is going down, the sender retries
                self.log.warning("dropped a frame for the %s: connection closing", self.name)
                return
            direct._output_size = 0  # aiohttp's own flow control is not used: the bounds here are
            waiting = direct.transport.get_write_buffer_size()
            if waiting:  # the kernel did not take it all (or, on uvloop, not yet: it writes at the
                # end of the loop's iteration)
                if waiting > self.max_buffer and waiting > len(data):
                    self._give_up(
                        BUFFER, f"{waiting} bytes waiting, more than the limit of {self.max_buffer}"
                    )
                elif self._timer is None:
                    self._arm()  # watch the peer's progress
            return
        self.frames.append(data)
        self.queued += len(data)
        self.total += len(data)
        waiting = self.waiting()
        if waiting > self.max_buffer and waiting > len(data):
            self._give_up(BUFFER, f"{waiting} bytes waiting, more than the limit of {self.max_buffer}")
            return
        if self._timer is None:
            self._arm()
        if self._started and self._task is None:
            self._task = asyncio.create_task(self._run())

    def waiting(self) -> int:
        """Bytes waiting for the peer: queued here, and held by the transport (not yet in the kernel)."""
        transport = transport_of(self.ws)
        buffered = transport.get_write_buffer_size() if transport is not None else 0
        return self.queued + buffered

    async def flushed(self, within: float) -> None:
        """Wait (at most `within` seconds) until every queued frame is handed to the socket."""
        if self._task is None or self.stuck:
            return
        _, pending = await asyncio.wait({self._task}, timeout=within)
        if pending:
            self.log.warning("%d byte(s) for the %s not sent before closing", self.queued, self.name)

    def stop(self) -> None:
        """Stop the task and the timer; frames still queued are dropped, later ones ignored."""
        self._started = False
        self._stopped = True
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.frames.clear()
        self.queued = 0

    def abort(self) -> None:
        """Drop the connection at once, without a close handshake the peer would not read either;
        whatever waits for it is freed."""
        self.stop()
        transport = transport_of(self.ws)
        if transport is not None:
            transport.abort()

    # -- the writer's task -------------------------------------------------------------------------

    async def _run(self) -> None:
        """Send until nothing waits, then end (the next `put` starts a new task)."""
        try:
            while self.frames:
                batch, self.frames = self.frames, []
                for data in batch:
                    self.queued -= len(data)
                    if self.ws.closed:
                        self.log.warning("dropped a frame for the %s: connection already closed", self.name)
                        continue
                    try:
                        await self.ws.send_frame(data, WSMsgType.TEXT)
                    except ConnectionError:  # closing under us: the pair is going down, the sender retries
                        self.log.warning("dropped a frame for the %s: connection closing", self.name)
                    except Exception:  # a bug, not the peer's doing: the next frames still go
                        self.log.exception("failed to send a frame to the %s", self.name)
        finally:
            if self._task is asyncio.current_task():
                self._task = None

    # -- the time bound ----------------------------------------------------------------------------

    def _peer_took(self) -> int:
        """Bytes the peer has taken: all ever queued but those still here, in the transport, or in
        the kernel unacknowledged."""
        return self.total - self.waiting() - unacknowledged(transport_of(self.ws))

    def _arm(self) -> None:
        self._taken = self._peer_took()
        self._timer = asyncio.get_running_loop().call_later(self.timeout, self._check)

    def _check(self) -> None:
        self._timer = None
        if self.stuck or self.ws.closed:
            return
        waiting = self.waiting()
        if waiting == 0:
            return  # all taken: the next frame arms the timer again
        if self._peer_took() == self._taken:
            self._give_up(TIMEOUT, f"took none of the {waiting} bytes waiting for it in {self.timeout:g} s")
            return
        self._arm()  # progress: it reads, however slowly

    def _give_up(self, reason: str, detail: str) -> None:
        self.stuck = True
        self.log.warning("the %s is not reading: %s", self.name, detail)
        self.on_stuck(reason)
