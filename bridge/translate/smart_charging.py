"""Smart charging, CSMS (2.0.1) -> station (1.6): SetChargingProfile, ClearChargingProfile,
GetCompositeSchedule. Value table: mappings/smart_charging.toml.

SetChargingProfile goes down when 1.6 can hold the profile:
- evseId -> connectorId through the topology (EVSE 0 = connector 0, the whole charge point);
  chargingProfile -> csChargingProfiles: id -> chargingProfileId, purpose through the table
  (ChargingStationMaxProfile -> ChargePointMaxProfile), kind, recurrencyKind, validFrom/To and
  stackLevel as they are; a TxProfile's transactionId -> the 1.6 integer id of that running
  transaction (ctx.transaction_id_16; on other purposes 1.6 ignores it, so it is dropped).
- The single chargingSchedule -> chargingSchedule (its id has no 1.6 field); limit and
  minChargingRate rounded to one decimal (1.6 has multipleOf 0.1); phaseToUse has no 1.6 field
  and is dropped (logged).
- The bridge answers Rejected, with a statusInfo saying why, for what 1.6 cannot hold: a
  ChargingStationExternalConstraints profile, more than one chargingSchedule, a salesTariff, an
  unknown transactionId, an EVSE without a single 1.6 connector. Answer: Accepted, Rejected as they
  are; 1.6 NotSupported -> Rejected.
ClearChargingProfile: chargingProfileId -> id, chargingProfileCriteria {evseId, purpose, stackLevel}
  -> connectorId, chargingProfilePurpose, stackLevel. A purpose 1.6 lacks or an unknown EVSE: nothing
  to clear, answered Unknown. Status carries over.
GetCompositeSchedule: evseId -> connectorId, duration and chargingRateUnit as they are. Answer:
  status; chargingSchedule -> schedule {evseId: the request's, duration: the schedule's or the
  request's, scheduleStart: scheduleStart, else startSchedule, else now, chargingRateUnit, periods};
  no schedule when the station sent no periods.
"""

from __future__ import annotations

import logging

from bridge.models import v16, v201
from bridge.translate.context import StationContext
from bridge.translate.local_answer import UNSUPPORTED, Unresolved, connector_of, info
from bridge.translate.registry import Answer, Forward, Outcome, down

log = logging.getLogger(__name__)

Profile = v16.SetChargingProfileRequestCsChargingProfiles
Purpose = v16.SetChargingProfileRequestCsChargingProfilesChargingProfilePurpose
Schedule = v16.SetChargingProfileRequestCsChargingProfilesChargingSchedule
Period = v16.SetChargingProfileRequestCsChargingProfilesChargingScheduleChargingSchedulePeriod


def tenths(value: float | None) -> float | None:
    """A 2.0.1 number as 1.6 takes it (multipleOf 0.1)."""
    return None if value is None else round(value, 1)


def _schedule(schedule: v201.ChargingScheduleType) -> Schedule:
    return Schedule(
        duration=schedule.duration,
        startSchedule=schedule.startSchedule,
        chargingRateUnit=schedule.chargingRateUnit.value,
        chargingSchedulePeriod=[
            Period(startPeriod=p.startPeriod, limit=tenths(p.limit), numberPhases=p.numberPhases)
            for p in schedule.chargingSchedulePeriod
        ],
        minChargingRate=tenths(schedule.minChargingRate),
    )


def _rejected(status_info: v201.StatusInfoType) -> Answer:
    return Answer(v201.SetChargingProfileResponse(status="Rejected", statusInfo=status_info))


def convert_profile(profile: v201.ChargingProfileType, ctx: StationContext) -> Profile | v201.StatusInfoType:
    """The 1.6 csChargingProfiles for a 2.0.1 chargingProfile, or a statusInfo saying why 1.6 cannot hold it
    (shared with RequestStartTransaction)."""
    purpose = ctx.tables.commands.profile_purpose[profile.chargingProfilePurpose]
    if purpose is None:
        return info(UNSUPPORTED, f"OCPP 1.6 has no {profile.chargingProfilePurpose.value} charging profiles")
    if len(profile.chargingSchedule) > 1:
        text = (
            f"OCPP 1.6 holds one charging schedule per profile; this one has {len(profile.chargingSchedule)}"
        )
        return info(UNSUPPORTED, text)
    schedule = profile.chargingSchedule[0]
    if schedule.salesTariff is not None:
        return info(UNSUPPORTED, "OCPP 1.6 has no sales tariffs (an ISO 15118 feature)")
    transaction_id = None
    if purpose is Purpose.TxProfile and profile.transactionId is not None:
        transaction_id = ctx.transaction_id_16(profile.transactionId)
        if transaction_id is None:
            return info("TxNotFound", f"no transaction {profile.transactionId} runs on this station")
    if any(p.phaseToUse is not None for p in schedule.chargingSchedulePeriod):
        log.info("charging profile %s: OCPP 1.6 has no phaseToUse; dropped", profile.id)
    return Profile(
        chargingProfileId=profile.id,
        transactionId=transaction_id,
        stackLevel=profile.stackLevel,
        chargingProfilePurpose=purpose,
        chargingProfileKind=profile.chargingProfileKind.value,
        recurrencyKind=None if profile.recurrencyKind is None else profile.recurrencyKind.value,
        validFrom=profile.validFrom,
        validTo=profile.validTo,
        chargingSchedule=_schedule(schedule),
    )


@down.call("SetChargingProfile")
def set_charging_profile(request: v201.SetChargingProfileRequest, ctx: StationContext) -> Outcome:
    profile = convert_profile(request.chargingProfile, ctx)
    if isinstance(profile, v201.StatusInfoType):
        return _rejected(profile)
    connector = connector_of(ctx, request.evseId)
    if isinstance(connector, Unresolved):
        return _rejected(connector.status_info)
    return Forward(
        "SetChargingProfile", v16.SetChargingProfileRequest(connectorId=connector, csChargingProfiles=profile)
    )


@down.result("SetChargingProfile")
def set_charging_profile_result(
    answer: v16.SetChargingProfileResponse, request: object, ctx: StationContext, note: object
) -> v201.SetChargingProfileResponse:
    status = ctx.tables.commands.profile_status[answer.status]
    if answer.status is v16.SetChargingProfileResponseStatus.NotSupported:
        text = "the OCPP 1.6 station answered NotSupported: it does not do smart charging"
        return v201.SetChargingProfileResponse(status=status, statusInfo=info(UNSUPPORTED, text))
    return v201.SetChargingProfileResponse(status=status)


def _nothing_to_clear(status_info: v201.StatusInfoType) -> Answer:
    return Answer(v201.ClearChargingProfileResponse(status="Unknown", statusInfo=status_info))


@down.call("ClearChargingProfile")
def clear_charging_profile(request: v201.ClearChargingProfileRequest, ctx: StationContext) -> Outcome:
    criteria = request.chargingProfileCriteria
    connector: int | None = None
    purpose: v16.ClearChargingProfileRequestChargingProfilePurpose | None = None
    if criteria is not None and criteria.evseId is not None:
        found = connector_of(ctx, criteria.evseId)
        if isinstance(found, Unresolved):
            return _nothing_to_clear(found.status_info)
        connector = found
    if criteria is not None and criteria.chargingProfilePurpose is not None:
        purpose16 = ctx.tables.commands.profile_purpose[criteria.chargingProfilePurpose]
        if purpose16 is None:
            text = f"OCPP 1.6 has no {criteria.chargingProfilePurpose.value} charging profiles to clear"
            return _nothing_to_clear(info(UNSUPPORTED, text))
        purpose = v16.ClearChargingProfileRequestChargingProfilePurpose(purpose16.value)
    return Forward(
        "ClearChargingProfile",
        v16.ClearChargingProfileRequest(
            id=request.chargingProfileId,
            connectorId=connector,
            chargingProfilePurpose=purpose,
            stackLevel=None if criteria is None else criteria.stackLevel,
        ),
    )


@down.result("ClearChargingProfile")
def clear_charging_profile_result(
    answer: v16.ClearChargingProfileResponse, request: object, ctx: StationContext, note: object
) -> v201.ClearChargingProfileResponse:
    return v201.ClearChargingProfileResponse(status=answer.status.value)


@down.call("GetCompositeSchedule")
def get_composite_schedule(request: v201.GetCompositeScheduleRequest, ctx: StationContext) -> Outcome:
    connector = connector_of(ctx, request.evseId)
    if isinstance(connector, Unresolved):
        return Answer(v201.GetCompositeScheduleResponse(status="Rejected", statusInfo=connector.status_info))
    unit = None if request.chargingRateUnit is None else request.chargingRateUnit.value
    return Forward(
        "GetCompositeSchedule",
        v16.GetCompositeScheduleRequest(
            connectorId=connector, duration=request.duration, chargingRateUnit=unit
        ),
    )


@down.result("GetCompositeSchedule")
def get_composite_schedule_result(
    answer: v16.GetCompositeScheduleResponse,
    request: v201.GetCompositeScheduleRequest,
    ctx: StationContext,
    note: object,
) -> v201.GetCompositeScheduleResponse:
    found = answer.chargingSchedule
    if answer.status is not v16.GetCompositeScheduleResponseStatus.Accepted or found is None:
        return v201.GetCompositeScheduleResponse(status=answer.status.value)
    if not found.chargingSchedulePeriod:
        return v201.GetCompositeScheduleResponse(status=answer.status.value)
    schedule = v201.CompositeScheduleType(
        evseId=request.evseId,
        duration=request.duration if found.duration is None else found.duration,
        scheduleStart=answer.scheduleStart or found.startSchedule or ctx.now(),
        chargingRateUnit=found.chargingRateUnit.value,
        chargingSchedulePeriod=[
            v201.ChargingSchedulePeriodType(
                startPeriod=p.startPeriod, limit=p.limit, numberPhases=p.numberPhases
            )
            for p in found.chargingSchedulePeriod
        ],
    )
    return v201.GetCompositeScheduleResponse(status=answer.status.value, schedule=schedule)
