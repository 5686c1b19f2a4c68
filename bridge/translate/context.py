"""What the translators know about one station: the explicit context object (no globals)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bridge.store import MemoryStore, TransactionRecord, TransactionStore
from bridge.tables import Tables
from bridge.topology import Topology, TopologyBook


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
    pending_triggers: dict[str, float] = field(default_factory=dict)  # 1.6 action -> deadline
    # requestIds of the last 2.0.1 GetLog / UpdateFirmware sent down (the 1.6 notifications lack them)
    log_request_id: int | None = None
    firmware_request_id: int | None = None
    store: TransactionStore = field(default_factory=MemoryStore)
    offline_after: float = 60.0  # a transaction message this much older than now is an offline replay
    remote_starts: dict[int | None, tuple[int, float]] = field(
        default_factory=dict
    )  # connector -> (id, deadline)
    charging_states: dict[int, str] = field(default_factory=dict)  # last chargingState sent per connector
    running: dict[int, TransactionRecord] | None = None  # see _running(); None: not read yet
    noted: set[str] | None = None  # see first_time(); None until the first note (idle memory)
    tx_triggers: dict[int, float] = field(
        default_factory=dict
    )  # connector -> deadline of a TransactionEvent trigger

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

    # This connection's view of the station's running transactions, read from the store once and
    # then kept in step here: only the station's one connection starts and ends its transactions, and
    # a status or meter reading must not cost a store round trip (a synchronous one, with Redis).

    def _running(self) -> dict[int, TransactionRecord]:
        if self.running is None:
            self.running = {r.id16: r for r in self.store.active(self.station_id)}
        return self.running

    def running_transactions(self) -> list[TransactionRecord]:
        """Transactions of this station that have not ended, oldest first."""
        return list(self._running().values())

    def transaction(self, id16: int) -> TransactionRecord | None:
        """A transaction of this station by its 1.6 id: a running one, or an ended one from the store."""
        record = self._running().get(id16)
        return record if record is not None else self.store.by_16(self.station_id, id16)

    def start_transaction(self, connector_id: int, remote_start_id: int | None) -> TransactionRecord:
        running = self._running()
        record = self.store.start(self.station_id, connector_id, remote_start_id)
        running[record.id16] = record
        return record

    def end_transaction(self, record: TransactionRecord) -> None:
        self.store.end(self.station_id, record.id16)
        self._running().pop(record.id16, None)

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

    def expect_remote_start(self, connector_id: int | None, remote_start_id: int) -> None:
        self.remote_starts[connector_id] = (remote_start_id, self.clock() + self.trigger_window)

    def take_remote_start(self, connector_id: int) -> int | None:
        """The remoteStartId of a RequestStartTransaction for this connector (or any), once."""
        for key in (connector_id, None):
            entry = self.remote_starts.pop(key, None)
            if entry is not None and self.clock() <= entry[1]:
                return entry[0]
        return None

    def take_tx_trigger(self, connector_id: int) -> bool:
        deadline = self.tx_triggers.pop(connector_id, None)
        return deadline is not None and self.clock() <= deadline

    def expect_trigger(self, action: str) -> None:
        """The station accepted a trigger: its next `action` call is the triggered message."""
        self.pending_triggers[action] = self.clock() + self.trigger_window

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
        deadline = self.pending_triggers.pop(action, None)
        return deadline is not None and self.clock() <= deadline
