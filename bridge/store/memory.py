"""A store in memory: for the translate command, the demo and unit tests (nothing survives)."""

from __future__ import annotations

from collections.abc import Sequence

from bridge.store.base import RECENTLY_ENDED, TransactionRecord


class MemoryStore:
    describe = "memory:"

    def __init__(self) -> None:
        self.counter = 0
        self.records: dict[tuple[str, int], TransactionRecord] = {}

    async def open(self) -> None:
        pass

    async def load(self, station_id: str) -> list[TransactionRecord]:
        mine = sorted(
            (r for r in self.records.values() if r.station_id == station_id), key=lambda r: r.ended_at or 0
        )
        running = [r for r in mine if not r.ended]
        ended = [r for r in mine if r.ended][-RECENTLY_ENDED:]
        return sorted(ended + running, key=lambda r: (not r.ended, r.ended_at or 0, r.id16))

    async def save(self, records: Sequence[TransactionRecord]) -> None:
        for record in records:
            self.records[(record.station_id, record.id16)] = record

    async def reserve_ids(self, count: int, floor: int) -> int:
        self.counter = max(self.counter, floor) + count
        return self.counter

    async def prune(self, older_than: float) -> int:
        old = [key for key, r in self.records.items() if r.ended_at is not None and r.ended_at < older_than]
        for key in old:
            del self.records[key]
        return len(old)

    async def ping(self) -> None:
        pass

    async def close(self) -> None:
        pass
