"""BootNotification: 1.6 flat fields -> 2.0.1 `chargingStation` / `modem`, and the answer back.

- chargePointVendor/Model/SerialNumber, firmwareVersion -> chargingStation.vendorName/model/
  serialNumber/firmwareVersion; chargeBoxSerialNumber is the serialNumber when the charge point
  serial is absent. When both are present and differ, 2.0.1 has no second serial number (and 1.6
  itself deprecates chargeBoxSerialNumber): it is dropped, logged at INFO once per connection.
- iccid/imsi -> chargingStation.modem (only when one of them is present).
- meterType/meterSerialNumber have no place in 2.0.1 BootNotification: dropped (logged at DEBUG).
- reason (required in 2.0.1, absent in 1.6): `Triggered` while a BootNotification trigger the
  station accepted is pending, otherwise `PowerUp`.
- Answer: status, currentTime, interval copied; statusInfo dropped.
"""

from __future__ import annotations

import logging

from bridge.models import v16, v201
from bridge.translate.context import StationContext
from bridge.translate.registry import Forward, Outcome, up

log = logging.getLogger(__name__)


@up.call("BootNotification")
def boot_notification(request: v16.BootNotificationRequest, ctx: StationContext) -> Outcome:
    ctx.boots += 1
    ctx.model = request.chargePointModel
    modem = None
    if request.iccid is not None or request.imsi is not None:
        modem = v201.ModemType(iccid=request.iccid, imsi=request.imsi)
    box, point = request.chargeBoxSerialNumber, request.chargePointSerialNumber
    if box and point and box != point and ctx.first_time("chargeBoxSerialNumber"):
        log.info(
            "BootNotification chargeBoxSerialNumber %r differs from chargePointSerialNumber %r; 2.0.1 "
            "has one serialNumber: %r sent, %r dropped",
            box,
            point,
            point,
            box,
        )
    if request.meterType is not None or request.meterSerialNumber is not None:
        log.debug("BootNotification meterType/meterSerialNumber have no 2.0.1 field; dropped")
    station = v201.ChargingStationType(
        vendorName=request.chargePointVendor,
        model=request.chargePointModel,
        serialNumber=request.chargePointSerialNumber or request.chargeBoxSerialNumber,
        firmwareVersion=request.firmwareVersion,
        modem=modem,
    )
    # Triggered: the CSMS asked for it; RemoteReset: the first boot after a reset the bridge passed on
    if ctx.take_trigger("BootNotification"):
        reason = "Triggered"
    else:
        reason = ctx.boot_reasons.pop(ctx.station_id, "PowerUp")
    return Forward("BootNotification", v201.BootNotificationRequest(chargingStation=station, reason=reason))


@up.result("BootNotification")
def boot_notification_result(
    answer: v201.BootNotificationResponse, request: object, ctx: StationContext, note: object
) -> v16.BootNotificationResponse:
    return v16.BootNotificationResponse(
        status=answer.status.value, currentTime=answer.currentTime, interval=answer.interval
    )
