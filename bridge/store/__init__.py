"""Stores for state that must outlive a process: see base.py for the interface.

`open_store(url)`:
- `sqlite:///relative/path.sqlite3` or `sqlite:////absolute/path.sqlite3` (the embedded default),
- `redis://[:password@]host:6379/0` (shared by several replicas; `rediss://` for TLS),
- `memory:` (nothing survives; for trying things out).
"""

from __future__ import annotations

from bridge.store.base import StoreError, StoreUnavailable, TransactionRecord, TransactionStore
from bridge.store.memory import MemoryStore

__all__ = [
    "MemoryStore",
    "StoreError",
    "StoreUnavailable",
    "TransactionRecord",
    "TransactionStore",
    "open_store",
]


def open_store(url: str, *, timeout: float = 2.0, retention: float = 7 * 86400) -> TransactionStore:
    """The store a URL names, not yet connected (`await store.open()` does that)."""
    if url.startswith("sqlite:///"):
        from bridge.store.sqlite import SqliteStore

        return SqliteStore(url[len("sqlite:///") :], busy_timeout=timeout)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from bridge.store.redis import RedisStore

        try:
            return RedisStore(url, timeout=timeout, retention=retention)
        except ValueError as exc:  # a malformed URL
            raise StoreError(f"bad Redis store URL: {exc}") from exc
    if url == "memory:":
        return MemoryStore()
    raise StoreError(f"unknown store URL {url!r}: use sqlite:///<path>, redis://host:port/db or memory:")
