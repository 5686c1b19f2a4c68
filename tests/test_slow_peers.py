"""A peer that stops reading costs its own pair only: real `ocpp-bridge` processes on loopback.

A CSMS (or a station) that accepts the connection and then never reads again: the other side keeps
getting what it is owed (the bridge's InternalError answers to calls that time out) until the
bridge gives up on the stalled peer and closes the pair as mirroring says, with bounded memory; a
second station on a healthy path meanwhile keeps its normal latency. And TLS: connections that never
finish their TLS handshake are cut after --handshake-timeout.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import re
import signal
import socket
import ssl
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import trustme
from aiohttp import web
from ocpp.v16 import call as call16

from bridge.engine import Side
from tests.conftest import connect_station, eventually, free_port, now, raw_station, run_bridge, wait_ready
from tests.schemas import assert_frame_valid

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

SMALL_BUFFER = 16 * 1024  # receive buffer of a stalled peer's socket: the kernel holds little for it
BIG_DATA = "x" * 120_000  # a large frame (with --max-frame-size 128 KiB)
MAX_FRAME = str(128 * 1024)
CALL_TIMEOUT = 1.0


def small_receive_buffer(sock: socket.socket) -> None:
    # set before listen/connect, so the TCP window is negotiated small as well
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_BUFFER)


@dataclass
class Csms:
    """A 2.0.1 CSMS that answers Heartbeat and DataTransfer (echoing the data), except to stations whose id starts with STALL: after
    the handshake it never reads from those again (it can still send them calls)."""

    port: int = 0
    sockets: dict[str, web.WebSocketResponse] = field(default_factory=dict)
    connected: dict[str, asyncio.Event] = field(default_factory=dict)
    answers: dict[str, list[tuple[float, list[Any]]]] = field(default_factory=dict)
    closed: dict[str, int | None] = field(default_factory=dict)
    runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp"

    def event(self, station_id: str) -> asyncio.Event:
        return self.connected.setdefault(station_id, asyncio.Event())

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/ocpp/{station}", self._handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self.runner.setup()
        sock = socket.socket()
        small_receive_buffer(sock)
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(self.runner, sock)
        await site.start()
        self.port = sock.getsockname()[1]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        station_id = request.match_info["station"]
        ws = web.WebSocketResponse(protocols=("ocpp2.0.1",))
        await ws.prepare(request)
        self.sockets[station_id] = ws
        self.event(station_id).set()
        if station_id.startswith("STALL"):
            assert request.transport is not None
            request.transport.pause_reading()  # never reads again
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.Event().wait()
            return ws
        async for message in ws:
            frame = json.loads(message.data)
            if frame[0] == 2 and frame[2] == "Heartbeat":
                await ws.send_str(json.dumps([3, frame[1], {"currentTime": now()}]))
            elif frame[0] == 2 and frame[2] == "DataTransfer":  # echo: as large going down as up
                answer = {"status": "Accepted", "data": frame[3].get("data")}
                await ws.send_str(json.dumps([3, frame[1], answer]))
            elif frame[0] in (3, 4):
                self.answers.setdefault(station_id, []).append((time.monotonic(), frame))
        self.closed[station_id] = ws.close_code
        return ws


@contextlib.asynccontextmanager
async def stalling_csms() -> AsyncIterator[Csms]:
    csms = Csms()
    await csms.start()
    try:
        yield csms
    finally:
        assert csms.runner is not None
        await csms.runner.cleanup()


@contextlib.asynccontextmanager
async def bridge_process(
    csms_url: str, *flags: str, tls: ssl.SSLContext | None = None
) -> AsyncIterator[tuple[int, int, int]]:
    """`ocpp-bridge run` on free ports; yields (station port, pid, admin port) once it is ready."""
    port, admin = free_port(), free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bridge.cli", "--host", "127.0.0.1", "--port", str(port),
        "--admin-port", str(admin),
        "--csms-url", csms_url, "--store-url", "memory:", "--log-level", "WARNING", *flags,
        env=os.environ, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await wait_ready(admin)  # the admin port is plain HTTP, TLS on the station port or not
        yield port, process.pid, admin
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


def rss(pid: int) -> int:
    """Resident memory of a process, in bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    assert match is not None
    return int(match.group(1)) * 1024


async def slow_peer_closes(admin: int) -> dict[tuple[str, str], float]:
    """bridge_slow_peer_closes_total from the bridge's /metrics, by (side, reason)."""
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{admin}/metrics") as response:
        text = await response.text()
    pattern = r'^bridge_slow_peer_closes_total\{reason="(\w+)",side="(\w+)"\} (\S+)$'
    return {(side, reason): float(value) for reason, side, value in re.findall(pattern, text, re.M)}


class MemoryWatch:
    """The most a process's resident memory grew above where it started, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.start = rss(pid)
        self.peak = self.start
        self.task = asyncio.create_task(self._sample())

    async def _sample(self) -> None:
        while True:
            with contextlib.suppress(OSError):
                self.peak = max(self.peak, rss(self.pid))
            await asyncio.sleep(0.05)

    def growth(self) -> int:
        self.task.cancel()
        return self.peak - self.start


@dataclass
class Heartbeats:
    """A healthy station calling Heartbeat every 100 ms; the slowest round trip it saw."""

    station: Any
    slowest: float = 0.0
    count: int = 0

    async def run(self) -> None:
        while True:
            began = time.monotonic()
            await asyncio.wait_for(self.station.call(call16.Heartbeat()), 5)
            self.slowest = max(self.slowest, time.monotonic() - began)
            self.count += 1
            await asyncio.sleep(0.1)


async def warm_up(port: int) -> None:
    """A station's whole life once, so that the bridge's one-time allocations are behind us."""
    async with connect_station(f"ws://127.0.0.1:{port}/WARM-UP", "WARM-UP") as station:
        for _ in range(5):
            await station.call(call16.Heartbeat())


async def test_frames_larger_than_the_send_buffer_pass_both_ways_to_peers_that_read() -> None:
    """One frame always fits: the send buffer bounds a backlog, not the size of a frame."""
    async with (
        stalling_csms() as csms,
        run_bridge(csms_url=csms.url, max_send_buffer=16384, max_frame_size=128 * 1024) as bridge,
        raw_station(bridge.url("CP-BIG")) as ws,
    ):
        for n in range(10):
            await ws.send_str(
                json.dumps([2, f"big-{n}", "DataTransfer", {"vendorId": "V", "data": BIG_DATA}])
            )
        for n in range(10):
            frame = json.loads((await asyncio.wait_for(ws.receive(), 10)).data)
            assert frame == [3, f"big-{n}", {"status": "Accepted", "data": BIG_DATA}]
        assert sum(s.value for s in bridge.server.metrics.slow_peer_closes.collect()[0].samples) == 0


@pytest.mark.parametrize(
    ("reason", "bounds"),
    [
        ("buffer", ()),  # the defaults: 256 KiB, 30 s
        ("timeout", ("--send-timeout", "1", "--max-send-buffer", str(64 * 2**20))),
    ],
)
async def test_a_csms_that_stops_reading_costs_its_own_station_only(
    reason: str, bounds: tuple[str, ...]
) -> None:
    flags = ("--call-timeout", str(CALL_TIMEOUT), "--max-frame-size", MAX_FRAME, *bounds)
    async with (
        stalling_csms() as csms,
        bridge_process(csms.url, *flags) as (port, pid, admin),
        aiohttp.ClientSession() as http,
    ):
        await warm_up(port)
        memory = MemoryWatch(pid)
        async with connect_station(f"ws://127.0.0.1:{port}/CP-HEALTHY", "CP-HEALTHY") as healthy:
            beats = Heartbeats(healthy)
            beating = asyncio.create_task(beats.run())
            ws = await http.ws_connect(f"ws://127.0.0.1:{port}/STALL-1", protocols=("ocpp1.6",))
            sent: dict[str, float] = {}
            answered: dict[str, float] = {}
            closed: list[float] = []

            async def calls() -> None:
                for n in range(100_000):
                    message_id = f"big-{n}"
                    payload = {"vendorId": "ACME", "data": BIG_DATA}
                    try:
                        await ws.send_str(json.dumps([2, message_id, "DataTransfer", payload]))
                    except ConnectionError:
                        return
                    sent[message_id] = time.monotonic()
                    await asyncio.sleep(0.1)

            async def answers() -> int | None:
                async for message in ws:
                    frame = json.loads(message.data)
                    assert_frame_valid("1.6", frame)
                    assert frame[:3] == [4, frame[1], "InternalError"], frame
                    answered[frame[1]] = time.monotonic()
                closed.append(time.monotonic())
                return ws.close_code

            caller = asyncio.create_task(calls())
            async with asyncio.timeout(30):
                close_code = await answers()
            caller.cancel()
            growth = memory.growth()
            assert not beating.done()
            beating.cancel()

        # the station was closed with "try again later", so that it queues offline
        assert close_code == 1013
        assert await slow_peer_closes(admin) == {("csms", reason): 1.0}
        # until then every call was answered in time: not one waited behind the unread upstream data
        due = [m for m, t in sent.items() if t < closed[0] - (CALL_TIMEOUT + 1)]
        assert len(due) >= 20, "the pair was closed before the test saw anything"
        late = {m: answered.get(m, closed[0]) - sent[m] for m in due}
        assert max(late.values()) <= CALL_TIMEOUT + 1, sorted(late.items(), key=lambda item: item[1])[-3:]
        # with bounded memory, and the station on the healthy path kept its pace throughout
        assert growth < 8 * 2**20, f"RSS grew {growth / 2**20:.1f} MiB"
        assert beats.count >= 10 and beats.slowest < 2.0, beats


async def mute_station(port: int, station_id: str) -> socket.socket:
    """A station that completes its WebSocket handshake and then never reads again."""
    loop = asyncio.get_running_loop()
    sock = socket.socket()
    small_receive_buffer(sock)
    sock.setblocking(False)
    await loop.sock_connect(sock, ("127.0.0.1", port))
    await loop.sock_sendall(
        sock,
        (
            f"GET /{station_id} HTTP/1.1\r\nHost: bridge\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: ocpp1.6\r\n\r\n"
        ).encode(),
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = await loop.sock_recv(sock, 1)  # byte by byte: not one byte past the handshake
        assert chunk, "the bridge closed the handshake"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101 "), head
    return sock


async def test_a_station_that_stops_reading_costs_its_own_pair_only() -> None:
    async with (
        stalling_csms() as csms,
        bridge_process(csms.url, "--call-timeout", str(CALL_TIMEOUT), "--max-frame-size", MAX_FRAME)
        as (port, pid, admin),
    ):  # fmt: skip
        await warm_up(port)
        memory = MemoryWatch(pid)
        async with connect_station(f"ws://127.0.0.1:{port}/CP-HEALTHY", "CP-HEALTHY") as healthy:
            beats = Heartbeats(healthy)
            beating = asyncio.create_task(beats.run())
            mute = await mute_station(port, "MUTE-1")
            await asyncio.wait_for(csms.event("MUTE-1").wait(), 10)
            upstream = csms.sockets["MUTE-1"]
            sent: dict[str, float] = {}
            async with asyncio.timeout(30):
                for n in range(100_000):  # the CSMS sends the station large calls every 100 ms
                    message_id = f"big-{n}"
                    payload = {"vendorId": "ACME", "data": BIG_DATA}
                    try:
                        await upstream.send_str(json.dumps([2, message_id, "DataTransfer", payload]))
                    except ConnectionError:
                        break
                    sent[message_id] = time.monotonic()
                    await asyncio.sleep(0.1)
                    if upstream.closed:
                        break
            await eventually(lambda: "MUTE-1" in csms.closed, wait=10)
            closed = time.monotonic()
            growth = memory.growth()
            assert not beating.done()
            beating.cancel()
            mute.close()

        # the bridge went away from the CSMS on the mute station's behalf (1001, as if it had left)
        assert csms.closed["MUTE-1"] == 1001
        assert await slow_peer_closes(admin) == {("station", "buffer"): 1.0}
        # until then every call of the CSMS got its answer in time: InternalError, no answer in time
        answered = {frame[1]: at for at, frame in csms.answers["MUTE-1"]}
        for _, frame in csms.answers["MUTE-1"]:
            assert_frame_valid("2.0.1", frame)
            assert frame[:3] == [4, frame[1], "InternalError"], frame
        due = [m for m, t in sent.items() if t < closed - (CALL_TIMEOUT + 1)]
        assert len(due) >= 20, "the pair was closed before the test saw anything"
        late = {m: answered.get(m, closed) - sent[m] for m in due}
        assert max(late.values()) <= CALL_TIMEOUT + 1, sorted(late.items(), key=lambda item: item[1])[-3:]
        assert growth < 8 * 2**20, f"RSS grew {growth / 2**20:.1f} MiB"
        assert beats.count >= 10 and beats.slowest < 2.0, beats


# -- TLS handshakes under --handshake-timeout ---------------------------------------------------------

HANDSHAKE_TIMEOUT = 2.0


def half_client_hello() -> bytes:
    """The first half of a real TLS ClientHello."""
    context = ssl.create_default_context()
    tls = context.wrap_bio(ssl.MemoryBIO(), outgoing := ssl.MemoryBIO(), server_hostname="bridge")
    with contextlib.suppress(ssl.SSLWantReadError):
        tls.do_handshake()
    hello = outgoing.read()
    return hello[: len(hello) // 2]


async def seconds_until_closed(first_bytes: bytes, port: int) -> float:
    """Open a TCP connection, send `first_bytes` (maybe none), and wait until the bridge closes it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    opened = time.monotonic()
    writer.write(first_bytes)
    try:
        while await reader.read(4096):
            pass
    except ConnectionError:
        pass
    closed = time.monotonic()
    writer.close()
    return closed - opened


async def test_tls_handshakes_that_never_finish_are_cut_after_the_handshake_timeout(tmp_path: Path) -> None:
    ca = trustme.CA()
    crt, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    leaf = ca.issue_cert("127.0.0.1")
    crt.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    key.write_bytes(leaf.private_key_pem.bytes())
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    flags = ("--tls-cert-file", str(crt), "--tls-key-file", str(key))
    flags += ("--handshake-timeout", str(HANDSHAKE_TIMEOUT))
    async with stalling_csms() as csms, bridge_process(csms.url, *flags, tls=trusting) as (port, _, _):
        async with asyncio.timeout(30):  # asyncio's own TLS default would hold them for 60 s
            idle = [asyncio.create_task(seconds_until_closed(b"", port)) for _ in range(200)]
            hello = half_client_hello()
            half = [asyncio.create_task(seconds_until_closed(hello, port)) for _ in range(50)]
            async with connect_station(f"wss://127.0.0.1:{port}/CP-TLS", "CP-TLS", ssl=trusting) as station:
                assert (await station.call(call16.Heartbeat())).current_time  # served meanwhile
            lifetimes = await asyncio.gather(*idle, *half)
        assert max(lifetimes) <= HANDSHAKE_TIMEOUT + 1, sorted(lifetimes)[-5:]
        assert min(lifetimes) >= HANDSHAKE_TIMEOUT - 0.5, sorted(lifetimes)[:5]  # cut by the timeout


# -- a slow link that makes progress is not a stalled peer --------------------------------------------


def server_frame(text: str) -> bytes:
    """A WebSocket text frame as a server sends it (unmasked)."""
    data = text.encode()
    if len(data) < 126:
        return bytes([0x81, len(data)]) + data
    if len(data) < 2**16:
        return bytes([0x81, 126]) + len(data).to_bytes(2, "big") + data
    return bytes([0x81, 127]) + len(data).to_bytes(8, "big") + data


@dataclass
class SlowCsms:
    """A 2.0.1 CSMS on a raw socket that sends calls and reads what comes back slowly: `chunk` bytes
    every `every` seconds."""

    calls: list[str]
    chunk: int = 32 * 1024
    every: float = 0.02
    received: int = 0
    port: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def serve(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        sock, _ = await loop.sock_accept(listener)
        with sock:
            head = b""
            while b"\r\n\r\n" not in head:
                head += await loop.sock_recv(sock, 1)
            key = re.search(rb"Sec-WebSocket-Key: (\S+)", head, re.I)
            assert key is not None
            accept = base64.b64encode(hashlib.sha1(key.group(1) + WS_GUID).digest()).decode()
            await loop.sock_sendall(
                sock,
                (
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    f"Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: ocpp2.0.1\r\n\r\n"
                ).encode(),
            )
            for text in self.calls:
                await loop.sock_sendall(sock, server_frame(text))
            while not self.done.is_set():
                chunk = await loop.sock_recv(sock, self.chunk)
                if not chunk:
                    return
                self.received += len(chunk)
                await asyncio.sleep(self.every)


WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455


SEND_TIMEOUT = 0.5


async def test_a_csms_that_reads_slowly_but_steadily_is_not_cut() -> None:
    """--send-timeout is about a peer that takes nothing: one that drains a backlog slowly keeps
    its pair, however long the backlog lasts."""
    answers = 16
    data = "y" * 400_000
    calls = [json.dumps([2, f"dt-{n}", "DataTransfer", {"vendorId": "V"}]) for n in range(answers)]
    csms = SlowCsms(calls)
    listener = socket.socket()
    small_receive_buffer(listener)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    serving = asyncio.create_task(csms.serve(listener))
    url = f"ws://127.0.0.1:{listener.getsockname()[1]}/ocpp"
    try:
        async with (
            run_bridge(csms_url=url, send_timeout=SEND_TIMEOUT, max_send_buffer=64 * 2**20, max_frame_size=2**19)
            as bridge,
            raw_station(bridge.url("SLOW-1")) as station,
        ):  # fmt: skip
            for _ in range(answers):  # the station answers every call with 400 KB of data
                call = json.loads((await asyncio.wait_for(station.receive(), 10)).data)
                await station.send_str(json.dumps([3, call[1], {"status": "Accepted", "data": data}]))
            writer = bridge.server.sessions["SLOW-1"].writers[Side.CSMS]
            backlog: list[float] = []  # when the bridge held data the CSMS had not taken yet
            async with asyncio.timeout(60):
                while csms.received < answers * len(data):
                    if writer.waiting() > 0:
                        backlog.append(time.monotonic())
                    await asyncio.sleep(0.05)
            # the bridge held data for the CSMS for several send timeouts on end (when all it saw was
            # what the kernel accepted from it, it cut this CSMS at the first send timeout)
            assert backlog and backlog[-1] - backlog[0] > 3 * SEND_TIMEOUT, "no lasting backlog"
            assert "SLOW-1" in bridge.server.sessions and not station.closed
            assert sum(s.value for s in bridge.server.metrics.slow_peer_closes.collect()[0].samples) == 0
            serving.cancel()  # the CSMS goes; the bridge need not wait for its close handshake
    finally:
        csms.done.set()
        serving.cancel()
        listener.close()
