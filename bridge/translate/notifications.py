"""Status notifications a station sends on its own or after a trigger, station (1.6) -> CSMS (2.0.1).

- DiagnosticsStatusNotification -> LogStatusNotification: status mapped (UploadFailed ->
  UploadFailure, mappings/metering.toml), requestId from the last GetLog the bridge sent down (absent
  when none is known).
- FirmwareStatusNotification -> FirmwareStatusNotification: same status names, requestId from the
  last UpdateFirmware the bridge sent down when known.
- Security extension: LogStatusNotification and SignedFirmwareStatusNotification carry the 2.0.1
  enums and requestId already and are copied; SignCertificate {csr} -> SignCertificate with
  certificateType ChargingStationCertificate (the only certificate a 1.6 station signs).
  SecurityEventNotification has the same fields in both versions (mappings/actions.toml).
All their answers are empty in 1.6, except SignCertificate's status.
"""

from __future__ import annotations

from bridge.models import v16, v201
from bridge.models.base import Message
from bridge.translate.context import StationContext
from bridge.translate.registry import Forward, Outcome, ResultTranslator, up


def _empty(response: type[Message]) -> ResultTranslator:
    def result(answer: object, request: object, ctx: StationContext, note: object) -> Message:
        return response()

    return result


@up.call("DiagnosticsStatusNotification")
def diagnostics_status(request: v16.DiagnosticsStatusNotificationRequest, ctx: StationContext) -> Outcome:
    status = ctx.tables.metering.diagnostics_status[request.status]
    return Forward(
        "LogStatusNotification",
        v201.LogStatusNotificationRequest(status=status, requestId=ctx.log_request_id),
    )


@up.call("LogStatusNotification")
def log_status(request: v16.LogStatusNotificationRequest, ctx: StationContext) -> Outcome:
    return Forward(
        "LogStatusNotification",
        v201.LogStatusNotificationRequest(status=request.status.value, requestId=request.requestId),
    )


@up.call("FirmwareStatusNotification")
def firmware_status(request: v16.FirmwareStatusNotificationRequest, ctx: StationContext) -> Outcome:
    status = ctx.tables.metering.firmware_status[request.status]
    return Forward(
        "FirmwareStatusNotification",
        v201.FirmwareStatusNotificationRequest(status=status, requestId=ctx.firmware_request_id),
    )


@up.call("SignedFirmwareStatusNotification")
def signed_firmware_status(
    request: v16.SignedFirmwareStatusNotificationRequest, ctx: StationContext
) -> Outcome:
    return Forward(
        "FirmwareStatusNotification",
        v201.FirmwareStatusNotificationRequest(status=request.status.value, requestId=request.requestId),
    )


@up.call("SignCertificate")
def sign_certificate(request: v16.SignCertificateRequest, ctx: StationContext) -> Outcome:
    return Forward(
        "SignCertificate",
        v201.SignCertificateRequest(csr=request.csr, certificateType="ChargingStationCertificate"),
    )


@up.result("SignCertificate")
def sign_certificate_result(
    answer: v201.SignCertificateResponse, request: object, ctx: StationContext, note: object
) -> v16.SignCertificateResponse:
    return v16.SignCertificateResponse(status=answer.status.value)


up.result("DiagnosticsStatusNotification")(_empty(v16.DiagnosticsStatusNotificationResponse))
up.result("LogStatusNotification")(_empty(v16.LogStatusNotificationResponse))
up.result("FirmwareStatusNotification")(_empty(v16.FirmwareStatusNotificationResponse))
up.result("SignedFirmwareStatusNotification")(_empty(v16.SignedFirmwareStatusNotificationResponse))
