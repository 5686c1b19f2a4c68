"""What the translators know about one station: the explicit context object (no globals)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

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
    transactions_by_201: dict[str, int] = field(default_factory=dict)
    active_by_connector: dict[int, str] = field(default_factory=dict)

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

    def transaction_id_16(self, transaction_id: str) -> int | None:
        """The 1.6 integer transactionId of a 2.0.1 transactionId this station runs, or None."""
        return self.transactions_by_201.get(transaction_id)

    def transaction_on_connector(self, connector_id: int) -> str | None:
        """The 2.0.1 transactionId of the transaction running on a 1.6 connector, or None."""
        return self.active_by_connector.get(connector_id)

    def expect_trigger(self, action: str) -> None:
        """The station accepted a trigger: its next `action` call is the triggered message."""
        self.pending_triggers[action] = self.clock() + self.trigger_window

    def take_trigger(self, action: str) -> bool:
        """True (once) when `action` arrives while a trigger for it is pending."""
        deadline = self.pending_triggers.pop(action, None)
        return deadline is not None and self.clock() <= deadline
