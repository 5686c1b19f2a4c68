"""The station listener: an aiohttp site whose TLS handshakes are bounded by --handshake-timeout.

aiohttp's `TCPSite` cannot pass `ssl_handshake_timeout` to the event loop, so a wss:// listener
would give a client that opens a TCP connection and never starts TLS, or sends half a ClientHello,
asyncio's default of 60 s. This site creates the server itself, with the same timeout for the TLS
handshake as aiohttp's keep-alive timeout gives the HTTP request that follows it (set on the
AppRunner). The SSL context is the listener context of bridge/tls.py, whose SNI callback hands out
the current certificate, so a SIGHUP reload keeps working through it.
"""

from __future__ import annotations

import asyncio
import ssl

from aiohttp import web
from yarl import URL


class ListenerSite(web.BaseSite):
    """Like `web.TCPSite`, with `handshake_timeout` for the TLS handshake (ignored without TLS)."""

    __slots__ = ("_bound_port", "_handshake_timeout", "_host", "_port", "_reuse_port")

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        port: int,
        *,
        handshake_timeout: float,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
        reuse_port: bool = False,
    ) -> None:
        super().__init__(runner, ssl_context=ssl_context, backlog=backlog)
        self._host = host
        self._port = port
        self._bound_port: int | None = None
        self._handshake_timeout = handshake_timeout
        self._reuse_port = reuse_port  # several worker processes accept on one port (bridge/workers)

    @property
    def port(self) -> int:
        """The port listened on (the one the system chose, for port 0, once started)."""
        return self._bound_port if self._bound_port is not None else self._port

    @property
    def name(self) -> str:
        scheme = "https" if self._ssl_context else "http"
        return str(URL.build(scheme=scheme, host=self._host or "0.0.0.0", port=self.port))

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert server is not None
        self._server = await asyncio.get_running_loop().create_server(
            server,
            self._host,
            self._port,
            ssl=self._ssl_context,
            backlog=self._backlog,
            reuse_port=self._reuse_port or None,
            # only valid with TLS: without it the keep-alive timeout alone bounds the handshake
            ssl_handshake_timeout=self._handshake_timeout if self._ssl_context is not None else None,
        )
        if self._server.sockets:
            self._bound_port = self._server.sockets[0].getsockname()[1]
