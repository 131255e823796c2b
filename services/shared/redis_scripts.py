"""Redis access: an asyncio client and Lua scripts loaded by name.

A service keeps its scripts in services/<name>/lua/<script>.lua; `Scripts(redis, dir)`
registers each one (EVALSHA with automatic reload on NOSCRIPT) as `scripts.<script>`.
Keys passed to scripts must share a hash tag ({...}) so Redis Cluster can run them.
"""

from __future__ import annotations

import pathlib

import redis.asyncio as aioredis
from redis import exceptions as redis_errors
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from .redis_pipeline import AutoPipeline

SOCKET_TIMEOUT_SECONDS = 2.0
MAX_CONNECTIONS = 200  # per process; past this, commands wait for a free connection...
POOL_WAIT_SECONDS = 5.0  # ...this long, instead of failing as if Redis were down
RETRY_BACKOFF_BASE_SECONDS = 0.01
RETRY_BACKOFF_CAP_SECONDS = 0.5


def client(url: str, retries: int = 0) -> aioredis.Redis:
    """`retries` > 0: a command that meets a dropped connection (Redis restarted) is retried
    that many times on a fresh connection, with a short backoff, before the error surfaces."""
    options = {}
    if retries:
        options = {"retry": Retry(ExponentialBackoff(cap=RETRY_BACKOFF_CAP_SECONDS, base=RETRY_BACKOFF_BASE_SECONDS),
                                  retries),
                   "retry_on_error": [redis_errors.ConnectionError, redis_errors.TimeoutError]}
    # A blocking pool: the default one raises MaxConnectionsError the moment every connection is
    # busy, which callers would read as Redis being unreachable.
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT_SECONDS, socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS, health_check_interval=30, decode_responses=False, **options)
    redis = aioredis.Redis(connection_pool=pool)
    redis.auto_close_connection_pool = True
    return redis


def hot_client(url: str, retries: int = 0) -> AutoPipeline:
    """The hot paths' Redis: commands of one loop iteration go out together (redis_pipeline.py)."""
    return AutoPipeline(url, socket_timeout=SOCKET_TIMEOUT_SECONDS, connect_timeout=SOCKET_TIMEOUT_SECONDS,
                        retries=retries)


class Scripts:
    """`await scripts.<name>(keys=..., args=...)`: through the auto-pipelined `hot` connection when
    there is one; with `client=pipe`, queued on that explicit redis-py pipeline (bulk work)."""

    def __init__(self, redis: aioredis.Redis, directory: pathlib.Path, hot: AutoPipeline | None = None):
        sources = {path.stem: path.read_text() for path in sorted(directory.glob("*.lua"))}
        self._scripts = {name: redis.register_script(source) for name, source in sources.items()}
        self._hot = {name: hot.script(source) for name, source in sources.items()} if hot is not None else {}

    def __getattr__(self, name: str):
        try:
            script = self._scripts[name]
        except KeyError:
            raise AttributeError(f"no Lua script named {name!r}") from None
        hot = self._hot.get(name)

        def call(keys=(), args=(), client=None):
            if client is None and hot is not None:
                return hot(keys, args)
            return script(keys=keys, args=args, client=client)
        return call

    def names(self) -> list[str]:
        return sorted(self._scripts)
