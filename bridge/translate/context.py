"""What the translators know about one station: the explicit context object (no globals)."""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from cachetools import LRUCache, TTLCache

from bridge.store import StoreUnavailable, TransactionRecord
from bridge.store.base import RECENTLY_ENDED
from bridge.tables import Tables
from bridge.topology import Topology, TopologyBook

MEMORY_SIZE = 64  # entries in one of a station's expiring memories (connectors, trigger kinds)


@dataclass(slots=True)
class Staged:
    """Transaction records one translation changed: to be saved before its frames are sent."""

    records: list[TransactionRecord]
    undo: list[tuple[int, TransactionRecord | None, TransactionRecord | None]]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class StationContext:
    station_id: str
    tables: Tables
    topologies: TopologyBook = field(default_factory=TopologyBook)
    id_token_type: str = "ISO14443"
    security_extension: bool = False
    now: Callable[[], datetime] = utc_now
    clock: Callable[[], float] = time.monotonic
    trigger_window: float = 60.0  # seconds an accepted trigger waits for its message
    # learned from the connection
    model: str | None = None  # chargePointModel from the last BootNotification
    boots: int = 0  # BootNotifications seen on this connection
    notify_event_seq: int = 0
    event_ids: int = 0
    connector_errors: dict[int, str] = field(default_factory=dict)  # open Problem events per connector
    # Memories with a lifetime (trigger_window seconds, on this context's clock): cachetools' TTLCache,
    # made on first use (most stations never need them: idle memory per station counts).
    pending_triggers: TTLCache[str, bool] | None = None  # 1.6 action of an accepted trigger
    # requestIds of the last 2.0.1 GetLog / UpdateFirmware sent down (the 1.6 notifications lack them)
    log_request_id: int | None = None
    firmware_request_id: int | None = None
    # the next new 1.6 transactionId (the server's IdPool; here a counter for translate and tests)
    new_id16: Callable[[], int] = field(default_factory=lambda: itertools.count(1).__next__)
    wall_clock: Callable[[], float] = time.time
    offline_after: float = 60.0  # a transaction message this much older than now is an offline replay
    remote_starts: TTLCache[int | None, int] | None = None  # connector (None: any) -> remoteStartId
    charging_states: dict[int, str] = field(default_factory=dict)  # last chargingState sent per connector
    # transactions: see load_transactions(); running None = the store could not be read
    running: dict[int, TransactionRecord] | None = field(default_factory=dict)
    ended: LRUCache[int, TransactionRecord] | None = None  # recently ended (a retried StopTransaction)
    writes: dict[int, TransactionRecord] | None = None  # staged by the current translation
    undo: list[tuple[int, TransactionRecord | None, TransactionRecord | None]] | None = None
    noted: set[str] | None = None  # see first_time(); None until the first note (idle memory)
    # A Reset OnIdle answered Scheduled: the bridge resets the station (Soft) when its last
    # transaction ends (bridge/translate/transactions.py).
    reset_when_idle: bool = False
    # The boot reason a station's next BootNotification gets (RemoteReset after a Reset the bridge
    # passed on): kept by the server across the station's connections, since a reset reconnects.
    boot_reasons: MutableMapping[str, str] = field(default_factory=dict)
    replaying_until: float = 0.0  # clock time until which the station is taken to replay its queue
    tx_triggers: TTLCache[int, bool] | None = None  # connectors with a TransactionEvent trigger

    @property
    def topology(self) -> Topology:
        return self.topologies.for_station(self.station_id, self.model)

    def next_event_id(self) -> int:
        self.event_ids += 1
        return self.event_ids

    def next_notify_seq(self) -> int:
        seq = self.notify_event_seq
        self.notify_event_seq += 1
        return seq

    # -- transactions (filled by bridge/translate/transactions.py) ---------------------------------

    # This connection's view of the station's transactions: loaded from the store once when the
    # connection opens (the session does it, asynchronously) and then kept here, so a translation
    # never waits for the store. Only the station's one connection starts, numbers and ends its
    # transactions. What a translation changes is staged: `take_writes()` hands the records to the
    # session, which saves them before it sends the frames that refer to them, and `rollback()`
    # undoes them when the store failed (the station then gets an InternalError and retries).

    def load_transactions(self, records: Iterable[TransactionRecord]) -> None:
        self.running = {}
        self.ended = None
        for record in records:
            if record.ended:
                self._remember_ended(record)
            else:
                self.running[record.id16] = record

    def _running(self) -> dict[int, TransactionRecord]:
        if self.running is None:
            raise StoreUnavailable("this connection could not read the station's transactions from the store")
        return self.running

    def _remember_ended(self, record: TransactionRecord) -> None:
        if self.ended is None:
            self.ended = LRUCache(maxsize=RECENTLY_ENDED)
        self.ended[record.id16] = record

    def _stage(self, record: TransactionRecord) -> None:
        """Make `record` the current state of its transaction and schedule it to be saved."""
        running = self._running()
        if self.writes is None:
            self.writes, self.undo = {}, []
        if record.id16 not in self.writes:
            previous_ended = self.ended.get(record.id16) if self.ended is not None else None
            self.undo.append((record.id16, running.get(record.id16), previous_ended))  # type: ignore[union-attr]
        self.writes[record.id16] = record
        if record.ended:
            running.pop(record.id16, None)
            self._remember_ended(record)
        else:
            running[record.id16] = record

    def take_writes(self) -> Staged | None:
        """What the last translation staged (records to save, and how to undo them), or None."""
        if not self.writes:
            return None
        staged = Staged(list(self.writes.values()), self.undo or [])
        self.writes = self.undo = None
        return staged

    def rollback(self, staged: Staged | None = None) -> None:
        """Undo what a translation staged (`staged`, or the current one): its records were not saved."""
        undo = staged.undo if staged is not None else (self.undo or [])
        running = self.running
        for id16, previous, previous_ended in reversed(undo):
            if running is not None:
                if previous is None:
                    running.pop(id16, None)
                else:
                    running[id16] = previous
            if self.ended is not None:
                if previous_ended is None:
                    self.ended.pop(id16, None)
                else:
                    self.ended[id16] = previous_ended
        self.writes = self.undo = None

    def running_transactions(self) -> list[TransactionRecord]:
        """Transactions of this station that have not ended, oldest first."""
        return list(self._running().values())

    def transaction(self, id16: int) -> TransactionRecord | None:
        """A transaction of this station by its 1.6 id: a running one or a recently ended one."""
        record = self._running().get(id16)
        if record is None and self.ended is not None:
            record = self.ended.get(id16)
        return record

    def start_transaction(self, connector_id: int, remote_start_id: int | None) -> TransactionRecord:
        """A new transaction: a new 1.6 id and a new 2.0.1 id; its Started event takes seqNo 0."""
        id16 = self.new_id16()
        while self.transaction(id16) is not None:  # a station's own id from before the bridge
            id16 = self.new_id16()
        record = TransactionRecord(self.station_id, id16, str(uuid.uuid4()), connector_id, remote_start_id)
        self._stage(record)
        return record

    def adopt_transaction(self, id16: int, connector_id: int) -> TransactionRecord:
        """A transaction the station runs under a 1.6 id nobody knows (started before the bridge, or
        the store lost it): a new 2.0.1 id for it, kept under the station's own id."""
        record = TransactionRecord(self.station_id, id16, str(uuid.uuid4()), connector_id)
        self._stage(record)
        return record

    def next_seq(self, id16: int) -> int:
        """Take the next seqNo of a transaction of this station."""
        record = self.transaction(id16)
        if record is None:
            raise KeyError(f"no transaction {id16} on this connection")
        self._stage(replace(record, next_seq=record.next_seq + 1))
        return record.next_seq

    def end_transaction(self, id16: int) -> None:
        record = self.transaction(id16)
        if record is not None:
            self._stage(replace(record, ended=True, ended_at=self.wall_clock()))

    def transaction_id_16(self, transaction_id: str) -> int | None:
        """The 1.6 integer transactionId of a 2.0.1 transactionId this station runs, or None."""
        return next((r.id16 for r in self._running().values() if r.id201 == transaction_id), None)

    def transaction_on_connector(self, connector_id: int) -> str | None:
        """The 2.0.1 transactionId of the transaction running on a 1.6 connector, or None."""
        record = self.active_transaction(connector_id)
        return record.id201 if record is not None else None

    def active_transaction(self, connector_id: int) -> TransactionRecord | None:
        matches = [r for r in self._running().values() if r.connector_id == connector_id]
        return matches[-1] if matches else None

    def is_offline_replay(self, timestamp: datetime) -> bool:
        return (self.now() - timestamp).total_seconds() > self.offline_after

    def _lifetime_memory(self) -> TTLCache[Any, Any]:
        return TTLCache(maxsize=MEMORY_SIZE, ttl=self.trigger_window, timer=lambda: self.clock())

    def expect_remote_start(self, connector_id: int | None, remote_start_id: int) -> None:
        if self.remote_starts is None:
            self.remote_starts = self._lifetime_memory()
        self.remote_starts[connector_id] = remote_start_id

    def take_remote_start(self, connector_id: int) -> int | None:
        """The remoteStartId of a RequestStartTransaction for this connector (or any), once."""
        for key in (connector_id, None):
            remote_start_id = self.remote_starts.pop(key, None) if self.remote_starts is not None else None
            if remote_start_id is not None:
                return int(remote_start_id)
        return None

    def expect_tx_trigger(self, connector_id: int) -> None:
        """A TransactionEvent trigger went down as a MeterValues trigger for this connector."""
        if self.tx_triggers is None:
            self.tx_triggers = self._lifetime_memory()
        self.tx_triggers[connector_id] = True

    def take_tx_trigger(self, connector_id: int) -> bool:
        return self.tx_triggers is not None and self.tx_triggers.pop(connector_id, False)

    def expect_trigger(self, action: str) -> None:
        """The station accepted a trigger: its next `action` call is the triggered message."""
        if self.pending_triggers is None:
            self.pending_triggers = self._lifetime_memory()
        self.pending_triggers[action] = True

    def first_time(self, what: str) -> bool:
        """True the first time `what` is asked about on this connection: for facts worth one INFO line
        per station (a measurand it sends that 2.0.1 lacks), not one per message of a whole fleet."""
        if self.noted is None:
            self.noted = set()
        if what in self.noted:
            return False
        self.noted.add(what)
        return True

    def take_trigger(self, action: str) -> bool:
        """True (once) when `action` arrives while a trigger for it is pending."""
        return self.pending_triggers is not None and self.pending_triggers.pop(action, False)
