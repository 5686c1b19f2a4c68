"""Which way a station's traffic goes: chosen at its handshake, from the protocol it offers.

    station offers            mode          station <-> CSMS
    ocpp2.0.1 first (or only)  passthrough   2.0.1 <-> 2.0.1 (--csms-url), validated, not translated
    ocpp1.6                    primary       1.6 -> 2.0.1 translated (--csms-url)
    neither                    refused at the handshake (HTTP 400)

The choice is a small `Route` that the server's upstream connection and engine follow.
"""

from __future__ import annotations

from dataclasses import dataclass

OCPP16 = "ocpp1.6"
OCPP201 = "ocpp2.0.1"
STATION_PROTOCOLS = (OCPP201, OCPP16)  # what a station may speak, as the README's table says


class NoCommonProtocol(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Route:
    mode: str  # the `mode` label of bridge_connected_stations
    station_protocol: str  # the WebSocket subprotocol the station gets
    csms_protocol: str  # the subprotocol asked of the CSMS that decides
    csms_url: str

    @property
    def translated(self) -> bool:
        return self.station_protocol != self.csms_protocol


def station_protocol(offered: list[str]) -> str:
    """The subprotocol a station gets: 2.0.1 when it offers it first (or alone, or without 1.6),
    1.6 when it offers 1.6; NoCommonProtocol otherwise."""
    ours = [p for p in offered if p in STATION_PROTOCOLS]
    if not ours:
        shown = ", ".join(p for p in offered if p) or "none"
        raise NoCommonProtocol(
            f"the station must offer WebSocket subprotocol {OCPP16} or {OCPP201} (it offered: {shown[:200]})"
        )
    return ours[0]


def route(protocol: str, csms_url: str) -> Route:
    """The route of a station that speaks `protocol`."""
    if protocol == OCPP201:
        return Route("passthrough", OCPP201, OCPP201, csms_url)
    return Route("primary", OCPP16, OCPP201, csms_url)
