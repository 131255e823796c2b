"""Real processes for tests: Postgres and Redis over real connections, each service a
`python -m services.<name>` process talking real gRPC on a free port.

`Stack` owns one database and one private Redis and starts services on demand; the
addresses of every service are fixed up front so they can find each other. The Redis is one
redis-server, or with `redis_cluster=True` (or CLUB_TEST_REDIS=cluster for every stack) a Redis
Cluster of 3 primaries and 3 replicas (scripts/redis_cluster.py).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import grpc
import psycopg
import redis
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.shared import auth, migrate
from services.shared.clients import DEFAULT_PORTS

ROOT = pathlib.Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("CLUB_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")
START_TIMEOUT_SECONDS = 40
STOP_TIMEOUT_SECONDS = 15
SERVICES = tuple(DEFAULT_PORTS)
# Every stack's services verify tokens signed with this; the harness mints them.
TEST_AUTH_SECRET = "club-test-auth-secret-0123456789-abcdefgh"
TEST_CLIENT_CERT = "cli"  # the certificate test channels present when a stack runs mTLS
SINGLE, CLUSTER = "single", "cluster"  # the Redis a stack runs on
REDIS_MODE = os.environ.get("CLUB_TEST_REDIS", SINGLE)  # CLUB_TEST_REDIS=cluster: every stack on a cluster
assert REDIS_MODE in (SINGLE, CLUSTER), "CLUB_TEST_REDIS must be single or cluster"


_handed_out: set[int] = set()  # ports given to a stack whose service may not be listening yet


def free_port() -> int:
    """A port nothing listens on and this test process has not handed out before: the kernel
    may return the same free port twice, and a stack starts its services lazily."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def load_script(name: str):
    """A module from scripts/ (not a package), loaded once."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def available_services() -> tuple[str, ...]:
    """The services whose process entry point exists in this tree."""
    return tuple(name for name in SERVICES if (ROOT / "services" / name / "__main__.py").exists())


def ensure_infra() -> None:
    subprocess.run(["bash", str(ROOT / "scripts" / "ensure_infra.sh")], check=True)


def database_url(server: str, name: str) -> str:
    """`server` is a URL without a database; with several hosts (a primary and its standby,
    scripts/pg_standby.py) every connection asks for the one that accepts writes."""
    url = f"{server}/{name}"
    return f"{url}?target_session_attrs=read-write" if "," in server else url


def fresh_database(name: str, server: str = PG_URL) -> str:
    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = database_url(server, name)
    asyncio.run(migrate.migrate(url, list(migrate.SERVICES), echo=lambda *_: None))
    return url


def drop_database(name: str, server: str = PG_URL) -> None:
    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def mint_token(role: str = "operator", merchant_id: str | None = None, subject: str = "",
               secret: str = TEST_AUTH_SECRET, ttl_seconds: int = 3600) -> str:
    return auth.issue_token(secret.encode(), role, subject or f"test-{role}", merchant_id or "", ttl_seconds)


def raw_channel(address: str, tls_dir: str = "") -> grpc.Channel:
    """A sync channel with no token: plaintext, or mTLS with the `cli` certificate."""
    if not tls_dir:
        return grpc.insecure_channel(address)
    base = pathlib.Path(tls_dir)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=(base / "ca.pem").read_bytes(),
        private_key=(base / f"{TEST_CLIENT_CERT}-key.pem").read_bytes(),
        certificate_chain=(base / f"{TEST_CLIENT_CERT}.pem").read_bytes())
    return grpc.secure_channel(address, credentials)


def authed_channel(address: str, role: str = "operator", merchant_id: str | None = None, token: str | None = None,
                   tls_dir: str = "") -> grpc.Channel:
    """A sync channel whose every call carries a token (by default an operator's, for the test secret).
    Tests that build `grpc.insecure_channel(stack.address(x))` use this instead."""
    return auth.with_token(raw_channel(address, tls_dir), token if token is not None else mint_token(role, merchant_id))


def wait_healthy(address: str, proc: subprocess.Popen | None = None, timeout: float = START_TIMEOUT_SECONDS,
                 service: str = "", tls_dir: str = "") -> None:
    deadline = time.monotonic() + timeout
    with raw_channel(address, tls_dir) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"process for {address} exited with {proc.returncode}")
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.1)
    raise TimeoutError(f"{address} not SERVING after {timeout}s")


# What each process serves: its health is asked by name, so another server that happens to
# answer on the port (a port handed out twice) is not taken for it.
HEALTH_NAMES = {"cards": "club.cards.v1.CardService", "wallet": "club.wallet.v1.WalletService",
                "tasheem": "club.tasheem.v1.TasheemService", "switch": "club.switch.v1.AuthorizationService",
                "crm": "club.crm.v1.CrmService"}


class ServiceProcess:
    def __init__(self, name: str, env: dict[str, str], log_path: pathlib.Path):
        self.name = name
        self.env = env
        self.log_path = log_path
        self.port = int(env["CLUB_GRPC_PORT"])
        self.address = f"127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, wait: bool = True) -> ServiceProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the child process
        self.proc = subprocess.Popen([sys.executable, "-m", f"services.{self.name}"], cwd=ROOT, env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()
        if wait:
            wait_healthy(self.address, self.proc, service=HEALTH_NAMES.get(self.name, ""),
                         tls_dir=self.env.get("CLUB_TLS_DIR", ""))
        return self

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> int | None:
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill(self) -> None:
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def restart(self, wait: bool = True) -> ServiceProcess:
        self.stop()
        return self.start(wait)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class RedisServer:
    """A private redis-server for one stack, so parallel test sessions never share keys
    and a test may restart it empty (as a crashed Redis comes back)."""

    def __init__(self, workdir: pathlib.Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                                      "--appendonly", "no", "--dir", str(self.workdir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise TimeoutError("redis-server did not start")

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.terminate()
            self.proc.wait(10)

    def restart_empty(self) -> None:
        self.stop(kill=True)
        self.start()

    def pids(self) -> list[int]:
        return [self.proc.pid]


class RedisClusterServer:
    """A private Redis Cluster for one stack: 3 primaries, each with a replica, on ports this
    process hands out (scripts/redis_cluster.py starts, joins and stops them)."""

    def __init__(self, workdir: pathlib.Path):
        redis_cluster = load_script("redis_cluster")
        ports = redis_cluster.free_ports(redis_cluster.PRIMARIES * (1 + redis_cluster.REPLICAS_PER_PRIMARY),
                                         taken=_handed_out)
        self.cluster = redis_cluster.LocalCluster(workdir / "redis-cluster", ports)
        self.url = self.cluster.url

    def start(self) -> None:
        self.cluster.start()

    def stop(self, kill: bool = False) -> None:
        self.cluster.stop()

    def restart_empty(self) -> None:
        self.cluster.stop()
        self.cluster.start()

    def pids(self) -> list[int]:
        return [int((self.cluster.workdir / str(port) / "redis.pid").read_text()) for port in self.cluster.ports]


class Stack:
    """One database, one private Redis (a server or a cluster), and the services started in it.
    `pg_server`: the Postgres the database is made on (the shared one unless told; several hosts
    for a primary and standby). `replicas`: how many processes run a service (one unless told),
    e.g. {"wallet": 2}; each replica has its own gRPC port (the switch's its own ISO port too), and
    every caller is given all of them as one balanced target (`target`)."""

    def __init__(self, workdir: pathlib.Path, database: str, extra_env: dict[str, str] | None = None,
                 pg_server: str = PG_URL, redis_cluster: bool | None = None,
                 replicas: dict[str, int] | None = None):
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.database = database
        self.pg_server = pg_server
        self.database_url = fresh_database(database, pg_server)
        self.redis_cluster = REDIS_MODE == CLUSTER if redis_cluster is None else redis_cluster
        self.redis_server = RedisClusterServer(workdir) if self.redis_cluster else RedisServer(workdir)
        self.redis_server.start()
        self.redis_url = self.redis_server.url
        self.ports = {name: free_port() for name in SERVICES}
        self.iso_port = free_port()
        self.extra_env = dict(extra_env or {})
        self.services: dict[str, ServiceProcess] = {}  # each service's first replica
        counts = {name: 1 for name in SERVICES} | dict(replicas or {})
        # Replica 0 keeps the ports above, so a stack of single replicas is as it always was.
        self.replica_ports = {name: [self.ports[name], *(free_port() for _ in range(counts[name] - 1))]
                              for name in SERVICES}
        self.iso_ports = [self.iso_port, *(free_port() for _ in range(counts["switch"] - 1))]
        self.replicas: dict[str, list[ServiceProcess]] = {}

    def target(self, name: str) -> str:
        """The gRPC target a caller is given for `name`: its one address, or every replica's as
        one `ipv4:` target, balanced per call by the channels' round_robin policy."""
        ports = self.replica_ports[name]
        if len(ports) == 1:
            return f"127.0.0.1:{ports[0]}"
        return "ipv4:" + ",".join(f"127.0.0.1:{port}" for port in ports)

    def env(self, name: str, replica: int = 0) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLUB_")}
        env.update({
            "CLUB_ENV": "test",
            "CLUB_LOG_LEVEL": "INFO",
            "CLUB_LOG_FORMAT": "json",
            "CLUB_DATABASE_URL": self.database_url,
            "CLUB_REDIS_URL": self.redis_url,
            # A cluster's primaries each have a replica: counted writes wait for it, as in production.
            "CLUB_REDIS_WAIT_REPLICAS": "1" if self.redis_cluster else "0",
            "CLUB_GRPC_HOST": "127.0.0.1",
            "CLUB_GRPC_PORT": str(self.replica_ports[name][replica]),
            "CLUB_DATA_DIR": str(self.workdir / "data"),
            "CLUB_ISO_PORT": str(self.iso_ports[replica] if name == "switch" else self.iso_port),
            "CLUB_SHUTDOWN_GRACE_SECONDS": "3",
            "CLUB_AUTH_SECRET": TEST_AUTH_SECRET,
            # Offers' own rules are tested whole; the club's cap on a purchase's total discount
            # (default 30%) is tested by the stacks that set it (tests/tasheem/test_coupons.py).
            "CLUB_MAX_DISCOUNT_BP": "10000",
            **{f"CLUB_{svc.upper()}_ADDR": self.target(svc) for svc in SERVICES},
        })
        env.update(self.extra_env)
        return env

    def start(self, *names: str) -> None:
        """Start every replica of each service not running yet."""
        for name in names:
            for replica in self.replicas_of(name):
                if not replica.running():
                    replica.start()

    def replicas_of(self, name: str) -> list[ServiceProcess]:
        """Every replica of `name` (made, not started); replica 0 is `services[name]`, its log
        `<name>.log`, replica i's `<name>-<i>.log`."""
        if name not in self.replicas:
            self.replicas[name] = [
                ServiceProcess(name, self.env(name, index), self.workdir / (f"{name}-{index}.log" if index else f"{name}.log"))
                for index in range(len(self.replica_ports[name]))]
            self.services[name] = self.replicas[name][0]
        return self.replicas[name]

    def address(self, name: str) -> str:
        """Where a test reaches `name`: its address, or with several replicas, every replica's
        (a sync channel picks the first that answers, and the next when that one is gone)."""
        self.start(name)
        return self.target(name)

    def channel(self, name: str, role: str = "operator", merchant_id: str | None = None,
                token: str | None = None) -> grpc.Channel:
        """A sync channel to a service; every call carries a token (an operator's unless told)."""
        token = token if token is not None else self.token(role, merchant_id)
        return authed_channel(self.address(name), token=token, tls_dir=self.extra_env.get("CLUB_TLS_DIR", ""))

    def token(self, role: str = "operator", merchant_id: str | None = None, subject: str = "",
              ttl_seconds: int = 3600) -> str:
        return mint_token(role, merchant_id, subject, self.extra_env.get("CLUB_AUTH_SECRET", TEST_AUTH_SECRET),
                          ttl_seconds)

    def pg(self) -> psycopg.Connection:
        return psycopg.connect(self.database_url, autocommit=True)

    def redis(self) -> redis.Redis | redis.RedisCluster:
        if self.redis_cluster:
            host, port = self.redis_url.removeprefix("redis+cluster://").split(",")[0].split(":")
            return redis.RedisCluster(host=host, port=int(port))
        return redis.Redis.from_url(self.redis_url)

    def close(self) -> None:
        for replicas in self.replicas.values():
            for service in replicas:
                service.stop()
        self.redis_server.stop()
        drop_database(self.database, self.pg_server)
