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
    # False: an error names the setting and the rule, never the value (a URL may hold a password).
    quoted: bool = True

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


# With several hosts, libpq tries each in turn and keeps the first whose session accepts writes:
# only these target_session_attrs make sure writes never go to a standby.
WRITABLE_SESSION_ATTRS = ("read-write", "primary")


def postgres_url(value: str) -> str:
    """A libpq URL or key=value string; several hosts (`postgresql://u@h1:p1,h2:p2/db`) name a
    primary and its standbys, and then `target_session_attrs` may only ask for the writable one."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(value)
    except ProgrammingError:
        raise ValueError("is not a Postgres URL (postgresql://user:password@host:port,host:port/database)") from None
    hosts = str(params.get("host", "")).split(",")
    ports = str(params.get("port", "")).split(",")
    if ports != [""] and len(ports) not in (1, len(hosts)):
        raise ValueError(f"names {len(hosts)} hosts and {len(ports)} ports: give one port, or one per host")
    for entry in ports:
        if entry:
            try:
                port(entry)
            except ValueError:
                raise ValueError(f"port {entry!r} is not a TCP port 1..65535") from None
    if len(hosts) > 1:
        if "" in hosts:
            raise ValueError("a host in the list is empty")
        attrs = params.get("target_session_attrs")
        if attrs and attrs not in WRITABLE_SESSION_ATTRS:
            raise ValueError(f"target_session_attrs={attrs} with several hosts may send writes to a standby;"
                             f" use {' or '.join(WRITABLE_SESSION_ATTRS)}")
    return value


def host_ports(value: str) -> tuple[tuple[str, int], ...]:
    """`host:port,host:port`, e.g. the primary and the standby; empty = none."""
    if not value.strip():
        return ()
    pairs = []
    for entry in value.split(","):
        host, sep, number = entry.strip().rpartition(":")
        host = host.removeprefix("[").removesuffix("]")  # [::1]:5432
        if not sep or not host or not number.isdigit() or any(ch in host for ch in " /@?=,"):
            raise ValueError(f"{entry.strip()!r} is not host:port")
        pairs.append((host, port(number)))
    if any(number == 0 for _, number in pairs):
        raise ValueError("port 0 is not a Postgres port")
    return tuple(pairs)


def database_url(url: str, hosts: tuple[tuple[str, int], ...]) -> str:
    """The URL the services connect with: `hosts` (CLUB_DATABASE_HOSTS), when given, replace the
    URL's, so the Secret holds the credentials and the config map the servers; with several
    hosts, target_session_attrs defaults to read-write (libpq's default, any, would take the
    first host that answers, standby or not)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    if hosts:
        params.pop("hostaddr", None)
        params["host"] = ",".join(host for host, _ in hosts)
        params["port"] = ",".join(str(number) for _, number in hosts)
    if len(str(params.get("host", "")).split(",")) > 1 and not params.get("target_session_attrs"):
        params["target_session_attrs"] = "read-write"
    elif not hosts:
        return url
    return postgres_url(make_conninfo("", **params))


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
    Setting("CLUB_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/club", postgres_url,
            "Postgres URL; each service uses its own schema in this database. Several hosts "
            "(postgresql://user:password@primary:5432,standby:5432/club) name a primary and its standbys: "
            "the services use the one that accepts writes, and find the new one after a failover",
            quoted=False),
    Setting("CLUB_DATABASE_HOSTS", "", host_ports,
            "host:port,host:port of the Postgres primary and its standbys; replaces the hosts of "
            "CLUB_DATABASE_URL (which then keeps only the credentials and the database); empty = the URL's"),
    Setting("CLUB_DB_POOL_MIN", "2", positive_int, "Postgres pool minimum connections"),
    Setting("CLUB_DB_POOL_MAX", "10", positive_int, "Postgres pool maximum connections"),
    Setting("CLUB_REDIS_URL", "redis://127.0.0.1:6379/0", text,
            "Redis URL; redis+cluster://host:port,host:port,... is a Redis Cluster (any nodes of it)"),
    Setting("CLUB_REDIS_CLUSTER", "false", boolean,
            "true: CLUB_REDIS_URL (redis://) names one node of a Redis Cluster, and the cluster is used"),
    Setting("CLUB_REDIS_WAIT_REPLICAS", "0", non_negative_int,
            "replicas a counted write (a budget, a limit, a balance reserved, a card's state) must reach "
            "before it is answered (Redis WAIT, up to 100 ms), so a failover does not lose it; 1 with a "
            "replicated Redis or a Redis Cluster, 0 without replicas"),
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
            if setting.secret:
                detail = "invalid secret value"
            else:
                detail = f"invalid value {raw!r}: {exc}" if setting.quoted else f"invalid value: {exc}"
            raise ConfigError(setting.name, detail) from None
    if "database_url" in values:
        try:
            values["database_url"] = database_url(values["database_url"], values.get("database_hosts", ()))
        except ValueError as exc:
            raise ConfigError("CLUB_DATABASE_HOSTS", f"with CLUB_DATABASE_URL: {exc}") from None
    return SimpleNamespace(**values)
