"""The three transaction stores keep the same promises (bridge/store/): records saved whole and read
back per station, ids reserved above any floor and never twice, ended ones kept a while, then pruned.
Each store is tested on its own: the memory and SQLite cases need no Redis."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bridge.store import MemoryStore, StoreUnavailable, TransactionRecord, TransactionStore, open_store
from bridge.store.base import RECENTLY_ENDED
from bridge.store.ids import INT32_MAX, IdPool, clock_floor


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TransactionStore]:
    if request.param == "memory":
        opened: TransactionStore = MemoryStore()
    elif request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path}/store.sqlite3")
    else:
        opened = open_store(request.getfixturevalue("redis_url"))
    await opened.open()
    yield opened
    await opened.close()


def record(station: str, id16: int, **fields: object) -> TransactionRecord:
    return TransactionRecord(station, id16, str(uuid.uuid4()), 1, **fields)  # type: ignore[arg-type]


async def test_records_are_saved_whole_and_loaded_per_station(store: TransactionStore) -> None:
    station = f"CP-{uuid.uuid4()}"
    first = record(station, 11, remote_start_id=77)
    second = record(station, 12)
    await store.save([first, second, record("someone-else", 11)])
    assert await store.load(station) == [first, second]
    numbered = replace(first, next_seq=4)
    await store.save([numbered])  # an upsert: the next seqNo travels with the record
    assert await store.load(station) == [numbered, second]


async def test_ended_transactions_leave_the_running_set_and_a_few_are_remembered(
    store: TransactionStore,
) -> None:
    station = f"CP-{uuid.uuid4()}"
    now = time.time()
    ended = [record(station, i, ended=True, ended_at=now + i) for i in range(1, RECENTLY_ENDED + 4)]
    running = record(station, 100)
    await store.save([*ended, running])
    loaded = await store.load(station)
    assert loaded == [*ended[-RECENTLY_ENDED:], running]  # the most recent ended ones, then the running


async def test_ids_are_reserved_above_the_floor_and_never_twice(store: TransactionStore) -> None:
    first = await store.reserve_ids(32, floor=0)
    second = await store.reserve_ids(32, floor=0)
    assert second == first + 32  # consecutive blocks, no overlap
    floor = clock_floor(time.time())
    lifted = await store.reserve_ids(32, floor=floor)
    assert lifted - 31 > floor and lifted - 31 > second


async def test_a_store_that_lost_its_counter_still_reserves_above_the_floor(store: TransactionStore) -> None:
    # What a wiped store looks like to the bridge: the counter is gone, the floor (clock, high-water
    # mark) is what keeps a new block above every id handed out before.
    before = await store.reserve_ids(8, floor=clock_floor(time.time()))
    if isinstance(store, MemoryStore):
        store.counter = 0
    elif hasattr(store, "redis"):
        await store.redis.flushdb()  # type: ignore[attr-defined]
    else:
        await store._run(lambda db: db.execute("DELETE FROM counters"))  # type: ignore[attr-defined]
    after = await store.reserve_ids(8, floor=before)
    assert after - 7 > before


async def test_transactions_that_ended_before_the_retention_are_pruned(tmp_path: Path) -> None:
    # SQLite and memory prune on the bridge's hourly tick; Redis lets the keys expire (next test)
    for store in (MemoryStore(), open_store(f"sqlite:///{tmp_path}/prune.sqlite3")):
        await store.open()
        old = record("CP-P", 1, ended=True, ended_at=1000.0)
        recent = record("CP-P", 2, ended=True, ended_at=time.time())
        running = record("CP-P", 3)
        await store.save([old, recent, running])
        assert await store.prune(older_than=time.time() - 60) == 1
        assert await store.load("CP-P") == [recent, running]
        await store.close()


async def test_redis_keys_of_ended_transactions_expire_after_the_retention(redis_url: str) -> None:
    store = open_store(redis_url, retention=1)
    await store.open()
    station = f"CP-{uuid.uuid4()}"
    await store.save([record(station, 5), record(station, 6)])
    ended = record(station, 5, ended=True, ended_at=time.time())
    await store.save([ended])
    assert await store.redis.ttl(f"ocpp-bridge:tx:{station}:5") > 0  # type: ignore[attr-defined]
    assert await store.redis.ttl(f"ocpp-bridge:tx:{station}:6") == -1  # running: kept  # type: ignore[attr-defined]
    await asyncio.sleep(2.1)
    assert [r.id16 for r in await store.load(station)] == [6]
    await store.close()


async def test_the_sqlite_store_survives_reopening_and_migrates_the_first_schema(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)  # the table of the first release
    db.executescript(
        """CREATE TABLE transactions (id16 INTEGER PRIMARY KEY AUTOINCREMENT, station_id TEXT NOT NULL,
        id201 TEXT NOT NULL UNIQUE, connector_id INTEGER NOT NULL, remote_start_id INTEGER,
        next_seq INTEGER NOT NULL DEFAULT 1, ended INTEGER NOT NULL DEFAULT 0);
        INSERT INTO transactions (station_id, id201, connector_id, next_seq) VALUES ('CP-1', 'a-b', 2, 5);"""
    )
    db.commit()
    db.close()
    store = open_store(f"sqlite:///{path}")
    await store.open()
    (migrated,) = await store.load("CP-1")
    assert (migrated.id16, migrated.id201, migrated.connector_id, migrated.next_seq) == (1, "a-b", 2, 5)
    assert await store.reserve_ids(4, floor=0) == 5  # above the ids the old table issued
    await store.close()
    reopened = open_store(f"sqlite:///{path}")
    await reopened.open()
    assert await reopened.load("CP-1") == [migrated]
    await reopened.close()


async def test_an_unwritable_sqlite_store_fails_with_a_readable_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = open_store(f"sqlite:///{blocker}/under-a-file.sqlite3")  # its directory cannot be made
    with pytest.raises(StoreUnavailable, match="cannot open the SQLite store"):
        await store.open()


async def test_the_id_pool_hands_out_reserved_ids_and_refills_in_the_background() -> None:
    store = MemoryStore()
    errors: list[str] = []
    pool = IdPool(store, timeout=1, on_error=errors.append, clock=lambda: 1_577_836_800 + 5_000)
    with pytest.raises(StoreUnavailable):
        pool.take()  # nothing reserved yet: the caller answers InternalError, never a made-up id
    await pool.refill()
    taken: list[int] = []
    for _ in range(20):  # bursts of starts between loop turns, several blocks in all
        taken += [pool.take() for _ in range(40)]
        for _ in range(3):
            await asyncio.sleep(0)
    assert len(set(taken)) == len(taken) and min(taken) > 5_000 and max(taken) <= INT32_MAX
    assert not errors


async def test_the_id_pool_reports_a_store_that_does_not_answer() -> None:
    class Stalled(MemoryStore):
        async def reserve_ids(self, count: int, floor: int) -> int:
            await asyncio.sleep(10)
            return 0

    errors: list[str] = []
    pool = IdPool(Stalled(), timeout=0.2, on_error=errors.append)
    await pool.refill()
    assert errors == ["reserve_ids"] and len(pool) == 0


async def test_a_redis_with_a_password_or_an_acl_user_takes_it_from_the_url_and_never_logs_it() -> None:
    from tests.redis_server import RedisServer

    server = RedisServer(
        "--requirepass", "s3cret-pw", "--user", "bridge", "on", ">acl-pw", "~*", "&*", "+@all"
    )
    server.start()
    try:
        for url in (  # the default user's password, and an ACL user with its own
            f"redis://:s3cret-pw@127.0.0.1:{server.port}/0",
            f"redis://bridge:acl-pw@127.0.0.1:{server.port}/0",
        ):
            store = open_store(url)
            await store.open()
            await store.save([record("CP-AUTH", 1)])
            assert [r.id16 for r in await store.load("CP-AUTH")] == [1]
            await store.close()
        wrong = open_store(f"redis://:wrong-pw@127.0.0.1:{server.port}/0")
        with pytest.raises(StoreUnavailable) as refused:
            await wrong.open()
        assert "wrong-pw" not in str(refused.value) and "wrong-pw" not in wrong.describe
        await wrong.close()
    finally:
        server.close()
