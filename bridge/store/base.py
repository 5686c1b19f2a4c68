"""The small interface for state that must outlive a connection and a process: transaction ids.

1.6 transactionIds are integers the CSMS side hands out (here: the bridge); 2.0.1 transactionIds are
strings the station side hands out (here: the bridge too). The bridge issues both and keeps the pair,
with the per-transaction seqNo, in a store, so a bridge restart or a reconnect to another replica in
the middle of a session still closes it with the same 2.0.1 id and the next seqNo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class TransactionRecord:
    station_id: str
    id16: int  # the 1.6 transactionId given to the station
    id201: str  # the 2.0.1 transactionId given to the CSMS
    connector_id: int  # 1.6 connectorId
    remote_start_id: int | None = None
    ended: bool = False


class TransactionStore(Protocol):
    def start(self, station_id: str, connector_id: int, remote_start_id: int | None) -> TransactionRecord:
        """Issue a new pair of ids; seqNo 0 is taken by the Started event."""
        ...

    def by_16(self, station_id: str, id16: int) -> TransactionRecord | None: ...

    def by_201(self, station_id: str, id201: str) -> TransactionRecord | None: ...

    def active(self, station_id: str) -> list[TransactionRecord]:
        """Transactions of this station that have not ended, oldest first."""
        ...

    def next_seq(self, station_id: str, id16: int) -> int:
        """Take the next seqNo of a transaction (atomic across processes sharing the store)."""
        ...

    def end(self, station_id: str, id16: int) -> None: ...

    def close(self) -> None: ...
