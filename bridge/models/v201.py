"""OCPP 2.0.1 message models, generated from the official JSON schemas. Do not edit.

Regenerate with `python tools/gen_models.py` (schemas from the `ocpp` package, version 2.1.0).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from bridge.models.base import (
    Message,
    Number,
    OcppDateTime,
    OpenMessage,
    StrictBool,
    StrictInt,
    StrictStr,
)


class CustomDataType(OpenMessage):
    vendorId: Annotated[StrictStr, Field(max_length=255)]


class AdditionalInfoType(Message):
    customData: CustomDataType | None = None
    additionalIdToken: Annotated[StrictStr, Field(max_length=36)]
    type: Annotated[StrictStr, Field(max_length=50)]


class IdTokenEnumType(StrEnum):
    Central = "Central"
    eMAID = "eMAID"
    ISO14443 = "ISO14443"
    ISO15693 = "ISO15693"
    KeyCode = "KeyCode"
    Local = "Local"
    MacAddress = "MacAddress"
    NoAuthorization = "NoAuthorization"


class IdTokenType(Message):
    customData: CustomDataType | None = None
    additionalInfo: Annotated[list[AdditionalInfoType] | None, Field(min_length=1)] = None
    idToken: Annotated[StrictStr, Field(max_length=36)]
    type: IdTokenEnumType


class HashAlgorithmEnumType(StrEnum):
    SHA256 = "SHA256"
    SHA384 = "SHA384"
    SHA512 = "SHA512"


class OCSPRequestDataType(Message):
    customData: CustomDataType | None = None
    hashAlgorithm: HashAlgorithmEnumType
    issuerNameHash: Annotated[StrictStr, Field(max_length=128)]
    issuerKeyHash: Annotated[StrictStr, Field(max_length=128)]
    serialNumber: Annotated[StrictStr, Field(max_length=40)]
    responderURL: Annotated[StrictStr, Field(max_length=512)]


class AuthorizeRequest(Message):
    customData: CustomDataType | None = None
    idToken: IdTokenType
    certificate: Annotated[StrictStr | None, Field(max_length=5500)] = None
    iso15118CertificateHashData: Annotated[
        list[OCSPRequestDataType] | None, Field(min_length=1, max_length=4)
    ] = None


class AuthorizationStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Blocked = "Blocked"
    ConcurrentTx = "ConcurrentTx"
    Expired = "Expired"
    Invalid = "Invalid"
    NoCredit = "NoCredit"
    NotAllowedTypeEVSE = "NotAllowedTypeEVSE"
    NotAtThisLocation = "NotAtThisLocation"
    NotAtThisTime = "NotAtThisTime"
    Unknown = "Unknown"


class MessageFormatEnumType(StrEnum):
    ASCII = "ASCII"
    HTML = "HTML"
    URI = "URI"
    UTF8 = "UTF8"


class MessageContentType(Message):
    customData: CustomDataType | None = None
    format: MessageFormatEnumType
    language: Annotated[StrictStr | None, Field(max_length=8)] = None
    content: Annotated[StrictStr, Field(max_length=512)]


class IdTokenInfoType(Message):
    customData: CustomDataType | None = None
    status: AuthorizationStatusEnumType
    cacheExpiryDateTime: OcppDateTime | None = None
    chargingPriority: StrictInt | None = None
    language1: Annotated[StrictStr | None, Field(max_length=8)] = None
    evseId: Annotated[list[StrictInt] | None, Field(min_length=1)] = None
    groupIdToken: IdTokenType | None = None
    language2: Annotated[StrictStr | None, Field(max_length=8)] = None
    personalMessage: MessageContentType | None = None


class AuthorizeCertificateStatusEnumType(StrEnum):
    Accepted = "Accepted"
    SignatureError = "SignatureError"
    CertificateExpired = "CertificateExpired"
    CertificateRevoked = "CertificateRevoked"
    NoCertificateAvailable = "NoCertificateAvailable"
    CertChainError = "CertChainError"
    ContractCancelled = "ContractCancelled"


class AuthorizeResponse(Message):
    customData: CustomDataType | None = None
    idTokenInfo: IdTokenInfoType
    certificateStatus: AuthorizeCertificateStatusEnumType | None = None


class ModemType(Message):
    customData: CustomDataType | None = None
    iccid: Annotated[StrictStr | None, Field(max_length=20)] = None
    imsi: Annotated[StrictStr | None, Field(max_length=20)] = None


class ChargingStationType(Message):
    customData: CustomDataType | None = None
    serialNumber: Annotated[StrictStr | None, Field(max_length=25)] = None
    model: Annotated[StrictStr, Field(max_length=20)]
    modem: ModemType | None = None
    vendorName: Annotated[StrictStr, Field(max_length=50)]
    firmwareVersion: Annotated[StrictStr | None, Field(max_length=50)] = None


class BootReasonEnumType(StrEnum):
    ApplicationReset = "ApplicationReset"
    FirmwareUpdate = "FirmwareUpdate"
    LocalReset = "LocalReset"
    PowerUp = "PowerUp"
    RemoteReset = "RemoteReset"
    ScheduledReset = "ScheduledReset"
    Triggered = "Triggered"
    Unknown = "Unknown"
    Watchdog = "Watchdog"


class BootNotificationRequest(Message):
    customData: CustomDataType | None = None
    chargingStation: ChargingStationType
    reason: BootReasonEnumType


class RegistrationStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Pending = "Pending"
    Rejected = "Rejected"


class StatusInfoType(Message):
    customData: CustomDataType | None = None
    reasonCode: Annotated[StrictStr, Field(max_length=20)]
    additionalInfo: Annotated[StrictStr | None, Field(max_length=512)] = None


class BootNotificationResponse(Message):
    customData: CustomDataType | None = None
    currentTime: OcppDateTime
    interval: StrictInt
    status: RegistrationStatusEnumType
    statusInfo: StatusInfoType | None = None


class CancelReservationRequest(Message):
    customData: CustomDataType | None = None
    reservationId: StrictInt


class CancelReservationStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class CancelReservationResponse(Message):
    customData: CustomDataType | None = None
    status: CancelReservationStatusEnumType
    statusInfo: StatusInfoType | None = None


class CertificateSigningUseEnumType(StrEnum):
    ChargingStationCertificate = "ChargingStationCertificate"
    V2GCertificate = "V2GCertificate"


class CertificateSignedRequest(Message):
    customData: CustomDataType | None = None
    certificateChain: Annotated[StrictStr, Field(max_length=10000)]
    certificateType: CertificateSigningUseEnumType | None = None


class CertificateSignedStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class CertificateSignedResponse(Message):
    customData: CustomDataType | None = None
    status: CertificateSignedStatusEnumType
    statusInfo: StatusInfoType | None = None


class EVSEType(Message):
    customData: CustomDataType | None = None
    id: StrictInt
    connectorId: StrictInt | None = None


class OperationalStatusEnumType(StrEnum):
    Inoperative = "Inoperative"
    Operative = "Operative"


class ChangeAvailabilityRequest(Message):
    customData: CustomDataType | None = None
    evse: EVSEType | None = None
    operationalStatus: OperationalStatusEnumType


class ChangeAvailabilityStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    Scheduled = "Scheduled"


class ChangeAvailabilityResponse(Message):
    customData: CustomDataType | None = None
    status: ChangeAvailabilityStatusEnumType
    statusInfo: StatusInfoType | None = None


class ClearCacheRequest(Message):
    customData: CustomDataType | None = None


class ClearCacheStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class ClearCacheResponse(Message):
    customData: CustomDataType | None = None
    status: ClearCacheStatusEnumType
    statusInfo: StatusInfoType | None = None


class ChargingProfilePurposeEnumType(StrEnum):
    ChargingStationExternalConstraints = "ChargingStationExternalConstraints"
    ChargingStationMaxProfile = "ChargingStationMaxProfile"
    TxDefaultProfile = "TxDefaultProfile"
    TxProfile = "TxProfile"


class ClearChargingProfileType(Message):
    customData: CustomDataType | None = None
    evseId: StrictInt | None = None
    chargingProfilePurpose: ChargingProfilePurposeEnumType | None = None
    stackLevel: StrictInt | None = None


class ClearChargingProfileRequest(Message):
    customData: CustomDataType | None = None
    chargingProfileId: StrictInt | None = None
    chargingProfileCriteria: ClearChargingProfileType | None = None


class ClearChargingProfileStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Unknown = "Unknown"


class ClearChargingProfileResponse(Message):
    customData: CustomDataType | None = None
    status: ClearChargingProfileStatusEnumType
    statusInfo: StatusInfoType | None = None


class ClearDisplayMessageRequest(Message):
    customData: CustomDataType | None = None
    id: StrictInt


class ClearMessageStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Unknown = "Unknown"


class ClearDisplayMessageResponse(Message):
    customData: CustomDataType | None = None
    status: ClearMessageStatusEnumType
    statusInfo: StatusInfoType | None = None


class ClearVariableMonitoringRequest(Message):
    customData: CustomDataType | None = None
    id: Annotated[list[StrictInt], Field(min_length=1)]


class ClearMonitoringStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    NotFound = "NotFound"


class ClearMonitoringResultType(Message):
    customData: CustomDataType | None = None
    status: ClearMonitoringStatusEnumType
    id: StrictInt
    statusInfo: StatusInfoType | None = None


class ClearVariableMonitoringResponse(Message):
    customData: CustomDataType | None = None
    clearMonitoringResult: Annotated[list[ClearMonitoringResultType], Field(min_length=1)]


class ChargingLimitSourceEnumType(StrEnum):
    EMS = "EMS"
    Other = "Other"
    SO = "SO"
    CSO = "CSO"


class ClearedChargingLimitRequest(Message):
    customData: CustomDataType | None = None
    chargingLimitSource: ChargingLimitSourceEnumType
    evseId: StrictInt | None = None


class ClearedChargingLimitResponse(Message):
    customData: CustomDataType | None = None


class CostUpdatedRequest(Message):
    customData: CustomDataType | None = None
    totalCost: Number
    transactionId: Annotated[StrictStr, Field(max_length=36)]


class CostUpdatedResponse(Message):
    customData: CustomDataType | None = None


class CertificateHashDataType(Message):
    customData: CustomDataType | None = None
    hashAlgorithm: HashAlgorithmEnumType
    issuerNameHash: Annotated[StrictStr, Field(max_length=128)]
    issuerKeyHash: Annotated[StrictStr, Field(max_length=128)]
    serialNumber: Annotated[StrictStr, Field(max_length=40)]


class CustomerInformationRequest(Message):
    customData: CustomDataType | None = None
    customerCertificate: CertificateHashDataType | None = None
    idToken: IdTokenType | None = None
    requestId: StrictInt
    report: StrictBool
    clear: StrictBool
    customerIdentifier: Annotated[StrictStr | None, Field(max_length=64)] = None


class CustomerInformationStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    Invalid = "Invalid"


class CustomerInformationResponse(Message):
    customData: CustomDataType | None = None
    status: CustomerInformationStatusEnumType
    statusInfo: StatusInfoType | None = None


class DataTransferRequest(Message):
    customData: CustomDataType | None = None
    messageId: Annotated[StrictStr | None, Field(max_length=50)] = None
    data: object | None = None
    vendorId: Annotated[StrictStr, Field(max_length=255)]


class DataTransferStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    UnknownMessageId = "UnknownMessageId"
    UnknownVendorId = "UnknownVendorId"


class DataTransferResponse(Message):
    customData: CustomDataType | None = None
    status: DataTransferStatusEnumType
    statusInfo: StatusInfoType | None = None
    data: object | None = None


class DeleteCertificateRequest(Message):
    customData: CustomDataType | None = None
    certificateHashData: CertificateHashDataType


class DeleteCertificateStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Failed = "Failed"
    NotFound = "NotFound"


class DeleteCertificateResponse(Message):
    customData: CustomDataType | None = None
    status: DeleteCertificateStatusEnumType
    statusInfo: StatusInfoType | None = None


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


class FirmwareStatusNotificationRequest(Message):
    customData: CustomDataType | None = None
    status: FirmwareStatusEnumType
    requestId: StrictInt | None = None


class FirmwareStatusNotificationResponse(Message):
    customData: CustomDataType | None = None


class CertificateActionEnumType(StrEnum):
    Install = "Install"
    Update = "Update"


class Get15118EVCertificateRequest(Message):
    customData: CustomDataType | None = None
    iso15118SchemaVersion: Annotated[StrictStr, Field(max_length=50)]
    action: CertificateActionEnumType
    exiRequest: Annotated[StrictStr, Field(max_length=5600)]


class Iso15118EVCertificateStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Failed = "Failed"


class Get15118EVCertificateResponse(Message):
    customData: CustomDataType | None = None
    status: Iso15118EVCertificateStatusEnumType
    statusInfo: StatusInfoType | None = None
    exiResponse: Annotated[StrictStr, Field(max_length=7500)]


class ReportBaseEnumType(StrEnum):
    ConfigurationInventory = "ConfigurationInventory"
    FullInventory = "FullInventory"
    SummaryInventory = "SummaryInventory"


class GetBaseReportRequest(Message):
    customData: CustomDataType | None = None
    requestId: StrictInt
    reportBase: ReportBaseEnumType


class GenericDeviceModelStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    NotSupported = "NotSupported"
    EmptyResultSet = "EmptyResultSet"


class GetBaseReportResponse(Message):
    customData: CustomDataType | None = None
    status: GenericDeviceModelStatusEnumType
    statusInfo: StatusInfoType | None = None


class GetCertificateStatusRequest(Message):
    customData: CustomDataType | None = None
    ocspRequestData: OCSPRequestDataType


class GetCertificateStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Failed = "Failed"


class GetCertificateStatusResponse(Message):
    customData: CustomDataType | None = None
    status: GetCertificateStatusEnumType
    statusInfo: StatusInfoType | None = None
    ocspResult: Annotated[StrictStr | None, Field(max_length=5500)] = None


class ChargingProfileCriterionType(Message):
    customData: CustomDataType | None = None
    chargingProfilePurpose: ChargingProfilePurposeEnumType | None = None
    stackLevel: StrictInt | None = None
    chargingProfileId: Annotated[list[StrictInt] | None, Field(min_length=1)] = None
    chargingLimitSource: Annotated[
        list[ChargingLimitSourceEnumType] | None, Field(min_length=1, max_length=4)
    ] = None


class GetChargingProfilesRequest(Message):
    customData: CustomDataType | None = None
    requestId: StrictInt
    evseId: StrictInt | None = None
    chargingProfile: ChargingProfileCriterionType


class GetChargingProfileStatusEnumType(StrEnum):
    Accepted = "Accepted"
    NoProfiles = "NoProfiles"


class GetChargingProfilesResponse(Message):
    customData: CustomDataType | None = None
    status: GetChargingProfileStatusEnumType
    statusInfo: StatusInfoType | None = None


class ChargingRateUnitEnumType(StrEnum):
    W = "W"
    A = "A"


class GetCompositeScheduleRequest(Message):
    customData: CustomDataType | None = None
    duration: StrictInt
    chargingRateUnit: ChargingRateUnitEnumType | None = None
    evseId: StrictInt


class GenericStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class ChargingSchedulePeriodType(Message):
    customData: CustomDataType | None = None
    startPeriod: StrictInt
    limit: Number
    numberPhases: StrictInt | None = None
    phaseToUse: StrictInt | None = None


class CompositeScheduleType(Message):
    customData: CustomDataType | None = None
    chargingSchedulePeriod: Annotated[list[ChargingSchedulePeriodType], Field(min_length=1)]
    evseId: StrictInt
    duration: StrictInt
    scheduleStart: OcppDateTime
    chargingRateUnit: ChargingRateUnitEnumType


class GetCompositeScheduleResponse(Message):
    customData: CustomDataType | None = None
    status: GenericStatusEnumType
    statusInfo: StatusInfoType | None = None
    schedule: CompositeScheduleType | None = None


class MessagePriorityEnumType(StrEnum):
    AlwaysFront = "AlwaysFront"
    InFront = "InFront"
    NormalCycle = "NormalCycle"


class MessageStateEnumType(StrEnum):
    Charging = "Charging"
    Faulted = "Faulted"
    Idle = "Idle"
    Unavailable = "Unavailable"


class GetDisplayMessagesRequest(Message):
    customData: CustomDataType | None = None
    id: Annotated[list[StrictInt] | None, Field(min_length=1)] = None
    requestId: StrictInt
    priority: MessagePriorityEnumType | None = None
    state: MessageStateEnumType | None = None


class GetDisplayMessagesStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Unknown = "Unknown"


class GetDisplayMessagesResponse(Message):
    customData: CustomDataType | None = None
    status: GetDisplayMessagesStatusEnumType
    statusInfo: StatusInfoType | None = None


class GetCertificateIdUseEnumType(StrEnum):
    V2GRootCertificate = "V2GRootCertificate"
    MORootCertificate = "MORootCertificate"
    CSMSRootCertificate = "CSMSRootCertificate"
    V2GCertificateChain = "V2GCertificateChain"
    ManufacturerRootCertificate = "ManufacturerRootCertificate"


class GetInstalledCertificateIdsRequest(Message):
    customData: CustomDataType | None = None
    certificateType: Annotated[list[GetCertificateIdUseEnumType] | None, Field(min_length=1)] = None


class GetInstalledCertificateStatusEnumType(StrEnum):
    Accepted = "Accepted"
    NotFound = "NotFound"


class CertificateHashDataChainType(Message):
    customData: CustomDataType | None = None
    certificateHashData: CertificateHashDataType
    certificateType: GetCertificateIdUseEnumType
    childCertificateHashData: Annotated[
        list[CertificateHashDataType] | None, Field(min_length=1, max_length=4)
    ] = None


class GetInstalledCertificateIdsResponse(Message):
    customData: CustomDataType | None = None
    status: GetInstalledCertificateStatusEnumType
    statusInfo: StatusInfoType | None = None
    certificateHashDataChain: Annotated[list[CertificateHashDataChainType] | None, Field(min_length=1)] = None


class GetLocalListVersionRequest(Message):
    customData: CustomDataType | None = None


class GetLocalListVersionResponse(Message):
    customData: CustomDataType | None = None
    versionNumber: StrictInt


class LogParametersType(Message):
    customData: CustomDataType | None = None
    remoteLocation: Annotated[StrictStr, Field(max_length=512)]
    oldestTimestamp: OcppDateTime | None = None
    latestTimestamp: OcppDateTime | None = None


class LogEnumType(StrEnum):
    DiagnosticsLog = "DiagnosticsLog"
    SecurityLog = "SecurityLog"


class GetLogRequest(Message):
    customData: CustomDataType | None = None
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
    customData: CustomDataType | None = None
    status: LogStatusEnumType
    statusInfo: StatusInfoType | None = None
    filename: Annotated[StrictStr | None, Field(max_length=255)] = None


class ComponentType(Message):
    customData: CustomDataType | None = None
    evse: EVSEType | None = None
    name: Annotated[StrictStr, Field(max_length=50)]
    instance: Annotated[StrictStr | None, Field(max_length=50)] = None


class VariableType(Message):
    customData: CustomDataType | None = None
    name: Annotated[StrictStr, Field(max_length=50)]
    instance: Annotated[StrictStr | None, Field(max_length=50)] = None


class ComponentVariableType(Message):
    customData: CustomDataType | None = None
    component: ComponentType
    variable: VariableType | None = None


class MonitoringCriterionEnumType(StrEnum):
    ThresholdMonitoring = "ThresholdMonitoring"
    DeltaMonitoring = "DeltaMonitoring"
    PeriodicMonitoring = "PeriodicMonitoring"


class GetMonitoringReportRequest(Message):
    customData: CustomDataType | None = None
    componentVariable: Annotated[list[ComponentVariableType] | None, Field(min_length=1)] = None
    requestId: StrictInt
    monitoringCriteria: Annotated[
        list[MonitoringCriterionEnumType] | None, Field(min_length=1, max_length=3)
    ] = None


class GetMonitoringReportResponse(Message):
    customData: CustomDataType | None = None
    status: GenericDeviceModelStatusEnumType
    statusInfo: StatusInfoType | None = None


class ComponentCriterionEnumType(StrEnum):
    Active = "Active"
    Available = "Available"
    Enabled = "Enabled"
    Problem = "Problem"


class GetReportRequest(Message):
    customData: CustomDataType | None = None
    componentVariable: Annotated[list[ComponentVariableType] | None, Field(min_length=1)] = None
    requestId: StrictInt
    componentCriteria: Annotated[
        list[ComponentCriterionEnumType] | None, Field(min_length=1, max_length=4)
    ] = None


class GetReportResponse(Message):
    customData: CustomDataType | None = None
    status: GenericDeviceModelStatusEnumType
    statusInfo: StatusInfoType | None = None


class GetTransactionStatusRequest(Message):
    customData: CustomDataType | None = None
    transactionId: Annotated[StrictStr | None, Field(max_length=36)] = None


class GetTransactionStatusResponse(Message):
    customData: CustomDataType | None = None
    ongoingIndicator: StrictBool | None = None
    messagesInQueue: StrictBool


class AttributeEnumType(StrEnum):
    Actual = "Actual"
    Target = "Target"
    MinSet = "MinSet"
    MaxSet = "MaxSet"


class GetVariableDataType(Message):
    customData: CustomDataType | None = None
    attributeType: AttributeEnumType | None = None
    component: ComponentType
    variable: VariableType


class GetVariablesRequest(Message):
    customData: CustomDataType | None = None
    getVariableData: Annotated[list[GetVariableDataType], Field(min_length=1)]


class GetVariableStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    UnknownComponent = "UnknownComponent"
    UnknownVariable = "UnknownVariable"
    NotSupportedAttributeType = "NotSupportedAttributeType"


class GetVariableResultType(Message):
    customData: CustomDataType | None = None
    attributeStatusInfo: StatusInfoType | None = None
    attributeStatus: GetVariableStatusEnumType
    attributeType: AttributeEnumType | None = None
    attributeValue: Annotated[StrictStr | None, Field(max_length=2500)] = None
    component: ComponentType
    variable: VariableType


class GetVariablesResponse(Message):
    customData: CustomDataType | None = None
    getVariableResult: Annotated[list[GetVariableResultType], Field(min_length=1)]


class HeartbeatRequest(Message):
    customData: CustomDataType | None = None


class HeartbeatResponse(Message):
    customData: CustomDataType | None = None
    currentTime: OcppDateTime


class InstallCertificateUseEnumType(StrEnum):
    V2GRootCertificate = "V2GRootCertificate"
    MORootCertificate = "MORootCertificate"
    CSMSRootCertificate = "CSMSRootCertificate"
    ManufacturerRootCertificate = "ManufacturerRootCertificate"


class InstallCertificateRequest(Message):
    customData: CustomDataType | None = None
    certificateType: InstallCertificateUseEnumType
    certificate: Annotated[StrictStr, Field(max_length=5500)]


class InstallCertificateStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    Failed = "Failed"


class InstallCertificateResponse(Message):
    customData: CustomDataType | None = None
    status: InstallCertificateStatusEnumType
    statusInfo: StatusInfoType | None = None


class UploadLogStatusEnumType(StrEnum):
    BadMessage = "BadMessage"
    Idle = "Idle"
    NotSupportedOperation = "NotSupportedOperation"
    PermissionDenied = "PermissionDenied"
    Uploaded = "Uploaded"
    UploadFailure = "UploadFailure"
    Uploading = "Uploading"
    AcceptedCanceled = "AcceptedCanceled"


class LogStatusNotificationRequest(Message):
    customData: CustomDataType | None = None
    status: UploadLogStatusEnumType
    requestId: StrictInt | None = None


class LogStatusNotificationResponse(Message):
    customData: CustomDataType | None = None


class ReadingContextEnumType(StrEnum):
    Interruption_Begin = "Interruption.Begin"
    Interruption_End = "Interruption.End"
    Other = "Other"
    Sample_Clock = "Sample.Clock"
    Sample_Periodic = "Sample.Periodic"
    Transaction_Begin = "Transaction.Begin"
    Transaction_End = "Transaction.End"
    Trigger = "Trigger"


class MeasurandEnumType(StrEnum):
    Current_Export = "Current.Export"
    Current_Import = "Current.Import"
    Current_Offered = "Current.Offered"
    Energy_Active_Export_Register = "Energy.Active.Export.Register"
    Energy_Active_Import_Register = "Energy.Active.Import.Register"
    Energy_Reactive_Export_Register = "Energy.Reactive.Export.Register"
    Energy_Reactive_Import_Register = "Energy.Reactive.Import.Register"
    Energy_Active_Export_Interval = "Energy.Active.Export.Interval"
    Energy_Active_Import_Interval = "Energy.Active.Import.Interval"
    Energy_Active_Net = "Energy.Active.Net"
    Energy_Reactive_Export_Interval = "Energy.Reactive.Export.Interval"
    Energy_Reactive_Import_Interval = "Energy.Reactive.Import.Interval"
    Energy_Reactive_Net = "Energy.Reactive.Net"
    Energy_Apparent_Net = "Energy.Apparent.Net"
    Energy_Apparent_Import = "Energy.Apparent.Import"
    Energy_Apparent_Export = "Energy.Apparent.Export"
    Frequency = "Frequency"
    Power_Active_Export = "Power.Active.Export"
    Power_Active_Import = "Power.Active.Import"
    Power_Factor = "Power.Factor"
    Power_Offered = "Power.Offered"
    Power_Reactive_Export = "Power.Reactive.Export"
    Power_Reactive_Import = "Power.Reactive.Import"
    SoC = "SoC"
    Voltage = "Voltage"


class PhaseEnumType(StrEnum):
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


class LocationEnumType(StrEnum):
    Body = "Body"
    Cable = "Cable"
    EV = "EV"
    Inlet = "Inlet"
    Outlet = "Outlet"


class SignedMeterValueType(Message):
    customData: CustomDataType | None = None
    signedMeterData: Annotated[StrictStr, Field(max_length=2500)]
    signingMethod: Annotated[StrictStr, Field(max_length=50)]
    encodingMethod: Annotated[StrictStr, Field(max_length=50)]
    publicKey: Annotated[StrictStr, Field(max_length=2500)]


class UnitOfMeasureType(Message):
    customData: CustomDataType | None = None
    unit: Annotated[StrictStr | None, Field(max_length=20)] = None
    multiplier: StrictInt | None = None


class SampledValueType(Message):
    customData: CustomDataType | None = None
    value: Number
    context: ReadingContextEnumType | None = None
    measurand: MeasurandEnumType | None = None
    phase: PhaseEnumType | None = None
    location: LocationEnumType | None = None
    signedMeterValue: SignedMeterValueType | None = None
    unitOfMeasure: UnitOfMeasureType | None = None


class MeterValueType(Message):
    customData: CustomDataType | None = None
    sampledValue: Annotated[list[SampledValueType], Field(min_length=1)]
    timestamp: OcppDateTime


class MeterValuesRequest(Message):
    customData: CustomDataType | None = None
    evseId: StrictInt
    meterValue: Annotated[list[MeterValueType], Field(min_length=1)]


class MeterValuesResponse(Message):
    customData: CustomDataType | None = None


class RelativeTimeIntervalType(Message):
    customData: CustomDataType | None = None
    start: StrictInt
    duration: StrictInt | None = None


class CostKindEnumType(StrEnum):
    CarbonDioxideEmission = "CarbonDioxideEmission"
    RelativePricePercentage = "RelativePricePercentage"
    RenewableGenerationPercentage = "RenewableGenerationPercentage"


class CostType(Message):
    customData: CustomDataType | None = None
    costKind: CostKindEnumType
    amount: StrictInt
    amountMultiplier: StrictInt | None = None


class ConsumptionCostType(Message):
    customData: CustomDataType | None = None
    startValue: Number
    cost: Annotated[list[CostType], Field(min_length=1, max_length=3)]


class SalesTariffEntryType(Message):
    customData: CustomDataType | None = None
    relativeTimeInterval: RelativeTimeIntervalType
    ePriceLevel: Annotated[StrictInt | None, Field(ge=0.0)] = None
    consumptionCost: Annotated[list[ConsumptionCostType] | None, Field(min_length=1, max_length=3)] = None


class SalesTariffType(Message):
    customData: CustomDataType | None = None
    id: StrictInt
    salesTariffDescription: Annotated[StrictStr | None, Field(max_length=32)] = None
    numEPriceLevels: StrictInt | None = None
    salesTariffEntry: Annotated[list[SalesTariffEntryType], Field(min_length=1, max_length=1024)]


class ChargingScheduleType(Message):
    customData: CustomDataType | None = None
    id: StrictInt
    startSchedule: OcppDateTime | None = None
    duration: StrictInt | None = None
    chargingRateUnit: ChargingRateUnitEnumType
    chargingSchedulePeriod: Annotated[list[ChargingSchedulePeriodType], Field(min_length=1, max_length=1024)]
    minChargingRate: Number | None = None
    salesTariff: SalesTariffType | None = None


class ChargingLimitType(Message):
    customData: CustomDataType | None = None
    chargingLimitSource: ChargingLimitSourceEnumType
    isGridCritical: StrictBool | None = None


class NotifyChargingLimitRequest(Message):
    customData: CustomDataType | None = None
    chargingSchedule: Annotated[list[ChargingScheduleType] | None, Field(min_length=1)] = None
    evseId: StrictInt | None = None
    chargingLimit: ChargingLimitType


class NotifyChargingLimitResponse(Message):
    customData: CustomDataType | None = None


class NotifyCustomerInformationRequest(Message):
    customData: CustomDataType | None = None
    data: Annotated[StrictStr, Field(max_length=512)]
    tbc: StrictBool | None = None
    seqNo: StrictInt
    generatedAt: OcppDateTime
    requestId: StrictInt


class NotifyCustomerInformationResponse(Message):
    customData: CustomDataType | None = None


class MessageInfoType(Message):
    customData: CustomDataType | None = None
    display: ComponentType | None = None
    id: StrictInt
    priority: MessagePriorityEnumType
    state: MessageStateEnumType | None = None
    startDateTime: OcppDateTime | None = None
    endDateTime: OcppDateTime | None = None
    transactionId: Annotated[StrictStr | None, Field(max_length=36)] = None
    message: MessageContentType


class NotifyDisplayMessagesRequest(Message):
    customData: CustomDataType | None = None
    messageInfo: Annotated[list[MessageInfoType] | None, Field(min_length=1)] = None
    requestId: StrictInt
    tbc: StrictBool | None = None


class NotifyDisplayMessagesResponse(Message):
    customData: CustomDataType | None = None


class ACChargingParametersType(Message):
    customData: CustomDataType | None = None
    energyAmount: StrictInt
    evMinCurrent: StrictInt
    evMaxCurrent: StrictInt
    evMaxVoltage: StrictInt


class DCChargingParametersType(Message):
    customData: CustomDataType | None = None
    evMaxCurrent: StrictInt
    evMaxVoltage: StrictInt
    energyAmount: StrictInt | None = None
    evMaxPower: StrictInt | None = None
    stateOfCharge: Annotated[StrictInt | None, Field(ge=0.0, le=100.0)] = None
    evEnergyCapacity: StrictInt | None = None
    fullSoC: Annotated[StrictInt | None, Field(ge=0.0, le=100.0)] = None
    bulkSoC: Annotated[StrictInt | None, Field(ge=0.0, le=100.0)] = None


class EnergyTransferModeEnumType(StrEnum):
    DC = "DC"
    AC_single_phase = "AC_single_phase"
    AC_two_phase = "AC_two_phase"
    AC_three_phase = "AC_three_phase"


class ChargingNeedsType(Message):
    customData: CustomDataType | None = None
    acChargingParameters: ACChargingParametersType | None = None
    dcChargingParameters: DCChargingParametersType | None = None
    requestedEnergyTransfer: EnergyTransferModeEnumType
    departureTime: OcppDateTime | None = None


class NotifyEVChargingNeedsRequest(Message):
    customData: CustomDataType | None = None
    maxScheduleTuples: StrictInt | None = None
    chargingNeeds: ChargingNeedsType
    evseId: StrictInt


class NotifyEVChargingNeedsStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    Processing = "Processing"


class NotifyEVChargingNeedsResponse(Message):
    customData: CustomDataType | None = None
    status: NotifyEVChargingNeedsStatusEnumType
    statusInfo: StatusInfoType | None = None


class NotifyEVChargingScheduleRequest(Message):
    customData: CustomDataType | None = None
    timeBase: OcppDateTime
    chargingSchedule: ChargingScheduleType
    evseId: StrictInt


class NotifyEVChargingScheduleResponse(Message):
    customData: CustomDataType | None = None
    status: GenericStatusEnumType
    statusInfo: StatusInfoType | None = None


class EventTriggerEnumType(StrEnum):
    Alerting = "Alerting"
    Delta = "Delta"
    Periodic = "Periodic"


class EventNotificationEnumType(StrEnum):
    HardWiredNotification = "HardWiredNotification"
    HardWiredMonitor = "HardWiredMonitor"
    PreconfiguredMonitor = "PreconfiguredMonitor"
    CustomMonitor = "CustomMonitor"


class EventDataType(Message):
    customData: CustomDataType | None = None
    eventId: StrictInt
    timestamp: OcppDateTime
    trigger: EventTriggerEnumType
    cause: StrictInt | None = None
    actualValue: Annotated[StrictStr, Field(max_length=2500)]
    techCode: Annotated[StrictStr | None, Field(max_length=50)] = None
    techInfo: Annotated[StrictStr | None, Field(max_length=500)] = None
    cleared: StrictBool | None = None
    transactionId: Annotated[StrictStr | None, Field(max_length=36)] = None
    component: ComponentType
    variableMonitoringId: StrictInt | None = None
    eventNotificationType: EventNotificationEnumType
    variable: VariableType


class NotifyEventRequest(Message):
    customData: CustomDataType | None = None
    generatedAt: OcppDateTime
    tbc: StrictBool | None = None
    seqNo: StrictInt
    eventData: Annotated[list[EventDataType], Field(min_length=1)]


class NotifyEventResponse(Message):
    customData: CustomDataType | None = None


class MonitorEnumType(StrEnum):
    UpperThreshold = "UpperThreshold"
    LowerThreshold = "LowerThreshold"
    Delta = "Delta"
    Periodic = "Periodic"
    PeriodicClockAligned = "PeriodicClockAligned"


class VariableMonitoringType(Message):
    customData: CustomDataType | None = None
    id: StrictInt
    transaction: StrictBool
    value: Number
    type: MonitorEnumType
    severity: StrictInt


class MonitoringDataType(Message):
    customData: CustomDataType | None = None
    component: ComponentType
    variable: VariableType
    variableMonitoring: Annotated[list[VariableMonitoringType], Field(min_length=1)]


class NotifyMonitoringReportRequest(Message):
    customData: CustomDataType | None = None
    monitor: Annotated[list[MonitoringDataType] | None, Field(min_length=1)] = None
    requestId: StrictInt
    tbc: StrictBool | None = None
    seqNo: StrictInt
    generatedAt: OcppDateTime


class NotifyMonitoringReportResponse(Message):
    customData: CustomDataType | None = None


class MutabilityEnumType(StrEnum):
    ReadOnly = "ReadOnly"
    WriteOnly = "WriteOnly"
    ReadWrite = "ReadWrite"


class VariableAttributeType(Message):
    customData: CustomDataType | None = None
    type: AttributeEnumType | None = None
    value: Annotated[StrictStr | None, Field(max_length=2500)] = None
    mutability: MutabilityEnumType | None = None
    persistent: StrictBool | None = None
    constant: StrictBool | None = None


class DataEnumType(StrEnum):
    string = "string"
    decimal = "decimal"
    integer = "integer"
    dateTime = "dateTime"
    boolean = "boolean"
    OptionList = "OptionList"
    SequenceList = "SequenceList"
    MemberList = "MemberList"


class VariableCharacteristicsType(Message):
    customData: CustomDataType | None = None
    unit: Annotated[StrictStr | None, Field(max_length=16)] = None
    dataType: DataEnumType
    minLimit: Number | None = None
    maxLimit: Number | None = None
    valuesList: Annotated[StrictStr | None, Field(max_length=1000)] = None
    supportsMonitoring: StrictBool


class ReportDataType(Message):
    customData: CustomDataType | None = None
    component: ComponentType
    variable: VariableType
    variableAttribute: Annotated[list[VariableAttributeType], Field(min_length=1, max_length=4)]
    variableCharacteristics: VariableCharacteristicsType | None = None


class NotifyReportRequest(Message):
    customData: CustomDataType | None = None
    requestId: StrictInt
    generatedAt: OcppDateTime
    reportData: Annotated[list[ReportDataType] | None, Field(min_length=1)] = None
    tbc: StrictBool | None = None
    seqNo: StrictInt


class NotifyReportResponse(Message):
    customData: CustomDataType | None = None


class PublishFirmwareRequest(Message):
    customData: CustomDataType | None = None
    location: Annotated[StrictStr, Field(max_length=512)]
    retries: StrictInt | None = None
    checksum: Annotated[StrictStr, Field(max_length=32)]
    requestId: StrictInt
    retryInterval: StrictInt | None = None


class PublishFirmwareResponse(Message):
    customData: CustomDataType | None = None
    status: GenericStatusEnumType
    statusInfo: StatusInfoType | None = None


class PublishFirmwareStatusEnumType(StrEnum):
    Idle = "Idle"
    DownloadScheduled = "DownloadScheduled"
    Downloading = "Downloading"
    Downloaded = "Downloaded"
    Published = "Published"
    DownloadFailed = "DownloadFailed"
    DownloadPaused = "DownloadPaused"
    InvalidChecksum = "InvalidChecksum"
    ChecksumVerified = "ChecksumVerified"
    PublishFailed = "PublishFailed"


class PublishFirmwareStatusNotificationRequest(Message):
    customData: CustomDataType | None = None
    status: PublishFirmwareStatusEnumType
    location: Annotated[list[Annotated[StrictStr, Field(max_length=512)]] | None, Field(min_length=1)] = None
    requestId: StrictInt | None = None


class PublishFirmwareStatusNotificationResponse(Message):
    customData: CustomDataType | None = None


class ChargingProfileKindEnumType(StrEnum):
    Absolute = "Absolute"
    Recurring = "Recurring"
    Relative = "Relative"


class RecurrencyKindEnumType(StrEnum):
    Daily = "Daily"
    Weekly = "Weekly"


class ChargingProfileType(Message):
    customData: CustomDataType | None = None
    id: StrictInt
    stackLevel: StrictInt
    chargingProfilePurpose: ChargingProfilePurposeEnumType
    chargingProfileKind: ChargingProfileKindEnumType
    recurrencyKind: RecurrencyKindEnumType | None = None
    validFrom: OcppDateTime | None = None
    validTo: OcppDateTime | None = None
    chargingSchedule: Annotated[list[ChargingScheduleType], Field(min_length=1, max_length=3)]
    transactionId: Annotated[StrictStr | None, Field(max_length=36)] = None


class ReportChargingProfilesRequest(Message):
    customData: CustomDataType | None = None
    requestId: StrictInt
    chargingLimitSource: ChargingLimitSourceEnumType
    chargingProfile: Annotated[list[ChargingProfileType], Field(min_length=1)]
    tbc: StrictBool | None = None
    evseId: StrictInt


class ReportChargingProfilesResponse(Message):
    customData: CustomDataType | None = None


class RequestStartTransactionRequest(Message):
    customData: CustomDataType | None = None
    evseId: StrictInt | None = None
    groupIdToken: IdTokenType | None = None
    idToken: IdTokenType
    remoteStartId: StrictInt
    chargingProfile: ChargingProfileType | None = None


class RequestStartStopStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class RequestStartTransactionResponse(Message):
    customData: CustomDataType | None = None
    status: RequestStartStopStatusEnumType
    statusInfo: StatusInfoType | None = None
    transactionId: Annotated[StrictStr | None, Field(max_length=36)] = None


class RequestStopTransactionRequest(Message):
    customData: CustomDataType | None = None
    transactionId: Annotated[StrictStr, Field(max_length=36)]


class RequestStopTransactionResponse(Message):
    customData: CustomDataType | None = None
    status: RequestStartStopStatusEnumType
    statusInfo: StatusInfoType | None = None


class ReservationUpdateStatusEnumType(StrEnum):
    Expired = "Expired"
    Removed = "Removed"


class ReservationStatusUpdateRequest(Message):
    customData: CustomDataType | None = None
    reservationId: StrictInt
    reservationUpdateStatus: ReservationUpdateStatusEnumType


class ReservationStatusUpdateResponse(Message):
    customData: CustomDataType | None = None


class ConnectorEnumType(StrEnum):
    cCCS1 = "cCCS1"
    cCCS2 = "cCCS2"
    cG105 = "cG105"
    cTesla = "cTesla"
    cType1 = "cType1"
    cType2 = "cType2"
    s309_1P_16A = "s309-1P-16A"
    s309_1P_32A = "s309-1P-32A"
    s309_3P_16A = "s309-3P-16A"
    s309_3P_32A = "s309-3P-32A"
    sBS1361 = "sBS1361"
    sCEE_7_7 = "sCEE-7-7"
    sType2 = "sType2"
    sType3 = "sType3"
    Other1PhMax16A = "Other1PhMax16A"
    Other1PhOver16A = "Other1PhOver16A"
    Other3Ph = "Other3Ph"
    Pan = "Pan"
    wInductive = "wInductive"
    wResonant = "wResonant"
    Undetermined = "Undetermined"
    Unknown = "Unknown"


class ReserveNowRequest(Message):
    customData: CustomDataType | None = None
    id: StrictInt
    expiryDateTime: OcppDateTime
    connectorType: ConnectorEnumType | None = None
    idToken: IdTokenType
    evseId: StrictInt | None = None
    groupIdToken: IdTokenType | None = None


class ReserveNowStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Faulted = "Faulted"
    Occupied = "Occupied"
    Rejected = "Rejected"
    Unavailable = "Unavailable"


class ReserveNowResponse(Message):
    customData: CustomDataType | None = None
    status: ReserveNowStatusEnumType
    statusInfo: StatusInfoType | None = None


class ResetEnumType(StrEnum):
    Immediate = "Immediate"
    OnIdle = "OnIdle"


class ResetRequest(Message):
    customData: CustomDataType | None = None
    type: ResetEnumType
    evseId: StrictInt | None = None


class ResetStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    Scheduled = "Scheduled"


class ResetResponse(Message):
    customData: CustomDataType | None = None
    status: ResetStatusEnumType
    statusInfo: StatusInfoType | None = None


class SecurityEventNotificationRequest(Message):
    customData: CustomDataType | None = None
    type: Annotated[StrictStr, Field(max_length=50)]
    timestamp: OcppDateTime
    techInfo: Annotated[StrictStr | None, Field(max_length=255)] = None


class SecurityEventNotificationResponse(Message):
    customData: CustomDataType | None = None


class AuthorizationData(Message):
    customData: CustomDataType | None = None
    idToken: IdTokenType
    idTokenInfo: IdTokenInfoType | None = None


class UpdateEnumType(StrEnum):
    Differential = "Differential"
    Full = "Full"


class SendLocalListRequest(Message):
    customData: CustomDataType | None = None
    localAuthorizationList: Annotated[list[AuthorizationData] | None, Field(min_length=1)] = None
    versionNumber: StrictInt
    updateType: UpdateEnumType


class SendLocalListStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Failed = "Failed"
    VersionMismatch = "VersionMismatch"


class SendLocalListResponse(Message):
    customData: CustomDataType | None = None
    status: SendLocalListStatusEnumType
    statusInfo: StatusInfoType | None = None


class SetChargingProfileRequest(Message):
    customData: CustomDataType | None = None
    evseId: StrictInt
    chargingProfile: ChargingProfileType


class ChargingProfileStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"


class SetChargingProfileResponse(Message):
    customData: CustomDataType | None = None
    status: ChargingProfileStatusEnumType
    statusInfo: StatusInfoType | None = None


class SetDisplayMessageRequest(Message):
    customData: CustomDataType | None = None
    message: MessageInfoType


class DisplayMessageStatusEnumType(StrEnum):
    Accepted = "Accepted"
    NotSupportedMessageFormat = "NotSupportedMessageFormat"
    Rejected = "Rejected"
    NotSupportedPriority = "NotSupportedPriority"
    NotSupportedState = "NotSupportedState"
    UnknownTransaction = "UnknownTransaction"


class SetDisplayMessageResponse(Message):
    customData: CustomDataType | None = None
    status: DisplayMessageStatusEnumType
    statusInfo: StatusInfoType | None = None


class MonitoringBaseEnumType(StrEnum):
    All = "All"
    FactoryDefault = "FactoryDefault"
    HardWiredOnly = "HardWiredOnly"


class SetMonitoringBaseRequest(Message):
    customData: CustomDataType | None = None
    monitoringBase: MonitoringBaseEnumType


class SetMonitoringBaseResponse(Message):
    customData: CustomDataType | None = None
    status: GenericDeviceModelStatusEnumType
    statusInfo: StatusInfoType | None = None


class SetMonitoringLevelRequest(Message):
    customData: CustomDataType | None = None
    severity: StrictInt


class SetMonitoringLevelResponse(Message):
    customData: CustomDataType | None = None
    status: GenericStatusEnumType
    statusInfo: StatusInfoType | None = None


class APNAuthenticationEnumType(StrEnum):
    CHAP = "CHAP"
    NONE = "NONE"
    PAP = "PAP"
    AUTO = "AUTO"


class APNType(Message):
    customData: CustomDataType | None = None
    apn: Annotated[StrictStr, Field(max_length=512)]
    apnUserName: Annotated[StrictStr | None, Field(max_length=20)] = None
    apnPassword: Annotated[StrictStr | None, Field(max_length=20)] = None
    simPin: StrictInt | None = None
    preferredNetwork: Annotated[StrictStr | None, Field(max_length=6)] = None
    useOnlyPreferredNetwork: StrictBool | None = None
    apnAuthentication: APNAuthenticationEnumType


class OCPPVersionEnumType(StrEnum):
    OCPP12 = "OCPP12"
    OCPP15 = "OCPP15"
    OCPP16 = "OCPP16"
    OCPP20 = "OCPP20"


class OCPPTransportEnumType(StrEnum):
    JSON = "JSON"
    SOAP = "SOAP"


class OCPPInterfaceEnumType(StrEnum):
    Wired0 = "Wired0"
    Wired1 = "Wired1"
    Wired2 = "Wired2"
    Wired3 = "Wired3"
    Wireless0 = "Wireless0"
    Wireless1 = "Wireless1"
    Wireless2 = "Wireless2"
    Wireless3 = "Wireless3"


class VPNEnumType(StrEnum):
    IKEv2 = "IKEv2"
    IPSec = "IPSec"
    L2TP = "L2TP"
    PPTP = "PPTP"


class VPNType(Message):
    customData: CustomDataType | None = None
    server: Annotated[StrictStr, Field(max_length=512)]
    user: Annotated[StrictStr, Field(max_length=20)]
    group: Annotated[StrictStr | None, Field(max_length=20)] = None
    password: Annotated[StrictStr, Field(max_length=20)]
    key: Annotated[StrictStr, Field(max_length=255)]
    type: VPNEnumType


class NetworkConnectionProfileType(Message):
    customData: CustomDataType | None = None
    apn: APNType | None = None
    ocppVersion: OCPPVersionEnumType
    ocppTransport: OCPPTransportEnumType
    ocppCsmsUrl: Annotated[StrictStr, Field(max_length=512)]
    messageTimeout: StrictInt
    securityProfile: StrictInt
    ocppInterface: OCPPInterfaceEnumType
    vpn: VPNType | None = None


class SetNetworkProfileRequest(Message):
    customData: CustomDataType | None = None
    configurationSlot: StrictInt
    connectionData: NetworkConnectionProfileType


class SetNetworkProfileStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    Failed = "Failed"


class SetNetworkProfileResponse(Message):
    customData: CustomDataType | None = None
    status: SetNetworkProfileStatusEnumType
    statusInfo: StatusInfoType | None = None


class SetMonitoringDataType(Message):
    customData: CustomDataType | None = None
    id: StrictInt | None = None
    transaction: StrictBool | None = None
    value: Number
    type: MonitorEnumType
    severity: StrictInt
    component: ComponentType
    variable: VariableType


class SetVariableMonitoringRequest(Message):
    customData: CustomDataType | None = None
    setMonitoringData: Annotated[list[SetMonitoringDataType], Field(min_length=1)]


class SetMonitoringStatusEnumType(StrEnum):
    Accepted = "Accepted"
    UnknownComponent = "UnknownComponent"
    UnknownVariable = "UnknownVariable"
    UnsupportedMonitorType = "UnsupportedMonitorType"
    Rejected = "Rejected"
    Duplicate = "Duplicate"


class SetMonitoringResultType(Message):
    customData: CustomDataType | None = None
    id: StrictInt | None = None
    statusInfo: StatusInfoType | None = None
    status: SetMonitoringStatusEnumType
    type: MonitorEnumType
    component: ComponentType
    variable: VariableType
    severity: StrictInt


class SetVariableMonitoringResponse(Message):
    customData: CustomDataType | None = None
    setMonitoringResult: Annotated[list[SetMonitoringResultType], Field(min_length=1)]


class SetVariableDataType(Message):
    customData: CustomDataType | None = None
    attributeType: AttributeEnumType | None = None
    attributeValue: Annotated[StrictStr, Field(max_length=1000)]
    component: ComponentType
    variable: VariableType


class SetVariablesRequest(Message):
    customData: CustomDataType | None = None
    setVariableData: Annotated[list[SetVariableDataType], Field(min_length=1)]


class SetVariableStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    UnknownComponent = "UnknownComponent"
    UnknownVariable = "UnknownVariable"
    NotSupportedAttributeType = "NotSupportedAttributeType"
    RebootRequired = "RebootRequired"


class SetVariableResultType(Message):
    customData: CustomDataType | None = None
    attributeType: AttributeEnumType | None = None
    attributeStatus: SetVariableStatusEnumType
    attributeStatusInfo: StatusInfoType | None = None
    component: ComponentType
    variable: VariableType


class SetVariablesResponse(Message):
    customData: CustomDataType | None = None
    setVariableResult: Annotated[list[SetVariableResultType], Field(min_length=1)]


class SignCertificateRequest(Message):
    customData: CustomDataType | None = None
    csr: Annotated[StrictStr, Field(max_length=5500)]
    certificateType: CertificateSigningUseEnumType | None = None


class SignCertificateResponse(Message):
    customData: CustomDataType | None = None
    status: GenericStatusEnumType
    statusInfo: StatusInfoType | None = None


class ConnectorStatusEnumType(StrEnum):
    Available = "Available"
    Occupied = "Occupied"
    Reserved = "Reserved"
    Unavailable = "Unavailable"
    Faulted = "Faulted"


class StatusNotificationRequest(Message):
    customData: CustomDataType | None = None
    timestamp: OcppDateTime
    connectorStatus: ConnectorStatusEnumType
    evseId: StrictInt
    connectorId: StrictInt


class StatusNotificationResponse(Message):
    customData: CustomDataType | None = None


class TransactionEventEnumType(StrEnum):
    Ended = "Ended"
    Started = "Started"
    Updated = "Updated"


class TriggerReasonEnumType(StrEnum):
    Authorized = "Authorized"
    CablePluggedIn = "CablePluggedIn"
    ChargingRateChanged = "ChargingRateChanged"
    ChargingStateChanged = "ChargingStateChanged"
    Deauthorized = "Deauthorized"
    EnergyLimitReached = "EnergyLimitReached"
    EVCommunicationLost = "EVCommunicationLost"
    EVConnectTimeout = "EVConnectTimeout"
    MeterValueClock = "MeterValueClock"
    MeterValuePeriodic = "MeterValuePeriodic"
    TimeLimitReached = "TimeLimitReached"
    Trigger = "Trigger"
    UnlockCommand = "UnlockCommand"
    StopAuthorized = "StopAuthorized"
    EVDeparted = "EVDeparted"
    EVDetected = "EVDetected"
    RemoteStop = "RemoteStop"
    RemoteStart = "RemoteStart"
    AbnormalCondition = "AbnormalCondition"
    SignedDataReceived = "SignedDataReceived"
    ResetCommand = "ResetCommand"


class ChargingStateEnumType(StrEnum):
    Charging = "Charging"
    EVConnected = "EVConnected"
    SuspendedEV = "SuspendedEV"
    SuspendedEVSE = "SuspendedEVSE"
    Idle = "Idle"


class ReasonEnumType(StrEnum):
    DeAuthorized = "DeAuthorized"
    EmergencyStop = "EmergencyStop"
    EnergyLimitReached = "EnergyLimitReached"
    EVDisconnected = "EVDisconnected"
    GroundFault = "GroundFault"
    ImmediateReset = "ImmediateReset"
    Local = "Local"
    LocalOutOfCredit = "LocalOutOfCredit"
    MasterPass = "MasterPass"
    Other = "Other"
    OvercurrentFault = "OvercurrentFault"
    PowerLoss = "PowerLoss"
    PowerQuality = "PowerQuality"
    Reboot = "Reboot"
    Remote = "Remote"
    SOCLimitReached = "SOCLimitReached"
    StoppedByEV = "StoppedByEV"
    TimeLimitReached = "TimeLimitReached"
    Timeout = "Timeout"


class TransactionType(Message):
    customData: CustomDataType | None = None
    transactionId: Annotated[StrictStr, Field(max_length=36)]
    chargingState: ChargingStateEnumType | None = None
    timeSpentCharging: StrictInt | None = None
    stoppedReason: ReasonEnumType | None = None
    remoteStartId: StrictInt | None = None


class TransactionEventRequest(Message):
    customData: CustomDataType | None = None
    eventType: TransactionEventEnumType
    meterValue: Annotated[list[MeterValueType] | None, Field(min_length=1)] = None
    timestamp: OcppDateTime
    triggerReason: TriggerReasonEnumType
    seqNo: StrictInt
    offline: StrictBool | None = None
    numberOfPhasesUsed: StrictInt | None = None
    cableMaxCurrent: StrictInt | None = None
    reservationId: StrictInt | None = None
    transactionInfo: TransactionType
    evse: EVSEType | None = None
    idToken: IdTokenType | None = None


class TransactionEventResponse(Message):
    customData: CustomDataType | None = None
    totalCost: Number | None = None
    chargingPriority: StrictInt | None = None
    idTokenInfo: IdTokenInfoType | None = None
    updatedPersonalMessage: MessageContentType | None = None


class MessageTriggerEnumType(StrEnum):
    BootNotification = "BootNotification"
    LogStatusNotification = "LogStatusNotification"
    FirmwareStatusNotification = "FirmwareStatusNotification"
    Heartbeat = "Heartbeat"
    MeterValues = "MeterValues"
    SignChargingStationCertificate = "SignChargingStationCertificate"
    SignV2GCertificate = "SignV2GCertificate"
    StatusNotification = "StatusNotification"
    TransactionEvent = "TransactionEvent"
    SignCombinedCertificate = "SignCombinedCertificate"
    PublishFirmwareStatusNotification = "PublishFirmwareStatusNotification"


class TriggerMessageRequest(Message):
    customData: CustomDataType | None = None
    evse: EVSEType | None = None
    requestedMessage: MessageTriggerEnumType


class TriggerMessageStatusEnumType(StrEnum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    NotImplemented = "NotImplemented"


class TriggerMessageResponse(Message):
    customData: CustomDataType | None = None
    status: TriggerMessageStatusEnumType
    statusInfo: StatusInfoType | None = None


class UnlockConnectorRequest(Message):
    customData: CustomDataType | None = None
    evseId: StrictInt
    connectorId: StrictInt


class UnlockStatusEnumType(StrEnum):
    Unlocked = "Unlocked"
    UnlockFailed = "UnlockFailed"
    OngoingAuthorizedTransaction = "OngoingAuthorizedTransaction"
    UnknownConnector = "UnknownConnector"


class UnlockConnectorResponse(Message):
    customData: CustomDataType | None = None
    status: UnlockStatusEnumType
    statusInfo: StatusInfoType | None = None


class UnpublishFirmwareRequest(Message):
    customData: CustomDataType | None = None
    checksum: Annotated[StrictStr, Field(max_length=32)]


class UnpublishFirmwareStatusEnumType(StrEnum):
    DownloadOngoing = "DownloadOngoing"
    NoFirmware = "NoFirmware"
    Unpublished = "Unpublished"


class UnpublishFirmwareResponse(Message):
    customData: CustomDataType | None = None
    status: UnpublishFirmwareStatusEnumType


class FirmwareType(Message):
    customData: CustomDataType | None = None
    location: Annotated[StrictStr, Field(max_length=512)]
    retrieveDateTime: OcppDateTime
    installDateTime: OcppDateTime | None = None
    signingCertificate: Annotated[StrictStr | None, Field(max_length=5500)] = None
    signature: Annotated[StrictStr | None, Field(max_length=800)] = None


class UpdateFirmwareRequest(Message):
    customData: CustomDataType | None = None
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


class UpdateFirmwareResponse(Message):
    customData: CustomDataType | None = None
    status: UpdateFirmwareStatusEnumType
    statusInfo: StatusInfoType | None = None


REQUESTS: dict[str, type[Message]] = {
    "Authorize": AuthorizeRequest,
    "BootNotification": BootNotificationRequest,
    "CancelReservation": CancelReservationRequest,
    "CertificateSigned": CertificateSignedRequest,
    "ChangeAvailability": ChangeAvailabilityRequest,
    "ClearCache": ClearCacheRequest,
    "ClearChargingProfile": ClearChargingProfileRequest,
    "ClearDisplayMessage": ClearDisplayMessageRequest,
    "ClearVariableMonitoring": ClearVariableMonitoringRequest,
    "ClearedChargingLimit": ClearedChargingLimitRequest,
    "CostUpdated": CostUpdatedRequest,
    "CustomerInformation": CustomerInformationRequest,
    "DataTransfer": DataTransferRequest,
    "DeleteCertificate": DeleteCertificateRequest,
    "FirmwareStatusNotification": FirmwareStatusNotificationRequest,
    "Get15118EVCertificate": Get15118EVCertificateRequest,
    "GetBaseReport": GetBaseReportRequest,
    "GetCertificateStatus": GetCertificateStatusRequest,
    "GetChargingProfiles": GetChargingProfilesRequest,
    "GetCompositeSchedule": GetCompositeScheduleRequest,
    "GetDisplayMessages": GetDisplayMessagesRequest,
    "GetInstalledCertificateIds": GetInstalledCertificateIdsRequest,
    "GetLocalListVersion": GetLocalListVersionRequest,
    "GetLog": GetLogRequest,
    "GetMonitoringReport": GetMonitoringReportRequest,
    "GetReport": GetReportRequest,
    "GetTransactionStatus": GetTransactionStatusRequest,
    "GetVariables": GetVariablesRequest,
    "Heartbeat": HeartbeatRequest,
    "InstallCertificate": InstallCertificateRequest,
    "LogStatusNotification": LogStatusNotificationRequest,
    "MeterValues": MeterValuesRequest,
    "NotifyChargingLimit": NotifyChargingLimitRequest,
    "NotifyCustomerInformation": NotifyCustomerInformationRequest,
    "NotifyDisplayMessages": NotifyDisplayMessagesRequest,
    "NotifyEVChargingNeeds": NotifyEVChargingNeedsRequest,
    "NotifyEVChargingSchedule": NotifyEVChargingScheduleRequest,
    "NotifyEvent": NotifyEventRequest,
    "NotifyMonitoringReport": NotifyMonitoringReportRequest,
    "NotifyReport": NotifyReportRequest,
    "PublishFirmware": PublishFirmwareRequest,
    "PublishFirmwareStatusNotification": PublishFirmwareStatusNotificationRequest,
    "ReportChargingProfiles": ReportChargingProfilesRequest,
    "RequestStartTransaction": RequestStartTransactionRequest,
    "RequestStopTransaction": RequestStopTransactionRequest,
    "ReservationStatusUpdate": ReservationStatusUpdateRequest,
    "ReserveNow": ReserveNowRequest,
    "Reset": ResetRequest,
    "SecurityEventNotification": SecurityEventNotificationRequest,
    "SendLocalList": SendLocalListRequest,
    "SetChargingProfile": SetChargingProfileRequest,
    "SetDisplayMessage": SetDisplayMessageRequest,
    "SetMonitoringBase": SetMonitoringBaseRequest,
    "SetMonitoringLevel": SetMonitoringLevelRequest,
    "SetNetworkProfile": SetNetworkProfileRequest,
    "SetVariableMonitoring": SetVariableMonitoringRequest,
    "SetVariables": SetVariablesRequest,
    "SignCertificate": SignCertificateRequest,
    "StatusNotification": StatusNotificationRequest,
    "TransactionEvent": TransactionEventRequest,
    "TriggerMessage": TriggerMessageRequest,
    "UnlockConnector": UnlockConnectorRequest,
    "UnpublishFirmware": UnpublishFirmwareRequest,
    "UpdateFirmware": UpdateFirmwareRequest,
}

RESPONSES: dict[str, type[Message]] = {
    "Authorize": AuthorizeResponse,
    "BootNotification": BootNotificationResponse,
    "CancelReservation": CancelReservationResponse,
    "CertificateSigned": CertificateSignedResponse,
    "ChangeAvailability": ChangeAvailabilityResponse,
    "ClearCache": ClearCacheResponse,
    "ClearChargingProfile": ClearChargingProfileResponse,
    "ClearDisplayMessage": ClearDisplayMessageResponse,
    "ClearVariableMonitoring": ClearVariableMonitoringResponse,
    "ClearedChargingLimit": ClearedChargingLimitResponse,
    "CostUpdated": CostUpdatedResponse,
    "CustomerInformation": CustomerInformationResponse,
    "DataTransfer": DataTransferResponse,
    "DeleteCertificate": DeleteCertificateResponse,
    "FirmwareStatusNotification": FirmwareStatusNotificationResponse,
    "Get15118EVCertificate": Get15118EVCertificateResponse,
    "GetBaseReport": GetBaseReportResponse,
    "GetCertificateStatus": GetCertificateStatusResponse,
    "GetChargingProfiles": GetChargingProfilesResponse,
    "GetCompositeSchedule": GetCompositeScheduleResponse,
    "GetDisplayMessages": GetDisplayMessagesResponse,
    "GetInstalledCertificateIds": GetInstalledCertificateIdsResponse,
    "GetLocalListVersion": GetLocalListVersionResponse,
    "GetLog": GetLogResponse,
    "GetMonitoringReport": GetMonitoringReportResponse,
    "GetReport": GetReportResponse,
    "GetTransactionStatus": GetTransactionStatusResponse,
    "GetVariables": GetVariablesResponse,
    "Heartbeat": HeartbeatResponse,
    "InstallCertificate": InstallCertificateResponse,
    "LogStatusNotification": LogStatusNotificationResponse,
    "MeterValues": MeterValuesResponse,
    "NotifyChargingLimit": NotifyChargingLimitResponse,
    "NotifyCustomerInformation": NotifyCustomerInformationResponse,
    "NotifyDisplayMessages": NotifyDisplayMessagesResponse,
    "NotifyEVChargingNeeds": NotifyEVChargingNeedsResponse,
    "NotifyEVChargingSchedule": NotifyEVChargingScheduleResponse,
    "NotifyEvent": NotifyEventResponse,
    "NotifyMonitoringReport": NotifyMonitoringReportResponse,
    "NotifyReport": NotifyReportResponse,
    "PublishFirmware": PublishFirmwareResponse,
    "PublishFirmwareStatusNotification": PublishFirmwareStatusNotificationResponse,
    "ReportChargingProfiles": ReportChargingProfilesResponse,
    "RequestStartTransaction": RequestStartTransactionResponse,
    "RequestStopTransaction": RequestStopTransactionResponse,
    "ReservationStatusUpdate": ReservationStatusUpdateResponse,
    "ReserveNow": ReserveNowResponse,
    "Reset": ResetResponse,
    "SecurityEventNotification": SecurityEventNotificationResponse,
    "SendLocalList": SendLocalListResponse,
    "SetChargingProfile": SetChargingProfileResponse,
    "SetDisplayMessage": SetDisplayMessageResponse,
    "SetMonitoringBase": SetMonitoringBaseResponse,
    "SetMonitoringLevel": SetMonitoringLevelResponse,
    "SetNetworkProfile": SetNetworkProfileResponse,
    "SetVariableMonitoring": SetVariableMonitoringResponse,
    "SetVariables": SetVariablesResponse,
    "SignCertificate": SignCertificateResponse,
    "StatusNotification": StatusNotificationResponse,
    "TransactionEvent": TransactionEventResponse,
    "TriggerMessage": TriggerMessageResponse,
    "UnlockConnector": UnlockConnectorResponse,
    "UnpublishFirmware": UnpublishFirmwareResponse,
    "UpdateFirmware": UpdateFirmwareResponse,
}
