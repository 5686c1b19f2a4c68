"""Security profiles, credentials kept out of the logs, and the station allow-list.

- Profile 1: Basic auth passes through unchanged (tests/test_connections.py); the password never
  reaches a log line.
- Profile 2: the bridge terminates TLS for stations (wss://) with a certificate from files, reloaded on
  SIGHUP without dropping anyone; towards the CSMS, wss:// with a configurable CA.
- Profile 3 towards the CSMS: the bridge presents a client certificate (mTLS).
Every certificate is made here, by a throwaway CA (trustme).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import trustme
from ocpp.v16 import call as call16

from bridge.allowlist import AllowList, AllowListError
from bridge.logs import redact
from tests.conftest import CsmsServer, connect_station, free_port, start_csms
from tests.conftest import run_bridge as run_bridge_in_process

BRIDGE = [sys.executable, "-m", "bridge.cli"]


@contextlib.asynccontextmanager
async def bridge_process(*args: str, env: dict[str, str] | None = None) -> AsyncIterator[Any]:
    """`ocpp-bridge` as a user runs it, on a free port; yields (process, port). Stops it with SIGTERM."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *BRIDGE, "--host", "127.0.0.1", "--port", str(port), *args,
        env={**os.environ, **(env or {})}, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        yield process, port
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def stderr_of(process: Any) -> str:
    assert process.returncode is not None
    return (await process.stderr.read()).decode()


async def wait_port(port: int, ssl_context: ssl.SSLContext | None = None) -> None:
    async with asyncio.timeout(20):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ssl_context)
                writer.close()
                return
            except (OSError, ssl.SSLError):
                await asyncio.sleep(0.05)


async def heartbeat(url: str, **kw: Any) -> str:
    async with connect_station(url, "CP-SEC", **kw) as station:
        return (await station.call(call16.Heartbeat())).current_time


# -- Security Profile 1: credentials never in the logs ----------------------------------------------


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("upgrade headers {'Authorization': 'Basic Q1AtMTpzM2NyZXQta2V5'}", "Q1AtMTpzM2NyZXQta2V5"),
        ("Authorization: Basic Q1AtMTpzM2NyZXQta2V5", "Q1AtMTpzM2NyZXQta2V5"),
        ('{"authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"}', "eyJhbGciOiJIUzI1NiJ9"),
        ("sent Basic Q1AtMTpzM2NyZXQta2V5 upstream", "Q1AtMTpzM2NyZXQta2V5"),
        ("CSMS wss://bridge:hunter2@csms.example:443/ocpp", "hunter2"),
        ("GET /CP-1?password=hunter2&x=1", "hunter2"),
        ("{'password': 'hunter2'}", "hunter2"),
        ('[2,"1","ChangeConfiguration",{"key":"AuthorizationKey","value":"00112233aabb"}]', "00112233aabb"),
        ('{"variable":{"name":"BasicAuthPassword"},"attributeValue":"s3cretpass"}', "s3cretpass"),
    ],
)
def test_credentials_are_redacted(line: str, secret: str) -> None:
    cleaned = redact(line)
    assert secret not in cleaned
    assert "[redacted]" in cleaned


@pytest.mark.parametrize(
    "line", ["listening on 0.0.0.0:9100; CSMS ws://csms:9000/ocpp", "Basic authentication is passed through"]
)
def test_ordinary_log_lines_are_left_alone(line: str) -> None:
    assert redact(line) == line


async def test_no_credential_reaches_the_log_even_at_debug(csms: CsmsServer) -> None:
    """A station with Basic auth that the CSMS refuses, a CSMS URL with a password in it, DEBUG level:
    the whole log output of the real process holds neither password nor token."""
    password, url_password = "s3cret-key", "hunter2-upstream"
    token = aiohttp.encode_basic_auth("CP-1", password)
    csms_url = csms.url.replace("ws://", f"ws://bridge:{url_password}@")
    csms.refuse_with = 401
    async with bridge_process(
        "--log-level", "DEBUG", "--log-format", "text", env={"BRIDGE_CSMS_URL": csms_url}
    ) as (
        process,
        port,
    ):
        await wait_port(port)
        async with aiohttp.ClientSession() as http:
            for path in ("/CP-1", "/CP-1?password=" + password):
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(
                        f"ws://127.0.0.1:{port}{path}",
                        protocols=("ocpp1.6",),
                        headers={"Authorization": token},
                    )
                assert refused.value.status in (401, 502)
            # and once without a header of its own: the URL's credentials go up
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await http.ws_connect(f"ws://127.0.0.1:{port}/CP-2", protocols=("ocpp1.6",))
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 10)
        log = await stderr_of(process)
    assert "refused station handshake" in log  # the refusals were logged...
    for secret in (password, url_password, token.split()[1], base64.b64encode(password.encode()).decode()):
        assert secret not in log  # ...without the credentials
    assert f"bridge:[redacted]@127.0.0.1:{csms.url.split(':')[2]}" in log
    # the CSMS got the station's header unchanged (Security Profile 1 passes through)
    assert csms.requests[0].headers["Authorization"] == token
    # a station without credentials of its own goes up with those of --csms-url
    assert csms.requests[-1].headers["Authorization"] == aiohttp.encode_basic_auth("bridge", url_password)


# -- Security Profile 2: TLS for stations, reloaded on SIGHUP ---------------------------------------


def write_pair(cert: trustme.LeafCert, directory: Path, name: str) -> tuple[Path, Path]:
    crt, key = directory / f"{name}.crt", directory / f"{name}.key"
    crt.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    key.write_bytes(cert.private_key_pem.bytes())
    return crt, key


def trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


async def served_certificate(port: int, ca: trustme.CA) -> str:
    """The common name of the certificate the bridge presents on a new connection."""
    _, writer = await asyncio.open_connection("127.0.0.1", port, ssl=trusting(ca))
    peer = writer.get_extra_info("peercert")
    writer.close()
    return dict(item[0] for item in peer["subject"])["commonName"]


async def test_the_bridge_terminates_tls_for_stations_and_reloads_its_certificate_on_sighup(
    csms: CsmsServer, tmp_path: Path
) -> None:
    ca = trustme.CA()
    crt, key = write_pair(ca.issue_cert("127.0.0.1", common_name="bridge-2025"), tmp_path, "tls")
    async with bridge_process(
        "--tls-cert-file", str(crt), "--tls-key-file", str(key), env={"BRIDGE_CSMS_URL": csms.url}
    ) as (process, port):
        await wait_port(port, trusting(ca))
        url = f"wss://127.0.0.1:{port}/CP-SEC"
        assert await heartbeat(url, ssl=trusting(ca))
        assert await served_certificate(port, ca) == "bridge-2025"
        with pytest.raises(aiohttp.ClientConnectorCertificateError):  # a station that does not trust it
            await heartbeat(url)
        with pytest.raises((aiohttp.ClientError, ConnectionError)):  # plain ws:// on the TLS port
            await heartbeat(f"ws://127.0.0.1:{port}/CP-SEC")

        async with connect_station(
            url.replace("CP-SEC", "CP-OPEN"), "CP-OPEN", ssl=trusting(ca)
        ) as open_station:
            # renewal: new files in place, SIGHUP; the open connection stays, new ones get the new cert
            write_pair(ca.issue_cert("127.0.0.1", common_name="bridge-2026"), tmp_path, "tls")
            process.send_signal(signal.SIGHUP)
            for _ in range(200):  # the signal is handled on the bridge's own schedule
                if await served_certificate(port, ca) == "bridge-2026":
                    break
                await asyncio.sleep(0.05)
            assert await served_certificate(port, ca) == "bridge-2026"
            assert (await open_station.call(call16.Heartbeat())).current_time
            # a broken renewal (key of another certificate) keeps the working one
            other_key = tmp_path / "other.key"
            write_pair(ca.issue_cert("127.0.0.1", common_name="x"), tmp_path, "other")
            key.write_bytes(other_key.read_bytes())
            process.send_signal(signal.SIGHUP)
            await asyncio.sleep(0.3)
            assert await served_certificate(port, ca) == "bridge-2026"
            assert await heartbeat(url, ssl=trusting(ca))
            assert (await open_station.call(call16.Heartbeat())).current_time
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
        log = await stderr_of(process)
    reloads = [json.loads(line)["message"] for line in log.splitlines() if "reload" in line]
    assert any("station TLS certificate reloaded" in m for m in reloads)
    assert any("not reloaded, still serving the previous one" in m for m in reloads)


def test_a_certificate_without_its_key_stops_the_bridge_at_start_up(tmp_path: Path) -> None:
    crt, _ = write_pair(trustme.CA().issue_cert("127.0.0.1"), tmp_path, "tls")
    result = subprocess.run(
        [*BRIDGE, "--csms-url", "ws://127.0.0.1:1/ocpp", "--tls-cert-file", str(crt)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 1
    assert "give both the certificate file and the key file" in result.stderr
    assert "Traceback" not in result.stderr


# -- Security Profile 3 towards the CSMS: the bridge's client certificate -----------------------------


@contextlib.asynccontextmanager
async def mtls_csms(ca: trustme.CA) -> AsyncIterator[CsmsServer]:
    """A wss:// CSMS that requires a client certificate signed by `ca`."""
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ssl)
    server_ssl.verify_mode = ssl.CERT_REQUIRED
    ca.configure_trust(server_ssl)
    csms = await start_csms(ssl_context=server_ssl)
    csms.url = csms.url.replace("ws://", "wss://")
    try:
        yield csms
    finally:
        assert csms.runner is not None
        await csms.runner.cleanup()


def client_subject(csms: CsmsServer, index: int = -1) -> str:
    peer = csms.requests[index].transport.get_extra_info("peercert")  # type: ignore[union-attr]
    return dict(item[0] for item in peer["subject"])["commonName"]


async def test_the_bridge_presents_its_client_certificate_to_the_csms(tmp_path: Path) -> None:
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    crt, key = write_pair(ca.issue_cert("bridge.example", common_name="ocpp-bridge-1"), tmp_path, "client")
    async with mtls_csms(ca) as csms:
        mtls = {"ca_bundle": bundle, "upstream_client_cert_file": crt, "upstream_client_key_file": key}
        async with run_bridge_in_process(csms_url=csms.url, **mtls) as bridge:
            assert await heartbeat(bridge.url("CP-MTLS"))
            assert client_subject(csms) == "ocpp-bridge-1"
            # a renewed client certificate is used for the connections opened after SIGHUP
            write_pair(ca.issue_cert("bridge.example", common_name="ocpp-bridge-2"), tmp_path, "client")
            await bridge.server.reload()
            assert await heartbeat(bridge.url("CP-MTLS2"))
            assert client_subject(csms) == "ocpp-bridge-2"
        # without a client certificate the CSMS refuses the TLS handshake: the station gets 502
        async with run_bridge_in_process(csms_url=csms.url, ca_bundle=bundle) as bridge:
            async with aiohttp.ClientSession() as http:
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(bridge.url("CP-NOCERT"), protocols=("ocpp1.6",))
            assert refused.value.status == 502


# -- the station allow-list -------------------------------------------------------------------------


def test_allowlist_file_ids_patterns_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "allow.txt"
    path.write_text("# depot 1\nCP-0042\nACME-*   # every ACME charger\n\nDEPOT[12]-??\n")
    allow = AllowList(path)
    assert [allow.allows(i) for i in ("CP-0042", "ACME-7", "DEPOT2-AB", "DEPOT3-AB", "cp-0042", "CP-00421")] == [
        True, True, True, False, False, False,
    ]  # fmt: skip
    pattern_too = AllowList(path, pattern=r"[A-Z0-9-]{1,20}")
    assert pattern_too.allows("ACME-7") and not pattern_too.allows("ACME-" + "9" * 20)
    assert AllowList(pattern=r"CP-\d{4}").allows("CP-0001") and not AllowList(pattern=r"CP-\d{4}").allows(
        "CP-1"
    )
    assert AllowList().allows("anything") and not AllowList().active


@pytest.mark.parametrize("content", ["", "# nobody\n", "CP 1\n"])
def test_an_unusable_allowlist_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "allow.txt"
    path.write_text(content)
    with pytest.raises(AllowListError):
        AllowList(path)


async def test_unknown_stations_are_refused_before_they_reach_the_csms(
    csms: CsmsServer, tmp_path: Path
) -> None:
    path = tmp_path / "allow.txt"
    path.write_text("CP-KNOWN\nFLEET-*\n")
    async with run_bridge_in_process(csms_url=csms.url, station_allowlist_file=path) as bridge:
        assert await heartbeat(bridge.url("CP-KNOWN"))
        assert await heartbeat(bridge.url("FLEET-12"))
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(bridge.url("CP-STRANGER"), protocols=("ocpp1.6",))
            assert refused.value.status == 404  # OCPP-J: an unknown identity gets 404
            # SIGHUP: the list is read again; a broken file keeps the previous list
            path.write_text("CP-KNOWN\nFLEET-*\nCP-STRANGER\n")
            await bridge.server.reload()
            assert await heartbeat(bridge.url("CP-STRANGER"))
            path.write_text("")
            await bridge.server.reload()
            assert await heartbeat(bridge.url("CP-STRANGER"))
    assert sorted(r.match_info["station"] for r in csms.requests) == [
        "CP-KNOWN", "CP-STRANGER", "CP-STRANGER", "FLEET-12",
    ]  # fmt: skip


async def test_a_reload_reads_its_files_off_the_event_loop(
    csms: CsmsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SIGHUP whose allow-list sits on a slow volume (a network mount, a ConfigMap being swapped)
    must not stall the frames of the stations already connected while the file is read."""
    import bridge.allowlist

    path = tmp_path / "allow.txt"
    path.write_text("CP-KNOWN\n")
    read = bridge.allowlist.read_allowlist

    def slow_read(where: Path) -> tuple[frozenset[str], tuple[str, ...]]:
        time.sleep(1.0)  # the volume answers after a second
        return read(where)

    async with run_bridge_in_process(csms_url=csms.url, station_allowlist_file=path) as bridge_:
        async with connect_station(bridge_.url("CP-KNOWN")) as station:
            monkeypatch.setattr(bridge.allowlist, "read_allowlist", slow_read)
            path.write_text("CP-KNOWN\nCP-NEW\n")
            began = time.monotonic()
            reloading = asyncio.create_task(bridge_.server.reload())
            await asyncio.sleep(0.05)  # the reload has started reading
            await station.call(call16.Heartbeat())
            assert time.monotonic() - began < 0.5, "a heartbeat waited for the allow-list to be read"
            assert not reloading.done()
            await reloading
        assert await heartbeat(bridge_.url("CP-NEW"))  # and the new list applies once read


async def test_a_station_id_pattern_refuses_the_others(csms: CsmsServer) -> None:
    async with run_bridge_in_process(csms_url=csms.url, station_id_pattern=r"CP-\d{4}") as bridge:
        assert await heartbeat(bridge.url("CP-0001"))
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(bridge.url("CP-1"), protocols=("ocpp1.6",))
        assert refused.value.status == 404
    assert [r.match_info["station"] for r in csms.requests] == ["CP-0001"]


def test_allowlist_and_pattern_errors_stop_the_bridge_with_a_message(tmp_path: Path) -> None:
    missing = subprocess.run(
        [*BRIDGE, "--csms-url", "ws://127.0.0.1:1/ocpp", "--station-allowlist-file", str(tmp_path / "nope")],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert missing.returncode == 1 and "cannot read station allow-list" in missing.stderr
    bad_regex = subprocess.run(
        [*BRIDGE, "--csms-url", "ws://127.0.0.1:1/ocpp", "--station-id-pattern", "CP-("],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert bad_regex.returncode == 2 and "not a regular expression" in bad_regex.stderr
    assert "Traceback" not in missing.stderr + bad_regex.stderr
