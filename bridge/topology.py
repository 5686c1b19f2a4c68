"""EVSE topology: which 2.0.1 (evseId, connectorId) a 1.6 connectorId is, per station.

Default: 1.6 connector N = EVSE N / connector 1, and 1.6 connector 0 (the whole charge point) =
EVSE 0. A topology file (format in mappings/topology.example.toml) overrides it per station id or
per station model. Its [repairs] section overrides --station-repairs the same way.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EvseConnector = tuple[int, int]


class TopologyError(ValueError):
    pass


@dataclass(frozen=True)
class Topology:
    """One station's connector map; `connectors` empty means the default one-connector-per-EVSE rule."""

    connectors: dict[int, EvseConnector] = field(default_factory=dict)
    source: str = "default"

    def to_evse(self, connector_id: int) -> EvseConnector | None:
        """2.0.1 (evseId, connectorId) for a 1.6 connectorId; None when this station has no such connector."""
        if connector_id == 0:
            return (0, 0)
        if not self.connectors:
            return (connector_id, 1) if connector_id > 0 else None
        return self.connectors.get(connector_id)

    def evse_connectors(self, evse_id: int) -> list[int]:
        """The 1.6 connectorIds of one EVSE in an explicit table."""
        return [c for c, (e, _) in self.connectors.items() if e == evse_id]

    def to_connector(self, evse_id: int, connector_id: int | None) -> int | None:
        """1.6 connectorId for a 2.0.1 EVSE (and optional connector); None when unknown or ambiguous."""
        if evse_id == 0 and connector_id in (None, 0):
            return 0
        if not self.connectors:
            return evse_id if evse_id > 0 and connector_id in (None, 1) else None
        matches = [c for c, (e, k) in self.connectors.items() if e == evse_id and connector_id in (None, k)]
        return matches[0] if len(matches) == 1 else None


DEFAULT = Topology()


@dataclass(frozen=True)
class TopologyBook:
    """All topologies of a deployment: per station id, per model, else the default."""

    stations: dict[str, Topology] = field(default_factory=dict)
    models: dict[str, Topology] = field(default_factory=dict)
    repair_stations: dict[str, bool] = field(default_factory=dict)  # [repairs] stations = {id = "on"}
    repair_models: dict[str, bool] = field(default_factory=dict)

    def for_station(self, station_id: str, model: str | None = None) -> Topology:
        if station_id in self.stations:
            return self.stations[station_id]
        if model is not None and model in self.models:
            return self.models[model]
        return DEFAULT

    def station_repairs(self, station_id: str, model: str | None = None) -> bool | None:
        """This station's --station-repairs override: by station id, else by model; None: none."""
        found = self.repair_stations.get(station_id)
        if found is None and model is not None:
            found = self.repair_models.get(model)
        return found


def _table(raw: Any, where: str) -> Topology:
    if not isinstance(raw, dict) or not raw:
        raise TopologyError(f"{where}: expected a table of connectorId = [evseId, connectorId]")
    connectors: dict[int, EvseConnector] = {}
    for key, value in raw.items():
        if not key.isdigit() or int(key) < 1:
            raise TopologyError(f"{where}: connector {key!r} must be a whole number >= 1")
        ok = isinstance(value, list) and len(value) == 2 and all(type(v) is int and v >= 1 for v in value)
        if not ok:
            raise TopologyError(f"{where}.{key}: expected [evseId, connectorId], both >= 1, got {value!r}")
        connectors[int(key)] = (value[0], value[1])
    if len(set(connectors.values())) != len(connectors):
        raise TopologyError(f"{where}: two connectors map to the same [evseId, connectorId]")
    return Topology(connectors, source=where)


def _switches(raw: Any, where: str) -> dict[str, bool]:
    if not isinstance(raw, dict) or not all(v in ("on", "off") for v in raw.values()):
        raise TopologyError(f'{where}: expected a table of "<name>" = "on" or "off", got {raw!r}')
    return {name: value == "on" for name, value in raw.items()}


def _repairs(raw: Any, path: Path) -> tuple[dict[str, bool], dict[str, bool]]:
    if not isinstance(raw, dict) or not set(raw) <= {"stations", "models"}:
        raise TopologyError(f"{path}: [repairs] holds `stations` and `models` tables only")
    return (
        _switches(raw.get("stations", {}), "repairs.stations"),
        _switches(raw.get("models", {}), "repairs.models"),
    )


def load_topology(path: Path | None) -> TopologyBook:
    """Read a topology file; raises TopologyError naming the entry at fault."""
    if path is None:
        return TopologyBook()
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TopologyError(f"{path}: {exc}") from exc
    unknown = set(raw) - {"stations", "models", "repairs"}
    if unknown:
        raise TopologyError(
            f"{path}: unknown section(s) {sorted(unknown)}; use [stations.*], [models.*] or [repairs]"
        )
    repair_stations, repair_models = _repairs(raw.get("repairs", {}), Path(path))
    return TopologyBook(
        stations={k: _table(v, f"stations.{k}") for k, v in raw.get("stations", {}).items()},
        models={k: _table(v, f"models.{k}") for k, v in raw.get("models", {}).items()},
        repair_stations=repair_stations,
        repair_models=repair_models,
    )
