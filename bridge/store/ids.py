"""1.6 transactionIds for one bridge process, never handed out twice.

Ids come from blocks reserved in the store ahead of time (one round trip per BLOCK starts, made in
the background), so starting a transaction costs no store round trip of its own, and replicas sharing
a store never draw the same id.

A store that lost its data (Redis restarted without persistence, a new SQLite file) must not start
counting at 1 again while stations still hold ids issued before. Every reservation therefore asks for
ids above a floor: the larger of
- the clock: seconds since 2020-01-01 (about 217 million at the end of 2026; int32 lasts until 2088),
  so ids issued before a wipe are below the floor after it, as long as the fleet has started fewer
  transactions than seconds have passed (86,400 a day, across every replica); and
- the highest id this process has issued or loaded from a connection (its high-water mark), which
  covers a larger fleet for the ids this replica knows.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable

from bridge.store.base import StoreUnavailable, TransactionStore

log = logging.getLogger(__name__)

EPOCH = 1_577_836_800  # 2020-01-01T00:00:00Z
INT32_MAX = 2**31 - 1  # a 1.6 transactionId is a JSON integer that firmware keeps in an int32
BLOCK = 100  # ids reserved per round trip
LOW = 50  # reserve the next block when fewer than this many ids are left (a burst of starts)


def clock_floor(now: float) -> int:
    return int(now) - EPOCH


class IdPool:
    def __init__(
        self,
        store: TransactionStore,
        *,
        timeout: float,
        on_error: Callable[[str], None] = lambda operation: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.timeout = timeout
        self.on_error = on_error
        self.clock = clock
        self.high_water = 0
        self._blocks: deque[range] = deque()
        self._refill: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return sum(len(block) for block in self._blocks)

    def take(self) -> int:
        """The next id (synchronous: the translation core calls it mid-frame)."""
        while self._blocks and not self._blocks[0]:
            self._blocks.popleft()
        if not self._blocks:
            self.top_up()
            raise StoreUnavailable(
                f"no 1.6 transaction id reserved: the store {self.store.describe} did not answer"
            )
        block = self._blocks[0]
        self._blocks[0] = block[1:]
        self.high_water = max(self.high_water, block[0])
        if len(self) < LOW:
            self.top_up()
        return block[0]

    def saw(self, id16: int) -> None:
        """An id this process found in use (a connection loaded it): never reserve at or below it."""
        if 0 < id16 <= INT32_MAX:
            self.high_water = max(self.high_water, id16)

    def top_up(self) -> None:
        """Reserve the next block in the background, unless one is on its way or enough are left."""
        if (self._refill is None or self._refill.done()) and len(self) < LOW:
            self._refill = asyncio.get_running_loop().create_task(self.refill())

    async def refill(self) -> None:
        floor = max(self.high_water, clock_floor(self.clock()))
        try:
            async with asyncio.timeout(self.timeout):
                last = await self.store.reserve_ids(BLOCK, floor)
        except Exception as exc:  # timeout, connection, a full disk: the next take or tick retries
            self.on_error("reserve_ids")
            log.warning(
                "could not reserve 1.6 transaction ids in the store %s: %s",
                self.store.describe,
                exc or type(exc).__name__,
            )
            return
        if last > INT32_MAX:
            self.on_error("reserve_ids")
            log.error("the store's 1.6 transaction id counter passed 2^31-1; new transactions are refused")
            return
        self._blocks.append(range(last - BLOCK + 1, last + 1))
