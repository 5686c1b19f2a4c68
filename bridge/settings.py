"""Every bridge setting in one place: command-line flag and environment variable alike.

Each field of `Settings` is settable as `--flag-name` on the command line and as `BRIDGE_FIELD_NAME`
in the environment (a flag wins over the environment). `load_settings` is the one loader: the CLI,
the Helm chart tests and the demo all call it, so nothing is parsed twice.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "BRIDGE_"


class Settings(BaseSettings):
    """Configuration of one bridge process."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    csms_url: str = Field(
        "",
        description="Base URL of the OCPP 2.0.1 CSMS (ws:// or wss://); the station id is appended.",
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
    log_format: Literal["json", "text"] = Field("json", description="json: one object a line; text: humans.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
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
    store_url: str = Field(
        "sqlite:///ocpp-bridge.sqlite3",
        description="Where transaction ids are kept: sqlite:///<path>, redis://host:port/db (shared), memory:.",
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

    @model_validator(mode="after")
    def _ports_differ(self) -> Settings:
        if self.admin_port and self.admin_port == self.port:
            raise ValueError(f"--admin-port must differ from --port ({self.port})")
        return self

    @field_validator("csms_url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if value and not value.startswith(("ws://", "wss://")):
            raise ValueError("must start with ws:// or wss://")
        return value.rstrip("/")

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
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):  # type: ignore[no-untyped-def]
        # The environment is passed in explicitly by load_settings (see there), never read implicitly,
        # so tests and the chart checks can hand in any environment they like.
        return (init_settings,)


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


def load_settings(argv: Sequence[str] = (), env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from command-line flags (argv, without the program name) and an environment.

    Precedence: flag, then environment variable, then the default. Raises pydantic.ValidationError
    for a bad value and SystemExit for an unknown flag.
    """
    parser = argparse.ArgumentParser(add_help=False)
    add_setting_flags(parser)
    args = parser.parse_args(list(argv))
    return settings_from(vars(args), env)


def settings_from(flags: Mapping[str, Any], env: Mapping[str, str] | None) -> Settings:
    values: dict[str, Any] = {}
    for name in Settings.model_fields:
        if env is not None and env_name(name) in env:
            values[name] = env[env_name(name)]
        if flags.get(name) is not None:
            values[name] = flags[name]
    return Settings(**values)
