"""Peers for the command tests: a 1.6 station from the `ocpp` package that answers every command the
CSMS can send through the bridge, a 2.0.1 CSMS that also takes NotifyReport and DataTransfer, and
helpers to send raw 2.0.1 calls and read the exact frames each side saw."""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import AsyncIterator
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result as result16
from ocpp.v201 import call_result as result201

from bridge.engine import Engine, Side
from bridge.tables import load_tables
from bridge.translate.context import StationContext
from tests.conftest import (
    Connection,
    Csms,
    CsmsServer,
    Station,
    connect_station,
    eventually,
    run_bridge,
    start_csms,
)
from tests.schemas import assert_frame_valid

# What the station answers by default (snake_case keyword arguments of ocpp.v16.call_result.*)
DEFAULT_ANSWERS: dict[str, dict[str, Any]] = {
    "Reset": {"status": "Accepted"},
    "ChangeAvailability": {"status": "Accepted"},
    "UnlockConnector": {"status": "Unlocked"},
    "ClearCache": {"status": "Accepted"},
    "GetDiagnostics": {"file_name": "diag-0042.zip"},
    "GetLog": {"status": "Accepted", "filename": "security.log"},
    "UpdateFirmware": {},
    "SignedUpdateFirmware": {"status": "Accepted"},
    "ReserveNow": {"status": "Accepted"},
    "CancelReservation": {"status": "Accepted"},
    "SendLocalList": {"status": "Accepted"},
    "GetLocalListVersion": {"list_version": 5},
    "SetChargingProfile": {"status": "Accepted"},
    "ClearChargingProfile": {"status": "Accepted"},
    "GetCompositeSchedule": {"status": "Rejected"},
    "GetConfiguration": {"configuration_key": [], "unknown_key": []},
    "ChangeConfiguration": {"status": "Accepted"},
    "DataTransfer": {"status": "Accepted"},
    # the security extension's certificate actions (GetInstalledCertificateIds: see `installed`)
    "CertificateSigned": {"status": "Accepted"},
    "InstallCertificate": {"status": "Accepted"},
    "DeleteCertificate": {"status": "Accepted"},
}


class CommandStation(Station):
    """Answers each command with `answers[action]` (change them per test); handlers added below."""

    def __init__(self, station_id: str, connection: Connection) -> None:
        super().__init__(station_id, connection)
        self.answers = copy.deepcopy(DEFAULT_ANSWERS)

        # GetInstalledCertificateIds answers with the certificates installed of the asked type
        self.installed: dict[str, list[dict[str, str]]] = {}

    @on("GetInstalledCertificateIds")
    def on_GetInstalledCertificateIds(self, certificate_type: str) -> result16.GetInstalledCertificateIds:
        found = self.installed.get(certificate_type, [])
        return result16.GetInstalledCertificateIds(
            status="Accepted" if found else "NotFound", certificate_hash_data=found or None
        )

    def calls_seen(self) -> list[list[Any]]:
        """[action, payload] of every call the station received, in order."""
        return [f[2:] for d, f in self.frames if d == "received" and f[0] == 2]


def _answering(action: str) -> Any:
    def handler(self: CommandStation, **kwargs: Any) -> Any:
        return getattr(result16, action)(**self.answers[action])

    handler.__name__ = f"on_{action}"  # the `ocpp` router finds handlers by their function name
    return on(action)(handler)


for _action in DEFAULT_ANSWERS:
    setattr(CommandStation, f"on_{_action}", _answering(_action))


class ReportingCsms(Csms):
    """The conftest CSMS, also taking NotifyReport and DataTransfer (validated by the `ocpp` package)."""

    def __init__(self, station_id: str, connection: Connection) -> None:
        super().__init__(station_id, connection)
        self.data_transfer_answer: dict[str, Any] = {"status": "Accepted"}

    @on("NotifyReport")
    def on_notify_report(self, **kwargs: Any) -> result201.NotifyReport:
        self._seen()
        return result201.NotifyReport()

    @on("DataTransfer")
    def on_data_transfer(self, **kwargs: Any) -> result201.DataTransfer:
        self._seen()
        return result201.DataTransfer(**self.data_transfer_answer)


@contextlib.asynccontextmanager
async def reporting_csms() -> AsyncIterator[CsmsServer]:
    server = await start_csms(ReportingCsms)
    try:
        yield server
    finally:
        assert server.runner is not None
        await server.runner.cleanup()


async def ask(server_side: Csms, action: str, payload: dict[str, Any]) -> list[Any]:
    """Send a raw 2.0.1 call from the CSMS and return the frame that answers it."""
    message_id = f"{action}-{len(server_side.frames)}"
    await server_side._connection.send(json.dumps([2, message_id, action, payload]))
    answers: list[list[Any]] = []

    def answered() -> bool:
        answers[:] = [
            f for d, f in server_side.frames if d == "received" and f[0] != 2 and f[1] == message_id
        ]
        return bool(answers)

    await eventually(answered)
    return answers[0]


@contextlib.asynccontextmanager
async def command_pair(
    station_id: str = "CP-CMD", **bridge_settings: Any
) -> AsyncIterator[tuple[Csms, CommandStation]]:
    """A CSMS (2.0.1), the bridge and a CommandStation (1.6), connected; yields (CSMS side, station)."""
    async with (
        reporting_csms() as server,
        run_bridge(csms_url=server.url, **bridge_settings) as bridge,
        connect_station(bridge.url(station_id), station_id, factory=CommandStation) as station,
    ):
        yield await server.wait_for(station_id), station


# -- the engine alone (no sockets), for the mapping details --------------------------------------


def engine(station_id: str = "CP-E", **context: Any) -> Engine:
    return Engine(StationContext(station_id, load_tables(), **context))


def down(engine: Engine, action: str, payload: dict[str, Any]) -> tuple[list[list[Any]], list[list[Any]]]:
    """A 2.0.1 call from the CSMS: (frames to the station, frames back to the CSMS), all schema-checked."""
    sends = engine.receive(Side.CSMS, json.dumps([2, "c1", action, payload]))
    to_station = [json.loads(s.text) for s in sends if s.side is Side.STATION]
    to_csms = [json.loads(s.text) for s in sends if s.side is Side.CSMS]
    for frame in to_station:
        assert_frame_valid("1.6", frame)
    for frame in to_csms:
        assert_frame_valid("2.0.1", frame, request_action=action)
    return to_station, to_csms


def answer(engine: Engine, call: list[Any], payload: dict[str, Any], action: str) -> list[list[Any]]:
    """The station answers `call`: the frames the CSMS gets (the answer to `action` checked)."""
    sends = engine.receive(Side.STATION, json.dumps([3, call[1], payload]))
    assert not [s for s in sends if s.side is Side.STATION]
    to_csms = [json.loads(s.text) for s in sends]
    for frame in to_csms:
        assert_frame_valid("2.0.1", frame, request_action=action if frame[0] != 2 else None)
    return to_csms
