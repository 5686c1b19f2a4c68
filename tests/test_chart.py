"""The Helm chart (charts/ocpp-bridge), checked offline on every change.

- helm-python-sdk (Helm's own Go SDK, no helm binary, no cluster) lints the chart strictly and renders it;
  rendering also applies values.schema.json, as `helm install` does.
- kubernetes-validate checks every rendered manifest against the Kubernetes JSON schemas in strict mode
  (unknown fields fail), for the oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the
  newest the package ships. The ServiceMonitor is a CRD without a schema there: it is checked by hand.
- The bridge container's command, args and env are fed to the bridge's own settings loader
  (bridge.settings.load_settings), so the chart provably starts the bridge with the given settings, and
  every field of bridge.settings.Settings must be settable from values (a new setting without a chart
  value fails here).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import tomllib
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import annotated_types
import helm_python as helm
import kubernetes_validate
import pydantic
import pytest
import yaml
from kubernetes_validate import utils as kv_utils

from bridge.settings import ENV_PREFIX, Settings, env_name, load_settings

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "charts" / "ocpp-bridge"
EXAMPLES = CHART / "examples"
EXAMPLE_CSMS_CHART = EXAMPLES / "csms-with-bridge"
SIDECAR_VALUES = EXAMPLES / "sidecar-values.yaml"
RELEASE, NAMESPACE = "rel", "charging"
CONTAINER = "ocpp-bridge"
CRD_API_GROUPS = ("monitoring.coreos.com/",)
SOURCE = "__source__"  # the template a rendered manifest came from, for messages; removed before validation


# --- helpers ------------------------------------------------------------------------------------------


def load_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def chart_values() -> dict[str, Any]:
    return load_yaml(CHART / "values.yaml")


def values_schema() -> dict[str, Any]:
    return json.loads((CHART / "values.schema.json").read_text())


def sidecar_bridge_values() -> dict[str, Any]:
    """The bridge chart's part of the sidecar example (the file is a CSMS release's values)."""
    return load_yaml(SIDECAR_VALUES)["ocpp-bridge"]


def render(values: dict[str, Any] | None = None, chart: Path = CHART) -> list[dict[str, Any]]:
    """Render offline (values.schema.json applies) and parse every manifest; NOTES.txt is left out."""
    with helm.Chart.load(chart) as loaded:
        rendered = loaded.render(values or {}, name=RELEASE, namespace=NAMESPACE, is_install=True)
    manifests = []
    for source, text in sorted(rendered.items()):
        if source.endswith("NOTES.txt"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                doc[SOURCE] = source
                manifests.append(doc)
    return manifests


def render_notes(values: dict[str, Any] | None = None) -> str:
    with helm.Chart.load(CHART) as loaded:
        rendered = loaded.render(values or {}, name=RELEASE, namespace=NAMESPACE, is_install=True)
    return rendered["ocpp-bridge/templates/NOTES.txt"]


def without_source(manifest: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in manifest.items() if key != SOURCE}


def of_kind(manifests: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in manifests if m["kind"] == kind]


def one(manifests: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = of_kind(manifests, kind)
    assert len(found) == 1, f"expected one {kind}, got {[m['metadata']['name'] for m in found]}"
    return found[0]


def station_service(manifests: list[dict[str, Any]]) -> dict[str, Any]:
    """The Service stations connect to (the other one is the admin port's)."""
    (service,) = [
        m for m in of_kind(manifests, "Service") if m["metadata"]["name"] == f"{RELEASE}-ocpp-bridge"
    ]
    return service


def admin_service(manifests: list[dict[str, Any]]) -> dict[str, Any]:
    (service,) = [
        m for m in of_kind(manifests, "Service") if m["metadata"]["name"] == f"{RELEASE}-ocpp-bridge-admin"
    ]
    return service


def pod_spec(manifests: list[dict[str, Any]]) -> dict[str, Any]:
    return one(manifests, "Deployment")["spec"]["template"]["spec"]


def bridge_container(manifests: list[dict[str, Any]]) -> dict[str, Any]:
    containers = [c for c in pod_spec(manifests)["containers"] if c["name"] == CONTAINER]
    assert len(containers) == 1, "the pod has no (or several) bridge containers"
    return containers[0]


def container_env(container: dict[str, Any]) -> dict[str, str]:
    """The container's literal environment; a later duplicate wins, as in Kubernetes."""
    env: dict[str, str] = {}
    for item in container.get("env", []):
        if "valueFrom" in item:
            assert not item["name"].startswith(ENV_PREFIX), f"{item['name']} cannot be checked offline"
            continue
        env[item["name"]] = item.get("value", "")
    return env


def started_settings(container: dict[str, Any]) -> Settings:
    """What the bridge in this container starts with: its command, args and env through load_settings."""
    assert container["command"] == ["ocpp-bridge"], "the container must run the ocpp-bridge console script"
    return load_settings(container.get("args", []), container_env(container))


def lint_problems(path: Path, values: dict[str, Any] | None, kube_version: str) -> list[str]:
    """`helm lint --strict`: anything above info (warnings included) is a problem."""
    report = helm.lint(path, values, strict=True, kube_version=f"v{kube_version}")
    assert report["total_charts_linted"] >= 1
    problems = [f"{m['path']}: {m['error']}" for m in report["messages"] if m["severity"] >= 2]
    return problems + report["errors"]


def camel(field: str) -> str:
    first, *rest = field.split("_")
    return first + "".join(word.capitalize() for word in rest)


def is_path_setting(annotation: Any) -> bool:
    return Path in typing.get_args(annotation) or annotation is Path


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def kube_versions() -> list[str]:
    """Oldest Kubernetes the chart declares (Chart.yaml kubeVersion) and newest kubernetes-validate ships."""
    declared = load_yaml(CHART / "Chart.yaml")["kubeVersion"]
    match = re.fullmatch(r">=\s*(\d+\.\d+\.\d+)(?:-0)?", declared)
    assert match, f"kubeVersion {declared!r}: expected '>=X.Y.Z-0'"
    oldest, newest = match.group(1), kv_utils.latest_version()
    assert oldest in kv_utils.all_versions(), f"kubernetes-validate has no schemas for {oldest}"
    return [oldest, newest]


KUBE_VERSIONS = kube_versions()


def assert_valid(manifests: list[dict[str, Any]], kube_version: str) -> None:
    """Strict schema validation of the built-in kinds; CRDs are checked by their own tests."""
    assert manifests
    for manifest in manifests:
        if manifest["apiVersion"].startswith(CRD_API_GROUPS):
            continue
        where = f"{manifest['kind']} {manifest['metadata']['name']} ({manifest[SOURCE]})"
        try:
            kubernetes_validate.validate(without_source(manifest), kube_version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            pytest.fail(f"{where} is invalid for Kubernetes {kube_version} at {path}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            pytest.fail(f"{where}: {exc.message}")


@pytest.fixture(scope="session")
def example_csms_chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example CSMS chart with the bridge chart in its charts/, as `helm dependency build` leaves it."""
    parent = tmp_path_factory.mktemp("example") / "csms-with-bridge"
    shutil.copytree(EXAMPLE_CSMS_CHART, parent)
    shutil.copytree(CHART, parent / "charts" / "ocpp-bridge", ignore=shutil.ignore_patterns("examples"))
    return parent


def sidecar_example_manifests(chart: Path, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    release_values = load_yaml(SIDECAR_VALUES)
    if values:
        release_values["ocpp-bridge"] = deep_merge(release_values["ocpp-bridge"], values)
    return render(release_values, chart=chart)


TOPOLOGY = (ROOT / "mappings" / "topology.example.toml").read_text()

# Every optional feature switched on, and most knobs turned.
ALL_FEATURES: dict[str, Any] = {
    "replicaCount": 3,
    "settings": {
        "csmsUrl": "wss://csms.example.com/ocpp",
        "storeUrl": "redis://redis.charging.svc:6379/0",  # several replicas share it
        "caBundle": {"secretName": "csms-ca", "key": "ca.pem"},
        "topologyFile": {"content": TOPOLOGY},
        "securityExtensionStations": ["CP-0042", "CP-0043"],
    },
    "extraArgs": ["--log-level", "DEBUG"],
    "extraEnv": [
        {"name": "TZ", "value": "UTC"},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    ],
    "existingSecret": "ocpp-bridge-env",
    "envFrom": [{"configMapRef": {"name": "ocpp-bridge-extra-env"}}],
    "extraVolumes": [{"name": "station-certs", "secret": {"secretName": "station-certs"}}],
    "extraVolumeMounts": [{"name": "station-certs", "mountPath": "/etc/station-certs", "readOnly": True}],
    "initContainers": [
        {
            "name": "wait-for-csms",
            "image": "busybox:1.36",
            "command": ["sh", "-c", "until nc -z csms 9000; do sleep 1; done"],
        }
    ],
    "extraContainers": [{"name": "log-shipper", "image": "fluent/fluent-bit:3.0"}],
    "startupProbe": {"enabled": True, "failureThreshold": 60},
    "networkPolicy": {
        "enabled": True,
        "stationsFrom": [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
        ],
        "adminFrom": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
        "egress": [
            {"ports": [{"port": 53, "protocol": "UDP"}]},
            {"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]},
        ],
    },
    "image": {"repository": "registry.example.com/ocpp-bridge", "digest": "sha256:" + "ab" * 32},
    "imagePullSecrets": [{"name": "regcred"}],
    "serviceAccount": {"annotations": {"example.com/role": "bridge"}},
    "podAnnotations": {"example.com/team": "charging"},
    "podLabels": {"example.com/tier": "edge"},
    "service": {
        "type": "LoadBalancer",
        "nodePort": 30100,
        "annotations": {"example.com/lb": "internal"},
        "externalTrafficPolicy": "Local",
        "loadBalancerSourceRanges": ["203.0.113.0/24"],
    },
    "ingress": {
        "enabled": True,
        "className": "nginx",
        "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt"},
        "hosts": [{"host": "ocpp.example.com", "paths": [{"path": "/ocpp16", "pathType": "Prefix"}]}],
        "tls": [{"secretName": "ocpp-tls", "hosts": ["ocpp.example.com"]}],
    },
    "metrics": {
        "serviceMonitor": {
            "enabled": True,
            "labels": {"release": "kube-prometheus-stack"},
            "namespace": "monitoring",
            "relabelings": [{"sourceLabels": ["__meta_kubernetes_pod_node_name"], "targetLabel": "node"}],
            "metricRelabelings": [{"sourceLabels": ["__name__"], "regex": "python_gc_.*", "action": "drop"}],
        },
        "prometheusRule": {
            "enabled": True,
            "labels": {"release": "kube-prometheus-stack"},
            "openFilesRatio": 0.7,
            "extraRules": [{"alert": "OcppBridgeNoStations", "expr": "sum(bridge_connected_stations) == 0"}],
        },
    },
    "podDisruptionBudget": {"enabled": True, "maxUnavailable": "25%"},
    "autoscaling": {
        "enabled": True,
        "minReplicas": 2,
        "maxReplicas": 6,
        "targetMemoryUtilizationPercentage": 80,
    },
    "priorityClassName": "charging-critical",
    "nodeSelector": {"kubernetes.io/os": "linux"},
    "tolerations": [{"key": "edge", "operator": "Exists", "effect": "NoSchedule"}],
    "affinity": {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "topologyKey": "kubernetes.io/hostname",
                        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "ocpp-bridge"}},
                    },
                }
            ]
        }
    },
    "topologySpreadConstraints": [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "ocpp-bridge"}},
        }
    ],
}


# --- lint -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_lint_strict_default_values(kube_version: str) -> None:
    assert lint_problems(CHART, None, kube_version) == []


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_lint_strict_sidecar_example(kube_version: str, example_csms_chart: Path) -> None:
    assert lint_problems(CHART, sidecar_bridge_values(), kube_version) == []
    assert lint_problems(example_csms_chart, load_yaml(SIDECAR_VALUES), kube_version) == []


def test_lint_strict_all_features() -> None:
    assert lint_problems(CHART, ALL_FEATURES, KUBE_VERSIONS[-1]) == []


def test_a_lower_case_log_level_is_taken_as_the_bridge_takes_it() -> None:
    container = bridge_container(render({"settings": {"logLevel": "debug"}}))
    assert started_settings(container).log_level == "DEBUG"


def test_csms_version_reaches_the_bridge() -> None:
    assert started_settings(bridge_container(render({}))).csms_version == "2.0.1"
    container = bridge_container(render({"settings": {"csmsVersion": "2.1"}}))
    assert started_settings(container).csms_version == "2.1"


# --- values.schema.json ---------------------------------------------------------------------------------

WRONG_VALUES = {
    "string port": {"settings": {"port": "9100"}},
    "port out of range": {"settings": {"port": 70000}},
    "http CSMS URL": {"settings": {"csmsUrl": "http://csms.example.com"}},
    "unknown log format": {"settings": {"logFormat": "xml"}},
    "unknown log level": {"settings": {"logLevel": "verbose"}},
    "unknown CSMS version": {"settings": {"csmsVersion": "1.6"}},
    "zero call timeout": {"settings": {"callTimeout": 0}},
    "negative drain timeout": {"settings": {"drainTimeout": -1}},
    "tiny frame size": {"settings": {"maxFrameSize": 100}},
    "fractional frame size": {"settings": {"maxFrameSize": 65536.5}},
    "stations as a string": {"settings": {"securityExtensionStations": "CP-1,CP-2"}},
    "comma in a station id": {"settings": {"securityExtensionStations": ["CP-1,CP-2"]}},
    "misspelt setting": {"settings": {"csmsURL": "ws://csms:8080"}},
    "CA bundle from two sources": {"settings": {"caBundle": {"secretName": "a", "configMapName": "b"}}},
    "topology from two sources": {"settings": {"topologyFile": {"content": "x", "configMapName": "b"}}},
    "unknown mode": {"mode": "daemonset"},
    "unknown top-level key": {"replicas": 2},
    "string boolean": {"ingress": {"enabled": "true"}},
    "bad service type": {"service": {"type": "ExternalName"}},
}


@pytest.mark.parametrize("values", WRONG_VALUES.values(), ids=WRONG_VALUES.keys())
def test_schema_rejects_wrong_values(values: dict[str, Any]) -> None:
    with helm.Chart.load(CHART) as chart:
        chart.validate_schema(chart.values)  # the defaults pass
        with pytest.raises(helm.HelmValuesError):
            chart.validate_schema(chart.merge_values(values))
        with pytest.raises(helm.HelmValuesError):  # install would refuse them too
            chart.render(values, name=RELEASE, namespace=NAMESPACE)
    assert any("schema" in problem for problem in lint_problems(CHART, values, KUBE_VERSIONS[-1]))


def test_schema_rejects_wrong_values_given_to_the_subchart(example_csms_chart: Path) -> None:
    values = load_yaml(SIDECAR_VALUES)
    values["ocpp-bridge"]["settings"]["port"] = "9100"
    with helm.Chart.load(example_csms_chart) as chart, pytest.raises(helm.HelmValuesError, match="port"):
        chart.render(values, name=RELEASE, namespace=NAMESPACE)


def beyond_the_bounds(field: str) -> list[Any]:
    """Values just outside what the bridge accepts for `field` (its Field constraints and Literal options)."""
    info = Settings.model_fields[field]
    step = 1 if info.annotation is int else 0.5
    wrong: list[Any] = []
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            wrong.append(item.ge - step)
        elif isinstance(item, annotated_types.Gt):
            wrong.append(item.gt)
        elif isinstance(item, annotated_types.Le):
            wrong.append(item.le + step)
        elif isinstance(item, annotated_types.Lt):
            wrong.append(item.lt)
    if typing.get_origin(info.annotation) is Literal:
        wrong.append("not-an-option")
    return wrong


@pytest.mark.parametrize("field", list(Settings.model_fields))
def test_schema_rejects_what_the_bridge_rejects(field: str) -> None:
    """A value the bridge would refuse at start-up is refused at install time already."""
    with helm.Chart.load(CHART) as chart:
        for value in beyond_the_bounds(field):
            with pytest.raises(pydantic.ValidationError):
                Settings(**{field: value})
            with pytest.raises(helm.HelmValuesError):
                chart.validate_schema(chart.merge_values({"settings": {camel(field): value}}))


# --- strict Kubernetes validation -----------------------------------------------------------------------


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_default_manifests_are_valid(kube_version: str) -> None:
    manifests = render()
    assert {m["kind"] for m in manifests} == {
        "Deployment",
        "Service",
        "ServiceAccount",
        "PodDisruptionBudget",
    }
    assert_valid(manifests, kube_version)


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_all_features_manifests_are_valid(kube_version: str) -> None:
    manifests = render(ALL_FEATURES)
    assert {m["kind"] for m in manifests} == {
        "Deployment",
        "Service",
        "ServiceAccount",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "Ingress",
        "ServiceMonitor",
        "ConfigMap",
        "NetworkPolicy",
        "PrometheusRule",
    }
    assert_valid(manifests, kube_version)


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_sidecar_manifests_are_valid(kube_version: str, example_csms_chart: Path) -> None:
    alone = render(sidecar_bridge_values())
    assert {m["kind"] for m in alone} == {"Service", "Ingress", "ServiceMonitor", "ConfigMap"}
    assert_valid(alone, kube_version)
    with_csms = sidecar_example_manifests(example_csms_chart)
    assert {m["kind"] for m in with_csms} == {
        "Deployment",
        "Service",
        "Ingress",
        "ServiceMonitor",
        "ConfigMap",
    }
    assert_valid(with_csms, kube_version)


def test_validation_is_strict() -> None:
    """An unknown field fails, so the checks above would catch a misplaced key in a template."""
    deployment = without_source(one(render(), "Deployment"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBE_VERSIONS[-1], strict=True)


# --- the bridge starts with the chart's settings --------------------------------------------------------

# Non-default values that also probe formatting: a large integer (Helm would print 4.194304e+06), a
# fraction, a list, a URL with a path. Settings not listed get a generic non-default value by type.
SAMPLES: dict[str, Any] = {
    "csms_url": "wss://csms.example.com/ocpp/v201",
    "host": "::",
    "port": 8181,
    "call_timeout": 2.5,
    "drain_timeout": 42.5,
    "max_frame_size": 4 * 1024 * 1024,
    "security_extension_stations": ["CP-0042", "CP-0043"],
    "id_token_type": "Central",
    "store_url": "redis://redis.charging.svc:6379/1",
    "legacy_csms_url": "wss://legacy.example.com/ocpp16",
    "default_mode": "shadow",
    "workers": 3,
}
# Settings that are only valid together with another one (checked by the bridge at start-up).
PAIRED: dict[str, dict[str, Any]] = {"default_mode": {"legacy_csms_url": SAMPLES["legacy_csms_url"]}}


def sample_value(field: str) -> Any:
    """A chart value for `field` that differs from the bridge's default."""
    if field in SAMPLES:
        return SAMPLES[field]
    info = Settings.model_fields[field]
    annotation, default = info.annotation, info.get_default(call_default_factory=True)
    if is_path_setting(annotation):
        return {"configMapName": f"sample-{camel(field).lower()}", "key": f"{field}.sample"}
    if typing.get_origin(annotation) is Literal:
        return next(option for option in typing.get_args(annotation) if option != default)
    if annotation is bool:
        return not default
    if annotation is int:
        return (default or 0) + 7
    if annotation is float:
        return (default or 0.0) + 1.25
    if annotation is str:
        return f"sample-{field}"
    if typing.get_origin(annotation) is list and typing.get_args(annotation) == (str,):
        return ["sample-1", "sample-2"]
    pytest.fail(f"no sample value for setting {field} ({annotation}): add one to SAMPLES in {__file__}")


def all_setting_samples() -> dict[str, Any]:
    return {camel(field): sample_value(field) for field in Settings.model_fields}


def expected_settings(container: dict[str, Any], pod: dict[str, Any]) -> dict[str, Any]:
    """Settings(...) as the samples should give them; file settings point into their mounted volume."""
    expected: dict[str, Any] = {}
    for field, info in Settings.model_fields.items():
        value = sample_value(field)
        if is_path_setting(info.annotation):
            volume = next(
                v for v in pod["volumes"] if v.get("configMap", {}).get("name") == value["configMapName"]
            )
            assert volume["configMap"]["items"] == [{"key": value["key"], "path": value["key"]}]
            mount = next(m for m in container["volumeMounts"] if m["name"] == volume["name"])
            expected[field] = Path(mount["mountPath"]) / value["key"]
        else:
            expected[field] = getattr(Settings(**{**PAIRED.get(field, {}), field: value}), field)
    return expected


def test_every_setting_has_a_chart_value() -> None:
    """Each Settings field is a key of .Values.settings and of the schema, and nothing else is.

    A new setting needs `settings.<camelCase name>` in values.yaml (documented, with the bridge's
    default) and in values.schema.json; the templates turn it into BRIDGE_<NAME> by themselves.
    """
    fields = {camel(field) for field in Settings.model_fields}
    in_values = set(chart_values()["settings"])
    in_schema = set(values_schema()["properties"]["settings"]["properties"])
    assert not fields - in_values, f"settings missing from values.yaml: {sorted(fields - in_values)}"
    assert not fields - in_schema, f"settings missing from values.schema.json: {sorted(fields - in_schema)}"
    assert not in_values - fields, f"values.yaml settings the bridge lacks: {sorted(in_values - fields)}"
    assert not in_schema - fields, f"schema settings the bridge lacks: {sorted(in_schema - fields)}"
    assert set(values_schema()["properties"]["settings"]["required"]) == fields


# Chart defaults that differ from the bridge's on purpose. The root filesystem is read-only in the pod,
# so the SQLite store lives on the /tmp emptyDir instead of the working directory.
CHART_DEFAULTS = {"store_url": "sqlite:////tmp/ocpp-bridge.sqlite3"}


def test_default_values_are_the_bridge_defaults() -> None:
    """values.yaml documents the bridge's own defaults, and the rendered container starts with them."""
    container = bridge_container(render())
    assert started_settings(container) == Settings(**CHART_DEFAULTS)
    for field, info in Settings.model_fields.items():
        default = chart_values()["settings"][camel(field)]
        if not is_path_setting(info.annotation):
            expected = CHART_DEFAULTS.get(field, info.get_default(call_default_factory=True))
            assert default == expected, f"settings.{camel(field)}"


def test_the_default_store_is_on_a_writable_volume() -> None:
    manifests = render()
    container = bridge_container(manifests)
    path = started_settings(container).store_url.removeprefix("sqlite:///")
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert any(path.startswith(mount.rstrip("/") + "/") for mount in mounts), (path, mounts)
    assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_standalone_container_starts_the_bridge_with_every_setting() -> None:
    manifests = render({"settings": all_setting_samples()})
    container, pod = bridge_container(manifests), pod_spec(manifests)
    started = started_settings(container)
    for field, value in expected_settings(container, pod).items():
        assert getattr(started, field) == value, f"setting {field}"


def test_sidecar_container_starts_the_bridge_with_every_setting(example_csms_chart: Path) -> None:
    # The example gives the topology inline; the sample names a ConfigMap instead (not both).
    manifests = sidecar_example_manifests(
        example_csms_chart,
        {
            "settings": {
                **all_setting_samples(),
                "topologyFile": {"content": "", **sample_value("topology_file")},
            }
        },
    )
    container, pod = bridge_container(manifests), pod_spec(manifests)
    started = started_settings(container)
    for field, value in expected_settings(container, pod).items():
        assert getattr(started, field) == value, f"setting {field}"


def test_every_bridge_variable_is_a_setting() -> None:
    """A misspelt BRIDGE_* variable would be silently ignored by the bridge."""
    known = {env_name(field) for field in Settings.model_fields}
    for values in ({}, ALL_FEATURES, {"settings": all_setting_samples()}):
        env = container_env(bridge_container(render(values)))
        assert {name for name in env if name.startswith(ENV_PREFIX)} <= known


def test_sidecar_example_settings(example_csms_chart: Path) -> None:
    manifests = sidecar_example_manifests(example_csms_chart)
    container, pod = bridge_container(manifests), pod_spec(manifests)
    started = started_settings(container)
    assert started.csms_url == "ws://127.0.0.1:8080/ocpp"  # the CSMS beside it, over localhost
    csms = next(c for c in pod["containers"] if c["name"] == "csms")
    assert started.csms_url.startswith(f"ws://127.0.0.1:{csms['ports'][0]['containerPort']}/")
    assert started.security_extension_stations == ["CP-0042", "CP-0043"]
    assert started.topology_file is not None
    topology = one(manifests, "ConfigMap")
    assert tomllib.loads(topology["data"][started.topology_file.name])["models"]["DualCable-22"]


def test_extra_args_are_flags_that_win_over_settings() -> None:
    container = bridge_container(
        render({"settings": {"logLevel": "ERROR"}, "extraArgs": ["--log-level", "DEBUG"]})
    )
    assert container_env(container)["BRIDGE_LOG_LEVEL"] == "ERROR"
    assert started_settings(container).log_level == "DEBUG"


def test_ca_bundle_from_a_secret() -> None:
    manifests = render({"settings": {"caBundle": {"secretName": "csms-ca", "key": "ca.pem"}}})
    container, pod = bridge_container(manifests), pod_spec(manifests)
    volume = next(v for v in pod["volumes"] if "secret" in v)
    assert volume["secret"] == {"secretName": "csms-ca", "items": [{"key": "ca.pem", "path": "ca.pem"}]}
    mount = next(m for m in container["volumeMounts"] if m["name"] == volume["name"])
    assert mount["readOnly"] is True
    assert started_settings(container).ca_bundle == Path(mount["mountPath"]) / "ca.pem"


def test_inline_topology_becomes_a_configmap_and_rolls_the_pods() -> None:
    manifests = render({"settings": {"topologyFile": {"content": TOPOLOGY}}})
    configmap, deployment = one(manifests, "ConfigMap"), one(manifests, "Deployment")
    started = started_settings(bridge_container(manifests))
    assert started.topology_file is not None
    assert configmap["data"][started.topology_file.name] == TOPOLOGY
    checksum = deployment["spec"]["template"]["metadata"]["annotations"]["checksum/ocpp-bridge-topology"]
    changed = render({"settings": {"topologyFile": {"content": TOPOLOGY + "\n# changed\n"}}})
    assert (
        one(changed, "Deployment")["spec"]["template"]["metadata"]["annotations"][
            "checksum/ocpp-bridge-topology"
        ]
        != checksum
    )


# --- pod behaviour --------------------------------------------------------------------------------------


@pytest.mark.parametrize("drain_timeout", [0, 20, 42.5])
def test_grace_period_covers_the_drain(drain_timeout: float) -> None:
    values = {
        "settings": {"drainTimeout": drain_timeout},
        "preStopSleepSeconds": 5,
        "terminationGraceMarginSeconds": 10,
    }
    manifests = render(values)
    pod, container = pod_spec(manifests), bridge_container(manifests)
    started = started_settings(container)
    assert started.drain_timeout == drain_timeout
    assert container["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", "5"]
    assert pod["terminationGracePeriodSeconds"] == 5 + -(-drain_timeout // 1) + 10
    assert pod["terminationGracePeriodSeconds"] >= 5 + started.drain_timeout


def test_no_prestop_hook_when_disabled() -> None:
    manifests = render({"preStopSleepSeconds": 0})
    assert "lifecycle" not in bridge_container(manifests)
    assert pod_spec(manifests)["terminationGracePeriodSeconds"] == 20 + 10


def test_sidecar_pod_grace_period_lets_the_bridge_drain_first(example_csms_chart: Path) -> None:
    manifests = sidecar_example_manifests(example_csms_chart, {"settings": {"drainTimeout": 30}})
    pod = pod_spec(manifests)
    csms = next(c for c in pod["containers"] if c["name"] == "csms")
    drain = 5 + 30  # the bridge's preStop pause and drain
    assert csms["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", str(drain)]
    assert pod["terminationGracePeriodSeconds"] == drain + 30  # then the CSMS's own 30 s


@pytest.mark.parametrize(("port", "admin_port"), [(9100, 9101), (8443, 9000)])
def test_probes_and_ports_follow_the_port_settings(port: int, admin_port: int) -> None:
    values = {
        "settings": {"port": port, "adminPort": admin_port},
        "service": {"port": 80, "type": "LoadBalancer"},
        "ingress": {"enabled": True},
    }
    manifests = render(values)
    container = bridge_container(manifests)
    station_port, admin = container["ports"]
    started = started_settings(container)
    assert station_port["containerPort"] == port == started.port
    assert admin["containerPort"] == admin_port == started.admin_port
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": admin["name"]}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": admin["name"]}
    service = station_service(manifests)
    (service_port,) = service["spec"]["ports"]  # the stations' Service publishes the station port only
    assert service_port["port"] == 80 and service_port["targetPort"] == station_port["name"]
    backend = one(manifests, "Ingress")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": service["metadata"]["name"], "port": {"name": service_port["name"]}}
    internal = admin_service(manifests)
    assert internal["spec"]["type"] == "ClusterIP"
    assert internal["spec"]["ports"] == [
        {"name": "admin", "port": admin_port, "targetPort": admin["name"], "protocol": "TCP"}
    ]
    assert internal["spec"]["selector"] == service["spec"]["selector"]


def test_service_selects_the_bridge_pods() -> None:
    manifests = render()
    deployment, service = one(manifests, "Deployment"), station_service(manifests)
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    pdb = one(manifests, "PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]


def test_sidecar_service_selects_the_csms_pods(example_csms_chart: Path) -> None:
    manifests = sidecar_example_manifests(example_csms_chart)
    deployments = of_kind(manifests, "Deployment")
    assert [d["metadata"]["name"] for d in deployments] == [f"{RELEASE}-csms"]  # no bridge Deployment
    pod_labels = deployments[0]["spec"]["template"]["metadata"]["labels"]
    assert station_service(manifests)["spec"]["selector"].items() <= pod_labels.items()
    pod, container = pod_spec(manifests), bridge_container(manifests)
    assert {m["name"] for m in container["volumeMounts"]} <= {v["name"] for v in pod["volumes"]}


@pytest.mark.parametrize("mode", ["standalone", "sidecar"])
def test_container_is_locked_down(mode: str, example_csms_chart: Path) -> None:
    manifests = render() if mode == "standalone" else sidecar_example_manifests(example_csms_chart)
    context = bridge_container(manifests)["securityContext"]
    assert context["runAsNonRoot"] is True and context["runAsUser"] > 0
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert any(m["mountPath"] == "/tmp" for m in bridge_container(manifests)["volumeMounts"])
    if mode == "standalone":
        pod = pod_spec(manifests)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False
        assert pod["enableServiceLinks"] is False


def test_labels_are_the_recommended_ones() -> None:
    for manifest in render(ALL_FEATURES):
        labels = manifest["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == "ocpp-bridge"
        assert labels["app.kubernetes.io/instance"] == RELEASE
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["app.kubernetes.io/version"] == load_yaml(CHART / "Chart.yaml")["appVersion"]
        assert labels["helm.sh/chart"] == "ocpp-bridge-" + load_yaml(CHART / "Chart.yaml")["version"]


def test_autoscaler_owns_the_replica_count() -> None:
    manifests = render(ALL_FEATURES)
    assert "replicas" not in one(manifests, "Deployment")["spec"]
    hpa = one(manifests, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": one(manifests, "Deployment")["metadata"]["name"],
    }
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu", "memory"]
    redis = {"storeUrl": "redis://redis:6379/0"}
    assert one(render({"replicaCount": 3, "settings": redis}), "Deployment")["spec"]["replicas"] == 3


def test_service_monitor_scrapes_the_metrics_endpoint() -> None:
    """The CRD's shape, by hand (kubernetes-validate has no schema for monitoring.coreos.com/v1)."""
    manifests = render(ALL_FEATURES)
    monitor, service = one(manifests, "ServiceMonitor"), admin_service(manifests)
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert set(monitor) == {"apiVersion", "kind", "metadata", "spec", SOURCE}
    assert set(monitor["spec"]) == {"selector", "namespaceSelector", "endpoints"}
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    station = station_service(manifests)  # selected by the labels it shares with the admin Service: no
    assert not monitor["spec"]["selector"]["matchLabels"].items() <= station["metadata"]["labels"].items()
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] == service["spec"]["ports"][0]["name"]
    assert endpoint["path"] == "/metrics"
    for duration in (endpoint["interval"], endpoint["scrapeTimeout"]):
        assert re.fullmatch(r"[0-9]+(ms|s|m|h)", duration)


def test_ingress_keeps_websockets_open_and_terminates_tls() -> None:
    ingress = one(render(ALL_FEATURES), "Ingress")
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "3600"
    assert annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"] == "3600"
    assert annotations["cert-manager.io/cluster-issuer"] == "letsencrypt"  # user annotations are added
    assert ingress["spec"]["tls"] == [{"secretName": "ocpp-tls", "hosts": ["ocpp.example.com"]}]
    assert ingress["spec"]["ingressClassName"] == "nginx"


def test_notes_tell_how_to_reach_the_bridge() -> None:
    notes = render_notes()
    assert "WARNING: settings.csmsUrl is empty" in notes
    assert "kubectl port-forward --namespace charging service/rel-ocpp-bridge 9100:9100" in notes
    notes = render_notes(ALL_FEATURES)
    assert "wss://ocpp.example.com/ocpp16/<station id>" in notes
    assert "WARNING" not in notes
    assert 'include "ocpp-bridge.sidecar"' in render_notes(sidecar_bridge_values())


# --- files around the chart -----------------------------------------------------------------------------

KEY_LINE = re.compile(r"^\s*(?:- )?[^#\s][^#]*?:(?:\s|$)")


def undocumented_keys(path: Path) -> Iterator[str]:
    previous = ""
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if KEY_LINE.match(line) and not previous.lstrip().startswith("#") and " # " not in line:
            yield f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        if line.strip():
            previous = line


@pytest.mark.parametrize(
    "path", [CHART / "values.yaml", SIDECAR_VALUES, EXAMPLE_CSMS_CHART / "values.yaml"], ids=lambda p: p.name
)
def test_values_are_documented_line_by_line(path: Path) -> None:
    assert list(undocumented_keys(path)) == []


def test_chart_image_is_the_project() -> None:
    """The chart's default image is the one the Dockerfile builds from this project."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    chart = load_yaml(CHART / "Chart.yaml")
    assert chart["appVersion"] == project["version"]
    assert "ocpp-bridge" in project["scripts"]  # the container's command
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r'^ENTRYPOINT \["ocpp-bridge"\]$', dockerfile, re.M)
    user = re.search(r"^USER (\d+):(\d+)$", dockerfile, re.M)
    assert user, "the Dockerfile must end with a numeric USER (runAsNonRoot needs it)"
    context = chart_values()["securityContext"]
    assert (int(user.group(1)), int(user.group(2))) == (context["runAsUser"], context["runAsGroup"])
    settings = chart_values()["settings"]
    assert re.search(rf"^EXPOSE {settings['port']} {settings['adminPort']}$", dockerfile, re.M)


# --- extension points -----------------------------------------------------------------------------------


def test_settings_from_an_existing_secret_and_more_env_sources() -> None:
    """A csmsUrl with credentials need not be a plain env value: BRIDGE_* keys of a Secret, by envFrom."""
    manifests = render({"existingSecret": "ocpp-bridge-env", "envFrom": [{"configMapRef": {"name": "more"}}]})
    container = bridge_container(manifests)
    assert container["envFrom"] == [
        {"secretRef": {"name": "ocpp-bridge-env"}},
        {"configMapRef": {"name": "more"}},
    ]
    assert "BRIDGE_CSMS_URL" not in container_env(container)  # empty in values: the Secret's applies
    assert "WARNING: settings.csmsUrl is empty" not in render_notes({"existingSecret": "ocpp-bridge-env"})
    assert "envFrom" not in bridge_container(render())


def test_extra_volumes_mounts_init_and_extra_containers() -> None:
    manifests = render(ALL_FEATURES)
    pod, container = pod_spec(manifests), bridge_container(manifests)
    assert {"name": "station-certs", "secret": {"secretName": "station-certs"}} in pod["volumes"]
    assert {"name": "station-certs", "mountPath": "/etc/station-certs", "readOnly": True} in container[
        "volumeMounts"
    ]
    assert {m["name"] for m in container["volumeMounts"]} <= {v["name"] for v in pod["volumes"]}
    assert [c["name"] for c in pod["initContainers"]] == ["wait-for-csms"]
    assert [c["name"] for c in pod["containers"]] == [CONTAINER, "log-shipper"]
    assert "initContainers" not in pod_spec(render())


def test_startup_probe_holds_off_the_liveness_probe_when_enabled() -> None:
    container = bridge_container(render({"startupProbe": {"enabled": True, "failureThreshold": 60}}))
    assert container["startupProbe"] == {
        "httpGet": {"path": "/healthz", "port": "admin"},
        "periodSeconds": 2,
        "timeoutSeconds": 3,
        "failureThreshold": 60,
    }
    assert "startupProbe" not in bridge_container(render())


def test_service_traffic_policy_and_source_ranges_where_kubernetes_takes_them() -> None:
    service = {"externalTrafficPolicy": "Local", "loadBalancerSourceRanges": ["203.0.113.0/24"]}
    balanced = station_service(render({"service": {"type": "LoadBalancer", **service}}))["spec"]
    assert balanced["externalTrafficPolicy"] == "Local"
    assert balanced["loadBalancerSourceRanges"] == ["203.0.113.0/24"]
    node_port = station_service(render({"service": {"type": "NodePort", **service}}))["spec"]
    assert node_port["externalTrafficPolicy"] == "Local" and "loadBalancerSourceRanges" not in node_port
    internal = station_service(render({"service": service}))["spec"]  # ClusterIP: the API refuses them
    assert "externalTrafficPolicy" not in internal and "loadBalancerSourceRanges" not in internal


def test_service_monitor_namespace_and_relabelings() -> None:
    monitor = one(render(ALL_FEATURES), "ServiceMonitor")
    assert monitor["metadata"]["namespace"] == "monitoring"
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}  # still scrapes the release
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["relabelings"] == ALL_FEATURES["metrics"]["serviceMonitor"]["relabelings"]
    assert endpoint["metricRelabelings"] == ALL_FEATURES["metrics"]["serviceMonitor"]["metricRelabelings"]
    assert (
        one(render({"metrics": {"serviceMonitor": {"enabled": True}}}), "ServiceMonitor")["metadata"][
            "namespace"
        ]
        == NAMESPACE
    )


def exported_metric_names() -> set[str]:
    """Every series name the bridge's /metrics serves (a fresh registry, as at start-up)."""
    from prometheus_client import generate_latest

    from bridge.engine import Side
    from bridge.metrics import Metrics

    metrics = Metrics()
    metrics.timeout(Side.CSMS, "Heartbeat")
    metrics.store_errors.labels("save").inc()
    text = generate_latest(metrics.registry).decode()
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if not line.startswith("#")}


def test_prometheus_rule_alerts_on_what_the_bridge_exports() -> None:
    manifests = render(ALL_FEATURES)
    rule = one(manifests, "PrometheusRule")
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    (group,) = rule["spec"]["groups"]
    alerts = {r["alert"]: r for r in group["rules"]}
    assert set(alerts) == {
        "OcppBridgeOpenFilesNearLimit",
        "OcppBridgeCallTimeouts",
        "OcppBridgeStoreErrors",
        "OcppBridgeNoStations",  # extraRules
    }
    exported = exported_metric_names()
    admin = admin_service(manifests)["metadata"]["name"]
    for name, alert in alerts.items():
        if name == "OcppBridgeNoStations":
            continue
        used = set(re.findall(r"\b((?:process|bridge)_[a-z_]+)\{", alert["expr"]))
        assert used and used <= exported, (name, used - exported)
        # scoped to this release's pods: the series scraped through its admin Service
        assert alert["expr"].count(f'service="{admin}"') == alert["expr"].count("{")
        assert alert["labels"]["severity"] in ("warning", "critical")
        assert "{{ $labels.pod }}" in alert["annotations"]["summary"]
    assert alerts["OcppBridgeOpenFilesNearLimit"]["expr"].endswith("> 0.7")
    assert alerts["OcppBridgeCallTimeouts"]["expr"].endswith("> 0.05")
    assert not of_kind(render(), "PrometheusRule")


def test_network_policy_opens_the_two_ports_to_their_peers() -> None:
    manifests = render(ALL_FEATURES)
    policy, container = one(manifests, "NetworkPolicy"), bridge_container(manifests)
    assert (
        policy["spec"]["podSelector"]["matchLabels"]
        == one(manifests, "Deployment")["spec"]["selector"]["matchLabels"]
    )
    stations, admin = policy["spec"]["ingress"]
    ports = {p["name"] for p in container["ports"]}
    assert stations["ports"][0]["port"] == "ocpp-bridge" and admin["ports"][0]["port"] == "admin"
    assert {stations["ports"][0]["port"], admin["ports"][0]["port"]} == ports
    assert stations["from"] == ALL_FEATURES["networkPolicy"]["stationsFrom"]
    assert admin["from"] == ALL_FEATURES["networkPolicy"]["adminFrom"]
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    default = one(render({"networkPolicy": {"enabled": True}}), "NetworkPolicy")["spec"]
    assert "from" not in default["ingress"][0]  # stations: from anywhere
    assert default["ingress"][1]["from"] == [{"podSelector": {}}]  # metrics: this namespace only
    assert default["policyTypes"] == ["Ingress"]


# --- state: the SQLite store on a volume, and refused where it cannot work ---------------------------------


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_persistence_keeps_the_sqlite_store_on_a_claim(kube_version: str) -> None:
    values = {
        "persistence": {
            "enabled": True,
            "storageClass": "fast",
            "annotations": {"helm.sh/resource-policy": "keep"},
        }
    }
    manifests = render(values)
    assert_valid(manifests, kube_version)
    claim, deployment = one(manifests, "PersistentVolumeClaim"), one(manifests, "Deployment")
    assert claim["spec"]["storageClassName"] == "fast"
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"
    assert claim["metadata"]["annotations"] == {"helm.sh/resource-policy": "keep"}
    pod, container = pod_spec(manifests), bridge_container(manifests)
    volume = next(v for v in pod["volumes"] if "persistentVolumeClaim" in v)
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    mount = next(m for m in container["volumeMounts"] if m["name"] == volume["name"])
    store = started_settings(container).store_url
    assert store == f"sqlite:///{mount['mountPath']}/ocpp-bridge.sqlite3"
    assert pod["securityContext"]["fsGroup"] == container["securityContext"]["runAsGroup"]  # writable
    # one pod holds a ReadWriteOnce volume at a time: no surge pod waiting for it
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert "PersistentVolumeClaim" not in {m["kind"] for m in render()}


def test_persistence_with_an_existing_claim_and_an_explicit_store_path() -> None:
    values = {
        "persistence": {"enabled": True, "existingClaim": "bridge-data", "mountPath": "/data"},
        "settings": {"storeUrl": "sqlite:////data/transactions.sqlite3"},
    }
    manifests = render(values)
    assert not of_kind(manifests, "PersistentVolumeClaim")
    volume = next(v for v in pod_spec(manifests)["volumes"] if "persistentVolumeClaim" in v)
    assert volume["persistentVolumeClaim"] == {"claimName": "bridge-data"}
    assert started_settings(bridge_container(manifests)).store_url == "sqlite:////data/transactions.sqlite3"
    assert "the volume is unused" not in render_notes(values)
    elsewhere = {**values, "settings": {"storeUrl": "sqlite:////tmp/other.sqlite3"}}
    assert "the volume is unused" in render_notes(elsewhere)


@pytest.mark.parametrize(
    "values",
    [
        {"replicaCount": 2},
        {"autoscaling": {"enabled": True}},
        {"replicaCount": 2, "persistence": {"enabled": True}},
    ],
    ids=["replicas", "autoscaling", "replicas with persistence"],
)
def test_sqlite_with_several_pods_is_refused_with_the_way_out(values: dict[str, Any]) -> None:
    with pytest.raises(helm.HelmRenderError, match=r"shared Redis \(settings.storeUrl=redis://"):
        render(values)
    redis = deep_merge(values, {"settings": {"storeUrl": "redis://redis.charging.svc:6379/0"}})
    assert of_kind(render(redis), "Deployment")


def test_notes_say_what_the_store_keeps(example_csms_chart: Path) -> None:
    assert "not a new pod (every upgrade starts it empty)" in render_notes()
    assert "running transactions survive upgrades" in render_notes({"persistence": {"enabled": True}})
    redis = render_notes({"settings": {"storeUrl": "redis://:pw@redis:6379/0"}})
    assert (
        "Transaction store: redis://[redacted]@redis:6379/0" in redis and "pw" not in redis.split("store:")[1]
    )
    assert "WARNING: SQLite in each CSMS pod" in render_notes(sidecar_bridge_values())


def test_migration_settings_reach_the_bridge_and_a_legacy_mode_needs_the_legacy_csms() -> None:
    """legacyCsmsUrl, defaultMode, the modes file (mounted) and shadowTimeout; the schema refuses a
    mode other than primary without the 1.6 CSMS, as the bridge would at start-up."""
    values = {
        "settings": {
            "csmsUrl": "wss://new.example.com/ocpp",
            "legacyCsmsUrl": "wss://old.example.com/ocpp16",
            "defaultMode": "shadow",
            "stationModesFile": {"configMapName": "fleet-modes", "key": "modes.txt"},
            "shadowTimeout": 4,
        }
    }
    manifests = render(values)
    container, pod = bridge_container(manifests), pod_spec(manifests)
    env = container_env(container)
    assert env["BRIDGE_LEGACY_CSMS_URL"] == "wss://old.example.com/ocpp16"
    assert env["BRIDGE_DEFAULT_MODE"] == "shadow" and env["BRIDGE_SHADOW_TIMEOUT"] == "4"
    volume = next(v for v in pod["volumes"] if v.get("configMap", {}).get("name") == "fleet-modes")
    mount = next(m for m in container["volumeMounts"] if m["name"] == volume["name"])
    assert env["BRIDGE_STATION_MODES_FILE"] == f"{mount['mountPath']}/modes.txt"
    started = started_settings(container)
    assert (started.default_mode, started.shadow_timeout) == ("shadow", 4.0)
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmValuesError, match="legacyCsmsUrl"):
        chart.validate_schema(chart.merge_values({"settings": {"defaultMode": "legacy"}}))


# --- several worker processes in one container ------------------------------------------------------------


@pytest.mark.parametrize("workers", [2, "auto"])
def test_workers_reach_the_bridge_and_refuse_a_store_of_their_own(
    workers: int | str, example_csms_chart: Path
) -> None:
    container = bridge_container(render({"settings": {"workers": workers}}))
    assert container_env(container)["BRIDGE_WORKERS"] == str(workers)
    assert started_settings(container).workers == workers
    memory = {"settings": {"workers": workers, "storeUrl": "memory:"}}
    with pytest.raises(helm.HelmRenderError, match=r"settings.workers is .* memory:.*settings.workers=1"):
        render(memory)
    with pytest.raises(helm.HelmRenderError, match=r"settings\.storeUrl is memory:"):
        sidecar_example_manifests(example_csms_chart, memory)
    assert started_settings(bridge_container(render({"settings": {"storeUrl": "memory:"}}))).workers == 1


@pytest.mark.parametrize("workers", [0, -1, "many", 1.5])
def test_schema_refuses_workers_the_bridge_refuses(workers: Any) -> None:
    with pytest.raises(pydantic.ValidationError):
        Settings(workers=workers)
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmValuesError):
        chart.validate_schema(chart.merge_values({"settings": {"workers": workers}}))
