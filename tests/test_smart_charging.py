"""Smart charging from a 2.0.1 CSMS to a 1.6 station: SetChargingProfile, ClearChargingProfile,
GetCompositeSchedule (../shared/ocpp-mapping.md section 3.9, the official schemas)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.command_peers import answer, ask, command_pair, down, engine
from tests.schemas import assert_frame_valid


def profile(**changes: Any) -> dict[str, Any]:
    base = {
        "id": 30,
        "stackLevel": 2,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Recurring",
        "recurrencyKind": "Daily",
        "validFrom": "2026-01-01T00:00:00Z",
        "validTo": "2027-01-01T00:00:00Z",
        "chargingSchedule": [
            {
                "id": 1,
                "startSchedule": "2026-01-01T18:00:00Z",
                "duration": 14400,
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [
                    {"startPeriod": 0, "limit": 16},
                    {"startPeriod": 3600, "limit": 21.43, "numberPhases": 1, "phaseToUse": 2},
                ],
                "minChargingRate": 6.06,
            }
        ],
    }
    return {**base, **changes}


async def test_a_profile_16_can_hold_reaches_the_station_as_cs_charging_profiles() -> None:
    async with command_pair() as (csms, station):
        result = await ask(csms, "SetChargingProfile", {"evseId": 1, "chargingProfile": profile()})
        assert station.calls_seen() == [
            [
                "SetChargingProfile",
                {
                    "connectorId": 1,
                    "csChargingProfiles": {
                        "chargingProfileId": 30,
                        "stackLevel": 2,
                        "chargingProfilePurpose": "TxDefaultProfile",
                        "chargingProfileKind": "Recurring",
                        "recurrencyKind": "Daily",
                        "validFrom": "2026-01-01T00:00:00Z",
                        "validTo": "2027-01-01T00:00:00Z",
                        "chargingSchedule": {
                            "duration": 14400,
                            "startSchedule": "2026-01-01T18:00:00Z",
                            "chargingRateUnit": "A",
                            "chargingSchedulePeriod": [
                                {"startPeriod": 0, "limit": 16.0},
                                {"startPeriod": 3600, "limit": 21.4, "numberPhases": 1},
                            ],
                            "minChargingRate": 6.1,
                        },
                    },
                },
            ]
        ]
    assert_frame_valid("2.0.1", result, request_action="SetChargingProfile")
    assert result[2] == {"status": "Accepted"}


@pytest.mark.parametrize(
    ("purpose201", "purpose16"),
    [("ChargingStationMaxProfile", "ChargePointMaxProfile"), ("TxDefaultProfile", "TxDefaultProfile")],
)
def test_purposes_and_evse_zero(purpose201: str, purpose16: str) -> None:
    (call,), _ = down(
        engine(),
        "SetChargingProfile",
        {"evseId": 0, "chargingProfile": profile(chargingProfilePurpose=purpose201)},
    )
    assert call[3]["connectorId"] == 0
    assert call[3]["csChargingProfiles"]["chargingProfilePurpose"] == purpose16


def test_a_tx_profile_names_the_16_transaction() -> None:
    bridge = engine()
    record = bridge.ctx.start_transaction(1, None)
    request = {
        "evseId": 1,
        "chargingProfile": profile(chargingProfilePurpose="TxProfile", transactionId=record.id201),
    }
    (call,), _ = down(bridge, "SetChargingProfile", request)
    assert call[3]["csChargingProfiles"]["transactionId"] == record.id16
    assert call[3]["csChargingProfiles"]["chargingProfilePurpose"] == "TxProfile"


SECOND_SCHEDULE = {
    "id": 2,
    "chargingRateUnit": "W",
    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000}],
}
SALES_TARIFF = {"id": 1, "salesTariffEntry": [{"relativeTimeInterval": {"start": 0}}]}


@pytest.mark.parametrize(
    ("request201", "reason", "says"),
    [
        (
            {
                "evseId": 1,
                "chargingProfile": profile(chargingProfilePurpose="ChargingStationExternalConstraints"),
            },
            "UnsupportedRequest",
            "no ChargingStationExternalConstraints",
        ),
        (
            {
                "evseId": 1,
                "chargingProfile": profile(
                    chargingSchedule=[*profile()["chargingSchedule"], SECOND_SCHEDULE]
                ),
            },
            "UnsupportedRequest",
            "one charging schedule per profile",
        ),
        (
            {
                "evseId": 1,
                "chargingProfile": profile(
                    chargingSchedule=[{**SECOND_SCHEDULE, "salesTariff": SALES_TARIFF}]
                ),
            },
            "UnsupportedRequest",
            "sales tariffs",
        ),
        (
            {
                "evseId": 1,
                "chargingProfile": profile(chargingProfilePurpose="TxProfile", transactionId="tx-unknown"),
            },
            "TxNotFound",
            "tx-unknown",
        ),
        ({"evseId": -4, "chargingProfile": profile()}, "UnknownEvse", "EVSE -4"),
    ],
)
def test_profiles_16_cannot_hold_are_rejected_by_the_bridge(
    request201: dict[str, Any], reason: str, says: str
) -> None:
    to_station, (result,) = down(engine(), "SetChargingProfile", request201)
    assert to_station == []
    assert result[2]["status"] == "Rejected"
    assert result[2]["statusInfo"]["reasonCode"] == reason
    assert says in result[2]["statusInfo"]["additionalInfo"]


@pytest.mark.parametrize(
    ("status16", "status201"),
    [("Accepted", "Accepted"), ("Rejected", "Rejected"), ("NotSupported", "Rejected")],
)
def test_set_charging_profile_statuses(status16: str, status201: str) -> None:
    bridge = engine()
    (call,), _ = down(bridge, "SetChargingProfile", {"evseId": 1, "chargingProfile": profile()})
    assert answer(bridge, call, {"status": status16}, "SetChargingProfile")[0][2]["status"] == status201


async def test_clear_charging_profile() -> None:
    request = {
        "chargingProfileId": 30,
        "chargingProfileCriteria": {
            "evseId": 2,
            "chargingProfilePurpose": "ChargingStationMaxProfile",
            "stackLevel": 1,
        },
    }
    async with command_pair() as (csms, station):
        station.answers["ClearChargingProfile"] = {"status": "Unknown"}
        result = await ask(csms, "ClearChargingProfile", request)
        everything = await ask(csms, "ClearChargingProfile", {})
        assert station.calls_seen() == [
            [
                "ClearChargingProfile",
                {
                    "id": 30,
                    "connectorId": 2,
                    "chargingProfilePurpose": "ChargePointMaxProfile",
                    "stackLevel": 1,
                },
            ],
            ["ClearChargingProfile", {}],
        ]
    assert_frame_valid("2.0.1", result, request_action="ClearChargingProfile")
    assert result[2] == {"status": "Unknown"}
    assert everything[2] == {"status": "Unknown"}


def test_clearing_profiles_16_cannot_have_is_answered_unknown() -> None:
    request = {"chargingProfileCriteria": {"chargingProfilePurpose": "ChargingStationExternalConstraints"}}
    to_station, (result,) = down(engine(), "ClearChargingProfile", request)
    assert to_station == []
    assert result[2]["status"] == "Unknown"


async def test_get_composite_schedule_fills_what_201_requires() -> None:
    async with command_pair() as (csms, station):
        station.answers["GetCompositeSchedule"] = {
            "status": "Accepted",
            "connector_id": 2,
            "schedule_start": "2026-06-01T12:00:00Z",
            "charging_schedule": {
                "chargingRateUnit": "W",
                "chargingSchedulePeriod": [
                    {"startPeriod": 0, "limit": 7400.5},
                    {"startPeriod": 1800, "limit": 3700, "numberPhases": 1},
                ],
            },
        }
        result = await ask(
            csms, "GetCompositeSchedule", {"duration": 3600, "chargingRateUnit": "W", "evseId": 2}
        )
        assert station.calls_seen() == [
            ["GetCompositeSchedule", {"connectorId": 2, "duration": 3600, "chargingRateUnit": "W"}]
        ]
    assert_frame_valid("2.0.1", result, request_action="GetCompositeSchedule")
    assert result[2] == {
        "status": "Accepted",
        "schedule": {
            "evseId": 2,
            "duration": 3600,  # the request's: 1.6 left it out
            "scheduleStart": "2026-06-01T12:00:00Z",
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 7400.5},
                {"startPeriod": 1800, "limit": 3700.0, "numberPhases": 1},
            ],
        },
    }


def test_a_composite_schedule_without_periods_or_start_time() -> None:
    bridge = engine()
    (call,), _ = down(bridge, "GetCompositeSchedule", {"duration": 600, "evseId": 1})
    assert call[3] == {"connectorId": 1, "duration": 600}
    empty = {
        "status": "Accepted",
        "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": []},
    }
    assert answer(bridge, call, empty, "GetCompositeSchedule")[0][2] == {"status": "Accepted"}
    (call,), _ = down(bridge, "GetCompositeSchedule", {"duration": 600, "evseId": 1})
    dated = {
        "status": "Accepted",
        "chargingSchedule": {
            "duration": 300,
            "startSchedule": "2026-06-01T08:00:00Z",
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}],
        },
    }
    schedule = answer(bridge, call, dated, "GetCompositeSchedule")[0][2]["schedule"]
    assert (schedule["duration"], schedule["scheduleStart"]) == (300, "2026-06-01T08:00:00Z")
