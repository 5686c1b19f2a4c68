"""TLS on both sides of the bridge, and reloading certificates without a restart.

Stations (OCPP Security Profile 2): with `--tls-cert-file` and `--tls-key-file` the bridge terminates
TLS itself and stations connect with wss://. The certificate chain and key are read at start-up and
again on SIGHUP, so a renewed certificate (cert-manager, certbot) is picked up without dropping a
single station: connections already open keep the certificate they were opened with, new ones get
the new one. A reload that fails (a half-written file, a key that does not match) keeps serving the
previous certificate and logs why.

CSMS: a wss:// `--csms-url` is verified against the system's CAs, or `--ca-bundle` for a private CA.
With `--upstream-client-cert-file` and `--upstream-client-key-file` the bridge presents a client
certificate on its upstream connections (Security Profile 3 towards the CSMS): one certificate, the
bridge's own, for every station it carries. These files (and the CA bundle) are reloaded on SIGHUP too.

Both sides speak TLS 1.2 or newer, the minimum of OCPP's security profiles.
"""

from __future__ import annotations

import logging
import ssl
from pathlib import Path

from bridge.settings import Settings

log = logging.getLogger(__name__)


class TlsConfigError(ValueError):
    pass


def _check_pair(cert: Path | None, key: Path | None, what: str) -> tuple[Path, Path] | None:
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise TlsConfigError(f"{what}: give both the certificate file and the key file")
    return cert, key


def _load_pair(context: ssl.SSLContext, pair: tuple[Path, Path]) -> None:
    cert, key = pair
    try:
        context.load_cert_chain(certfile=str(cert), keyfile=str(key))
    except OSError as exc:  # ssl.SSLError is an OSError
        raise TlsConfigError(f"cannot load certificate {cert} with key {key}: {exc}") from None


def station_context(pair: tuple[Path, Path]) -> ssl.SSLContext:
    """A server context for wss:// stations with the certificate chain and key of `pair`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    _load_pair(context, pair)
    return context


def upstream_context(ca_bundle: Path | None, pair: tuple[Path, Path] | None) -> ssl.SSLContext:
    """A client context for a wss:// CSMS: its CA (the system's without `ca_bundle`), a client cert."""
    try:
        context = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle is not None else None)
    except OSError as exc:
        raise TlsConfigError(f"cannot load CA bundle {ca_bundle}: {exc}") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if pair is not None:
        _load_pair(context, pair)
    return context


class TlsContexts:
    """The station-side (server) and CSMS-side (client) SSL contexts of one bridge process.

    A context whose certificate failed to load half-way is unusable (OpenSSL swaps the certificate
    before it checks the key), so a reload never touches a live context: it builds new ones and
    switches over only when they loaded. The listening socket keeps one `listener` context whose SNI
    callback (run for every ClientHello, with or without a server name) hands each handshake the
    current station context; the upstream side reads `upstream` for each new connection.
    """

    def __init__(self, settings: Settings) -> None:
        self.ca_bundle = settings.ca_bundle
        self.station_pair = _check_pair(settings.tls_cert_file, settings.tls_key_file, "station TLS")
        self.client_pair = _check_pair(
            settings.upstream_client_cert_file, settings.upstream_client_key_file, "upstream client TLS"
        )
        self.station: ssl.SSLContext | None = None
        self.listener: ssl.SSLContext | None = None
        if self.station_pair is not None:
            self.station = station_context(self.station_pair)
            self.listener = station_context(self.station_pair)
            self.listener.sni_callback = self._pick_station_context
        self.upstream: ssl.SSLContext | None = None
        if self.ca_bundle is not None or self.client_pair is not None:
            self.upstream = upstream_context(self.ca_bundle, self.client_pair)

    def _pick_station_context(self, connection: ssl.SSLObject, server_name: str | None, _: object) -> None:
        if self.station is not None:
            connection.context = self.station

    def reload(self) -> bool:
        """Read the certificate files again (SIGHUP); False, logged, if one failed (the old one stays)."""
        ok = True
        if self.station_pair is not None:
            try:
                self.station = station_context(self.station_pair)
            except TlsConfigError as exc:
                log.error("station TLS certificate not reloaded, still serving the previous one: %s", exc)
                ok = False
            else:
                log.info("station TLS certificate reloaded from %s", self.station_pair[0])
        if self.upstream is not None:
            try:
                self.upstream = upstream_context(self.ca_bundle, self.client_pair)
            except TlsConfigError as exc:
                log.error("upstream TLS files not reloaded, still using the previous ones: %s", exc)
                ok = False
            else:
                log.info("upstream TLS files reloaded (CA bundle, client certificate)")
        return ok
