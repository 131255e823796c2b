"""Configuration from environment variables, declared as data.

Every setting a process reads is a `Setting` in a list; `load` parses them all and
fails with a `ConfigError` naming the variable and the bad value (secrets are not
echoed). The same lists feed `.env.example` and the deploy-manifest consistency test.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any


class ConfigError(ValueError):
    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    parse: Callable[[str], Any]
    help: str
    secret: bool = False

    @property
    def attr(self) -> str:
        return self.name.removeprefix("CLUB_").lower()


def port(value: str) -> int:
    number = int(value)
    if not 0 <= number <= 65535:
        raise ValueError("must be a TCP port 0..65535")
    return number


def positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError("must be a positive integer")
    return number


def non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be zero or a positive integer")
    return number


def boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("must be true or false")


def one_of(*choices: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value

    return parse


def text(value: str) -> str:
    return value


ENVIRONMENTS = ("development", "test", "production")
MIN_KEY_BYTES = 32


def signing_key(config, setting: Setting, demo_key: bytes) -> bytes:
    """A base64 key setting as bytes: required in production and at least MIN_KEY_BYTES; in
    development and test, unset means `demo_key` (so a fresh machine runs without secrets)."""
    value = getattr(config, setting.attr)
    try:
        key = base64.b64decode(value, validate=True) if value else b""
    except ValueError:
        raise ConfigError(setting.name, "must be base64") from None
    if not key:
        if config.env == "production":
            raise ConfigError(setting.name, "is required in production")
        return demo_key
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(setting.name, f"must be at least {MIN_KEY_BYTES} bytes (base64)")
    return key

COMMON = [
    Setting("CLUB_ENV", "development", one_of(*ENVIRONMENTS),
            "development and test allow built-in demo keys; production requires every key"),
    Setting("CLUB_LOG_LEVEL", "INFO", one_of("DEBUG", "INFO", "WARNING", "ERROR"), "log level"),
    Setting("CLUB_LOG_FORMAT", "json", one_of("json", "text"), "json for machines, text for people"),
    Setting("CLUB_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/club", text,
            "Postgres URL; each service uses its own schema in this database"),
    Setting("CLUB_DB_POOL_MIN", "2", positive_int, "Postgres pool minimum connections"),
    Setting("CLUB_DB_POOL_MAX", "10", positive_int, "Postgres pool maximum connections"),
    Setting("CLUB_REDIS_URL", "redis://127.0.0.1:6379/0", text,
            "Redis URL; redis+cluster://host:port,host:port,... is a Redis Cluster (any nodes of it)"),
    Setting("CLUB_REDIS_CLUSTER", "false", boolean,
            "true: CLUB_REDIS_URL (redis://) names one node of a Redis Cluster, and the cluster is used"),
    Setting("CLUB_GRPC_HOST", "0.0.0.0", text, "address the gRPC server binds"),
    Setting("CLUB_METRICS_PORT", "0", port, "Prometheus /metrics port; 0 = disabled"),
    Setting("CLUB_HEALTH_PORT", "0", port,
            "plaintext port serving only grpc.health.v1 (Kubernetes gRPC probes cannot present a client "
            "certificate); 0 = health only on the gRPC port"),
    Setting("CLUB_SHUTDOWN_GRACE_SECONDS", "10", positive_int, "time in-flight RPCs get on SIGTERM"),
    Setting("CLUB_TLS_DIR", "", text,
            "directory with ca.pem and <service>.pem/<service>-key.pem for mTLS; empty = plaintext"),
    Setting("CLUB_DATA_DIR", "./var", text, "where reports and printing files are written"),
]


def load(settings: Iterable[Setting], env: Mapping[str, str] | None = None) -> SimpleNamespace:
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for setting in settings:
        raw = env.get(setting.name, setting.default)
        try:
            values[setting.attr] = setting.parse(raw)
        except (ValueError, TypeError) as exc:
            # A parser's message may quote the value, so secrets get a generic one.
            detail = "invalid secret value" if setting.secret else f"invalid value {raw!r}: {exc}"
            raise ConfigError(setting.name, detail) from None
    return SimpleNamespace(**values)
