"""Commands from a 2.0.1 CSMS to a 1.6 station through the bridge: Reset, ChangeAvailability,
UnlockConnector, ClearCache, GetLog, UpdateFirmware, reservations, local lists and DataTransfer.

Real peers (the `ocpp` package's 2.0.1 CSMS and 1.6 charge point, each validating what it receives
against the official schemas) for the main flows; the engine alone for mapping details. Expected
values come from ../shared/ocpp-mapping.md (sections 3.3, 3.6-3.8, 3.10) and the schemas.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from ocpp.v16 import call as call16

from tests.command_peers import answer, ask, command_pair, down, engine
from tests.conftest import eventually
from tests.schemas import assert_frame_valid, assert_valid

# -- Reset ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("type201", "type16"), [("Immediate", "Hard"), ("OnIdle", "Soft")])
async def test_reset_goes_down_with_the_16_type(type201: str, type16: str) -> None:
    async with command_pair() as (csms, station):
        result = await ask(csms, "Reset", {"type": type201})
        assert station.calls_seen() == [["Reset", {"type": type16}]]
        station.answers["Reset"] = {"status": "Rejected"}
        refused = await ask(csms, "Reset", {"type": type201})
    assert_frame_valid("2.0.1", result, request_action="Reset")
    assert result[2] == {"status": "Accepted"}
    assert refused[2] == {"status": "Rejected"}


async def test_a_reset_of_one_evse_is_rejected_by_the_bridge() -> None:
    async with command_pair() as (csms, station):
        result = await ask(csms, "Reset", {"type": "Immediate", "evseId": 1})
        await asyncio.sleep(0.05)
        assert station.calls_seen() == []
    assert_frame_valid("2.0.1", result, request_action="Reset")
    assert result[2]["status"] == "Rejected"
    assert result[2]["statusInfo"]["reasonCode"] == "UnsupportedRequest"
    assert "whole charge point" in result[2]["statusInfo"]["additionalInfo"]


# -- ChangeAvailability ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request201", "request16"),
    [
        ({"operationalStatus": "Inoperative"}, {"connectorId": 0, "type": "Inoperative"}),
        ({"operationalStatus": "Operative", "evse": {"id": 2}}, {"connectorId": 2, "type": "Operative"}),
        (
            {"operationalStatus": "Inoperative", "evse": {"id": 3, "connectorId": 1}},
            {"connectorId": 3, "type": "Inoperative"},
        ),
        ({"operationalStatus": "Operative", "evse": {"id": 0}}, {"connectorId": 0, "type": "Operative"}),
    ],
)
async def test_change_availability_addresses_the_16_connector(
    request201: dict[str, Any], request16: dict[str, Any]
) -> None:
    async with command_pair() as (csms, station):
        station.answers["ChangeAvailability"] = {"status": "Scheduled"}
        result = await ask(csms, "ChangeAvailability", request201)
        assert station.calls_seen() == [["ChangeAvailability", request16]]
    assert_frame_valid("2.0.1", result, request_action="ChangeAvailability")
    assert result[2] == {"status": "Scheduled"}


async def test_change_availability_of_an_unknown_evse_or_connector_is_rejected(tmp_path: Any) -> None:
    topology = tmp_path / "topology.toml"
    topology.write_text('[stations."CP-T"]\n1 = [1, 1]\n2 = [1, 2]\n')
    async with command_pair("CP-T", topology_file=topology) as (csms, station):
        unknown_evse = await ask(
            csms, "ChangeAvailability", {"operationalStatus": "Operative", "evse": {"id": 2}}
        )
        unknown_connector = await ask(
            csms,
            "ChangeAvailability",
            {"operationalStatus": "Operative", "evse": {"id": 1, "connectorId": 3}},
        )
        ambiguous = await ask(
            csms, "ChangeAvailability", {"operationalStatus": "Operative", "evse": {"id": 1}}
        )
        assert station.calls_seen() == []
        second_cable = await ask(
            csms,
            "ChangeAvailability",
            {"operationalStatus": "Inoperative", "evse": {"id": 1, "connectorId": 2}},
        )
        assert station.calls_seen() == [["ChangeAvailability", {"connectorId": 2, "type": "Inoperative"}]]
    for frame in (unknown_evse, unknown_connector, ambiguous):
        assert_frame_valid("2.0.1", frame, request_action="ChangeAvailability")
        assert frame[2]["status"] == "Rejected"
    assert unknown_evse[2]["statusInfo"]["reasonCode"] == "UnknownEvse"
    assert unknown_connector[2]["statusInfo"]["reasonCode"] == "UnknownConnectorId"
    assert "several OCPP 1.6 connectors (1, 2)" in ambiguous[2]["statusInfo"]["additionalInfo"]
    assert second_cable[2] == {"status": "Accepted"}


# -- UnlockConnector ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status16", "status201"),
    [("Unlocked", "Unlocked"), ("UnlockFailed", "UnlockFailed"), ("NotSupported", "UnlockFailed")],
)
async def test_unlock_connector(status16: str, status201: str) -> None:
    async with command_pair() as (csms, station):
        station.answers["UnlockConnector"] = {"status": status16}
        result = await ask(csms, "UnlockConnector", {"evseId": 2, "connectorId": 1})
        assert station.calls_seen() == [["UnlockConnector", {"connectorId": 2}]]
    assert_frame_valid("2.0.1", result, request_action="UnlockConnector")
    assert result[2]["status"] == status201


@pytest.mark.parametrize(
    "target",
    [{"evseId": 1, "connectorId": 2}, {"evseId": -1, "connectorId": 1}, {"evseId": 0, "connectorId": 0}],
)
def test_unlocking_a_connector_the_topology_does_not_know_is_answered_unknown_connector(
    target: dict[str, int],
) -> None:
    to_station, (result,) = down(engine(), "UnlockConnector", target)
    assert to_station == []
    assert result[2]["status"] == "UnknownConnector"


def test_unlock_during_a_transaction_is_answered_ongoing_authorized_transaction() -> None:
    bridge = engine()
    record = bridge.ctx.start_transaction(1, None)
    to_station, (result,) = down(bridge, "UnlockConnector", {"evseId": 1, "connectorId": 1})
    assert to_station == []
    assert result[2]["status"] == "OngoingAuthorizedTransaction"
    assert record.id201 in result[2]["statusInfo"]["additionalInfo"]
    (call,), _ = down(bridge, "UnlockConnector", {"evseId": 2, "connectorId": 1})  # another connector
    assert call[2:] == ["UnlockConnector", {"connectorId": 2}]


# -- ClearCache -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["Accepted", "Rejected"])
async def test_clear_cache(status: str) -> None:
    async with command_pair() as (csms, station):
        station.answers["ClearCache"] = {"status": status}
        result = await ask(csms, "ClearCache", {})
        assert station.calls_seen() == [["ClearCache", {}]]
    assert_frame_valid("2.0.1", result, request_action="ClearCache")
    assert result[2] == {"status": status}


# -- GetLog ---------------------------------------------------------------------------------------

GET_LOG = {
    "log": {
        "remoteLocation": "ftp://logs.example.com/upload/",
        "oldestTimestamp": "2026-03-01T00:00:00Z",
        "latestTimestamp": "2026-03-02T00:00:00Z",
    },
    "logType": "DiagnosticsLog",
    "requestId": 42,
    "retries": 3,
    "retryInterval": 60,
}


async def test_get_log_becomes_get_diagnostics_and_the_upload_status_carries_its_request_id() -> None:
    async with command_pair() as (csms, station):
        result = await ask(csms, "GetLog", GET_LOG)
        assert station.calls_seen() == [
            [
                "GetDiagnostics",
                {
                    "location": "ftp://logs.example.com/upload/",
                    "retries": 3,
                    "retryInterval": 60,
                    "startTime": "2026-03-01T00:00:00Z",
                    "stopTime": "2026-03-02T00:00:00Z",
                },
            ]
        ]
        await station.call(call16.DiagnosticsStatusNotification(status="Uploading"))
        await eventually(lambda: bool(csms.received_calls("LogStatusNotification")))
    assert_frame_valid("2.0.1", result, request_action="GetLog")
    assert result[2] == {"status": "Accepted", "filename": "diag-0042.zip"}
    (status,) = csms.received_calls("LogStatusNotification")
    assert status[3] == {"status": "Uploading", "requestId": 42}


def test_get_diagnostics_without_a_file_name_is_still_accepted() -> None:
    bridge = engine()
    (call,), _ = down(bridge, "GetLog", GET_LOG)
    assert answer(bridge, call, {}, "GetLog")[0][2] == {"status": "Accepted"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"logType": "SecurityLog"}, "UnsupportedRequest"),
        ({"log": {"remoteLocation": "not a uri"}}, "InvalidURL"),
    ],
)
def test_get_log_a_plain_16_station_cannot_serve_is_rejected_by_the_bridge(
    change: dict[str, Any], reason: str
) -> None:
    bridge = engine()
    to_station, (result,) = down(bridge, "GetLog", {**GET_LOG, **change})
    assert to_station == []
    assert result[2]["status"] == "Rejected"
    assert result[2]["statusInfo"]["reasonCode"] == reason
    assert bridge.ctx.log_request_id is None


async def test_get_log_goes_as_it_is_to_a_security_extension_station() -> None:
    async with command_pair("CP-SEC", security_extension=True) as (csms, station):
        result = await ask(csms, "GetLog", {**GET_LOG, "logType": "SecurityLog"})
        assert station.calls_seen() == [["GetLog", {**GET_LOG, "logType": "SecurityLog"}]]
        await station.call(call16.LogStatusNotification(status="Uploaded", request_id=42))
        await eventually(lambda: bool(csms.received_calls("LogStatusNotification")))
    assert_frame_valid("2.0.1", result, request_action="GetLog")
    assert result[2] == {"status": "Accepted", "filename": "security.log"}
    assert csms.received_calls("LogStatusNotification")[0][3] == {"status": "Uploaded", "requestId": 42}


def test_a_rejected_get_log_keeps_the_request_id_of_the_running_upload() -> None:
    bridge = engine(security_extension=True)
    (first,), _ = down(bridge, "GetLog", GET_LOG)
    answer(bridge, first, {"status": "Accepted"}, "GetLog")
    (second,), _ = down(bridge, "GetLog", {**GET_LOG, "requestId": 43})
    assert answer(bridge, second, {"status": "Rejected"}, "GetLog")[0][2] == {"status": "Rejected"}
    assert bridge.ctx.log_request_id == 42


# -- UpdateFirmware -------------------------------------------------------------------------------

FIRMWARE = {
    "location": "https://firmware.example.com/w11-2.1.bin",
    "retrieveDateTime": "2026-04-01T02:00:00Z",
    "installDateTime": "2026-04-01T03:00:00Z",
}
SIGNED = {**FIRMWARE, "signingCertificate": "-----BEGIN CERTIFICATE-----", "signature": "c2lnbmF0dXJl"}


async def test_update_firmware_becomes_plain_update_firmware_and_statuses_carry_its_request_id() -> None:
    request = {"requestId": 7, "firmware": FIRMWARE, "retries": 2, "retryInterval": 30}
    async with command_pair() as (csms, station):
        result = await ask(csms, "UpdateFirmware", request)
        assert station.calls_seen() == [
            [
                "UpdateFirmware",
                {
                    "location": "https://firmware.example.com/w11-2.1.bin",
                    "retries": 2,
                    "retrieveDate": "2026-04-01T02:00:00Z",
                    "retryInterval": 30,
                },
            ]
        ]
        await station.call(call16.FirmwareStatusNotification(status="Downloading"))
        await eventually(lambda: bool(csms.received_calls("FirmwareStatusNotification")))
    assert_frame_valid("2.0.1", result, request_action="UpdateFirmware")
    assert result[2] == {"status": "Accepted"}
    assert csms.received_calls("FirmwareStatusNotification")[0][3] == {
        "status": "Downloading",
        "requestId": 7,
    }


async def test_signed_firmware_goes_as_signed_update_firmware_to_a_security_extension_station() -> None:
    request = {"requestId": 8, "firmware": SIGNED, "retries": 1}
    async with command_pair("CP-SEC", security_extension=True) as (csms, station):
        station.answers["SignedUpdateFirmware"] = {"status": "InvalidCertificate"}
        result = await ask(csms, "UpdateFirmware", request)
        assert station.calls_seen() == [["SignedUpdateFirmware", request]]
    assert_frame_valid("2.0.1", result, request_action="UpdateFirmware")
    assert result[2] == {"status": "InvalidCertificate"}


def test_signed_firmware_to_a_plain_station_loses_the_signature_and_an_unsigned_one_stays_plain() -> None:
    plain = engine()
    (call,), _ = down(plain, "UpdateFirmware", {"requestId": 9, "firmware": SIGNED})
    assert call[2:] == [
        "UpdateFirmware",
        {"location": FIRMWARE["location"], "retrieveDate": FIRMWARE["retrieveDateTime"]},
    ]
    secure = engine(security_extension=True)
    (call,), _ = down(secure, "UpdateFirmware", {"requestId": 9, "firmware": FIRMWARE})
    assert call[2] == "UpdateFirmware"


def test_update_firmware_from_a_location_that_is_not_a_uri_is_rejected() -> None:
    bridge = engine()
    firmware = {**FIRMWARE, "location": "firmware.bin"}
    to_station, (result,) = down(bridge, "UpdateFirmware", {"requestId": 9, "firmware": firmware})
    assert to_station == []
    assert result[2]["status"] == "Rejected"
    assert result[2]["statusInfo"]["reasonCode"] == "InvalidURL"
    assert bridge.ctx.firmware_request_id is None


# -- ReserveNow / CancelReservation ---------------------------------------------------------------


async def test_reserve_now_and_cancel_it() -> None:
    request = {
        "id": 11,
        "expiryDateTime": "2026-05-01T10:00:00Z",
        "idToken": {"idToken": "04A2B3C4D5", "type": "ISO14443"},
        "groupIdToken": {"idToken": "FLEET-7", "type": "Central"},
        "evseId": 2,
        "connectorType": "cType2",
    }
    async with command_pair() as (csms, station):
        station.answers["ReserveNow"] = {"status": "Occupied"}
        reserved = await ask(csms, "ReserveNow", request)
        cancelled = await ask(csms, "CancelReservation", {"reservationId": 11})
        assert station.calls_seen() == [
            [
                "ReserveNow",
                {
                    "connectorId": 2,
                    "expiryDate": "2026-05-01T10:00:00Z",
                    "idTag": "04A2B3C4D5",
                    "parentIdTag": "FLEET-7",
                    "reservationId": 11,
                },
            ],
            ["CancelReservation", {"reservationId": 11}],
        ]
    assert_frame_valid("2.0.1", reserved, request_action="ReserveNow")
    assert_frame_valid("2.0.1", cancelled, request_action="CancelReservation")
    assert reserved[2] == {"status": "Occupied"}
    assert cancelled[2] == {"status": "Accepted"}


def test_reserve_now_without_an_evse_reserves_connector_zero_and_long_tokens_do_not_fit() -> None:
    bridge = engine()
    base = {
        "id": 1,
        "expiryDateTime": "2026-05-01T10:00:00Z",
        "idToken": {"idToken": "A" * 20, "type": "Central"},
    }
    (call,), _ = down(
        bridge, "ReserveNow", {**base, "groupIdToken": {"idToken": "G" * 21, "type": "Central"}}
    )
    assert call[3] == {
        "connectorId": 0,
        "expiryDate": "2026-05-01T10:00:00Z",
        "idTag": "A" * 20,
        "reservationId": 1,
    }
    answer(bridge, call, {"status": "Accepted"}, "ReserveNow")
    to_station, (result,) = down(
        bridge, "ReserveNow", {**base, "idToken": {"idToken": "A" * 21, "type": "eMAID"}}
    )
    assert to_station == []
    assert result[2]["status"] == "Rejected"
    assert result[2]["statusInfo"]["reasonCode"] == "InvalidIdToken"


# -- SendLocalList / GetLocalListVersion ----------------------------------------------------------


async def test_send_local_list_maps_tokens_and_their_info() -> None:
    request = {
        "versionNumber": 12,
        "updateType": "Differential",
        "localAuthorizationList": [
            {
                "idToken": {"idToken": "TAG-1", "type": "ISO14443"},
                "idTokenInfo": {
                    "status": "NotAtThisTime",
                    "cacheExpiryDateTime": "2026-12-31T23:59:59Z",
                    "groupIdToken": {"idToken": "FLEET-7", "type": "Central"},
                },
            },
            {"idToken": {"idToken": "TAG-2", "type": "ISO14443"}},
        ],
    }
    async with command_pair() as (csms, station):
        result = await ask(csms, "SendLocalList", request)
        version = await ask(csms, "GetLocalListVersion", {})
        assert station.calls_seen() == [
            [
                "SendLocalList",
                {
                    "listVersion": 12,
                    "localAuthorizationList": [
                        {
                            "idTag": "TAG-1",
                            "idTagInfo": {
                                "expiryDate": "2026-12-31T23:59:59Z",
                                "parentIdTag": "FLEET-7",
                                "status": "Invalid",
                            },
                        },
                        {"idTag": "TAG-2"},
                    ],
                    "updateType": "Differential",
                },
            ],
            ["GetLocalListVersion", {}],
        ]
    assert_frame_valid("2.0.1", result, request_action="SendLocalList")
    assert_frame_valid("2.0.1", version, request_action="GetLocalListVersion")
    assert result[2] == {"status": "Accepted"}
    assert version[2] == {"versionNumber": 5}


@pytest.mark.parametrize(
    ("status16", "status201"),
    [
        ("Accepted", "Accepted"),
        ("Failed", "Failed"),
        ("NotSupported", "Failed"),
        ("VersionMismatch", "VersionMismatch"),
    ],
)
def test_send_local_list_statuses(status16: str, status201: str) -> None:
    bridge = engine()
    (call,), _ = down(bridge, "SendLocalList", {"versionNumber": 1, "updateType": "Full"})
    assert call[3] == {"listVersion": 1, "updateType": "Full"}
    assert answer(bridge, call, {"status": status16}, "SendLocalList")[0][2]["status"] == status201


def test_a_local_list_with_a_token_too_long_for_16_is_not_sent() -> None:
    entries = [
        {"idToken": {"idToken": "SHORT", "type": "Local"}},
        {"idToken": {"idToken": "L" * 21, "type": "eMAID"}},
    ]
    to_station, (result,) = down(
        engine(),
        "SendLocalList",
        {"versionNumber": 3, "updateType": "Full", "localAuthorizationList": entries},
    )
    assert to_station == []
    assert result[2]["status"] == "Failed"
    assert "localAuthorizationList[1]" in result[2]["statusInfo"]["additionalInfo"]


def test_a_station_without_a_local_list_reports_version_zero() -> None:
    bridge = engine()
    (call,), _ = down(bridge, "GetLocalListVersion", {})
    assert answer(bridge, call, {"listVersion": -1}, "GetLocalListVersion")[0][2] == {"versionNumber": 0}


# -- DataTransfer ---------------------------------------------------------------------------------


async def test_data_transfer_from_the_csms_sends_json_data_as_a_string() -> None:
    request = {"vendorId": "com.example", "messageId": "Price", "data": {"price": 0.31, "currency": "EUR"}}
    async with command_pair() as (csms, station):
        station.answers["DataTransfer"] = {"status": "UnknownMessageId", "data": "try Tariff"}
        result = await ask(csms, "DataTransfer", request)
        seen = station.calls_seen()
    assert seen == [
        [
            "DataTransfer",
            {"vendorId": "com.example", "messageId": "Price", "data": '{"price":0.31,"currency":"EUR"}'},
        ]
    ]
    assert_frame_valid("2.0.1", result, request_action="DataTransfer")
    assert result[2] == {"status": "UnknownMessageId", "data": "try Tariff"}


@pytest.mark.parametrize(
    ("data201", "data16"), [("plain text", "plain text"), (17, "17"), ([1, "a"], '[1,"a"]')]
)
def test_data_transfer_data_of_any_json_type_reaches_16_as_a_string(data201: Any, data16: str) -> None:
    (call,), _ = down(engine(), "DataTransfer", {"vendorId": "v", "data": data201})
    assert call[3] == {"vendorId": "v", "data": data16}


async def test_data_transfer_from_the_station_reaches_the_csms_and_its_answer_comes_back() -> None:
    async with command_pair() as (csms, station):
        csms.data_transfer_answer = {
            "status": "Rejected",
            "data": {"reason": "unknown card"},
            "status_info": {"reason_code": "NotFound"},
        }
        response = await station.call(
            call16.DataTransfer(vendor_id="com.example", message_id="Hello", data="{}")
        )
        (forwarded,) = csms.received_calls("DataTransfer")
        answered = [f for d, f in station.frames if d == "received" and f[0] == 3]
    assert_frame_valid("2.0.1", forwarded)
    assert forwarded[3] == {"vendorId": "com.example", "messageId": "Hello", "data": "{}"}
    assert response.status == "Rejected"
    assert_valid("1.6", "DataTransfer", answered[0][2], response=True)
    assert answered[0][2] == {"status": "Rejected", "data": '{"reason":"unknown card"}'}  # statusInfo dropped
