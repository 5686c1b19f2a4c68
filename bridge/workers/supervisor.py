"""The supervisor of `ocpp-bridge run --workers N`: starts N worker processes, keeps them running, and
stops them together.

- Each worker (worker.py) is the ordinary bridge, accepting on the same port with SO_REUSEPORT: the
  kernel spreads new connections over the workers' listeners.
- SIGTERM or SIGINT: forwarded to every worker, which drains as one bridge does (503 for new stations,
  1001 to the connected ones, at most --drain-timeout); the supervisor exits 0 once all have exited.
  SIGHUP: forwarded (each worker reloads its certificates, allow-list and station modes).
- A worker that exits unexpectedly is logged, counted (bridge_worker_restarts_total) and started again
  after a back-off: 0.5 s, doubling up to 30 s, back to 0.5 s once a worker ran a minute. A worker
  that fails during the first start (a bad file, a port in use) stops them all: the supervisor exits
  with its code, as one process would have.
- Workers get SIGTERM if the supervisor dies (PR_SET_PDEATHSIG) and run in their own session, so a
  terminal's Ctrl-C reaches the supervisor only, which then stops them in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge

from bridge import limits
from bridge.settings import Settings
from bridge.workers.link import LinkHub
from bridge.workers.merge import WorkerMetrics
from bridge.workers.worker import WORKER_ENV, link_socket

log = logging.getLogger("bridge.workers")

RESTART_FIRST = 0.5  # seconds before a dead worker is started again; doubles per failure...
RESTART_MAX = 30.0  # ...up to this
STEADY_AFTER = 60.0  # a worker that ran this long before it died starts the back-off afresh
STOP_MARGIN = 5.0  # seconds past --drain-timeout before workers still running are killed


def worker_settings(settings: Settings, count: int) -> Settings:
    """Each worker's settings: the supervisor's, with the upstream connection rate and burst shared
    out, so that the CSMS sees at most --upstream-connect-rate new connections a second from the
    whole bridge, as from one process (each worker admits its own share)."""
    return settings.model_copy(
        update={
            "upstream_connect_rate": settings.upstream_connect_rate / count,
            "upstream_connect_burst": max(1, settings.upstream_connect_burst // count),
        }
    )


@dataclass
class Slot:
    """One of the N places a worker runs in; its process changes when it is restarted."""

    index: int
    process: asyncio.subprocess.Process | None = None
    started_at: float = 0.0
    ready: bool = False
    restarts: int = 0
    delay: float = RESTART_FIRST

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None


class Supervisor:
    def __init__(self, settings: Settings, count: int, run_dir: str) -> None:
        self.settings = settings
        self.run_dir = run_dir
        self.slots = [Slot(i) for i in range(count)]
        self.hub = LinkHub(link_socket(run_dir), self._ready)
        self.stopping = False
        self.stop = asyncio.Event()
        self.all_started = asyncio.Event()  # every slot's first worker became ready
        self.failed: int | None = None  # exit code of a worker that could not start
        self.worker_metrics = WorkerMetrics()
        self.registry = CollectorRegistry()
        self.registry.register(self.worker_metrics)
        workers = Gauge("bridge_workers", "Worker processes running.", registry=self.registry)
        workers.set_function(lambda: sum(slot.running for slot in self.slots))
        self.restarts = Counter(
            "bridge_worker_restarts",
            "Worker processes that exited unexpectedly and were started again.",
            registry=self.registry,
        )
        self._settings_json = json.dumps(worker_settings(settings, count).model_dump(mode="json")).encode()

    def _ready(self, index: int, pid: int) -> None:
        slot = self.slots[index]
        if slot.pid != pid:
            return
        slot.ready = True
        if all(s.ready for s in self.slots):
            self.all_started.set()

    async def _spawn(self, slot: Slot) -> None:
        spec = {"slot": slot.index, "dir": self.run_dir, "supervisor": os.getpid()}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bridge.workers.worker",
            stdin=asyncio.subprocess.PIPE,
            env={**os.environ, WORKER_ENV: json.dumps(spec)},
            start_new_session=True,  # Ctrl-C goes to the supervisor, which stops the workers in order
        )
        assert process.stdin is not None
        process.stdin.write(self._settings_json)  # the settings, credentials included, never in argv/env
        with contextlib.suppress(ConnectionError):
            await process.stdin.drain()
        process.stdin.close()
        slot.process, slot.started_at, slot.ready = process, time.monotonic(), False
        log.info("worker %d started (pid %d)", slot.index, process.pid)

    async def _keep(self, slot: Slot) -> None:
        """Run the slot's worker; start it again, after a back-off, whenever it dies."""
        while not self.stop.is_set():
            await self._spawn(slot)
            assert slot.process is not None
            pid = slot.process.pid
            if self.stop.is_set():  # started while the others were told to stop
                slot.process.send_signal(signal.SIGTERM)
            code = await slot.process.wait()
            self.worker_metrics.retire(pid)
            slot.ready = False
            if self.stop.is_set():
                log.info("worker %d (pid %d) exited with code %d", slot.index, pid, code)
                return
            if not self.all_started.is_set():
                log.error(
                    "worker %d (pid %d) could not start (exit code %d): stopping", slot.index, pid, code
                )
                self.failed = code if code > 0 else 1
                self.stop.set()
                return
            ran = time.monotonic() - slot.started_at
            if ran >= STEADY_AFTER:
                slot.delay = RESTART_FIRST
            log.error(
                "worker %d (pid %d) exited unexpectedly (code %d) after %.0f s; starting it again in %.1f s",
                slot.index,
                pid,
                code,
                ran,
                slot.delay,
            )
            self.restarts.inc()
            slot.restarts += 1
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(slot.delay):
                    await self.stop.wait()
            slot.delay = min(slot.delay * 2, RESTART_MAX)

    def signal_workers(self, sig: signal.Signals) -> None:
        for slot in self.slots:
            if slot.running and slot.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(slot.pid, sig)

    def _hangup(self) -> None:
        log.info("SIGHUP: forwarded to the workers (TLS certificates, station allow-list)")
        self.signal_workers(signal.SIGHUP)

    async def run(self) -> int:
        from bridge.cli import StartError, open_store_for, store_start_error
        from bridge.workers.admin import start_admin

        began = time.monotonic()
        room = limits.station_room(limits.raise_nofile())  # the workers inherit the raised soft limit
        # Opened once here: a store that cannot be used stops start-up in one place, and a new SQLite
        # file is created (and put in WAL mode) before the workers race to open it.
        store = open_store_for(self.settings)
        try:
            await store.open()
        except Exception as exc:
            raise store_start_error(self.settings, exc) from None
        finally:
            with contextlib.suppress(Exception):
                await store.close()
        await self.hub.start()
        admin = await start_admin(self)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop.set)
        loop.add_signal_handler(signal.SIGHUP, self._hangup)
        keepers = [asyncio.create_task(self._keep(slot)) for slot in self.slots]
        try:
            waits = [asyncio.create_task(self.all_started.wait()), asyncio.create_task(self.stop.wait())]
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for wait in waits:
                wait.cancel()
            if self.all_started.is_set() and not self.stop.is_set():
                log.info(
                    "%d workers listening on %s:%s for OCPP 1.6J stations; room for about %d stations "
                    "(%d a worker); ready in %.0f ms",
                    len(self.slots),
                    self.settings.host,
                    self.settings.port,
                    room * len(self.slots),
                    room,
                    (time.monotonic() - began) * 1000,
                )
            await self.stop.wait()
            if self.failed is None:
                log.info("signal received: draining the %d workers", len(self.slots))
            await self._stop_workers(keepers)
        finally:
            await admin.cleanup()
            await self.hub.close()
        if self.failed is not None:
            raise StartError(f"a worker could not start (exit code {self.failed}); see its log above")
        log.info("stopped")
        return 0

    async def _stop_workers(self, keepers: list[asyncio.Task[None]]) -> None:
        self.stopping = True
        self.signal_workers(signal.SIGTERM)
        try:
            async with asyncio.timeout(self.settings.drain_timeout + STOP_MARGIN):
                await asyncio.gather(*keepers, return_exceptions=True)
        except TimeoutError:
            log.warning("workers still running %.0f s after SIGTERM: killing them", STOP_MARGIN)
            self.signal_workers(signal.SIGKILL)
            await asyncio.gather(*keepers, return_exceptions=True)


def supervise(settings: Settings, count: int) -> int:
    """`ocpp-bridge run --workers N` (N > 1): run the supervisor until its workers have drained."""
    from bridge.cli import StartError
    from bridge.store import StoreError

    run_dir = tempfile.mkdtemp(prefix="ocpp-bridge-")  # private (0700): the workers' admin and link sockets
    try:
        return asyncio.run(Supervisor(settings, count, run_dir).run())
    except (StartError, StoreError, OSError) as exc:
        log.error("cannot start: %s", exc)
        return 1
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
