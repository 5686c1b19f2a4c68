"""A real 1.6J CSMS for the migration tests: the `ocpp` package's 1.6 ChargePoint as the central
system (it validates every payload against the official 1.6 schemas), on a loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call_result as result16

from tests.conftest import Connection, now, serve_loopback


class LegacyCsms(ChargePoint16):
    """Accepts every idTag except those in `blocked`; numbers transactions from 1001."""

    def __init__(self, station_id: str, connection: Connection, server: LegacyServer) -> None:
        super().__init__(station_id, connection, response_timeout=5)
        self.frames = connection.log
        self.server = server

    def received_calls(self, action: str | None = None) -> list[list[Any]]:
        return [f for d, f in self.frames if d == "received" and f[0] == 2 and action in (None, f[2])]

    def _tag(self, id_tag: str) -> dict[str, Any]:
        return {"status": "Blocked" if id_tag in self.server.blocked else "Accepted"}

    @on("BootNotification")
    def on_boot(self, **kwargs: Any) -> result16.BootNotification:
        return result16.BootNotification(current_time=now(), interval=300, status="Accepted")

    @on("Heartbeat")
    def on_heartbeat(self) -> result16.Heartbeat:
        return result16.Heartbeat(current_time=now())

    @on("StatusNotification")
    def on_status(self, **kwargs: Any) -> result16.StatusNotification:
        return result16.StatusNotification()

    @on("Authorize")
    def on_authorize(self, id_tag: str) -> result16.Authorize:
        return result16.Authorize(id_tag_info=self._tag(id_tag))

    @on("StartTransaction")
    def on_start(self, id_tag: str, **kwargs: Any) -> result16.StartTransaction:
        return result16.StartTransaction(transaction_id=next(self.server.ids), id_tag_info=self._tag(id_tag))

    @on("StopTransaction")
    def on_stop(self, **kwargs: Any) -> result16.StopTransaction:
        return result16.StopTransaction()

    @on("MeterValues")
    def on_meter_values(self, **kwargs: Any) -> result16.MeterValues:
        return result16.MeterValues()

    @on("DataTransfer")
    def on_data_transfer(self, **kwargs: Any) -> result16.DataTransfer:
        return result16.DataTransfer(status="Accepted")


@dataclass
class LegacyServer:
    url: str = ""
    stations: dict[str, LegacyCsms] = field(default_factory=dict)
    logs: dict[str, list[tuple[str, list[Any]]]] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1001))
    runner: web.AppRunner | None = None

    def received_calls(self, station_id: str, action: str | None = None) -> list[list[Any]]:
        log = self.logs.get(station_id, [])
        return [f for d, f in log if d == "received" and f[0] == 2 and action in (None, f[2])]


async def start_legacy() -> LegacyServer:
    server = LegacyServer()

    async def handle(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(protocols=("ocpp1.6",))
        await ws.prepare(request)
        station_id = request.match_info["station"]
        csms = LegacyCsms(station_id, Connection(ws, server.logs.setdefault(station_id, [])), server)
        server.stations[station_id] = csms
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await csms.start()
        return ws

    server.runner, port = await serve_loopback("/legacy/{station}", handle)
    server.url = f"ws://127.0.0.1:{port}/legacy"
    return server
