"""The security extension's certificate actions through the real bridge, between the `ocpp`
package's 2.0.1 CSMS and 1.6 charge point (which check every frame against their schemas)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.command_peers import ask, command_pair, down, engine
from tests.schemas import assert_frame_valid

HASH = {
    "hashAlgorithm": "SHA256",
    "issuerNameHash": "a" * 64,
    "issuerKeyHash": "b" * 64,
    "serialNumber": "0123456789abcdef",
}
HASH_16 = {  # as the `ocpp` package hands a 1.6 answer's hash data to its handler: snake_case
    "hash_algorithm": "SHA256",
    "issuer_name_hash": "c" * 64,
    "issuer_key_hash": "d" * 64,
    "serial_number": "42",
}
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


async def test_certificate_signed_finishes_the_flow_sign_certificate_starts() -> None:
    async with command_pair("CP-SEC", security_extension=True) as (csms, station):
        result = await ask(csms, "CertificateSigned", {"certificateChain": PEM})
        assert station.calls_seen() == [["CertificateSigned", {"certificateChain": PEM}]]
        station.answers["CertificateSigned"] = {"status": "Rejected"}
        rejected = await ask(csms, "CertificateSigned", {"certificateChain": PEM})
    assert_frame_valid("2.0.1", result, request_action="CertificateSigned")
    assert result[2] == {"status": "Accepted"}
    assert rejected[2] == {"status": "Rejected"}


@pytest.mark.parametrize(
    ("use201", "use16"),
    [
        ("CSMSRootCertificate", "CentralSystemRootCertificate"),
        ("ManufacturerRootCertificate", "ManufacturerRootCertificate"),
    ],
)
async def test_install_certificate_maps_the_certificate_type(use201: str, use16: str) -> None:
    async with command_pair("CP-SEC", security_extension=True) as (csms, station):
        station.answers["InstallCertificate"] = {"status": "Failed"}
        result = await ask(csms, "InstallCertificate", {"certificateType": use201, "certificate": PEM})
        assert station.calls_seen() == [
            ["InstallCertificate", {"certificateType": use16, "certificate": PEM}]
        ]
    assert_frame_valid("2.0.1", result, request_action="InstallCertificate")
    assert result[2] == {"status": "Failed"}


async def test_delete_certificate_carries_the_hash_data_and_the_status() -> None:
    async with command_pair("CP-SEC", security_extension=True) as (csms, station):
        station.answers["DeleteCertificate"] = {"status": "NotFound"}
        result = await ask(csms, "DeleteCertificate", {"certificateHashData": HASH})
        assert station.calls_seen() == [["DeleteCertificate", {"certificateHashData": HASH}]]
    assert_frame_valid("2.0.1", result, request_action="DeleteCertificate")
    assert result[2] == {"status": "NotFound"}


async def test_get_installed_certificate_ids_asks_once_per_16_type_and_answers_once() -> None:
    async with command_pair("CP-SEC", security_extension=True) as (csms, station):
        station.installed["ManufacturerRootCertificate"] = [HASH_16]
        result = await ask(csms, "GetInstalledCertificateIds", {})  # no type: every type
        assert station.calls_seen() == [
            ["GetInstalledCertificateIds", {"certificateType": "CentralSystemRootCertificate"}],
            ["GetInstalledCertificateIds", {"certificateType": "ManufacturerRootCertificate"}],
        ]
    assert_frame_valid("2.0.1", result, request_action="GetInstalledCertificateIds")
    assert result[2]["status"] == "Accepted"
    assert result[2]["certificateHashDataChain"] == [
        {
            "certificateType": "ManufacturerRootCertificate",
            "certificateHashData": {
                "hashAlgorithm": "SHA256",
                "issuerNameHash": "c" * 64,
                "issuerKeyHash": "d" * 64,
                "serialNumber": "42",
            },
        }
    ]
    # V2G and MO certificates have no place in 1.6: said, not silently left out
    assert "V2GRootCertificate" in result[2]["statusInfo"]["additionalInfo"]


async def test_get_installed_certificate_ids_of_one_type_found_nowhere() -> None:
    async with command_pair("CP-SEC", security_extension=True) as (csms, station):
        result = await ask(csms, "GetInstalledCertificateIds", {"certificateType": ["CSMSRootCertificate"]})
        assert station.calls_seen() == [
            ["GetInstalledCertificateIds", {"certificateType": "CentralSystemRootCertificate"}]
        ]
    assert result[2] == {"status": "NotFound"}


CANNOT: list[tuple[str, dict[str, Any], str]] = [
    ("CertificateSigned", {"certificateChain": PEM, "certificateType": "V2GCertificate"}, "Rejected"),
    ("InstallCertificate", {"certificateType": "V2GRootCertificate", "certificate": PEM}, "Rejected"),
    ("InstallCertificate", {"certificateType": "MORootCertificate", "certificate": PEM}, "Rejected"),
    (
        "GetInstalledCertificateIds",
        {"certificateType": ["V2GCertificateChain", "MORootCertificate"]},
        "NotFound",
    ),
]


@pytest.mark.parametrize(("action", "payload", "status"), CANNOT, ids=[f"{a}-{s}" for a, _, s in CANNOT])
def test_what_16_cannot_express_is_answered_by_the_bridge_with_a_status_info(
    action: str, payload: dict[str, Any], status: str
) -> None:
    to_station, (result,) = down(engine(security_extension=True), action, payload)
    assert to_station == []
    assert result[2]["status"] == status
    assert result[2]["statusInfo"]["reasonCode"] == "UnsupportedRequest"


NO_EXTENSION = [
    ("CertificateSigned", {"certificateChain": PEM}, "Rejected"),
    ("InstallCertificate", {"certificateType": "CSMSRootCertificate", "certificate": PEM}, "Rejected"),
    ("DeleteCertificate", {"certificateHashData": HASH}, "Failed"),
    ("GetInstalledCertificateIds", {}, "NotFound"),
]


@pytest.mark.parametrize(("action", "payload", "status"), NO_EXTENSION, ids=[a for a, _, _ in NO_EXTENSION])
async def test_a_station_without_the_security_extension_is_never_sent_them(
    action: str, payload: dict[str, Any], status: str
) -> None:
    async with command_pair("CP-PLAIN") as (csms, station):
        result = await ask(csms, action, payload)
        assert station.calls_seen() == []
    assert_frame_valid("2.0.1", result, request_action=action)
    assert result[2]["status"] == status
    assert "without the security extension" in result[2]["statusInfo"]["additionalInfo"]
