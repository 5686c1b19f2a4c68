"""The device model over 1.6 configuration keys: GetVariables, SetVariables and GetBaseReport from a
2.0.1 CSMS, GetConfiguration and ChangeConfiguration at a 1.6 station; and the table behind it,
mappings/configuration.toml (../shared/ocpp-mapping.md section 3.5)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import ocpp.v201.enums as enums201
import pytest

import bridge.tables
from bridge.engine import Engine, Side
from bridge.tables import TableError, load_tables
from bridge.translate.context import StationContext
from tests.command_peers import answer, ask, command_pair, down, engine
from tests.conftest import eventually
from tests.schemas import assert_frame_valid

# 1.6 key -> (component, variable, variable instance), as section 3.5 of the reference pairs them
REFERENCE = {
    "HeartbeatInterval": ("OCPPCommCtrlr", "HeartbeatInterval", None),
    "WebSocketPingInterval": ("OCPPCommCtrlr", "WebSocketPingInterval", None),
    "ResetRetries": ("OCPPCommCtrlr", "ResetRetries", None),
    "MinimumStatusDuration": ("OCPPCommCtrlr", "MinimumStatusDuration", None),
    "TransactionMessageAttempts": ("OCPPCommCtrlr", "MessageAttempts", "TransactionEvent"),
    "TransactionMessageRetryInterval": ("OCPPCommCtrlr", "MessageAttemptInterval", "TransactionEvent"),
    "UnlockConnectorOnEVSideDisconnect": ("OCPPCommCtrlr", "UnlockOnEVSideDisconnect", None),
    "ConnectionTimeOut": ("TxCtrlr", "EVConnectionTimeOut", None),
    "StopTransactionOnEVSideDisconnect": ("TxCtrlr", "StopTxOnEVSideDisconnect", None),
    "StopTransactionOnInvalidId": ("TxCtrlr", "StopTxOnInvalidId", None),
    "MaxEnergyOnInvalidId": ("TxCtrlr", "MaxEnergyOnInvalidId", None),
    "MeterValueSampleInterval": ("SampledDataCtrlr", "TxUpdatedInterval", None),
    "MeterValuesSampledData": ("SampledDataCtrlr", "TxUpdatedMeasurands", None),
    "StopTxnSampledData": ("SampledDataCtrlr", "TxEndedMeasurands", None),
    "ClockAlignedDataInterval": ("AlignedDataCtrlr", "Interval", None),
    "MeterValuesAlignedData": ("AlignedDataCtrlr", "Measurands", None),
    "StopTxnAlignedData": ("AlignedDataCtrlr", "TxEndedMeasurands", None),
    "AuthorizeRemoteTxRequests": ("AuthCtrlr", "AuthorizeRemoteStart", None),
    "LocalAuthorizeOffline": ("AuthCtrlr", "LocalAuthorizeOffline", None),
    "LocalPreAuthorize": ("AuthCtrlr", "LocalPreAuthorize", None),
    "AllowOfflineTxForUnknownId": ("AuthCtrlr", "OfflineTxForUnknownIdEnabled", None),
    "AuthorizationCacheEnabled": ("AuthCacheCtrlr", "Enabled", None),
    "LocalAuthListEnabled": ("LocalAuthListCtrlr", "Enabled", None),
    "LocalAuthListMaxLength": ("LocalAuthListCtrlr", "Entries", None),
    "SendLocalListMaxLength": ("LocalAuthListCtrlr", "ItemsPerMessage", None),
    "ChargeProfileMaxStackLevel": ("SmartChargingCtrlr", "ProfileStackLevel", None),
    "ChargingScheduleMaxPeriods": ("SmartChargingCtrlr", "PeriodsPerSchedule", None),
    "MaxChargingProfilesInstalled": ("SmartChargingCtrlr", "Entries", "ChargingProfiles"),
    "ConnectorSwitch3to1PhaseSupported": ("SmartChargingCtrlr", "Phases3to1", None),
    "ReserveConnectorZeroSupported": ("ReservationCtrlr", "NonEvseSpecific", None),
    "GetConfigurationMaxKeys": ("DeviceDataCtrlr", "ItemsPerMessage", "GetVariables"),
    "SecurityProfile": ("SecurityCtrlr", "SecurityProfile", None),
    "CpoName": ("SecurityCtrlr", "OrganizationName", None),
    "AuthorizationKey": ("SecurityCtrlr", "BasicAuthPassword", None),
    "CertSigningWaitMinimum": ("SecurityCtrlr", "CertSigningWaitMinimum", None),
    "CertSigningRepeatTimes": ("SecurityCtrlr", "CertSigningRepeatTimes", None),
    "AdditionalRootCertificateCheck": ("SecurityCtrlr", "AdditionalRootCertificateCheck", None),
    "CertificateSignedMaxChainSize": ("SecurityCtrlr", "MaxCertificateChainSize", None),
    "CertificateStoreMaxLength": ("SecurityCtrlr", "CertificateEntries", None),
}


def test_the_table_pairs_keys_as_the_reference_does() -> None:
    table = load_tables().configuration
    pairs = {v.key: (v.component, v.variable, v.instance) for v in table.variables.values() if v.key}
    assert pairs == REFERENCE


def test_every_mapped_name_is_a_standardized_201_name() -> None:
    table = load_tables().configuration
    components = {c.value for c in enums201.ControllerComponentName}
    for entry in table.variables.values():
        assert entry.component in components, entry
        variables = {v.value for v in getattr(enums201, f"{entry.component}VariableName")}
        assert entry.variable in variables, entry
        if entry.instance is not None:
            instances = {i.value for i in getattr(enums201, f"{entry.component}InstanceName")}
            assert entry.instance in instances, entry
    assert table.vendor_component not in components


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ('NewKey = { component = "TxCtrlr", variable = "NewVariable", type = "number" }', "NewKey.type"),
        (
            'Other = { component = "OCPPCommCtrlr", variable = "HeartbeatInterval", type = "integer" }',
            "twice",
        ),
        (
            'heartbeatinterval = { component = "TxCtrlr", variable = "Y", type = "integer" }',
            "key is listed twice",
        ),
        ('Z = { component = "OCPP16", variable = "Z", type = "string" }', "vendor_component"),
        ('Z = { component = "TxCtrlr", varible = "Z", type = "string" }', "fields are"),
    ],
)
def test_a_broken_configuration_table_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str, message: str
) -> None:
    source = bridge.tables.mappings_dir() / "configuration.toml"
    text = source.read_text(encoding="utf-8")
    target = tmp_path / "configuration.toml"
    target.write_text(text.replace("[keys]\n", f"[keys]\n{broken}\n", 1), encoding="utf-8")
    for other in Path(str(bridge.tables.mappings_dir())).glob("*.toml"):
        if other.name != "configuration.toml":
            shutil.copy(other, tmp_path / other.name)
    monkeypatch.setattr(bridge.tables, "mappings_dir", lambda: tmp_path)
    with pytest.raises(TableError, match=message):
        bridge.tables._load_configuration()


# -- GetVariables ---------------------------------------------------------------------------------


def item(component: str, variable: str, instance: str | None = None, **extra: Any) -> dict[str, Any]:
    var: dict[str, Any] = {"name": variable} if instance is None else {"name": variable, "instance": instance}
    return {"component": {"name": component}, "variable": var, **extra}


async def test_get_variables_asks_once_for_every_key_and_answers_each_item() -> None:
    request = {
        "getVariableData": [
            item("OCPPCommCtrlr", "HeartbeatInterval"),
            item("OCPP16", "LightIntensity"),
            item("SampledDataCtrlr", "TxUpdatedInterval", attributeType="Actual"),
            item("OCPPCommCtrlr", "MessageAttempts", "TransactionEvent"),
            item("ClockCtrlr", "TimeZone"),
            item("TxCtrlr", "TxStartPoint"),
            item("OCPPCommCtrlr", "HeartbeatInterval", attributeType="MaxSet"),
            item("DeviceDataCtrlr", "ItemsPerMessage", "SetVariables"),
        ]
    }
    async with command_pair() as (csms, station):
        station.answers["GetConfiguration"] = {
            "configuration_key": [
                {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
                {"key": "LightIntensity", "readonly": False, "value": "80"},
                {"key": "MeterValueSampleInterval", "readonly": False},
            ],
            "unknown_key": ["TransactionMessageAttempts"],
        }
        result = await ask(csms, "GetVariables", request)
        assert station.calls_seen() == [
            [
                "GetConfiguration",
                {
                    "key": [
                        "HeartbeatInterval",
                        "LightIntensity",
                        "MeterValueSampleInterval",
                        "TransactionMessageAttempts",
                    ]
                },
            ]
        ]
    assert_frame_valid("2.0.1", result, request_action="GetVariables")
    results = result[2]["getVariableResult"]
    assert [(r["component"], r["variable"]) for r in results] == [
        (i["component"], i["variable"]) for i in request["getVariableData"]
    ]
    assert [(r["attributeStatus"], r.get("attributeValue")) for r in results] == [
        ("Accepted", "300"),
        ("Accepted", "80"),
        ("Accepted", ""),  # the station knows the key but holds no value
        ("UnknownVariable", None),  # the station does not have the key
        ("UnknownComponent", None),
        ("UnknownVariable", None),
        ("NotSupportedAttributeType", None),
        ("Accepted", "20"),  # the bridge's own: the SetVariables items it chains
    ]
    assert results[2]["attributeType"] == "Actual"
    assert results[6]["attributeType"] == "MaxSet"


async def test_get_variables_the_bridge_can_answer_alone_never_reach_the_station() -> None:
    async with command_pair() as (csms, station):
        result = await ask(csms, "GetVariables", {"getVariableData": [item("ClockCtrlr", "DateTime")]})
        assert station.calls_seen() == []
    assert result[2]["getVariableResult"][0]["attributeStatus"] == "UnknownComponent"
    assert "OCPP16" in result[2]["getVariableResult"][0]["attributeStatusInfo"]["additionalInfo"]


def test_a_controller_with_an_evse_or_instance_is_another_component() -> None:
    data = [
        {
            "component": {"name": "OCPPCommCtrlr", "evse": {"id": 1}},
            "variable": {"name": "HeartbeatInterval"},
        },
        {"component": {"name": "OCPP16", "instance": "x"}, "variable": {"name": "HeartbeatInterval"}},
        item("OCPP16", "HeartbeatInterval", "x"),
    ]
    to_station, (result,) = down(engine(), "GetVariables", {"getVariableData": data})
    assert to_station == []
    assert [r["attributeStatus"] for r in result[2]["getVariableResult"]] == [
        "UnknownComponent",
        "UnknownComponent",
        "UnknownVariable",
    ]


# -- SetVariables ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status16", "status201"),
    [
        ("Accepted", "Accepted"),
        ("Rejected", "Rejected"),
        ("RebootRequired", "RebootRequired"),
        ("NotSupported", "UnknownVariable"),
    ],
)
async def test_set_variables_changes_the_16_key(status16: str, status201: str) -> None:
    request = {"setVariableData": [item("SampledDataCtrlr", "TxUpdatedInterval", attributeValue="60")]}
    async with command_pair() as (csms, station):
        station.answers["ChangeConfiguration"] = {"status": status16}
        result = await ask(csms, "SetVariables", request)
        assert station.calls_seen() == [
            ["ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "60"}]
        ]
    assert_frame_valid("2.0.1", result, request_action="SetVariables")
    (only,) = result[2]["setVariableResult"]
    assert only["attributeStatus"] == status201
    assert (only["component"], only["variable"]) == (
        {"name": "SampledDataCtrlr"},
        {"name": "TxUpdatedInterval"},
    )


async def test_set_variables_with_several_items_chains_one_change_configuration_each() -> None:
    data = [
        item("OCPPCommCtrlr", "HeartbeatInterval", attributeValue="120"),
        item("ClockCtrlr", "TimeZone", attributeValue="UTC"),
        item("OCPP16", "LightIntensity", attributeValue="50"),
        item("SampledDataCtrlr", "TxUpdatedInterval", attributeValue="60"),
    ]
    async with command_pair() as (csms, station):
        result = await ask(csms, "SetVariables", {"setVariableData": data})
        assert station.calls_seen() == [
            ["ChangeConfiguration", {"key": "HeartbeatInterval", "value": "120"}],
            ["ChangeConfiguration", {"key": "LightIntensity", "value": "50"}],
            ["ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "60"}],
        ]
        # one answer, to the CSMS's own message id, once all three are in
        answers = [f for d, f in csms.frames if d == "received" and f[0] != 2]
        assert [f[1] for f in answers] == [result[1]]
    assert_frame_valid("2.0.1", result, request_action="SetVariables")
    results = result[2]["setVariableResult"]
    assert [r["attributeStatus"] for r in results] == ["Accepted", "UnknownComponent", "Accepted", "Accepted"]
    assert [r["variable"]["name"] for r in results] == [
        "HeartbeatInterval",
        "TimeZone",
        "LightIntensity",
        "TxUpdatedInterval",
    ]


def test_set_variables_items_get_each_their_own_answer_and_the_chain_is_bounded() -> None:
    bridge = engine()
    limit = 20  # DeviceDataCtrlr.ItemsPerMessage[SetVariables], as the bridge reports it
    data = [
        item("OCPP16", "LightIntensity", attributeValue="50"),
        item("OCPPCommCtrlr", "HeartbeatInterval", attributeValue="120", attributeType="Target"),
        item("OCPP16", "Display", attributeValue="x" * 501),
        item("DeviceDataCtrlr", "ItemsPerMessage", "SetVariables", attributeValue="5"),
        item("OCPP16", "NoSuchKey", attributeValue="1"),
        *[item("OCPP16", f"Key{n}", attributeValue=str(n)) for n in range(limit)],
    ]
    (call,), _ = down(bridge, "SetVariables", {"setVariableData": data})
    statuses = {"LightIntensity": "Accepted", "NoSuchKey": "NotSupported", "Key0": "RebootRequired"}
    sent = []
    while call[0] == 2:  # the station answers each call; the next one comes only then
        assert_frame_valid("1.6", call)
        sent.append(call[3]["key"])
        status = statuses.get(call[3]["key"], "Rejected")
        (send,) = bridge.receive(Side.STATION, json.dumps([3, call[1], {"status": status}]))
        call = json.loads(send.text)
    assert_frame_valid("2.0.1", call, request_action="SetVariables")
    assert call[1] == "c1"  # the CSMS's message id, though each ChangeConfiguration had its own
    assert sent == ["LightIntensity", "NoSuchKey", *[f"Key{n}" for n in range(limit - 2)]]
    results = call[2]["setVariableResult"]
    assert len(results) == len(data)
    assert [r["attributeStatus"] for r in results[:7]] == [
        "Accepted",
        "NotSupportedAttributeType",
        "Rejected",
        "Rejected",
        "UnknownVariable",
        "RebootRequired",
        "Rejected",
    ]
    assert [r.get("attributeStatusInfo", {}).get("reasonCode") for r in results[1:5]] == [
        "UnsupportedParam",
        "TooLargeElement",
        "ReadOnly",
        "NotFound",
    ]
    over = results[5 + limit - 2 :]
    assert [r["attributeStatusInfo"]["reasonCode"] for r in over] == ["TooManyElements", "TooManyElements"]


# -- GetBaseReport --------------------------------------------------------------------------------

KEYS = [
    {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
    {"key": "NumberOfConnectors", "readonly": True, "value": "2"},
    {"key": "MeterValuesSampledData", "readonly": False, "value": "Energy.Active.Import.Register,Voltage"},
    {"key": "TransactionMessageAttempts", "readonly": False, "value": "3"},
]


async def test_get_base_report_answers_then_sends_the_configuration_as_notify_report() -> None:
    async with command_pair() as (csms, station):
        station.answers["GetConfiguration"] = {"configuration_key": KEYS}
        result = await ask(csms, "GetBaseReport", {"requestId": 5, "reportBase": "FullInventory"})
        await eventually(lambda: bool(csms.received_calls("NotifyReport")))
        assert station.calls_seen() == [["GetConfiguration", {}]]
    assert_frame_valid("2.0.1", result, request_action="GetBaseReport")
    assert result[2] == {"status": "Accepted"}
    answer_at = next(i for i, (d, f) in enumerate(csms.frames) if d == "received" and f[1] == result[1])
    (report,) = csms.received_calls("NotifyReport")
    assert csms.frames.index(("received", report)) > answer_at  # the answer first, then the report
    assert_frame_valid("2.0.1", report)
    payload = report[3]
    assert (payload["requestId"], payload["seqNo"], payload["tbc"]) == (5, 0, False)
    reported = {
        (r["component"]["name"], r["variable"]["name"], r["variable"].get("instance")): r
        for r in payload["reportData"]
    }
    assert set(reported) == {
        ("OCPPCommCtrlr", "HeartbeatInterval", None),
        ("OCPP16", "NumberOfConnectors", None),
        ("SampledDataCtrlr", "TxUpdatedMeasurands", None),
        ("OCPPCommCtrlr", "MessageAttempts", "TransactionEvent"),
        ("DeviceDataCtrlr", "ItemsPerMessage", "SetVariables"),
    }
    assert reported["OCPPCommCtrlr", "HeartbeatInterval", None]["variableAttribute"] == [
        {"type": "Actual", "value": "300", "mutability": "ReadWrite"}
    ]
    assert reported["OCPP16", "NumberOfConnectors", None]["variableAttribute"][0]["mutability"] == "ReadOnly"
    assert reported["SampledDataCtrlr", "TxUpdatedMeasurands", None]["variableCharacteristics"] == {
        "dataType": "MemberList",
        "supportsMonitoring": False,
    }


def test_a_configuration_inventory_lists_only_what_can_be_set_in_numbered_parts() -> None:
    bridge = engine()
    (call,), _ = down(bridge, "GetBaseReport", {"requestId": 9, "reportBase": "ConfigurationInventory"})
    vendor_keys = [{"key": f"Vendor{i}", "readonly": False, "value": str(i)} for i in range(30)]
    answered, first = answer(bridge, call, {"configurationKey": KEYS + vendor_keys}, "GetBaseReport")
    assert answered[2] == {"status": "Accepted"}
    # one call in flight at a time: the next part goes once the CSMS has answered the previous one
    (second,) = [json.loads(s.text) for s in bridge.receive(Side.CSMS, json.dumps([3, first[1], {}]))]
    assert bridge.receive(Side.CSMS, json.dumps([3, second[1], {}])) == []
    parts = [first[3], second[3]]
    for frame in (first, second):
        assert_frame_valid("2.0.1", frame)
    assert [(p["requestId"], p["seqNo"], p["tbc"]) for p in parts] == [(9, 0, True), (9, 1, False)]
    assert parts[0]["generatedAt"] == parts[1]["generatedAt"]
    names = [r["variable"]["name"] for p in parts for r in p["reportData"]]
    assert len(names) == 33  # 3 writable standard keys and 30 vendor keys
    assert "NumberOfConnectors" not in names  # read-only
    assert "ItemsPerMessage" not in names  # the bridge's own variable is read-only too


@pytest.mark.parametrize(
    ("report_base", "keys", "status"),
    [("SummaryInventory", None, "NotSupported"), ("ConfigurationInventory", [KEYS[1]], "EmptyResultSet")],
)
def test_base_reports_without_content(
    report_base: str, keys: list[dict[str, Any]] | None, status: str
) -> None:
    bridge = engine()
    to_station, to_csms = down(bridge, "GetBaseReport", {"requestId": 1, "reportBase": report_base})
    if keys is not None:
        (call,) = to_station
        to_csms = answer(bridge, call, {"configurationKey": keys}, "GetBaseReport")
    (result,) = to_csms
    assert result[2]["status"] == status


# -- GetReport ------------------------------------------------------------------------------------


def _reported(csms: Any) -> set[tuple[str, str, str | None]]:
    return {
        (r["component"]["name"], r["variable"]["name"], r["variable"].get("instance"))
        for report in csms.received_calls("NotifyReport")
        for r in report[3]["reportData"]
    }


async def test_get_report_asks_only_for_the_keys_of_the_asked_variables() -> None:
    request = {
        "requestId": 9,
        "componentVariable": [
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
            {"component": {"name": "OCPP16"}, "variable": {"name": "NumberOfConnectors"}},
            {
                "component": {"name": "DeviceDataCtrlr"},
                "variable": {"name": "ItemsPerMessage", "instance": "SetVariables"},
            },
            {"component": {"name": "NoSuchCtrlr"}},
        ],
    }
    async with command_pair() as (csms, station):
        station.answers["GetConfiguration"] = {"configuration_key": KEYS[:2]}
        result = await ask(csms, "GetReport", request)
        await eventually(lambda: bool(csms.received_calls("NotifyReport")))
        assert station.calls_seen() == [
            ["GetConfiguration", {"key": ["HeartbeatInterval", "NumberOfConnectors"]}]
        ]
        (report,) = csms.received_calls("NotifyReport")
    assert_frame_valid("2.0.1", result, request_action="GetReport")
    assert result[2] == {"status": "Accepted"}
    assert_frame_valid("2.0.1", report)
    assert report[3]["requestId"] == 9 and report[3]["tbc"] is False
    assert _reported(csms) == {
        ("OCPPCommCtrlr", "HeartbeatInterval", None),
        ("OCPP16", "NumberOfConnectors", None),
        ("DeviceDataCtrlr", "ItemsPerMessage", "SetVariables"),
    }


async def test_get_report_for_a_whole_component_reports_its_variables_only() -> None:
    request = {"requestId": 3, "componentVariable": [{"component": {"name": "OCPPCommCtrlr"}}]}
    async with command_pair() as (csms, station):
        station.answers["GetConfiguration"] = {"configuration_key": KEYS}
        result = await ask(csms, "GetReport", request)
        await eventually(lambda: bool(csms.received_calls("NotifyReport")))
        ((action, asked),) = station.calls_seen()
    assert action == "GetConfiguration" and "HeartbeatInterval" in asked["key"]
    assert result[2] == {"status": "Accepted"}
    assert _reported(csms) == {
        ("OCPPCommCtrlr", "HeartbeatInterval", None),
        ("OCPPCommCtrlr", "MessageAttempts", "TransactionEvent"),
    }


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        ({"requestId": 1, "componentCriteria": ["Problem"]}, "NotSupported"),
        (
            {
                "requestId": 1,
                "componentVariable": [{"component": {"name": "OCPP16"}, "variable": {"name": "Nope"}}],
            },
            "EmptyResultSet",
        ),
    ],
    ids=["component criteria", "nothing found"],
)
def test_get_report_without_content(request_: dict[str, Any], status: str) -> None:
    bridge = engine()
    to_station, to_csms = down(bridge, "GetReport", request_)
    for call in to_station:  # the station has keys, none of them asked
        to_csms = answer(bridge, call, {"configurationKey": KEYS[:1]}, "GetReport")
    (result,) = to_csms
    assert result[2]["status"] == status


def test_a_chained_call_that_times_out_answers_the_csms_under_its_own_message_id() -> None:
    now = [1000.0]
    bridge = Engine(StationContext("CP-T", load_tables()), clock=lambda: now[0], call_timeout=30)
    data = [item("OCPP16", "A", attributeValue="1"), item("OCPP16", "B", attributeValue="2")]
    (call,), _ = down(bridge, "SetVariables", {"setVariableData": data})
    (following,) = bridge.receive(Side.STATION, json.dumps([3, call[1], {"status": "Accepted"}]))
    assert json.loads(following.text)[3] == {"key": "B", "value": "2"}
    now[0] += 31  # the station never answers the second
    (expired,) = [json.loads(s.text) for s in bridge.expire() if s.side is Side.CSMS]
    assert expired[:3] == [4, "c1", "InternalError"]
    assert bridge.pending() == 0


def test_a_message_id_still_answered_by_a_chain_is_a_duplicate() -> None:
    # While SetVariables is chained (each ChangeConfiguration under an id of its own), the CSMS's own
    # message id is still in use: reusing it is refused, as for any call not answered yet.
    bridge = engine()
    data = [
        item("OCPP16", "LightIntensity", attributeValue="50"),
        item("OCPP16", "Display", attributeValue="on"),
    ]
    (first,), _ = down(bridge, "SetVariables", {"setVariableData": data})
    (second,) = [
        json.loads(s.text)
        for s in bridge.receive(Side.STATION, json.dumps([3, first[1], {"status": "Accepted"}]))
    ]
    assert second[2] == "ChangeConfiguration" and second[1] != "c1"  # the chain goes on under its own id
    to_station, (refused,) = down(bridge, "ClearCache", {})  # `down` sends it as "c1" too
    assert to_station == [] and refused[:3] == [4, "c1", "RpcFrameworkError"]
    (done,) = [
        json.loads(s.text)
        for s in bridge.receive(Side.STATION, json.dumps([3, second[1], {"status": "Accepted"}]))
    ]
    assert (
        done[:2] == [3, "c1"]
        and [r["attributeStatus"] for r in done[2]["setVariableResult"]] == ["Accepted"] * 2
    )
