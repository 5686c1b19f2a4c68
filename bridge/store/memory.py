"""A store in memory: for the translate command, the demo and unit tests (nothing survives)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace

from bridge.store.base import TransactionRecord


class MemoryStore:
    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._records: dict[tuple[str, int], TransactionRecord] = {}
        self._seq: dict[tuple[str, int], int] = {}

    def start(self, station_id: str, connector_id: int, remote_start_id: int | None) -> TransactionRecord:
        record = TransactionRecord(
            station_id, next(self._ids), str(uuid.uuid4()), connector_id, remote_start_id
        )
        self._records[(station_id, record.id16)] = record
        self._seq[(station_id, record.id16)] = 1
        return record

    def by_16(self, station_id: str, id16: int) -> TransactionRecord | None:
        return self._records.get((station_id, id16))

    def by_201(self, station_id: str, id201: str) -> TransactionRecord | None:
        return next(
            (r for r in self._records.values() if r.station_id == station_id and r.id201 == id201), None
        )

    def active(self, station_id: str) -> list[TransactionRecord]:
        return [r for r in self._records.values() if r.station_id == station_id and not r.ended]

    def next_seq(self, station_id: str, id16: int) -> int:
        seq = self._seq[(station_id, id16)]
        self._seq[(station_id, id16)] = seq + 1
        return seq

    def end(self, station_id: str, id16: int) -> None:
        key = (station_id, id16)
        if key in self._records:
            self._records[key] = replace(self._records[key], ended=True)

    def close(self) -> None:
        pass
