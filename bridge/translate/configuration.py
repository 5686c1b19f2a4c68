"""The device model, CSMS (2.0.1) -> station (1.6): GetVariables, SetVariables, GetBaseReport and
GetReport through GetConfiguration and ChangeConfiguration. Table: mappings/configuration.toml.

Which 1.6 key a 2.0.1 variable is:
- a standard key is the component/variable (and variable instance) the table gives it, e.g.
  OCPPCommCtrlr.HeartbeatInterval = HeartbeatInterval, SampledDataCtrlr.TxUpdatedInterval =
  MeterValueSampleInterval;
- any key, standard or vendor-specific, is also the variable of that exact name on the vendor
  component (`OCPP16`): {component: {name: "OCPP16"}, variable: {name: "<1.6 key>"}};
- a few variables are answered by the bridge itself, read-only (the table's [[bridge]] rows:
  DeviceDataCtrlr.ItemsPerMessage[SetVariables] = 20, see SetVariables).
A component the table does not know (or a known one with an instance or an EVSE) is
UnknownComponent, a variable it does not know on a known component UnknownVariable; an
attributeType other than Actual (1.6 keys have only a value) NotSupportedAttributeType. These are
answered by the bridge; every request item gets exactly one result, echoing its component,
variable and attributeType.

- GetVariables: one GetConfiguration with every key needed (nothing is sent when none is). A key
  in the answer -> Accepted with its value ("" when the station has none); a key the station does
  not return -> UnknownVariable.
- SetVariables: 1.6 ChangeConfiguration sets one key per call, so the bridge chains one
  ChangeConfiguration {key, value} per item that needs the station, in order, each sent when the one
  before is answered, and answers the CSMS once all are in. At most
  DeviceDataCtrlr.ItemsPerMessage[SetVariables] (20) items are chained; further ones are answered
  Rejected (reasonCode TooManyElements), which bounds the time a SetVariables takes. A value longer
  than 1.6's 500 characters is Rejected (TooLargeElement). Answer: Accepted, Rejected,
  RebootRequired as they are; 1.6 NotSupported (no such key) -> UnknownVariable.
- GetReport: by componentVariable, the keys of the asked variables (every mapped key of a component
  named without a variable; every key for the vendor component) in one GetConfiguration, then
  Accepted and NotifyReport frames as for GetBaseReport holding only the asked variables (the
  bridge's own ones included); none found: EmptyResultSet. Without componentVariable: everything,
  as FullInventory. componentCriteria (component states: Active, Available, Enabled, Problem) have
  no 1.6 source: NotSupported.
- GetBaseReport: ConfigurationInventory (the keys that are not read-only) and FullInventory (every
  key, and the bridge's own variables) are answered from GetConfiguration: GetBaseReportResponse
  Accepted, then NotifyReport frames (requestId, generatedAt, seqNo from 0, tbc on all but the
  last; at most REPORT_CHUNK variables each), a key as its standard variable or else under the
  vendor component, with mutability from `readonly`. Nothing to report: EmptyResultSet.
  SummaryInventory (components and their state) has no 1.6 source: NotSupported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bridge.models import v16, v201
from bridge.tables import ConfigurationTable, ConfigVariable
from bridge.translate.context import StationContext
from bridge.translate.local_answer import UNSUPPORTED, info
from bridge.translate.registry import Answer, BridgeCall, Continue, Forward, Outcome, Reply, down

VALUE_LENGTH = 500  # 1.6 ChangeConfiguration.value maxLength
REPORT_CHUNK = 25  # variables per NotifyReport
ACTUAL = v201.AttributeEnumType.Actual


@dataclass(frozen=True)
class Target:
    """What a requested variable is: a 1.6 key to ask the station for, or the bridge's own value."""

    key: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class Unknown:
    status: str  # UnknownComponent or UnknownVariable (same names in Get- and SetVariableStatus)
    status_info: v201.StatusInfoType


def locate(
    component: v201.ComponentType, variable: v201.VariableType, table: ConfigurationTable
) -> Target | Unknown:
    vendor = table.vendor_component
    if component.instance is not None or component.evse is not None:
        text = f"this station has no {component.name} component with an instance or an EVSE"
        return Unknown("UnknownComponent", info("NotFound", text))
    if component.name == vendor:
        if variable.instance is not None:
            return Unknown(
                "UnknownVariable", info("NotFound", "OCPP 1.6 configuration keys have no instance")
            )
        return Target(key=variable.name)
    if component.name not in table.components:
        text = (
            f"no OCPP 1.6 configuration key is mapped to component {component.name}; any 1.6 key is "
            f"reachable as a variable of component {vendor}"
        )
        return Unknown("UnknownComponent", info("NotFound", text))
    entry = table.variables.get((component.name, variable.name, variable.instance))
    if entry is None:
        name = variable.name if variable.instance is None else f"{variable.name}[{variable.instance}]"
        text = f"no OCPP 1.6 configuration key is mapped to {component.name}.{name}"
        return Unknown("UnknownVariable", info("NotFound", text))
    return Target(key=entry.key, value=entry.value)


def echo_component(component: v201.ComponentType) -> v201.ComponentType:
    """The asked component for its result, without the CSMS's customData: the bridge keeps no
    customData (it drops it on the way down), and an echo of it could be nested past what
    serializes (JSON parsers take hundreds of levels)."""
    evse = component.evse
    return v201.ComponentType(
        name=component.name,
        instance=component.instance,
        evse=None if evse is None else v201.EVSEType(id=evse.id, connectorId=evse.connectorId),
    )


def echo_variable(variable: v201.VariableType) -> v201.VariableType:
    return v201.VariableType(name=variable.name, instance=variable.instance)


def _not_actual(attribute: v201.AttributeEnumType) -> v201.StatusInfoType:
    return info("UnsupportedParam", f"OCPP 1.6 keys have only an Actual value, no {attribute.value}")


# -- GetVariables ----------------------------------------------------------------------------------


def _get_result(data: v201.GetVariableDataType, status: str, **fields: Any) -> v201.GetVariableResultType:
    return v201.GetVariableResultType(
        attributeStatus=status,
        attributeType=data.attributeType,
        component=echo_component(data.component),
        variable=echo_variable(data.variable),
        **fields,
    )


GetPlan = tuple[tuple[v201.GetVariableDataType, v201.GetVariableResultType | str], ...]


def _get_locally(
    data: v201.GetVariableDataType, table: ConfigurationTable
) -> v201.GetVariableResultType | str:
    """The result the bridge gives itself, or the 1.6 key to read."""
    if data.attributeType not in (None, ACTUAL):
        return _get_result(
            data, "NotSupportedAttributeType", attributeStatusInfo=_not_actual(data.attributeType)
        )
    target = locate(data.component, data.variable, table)
    if isinstance(target, Unknown):
        return _get_result(data, target.status, attributeStatusInfo=target.status_info)
    if target.key is None:
        return _get_result(data, "Accepted", attributeValue=target.value)
    return target.key


@down.call("GetVariables")
def get_variables(request: v201.GetVariablesRequest, ctx: StationContext) -> Outcome:
    table = ctx.tables.configuration
    plan = [(data, _get_locally(data, table)) for data in request.getVariableData]
    keys = list(dict.fromkeys(step for _, step in plan if isinstance(step, str)))
    if not keys:
        return Answer(v201.GetVariablesResponse(getVariableResult=[step for _, step in plan]))
    return Forward("GetConfiguration", v16.GetConfigurationRequest(key=keys), note=tuple(plan))


@down.result("GetVariables")
def get_variables_result(
    answer: v16.GetConfigurationResponse, request: object, ctx: StationContext, note: GetPlan
) -> v201.GetVariablesResponse:
    found = {entry.key.lower(): entry for entry in answer.configurationKey or []}
    results = []
    for data, step in note:
        if not isinstance(step, str):
            results.append(step)
        elif (entry := found.get(step.lower())) is not None:
            results.append(_get_result(data, "Accepted", attributeValue=entry.value or ""))
        else:
            text = f"the station does not report OCPP 1.6 configuration key {step}"
            results.append(_get_result(data, "UnknownVariable", attributeStatusInfo=info("NotFound", text)))
    return v201.GetVariablesResponse(getVariableResult=results)


# -- SetVariables ----------------------------------------------------------------------------------


def _set_result(
    data: v201.SetVariableDataType, status: str, status_info: v201.StatusInfoType | None = None
) -> v201.SetVariableResultType:
    return v201.SetVariableResultType(
        attributeStatus=status,
        attributeStatusInfo=status_info,
        attributeType=data.attributeType,
        component=echo_component(data.component),
        variable=echo_variable(data.variable),
    )


def _set_locally(
    data: v201.SetVariableDataType, table: ConfigurationTable
) -> v201.SetVariableResultType | str:
    """The result the bridge gives itself, or the 1.6 key to change."""
    if data.attributeType not in (None, ACTUAL):
        return _set_result(data, "NotSupportedAttributeType", _not_actual(data.attributeType))
    target = locate(data.component, data.variable, table)
    if isinstance(target, Unknown):
        return _set_result(data, target.status, target.status_info)
    if target.key is None:
        return _set_result(
            data, "Rejected", info("ReadOnly", "the bridge sets this variable, not the station")
        )
    if len(data.attributeValue) > VALUE_LENGTH:
        text = f"an OCPP 1.6 configuration value has at most {VALUE_LENGTH} characters"
        return _set_result(data, "Rejected", info("TooLargeElement", text))
    return target.key


SetPlan = tuple[tuple[v201.SetVariableDataType, v201.SetVariableResultType | str], ...]


def items_per_set(table: ConfigurationTable) -> int:
    """How many items of one SetVariables the bridge chains to the station: what it reports as
    DeviceDataCtrlr.ItemsPerMessage[SetVariables] (mappings/configuration.toml)."""
    own = table.variables.get(("DeviceDataCtrlr", "ItemsPerMessage", "SetVariables"))
    return int(own.value) if own is not None and own.value is not None else 1


def _next_change(plan: SetPlan) -> Continue | None:
    """The ChangeConfiguration for the first item still waiting for the station, if any."""
    for data, step in plan:
        if isinstance(step, str):
            return Continue(
                "ChangeConfiguration",
                v16.ChangeConfigurationRequest(key=step, value=data.attributeValue),
                plan,
            )
    return None


@down.call("SetVariables")
def set_variables(request: v201.SetVariablesRequest, ctx: StationContext) -> Outcome:
    table = ctx.tables.configuration
    limit = items_per_set(table)
    plan: list[tuple[v201.SetVariableDataType, v201.SetVariableResultType | str]] = []
    chained = 0
    for data in request.setVariableData:
        step = _set_locally(data, table)
        if isinstance(step, str):
            chained += 1
            if chained > limit:
                text = (
                    f"the bridge sets at most {limit} OCPP 1.6 keys per SetVariables, one ChangeConfiguration "
                    f"each (DeviceDataCtrlr.ItemsPerMessage[SetVariables] is {limit})"
                )
                step = _set_result(data, "Rejected", info("TooManyElements", text))
        plan.append((data, step))
    first = _next_change(tuple(plan))
    if first is None:
        return Answer(v201.SetVariablesResponse(setVariableResult=[step for _, step in plan]))
    return Forward(first.action, first.payload, note=first.note)


@down.result("SetVariables")
def set_variables_result(
    answer: v16.ChangeConfigurationResponse, request: object, ctx: StationContext, note: SetPlan
) -> v201.SetVariablesResponse | Continue:
    """The answer for the item that went down; then the next item's ChangeConfiguration, or the
    CSMS's answer once every item has its result."""
    status = ctx.tables.configuration.change_status[answer.status]
    plan = list(note)
    index = next(i for i, (_, step) in enumerate(plan) if isinstance(step, str))
    data, key = plan[index]
    if answer.status is v16.ChangeConfigurationResponseStatus.NotSupported:
        text = f"the station answered NotSupported: it has no OCPP 1.6 configuration key {key}"
        plan[index] = (data, _set_result(data, status, info("NotFound", text)))
    else:
        plan[index] = (data, _set_result(data, status))
    following = _next_change(tuple(plan))
    if following is not None:
        return following
    return v201.SetVariablesResponse(setVariableResult=[step for _, step in plan])  # type: ignore[misc]


# -- GetBaseReport ---------------------------------------------------------------------------------


@down.call("GetBaseReport")
def get_base_report(request: v201.GetBaseReportRequest, ctx: StationContext) -> Outcome:
    if request.reportBase is v201.ReportBaseEnumType.SummaryInventory:
        text = "OCPP 1.6 has no component inventory; ConfigurationInventory and FullInventory are available"
        return Answer(v201.GetBaseReportResponse(status="NotSupported", statusInfo=info(UNSUPPORTED, text)))
    return Forward("GetConfiguration", v16.GetConfigurationRequest())


def _report(
    component: str,
    variable: str,
    instance: str | None,
    data_type: v201.DataEnumType,
    value: str | None,
    readonly: bool,
) -> v201.ReportDataType:
    return v201.ReportDataType(
        component=v201.ComponentType(name=component),
        variable=v201.VariableType(name=variable, instance=instance),
        variableAttribute=[
            v201.VariableAttributeType(
                type=ACTUAL, value=value, mutability="ReadOnly" if readonly else "ReadWrite"
            )
        ],
        variableCharacteristics=v201.VariableCharacteristicsType(
            dataType=data_type, supportsMonitoring=False
        ),
    )


def report_data(
    keys: Iterable[v16.GetConfigurationResponseConfigurationKey], table: ConfigurationTable, full: bool
) -> list[v201.ReportDataType]:
    """The station's keys (all of them, or only the writable ones) as 2.0.1 report data."""
    rows: dict[tuple[str, str, str | None], v201.ReportDataType] = {}
    for key in keys:
        if key.readonly and not full:
            continue
        entry: ConfigVariable | None = table.by_key.get(key.key.lower())
        if entry is None:
            ident = (table.vendor_component, key.key, None)
            data_type = v201.DataEnumType.string
        else:
            ident = (entry.component, entry.variable, entry.instance)
            data_type = entry.data_type
        rows.setdefault(ident, _report(*ident, data_type, key.value, key.readonly))
    if full:
        for own in table.variables.values():
            if own.key is None:
                rows.setdefault(
                    (own.component, own.variable, own.instance),
                    _report(own.component, own.variable, own.instance, own.data_type, own.value, True),
                )
    return list(rows.values())


def notify_reports(
    rows: list[v201.ReportDataType], request_id: int, ctx: StationContext
) -> tuple[BridgeCall, ...]:
    """NotifyReport calls for report rows: seqNo from 0, tbc on all but the last, REPORT_CHUNK each."""
    chunks = [rows[i : i + REPORT_CHUNK] for i in range(0, len(rows), REPORT_CHUNK)]
    generated = ctx.now()
    return tuple(
        BridgeCall(
            "NotifyReport",
            v201.NotifyReportRequest(
                requestId=request_id,
                generatedAt=generated,
                reportData=chunk,
                seqNo=seq,
                tbc=seq < len(chunks) - 1,
            ),
        )
        for seq, chunk in enumerate(chunks)
    )


@down.result("GetBaseReport")
def get_base_report_result(
    answer: v16.GetConfigurationResponse,
    request: v201.GetBaseReportRequest,
    ctx: StationContext,
    note: object,
) -> Reply:
    full = request.reportBase is v201.ReportBaseEnumType.FullInventory
    rows = report_data(answer.configurationKey or [], ctx.tables.configuration, full)
    if not rows:
        return Reply(v201.GetBaseReportResponse(status="EmptyResultSet"))
    reports = notify_reports(rows, request.requestId, ctx)
    return Reply(v201.GetBaseReportResponse(status="Accepted"), calls_to_sender=reports)


# -- GetReport -------------------------------------------------------------------------------------


def _keys_for(wanted: v201.ComponentVariableType, table: ConfigurationTable) -> list[str] | None:
    """The 1.6 keys one componentVariable entry needs ([]: none, the bridge knows or nothing maps;
    None: every key, for the whole vendor component)."""
    component, variable = wanted.component, wanted.variable
    if variable is not None:
        target = locate(component, variable, table)
        return [target.key] if isinstance(target, Target) and target.key is not None else []
    if component.instance is not None or component.evse is not None:
        return []
    if component.name == table.vendor_component:
        return None
    return [v.key for v in table.variables.values() if v.component == component.name and v.key is not None]


def _asked(row: v201.ReportDataType, wanted: list[v201.ComponentVariableType]) -> bool:
    for entry in wanted:
        component, variable = entry.component, entry.variable
        if (
            component.name != row.component.name
            or component.instance is not None
            or component.evse is not None
        ):
            continue
        if variable is None or (variable.name, variable.instance) == (
            row.variable.name,
            row.variable.instance,
        ):
            return True
    return False


@down.call("GetReport")
def get_report(request: v201.GetReportRequest, ctx: StationContext) -> Outcome:
    if request.componentCriteria:
        text = (
            "OCPP 1.6 has no component states to select by (componentCriteria); "
            "ask by componentVariable, or for a GetBaseReport"
        )
        return Answer(v201.GetReportResponse(status="NotSupported", statusInfo=info(UNSUPPORTED, text)))
    table = ctx.tables.configuration
    if request.componentVariable is None:  # no criteria at all: everything, as FullInventory
        return Forward("GetConfiguration", v16.GetConfigurationRequest())
    keys: list[str] | None = []
    for wanted in request.componentVariable:
        more = _keys_for(wanted, table)
        keys = None if keys is None or more is None else keys + more
    # no key needed (only the bridge's own variables, or none that maps): the station is still asked,
    # for all its keys, since the NotifyReport frames can only follow an answer from it
    asked = list(dict.fromkeys(keys)) if keys else None
    return Forward("GetConfiguration", v16.GetConfigurationRequest(key=asked))


def _get_report_answer(
    keys: Iterable[v16.GetConfigurationResponseConfigurationKey],
    request: v201.GetReportRequest,
    ctx: StationContext,
) -> Reply:
    rows = report_data(keys, ctx.tables.configuration, full=True)
    if request.componentVariable is not None:
        rows = [row for row in rows if _asked(row, request.componentVariable)]
    if not rows:
        return Reply(v201.GetReportResponse(status="EmptyResultSet"))
    return Reply(
        v201.GetReportResponse(status="Accepted"),
        calls_to_sender=notify_reports(rows, request.requestId, ctx),
    )


@down.result("GetReport")
def get_report_result(
    answer: v16.GetConfigurationResponse, request: v201.GetReportRequest, ctx: StationContext, note: object
) -> Reply:
    return _get_report_answer(answer.configurationKey or [], request, ctx)
