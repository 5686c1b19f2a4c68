"""Admission of new upstream connections: a bounded rate, so a reconnect storm cannot flatten the CSMS.

When the CSMS restarts, every station the bridge serves is closed at once (so that it queues its
data offline) and they all reconnect within seconds. Passing that storm straight on would hit the
CSMS with hundreds of TLS handshakes and BootNotifications the moment it comes back, and may knock it
over again. Each station handshake therefore takes a slot from a rate limiter before the bridge opens
its upstream connection: `burst` connections may open at once, then `rate` per second. Slots are
handed out first come, first served; a handshake that would wait longer than `max_wait` is refused
(HTTP 503 with Retry-After) instead, and the station retries later, as OCPP stations do.

The algorithm is the generic cell rate algorithm (a token bucket seen from the clock): `_tat` is the
theoretical arrival time of the next slot. It needs no background task and is exact for any clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class AdmissionRefused(Exception):
    """No slot within the caller's wait; `retry_after` is when one would have been free, in seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"no upstream connection slot within the wait; retry in {retry_after:.1f} s")
        self.retry_after = retry_after


class Admission:
    """At most `burst` slots at once, then `rate` slots per second, in the order they are asked for."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._interval = 1.0 / rate
        self._tolerance = (burst - 1) * self._interval
        self._tat = clock()
        self.waiting = 0  # handshakes waiting for their slot right now

    def reserve(self, max_wait: float) -> float:
        """Reserve the next slot and return the seconds until it starts (0: now).

        Raises AdmissionRefused, reserving nothing, if that would be more than `max_wait` seconds.
        """
        now = self.clock()
        tat = max(self._tat, now)
        delay = max(0.0, tat - self._tolerance - now)
        if delay > max_wait:
            raise AdmissionRefused(delay)
        self._tat = tat + self._interval
        return delay

    async def admit(self, max_wait: float) -> float:
        """Wait for a slot (at most `max_wait` seconds); return how long it waited."""
        delay = self.reserve(max_wait)
        if delay > 0:
            self.waiting += 1
            try:
                await asyncio.sleep(delay)
            finally:
                self.waiting -= 1
        return delay
