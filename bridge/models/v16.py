"""OCPP 1.6 message models, generated from the official JSON schemas. Do not edit.

Regenerate with `python tools/gen_models.py` (schemas from the `ocpp` package, version 2.1.0).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, NotRequired

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from bridge.models.base import (
    Message,
    Number,
    OcppDateTime,
    StrictBool,
    StrictInt,
    StrictStr,
    multiple_of,
)


class AuthorizeRequest(Message):
    idTag: Annotated[StrictStr, Field(max_length=20)]


class AuthorizeResponseIdTagInfoStatus(StrEnum):
    Accepted = "Accepted"
    Blocked = "Blocked"
    Expired = "Expired"
    Invalid = "Invalid"
    ConcurrentTx = "ConcurrentTx"


class AuthorizeResponseIdTagInfo(Message):
    expiryDate: OcppDateTime | None = None
    parentIdTag: Annotated[StrictStr | None, Field(max_length=20)] = None
    status: AuthorizeResponseIdTagInfoStatus


class AuthorizeResponse(Message):
    idTagInfo: AuthorizeResponseIdTagInfo


class BootNotificationRequest(Message):
    chargePointVendor: Annotated[StrictStr, Field(max_length=20)]
    chargePointModel: Annotated[StrictStr, Field(max_length=20)]
    chargePointSerialNumber: Annotated[StrictStr | None, Field(max_length=25)] = None
    chargeBoxSerialNumber: Annotated[StrictStr | None, Field(max_length=25)] = None
    firmwareVersion: Annotated[StrictStr | None, Field(max_length=50)] = None
    iccid: Annotated[StrictStr | None, Field(max_length=20)] = None
    imsi: Annotated[StrictStr | None, Field(max_length=20)] = None
    meterType: Annotated[StrictStr | None, Field(max_length=25)] = None
    meterSerialNumber: Annotated[StrictStr | None, Field(max_length=25)] = None


class BootNotificationResponseStatus(StrEnum):
    Accepted = "Accepted"
    Pending = "Pending"
    Rejected = "Rejected"


class BootNotificationResponse(Message):
    status: BootNotificationResponseStatus
    currentTime: OcppDateTime
    interval: StrictInt


class CancelReservationRequest(Message):
    reservationId: StrictInt


class CancelReservationResponseStatus(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class CancelReservationResponse(Message):
    status: CancelReservationResponseStatus


class CertificateSignedRequest(Message):
    certificateChain: Annotated[StrictStr, Field(max_length=10000)]


class CertificateSignedStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class CertificateSignedResponse(Message):
    status: CertificateSignedStatusEnumType


class ChangeAvailabilityRequestType(StrEnum):
    Inoperative = "Inoperative"
    Operative = "Operative"


class ChangeAvailabilityRequest(Message):
    connectorId: StrictInt
    type: ChangeAvailabilityRequestType


class ChangeAvailabilityResponseStatus(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    Scheduled = "Scheduled"


class ChangeAvailabilityResponse(Message):
    status: ChangeAvailabilityResponseStatus


class ChangeConfigurationRequest(Message):
    key: Annotated[StrictStr, Field(max_length=50)]
    value: Annotated[StrictStr, Field(max_length=500)]


class ChangeConfigurationResponseStatus(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    RebootRequired = "RebootRequired"
    NotSupported = "NotSupported"


class ChangeConfigurationResponse(Message):
    status: ChangeConfigurationResponseStatus


class ClearCacheRequest(Message):
    pass


class ClearCacheResponseStatus(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class ClearCacheResponse(Message):
    status: ClearCacheResponseStatus


class ClearChargingProfileRequestChargingProfilePurpose(StrEnum):
    ChargePointMaxProfile = "ChargePointMaxProfile"
    TxDefaultProfile = "TxDefaultProfile"
    TxProfile = "TxProfile"


class ClearChargingProfileRequest(Message):
    id: StrictInt | None = None
    connectorId: StrictInt | None = None
    chargingProfilePurpose: ClearChargingProfileRequestChargingProfilePurpose | None = None
    stackLevel: StrictInt | None = None


class ClearChargingProfileResponseStatus(StrEnum):
    Accepted = "Accepted"
    Unknown = "Unknown"


class ClearChargingProfileResponse(Message):
    status: ClearChargingProfileResponseStatus


class DataTransferRequest(Message):
    vendorId: Annotated[StrictStr, Field(max_length=255)]
    messageId: Annotated[StrictStr | None, Field(max_length=50)] = None
    data: StrictStr | None = None


class DataTransferResponseStatus(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    UnknownMessageId = "UnknownMessageId"
    UnknownVendorId = "UnknownVendorId"


class DataTransferResponse(Message):
    status: DataTransferResponseStatus
    data: StrictStr | None = None


class HashAlgorithmEnumType(StrEnum):
    SHA256 = "SHA256"
    SHA384 = "SHA384"
    SHA512 = "SHA512"


class CertificateHashDataType(Message):
    hashAlgorithm: HashAlgorithmEnumType
    issuerNameHash: Annotated[StrictStr, Field(max_length=128)]
    issuerKeyHash: Annotated[StrictStr, Field(max_length=128)]
    serialNumber: Annotated[StrictStr, Field(max_length=40)]


class DeleteCertificateRequest(Message):
    certificateHashData: CertificateHashDataType


class DeleteCertificateStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Failed = "Failed"
    NotFound = "NotFound"


class DeleteCertificateResponse(Message):
    status: DeleteCertificateStatusEnumType


class DiagnosticsStatusNotificationRequestStatus(StrEnum):
    Idle = "Idle"
    Uploaded = "Uploaded"
    UploadFailed = "UploadFailed"
    Uploading = "Uploading"


class DiagnosticsStatusNotificationRequest(Message):
    status: DiagnosticsStatusNotificationRequestStatus


class DiagnosticsStatusNotificationResponse(Message):
    pass


class MessageTriggerEnumType(StrEnum):
    BootNotification = "BootNotification"
    LogStatusNotification = "LogStatusNotification"
    FirmwareStatusNotification = "FirmwareStatusNotification"
    Heartbeat = "Heartbeat"
    MeterValues = "MeterValues"
    SignChargePointCertificate = "SignChargePointCertificate"
    StatusNotification = "StatusNotification"


class ExtendedTriggerMessageRequest(Message):
    requestedMessage: MessageTriggerEnumType
    connectorId: StrictInt | None = None


class TriggerMessageStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    NotImplemented = "NotImplemented"


class ExtendedTriggerMessageResponse(Message):
    status: TriggerMessageStatusEnumType


class FirmwareStatusNotificationRequestStatus(StrEnum):
    Downloaded = "Downloaded"
    DownloadFailed = "DownloadFailed"
    Downloading = "Downloading"
    Idle = "Idle"
    InstallationFailed = "InstallationFailed"
    Installing = "Installing"
    Installed = "Installed"


class FirmwareStatusNotificationRequest(Message):
    status: FirmwareStatusNotificationRequestStatus


class FirmwareStatusNotificationResponse(Message):
    pass


class GetCompositeScheduleRequestChargingRateUnit(StrEnum):
    A = "A"
    W = "W"


class GetCompositeScheduleRequest(Message):
    connectorId: StrictInt
    duration: StrictInt
    chargingRateUnit: GetCompositeScheduleRequestChargingRateUnit | None = None


class GetCompositeScheduleResponseStatus(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class GetCompositeScheduleResponseChargingScheduleChargingRateUnit(StrEnum):
    A = "A"
    W = "W"


class GetCompositeScheduleResponseChargingScheduleChargingSchedulePeriod(Message):
    startPeriod: StrictInt
    limit: Annotated[Number, multiple_of(0.1)]
    numberPhases: StrictInt | None = None


class GetCompositeScheduleResponseChargingSchedule(Message):
    duration: StrictInt | None = None
    startSchedule: OcppDateTime | None = None
    chargingRateUnit: GetCompositeScheduleResponseChargingScheduleChargingRateUnit
    chargingSchedulePeriod: list[GetCompositeScheduleResponseChargingScheduleChargingSchedulePeriod]
    minChargingRate: Annotated[Number, multiple_of(0.1)] | None = None


class GetCompositeScheduleResponse(Message):
    status: GetCompositeScheduleResponseStatus
    connectorId: StrictInt | None = None
    scheduleStart: OcppDateTime | None = None
    chargingSchedule: GetCompositeScheduleResponseChargingSchedule | None = None


class GetConfigurationRequest(Message):
    key: list[Annotated[StrictStr, Field(max_length=50)]] | None = None


class GetConfigurationResponseConfigurationKey(Message):
    key: Annotated[StrictStr, Field(max_length=50)]
    readonly: StrictBool
    value: Annotated[StrictStr | None, Field(max_length=500)] = None


class GetConfigurationResponse(Message):
    configurationKey: list[GetConfigurationResponseConfigurationKey] | None = None
    unknownKey: list[Annotated[StrictStr, Field(max_length=50)]] | None = None


class GetDiagnosticsRequest(Message):
    location: StrictStr
    retries: StrictInt | None = None
    retryInterval: StrictInt | None = None
    startTime: OcppDateTime | None = None
    stopTime: OcppDateTime | None = None


class GetDiagnosticsResponse(Message):
    fileName: Annotated[StrictStr | None, Field(max_length=255)] = None


class CertificateUseEnumType(StrEnum):
    CentralSystemRootCertificate = "CentralSystemRootCertificate"
    ManufacturerRootCertificate = "ManufacturerRootCertificate"


class GetInstalledCertificateIdsRequest(Message):
    certificateType: CertificateUseEnumType


class GetInstalledCertificateStatusEnumType(StrEnum):
    Accepted = "Accepted"
    NotFound = "NotFound"


class GetInstalledCertificateIdsResponse(Message):
    certificateHashData: Annotated[list[CertificateHashDataType] | None, Field(min_length=1)] = None
    status: GetInstalledCertificateStatusEnumType


class GetLocalListVersionRequest(Message):
    pass


class GetLocalListVersionResponse(Message):
    listVersion: StrictInt


class LogParametersType(Message):
    remoteLocation: Annotated[StrictStr, Field(max_length=512)]
    oldestTimestamp: OcppDateTime | None = None
    latestTimestamp: OcppDateTime | None = None


class LogEnumType(StrEnum):
    DiagnosticsLog = "DiagnosticsLog"
    SecurityLog = "SecurityLog"


class GetLogRequest(Message):
    log: LogParametersType
    logType: LogEnumType
    requestId: StrictInt
    retries: StrictInt | None = None
    retryInterval: StrictInt | None = None


class LogStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    AcceptedCanceled = "AcceptedCanceled"


class GetLogResponse(Message):
    status: LogStatusEnumType
    filename: Annotated[StrictStr | None, Field(max_length=255)] = None


class HeartbeatRequest(Message):
    pass


class HeartbeatResponse(Message):
    currentTime: OcppDateTime


class InstallCertificateRequest(Message):
    certificateType: CertificateUseEnumType
    certificate: Annotated[StrictStr, Field(max_length=5500)]


class InstallCertificateStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Failed = "Failed"
    Rejected = "Rejected"


class InstallCertificateResponse(Message):
    status: InstallCertificateStatusEnumType


class UploadLogStatusEnumType(StrEnum):
    BadMessage = "BadMessage"
    Idle = "Idle"
    NotSupportedOperation = "NotSupportedOperation"
    PermissionDenied = "PermissionDenied"
    Uploaded = "Uploaded"
    UploadFailure = "UploadFailure"
    Uploading = "Uploading"


class LogStatusNotificationRequest(Message):
    status: UploadLogStatusEnumType
    requestId: StrictInt | None = None


class LogStatusNotificationResponse(Message):
    pass


class MeterValuesRequestMeterValueSampledValueContext(StrEnum):
    Interruption_Begin = "Interruption.Begin"
    Interruption_End = "Interruption.End"
    Sample_Clock = "Sample.Clock"
    Sample_Periodic = "Sample.Periodic"
    Transaction_Begin = "Transaction.Begin"
    Transaction_End = "Transaction.End"
    Trigger = "Trigger"
    Other = "Other"


class MeterValuesRequestMeterValueSampledValueFormat(StrEnum):
    Raw = "Raw"
    SignedData = "SignedData"


class MeterValuesRequestMeterValueSampledValueMeasurand(StrEnum):
    Energy_Active_Export_Register = "Energy.Active.Export.Register"
    Energy_Active_Import_Register = "Energy.Active.Import.Register"
    Energy_Reactive_Export_Register = "Energy.Reactive.Export.Register"
    Energy_Reactive_Import_Register = "Energy.Reactive.Import.Register"
    Energy_Active_Export_Interval = "Energy.Active.Export.Interval"
    Energy_Active_Import_Interval = "Energy.Active.Import.Interval"
    Energy_Reactive_Export_Interval = "Energy.Reactive.Export.Interval"
    Energy_Reactive_Import_Interval = "Energy.Reactive.Import.Interval"
    Power_Active_Export = "Power.Active.Export"
    Power_Active_Import = "Power.Active.Import"
    Power_Offered = "Power.Offered"
    Power_Reactive_Export = "Power.Reactive.Export"
    Power_Reactive_Import = "Power.Reactive.Import"
    Power_Factor = "Power.Factor"
    Current_Import = "Current.Import"
    Current_Export = "Current.Export"
    Current_Offered = "Current.Offered"
    Voltage = "Voltage"
    Frequency = "Frequency"
    Temperature = "Temperature"
    SoC = "SoC"
    RPM = "RPM"


class MeterValuesRequestMeterValueSampledValuePhase(StrEnum):
    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    N = "N"
    L1_N = "L1-N"
    L2_N = "L2-N"
    L3_N = "L3-N"
    L1_L2 = "L1-L2"
    L2_L3 = "L2-L3"
    L3_L1 = "L3-L1"


class MeterValuesRequestMeterValueSampledValueLocation(StrEnum):
    Cable = "Cable"
    EV = "EV"
    Inlet = "Inlet"
    Outlet = "Outlet"
    Body = "Body"


class MeterValuesRequestMeterValueSampledValueUnit(StrEnum):
    Wh = "Wh"
    kWh = "kWh"
    varh = "varh"
    kvarh = "kvarh"
    W = "W"
    kW = "kW"
    VA = "VA"
    kVA = "kVA"
    var = "var"
    kvar = "kvar"
    A = "A"
    V = "V"
    K = "K"
    Celcius = "Celcius"
    Celsius = "Celsius"
    Fahrenheit = "Fahrenheit"
    Percent = "Percent"
    Hertz = "Hertz"


@with_config(ConfigDict(extra="forbid"))
class MeterValuesRequestMeterValueSampledValue(TypedDict):
    value: StrictStr
    context: NotRequired[MeterValuesRequestMeterValueSampledValueContext | None]
    format: NotRequired[MeterValuesRequestMeterValueSampledValueFormat | None]
    measurand: NotRequired[MeterValuesRequestMeterValueSampledValueMeasurand | None]
    phase: NotRequired[MeterValuesRequestMeterValueSampledValuePhase | None]
    location: NotRequired[MeterValuesRequestMeterValueSampledValueLocation | None]
    unit: NotRequired[MeterValuesRequestMeterValueSampledValueUnit | None]


@with_config(ConfigDict(extra="forbid"))
class MeterValuesRequestMeterValue(TypedDict):
    timestamp: OcppDateTime
    sampledValue: Annotated[list[MeterValuesRequestMeterValueSampledValue], Field(min_length=1)]


class MeterValuesRequest(Message):
    connectorId: StrictInt
    transactionId: StrictInt | None = None
    meterValue: Annotated[list[MeterValuesRequestMeterValue], Field(min_length=1)]


class MeterValuesResponse(Message):
    pass


class RemoteStartTransactionRequestChargingProfileChargingProfilePurpose(StrEnum):
    ChargePointMaxProfile = "ChargePointMaxProfile"
    TxDefaultProfile = "TxDefaultProfile"
    TxProfile = "TxProfile"


class RemoteStartTransactionRequestChargingProfileChargingProfileKind(StrEnum):
    Absolute = "Absolute"
    Recurring = "Recurring"
    Relative = "Relative"


class RemoteStartTransactionRequestChargingProfileRecurrencyKind(StrEnum):
    Daily = "Daily"
    Weekly = "Weekly"


class RemoteStartTransactionRequestChargingProfileChargingScheduleChargingRateUnit(StrEnum):
    A = "A"
    W = "W"


class RemoteStartTransactionRequestChargingProfileChargingScheduleChargingSchedulePeriod(Message):
    startPeriod: StrictInt
    limit: Annotated[Number, multiple_of(0.1)]
    numberPhases: StrictInt | None = None


class RemoteStartTransactionRequestChargingProfileChargingSchedule(Message):
    duration: StrictInt | None = None
    startSchedule: OcppDateTime | None = None
    chargingRateUnit: RemoteStartTransactionRequestChargingProfileChargingScheduleChargingRateUnit
    chargingSchedulePeriod: list[
        RemoteStartTransactionRequestChargingProfileChargingScheduleChargingSchedulePeriod
    ]
    minChargingRate: Annotated[Number, multiple_of(0.1)] | None = None


class RemoteStartTransactionRequestChargingProfile(Message):
    chargingProfileId: StrictInt
    transactionId: StrictInt | None = None
    stackLevel: StrictInt
    chargingProfilePurpose: RemoteStartTransactionRequestChargingProfileChargingProfilePurpose
    chargingProfileKind: RemoteStartTransactionRequestChargingProfileChargingProfileKind
    recurrencyKind: RemoteStartTransactionRequestChargingProfileRecurrencyKind | None = None
    validFrom: OcppDateTime | None = None
    validTo: OcppDateTime | None = None
    chargingSchedule: RemoteStartTransactionRequestChargingProfileChargingSchedule


class RemoteStartTransactionRequest(Message):
    connectorId: StrictInt | None = None
    idTag: Annotated[StrictStr, Field(max_length=20)]
    chargingProfile: RemoteStartTransactionRequestChargingProfile | None = None


class RemoteStartTransactionResponseStatus(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class RemoteStartTransactionResponse(Message):
    status: RemoteStartTransactionResponseStatus


class RemoteStopTransactionRequest(Message):
    transactionId: StrictInt


class RemoteStopTransactionResponseStatus(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class RemoteStopTransactionResponse(Message):
    status: RemoteStopTransactionResponseStatus


class ReserveNowRequest(Message):
    connectorId: StrictInt
    expiryDate: OcppDateTime
    idTag: Annotated[StrictStr, Field(max_length=20)]
    parentIdTag: Annotated[StrictStr | None, Field(max_length=20)] = None
    reservationId: StrictInt


class ReserveNowResponseStatus(StrEnum):
    Accepted = "Accepted"
    Faulted = "Faulted"
    Occupied = "Occupied"
    Rejected = "Rejected"
    Unavailable = "Unavailable"


class ReserveNowResponse(Message):
    status: ReserveNowResponseStatus


class ResetRequestType(StrEnum):
    Hard = "Hard"
    Soft = "Soft"


class ResetRequest(Message):
    type: ResetRequestType


class ResetResponseStatus(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class ResetResponse(Message):
    status: ResetResponseStatus


class SecurityEventNotificationRequest(Message):
    type: Annotated[StrictStr, Field(max_length=50)]
    timestamp: OcppDateTime
    techInfo: Annotated[StrictStr | None, Field(max_length=255)] = None


class SecurityEventNotificationResponse(Message):
    pass


class SendLocalListRequestLocalAuthorizationListIdTagInfoStatus(StrEnum):
    Accepted = "Accepted"
    Blocked = "Blocked"
    Expired = "Expired"
    Invalid = "Invalid"
    ConcurrentTx = "ConcurrentTx"


class SendLocalListRequestLocalAuthorizationListIdTagInfo(Message):
    expiryDate: OcppDateTime | None = None
    parentIdTag: Annotated[StrictStr | None, Field(max_length=20)] = None
    status: SendLocalListRequestLocalAuthorizationListIdTagInfoStatus


class SendLocalListRequestLocalAuthorizationList(Message):
    idTag: Annotated[StrictStr, Field(max_length=20)]
    idTagInfo: SendLocalListRequestLocalAuthorizationListIdTagInfo | None = None


class SendLocalListRequestUpdateType(StrEnum):
    Differential = "Differential"
    Full = "Full"


class SendLocalListRequest(Message):
    listVersion: StrictInt
    localAuthorizationList: list[SendLocalListRequestLocalAuthorizationList] | None = None
    updateType: SendLocalListRequestUpdateType


class SendLocalListResponseStatus(StrEnum):
    Accepted = "Accepted"
    Failed = "Failed"
    NotSupported = "NotSupported"
    VersionMismatch = "VersionMismatch"


class SendLocalListResponse(Message):
    status: SendLocalListResponseStatus


class SetChargingProfileRequestCsChargingProfilesChargingProfilePurpose(StrEnum):
    ChargePointMaxProfile = "ChargePointMaxProfile"
    TxDefaultProfile = "TxDefaultProfile"
    TxProfile = "TxProfile"


class SetChargingProfileRequestCsChargingProfilesChargingProfileKind(StrEnum):
    Absolute = "Absolute"
    Recurring = "Recurring"
    Relative = "Relative"


class SetChargingProfileRequestCsChargingProfilesRecurrencyKind(StrEnum):
    Daily = "Daily"
    Weekly = "Weekly"


class SetChargingProfileRequestCsChargingProfilesChargingScheduleChargingRateUnit(StrEnum):
    A = "A"
    W = "W"


class SetChargingProfileRequestCsChargingProfilesChargingScheduleChargingSchedulePeriod(Message):
    startPeriod: StrictInt
    limit: Annotated[Number, multiple_of(0.1)]
    numberPhases: StrictInt | None = None


class SetChargingProfileRequestCsChargingProfilesChargingSchedule(Message):
    duration: StrictInt | None = None
    startSchedule: OcppDateTime | None = None
    chargingRateUnit: SetChargingProfileRequestCsChargingProfilesChargingScheduleChargingRateUnit
    chargingSchedulePeriod: list[
        SetChargingProfileRequestCsChargingProfilesChargingScheduleChargingSchedulePeriod
    ]
    minChargingRate: Annotated[Number, multiple_of(0.1)] | None = None


class SetChargingProfileRequestCsChargingProfiles(Message):
    chargingProfileId: StrictInt
    transactionId: StrictInt | None = None
    stackLevel: StrictInt
    chargingProfilePurpose: SetChargingProfileRequestCsChargingProfilesChargingProfilePurpose
    chargingProfileKind: SetChargingProfileRequestCsChargingProfilesChargingProfileKind
    recurrencyKind: SetChargingProfileRequestCsChargingProfilesRecurrencyKind | None = None
    validFrom: OcppDateTime | None = None
    validTo: OcppDateTime | None = None
    chargingSchedule: SetChargingProfileRequestCsChargingProfilesChargingSchedule


class SetChargingProfileRequest(Message):
    connectorId: StrictInt
    csChargingProfiles: SetChargingProfileRequestCsChargingProfiles


class SetChargingProfileResponseStatus(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    NotSupported = "NotSupported"


class SetChargingProfileResponse(Message):
    status: SetChargingProfileResponseStatus


class SignCertificateRequest(Message):
    csr: Annotated[StrictStr, Field(max_length=5500)]


class GenericStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class SignCertificateResponse(Message):
    status: GenericStatusEnumType


class FirmwareStatusEnumType(StrEnum):
    Downloaded = "Downloaded"
    DownloadFailed = "DownloadFailed"
    Downloading = "Downloading"
    DownloadScheduled = "DownloadScheduled"
    DownloadPaused = "DownloadPaused"
    Idle = "Idle"
    InstallationFailed = "InstallationFailed"
    Installing = "Installing"
    Installed = "Installed"
    InstallRebooting = "InstallRebooting"
    InstallScheduled = "InstallScheduled"
    InstallVerificationFailed = "InstallVerificationFailed"
    InvalidSignature = "InvalidSignature"
    SignatureVerified = "SignatureVerified"


class SignedFirmwareStatusNotificationRequest(Message):
    status: FirmwareStatusEnumType
    requestId: StrictInt | None = None


class SignedFirmwareStatusNotificationResponse(Message):
    pass


class FirmwareType(Message):
    location: Annotated[StrictStr, Field(max_length=512)]
    retrieveDateTime: OcppDateTime
    installDateTime: OcppDateTime | None = None
    signingCertificate: Annotated[StrictStr, Field(max_length=5500)]
    signature: Annotated[StrictStr, Field(max_length=800)]


class SignedUpdateFirmwareRequest(Message):
    retries: StrictInt | None = None
    retryInterval: StrictInt | None = None
    requestId: StrictInt
    firmware: FirmwareType


class UpdateFirmwareStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    AcceptedCanceled = "AcceptedCanceled"
    InvalidCertificate = "InvalidCertificate"
    RevokedCertificate = "RevokedCertificate"


class SignedUpdateFirmwareResponse(Message):
    status: UpdateFirmwareStatusEnumType


class StartTransactionRequest(Message):
    connectorId: StrictInt
    idTag: Annotated[StrictStr, Field(max_length=20)]
    meterStart: StrictInt
    reservationId: StrictInt | None = None
    timestamp: OcppDateTime


class StartTransactionResponseIdTagInfoStatus(StrEnum):
    Accepted = "Accepted"
    Blocked = "Blocked"
    Expired = "Expired"
    Invalid = "Invalid"
    ConcurrentTx = "ConcurrentTx"


class StartTransactionResponseIdTagInfo(Message):
    expiryDate: OcppDateTime | None = None
    parentIdTag: Annotated[StrictStr | None, Field(max_length=20)] = None
    status: StartTransactionResponseIdTagInfoStatus


class StartTransactionResponse(Message):
    idTagInfo: StartTransactionResponseIdTagInfo
    transactionId: StrictInt


class StatusNotificationRequestErrorCode(StrEnum):
    ConnectorLockFailure = "ConnectorLockFailure"
    EVCommunicationError = "EVCommunicationError"
    GroundFailure = "GroundFailure"
    HighTemperature = "HighTemperature"
    InternalError = "InternalError"
    LocalListConflict = "LocalListConflict"
    NoError = "NoError"
    OtherError = "OtherError"
    OverCurrentFailure = "OverCurrentFailure"
    PowerMeterFailure = "PowerMeterFailure"
    PowerSwitchFailure = "PowerSwitchFailure"
    ReaderFailure = "ReaderFailure"
    ResetFailure = "ResetFailure"
    UnderVoltage = "UnderVoltage"
    OverVoltage = "OverVoltage"
    WeakSignal = "WeakSignal"


class StatusNotificationRequestStatus(StrEnum):
    Available = "Available"
    Preparing = "Preparing"
    Charging = "Charging"
    SuspendedEVSE = "SuspendedEVSE"
    SuspendedEV = "SuspendedEV"
    Finishing = "Finishing"
    Reserved = "Reserved"
    Unavailable = "Unavailable"
    Faulted = "Faulted"


class StatusNotificationRequest(Message):
    connectorId: StrictInt
    errorCode: StatusNotificationRequestErrorCode
    info: Annotated[StrictStr | None, Field(max_length=50)] = None
    status: StatusNotificationRequestStatus
    timestamp: OcppDateTime | None = None
    vendorId: Annotated[StrictStr | None, Field(max_length=255)] = None
    vendorErrorCode: Annotated[StrictStr | None, Field(max_length=50)] = None


class StatusNotificationResponse(Message):
    pass


class StopTransactionRequestReason(StrEnum):
    EmergencyStop = "EmergencyStop"
    EVDisconnected = "EVDisconnected"
    HardReset = "HardReset"
    Local = "Local"
    Other = "Other"
    PowerLoss = "PowerLoss"
    Reboot = "Reboot"
    Remote = "Remote"
    SoftReset = "SoftReset"
    UnlockCommand = "UnlockCommand"
    DeAuthorized = "DeAuthorized"


class StopTransactionRequestTransactionDataSampledValueContext(StrEnum):
    Interruption_Begin = "Interruption.Begin"
    Interruption_End = "Interruption.End"
    Sample_Clock = "Sample.Clock"
    Sample_Periodic = "Sample.Periodic"
    Transaction_Begin = "Transaction.Begin"
    Transaction_End = "Transaction.End"
    Trigger = "Trigger"
    Other = "Other"


class StopTransactionRequestTransactionDataSampledValueFormat(StrEnum):
    Raw = "Raw"
    SignedData = "SignedData"


class StopTransactionRequestTransactionDataSampledValueMeasurand(StrEnum):
    Energy_Active_Export_Register = "Energy.Active.Export.Register"
    Energy_Active_Import_Register = "Energy.Active.Import.Register"
    Energy_Reactive_Export_Register = "Energy.Reactive.Export.Register"
    Energy_Reactive_Import_Register = "Energy.Reactive.Import.Register"
    Energy_Active_Export_Interval = "Energy.Active.Export.Interval"
    Energy_Active_Import_Interval = "Energy.Active.Import.Interval"
    Energy_Reactive_Export_Interval = "Energy.Reactive.Export.Interval"
    Energy_Reactive_Import_Interval = "Energy.Reactive.Import.Interval"
    Power_Active_Export = "Power.Active.Export"
    Power_Active_Import = "Power.Active.Import"
    Power_Offered = "Power.Offered"
    Power_Reactive_Export = "Power.Reactive.Export"
    Power_Reactive_Import = "Power.Reactive.Import"
    Power_Factor = "Power.Factor"
    Current_Import = "Current.Import"
    Current_Export = "Current.Export"
    Current_Offered = "Current.Offered"
    Voltage = "Voltage"
    Frequency = "Frequency"
    Temperature = "Temperature"
    SoC = "SoC"
    RPM = "RPM"


class StopTransactionRequestTransactionDataSampledValuePhase(StrEnum):
    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    N = "N"
    L1_N = "L1-N"
    L2_N = "L2-N"
    L3_N = "L3-N"
    L1_L2 = "L1-L2"
    L2_L3 = "L2-L3"
    L3_L1 = "L3-L1"


class StopTransactionRequestTransactionDataSampledValueLocation(StrEnum):
    Cable = "Cable"
    EV = "EV"
    Inlet = "Inlet"
    Outlet = "Outlet"
    Body = "Body"


class StopTransactionRequestTransactionDataSampledValueUnit(StrEnum):
    Wh = "Wh"
    kWh = "kWh"
    varh = "varh"
    kvarh = "kvarh"
    W = "W"
    kW = "kW"
    VA = "VA"
    kVA = "kVA"
    var = "var"
    kvar = "kvar"
    A = "A"
    V = "V"
    K = "K"
    Celcius = "Celcius"
    Celsius = "Celsius"
    Fahrenheit = "Fahrenheit"
    Percent = "Percent"


@with_config(ConfigDict(extra="forbid"))
class StopTransactionRequestTransactionDataSampledValue(TypedDict):
    value: StrictStr
    context: NotRequired[StopTransactionRequestTransactionDataSampledValueContext | None]
    format: NotRequired[StopTransactionRequestTransactionDataSampledValueFormat | None]
    measurand: NotRequired[StopTransactionRequestTransactionDataSampledValueMeasurand | None]
    phase: NotRequired[StopTransactionRequestTransactionDataSampledValuePhase | None]
    location: NotRequired[StopTransactionRequestTransactionDataSampledValueLocation | None]
    unit: NotRequired[StopTransactionRequestTransactionDataSampledValueUnit | None]


@with_config(ConfigDict(extra="forbid"))
class StopTransactionRequestTransactionData(TypedDict):
    timestamp: OcppDateTime
    sampledValue: list[StopTransactionRequestTransactionDataSampledValue]


class StopTransactionRequest(Message):
    idTag: Annotated[StrictStr | None, Field(max_length=20)] = None
    meterStop: StrictInt
    timestamp: OcppDateTime
    transactionId: StrictInt
    reason: StopTransactionRequestReason | None = None
    transactionData: list[StopTransactionRequestTransactionData] | None = None


class StopTransactionResponseIdTagInfoStatus(StrEnum):
    Accepted = "Accepted"
    Blocked = "Blocked"
    Expired = "Expired"
    Invalid = "Invalid"
    ConcurrentTx = "ConcurrentTx"


class StopTransactionResponseIdTagInfo(Message):
    expiryDate: OcppDateTime | None = None
    parentIdTag: Annotated[StrictStr | None, Field(max_length=20)] = None
    status: StopTransactionResponseIdTagInfoStatus


class StopTransactionResponse(Message):
    idTagInfo: StopTransactionResponseIdTagInfo | None = None


class TriggerMessageRequestRequestedMessage(StrEnum):
    BootNotification = "BootNotification"
    DiagnosticsStatusNotification = "DiagnosticsStatusNotification"
    FirmwareStatusNotification = "FirmwareStatusNotification"
    Heartbeat = "Heartbeat"
    MeterValues = "MeterValues"
    StatusNotification = "StatusNotification"


class TriggerMessageRequest(Message):
    requestedMessage: TriggerMessageRequestRequestedMessage
    connectorId: StrictInt | None = None


class TriggerMessageResponseStatus(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    NotImplemented = "NotImplemented"


class TriggerMessageResponse(Message):
    status: TriggerMessageResponseStatus


class UnlockConnectorRequest(Message):
    connectorId: StrictInt


class UnlockConnectorResponseStatus(StrEnum):
    Unlocked = "Unlocked"
    UnlockFailed = "UnlockFailed"
    NotSupported = "NotSupported"


class UnlockConnectorResponse(Message):
    status: UnlockConnectorResponseStatus


class UpdateFirmwareRequest(Message):
    location: StrictStr
    retries: StrictInt | None = None
    retrieveDate: OcppDateTime
    retryInterval: StrictInt | None = None


class UpdateFirmwareResponse(Message):
    pass


REQUESTS: dict[str, type[Message]] = {
    "Authorize": AuthorizeRequest,
    "BootNotification": BootNotificationRequest,
    "CancelReservation": CancelReservationRequest,
    "CertificateSigned": CertificateSignedRequest,
    "ChangeAvailability": ChangeAvailabilityRequest,
    "ChangeConfiguration": ChangeConfigurationRequest,
    "ClearCache": ClearCacheRequest,
    "ClearChargingProfile": ClearChargingProfileRequest,
    "DataTransfer": DataTransferRequest,
    "DeleteCertificate": DeleteCertificateRequest,
    "DiagnosticsStatusNotification": DiagnosticsStatusNotificationRequest,
    "ExtendedTriggerMessage": ExtendedTriggerMessageRequest,
    "FirmwareStatusNotification": FirmwareStatusNotificationRequest,
    "GetCompositeSchedule": GetCompositeScheduleRequest,
    "GetConfiguration": GetConfigurationRequest,
    "GetDiagnostics": GetDiagnosticsRequest,
    "GetInstalledCertificateIds": GetInstalledCertificateIdsRequest,
    "GetLocalListVersion": GetLocalListVersionRequest,
    "GetLog": GetLogRequest,
    "Heartbeat": HeartbeatRequest,
    "InstallCertificate": InstallCertificateRequest,
    "LogStatusNotification": LogStatusNotificationRequest,
    "MeterValues": MeterValuesRequest,
    "RemoteStartTransaction": RemoteStartTransactionRequest,
    "RemoteStopTransaction": RemoteStopTransactionRequest,
    "ReserveNow": ReserveNowRequest,
    "Reset": ResetRequest,
    "SecurityEventNotification": SecurityEventNotificationRequest,
    "SendLocalList": SendLocalListRequest,
    "SetChargingProfile": SetChargingProfileRequest,
    "SignCertificate": SignCertificateRequest,
    "SignedFirmwareStatusNotification": SignedFirmwareStatusNotificationRequest,
    "SignedUpdateFirmware": SignedUpdateFirmwareRequest,
    "StartTransaction": StartTransactionRequest,
    "StatusNotification": StatusNotificationRequest,
    "StopTransaction": StopTransactionRequest,
    "TriggerMessage": TriggerMessageRequest,
    "UnlockConnector": UnlockConnectorRequest,
    "UpdateFirmware": UpdateFirmwareRequest,
}

RESPONSES: dict[str, type[Message]] = {
    "Authorize": AuthorizeResponse,
    "BootNotification": BootNotificationResponse,
    "CancelReservation": CancelReservationResponse,
    "CertificateSigned": CertificateSignedResponse,
    "ChangeAvailability": ChangeAvailabilityResponse,
    "ChangeConfiguration": ChangeConfigurationResponse,
    "ClearCache": ClearCacheResponse,
    "ClearChargingProfile": ClearChargingProfileResponse,
    "DataTransfer": DataTransferResponse,
    "DeleteCertificate": DeleteCertificateResponse,
    "DiagnosticsStatusNotification": DiagnosticsStatusNotificationResponse,
    "ExtendedTriggerMessage": ExtendedTriggerMessageResponse,
    "FirmwareStatusNotification": FirmwareStatusNotificationResponse,
    "GetCompositeSchedule": GetCompositeScheduleResponse,
    "GetConfiguration": GetConfigurationResponse,
    "GetDiagnostics": GetDiagnosticsResponse,
    "GetInstalledCertificateIds": GetInstalledCertificateIdsResponse,
    "GetLocalListVersion": GetLocalListVersionResponse,
    "GetLog": GetLogResponse,
    "Heartbeat": HeartbeatResponse,
    "InstallCertificate": InstallCertificateResponse,
    "LogStatusNotification": LogStatusNotificationResponse,
    "MeterValues": MeterValuesResponse,
    "RemoteStartTransaction": RemoteStartTransactionResponse,
    "RemoteStopTransaction": RemoteStopTransactionResponse,
    "ReserveNow": ReserveNowResponse,
    "Reset": ResetResponse,
    "SecurityEventNotification": SecurityEventNotificationResponse,
    "SendLocalList": SendLocalListResponse,
    "SetChargingProfile": SetChargingProfileResponse,
    "SignCertificate": SignCertificateResponse,
    "SignedFirmwareStatusNotification": SignedFirmwareStatusNotificationResponse,
    "SignedUpdateFirmware": SignedUpdateFirmwareResponse,
    "StartTransaction": StartTransactionResponse,
    "StatusNotification": StatusNotificationResponse,
    "StopTransaction": StopTransactionResponse,
    "TriggerMessage": TriggerMessageResponse,
    "UnlockConnector": UnlockConnectorResponse,
    "UpdateFirmware": UpdateFirmwareResponse,
}
