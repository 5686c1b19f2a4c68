"""Connection mirroring, the handshake, and the HTTP endpoints."""

from __future__ import annotations

import asyncio
import re
import sys

import aiohttp
import pytest
from ocpp.v16 import call as call16

from bridge.server import StationIdError, station_id_from_path, upstream_url
from tests.conftest import (
    CsmsServer,
    RunningBridge,
    connect_station,
    eventually,
    exchange,
    free_port,
    raw_station,
    run_bridge,
)


async def handshake_status(url: str, **kw: object) -> int:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(url, protocols=("ocpp1.6",), **kw)  # type: ignore[arg-type]
    return refused.value.status


async def test_csms_down_at_connect_refuses_the_handshake_with_502() -> None:
    async with run_bridge(csms_url=f"ws://127.0.0.1:{free_port()}/ocpp", connect_timeout=2) as bridge:
        assert await handshake_status(bridge.url("CP-1")) == 502


async def test_csms_refusing_the_station_passes_its_401_on(csms: CsmsServer, bridge: RunningBridge) -> None:
    csms.refuse_with = 401
    assert await handshake_status(bridge.url("CP-1")) == 401


async def test_basic_auth_is_passed_through_unchanged(csms: CsmsServer, bridge: RunningBridge) -> None:
    auth = aiohttp.encode_basic_auth("CP-1", "s3cret-key")
    async with raw_station(bridge.url("CP-1"), headers={"Authorization": auth}):
        await csms.wait_for("CP-1")
    assert csms.requests[0].headers["Authorization"] == auth
    assert csms.requests[0].headers["Sec-WebSocket-Protocol"] == "ocpp2.0.1,ocpp2.1"  # --csms-version's first


async def test_csms_dropping_mid_session_closes_the_station(csms: CsmsServer, bridge: RunningBridge) -> None:
    async with raw_station(bridge.url("CP-1")) as ws:
        await csms.wait_for("CP-1")
        await csms.drop_all()
        async with asyncio.timeout(5):
            message = await ws.receive()
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    await eventually(lambda: bridge.server.sessions == {})


async def test_station_dropping_mid_session_closes_the_upstream(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    async with raw_station(bridge.url("CP-1")):
        server_side = await csms.wait_for("CP-1")
    ws = server_side._connection.ws
    await eventually(lambda: ws.closed)
    await eventually(lambda: bridge.server.sessions == {})


async def test_a_newer_connection_of_the_same_station_replaces_the_older(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    async with raw_station(bridge.url("CP-1")) as old, raw_station(bridge.url("CP-1")) as new:
        async with asyncio.timeout(5):
            await old.receive()
        assert old.close_code == 4000
        assert (await exchange(new, '[2,"h","Heartbeat",{}]'))[:2] == [3, "h"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/CP-1", "CP-1"),
        ("/ocpp/v16/CP-1", "CP-1"),
        ("/CP%201", "CP 1"),
        ("/CP-1/", "CP-1"),
        ("/" + "A" * 48, "A" * 48),
    ],
)
def test_station_id_is_the_decoded_last_path_segment(path: str, expected: str) -> None:
    assert station_id_from_path(path) == expected


@pytest.mark.parametrize(
    "path", ["/", "/" + "A" * 49, "/CP%2F..%2Fadmin", "/CP%0A1", "/%2E%2E", "/CP%5C1", "/%FF"]
)
def test_bad_station_ids_are_refused(path: str) -> None:
    with pytest.raises(StationIdError):
        station_id_from_path(path)


def test_station_id_is_re_encoded_for_the_upstream_url() -> None:
    assert upstream_url("ws://csms/ocpp", "CP 1?x=#") == "ws://csms/ocpp/CP%201%3Fx%3D%23"


async def test_handshake_refusals(csms: CsmsServer, bridge: RunningBridge) -> None:
    assert await handshake_status(bridge.url("CP%0A1")) == 400
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(bridge.url("CP-1"), protocols=("ocpp2.1",))
        assert refused.value.status == 400
        async with session.get(bridge.url("CP-1").replace("ws://", "http://")) as response:
            assert response.status == 426
    assert csms.requests == []  # none of them reached the CSMS


async def test_percent_encoded_station_id_reaches_the_csms_re_encoded(
    csms: CsmsServer, bridge: RunningBridge
) -> None:
    async with raw_station(bridge.url("CP%201")):
        await csms.wait_for("CP 1")
    assert csms.requests[0].rel_url.raw_path == "/ocpp/CP%201"


async def test_health_ready_and_metrics(csms: CsmsServer, bridge: RunningBridge) -> None:
    async with connect_station(bridge.url("CP-M")) as station, aiohttp.ClientSession() as http:
        await station.call(call16.Heartbeat())
        async with http.get(bridge.http + "/healthz") as r:
            assert r.status == 200
        async with http.get(bridge.http + "/readyz") as r:
            assert r.status == 200
        async with http.get(bridge.http + "/metrics") as r:
            assert r.status == 200
            text = await r.text()
    assert 'bridge_connected_stations{mode="primary"} 1.0' in text
    assert 'bridge_frames_in_total{action="Heartbeat",side="station"} 1.0' in text
    assert 'bridge_frames_out_total{action="Heartbeat",side="csms"} 1.0' in text
    assert 'bridge_round_trip_seconds_count{action="Heartbeat",side="csms"} 1.0' in text
    if sys.platform == "linux":  # capacity: two descriptors per station, against the process's limit
        open_fds = float(re.search(r"^process_open_fds (\S+)$", text, re.M).group(1))  # type: ignore[union-attr]
        max_fds = float(re.search(r"^process_max_fds (\S+)$", text, re.M).group(1))  # type: ignore[union-attr]
        assert 2 <= open_fds < max_fds
    bridge.server.draining = True
    async with aiohttp.ClientSession() as http, http.get(bridge.http + "/readyz") as r:
        assert r.status == 503


async def test_health_and_metrics_are_on_the_admin_port_only(csms: CsmsServer, bridge: RunningBridge) -> None:
    """An Ingress that publishes the station port does not publish the metrics."""
    async with aiohttp.ClientSession() as http:
        async with http.get(bridge.http + "/metrics") as r:
            text = await r.text()
        assert 'bridge_build_info{version="' in text
        for path in ("/metrics", "/healthz", "/readyz"):
            async with http.get(bridge.station_http + path) as r:
                assert r.status == 426, path  # a station route: it wants a WebSocket
                assert "bridge_" not in await r.text()
        async with http.get(bridge.http + "/CP-1") as r:
            assert r.status == 404  # and no station on the admin port


async def test_health_on_the_station_port_when_asked(csms: CsmsServer) -> None:
    async with (
        run_bridge(csms_url=csms.url, health_on_station_port=True) as bridge,
        aiohttp.ClientSession() as http,
    ):
        async with http.get(bridge.station_http + "/healthz") as r:
            assert r.status == 200
        async with http.get(bridge.station_http + "/readyz") as r:
            assert r.status == 200
        async with http.get(bridge.station_http + "/metrics") as r:
            assert r.status == 426  # metrics stay on the admin port


async def test_translation_errors_are_counted_by_reason(csms: CsmsServer, bridge: RunningBridge) -> None:
    async with raw_station(bridge.url("CP-E")) as ws:
        await exchange(ws, "nope")
        await exchange(ws, '[2,"a","Heartbeat",{"x":1}]')
    async with aiohttp.ClientSession() as http, http.get(bridge.http + "/metrics") as r:
        text = await r.text()
    assert 'bridge_translation_errors_total{reason="invalid_json",side="station"} 1.0' in text
    assert 'bridge_translation_errors_total{reason="occurrence_violation",side="station"} 1.0' in text


async def test_wss_upstream_is_verified_with_the_configured_ca(tmp_path: object) -> None:
    import ssl

    import trustme

    from tests.conftest import start_csms

    ca = trustme.CA()
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ssl)
    csms = await start_csms(ssl_context=server_ssl)
    bundle = tmp_path / "ca.pem"  # type: ignore[operator]
    ca.cert_pem.write_to_path(str(bundle))
    try:
        wss = csms.url.replace("ws://", "wss://")
        async with (
            run_bridge(csms_url=wss, ca_bundle=bundle) as bridge,
            connect_station(bridge.url("CP-TLS")) as st,
        ):
            assert (await st.call(call16.Heartbeat())).current_time
        # without the CA the CSMS's certificate is not trusted: refused, not connected in the clear
        async with run_bridge(csms_url=wss, connect_timeout=3) as bridge:
            assert await handshake_status(bridge.url("CP-TLS2")) == 502
    finally:
        assert csms.runner is not None
        await csms.runner.cleanup()
