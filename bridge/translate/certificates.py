"""The security extension's certificate actions, CSMS (2.0.1) -> station (1.6): CertificateSigned,
InstallCertificate, DeleteCertificate, GetInstalledCertificateIds. Table: mappings/certificates.toml.

Only a station with the OCPP 1.6 security extension (--security-extension or
--security-extension-stations) has these actions; for any other the bridge answers itself, with a
statusInfo (reasonCode UnsupportedRequest) that says so: CertificateSigned and InstallCertificate
Rejected, DeleteCertificate Failed, GetInstalledCertificateIds NotFound.

- CertificateSigned (the answer to the station's SignCertificate, which goes up as it is):
  certificateChain as it is. A V2GCertificate has no 1.6 counterpart (the extension signs only the
  charge point's own certificate): Rejected by the bridge. The answer's status carries over.
- InstallCertificate: certificateType CSMSRootCertificate -> CentralSystemRootCertificate,
  ManufacturerRootCertificate as it is; V2GRoot and MORoot (ISO 15118) are Rejected by the bridge.
  Accepted, Rejected, Failed carry over.
- DeleteCertificate: the certificateHashData has the same fields in both versions; Accepted,
  Failed, NotFound carry over.
- GetInstalledCertificateIds: 1.6 asks for exactly one certificateType per call, 2.0.1 for a list
  (none: every type). The bridge asks the station once per 1.6 type the list maps to (chained, one
  call at a time) and answers once with every certificate found as certificateHashDataChain entries
  of the 2.0.1 type asked for (1.6 knows no child certificates). Accepted when any was found,
  NotFound otherwise; types without a 1.6 counterpart (V2G, MO) have nothing to find and are named
  in the statusInfo. When no asked type has a 1.6 counterpart, the bridge answers NotFound itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.models import v16, v201
from bridge.translate.context import StationContext
from bridge.translate.local_answer import UNSUPPORTED, info
from bridge.translate.registry import Answer, Continue, Forward, Outcome, down

NO_EXTENSION = (
    "this station speaks OCPP 1.6 without the security extension, which has the certificate actions"
)


def _no_extension() -> v201.StatusInfoType:
    return info(UNSUPPORTED, NO_EXTENSION)


@down.call("CertificateSigned")
def certificate_signed(request: v201.CertificateSignedRequest, ctx: StationContext) -> Outcome:
    if not ctx.security_extension:
        return Answer(v201.CertificateSignedResponse(status="Rejected", statusInfo=_no_extension()))
    if request.certificateType is v201.CertificateSigningUseEnumType.V2GCertificate:
        text = "the OCPP 1.6 security extension installs only the charge point's own certificate, no V2G one"
        return Answer(v201.CertificateSignedResponse(status="Rejected", statusInfo=info(UNSUPPORTED, text)))
    return Forward(
        "CertificateSigned", v16.CertificateSignedRequest(certificateChain=request.certificateChain)
    )


@down.result("CertificateSigned")
def certificate_signed_result(
    answer: v16.CertificateSignedResponse, request: object, ctx: StationContext, note: object
) -> v201.CertificateSignedResponse:
    return v201.CertificateSignedResponse(status=answer.status.value)


@down.call("InstallCertificate")
def install_certificate(request: v201.InstallCertificateRequest, ctx: StationContext) -> Outcome:
    if not ctx.security_extension:
        return Answer(v201.InstallCertificateResponse(status="Rejected", statusInfo=_no_extension()))
    use = ctx.tables.certificates.install_use[request.certificateType]
    if use is None:
        text = (
            f"the OCPP 1.6 security extension keeps no {request.certificateType.value} (it has no ISO 15118)"
        )
        return Answer(v201.InstallCertificateResponse(status="Rejected", statusInfo=info(UNSUPPORTED, text)))
    return Forward(
        "InstallCertificate",
        v16.InstallCertificateRequest(certificateType=use, certificate=request.certificate),
    )


@down.result("InstallCertificate")
def install_certificate_result(
    answer: v16.InstallCertificateResponse, request: object, ctx: StationContext, note: object
) -> v201.InstallCertificateResponse:
    return v201.InstallCertificateResponse(status=answer.status.value)


def _hash_16(data: v201.CertificateHashDataType) -> v16.CertificateHashDataType:
    return v16.CertificateHashDataType(
        hashAlgorithm=data.hashAlgorithm.value,
        issuerNameHash=data.issuerNameHash,
        issuerKeyHash=data.issuerKeyHash,
        serialNumber=data.serialNumber,
    )


def _hash_201(data: v16.CertificateHashDataType) -> v201.CertificateHashDataType:
    return v201.CertificateHashDataType(
        hashAlgorithm=data.hashAlgorithm.value,
        issuerNameHash=data.issuerNameHash,
        issuerKeyHash=data.issuerKeyHash,
        serialNumber=data.serialNumber,
    )


@down.call("DeleteCertificate")
def delete_certificate(request: v201.DeleteCertificateRequest, ctx: StationContext) -> Outcome:
    if not ctx.security_extension:
        return Answer(v201.DeleteCertificateResponse(status="Failed", statusInfo=_no_extension()))
    return Forward(
        "DeleteCertificate",
        v16.DeleteCertificateRequest(certificateHashData=_hash_16(request.certificateHashData)),
    )


@down.result("DeleteCertificate")
def delete_certificate_result(
    answer: v16.DeleteCertificateResponse, request: object, ctx: StationContext, note: object
) -> v201.DeleteCertificateResponse:
    return v201.DeleteCertificateResponse(status=answer.status.value)


@dataclass(frozen=True)
class IdsNote:
    """GetInstalledCertificateIds in progress: the 1.6 types still to ask, each with the 2.0.1 type
    it answers for, what was found so far, and the asked types 1.6 cannot hold."""

    asking: tuple[tuple[v16.CertificateUseEnumType, v201.GetCertificateIdUseEnumType], ...]
    found: tuple[v201.CertificateHashDataChainType, ...]
    unmapped: tuple[str, ...]


def _ask(note: IdsNote) -> Continue:
    use, _ = note.asking[0]
    return Continue(
        "GetInstalledCertificateIds", v16.GetInstalledCertificateIdsRequest(certificateType=use), note
    )


def _unmapped_info(unmapped: tuple[str, ...]) -> v201.StatusInfoType | None:
    if not unmapped:
        return None
    text = f"the OCPP 1.6 security extension keeps no {', '.join(unmapped)} (it has no ISO 15118)"
    return info(UNSUPPORTED, text)


@down.call("GetInstalledCertificateIds")
def get_installed_certificate_ids(
    request: v201.GetInstalledCertificateIdsRequest, ctx: StationContext
) -> Outcome:
    if not ctx.security_extension:
        return Answer(v201.GetInstalledCertificateIdsResponse(status="NotFound", statusInfo=_no_extension()))
    table = ctx.tables.certificates.id_use
    wanted = list(dict.fromkeys(request.certificateType or list(v201.GetCertificateIdUseEnumType)))
    asking = tuple((use, kind) for kind in wanted if (use := table[kind]) is not None)
    unmapped = tuple(kind.value for kind in wanted if table[kind] is None)
    if not asking:
        status_info = _unmapped_info(unmapped)
        return Answer(v201.GetInstalledCertificateIdsResponse(status="NotFound", statusInfo=status_info))
    first = _ask(IdsNote(asking, (), unmapped))
    return Forward(first.action, first.payload, note=first.note)


@down.result("GetInstalledCertificateIds")
def get_installed_certificate_ids_result(
    answer: v16.GetInstalledCertificateIdsResponse, request: object, ctx: StationContext, note: IdsNote
) -> v201.GetInstalledCertificateIdsResponse | Continue:
    _, kind = note.asking[0]
    found = note.found + tuple(
        v201.CertificateHashDataChainType(certificateType=kind, certificateHashData=_hash_201(data))
        for data in answer.certificateHashData or ()
    )
    if len(note.asking) > 1:
        return _ask(IdsNote(note.asking[1:], found, note.unmapped))
    return v201.GetInstalledCertificateIdsResponse(
        status="Accepted" if found else "NotFound",
        certificateHashDataChain=list(found) or None,
        statusInfo=_unmapped_info(note.unmapped),
    )
