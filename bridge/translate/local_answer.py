"""Pieces for the answers the bridge gives the CSMS itself, and for where a 2.0.1 EVSE is in 1.6.

- `info(reason_code, text)`: the 2.0.1 statusInfo that says why (reasonCode <= 20 characters, from
  the spec's StatusInfoReasonType list where one fits; additionalInfo cut at 512).
- `connector_of(ctx, evse_id, connector_id)`: the 1.6 connectorId of a 2.0.1 EVSE (and connector)
  through the station's topology, or an `Unresolved` saying why there is none: an EVSE or connector
  the topology does not know, or an EVSE with several 1.6 connectors when no connector is named.
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.models import v201
from bridge.translate.context import StationContext

UNSUPPORTED = "UnsupportedRequest"


def info(reason_code: str, text: str) -> v201.StatusInfoType:
    return v201.StatusInfoType(reasonCode=reason_code, additionalInfo=text[:512])


@dataclass(frozen=True)
class Unresolved:
    """No single 1.6 connector: the statusInfo for the CSMS."""

    status_info: v201.StatusInfoType


def connector_of(ctx: StationContext, evse_id: int, connector_id: int | None = None) -> int | Unresolved:
    topology = ctx.topology
    connector = topology.to_connector(evse_id, connector_id)
    if connector is not None:
        return connector
    connectors = topology.evse_connectors(evse_id) if topology.connectors else []
    known_evse = bool(connectors) if topology.connectors else evse_id >= 0
    if not known_evse:
        text = f"EVSE {evse_id} is not in this station's topology ({topology.source})"
        return Unresolved(info("UnknownEvse", text))
    if connector_id is not None:
        return Unresolved(info("UnknownConnectorId", f"EVSE {evse_id} has no connector {connector_id}"))
    listed = ", ".join(str(c) for c in sorted(connectors))
    text = f"EVSE {evse_id} has several OCPP 1.6 connectors ({listed}) and 1.6 addresses one at a time"
    return Unresolved(info(UNSUPPORTED, text))
