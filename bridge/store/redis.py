"""The shared store for several replicas behind a load balancer: Redis.

Keys (prefix `ocpp-bridge:`): `txid` (the 1.6 id counter), `tx:<station>:<id16>` (a hash per
transaction), `tx201:<station>:<id201>` (-> id16), `active:<station>` (a sorted set of id16).
Calls are synchronous and short: one round trip to a nearby Redis each (the translators keep a
connection's running transactions in memory, so only starting, ending and taking a seqNo reach it).
"""

from __future__ import annotations

import uuid

import redis

from bridge.store.base import TransactionRecord

PREFIX = "ocpp-bridge:"
# next_seq in one round trip: take the next seqNo only of a transaction that exists
NEXT_SEQ = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return redis.call('HINCRBY', KEYS[1], 'next_seq', 1) - 1
"""


class RedisStore:
    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
        self.redis.ping()
        self._next_seq = self.redis.register_script(NEXT_SEQ)

    def _key(self, station_id: str, id16: int) -> str:
        return f"{PREFIX}tx:{station_id}:{id16}"

    def start(self, station_id: str, connector_id: int, remote_start_id: int | None) -> TransactionRecord:
        id16 = int(self.redis.incr(f"{PREFIX}txid"))  # type: ignore[arg-type]
        id201 = str(uuid.uuid4())
        fields = {"id201": id201, "connector_id": connector_id, "next_seq": 1, "ended": 0}
        if remote_start_id is not None:
            fields["remote_start_id"] = remote_start_id
        pipe = self.redis.pipeline()
        pipe.hset(self._key(station_id, id16), mapping=fields)
        pipe.set(f"{PREFIX}tx201:{station_id}:{id201}", id16)
        pipe.zadd(f"{PREFIX}active:{station_id}", {str(id16): id16})
        pipe.execute()
        return TransactionRecord(station_id, id16, id201, connector_id, remote_start_id)

    def by_16(self, station_id: str, id16: int) -> TransactionRecord | None:
        return self._record(station_id, id16, self.redis.hgetall(self._key(station_id, id16)))  # type: ignore[arg-type]

    @staticmethod
    def _record(station_id: str, id16: int, data: dict[str, str]) -> TransactionRecord | None:
        if not data:
            return None
        remote = data.get("remote_start_id")
        return TransactionRecord(
            station_id,
            id16,
            data["id201"],
            int(data["connector_id"]),
            int(remote) if remote is not None else None,
            data["ended"] == "1",
        )

    def by_201(self, station_id: str, id201: str) -> TransactionRecord | None:
        id16 = self.redis.get(f"{PREFIX}tx201:{station_id}:{id201}")
        return self.by_16(station_id, int(id16)) if id16 is not None else None  # type: ignore[arg-type]

    def active(self, station_id: str) -> list[TransactionRecord]:
        ids = [int(i) for i in self.redis.zrange(f"{PREFIX}active:{station_id}", 0, -1)]  # type: ignore[union-attr]
        pipe = self.redis.pipeline(transaction=False)
        for id16 in ids:
            pipe.hgetall(self._key(station_id, id16))
        records = [self._record(station_id, i, data) for i, data in zip(ids, pipe.execute(), strict=True)]
        return [r for r in records if r is not None and not r.ended]

    def next_seq(self, station_id: str, id16: int) -> int:
        seq = self._next_seq(keys=[self._key(station_id, id16)])
        if seq is None:
            raise KeyError(f"no transaction {id16} for {station_id}")
        return int(seq)  # type: ignore[arg-type]

    def end(self, station_id: str, id16: int) -> None:
        pipe = self.redis.pipeline()
        pipe.hset(self._key(station_id, id16), "ended", 1)
        pipe.zrem(f"{PREFIX}active:{station_id}", str(id16))
        pipe.execute()

    def close(self) -> None:
        self.redis.close()
