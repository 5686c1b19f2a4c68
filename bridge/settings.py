"""Every bridge setting in one place: command-line flag, environment variable and secret file alike.

Each field of `Settings` is settable as `--flag-name` on the command line, as `BRIDGE_FIELD_NAME` in
the environment, and as a file named `BRIDGE_FIELD_NAME` (any case) in /run/secrets, where Docker and
Kubernetes mount secrets: a flag wins over the environment, which wins over a secret file, which wins
over the default. argparse reads the flags; pydantic-settings reads the environment and the secret
files (its sources, in `Settings.settings_customise_sources`). `load_settings` is the one loader:
the CLI, the Helm chart tests and the demo all call it, so nothing is parsed twice.
"""

from __future__ import annotations

import argparse
import contextvars
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
)

ENV_PREFIX = "BRIDGE_"
SECRETS_DIR = Path("/run/secrets")
# What settings_from hands to settings_customise_sources: (environment, secrets directory). Unset
# (a plain Settings(...) in code and tests) means neither is read: the caller's values and defaults.
_SOURCES: contextvars.ContextVar[tuple[Mapping[str, str] | None, Path | None] | None] = (
    contextvars.ContextVar("settings_sources", default=None)
)


class Settings(BaseSettings):
    """Configuration of one bridge process."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    csms_url: str = Field(
        "",
        description="Base URL of the OCPP 2.0.1 CSMS (ws:// or wss://); the station id is appended.",
    )
    csms_version: Literal["2.0.1", "2.1"] = Field(
        "2.0.1",
        description="OCPP version preferred towards the CSMS: the bridge offers ocpp2.0.1 and ocpp2.1, this one "
        "first, and translates to whichever the CSMS accepts (README: OCPP 2.1 upstream).",
    )
    host: str = Field("0.0.0.0", description="Address to listen on for stations.")
    port: int = Field(9100, ge=0, le=65535, description="Port for stations.")
    admin_port: int = Field(
        9101, ge=0, le=65535, description="Port for /healthz, /readyz and /metrics (never for stations)."
    )
    health_on_station_port: bool = Field(
        False, description="Also answer /healthz and /readyz on the station port (for a load balancer)."
    )
    listen_backlog: int = Field(
        1024,
        ge=1,
        description="Connections the kernel queues before the bridge accepts them (capped by somaxconn).",
    )
    workers: Annotated[int, Field(ge=1)] | Literal["auto"] = Field(
        1,
        description="Worker processes accepting stations on the same port (SO_REUSEPORT) under one "
        "supervisor; auto: one per CPU available to the process. Above 1 the store must be shared "
        "(sqlite:/// or redis://, not memory:).",
    )
    log_format: Literal["json", "text"] = Field("json", description="json: one object a line; text: humans.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level (any case)."
    )
    event_loop: Literal["auto", "asyncio", "uvloop"] = Field(
        "auto",
        description="Event loop: auto (uvloop where installed, as it is with the package on Linux and "
        "macOS: about an eighth less CPU per call), asyncio, or uvloop.",
    )
    ws_ping_interval: float = Field(
        30.0,
        ge=0,
        description="Seconds between WebSocket pings to each station and the CSMS; a peer that does not "
        "answer within half that is treated as gone and the pair is closed (0: no pings).",
    )
    trace: list[str] = Field(
        default_factory=list,
        description="Station ids or glob patterns (comma separated) whose frames are logged, in and out, "
        "credentials redacted, at any log level; at --log-level DEBUG every station's are.",
    )
    call_timeout: float = Field(30.0, gt=0, description="Seconds to wait for the answer to a call.")
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to open the upstream connection.")
    drain_timeout: float = Field(
        20.0, ge=0, description="Grace period in seconds to close all stations on SIGTERM."
    )
    max_frame_size: int = Field(65536, ge=1024, description="Largest WebSocket frame accepted, in bytes.")
    max_pending_calls: int = Field(
        16, ge=1, description="Calls one station may have waiting for an answer before it is refused."
    )
    max_send_buffer: int = Field(
        262144,
        ge=16384,
        description="Bytes that may wait for a peer that is not reading before its pair is closed "
        "(one frame always fits).",
    )
    send_timeout: float = Field(
        30.0,
        gt=0,
        description="Seconds a peer may take none of the data waiting for it before its pair is closed.",
    )
    ca_bundle: Path | None = Field(None, description="CA bundle (PEM) to verify a wss:// CSMS.")
    topology_file: Path | None = Field(
        None, description="TOML file mapping 1.6 connectors to 2.0.1 EVSE/connector per station or model."
    )
    security_extension: bool = Field(
        False, description="Treat every station as supporting the OCPP 1.6 security extension."
    )
    security_extension_stations: list[str] = Field(
        default_factory=list,
        description="Station ids that support the OCPP 1.6 security extension (comma separated).",
    )
    id_token_type: str = Field("ISO14443", description="2.0.1 idToken type given to 1.6 idTags.")
    station_repairs: Literal["on", "off"] = Field(
        "on",
        description="Repair known 1.6 firmware quirks (mappings/repairs.toml) before strict validation; "
        "off: refuse them. The topology file may override it per station or model.",
    )
    store_url: str = Field(
        "sqlite:///ocpp-bridge.sqlite3",
        description="Where transaction ids are kept: sqlite:///<path>, redis://host:port/db (shared), memory:.",
    )
    store_timeout: float = Field(
        2.0,
        gt=0,
        description="Seconds a store operation may take; past it the station whose frame needed it gets "
        "InternalError (and retries), other stations are not affected.",
    )
    store_retention: float = Field(
        7 * 86400.0,
        gt=0,
        description="Seconds an ended transaction is kept in the store (for a retried StopTransaction) "
        "before it is pruned; running ones are kept until they end.",
    )
    offline_after: float = Field(
        60.0,
        gt=0,
        description="A transaction message older than this many seconds is sent with offline: true.",
    )
    upstream_connect_rate: float = Field(
        50.0, gt=0, description="Upstream connections opened per second at most; a reconnect storm queues."
    )
    upstream_connect_burst: int = Field(
        50, ge=1, description="Upstream connections that may open at once before the rate applies."
    )
    handshake_timeout: float = Field(
        10.0, gt=0, description="Seconds a client has to send its whole HTTP request (slow clients are cut)."
    )
    station_allowlist_file: Path | None = Field(
        None, description="File of allowed station ids or glob patterns, one a line (reloaded on SIGHUP)."
    )
    station_id_pattern: str = Field(
        "", description="Regular expression every station id must match in full (empty: any)."
    )
    tls_cert_file: Path | None = Field(
        None, description="Certificate chain (PEM) for wss:// stations; reloaded on SIGHUP."
    )
    tls_key_file: Path | None = Field(None, description="Private key (PEM) of --tls-cert-file.")
    upstream_client_cert_file: Path | None = Field(
        None, description="Client certificate (PEM) the bridge presents to a wss:// CSMS (mTLS)."
    )
    upstream_client_key_file: Path | None = Field(
        None, description="Private key (PEM) of --upstream-client-cert-file."
    )
    legacy_csms_url: str = Field(
        "",
        description="Base URL of the OCPP 1.6J CSMS a fleet migrates from (ws:// or wss://), for the "
        "modes legacy, shadow and primary+legacy-shadow; the station id is appended.",
    )
    default_mode: Literal["primary", "legacy", "shadow", "primary+legacy-shadow"] = Field(
        "primary",
        description="Mode of a 1.6 station that --station-modes-file does not name: primary (the 2.0.1 "
        "CSMS decides), legacy (the 1.6 CSMS only), shadow (the 1.6 CSMS decides, the 2.0.1 CSMS gets "
        "copies), primary+legacy-shadow (the 2.0.1 CSMS decides, the 1.6 CSMS gets copies).",
    )
    station_modes_file: Path | None = Field(
        None,
        description="File of `<station id or glob pattern> <mode>` lines (reloaded on SIGHUP; a change "
        "applies at the station's next connection).",
    )
    shadow_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds the shadow CSMS has to answer a copied call; a later answer only counts as "
        "a timeout (the station never waits for the shadow).",
    )

    @model_validator(mode="after")
    def _ports_differ(self) -> Settings:
        if self.admin_port and self.admin_port == self.port:
            raise ValueError(f"--admin-port must differ from --port ({self.port})")
        return self

    @model_validator(mode="after")
    def _legacy_url_for_legacy_modes(self) -> Settings:
        if self.default_mode != "primary" and not self.legacy_csms_url:
            raise ValueError(f"--default-mode {self.default_mode} needs --legacy-csms-url (the 1.6 CSMS)")
        return self

    @field_validator("csms_url", "legacy_csms_url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if value and not value.startswith(("ws://", "wss://")):
            raise ValueError("must start with ws:// or wss://")
        if value:
            try:
                parts = urlsplit(value)
                parts.port  # noqa: B018 (raises on a port that is not a number)
            except ValueError as exc:
                raise ValueError(f"not a URL: {exc}") from None
            if not parts.hostname:
                raise ValueError("has no host: ws://<host>[:port]/<path> or wss://...")
        return value.rstrip("/")

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _any_case(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.upper() if value.lower() in ("debug", "info", "warning", "error") else value.lower()
        return value

    @field_validator("id_token_type")
    @classmethod
    def _token_type(cls, value: str) -> str:
        from bridge.models.v201 import IdTokenEnumType

        valid = [t.value for t in IdTokenEnumType]
        if value not in valid:
            raise ValueError(f"must be one of {', '.join(valid)}")
        return value

    @field_validator("security_extension_stations", "trace", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("station_id_pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        import re

        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment is handed in by load_settings/settings_from (see there), never read from
        # os.environ implicitly, so tests and the chart checks can give any environment they like.
        # Flags arrive as init settings and win; then the environment; then the secret files.
        given = _SOURCES.get()
        if given is None:
            return (init_settings,)
        env, secrets_dir = given
        sources: list[PydanticBaseSettingsSource] = [init_settings]
        if env is not None:
            sources.append(_GivenEnvironment(settings_cls, env))
        if secrets_dir is not None and secrets_dir.is_dir():
            sources.append(_SecretFiles(settings_cls, secrets_dir=secrets_dir))
        return tuple(sources)


class _PlainLists:
    """A list setting is comma separated (CP-1,CP-2) in the environment and files, as on the command
    line, not JSON: hand the text to the field's own validator."""

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        return value


class _GivenEnvironment(_PlainLists, EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._given = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in self._given.items()}


class _SecretFiles(_PlainLists, SecretsSettingsSource):
    """One file a setting, named like its environment variable; its content (stripped) is the value."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        value, key, complex_ = super().get_field_value(field, field_name)
        return (value.strip() if isinstance(value, str) else value), key, complex_


def flag_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """Add one flag per setting; the default is None so that unset flags fall back to the environment."""
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        help_text = f"{field.description} Env: {env_name(name)}. Default: {default!r}."
        if field.annotation is bool:
            parser.add_argument(
                flag_name(name),
                dest=name,
                action=argparse.BooleanOptionalAction,
                default=None,
                help=help_text,
            )
        else:
            parser.add_argument(flag_name(name), dest=name, default=None, help=help_text)


def load_settings(
    argv: Sequence[str] = (), env: Mapping[str, str] | None = None, secrets_dir: Path | None = None
) -> Settings:
    """Build Settings from command-line flags (argv, without the program name), an environment and a
    directory of secret files (none unless given; the CLI gives /run/secrets).

    Precedence: flag, environment variable, secret file, default. Raises pydantic.ValidationError
    for a bad value (see `describe_errors`) and SystemExit for an unknown flag.
    """
    parser = argparse.ArgumentParser(add_help=False)
    add_setting_flags(parser)
    args = parser.parse_args(list(argv))
    return settings_from(vars(args), env, secrets_dir)


def settings_from(
    flags: Mapping[str, Any], env: Mapping[str, str] | None, secrets_dir: Path | None = None
) -> Settings:
    values = {
        name: value for name, value in flags.items() if name in Settings.model_fields and value is not None
    }
    token = _SOURCES.set((env, secrets_dir))
    try:
        return Settings(**values)
    finally:
        _SOURCES.reset(token)


def describe_errors(exc: ValidationError) -> list[str]:
    """One line per bad value, naming the flag and the variable a user sets (not the Python field)."""
    from bridge.logs import redact

    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        if field in Settings.model_fields:
            given = redact(repr(error.get("input")))[:200]
            lines.append(f"{flag_name(field)} / {env_name(field)}: {message} (given: {given})")
        else:
            lines.append(message)
    return lines
