"""The aiohttp applications: stations on one port, health, readiness and metrics on the admin port.

    station port (--port):
    GET /<...>/<id>     WebSocket for station <id> (subprotocol ocpp1.6, or ocpp2.0.1 passed through)
    admin port (--admin-port; /healthz and /readyz also on the station port with --health-on-station-port):
    GET /healthz        200 while the process runs
    GET /readyz         200 once listening with configuration loaded, 503 while draining
    GET /metrics        Prometheus text format
    GET /shadow         the shadow comparison so far, JSON (bridge/shadow.py)

A station's handshake is only accepted once the upstream connection to the CSMS is open, so a
CSMS that is down or refuses the station is reported to the station as an HTTP status (502, 504,
or the CSMS's own 401/403/404) instead of a connection that leads nowhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import aiohttp
from aiohttp import WSServerHandshakeError, web
from cachetools import TTLCache
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from yarl import URL

from bridge.admission import Admission, AdmissionRefused
from bridge.allowlist import AllowList
from bridge.compare import load_fields
from bridge.engine import Engine
from bridge.logs import station_id as station_id_var
from bridge.metrics import Metrics
from bridge.modes import ModeBook, NoCommonProtocol, Route, route, station_protocol
from bridge.passthrough import PassthroughEngine
from bridge.session import GOING_AWAY, REPLACED, StationSession
from bridge.settings import Settings
from bridge.shadow import ShadowCopy
from bridge.shadow_report import ShadowReport
from bridge.store import StoreUnavailable, TransactionStore, open_store
from bridge.store.ids import IdPool
from bridge.tables import Tables, load_tables
from bridge.tls import TlsContexts
from bridge.topology import TopologyBook, load_topology
from bridge.trace import Tracer
from bridge.translate.context import StationContext
from bridge.upstream21 import PROTOCOLS, engine_class, load_v21_table, offered_protocols

log = logging.getLogger(__name__)

STATION_PROTOCOL = "ocpp1.6"
MAX_STATION_ID = 48  # OCPP identity: CiString48
PRUNE_EVERY = 3600.0  # seconds between prunes of ended transactions
FORWARDED_HEADERS = ("Authorization",)  # Security Profile 1: the CSMS stays the authority


class StationIdError(ValueError):
    pass


def station_id_from_path(raw_path: str) -> str:
    """The station id: the last segment of the (still percent-encoded) path, decoded and checked."""
    segment = raw_path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    try:
        station_id = unquote(segment, errors="strict")
    except UnicodeDecodeError:
        raise StationIdError("station id is not valid UTF-8") from None
    if not station_id:
        raise StationIdError("no station id: connect to ws://<bridge>/<stationId>")
    if len(station_id) > MAX_STATION_ID:
        raise StationIdError(f"station id longer than {MAX_STATION_ID} characters")
    if not station_id.isprintable() or any(c in station_id for c in "/\\") or station_id in (".", ".."):
        raise StationIdError("station id must be printable and contain no path separators")
    return station_id


def upstream_url(csms_url: str, station_id: str) -> str:
    return f"{csms_url}/{quote(station_id, safe='')}"


@dataclass
class Refusal(Exception):
    status: int
    reason: str
    retry_after: float | None = None  # seconds, sent as Retry-After


class BridgeServer:
    def __init__(
        self,
        settings: Settings,
        *,
        tables: Tables | None = None,
        topologies: TopologyBook | None = None,
        metrics: Metrics | None = None,
        store: TransactionStore | None = None,
    ) -> None:
        # Loading here (not per station) means a broken table or topology file stops start-up.
        self.settings = settings
        self.tables = tables or load_tables()
        load_v21_table()  # mappings/v21.toml too: checked even before a CSMS first accepts ocpp2.1
        self.topologies = topologies if topologies is not None else load_topology(settings.topology_file)
        self.metrics = metrics or Metrics()
        self.store = (
            store
            if store is not None
            else open_store(
                settings.store_url, timeout=settings.store_timeout, retention=settings.store_retention
            )
        )
        self.ids = IdPool(self.store, timeout=settings.store_timeout, on_error=self.metrics.store_error)
        self.pruner: asyncio.Task[None] | None = None
        self.store_open = False
        # boot reasons owed across a station's reconnection (RemoteReset after a Reset), 10 minutes
        self.boot_reasons: TTLCache[str, str] = TTLCache(maxsize=100_000, ttl=600)
        self.tls = TlsContexts(settings)  # station and upstream TLS (SIGHUP reloads them)
        self.allowlist = AllowList(settings.station_allowlist_file, settings.station_id_pattern)
        self.admission = Admission(settings.upstream_connect_rate, settings.upstream_connect_burst)
        self.tracer = Tracer(settings.trace)  # which stations' frames are logged (--trace, DEBUG)
        # migration modes of 1.6 stations and the shadow comparison (bridge/modes.py, bridge/shadow.py)
        self.modes = ModeBook(
            settings.station_modes_file, settings.default_mode, bool(settings.legacy_csms_url)
        )
        load_fields()  # mappings/shadow.toml, checked at start-up
        self.shadow_report = ShadowReport(self.metrics.registry)
        self.sessions: dict[str, StationSession] = {}
        # with --workers: tells the other workers that a station connected here (bridge/workers/link.py)
        self.claim: Callable[[str], Awaitable[None]] | None = None
        self.ready = False
        self.draining = False
        self.client: aiohttp.ClientSession | None = None
        self.ticker: asyncio.Task[None] | None = None
        # The admin port's application: kept off the station port so that an Ingress or load balancer
        # that publishes the stations' port does not publish the metrics too.
        self.admin_app = web.Application()
        self.admin_app.router.add_get("/healthz", self.healthz)
        self.admin_app.router.add_get("/readyz", self.readyz)
        self.admin_app.router.add_get("/metrics", self.metrics_endpoint)
        self.admin_app.router.add_get("/shadow", self.shadow_endpoint)
        self.app = web.Application()
        if settings.health_on_station_port:
            self.app.router.add_get("/healthz", self.healthz)
            self.app.router.add_get("/readyz", self.readyz)
        self.app.router.add_get(r"/{path:[\s\S]*}", self.station)  # any path, even one with a newline
        self.app.on_startup.append(self._start)
        self.app.on_cleanup.append(self._stop)

    async def _start(self, app: web.Application) -> None:
        # No pool limit: each station holds its upstream connection for as long as it is connected,
        # and aiohttp's default limit (100 connections) would stall the 101st station's handshake.
        await self.open_store()
        self.client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        self.ticker = asyncio.create_task(self._expire_loop())
        self.pruner = asyncio.create_task(self._prune_loop())

    async def open_store(self) -> None:
        """Connect the transaction store and reserve the first 1.6 ids (once; start-up calls it).
        Raises StoreError when the store cannot be opened: the bridge does not start without it."""
        if self.store_open:
            return
        try:
            async with asyncio.timeout(max(self.settings.store_timeout, 5.0)):
                await self.store.open()
        except TimeoutError:
            raise StoreUnavailable(f"the store {self.store.describe} did not answer at start-up") from None
        self.store_open = True
        await self.ids.refill()  # a failure is logged and retried: stations without transactions work

    async def _stop(self, app: web.Application) -> None:
        for task in (self.ticker, self.pruner):
            if task is not None:
                task.cancel()
        await self.drain(grace=1.0)
        if self.client is not None:
            await self.client.close()
        with contextlib.suppress(Exception):
            await self.store.close()

    # -- HTTP endpoints ----------------------------------------------------------------------------

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(self, request: web.Request) -> web.Response:
        if self.ready and not self.draining:
            return web.Response(text="ready\n")
        return web.Response(status=503, text="draining\n" if self.draining else "starting\n")

    async def metrics_endpoint(self, request: web.Request) -> web.Response:
        body = generate_latest(self.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def shadow_endpoint(self, request: web.Request) -> web.Response:
        """The shadow comparison so far (bridge/shadow.py), as JSON."""
        return web.json_response(self.shadow_report.as_json())

    # -- stations ----------------------------------------------------------------------------------

    async def station(self, request: web.Request) -> web.StreamResponse:
        try:
            station_id, path = self._check_handshake(request)
        except Refusal as refusal:
            return self._refuse(request, refusal, None)
        station_id_var.set(station_id)
        try:
            await self._admit()
            csms = await self._connect_upstream(request, station_id, path, newest=True, pair=True)
        except Refusal as refusal:
            return self._refuse(request, refusal, station_id)
        ws = web.WebSocketResponse(
            protocols=(path.station_protocol,),
            max_msg_size=self.settings.max_frame_size,
            # a station gone without a TCP close is found by its missing pong: the session pings
            # (bridge/liveness.py), so aiohttp's own heartbeat and autoping are off
            autoping=not self.settings.ws_ping_interval,
        )
        try:
            await ws.prepare(request)
        except Exception:
            await csms.close()
            raise
        engine = self._engine(station_id, path, csms.protocol or path.csms_protocol)
        shadow = await self._shadow(request, station_id, path) if path.shadow_url else None
        session = StationSession(
            station_id,
            ws,
            csms,
            engine,
            store=self.store,
            store_timeout=self.settings.store_timeout,
            on_store_error=self.metrics.store_error,
            max_send_buffer=self.settings.max_send_buffer,
            send_timeout=self.settings.send_timeout,
            metrics=self.metrics,
            shadow=shadow,
            ping_interval=self.settings.ws_ping_interval,
        )
        # Registered before the older connection is closed: a third connection of the same id that
        # arrives meanwhile then replaces this one, and never two stay open.
        previous, self.sessions[station_id] = self.sessions.get(station_id), session
        if previous is not None:
            log.warning("station connected again; closing its older connection (code %s)", REPLACED)
            await previous.close(REPLACED, "replaced by a newer connection of the same station")
        self.metrics.connections.labels("accepted").inc()
        self.metrics.stations.labels(path.mode).inc()
        self._log_upstream(path, csms.protocol or path.csms_protocol)
        try:
            if self.claim is not None:  # its older connection may be on another worker
                await self.claim(station_id)
            # read after the older connection is closed, so that what it saved last is read
            if path.translated:
                await self._load_transactions(engine)
            await session.run()
        finally:
            self.metrics.stations.labels(path.mode).dec()
            if self.sessions.get(station_id) is session:
                del self.sessions[station_id]
            log.info("station session ended")
        return ws

    def _check_handshake(self, request: web.Request) -> tuple[str, Route]:
        if self.draining:
            raise Refusal(503, "bridge is shutting down; reconnect to another instance")
        try:
            station_id = station_id_from_path(request.rel_url.raw_path)
        except StationIdError as exc:
            raise Refusal(400, str(exc)) from None
        if not self.allowlist.allows(station_id):
            raise Refusal(404, "unknown station id: not on this bridge's allow-list")
        if request.headers.get("Upgrade", "").lower() != "websocket":
            raise Refusal(426, f"connect with a WebSocket, subprotocol {STATION_PROTOCOL} or ocpp2.0.1")
        offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
        try:
            protocol = station_protocol(offered)
        except NoCommonProtocol as exc:
            raise Refusal(400, str(exc)) from None
        s = self.settings
        return station_id, route(protocol, self.modes.mode(station_id), s.csms_url, s.legacy_csms_url)

    async def _admit(self) -> None:
        """Wait for an upstream connection slot (bridge/admission.py), or refuse with 503."""
        try:
            waited = await self.admission.admit(max_wait=self.settings.connect_timeout)
        except AdmissionRefused as exc:
            raise Refusal(
                503, "too many stations connecting at once; retry later", retry_after=exc.retry_after
            ) from None
        if waited > 0:
            log.debug("waited %.2f s for an upstream connection slot", waited)
        if self.draining:
            raise Refusal(503, "bridge is shutting down; reconnect to another instance")

    async def _connect_upstream(
        self, request: web.Request, station_id: str, path: Route, *, newest: bool = False, pair: bool = False
    ) -> aiohttp.ClientWebSocketResponse:
        """The connection to the route's CSMS; `newest`: a translated route may be answered in 2.1."""
        assert self.client is not None
        offered = self._offered(path, newest=newest)
        url = upstream_url(path.csms_url, station_id)
        headers = {h: request.headers[h] for h in FORWARDED_HEADERS if h in request.headers}
        if "Authorization" in headers:  # the station's own credentials go up, not those of --csms-url
            url = str(URL(url, encoded=True).with_user(None))
        try:
            async with asyncio.timeout(self.settings.connect_timeout):
                csms = await self.client.ws_connect(
                    url,
                    protocols=offered,
                    headers=headers,
                    ssl=self.tls.upstream if self.tls.upstream is not None else True,
                    max_msg_size=self.settings.max_frame_size,
                    # a station pair's session pings itself (bridge/liveness.py); a shadow's
                    # connection has aiohttp's heartbeat
                    heartbeat=None if pair else self._heartbeat(),
                    autoping=not (pair and self.settings.ws_ping_interval),
                )
        except WSServerHandshakeError as exc:
            status = exc.status if exc.status in (401, 403, 404) else 502
            raise Refusal(
                status, f"the CSMS refused the connection: HTTP {exc.status} {exc.message}"
            ) from None
        except TimeoutError:
            raise Refusal(
                504, f"the CSMS did not answer within {self.settings.connect_timeout:g} s"
            ) from None
        except (aiohttp.ClientError, OSError) as exc:
            raise Refusal(502, f"cannot reach the CSMS: {exc}") from None
        if csms.protocol not in offered:
            await csms.close()
            raise Refusal(502, f"the CSMS did not accept WebSocket subprotocol {' or '.join(offered)}")
        return csms

    def _offered(self, path: Route, *, newest: bool) -> tuple[str, ...]:
        """Subprotocols asked of the CSMS: a 1.6 station's translated traffic may go up as 2.0.1 or
        2.1 (--csms-version first); pass-through, legacy and the shadow's copies as the route says (a
        shadow engine is built before its connection opens, so it stays on 2.0.1)."""
        if newest and path.translated and path.csms_protocol == PROTOCOLS["2.0.1"]:
            return offered_protocols(self.settings.csms_version)
        return (path.csms_protocol,)

    def _log_upstream(self, path: Route, protocol: str) -> None:
        preferred = self._offered(path, newest=True)[0]
        if protocol == preferred:
            log.info(
                "station connected over %s (mode %s); upstream %s open",
                path.station_protocol,
                path.mode,
                protocol,
            )
        else:  # offered second: the CSMS does not speak --csms-version (or prefers the other)
            log.info(
                "station connected over %s (mode %s); upstream %s open (the CSMS chose it over %s)",
                path.station_protocol,
                path.mode,
                protocol,
                preferred,
            )

    def _heartbeat(self) -> float | None:
        """aiohttp's heartbeat: a ping every --ws-ping-interval, the peer gone if no pong within half."""
        return self.settings.ws_ping_interval or None

    def _refuse(self, request: web.Request, refusal: Refusal, station_id: str | None) -> web.Response:
        self.metrics.connections.labels(f"refused_{refusal.status}").inc()
        log.warning(
            "refused station handshake %s: HTTP %s %s",
            request.rel_url.raw_path[:200],  # a hostile path is up to 8 KiB; the start says enough
            refusal.status,
            refusal.reason,
            extra={"station_id": station_id},
        )
        headers = {}
        if refusal.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(refusal.retry_after)))
        return web.Response(status=refusal.status, text=refusal.reason + "\n", headers=headers)

    def _engine(self, station_id: str, path: Route, csms_protocol: str = "") -> Engine:
        s = self.settings
        ctx = StationContext(
            station_id,
            self.tables,
            topologies=self.topologies,
            id_token_type=s.id_token_type,
            security_extension=s.security_extension or station_id in s.security_extension_stations,
            new_id16=self.ids.take,
            boot_reasons=self.boot_reasons,
            offline_after=s.offline_after,
        )
        options: dict[str, Any] = {
            "call_timeout": s.call_timeout,
            "max_pending": s.max_pending_calls,
            "observer": self.metrics,
            "deferred_store": True,  # the session saves transaction records before their frames go
            "repairs": s.station_repairs == "on",
        }
        if not path.translated:  # same version both sides: validated, forwarded unchanged
            return PassthroughEngine(ctx, version=path.station_protocol.removeprefix("ocpp"), **options)
        level = self.tracer.level(station_id)
        if level is not None:  # the live frame trace (bridge/trace.py)
            options["trace_level"] = level
        return engine_class(csms_protocol or path.csms_protocol, traced=level is not None)(ctx, **options)

    async def _shadow(self, request: web.Request, station_id: str, path: Route) -> ShadowCopy:
        """The shadow side of a station in shadow or primary+legacy-shadow mode (bridge/shadow.py)."""
        side = path.shadow_route()
        engine = self._engine(station_id, side)
        if side.translated:  # its transaction records are kept as a primary station's are
            await self._load_transactions(engine)
        return ShadowCopy(
            station_id,
            path.mode,
            engine,
            functools.partial(self._connect_upstream, request, station_id, side),
            self.shadow_report,
            timeout=self.settings.shadow_timeout,
            store=self.store,
            store_timeout=self.settings.store_timeout,
        )

    async def _load_transactions(self, engine: Engine) -> None:
        """The station's running (and recently ended) transactions, read once as it connects. If the
        store does not answer, the station is served anyway: only its transaction messages get
        InternalError until the session manages to read them (bridge/session.py)."""
        ctx = engine.ctx
        try:
            async with asyncio.timeout(self.settings.store_timeout):
                records = await self.store.load(ctx.station_id)
        except Exception as exc:
            self.metrics.store_error("load")
            problem = (
                f"no answer within {self.settings.store_timeout:g} s"
                if isinstance(exc, TimeoutError)
                else exc
            )
            log.warning(
                "cannot read the station's transactions from the store %s (%s); its transaction messages "
                "get InternalError until the store answers",
                self.store.describe,
                problem,
            )
            ctx.running = None
            return
        ctx.load_transactions(records)
        for record in records:
            self.ids.saw(record.id16)

    async def _prune_loop(self) -> None:
        """Forget transactions that ended more than --store-retention ago (SQLite, memory; Redis keys
        expire by themselves), at start-up and then every hour."""
        while True:
            try:
                async with asyncio.timeout(max(self.settings.store_timeout, 30.0)):
                    pruned = await self.store.prune(time.time() - self.settings.store_retention)
                if pruned:
                    log.info(
                        "pruned %d transaction(s) that ended over %g s ago",
                        pruned,
                        self.settings.store_retention,
                    )
            except Exception as exc:
                self.metrics.store_error("prune")
                log.warning(
                    "could not prune ended transactions in the store %s: %s", self.store.describe, exc
                )
            await asyncio.sleep(PRUNE_EVERY)

    async def _expire_loop(self) -> None:
        """One ticker for the whole process: the stations' WebSocket pings, and the answers to timed-out
        calls of every station that has any. (A timer task per station cost 11% of a core with 10,000
        idle stations.)"""
        ping = self.settings.ws_ping_interval
        tick = min(1.0, self.settings.call_timeout / 4, ping / 4 if ping > 0 else 1.0)
        while True:
            await asyncio.sleep(tick)
            self.ids.top_up()  # after a store outage, new transactions can start without waiting for one
            now = asyncio.get_running_loop().time()
            for session in list(self.sessions.values()):
                try:
                    if now >= session.next_tick:  # WebSocket pings (bridge/liveness.py)
                        session.tick(now)
                    if session.engine.pending():
                        session.expire()  # queues the answers on the session's writers
                except Exception:  # a bug costs that station's tick, never every station's ticker
                    session.log.exception("the bridge failed to tick the station's session")

    async def reload(self) -> None:
        """SIGHUP: read the TLS certificates, the station allow-list and the station modes again (each
        keeps the old on error). The files are read in a worker thread, never on the event loop: a slow
        volume (a network mount, a ConfigMap being swapped) must not stall the frames of every station.
        Each swaps in with one attribute store, so a station checked meanwhile sees the old or the new."""
        log.info("SIGHUP: reloading TLS certificates, the station allow-list and the station modes")
        await asyncio.to_thread(self._reload_files)

    def _reload_files(self) -> None:
        self.tls.reload()
        self.allowlist.reload()
        self.modes.reload()

    async def release(self, station_id: str) -> None:
        """The station connected again on another worker: close its connection here with 4000."""
        session = self.sessions.get(station_id)
        if session is not None:
            session.log.warning(
                "station connected again on another worker; closing its older connection (code %s)", REPLACED
            )
            await session.close(REPLACED, "replaced by a newer connection of the same station")

    async def drain(self, grace: float) -> None:
        """Close every station pair with 1001 (going away), waiting at most `grace` seconds."""
        self.draining = True
        sessions = list(self.sessions.values())
        if not sessions:
            return
        log.info("closing %d station connection(s)", len(sessions))
        closing = [s.close(GOING_AWAY, "bridge shutting down") for s in sessions]
        try:
            async with asyncio.timeout(grace):
                await asyncio.gather(*closing, return_exceptions=True)
        except TimeoutError:
            log.warning("drain grace period of %.0f s ran out; exiting anyway", grace)
