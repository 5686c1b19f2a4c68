"""The line between the supervisor and each worker: one Unix socket, one JSON object a line.

    worker -> supervisor   {"hello": slot, "pid": pid}      first line, once connected
                           {"ready": true}                 listening for stations
                           {"claim": station_id, "n": n, "at": t}   a station connected here
                           {"released": ticket}            done with a release
    supervisor -> worker   {"release": station_id, "ticket": k, "at": t}   close your older connection
                           {"claimed": n}                  every other worker has released

A station that connects again under the same id replaces its older connection, whichever worker holds
it (README: code 4000). SO_REUSEPORT spreads connections by a hash of their addresses, so a reconnect
usually lands on another worker: the new connection's worker claims the id, the supervisor asks every
other worker to release it, and the claim returns once they have (at most CLAIM_WAIT seconds), so
the new connection reads the station's transactions after the old one saved its last. `at` is
CLOCK_MONOTONIC, which every process on the host shares: a worker keeps a connection that is newer
than the claim (the station reconnected there meanwhile).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from cachetools import TTLCache

log = logging.getLogger(__name__)

CLAIM_WAIT = 1.0  # seconds a claim waits for the other workers to release the station
MAX_LINE = 1 << 16


def _line(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


class LinkHub:
    """The supervisor's end: accepts one connection per worker, relays claims, reports readiness."""

    def __init__(self, path: str, on_ready: Callable[[int, int], None]) -> None:
        self.path = path
        self.on_ready = on_ready  # (slot, pid)
        self.links: dict[int, asyncio.StreamWriter] = {}
        self._tickets = itertools.count(1)
        self._releases: dict[int, asyncio.Future[None]] = {}
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_unix_server(self._serve, self.path, limit=MAX_LINE)
        os.chmod(self.path, 0o600)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in self.links.values():
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        slot: int | None = None
        try:
            hello = json.loads(await reader.readline())
            slot = int(hello["hello"])
            self.links[slot] = writer
            async for raw in reader:
                message = json.loads(raw)
                if message.get("ready"):
                    self.on_ready(slot, int(hello["pid"]))
                elif "claim" in message:
                    task = asyncio.create_task(self._claim(slot, writer, message))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                elif "released" in message:
                    waiting = self._releases.pop(int(message["released"]), None)
                    if waiting is not None and not waiting.done():
                        waiting.set_result(None)
        except (ValueError, KeyError, TypeError, ConnectionError) as exc:
            log.warning("worker link %s: bad or broken line (%s); closing it", slot, exc)
        finally:
            if slot is not None and self.links.get(slot) is writer:
                del self.links[slot]
            writer.close()

    async def _claim(self, slot: int, claimer: asyncio.StreamWriter, message: dict[str, Any]) -> None:
        waits = []
        for other, writer in list(self.links.items()):
            if other == slot:
                continue
            ticket = next(self._tickets)
            future = self._releases[ticket] = asyncio.get_running_loop().create_future()
            waits.append(future)
            with contextlib.suppress(ConnectionError):
                writer.write(_line({"release": message["claim"], "ticket": ticket, "at": message["at"]}))
        if waits:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CLAIM_WAIT):
                    await asyncio.gather(*waits)
            for future in waits:
                future.cancel()
        with contextlib.suppress(ConnectionError):
            claimer.write(_line({"claimed": message["n"]}))


class LinkClient:
    """A worker's end. `release(station_id, at)` closes this worker's connection of that station if it
    is older than `at`; a broken link never holds a station up (claims then return at once)."""

    def __init__(self, path: str, slot: int) -> None:
        self.path = path
        self.slot = slot
        self.release: Callable[[str], Awaitable[None]] | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._claims: dict[int, asyncio.Future[None]] = {}
        self._numbers = itertools.count(1)
        self._connected_at: TTLCache[str, float] = TTLCache(maxsize=1_000_000, ttl=60)
        self._reader_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def connect(self) -> None:
        reader, self._writer = await asyncio.open_unix_connection(self.path, limit=MAX_LINE)
        self._writer.write(_line({"hello": self.slot, "pid": os.getpid()}))
        self._reader_task = asyncio.create_task(self._read(reader))

    def ready(self) -> None:
        self._send({"ready": True})

    async def claim(self, station_id: str) -> None:
        """This worker now holds `station_id`: wait until the others closed theirs (or CLAIM_WAIT)."""
        at = time.monotonic()
        self._connected_at[station_id] = at
        if self._writer is None or self._writer.is_closing():
            return
        n = next(self._numbers)
        future = self._claims[n] = asyncio.get_running_loop().create_future()
        self._send({"claim": station_id, "n": n, "at": at})
        try:
            async with asyncio.timeout(CLAIM_WAIT + 0.5):
                await future
        except TimeoutError:
            log.warning("the other workers did not confirm closing this station's older connection")
        finally:
            self._claims.pop(n, None)

    def _send(self, message: dict[str, Any]) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(_line(message))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            async for raw in reader:
                message = json.loads(raw)
                if "claimed" in message:
                    future = self._claims.get(int(message["claimed"]))
                    if future is not None and not future.done():
                        future.set_result(None)
                elif "release" in message:
                    task = asyncio.create_task(self._release(message))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            problem = "closed"
        except (ValueError, KeyError, TypeError, ConnectionError) as exc:
            problem = f"broken ({exc})"
        log.warning(
            "link to the supervisor %s: a station reconnecting to another worker no longer closes its "
            "older connection here",
            problem,
        )
        for future in self._claims.values():
            if not future.done():
                future.set_result(None)
        if self._writer is not None:
            self._writer.close()

    async def _release(self, message: dict[str, Any]) -> None:
        station_id = str(message["release"])
        try:
            if self.release is not None and self._connected_at.get(station_id, 0.0) < float(message["at"]):
                await self.release(station_id)
        finally:
            self._send({"released": message["ticket"]})

    async def close(self) -> None:
        if self._reader_task is not None:
            self._reader_task.cancel()
        if self._writer is not None:
            self._writer.close()
