"""Redis client cost against a private redis-server: client CPU µs per command (getrusage of this
process, so the server's CPU is not counted) and commands/s, for redis-py as the services use it
(services.shared.redis_scripts.client) and for services.shared.redis_pipeline.AutoPipeline.
"""

from __future__ import annotations

import asyncio
import pathlib
import resource
import tempfile
import time

from redis.utils import HIREDIS_AVAILABLE

from services.shared import redis_scripts
from services.shared.redis_pipeline import AutoPipeline
from tests import harness

COMMANDS = {True: 4_000, False: 60_000}  # per variant, short / full
WARMUP_FRACTION = 10  # a tenth as many commands first, so connections and scripts exist
PIPELINE_DEPTH = 50
CONCURRENCY = 64
KEY = "bench:key"
VALUE = b"v" * 64
# Small, like the hot-path gates: one read, one write.
SCRIPT = "local n = redis.call('INCRBY', KEYS[1], ARGV[1]) if n > 0 then return n end return 0"


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _measure(commands: int, issue) -> dict:
    """`issue(count)` sends `count` commands; it runs once to warm up, then measured."""
    await issue(max(PIPELINE_DEPTH, commands // WARMUP_FRACTION))
    cpu, wall = _cpu_seconds(), time.perf_counter()
    await issue(commands)
    cpu, wall = _cpu_seconds() - cpu, time.perf_counter() - wall
    return {"commands": commands, "cpu_us_per_command": round(cpu / commands * 1e6, 2),
            "commands_per_second": round(commands / wall)}


def _sequential(command):
    async def issue(count: int) -> None:
        for _ in range(count):
            await command()
    return issue


def _concurrent(command, tasks: int = CONCURRENCY):
    async def issue(count: int) -> None:
        remaining = iter(range(count))

        async def worker() -> None:
            for _ in remaining:
                await command()

        await asyncio.gather(*(worker() for _ in range(tasks)))
    return issue


async def _redis_py(url: str, commands: int) -> dict:
    client = redis_scripts.client(url)
    script = client.register_script(SCRIPT)

    async def pipelined(count: int) -> None:
        for _ in range(count // PIPELINE_DEPTH):
            pipe = client.pipeline(transaction=False)
            for _ in range(PIPELINE_DEPTH):
                pipe.get(KEY)
            await pipe.execute()

    try:
        return {
            "get_sequential": await _measure(commands, _sequential(lambda: client.get(KEY))),
            f"get_pipeline_{PIPELINE_DEPTH}": await _measure(commands, pipelined),
            "evalsha_sequential": await _measure(commands, _sequential(lambda: script(keys=[KEY + ":n"], args=[1]))),
            f"get_{CONCURRENCY}_tasks": await _measure(commands, _concurrent(lambda: client.get(KEY))),
        }
    finally:
        await client.aclose()


async def _auto_pipeline(url: str, commands: int) -> dict:
    client = AutoPipeline(url)
    script = client.script(SCRIPT)
    try:
        return {
            "get_sequential": await _measure(commands, _sequential(lambda: client.get(KEY))),
            f"get_{CONCURRENCY}_tasks": await _measure(commands, _concurrent(lambda: client.get(KEY))),
            f"evalsha_{CONCURRENCY}_tasks": await _measure(
                commands, _concurrent(lambda: script(keys=[KEY + ":n"], args=[1]))),
        }
    finally:
        await client.close()


def _on_uvloop(coro) -> dict | None:
    try:
        import uvloop
    except ImportError:  # not a dependency of the services; measured when present
        coro.close()
        return None
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


def run(short: bool = False) -> dict:
    commands = COMMANDS[short]
    with tempfile.TemporaryDirectory() as workdir:
        server = harness.RedisServer(pathlib.Path(workdir))
        server.start()
        try:
            async def seed() -> None:
                client = AutoPipeline(server.url)
                await client.set(KEY, VALUE)
                await client.close()

            asyncio.run(seed())
            result = {"redis_py": asyncio.run(_redis_py(server.url, commands)),
                      "auto_pipeline": asyncio.run(_auto_pipeline(server.url, commands))}
            uvloop_result = _on_uvloop(_auto_pipeline(server.url, commands))
            if uvloop_result is not None:
                result["auto_pipeline_uvloop"] = uvloop_result
        finally:
            server.stop()
    return {**result, "concurrency": CONCURRENCY, "pipeline_depth": PIPELINE_DEPTH,
            "redis_py_hiredis_parser": HIREDIS_AVAILABLE}


if __name__ == "__main__":
    print(run(short=True))
