"""The shared store for several replicas behind a load balancer: Redis (or Valkey), via redis.asyncio.

Keys (prefix `ocpp-bridge:`):
- `txid`: the 1.6 id counter (blocks are reserved from it, bridge/store/ids.py);
- `tx:<station>:<id16>`: a hash per transaction (id201, connector_id, remote_start_id, next_seq,
  ended, ended_at); an ended one expires after --store-retention;
- `active:<station>`: a sorted set of the station's running id16s;
- `ended:<station>`: its few most recently ended id16s, by end time (a retried StopTransaction).

Every call is one round trip (a MULTI pipeline or a Lua script). `redis://` and `rediss://` (TLS)
URLs with a password (`redis://:password@host:6379/0`, or `user:password@` with ACLs) are supported;
Sentinel and Cluster are not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bridge.store.base import RECENTLY_ENDED, StoreUnavailable, TransactionRecord

PREFIX = "ocpp-bridge:"
# counter = max(counter, floor) + count, in one atomic step
RESERVE = """
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(ARGV[1])
if floor > c then c = floor end
c = c + tonumber(ARGV[2])
redis.call('SET', KEYS[1], c)
return c
"""


def redacted(url: str) -> str:
    """The URL without its credentials, for logs."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else url


class RedisStore:
    def __init__(self, url: str, *, timeout: float = 2.0, retention: float = 7 * 86400) -> None:
        self.describe = redacted(url)
        self.retention = max(1, int(retention))
        self.redis = aioredis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry_on_timeout=False,
        )
        self._reserve = self.redis.register_script(RESERVE)

    def _key(self, station_id: str, id16: int) -> str:
        return f"{PREFIX}tx:{station_id}:{id16}"

    async def _do(self, what: str, work: Any) -> Any:
        try:
            return await work
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"Redis store {self.describe} ({what}): {exc}") from exc

    async def open(self) -> None:
        await self.ping()

    async def ping(self) -> None:
        await self._do("ping", self.redis.ping())

    async def load(self, station_id: str) -> list[TransactionRecord]:
        async def load() -> list[TransactionRecord]:
            pipe = self.redis.pipeline(transaction=False)
            pipe.zrange(f"{PREFIX}ended:{station_id}", 0, -1)
            pipe.zrange(f"{PREFIX}active:{station_id}", 0, -1)
            ended, running = await pipe.execute()
            ids = [int(i) for i in (*ended, *running)]
            if not ids:
                return []
            pipe = self.redis.pipeline(transaction=False)
            for id16 in ids:
                pipe.hgetall(self._key(station_id, id16))
            found = await pipe.execute()
            records = (self._record(station_id, i, data) for i, data in zip(ids, found, strict=True))
            return [r for r in records if r is not None]

        return await self._do("load", load())

    @staticmethod
    def _record(station_id: str, id16: int, data: dict[str, str]) -> TransactionRecord | None:
        if not data or "id201" not in data:
            return None  # expired meanwhile
        remote = data.get("remote_start_id")
        ended_at = data.get("ended_at")
        return TransactionRecord(
            station_id,
            id16,
            data["id201"],
            int(data["connector_id"]),
            int(remote) if remote is not None else None,
            data.get("ended") == "1",
            int(data.get("next_seq", 1)),
            float(ended_at) if ended_at is not None else None,
        )

    async def save(self, records: Sequence[TransactionRecord]) -> None:
        pipe = self.redis.pipeline(transaction=True)
        for r in records:
            key = self._key(r.station_id, r.id16)
            fields: dict[str, Any] = {
                "id201": r.id201,
                "connector_id": r.connector_id,
                "next_seq": r.next_seq,
                "ended": int(r.ended),
            }
            if r.remote_start_id is not None:
                fields["remote_start_id"] = r.remote_start_id
            if r.ended_at is not None:
                fields["ended_at"] = repr(r.ended_at)
            pipe.hset(key, mapping=fields)
            active, ended = f"{PREFIX}active:{r.station_id}", f"{PREFIX}ended:{r.station_id}"
            if r.ended:
                pipe.zrem(active, str(r.id16))
                pipe.zadd(ended, {str(r.id16): r.ended_at or 0})
                pipe.zremrangebyrank(ended, 0, -(RECENTLY_ENDED + 1))
                pipe.expire(key, self.retention)
                pipe.expire(ended, self.retention)
            else:
                pipe.zadd(active, {str(r.id16): r.id16})
                pipe.persist(key)
        await self._do("save", pipe.execute())

    async def reserve_ids(self, count: int, floor: int) -> int:
        return int(await self._do("reserve_ids", self._reserve(keys=[f"{PREFIX}txid"], args=[floor, count])))

    async def prune(self, older_than: float) -> int:
        return 0  # ended transactions expire by themselves (EXPIRE after --store-retention)

    async def close(self) -> None:
        await self.redis.aclose()
