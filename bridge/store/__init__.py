"""Stores for state that must outlive a process: see base.py for the interface.

`open_store(url)`:
- `sqlite:///relative/path.sqlite3` or `sqlite:////absolute/path.sqlite3` (the embedded default),
- `redis://host:6379/0` (shared by several replicas; `rediss://` for TLS),
- `memory:` (nothing survives; for trying things out).
"""

from __future__ import annotations

from bridge.store.base import TransactionRecord, TransactionStore
from bridge.store.memory import MemoryStore

__all__ = ["MemoryStore", "StoreError", "TransactionRecord", "TransactionStore", "open_store"]


class StoreError(ValueError):
    pass


def open_store(url: str) -> TransactionStore:
    if url.startswith("sqlite:///"):
        from bridge.store.sqlite import SqliteStore

        return SqliteStore(url[len("sqlite:///") :])
    if url.startswith(("redis://", "rediss://", "unix://")):
        from bridge.store.redis import RedisStore

        try:
            return RedisStore(url)
        except Exception as exc:  # connection refused, auth, DNS: say which store and why
            raise StoreError(f"cannot reach the Redis store {url.split('@')[-1]}: {exc}") from exc
    if url == "memory:":
        return MemoryStore()
    raise StoreError(f"unknown store URL {url!r}: use sqlite:///<path>, redis://host:port/db or memory:")
