"""The small interface for state that must outlive a connection and a process: transaction ids.

1.6 transactionIds are integers the CSMS side hands out (here: the bridge); 2.0.1 transactionIds are
strings the station side hands out (here: the bridge too). The bridge issues both and keeps the pair,
with the transaction's next seqNo, in a store, so a bridge restart or a reconnect to another replica
in the middle of a session still closes it with the same 2.0.1 id and the next seqNo.

Every method is a coroutine and never runs on the event loop's own time: Redis through
`redis.asyncio`, SQLite in a worker thread. The session bounds each call with --store-timeout, so a
stalled store costs only the station whose frame needed it (bridge/session.py).

The translation core never reads the store mid-frame. A connection loads its station's transactions
once when it opens (`load`) and keeps them; each translation that starts, numbers or ends a
transaction leaves the records to `save` (a whole-record upsert, so a store that lost its data is
written back by the next event), and the session saves them before it sends the frames that refer to
them. New 1.6 ids come from blocks reserved ahead of time (`reserve_ids`, see bridge/store/ids.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

RECENTLY_ENDED = 8  # ended transactions per station that `load` also returns (a retried StopTransaction)


class StoreError(Exception):
    """A store URL that cannot be used (unknown scheme, unreachable at start-up): said in one line."""


class StoreUnavailable(StoreError):
    """The store could not do what a frame needed (unreachable, timed out, failed)."""


@dataclass(frozen=True, slots=True)
class TransactionRecord:
    station_id: str
    id16: int  # the 1.6 transactionId given to the station
    id201: str  # the 2.0.1 transactionId given to the CSMS
    connector_id: int  # 1.6 connectorId
    remote_start_id: int | None = None
    ended: bool = False
    next_seq: int = 1  # the seqNo the transaction's next event takes (Started took 0)
    ended_at: float | None = None  # Unix time of the Ended event (retention counts from it)


class TransactionStore(Protocol):
    """What a store does; `describe` names it in logs (credentials left out)."""

    describe: str

    async def open(self) -> None:
        """Connect / create what is needed; raises StoreUnavailable with a readable reason."""
        ...

    async def load(self, station_id: str) -> list[TransactionRecord]:
        """The station's running transactions and its few most recently ended ones, oldest first."""
        ...

    async def save(self, records: Sequence[TransactionRecord]) -> None:
        """Upsert whole records, atomically and in one round trip; an ended record leaves the running
        set and is kept for --store-retention seconds."""
        ...

    async def reserve_ids(self, count: int, floor: int) -> int:
        """Reserve `count` new 1.6 ids above both the store's counter and `floor`; returns the last
        one (the block is last - count + 1 .. last). Atomic across processes sharing the store."""
        ...

    async def prune(self, older_than: float) -> int:
        """Forget transactions that ended before Unix time `older_than`; returns how many."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
