"""Log uploads and firmware updates, CSMS (2.0.1) -> station (1.6): GetLog, UpdateFirmware.

GetLog:
- Stations with the 1.6 security extension get 1.6 GetLog, which has the 2.0.1 fields; the answer
  (status, filename) carries over.
- Other stations get GetDiagnostics: log.remoteLocation -> location, oldestTimestamp -> startTime,
  latestTimestamp -> stopTime, retries and retryInterval as they are. Its answer has only a fileName
  (absent when the station has nothing to upload): the CSMS gets Accepted with that filename. A
  SecurityLog is answered Rejected by the bridge (plain 1.6 has no security log), and so is a
  remoteLocation that is not an RFC 3986 URI (GetDiagnostics.location must be one; non-ASCII
  characters are percent-encoded first, as RFC 3987 maps an IRI to a URI: bridge/uri.py).
- The requestId is remembered (ctx.log_request_id) so the station's DiagnosticsStatusNotifications
  go up as LogStatusNotifications carrying it; a Rejected answer restores the previous one.

UpdateFirmware:
- Signed (signingCertificate and signature) to a security-extension station: 1.6
  SignedUpdateFirmware with the same fields; the answer's status carries over.
- Otherwise plain 1.6 UpdateFirmware {location, retrieveDate: retrieveDateTime, retries,
  retryInterval}; installDateTime has no 1.6 field, and a plain 1.6 station cannot check a
  signature, so both are dropped (logged). Its answer is empty: the CSMS gets Accepted. A location
  that is not an RFC 3986 URI (after the same percent-encoding) is answered Rejected by the bridge.
- The requestId is remembered (ctx.firmware_request_id) for the FirmwareStatusNotifications.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bridge.models import v16, v201
from bridge.translate.context import StationContext
from bridge.translate.local_answer import UNSUPPORTED, info
from bridge.translate.registry import Answer, Forward, Outcome, down
from bridge.uri import as_uri

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestIdNote:
    request_id: int
    previous: int | None  # the requestId remembered before this request


def _not_a_uri(field: str, value: str) -> v201.StatusInfoType:
    return info("InvalidURL", f"{field} {value[:200]!r} is not an RFC 3986 URI, which OCPP 1.6 requires")


@down.call("GetLog")
def get_log(request: v201.GetLogRequest, ctx: StationContext) -> Outcome:
    params = request.log
    note = RequestIdNote(request.requestId, ctx.log_request_id)
    if ctx.security_extension:
        outcome = Forward(
            "GetLog",
            v16.GetLogRequest(
                log=v16.LogParametersType(
                    remoteLocation=params.remoteLocation,
                    oldestTimestamp=params.oldestTimestamp,
                    latestTimestamp=params.latestTimestamp,
                ),
                logType=request.logType.value,
                requestId=request.requestId,
                retries=request.retries,
                retryInterval=request.retryInterval,
            ),
            note=note,
        )
    elif request.logType is v201.LogEnumType.SecurityLog:
        text = "OCPP 1.6J without the security extension has no security log (GetDiagnostics only)"
        return Answer(v201.GetLogResponse(status="Rejected", statusInfo=info(UNSUPPORTED, text)))
    elif (location := as_uri(params.remoteLocation)) is None:
        status_info = _not_a_uri("log.remoteLocation", params.remoteLocation)
        return Answer(v201.GetLogResponse(status="Rejected", statusInfo=status_info))
    else:
        outcome = Forward(
            "GetDiagnostics",
            v16.GetDiagnosticsRequest(
                location=location,
                retries=request.retries,
                retryInterval=request.retryInterval,
                startTime=params.oldestTimestamp,
                stopTime=params.latestTimestamp,
            ),
            note=note,
        )
    ctx.log_request_id = request.requestId
    return outcome


@down.result("GetLog")
def get_log_result(
    answer: v16.GetLogResponse | v16.GetDiagnosticsResponse,
    request: v201.GetLogRequest,
    ctx: StationContext,
    note: RequestIdNote,
) -> v201.GetLogResponse:
    if isinstance(answer, v16.GetDiagnosticsResponse):
        return v201.GetLogResponse(status="Accepted", filename=answer.fileName)
    if answer.status is v16.LogStatusEnumType.Rejected and ctx.log_request_id == note.request_id:
        ctx.log_request_id = note.previous
    return v201.GetLogResponse(status=answer.status.value, filename=answer.filename)


@down.call("UpdateFirmware")
def update_firmware(request: v201.UpdateFirmwareRequest, ctx: StationContext) -> Outcome:
    firmware = request.firmware
    signed = firmware.signingCertificate is not None and firmware.signature is not None
    note = RequestIdNote(request.requestId, ctx.firmware_request_id)
    if signed and ctx.security_extension:
        outcome = Forward(
            "SignedUpdateFirmware",
            v16.SignedUpdateFirmwareRequest(
                retries=request.retries,
                retryInterval=request.retryInterval,
                requestId=request.requestId,
                firmware=v16.FirmwareType(
                    location=firmware.location,
                    retrieveDateTime=firmware.retrieveDateTime,
                    installDateTime=firmware.installDateTime,
                    signingCertificate=firmware.signingCertificate,
                    signature=firmware.signature,
                ),
            ),
            note=note,
        )
    elif (location := as_uri(firmware.location)) is None:
        status_info = _not_a_uri("firmware.location", firmware.location)
        return Answer(v201.UpdateFirmwareResponse(status="Rejected", statusInfo=status_info))
    else:
        dropped = [
            name
            for name in ("installDateTime", "signingCertificate", "signature")
            if getattr(firmware, name) is not None
        ]
        if dropped:
            log.info("UpdateFirmware %s: plain OCPP 1.6 has no %s; dropped", request.requestId, dropped)
        outcome = Forward(
            "UpdateFirmware",
            v16.UpdateFirmwareRequest(
                location=location,
                retrieveDate=firmware.retrieveDateTime,
                retries=request.retries,
                retryInterval=request.retryInterval,
            ),
            note=note,
        )
    ctx.firmware_request_id = request.requestId
    return outcome


@down.result("UpdateFirmware")
def update_firmware_result(
    answer: v16.SignedUpdateFirmwareResponse | v16.UpdateFirmwareResponse,
    request: v201.UpdateFirmwareRequest,
    ctx: StationContext,
    note: RequestIdNote,
) -> v201.UpdateFirmwareResponse:
    if isinstance(answer, v16.UpdateFirmwareResponse):
        return v201.UpdateFirmwareResponse(status="Accepted")
    accepted = answer.status.value in ("Accepted", "AcceptedCanceled")  # AcceptedCanceled: this one runs
    if not accepted and ctx.firmware_request_id == note.request_id:
        ctx.firmware_request_id = note.previous
    return v201.UpdateFirmwareResponse(status=answer.status.value)
