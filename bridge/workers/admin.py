"""The supervisor's admin port (--admin-port), the one a probe or Prometheus sees with --workers:

    GET /healthz    200 while the supervisor runs
    GET /readyz     200 when every worker answers its own /readyz with 200; 503 while starting, while a
                    worker is missing (being restarted) and while draining
    GET /metrics    the workers' metrics merged into one exposition (merge.py), plus bridge_workers and
                    bridge_worker_restarts_total
    GET /workers    JSON: each worker's slot, pid, readiness, restarts, uptime and stations connected
    GET /shadow     the workers' shadow comparisons merged into one report (bridge/shadow_report.py)

Each worker serves its own admin app on a Unix socket in the supervisor's private directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bridge.shadow_report import merge_reports
from bridge.workers.merge import parse
from bridge.workers.worker import admin_socket

if TYPE_CHECKING:
    from bridge.workers.supervisor import Slot, Supervisor

log = logging.getLogger("bridge.workers")

WORKER_ANSWER_WITHIN = 2.0  # seconds a worker's admin socket has to answer


class SupervisorAdmin:
    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor
        self.clients: dict[int, aiohttp.ClientSession] = {}
        self.app = web.Application()
        self.app.router.add_get("/healthz", self.healthz)
        self.app.router.add_get("/readyz", self.readyz)
        self.app.router.add_get("/metrics", self.metrics)
        self.app.router.add_get("/workers", self.workers)
        self.app.router.add_get("/shadow", self.shadow)
        self.app.on_cleanup.append(self._close)

    async def _close(self, app: web.Application) -> None:
        for client in self.clients.values():
            await client.close()

    async def _get(self, slot: Slot, path: str) -> tuple[int, str] | None:
        """(status, body) of GET `path` on the slot's worker, or None if it does not answer."""
        if not slot.running:
            return None
        client = self.clients.get(slot.index)
        if client is None:
            connector = aiohttp.UnixConnector(path=admin_socket(self.supervisor.run_dir, slot.index))
            client = self.clients[slot.index] = aiohttp.ClientSession(connector=connector)
        try:
            async with (
                asyncio.timeout(WORKER_ANSWER_WITHIN),
                client.get(f"http://worker-{slot.index}{path}") as response,
            ):
                return response.status, await response.text()
        except (aiohttp.ClientError, OSError, TimeoutError):
            return None

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(self, request: web.Request) -> web.Response:
        if self.supervisor.stopping or self.supervisor.stop.is_set():
            return web.Response(status=503, text="draining\n")
        answers = await asyncio.gather(*(self._get(slot, "/readyz") for slot in self.supervisor.slots))
        waiting = [
            slot.index
            for slot, answer in zip(self.supervisor.slots, answers, strict=True)
            if not answer or answer[0] != 200
        ]
        if waiting:
            return web.Response(status=503, text=f"starting: worker(s) {waiting} not ready\n")
        return web.Response(text="ready\n")

    async def metrics(self, request: web.Request) -> web.Response:
        slots = self.supervisor.slots
        pids = [slot.pid for slot in slots]
        answers = await asyncio.gather(*(self._get(slot, "/metrics") for slot in slots))
        for slot, pid, answer in zip(slots, pids, answers, strict=True):
            # only for a worker still running: one that exited was retired, its totals kept once
            if (
                answer is not None
                and answer[0] == 200
                and pid is not None
                and slot.pid == pid
                and slot.running
            ):
                with contextlib.suppress(ValueError):
                    self.supervisor.worker_metrics.update(pid, answer[1])
        body = generate_latest(self.supervisor.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def shadow(self, request: web.Request) -> web.Response:
        """The workers' shadow comparisons as one report (bridge/shadow_report.py); a worker that does
        not answer is left out and named."""
        slots = self.supervisor.slots
        answers = await asyncio.gather(*(self._get(slot, "/shadow") for slot in slots))
        reports, missing = [], []
        for slot, answer in zip(slots, answers, strict=True):
            if answer is None or answer[0] != 200:
                missing.append(slot.index)
                continue
            with contextlib.suppress(ValueError):
                reports.append(json.loads(answer[1]))
        merged = merge_reports(reports)
        if missing:
            merged["workers_missing"] = missing
        return web.json_response(merged)

    async def workers(self, request: web.Request) -> web.Response:
        slots = self.supervisor.slots
        answers = await asyncio.gather(*(self._get(slot, "/metrics") for slot in slots))
        now = time.monotonic()
        return web.json_response(
            [
                {
                    "slot": slot.index,
                    "pid": slot.pid if slot.running else None,
                    "ready": slot.ready,
                    "restarts": slot.restarts,
                    "uptime_seconds": round(now - slot.started_at, 1) if slot.running else None,
                    "stations": stations(answer[1]) if answer is not None and answer[0] == 200 else None,
                }
                for slot, answer in zip(slots, answers, strict=True)
            ]
        )


def stations(exposition: str) -> int | None:
    """bridge_connected_stations of one worker's exposition."""
    try:
        family = parse(exposition).get("bridge_connected_stations")
    except ValueError:
        return None
    return int(sum(family.samples.values())) if family is not None else None


async def start_admin(supervisor: Supervisor) -> web.AppRunner:
    settings = supervisor.settings
    runner = web.AppRunner(
        SupervisorAdmin(supervisor).app, handle_signals=False, access_log=None, shutdown_timeout=1.0
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, settings.admin_port).start()
    except OSError:
        await runner.cleanup()
        raise
    log.info(
        "health and metrics of all workers on %s:%s (/healthz, /readyz, /metrics, /workers, /shadow)",
        settings.host,
        settings.admin_port,
    )
    return runner
