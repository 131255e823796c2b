"""Redis access: the one place Redis clients are made, and Lua scripts loaded by name.

A service keeps its scripts in services/<name>/lua/<script>.lua; `Scripts(redis, dir)`
registers each one (EVALSHA with automatic reload on NOSCRIPT) as `scripts.<script>`.

Standalone Redis or Redis Cluster: a `redis+cluster://host:port,host:port,...` URL, or
`CLUB_REDIS_CLUSTER=true` with any node's `redis://` URL, selects the cluster; `client` then
builds redis-py's RedisCluster and `hot_client` a ClusterAutoPipeline (redis_pipeline.py). The
keys of one script call must share one slot (a hash tag, `{...}`), which a cluster requires:
every call is checked, so a script whose keys span slots fails on a single Redis too.
"""

from __future__ import annotations

import pathlib
import urllib.parse
from collections.abc import Sequence

import redis.asyncio as aioredis
from redis import exceptions as redis_errors
from redis.asyncio.cluster import ClusterNode, ClusterPipeline, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff

from .redis_pipeline import DEFAULT_PORT, AutoPipeline, ClusterAutoPipeline, slot_of

SOCKET_TIMEOUT_SECONDS = 2.0
MAX_CONNECTIONS = 200  # per process (per node in a cluster); past this, commands wait for a free connection...
POOL_WAIT_SECONDS = 5.0  # ...this long, instead of failing as if Redis were down
RETRY_BACKOFF_BASE_SECONDS = 0.01
RETRY_BACKOFF_CAP_SECONDS = 0.5
CLUSTER_SCHEME = "redis+cluster"

Client = aioredis.Redis | RedisCluster
HotClient = AutoPipeline | ClusterAutoPipeline

# Redis cannot serve now (down, unreachable, or a cluster failing over) — a caller retries later or
# answers "unavailable"; never a bug to let escape. redis-py's RedisCluster says a failover with
# replies (CLUSTERDOWN, TRYAGAIN) and with exceptions of its own, outside RedisError; the hot
# client (ClusterAutoPipeline) turns them into ConnectionError already.
UNAVAILABLE = (redis_errors.ConnectionError, redis_errors.TimeoutError, redis_errors.ClusterDownError,
               redis_errors.TryAgainError, redis_errors.RedisClusterException)


class CrossSlotKeys(ValueError):
    """A script called with keys in more than one slot: Redis Cluster would refuse it."""


def is_cluster(url: str, cluster: bool = False) -> bool:
    return cluster or urllib.parse.urlsplit(url).scheme == CLUSTER_SCHEME


def cluster_nodes(url: str) -> tuple[list[tuple[str, int]], str | None, str | None]:
    """redis+cluster://[[user]:password@]host[:port][,host[:port]...][/0] (or one node's redis://
    URL) -> the startup nodes, username, password."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("redis", CLUSTER_SCHEME):
        raise ValueError(f"a Redis Cluster URL starts with {CLUSTER_SCHEME}:// or redis://")  # not the URL: a password
    if parts.path.strip("/") not in ("", "0"):
        raise ValueError("Redis Cluster has only database 0")
    credentials, _, hosts = parts.netloc.rpartition("@")
    username, _, password = credentials.partition(":")
    nodes = []
    for node in hosts.split(","):
        host, _, port = node.rpartition(":") if ":" in node else (node, "", "")
        nodes.append((host or "127.0.0.1", int(port) if port else DEFAULT_PORT))
    return (nodes, urllib.parse.unquote(username) or None,
            urllib.parse.unquote(password) if credentials and ":" in credentials else None)


def _retry(retries: int) -> Retry:
    if not retries:
        return Retry(NoBackoff(), 0)
    return Retry(ExponentialBackoff(cap=RETRY_BACKOFF_CAP_SECONDS, base=RETRY_BACKOFF_BASE_SECONDS), retries)


def client(url: str, retries: int = 0, cluster: bool = False) -> Client:
    """redis-py: rebuilds, scans, explicit pipelines, pub/sub. `retries` > 0: a command that meets
    a dropped connection (Redis restarted, a cluster primary failed over) is retried that many
    times on a fresh connection, with a short backoff, before the error surfaces."""
    if is_cluster(url, cluster):
        nodes, username, password = cluster_nodes(url)
        return RedisCluster(startup_nodes=[ClusterNode(host, port) for host, port in nodes], username=username,
                            password=password, max_connections=MAX_CONNECTIONS, retry=_retry(retries),
                            socket_timeout=SOCKET_TIMEOUT_SECONDS, socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
                            health_check_interval=30, decode_responses=False)
    options = {}
    if retries:
        options = {"retry": _retry(retries),
                   "retry_on_error": [redis_errors.ConnectionError, redis_errors.TimeoutError]}
    # A blocking pool: the default one raises MaxConnectionsError the moment every connection is
    # busy, which callers would read as Redis being unreachable.
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT_SECONDS, socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS, health_check_interval=30, decode_responses=False, **options)
    redis = aioredis.Redis(connection_pool=pool)
    redis.auto_close_connection_pool = True
    return redis


def hot_client(url: str, retries: int = 0, cluster: bool = False, wait_replicas: int = 0) -> HotClient:
    """The hot paths' Redis: commands of one loop iteration go out together (redis_pipeline.py).
    `wait_replicas` (CLUB_REDIS_WAIT_REPLICAS): how many replicas a `replicated` script's write
    must reach before it is answered."""
    if is_cluster(url, cluster):
        nodes, username, password = cluster_nodes(url)
        return ClusterAutoPipeline(nodes, username=username, password=password, socket_timeout=SOCKET_TIMEOUT_SECONDS,
                                   connect_timeout=SOCKET_TIMEOUT_SECONDS, retries=retries,
                                   wait_replicas=wait_replicas)
    return AutoPipeline(url, socket_timeout=SOCKET_TIMEOUT_SECONDS, connect_timeout=SOCKET_TIMEOUT_SECONDS,
                        retries=retries, wait_replicas=wait_replicas)


def check_one_slot(script: str, keys: Sequence) -> None:
    """Raise CrossSlotKeys unless every key is in the first key's slot."""
    if len(keys) > 1:
        first = slot_of(keys[0])
        for key in keys[1:]:
            if slot_of(key) != first:
                raise CrossSlotKeys(f"Lua script {script!r}: keys {keys[0]!r} and {key!r} are in different "
                                    "Redis Cluster slots; give them one hash tag")


async def _queue_eval(pipe: ClusterPipeline, source: str, keys: Sequence, args: Sequence) -> ClusterPipeline:
    # Queued, not awaited: awaiting a ClusterPipeline re-initializes it and drops what was queued.
    return pipe.eval(source, len(keys), *keys, *args)


class Scripts:
    """`await scripts.<name>(keys=..., args=...)`: through the auto-pipelined `hot` connection when
    there is one; with `client=pipe`, queued on that explicit redis-py pipeline (bulk work).
    `replicated`: the scripts whose writes must outlive their primary (money counted, a card's
    state): through `hot`, each is answered once the client's replicas have it (redis_pipeline.py)."""

    def __init__(self, redis: Client, directory: pathlib.Path, hot: HotClient | None = None,
                 replicated: Sequence[str] = ()):
        self._sources = {path.stem: path.read_text() for path in sorted(directory.glob("*.lua"))}
        unknown = set(replicated) - set(self._sources)
        assert not unknown, f"no Lua script named {sorted(unknown)} in {directory}"
        self._scripts = {name: redis.register_script(source) for name, source in self._sources.items()}
        self._hot = {name: hot.script(source, replicated=name in replicated)
                     for name, source in self._sources.items()} if hot is not None else {}

    def __getattr__(self, name: str):
        try:
            script = self._scripts[name]
        except KeyError:
            raise AttributeError(f"no Lua script named {name!r}") from None
        hot = self._hot.get(name)
        source = self._sources[name]

        def call(keys=(), args=(), client=None):
            check_one_slot(name, keys)
            if client is None and hot is not None:
                return hot(keys, args)
            if isinstance(client, ClusterPipeline):
                # A cluster pipeline cannot load a script first (each primary has its own script
                # cache), so the source goes with the call: bulk work only.
                return _queue_eval(client, source, keys, args)
            return script(keys=keys, args=args, client=client)
        return call

    def names(self) -> list[str]:
        return sorted(self._scripts)
