"""The embedded default: SQLite in a file. Survives restarts; several processes on one host may share
the file (WAL mode, atomic updates). For replicas on several hosts use Redis.

Every statement runs in one worker thread per store, never on the event loop: a slow disk or a
locked file delays only the stations whose frames wait for the store, within --store-timeout.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from bridge.store.base import RECENTLY_ENDED, StoreUnavailable, TransactionRecord

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS tx (
    station_id TEXT NOT NULL,
    id16 INTEGER NOT NULL,
    id201 TEXT NOT NULL,
    connector_id INTEGER NOT NULL,
    remote_start_id INTEGER,
    next_seq INTEGER NOT NULL,
    ended INTEGER NOT NULL DEFAULT 0,
    ended_at REAL,
    PRIMARY KEY (station_id, id16)
);
CREATE INDEX IF NOT EXISTS tx_ended_at ON tx (ended_at) WHERE ended = 1;
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
# The first release's table (id16 AUTOINCREMENT, no ended_at): copied once, then dropped.
MIGRATE = """
INSERT OR IGNORE INTO tx
SELECT station_id, id16, id201, connector_id, remote_start_id, next_seq, ended,
       CASE WHEN ended = 1 THEN ? END
FROM transactions
"""
COLUMNS = "station_id, id16, id201, connector_id, remote_start_id, next_seq, ended, ended_at"
UPSERT = f"""
INSERT INTO tx ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (station_id, id16) DO UPDATE SET
    id201 = excluded.id201, connector_id = excluded.connector_id,
    remote_start_id = excluded.remote_start_id, next_seq = excluded.next_seq,
    ended = excluded.ended, ended_at = excluded.ended_at
"""
LOAD = f"""
SELECT {COLUMNS} FROM tx WHERE station_id = ? AND ended = 0
UNION ALL
SELECT * FROM (SELECT {COLUMNS} FROM tx WHERE station_id = ? AND ended = 1 ORDER BY ended_at DESC LIMIT ?)
"""


def _record(row: tuple[Any, ...]) -> TransactionRecord:
    station_id, id16, id201, connector_id, remote_start_id, next_seq, ended, ended_at = row
    return TransactionRecord(
        str(station_id),
        int(id16),
        str(id201),
        int(connector_id),
        remote_start_id,
        bool(ended),
        int(next_seq),
        ended_at,
    )


def _row(r: TransactionRecord) -> tuple[Any, ...]:
    return (
        r.station_id,
        r.id16,
        r.id201,
        r.connector_id,
        r.remote_start_id,
        r.next_seq,
        int(r.ended),
        r.ended_at,
    )


class SqliteStore:
    def __init__(self, path: str | Path, *, busy_timeout: float = 2.0) -> None:
        self.path = Path(path)
        self.describe = f"sqlite:///{path}"
        self.busy_timeout = busy_timeout
        self.db: sqlite3.Connection | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-store")

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def call() -> T:
            if self.db is None:
                raise StoreUnavailable(f"the SQLite store {self.path} is not open")
            return work(self.db)

        try:
            return await asyncio.get_running_loop().run_in_executor(self._worker, call)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"SQLite store {self.path}: {exc}") from exc

    async def open(self) -> None:
        def connect() -> None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=self.busy_timeout
            )
            db.execute("PRAGMA journal_mode=WAL")
            # No fsync per commit (one per checkpoint): a commit survives the bridge process crashing
            # or being killed, which is what the store is for; only a power cut or kernel crash can
            # lose the last commits.
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            old = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'transactions'")
            if old.fetchone() is not None:
                db.execute("BEGIN IMMEDIATE")
                db.execute(MIGRATE, (time.time(),))
                db.execute("DROP TABLE transactions")
                db.execute("COMMIT")
            self.db = db

        try:
            await asyncio.get_running_loop().run_in_executor(self._worker, connect)
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(f"cannot open the SQLite store {self.path}: {exc}") from exc

    async def load(self, station_id: str) -> list[TransactionRecord]:
        def load(db: sqlite3.Connection) -> list[TransactionRecord]:
            rows = db.execute(LOAD, (station_id, station_id, RECENTLY_ENDED)).fetchall()
            return [_record(row) for row in rows]

        records = await self._run(load)
        ended = sorted((r for r in records if r.ended), key=lambda r: r.ended_at or 0)
        return ended + sorted((r for r in records if not r.ended), key=lambda r: r.id16)

    async def save(self, records: Sequence[TransactionRecord]) -> None:
        def save(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(UPSERT, [_row(r) for r in records])
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

        await self._run(save)

    async def reserve_ids(self, count: int, floor: int) -> int:
        def reserve(db: sqlite3.Connection) -> int:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT MAX(COALESCE((SELECT value FROM counters WHERE name = 'id16'), 0),"
                    " COALESCE((SELECT MAX(id16) FROM tx), 0), ?)",
                    (floor,),
                ).fetchone()
                last = int(row[0]) + count
                db.execute("INSERT OR REPLACE INTO counters (name, value) VALUES ('id16', ?)", (last,))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return last

        return await self._run(reserve)

    async def prune(self, older_than: float) -> int:
        def prune(db: sqlite3.Connection) -> int:
            return db.execute("DELETE FROM tx WHERE ended = 1 AND ended_at < ?", (older_than,)).rowcount

        return await self._run(prune)

    async def ping(self) -> None:
        await self._run(lambda db: db.execute("SELECT 1").fetchone())

    async def close(self) -> None:
        db, self.db = self.db, None
        if db is not None:
            await asyncio.get_running_loop().run_in_executor(self._worker, db.close)
        self._worker.shutdown(wait=False)
