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

SOCKET_TIMEOUT_SECONDS = 2.0
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
    return aioredis.from_url(url, socket_timeout=SOCKET_TIMEOUT_SECONDS, socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
                             health_check_interval=30, decode_responses=False, **options)


class Scripts:
    def __init__(self, redis: aioredis.Redis, directory: pathlib.Path):
        self._scripts = {path.stem: redis.register_script(path.read_text()) for path in sorted(directory.glob("*.lua"))}

    def __getattr__(self, name: str):
        try:
            return self._scripts[name]
        except KeyError:
            raise AttributeError(f"no Lua script named {name!r}") from None

    def names(self) -> list[str]:
        return sorted(self._scripts)
