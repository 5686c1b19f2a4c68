"""The translation tables under mappings/: loaded once at start-up and checked against the enums
and actions they name, so a typo fails at boot rather than on a live charger.

Installed as a wheel the tables are the package `bridge.mappings`; in a source checkout they are
read from the top-level `mappings/` folder.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bridge.models import v16, v201

if TYPE_CHECKING:
    from bridge.repair import RepairTable


class TableError(ValueError):
    """A table under mappings/ is malformed or names something that does not exist."""


def mappings_dir() -> Traversable:
    try:
        return resources.files("bridge.mappings")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "mappings"


def read_table(name: str) -> dict[str, Any]:
    path = mappings_dir() / name
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TableError(f"mappings/{name}: {exc}") from exc


def _check(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise TableError(f"mappings/{where}: {message}")


@dataclass(frozen=True)
class ErrorTable:
    v16_to_v201: dict[str, str]
    v201_to_v16: dict[str, str]
    v16_codes: frozenset[str]
    v201_codes: frozenset[str]
    reasons: dict[str, dict[str, str]]
    validation_errors: dict[str, str]


@dataclass(frozen=True)
class TriggerTable:
    plain: dict[v201.MessageTriggerEnumType, v16.TriggerMessageRequestRequestedMessage]
    extended: dict[v201.MessageTriggerEnumType, v16.MessageTriggerEnumType]
    not_expressible: dict[v201.MessageTriggerEnumType, str]
    emulated: dict[v201.MessageTriggerEnumType, v16.TriggerMessageRequestRequestedMessage]
    triggered_action: dict[str, str]  # 1.6 requestedMessage -> the 1.6 action the station then sends
    uses_evse: frozenset[v201.MessageTriggerEnumType]


@dataclass(frozen=True)
class MeteringTable:
    units: dict[v16.MeterValuesRequestMeterValueSampledValueUnit, str]
    measurands: dict[v16.MeterValuesRequestMeterValueSampledValueMeasurand, v201.MeasurandEnumType | None]
    diagnostics_status: dict[v16.DiagnosticsStatusNotificationRequestStatus, v201.UploadLogStatusEnumType]
    firmware_status: dict[v16.FirmwareStatusNotificationRequestStatus, v201.FirmwareStatusEnumType]


@dataclass(frozen=True)
class TransactionTable:
    stop_reason: dict[
        v16.StopTransactionRequestReason, tuple[v201.ReasonEnumType, v201.TriggerReasonEnumType]
    ]
    charging_state: dict[v16.StatusNotificationRequestStatus, v201.ChargingStateEnumType]
    meter_trigger: dict[v16.MeterValuesRequestMeterValueSampledValueContext, v201.TriggerReasonEnumType]


def _load_transactions() -> TransactionTable:
    raw = read_table("transactions.toml")
    where = "transactions.toml"
    stop: dict[v16.StopTransactionRequestReason, tuple[v201.ReasonEnumType, v201.TriggerReasonEnumType]] = {}
    for key, pair in raw["stop_reason"].items():
        try:
            stop[v16.StopTransactionRequestReason(key)] = (
                v201.ReasonEnumType(pair[0]),
                v201.TriggerReasonEnumType(pair[1]),
            )
        except (ValueError, IndexError) as exc:
            raise TableError(f"mappings/{where}: stop_reason.{key} = {pair!r}: {exc}") from exc
    missing = set(v16.StopTransactionRequestReason) - set(stop)
    _check(not missing, where, f"stop_reason has no row for {sorted(m.value for m in missing)}")
    return TransactionTable(
        stop_reason=stop,
        charging_state=enum_map(
            raw["charging_state"],
            where,
            v16.StatusNotificationRequestStatus,
            v201.ChargingStateEnumType,
            complete=False,
        ),
        meter_trigger=enum_map(
            raw["meter_trigger"],
            where,
            v16.MeterValuesRequestMeterValueSampledValueContext,
            v201.TriggerReasonEnumType,
            complete=False,
        ),
    )


@dataclass(frozen=True)
class Tables:
    errors: ErrorTable
    connector_status: dict[v16.StatusNotificationRequestStatus, v201.ConnectorStatusEnumType]
    same_shape_up: frozenset[str]
    same_shape_down: frozenset[str]
    triggers: TriggerTable
    metering: MeteringTable
    authorization_status: dict[v201.AuthorizationStatusEnumType, v16.AuthorizeResponseIdTagInfoStatus]
    transactions: TransactionTable
    hints: dict[str, str]  # a rejected value -> a hint for the sender (e.g. a name 2.0.1 changed)
    commands: CommandTable
    configuration: ConfigurationTable
    repairs: RepairTable  # mappings/repairs.toml (bridge/repair.py)
    certificates: CertificateTable


def _load_errors() -> ErrorTable:
    raw = read_table("errors.toml")
    v16_codes = frozenset(raw["codes"]["v16"])
    v201_codes = frozenset(raw["codes"]["v201"])
    for source, target in raw["v16_to_v201"].items():
        _check(target in v201_codes, "errors.toml", f"v16_to_v201.{source} = {target!r} is no 2.0.1 code")
    for source, target in raw["v201_to_v16"].items():
        _check(target in v16_codes, "errors.toml", f"v201_to_v16.{source} = {target!r} is no 1.6 code")
    for reason, codes in raw["reasons"].items():
        _check(set(codes) == {"v16", "v201"}, "errors.toml", f"reasons.{reason} needs v16 and v201")
        _check(codes["v16"] in v16_codes, "errors.toml", f"reasons.{reason}.v16 {codes['v16']!r} unknown")
        _check(codes["v201"] in v201_codes, "errors.toml", f"reasons.{reason}.v201 {codes['v201']!r} unknown")
    for kind, reason in raw["validation_errors"].items():
        _check(reason in raw["reasons"], "errors.toml", f"validation_errors.{kind}: no reason {reason!r}")
    return ErrorTable(
        v16_to_v201=dict(raw["v16_to_v201"]),
        v201_to_v16=dict(raw["v201_to_v16"]),
        v16_codes=v16_codes,
        v201_codes=v201_codes,
        reasons={k: dict(v) for k, v in raw["reasons"].items()},
        validation_errors=dict(raw["validation_errors"]),
    )


def enum_map(
    table: dict[str, str],
    where: str,
    source: type,
    target: type,
    *,
    complete: bool = True,
    empty_is_none: bool = False,
) -> dict[Any, Any]:
    """Check a {source value: target value} table against two enums and return it as enum members.

    complete: every source value must be mapped. empty_is_none: "" maps to None (no counterpart).
    """
    out = {}
    for key, value in table.items():
        try:
            out[source(key)] = None if (empty_is_none and value == "") else target(value)
        except ValueError as exc:
            raise TableError(f"mappings/{where}: {key!r} -> {value!r}: {exc}") from exc
    missing = set(source) - set(out)
    _check(not (complete and missing), where, f"no mapping for {sorted(m.value for m in missing)}")
    return out


def _load_triggers() -> TriggerTable:
    raw = read_table("triggers.toml")
    where = "triggers.toml"
    plain = enum_map(
        raw["plain"],
        where,
        v201.MessageTriggerEnumType,
        v16.TriggerMessageRequestRequestedMessage,
        complete=False,
    )
    extended = enum_map(
        raw["extended"], where, v201.MessageTriggerEnumType, v16.MessageTriggerEnumType, complete=False
    )
    refused = enum_map(raw["not_expressible"], where, v201.MessageTriggerEnumType, str, complete=False)
    emulated = enum_map(
        raw.get("emulated", {}),
        where,
        v201.MessageTriggerEnumType,
        v16.TriggerMessageRequestRequestedMessage,
        complete=False,
    )
    for value, text in refused.items():
        _check(value not in plain and value not in extended, where, f"{value} is both sent and refused")
        _check(len(text) <= 512, where, f"not_expressible.{value}: additionalInfo longer than 512")
    missing = set(v201.MessageTriggerEnumType) - set(plain) - set(extended) - set(refused) - set(emulated)
    _check(not missing, where, f"no row for {sorted(m.value for m in missing)}")
    triggered = dict(raw["triggered_action"])
    for name in [*plain.values(), *extended.values()]:
        _check(name.value in triggered, where, f"triggered_action has no row for {name.value}")
    for action in triggered.values():
        _check(action in v16.REQUESTS, where, f"triggered_action: {action!r} is no 1.6 action")
    uses_evse = frozenset(v201.MessageTriggerEnumType(v) for v in raw["connector"]["uses_evse"])
    return TriggerTable(plain, extended, refused, emulated, triggered, uses_evse)


def _load_metering() -> MeteringTable:
    raw = read_table("metering.toml")
    where = "metering.toml"
    return MeteringTable(
        units=enum_map(raw["units"], where, v16.MeterValuesRequestMeterValueSampledValueUnit, str),
        measurands=enum_map(
            raw["measurands"],
            where,
            v16.MeterValuesRequestMeterValueSampledValueMeasurand,
            v201.MeasurandEnumType,
            empty_is_none=True,
        ),
        diagnostics_status=enum_map(
            raw["diagnostics_status"],
            where,
            v16.DiagnosticsStatusNotificationRequestStatus,
            v201.UploadLogStatusEnumType,
        ),
        firmware_status=enum_map(
            raw["firmware_status"],
            where,
            v16.FirmwareStatusNotificationRequestStatus,
            v201.FirmwareStatusEnumType,
        ),
    )


@dataclass(frozen=True)
class CommandTable:
    """Values of the CSMS's commands that differ in 1.6: mappings/commands.toml, smart_charging.toml
    and local_list.toml (bridge/translate/commands.py, smart_charging.py, local_list.py)."""

    reset_type: dict[v201.ResetEnumType, v16.ResetRequestType]
    unlock_status: dict[v16.UnlockConnectorResponseStatus, v201.UnlockStatusEnumType]
    # None: 1.6 has no such purpose
    profile_purpose: dict[
        v201.ChargingProfilePurposeEnumType,
        v16.SetChargingProfileRequestCsChargingProfilesChargingProfilePurpose | None,
    ]
    profile_status: dict[v16.SetChargingProfileResponseStatus, v201.ChargingProfileStatusEnumType]
    local_list_status: dict[v16.SendLocalListResponseStatus, v201.SendLocalListStatusEnumType]


def _load_commands() -> CommandTable:
    commands = read_table("commands.toml")
    charging = read_table("smart_charging.toml")
    return CommandTable(
        reset_type=enum_map(
            commands["reset_type"], "commands.toml", v201.ResetEnumType, v16.ResetRequestType
        ),
        unlock_status=enum_map(
            commands["unlock_status"],
            "commands.toml",
            v16.UnlockConnectorResponseStatus,
            v201.UnlockStatusEnumType,
        ),
        profile_purpose=enum_map(
            charging["purpose"],
            "smart_charging.toml",
            v201.ChargingProfilePurposeEnumType,
            v16.SetChargingProfileRequestCsChargingProfilesChargingProfilePurpose,
            empty_is_none=True,
        ),
        profile_status=enum_map(
            charging["profile_status"],
            "smart_charging.toml",
            v16.SetChargingProfileResponseStatus,
            v201.ChargingProfileStatusEnumType,
        ),
        local_list_status=enum_map(
            read_table("local_list.toml")["send_status"],
            "local_list.toml",
            v16.SendLocalListResponseStatus,
            v201.SendLocalListStatusEnumType,
        ),
    )


@dataclass(frozen=True)
class CertificateTable:
    """mappings/certificates.toml (bridge/translate/certificates.py); None: no 1.6 counterpart."""

    install_use: dict[v201.InstallCertificateUseEnumType, v16.CertificateUseEnumType | None]
    id_use: dict[v201.GetCertificateIdUseEnumType, v16.CertificateUseEnumType | None]


def _load_certificates() -> CertificateTable:
    raw = read_table("certificates.toml")
    where = "certificates.toml"
    return CertificateTable(
        install_use=enum_map(
            raw["install_use"],
            where,
            v201.InstallCertificateUseEnumType,
            v16.CertificateUseEnumType,
            empty_is_none=True,
        ),
        id_use=enum_map(
            raw["id_use"],
            where,
            v201.GetCertificateIdUseEnumType,
            v16.CertificateUseEnumType,
            empty_is_none=True,
        ),
    )


@dataclass(frozen=True)
class ConfigVariable:
    """A 2.0.1 variable the bridge can answer for: a 1.6 configuration key, or a value of its own."""

    component: str
    variable: str
    instance: str | None  # the variable's instance
    data_type: v201.DataEnumType
    key: str | None = None  # the 1.6 configuration key
    value: str | None = None  # answered by the bridge itself (read-only) when there is no key


@dataclass(frozen=True)
class ConfigurationTable:
    """mappings/configuration.toml (bridge/translate/configuration.py)."""

    vendor_component: str  # every 1.6 key by its raw name, as a variable of this component
    variables: dict[tuple[str, str, str | None], ConfigVariable]  # (component, variable, instance)
    by_key: dict[str, ConfigVariable]  # 1.6 key, lower case (1.6 keys are case-insensitive)
    components: frozenset[str]
    change_status: dict[v16.ChangeConfigurationResponseStatus, v201.SetVariableStatusEnumType]


def _config_variable(at: str, row: Any, key: str | None) -> ConfigVariable:
    where = "configuration.toml"
    allowed = {"component", "variable", "instance", "type"} | ({"value"} if key is None else set())
    _check(isinstance(row, dict) and set(row) <= allowed, where, f"{at}: fields are {sorted(allowed)}")
    names = [row.get("component"), row.get("variable"), row.get("instance", "-")]
    _check(all(isinstance(n, str) and 0 < len(n) <= 50 for n in names), where, f"{at}: names of 1-50 chars")
    try:
        data_type = v201.DataEnumType(row.get("type"))
    except ValueError as exc:
        raise TableError(f"mappings/{where}: {at}.type: {exc}") from exc
    value = row.get("value")
    if key is None:
        _check(isinstance(value, str) and len(value) <= 2500, where, f"{at}: value must be a string")
    else:
        _check(0 < len(key) <= 50, where, f"keys.{key}: a 1.6 key has 1 to 50 characters")
    return ConfigVariable(row["component"], row["variable"], row.get("instance"), data_type, key, value)


def _load_configuration() -> ConfigurationTable:
    raw = read_table("configuration.toml")
    where = "configuration.toml"
    vendor = raw.get("vendor_component")
    _check(isinstance(vendor, str) and 0 < len(vendor) <= 50, where, "vendor_component: 1 to 50 characters")
    rows = [(f"keys.{k}", k, v) for k, v in raw["keys"].items()]
    rows += [(f"bridge[{i}]", None, v) for i, v in enumerate(raw.get("bridge", []))]
    variables: dict[tuple[str, str, str | None], ConfigVariable] = {}
    by_key: dict[str, ConfigVariable] = {}
    for at, key, row in rows:
        entry = _config_variable(at, row, key)
        ident = (entry.component, entry.variable, entry.instance)
        _check(ident not in variables, where, f"{at}: {'.'.join(n for n in ident if n)} is listed twice")
        _check(entry.component != vendor, where, f"{at}: {vendor} is the vendor_component")
        variables[ident] = entry
        if key is not None:
            _check(key.lower() not in by_key, where, f"{at}: the 1.6 key is listed twice")
            by_key[key.lower()] = entry
    return ConfigurationTable(
        vendor_component=vendor,
        variables=variables,
        by_key=by_key,
        components=frozenset(c for c, _, _ in variables),
        change_status=enum_map(
            raw["change_status"], where, v16.ChangeConfigurationResponseStatus, v201.SetVariableStatusEnumType
        ),
    )


def _actions(raw: dict[str, Any], key: str) -> frozenset[str]:
    names = frozenset(raw.get(key, []))
    for name in names:
        _check(name in v16.REQUESTS and name in v201.REQUESTS, "actions.toml", f"{key}: {name!r} unknown")
    return names


@cache
def load_tables() -> Tables:
    """Load and check every table; raises TableError naming the file and entry at fault."""
    from bridge.repair import load_repairs  # it reads tables with this module's helpers

    status = read_table("status.toml")
    actions = read_table("actions.toml")
    return Tables(
        errors=_load_errors(),
        connector_status=enum_map(
            status["connector_status"],
            "status.toml",
            v16.StatusNotificationRequestStatus,
            v201.ConnectorStatusEnumType,
        ),
        same_shape_up=_actions(actions, "station_to_csms"),
        same_shape_down=_actions(actions, "csms_to_station"),
        triggers=_load_triggers(),
        metering=_load_metering(),
        authorization_status=enum_map(
            read_table("authorization.toml")["status"],
            "authorization.toml",
            v201.AuthorizationStatusEnumType,
            v16.AuthorizeResponseIdTagInfoStatus,
        ),
        transactions=_load_transactions(),
        hints=dict(read_table("errors.toml").get("hints", {})),
        commands=_load_commands(),
        configuration=_load_configuration(),
        repairs=load_repairs(),
        certificates=_load_certificates(),
    )
