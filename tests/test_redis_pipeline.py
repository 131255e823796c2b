"""AutoPipeline against a real redis-server: FIFO reply matching under heavy concurrency, per-command
errors, NOSCRIPT recovery, outages and timeouts, binary safety, and one write per loop iteration."""

from __future__ import annotations

import asyncio
import itertools
import time
import urllib.parse

import pytest
import redis
from hypothesis import example, given, settings
from hypothesis import strategies as st
from redis import exceptions as redis_errors

from services.shared import redis_pipeline
from services.shared.redis_pipeline import AutoPipeline
from tests.harness import RedisServer

CONCURRENT_COMMANDS = 10_000
_unique = itertools.count()


def unique(prefix: str) -> str:
    """Keys no other test (or hypothesis example) uses, since tests share one server."""
    return f"{prefix}:{next(_unique)}"


class CountingTransport:
    """Wraps the connection's transport to record each write's size; works for uvloop's too."""

    def __init__(self, inner):
        self.inner = inner
        self.writes: list[int] = []

    def write(self, data: bytes) -> None:
        self.writes.append(len(data))
        self.inner.write(data)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def pause(server: RedisServer, milliseconds: int) -> None:
    """Redis stops answering every client for a while (DEBUG SLEEP is disabled by default in Redis 7)."""
    redis.Redis(port=server.port).execute_command("CLIENT", "PAUSE", milliseconds, "ALL")


async def count_writes(client: AutoPipeline) -> CountingTransport:
    await client.execute("PING")  # connect first
    conn = client._conn
    conn.transport = CountingTransport(conn.transport)
    return conn.transport


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_server(tmp_path):
    """For tests that stop, restart or reconfigure Redis."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop(kill=True)


@pytest.fixture
async def client(server):
    client = AutoPipeline(server.url)
    yield client
    await client.close()


@pytest.fixture(scope="module")
async def module_client(server):
    client = AutoPipeline(server.url)
    yield client
    await client.close()


async def test_concurrent_commands_each_get_their_own_reply(client):
    prefix = unique("conc")
    increments = await asyncio.gather(*(client.execute("INCRBY", f"{prefix}:n:{i}", i + 1)
                                        for i in range(CONCURRENT_COMMANDS)))
    assert increments == [i + 1 for i in range(CONCURRENT_COMMANDS)]

    await asyncio.gather(*(client.set(f"{prefix}:v:{i}", f"value-{i}-" + "x" * (i % 50))
                           for i in range(CONCURRENT_COMMANDS)))
    values = await asyncio.gather(*(client.get(f"{prefix}:v:{i}") for i in range(CONCURRENT_COMMANDS)))
    assert values == [f"value-{i}-{'x' * (i % 50)}".encode() for i in range(CONCURRENT_COMMANDS)]


async def test_mixed_reply_types_in_one_batch(client):
    key = unique("mixed")
    await client.execute("HSET", f"{key}:h", "a", "1", "b", "2")
    await client.set(f"{key}:s", b"v")
    replies = await asyncio.gather(client.hgetall(f"{key}:h"), client.get(f"{key}:s"), client.get(f"{key}:none"),
                                   client.mget([f"{key}:s", f"{key}:none"]), client.execute("INCR", f"{key}:n"),
                                   client.set(f"{key}:s", b"w", nx=True), client.set(f"{key}:s", b"w", get=True),
                                   client.set(f"{key}:new", b"x", nx=True, ex=60), client.delete(f"{key}:h", f"{key}:none"))
    assert replies == [{b"a": b"1", b"b": b"2"}, b"v", None, [b"v", None], 1, None, b"v", True, 1]
    assert 0 < await client.execute("TTL", f"{key}:new") <= 60


async def test_error_reply_fails_only_its_own_command(client):
    key = unique("err")
    await client.set(key, b"not-a-number")
    results = await asyncio.gather(
        client.get(key), client.execute("INCR", key), client.hgetall(key), client.execute("NO-SUCH-COMMAND"),
        client.execute("EVALSHA", "0" * 40, 0), client.execute("EVAL", "return redis.error_reply('custom')", 0),
        client.execute("ECHO", "after"), return_exceptions=True)
    assert results[0] == b"not-a-number"
    assert isinstance(results[1], redis_errors.ResponseError) and "not an integer" in str(results[1])
    assert isinstance(results[2], redis_errors.ResponseError) and str(results[2]).startswith("WRONGTYPE")
    assert isinstance(results[3], redis_errors.ResponseError) and not isinstance(results[3], redis_errors.NoScriptError)
    assert isinstance(results[4], redis_errors.NoScriptError)
    assert isinstance(results[5], redis_errors.ResponseError) and "custom" in str(results[5])
    assert results[6] == b"after"


async def test_bad_argument_fails_before_sending(client):
    with pytest.raises(TypeError):
        await client.execute("SET", "k", None)
    assert await client.execute("ECHO", "still in step") == b"still in step"


async def test_script_reloads_after_script_flush(client):
    script = client.script("return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}")
    key = unique("script")
    assert await script([key], ["a"]) == [key.encode(), b"a", 1]
    await client.execute("SCRIPT", "FLUSH")
    assert await client.execute("SCRIPT", "EXISTS", script.sha) == [0]
    # Many callers meet NOSCRIPT at once: each loads and retries, and each runs exactly once.
    replies = await asyncio.gather(*(script([key], [str(i)]) for i in range(50)))
    assert sorted(reply[2] for reply in replies) == list(range(2, 52))
    assert [reply[1] for reply in replies] == [str(i).encode() for i in range(50)]
    assert await client.execute("SCRIPT", "EXISTS", script.sha) == [1]


async def test_commands_of_one_iteration_go_out_in_one_write(client):
    transport = await count_writes(client)
    replies = await asyncio.gather(*(client.execute("ECHO", f"m{i}") for i in range(1000)))
    assert replies == [f"m{i}".encode() for i in range(1000)]
    assert len(transport.writes) == 1
    await client.execute("PING")  # a later iteration is a later write
    assert len(transport.writes) == 2


async def test_a_big_batch_is_written_in_pieces(client):
    transport = await count_writes(client)
    value = b"v" * 64 * 1024
    count = 3 * redis_pipeline.FLUSH_THRESHOLD_BYTES // len(value)
    prefix = unique("big")
    await asyncio.gather(*(client.set(f"{prefix}:{i}", value) for i in range(count)))
    assert len(transport.writes) >= 3
    assert max(transport.writes) < redis_pipeline.FLUSH_THRESHOLD_BYTES + len(value) + 100


async def test_backlog_past_the_limit_waits_for_replies(client, monkeypatch):
    monkeypatch.setattr(redis_pipeline, "MAX_PENDING_COMMANDS", 10)
    monkeypatch.setattr(redis_pipeline, "RESUME_PENDING_COMMANDS", 5)
    transport = await count_writes(client)
    conn = client._conn
    most_pending = 0
    original_write = transport.write

    def write(data: bytes) -> None:
        nonlocal most_pending
        most_pending = max(most_pending, len(conn.pending))
        original_write(data)

    transport.write = write
    replies = await asyncio.gather(*(client.execute("ECHO", str(i)) for i in range(500)))
    assert replies == [str(i).encode() for i in range(500)]
    assert most_pending <= 10
    assert len(transport.writes) >= 50


async def test_cancelled_caller_does_not_shift_replies(server, client):
    await client.execute("PING")
    pause(server, 300)  # holds the replies back
    tasks = [asyncio.ensure_future(client.execute("ECHO", str(i))) for i in range(100)]
    await asyncio.sleep(0.05)  # all sent, none answered
    assert not any(task.done() for task in tasks)
    for task in tasks[::3]:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for i, result in enumerate(results):
        if i % 3:
            assert result == str(i).encode()
        else:
            assert isinstance(result, asyncio.CancelledError)
    assert await client.execute("ECHO", "next") == b"next"


async def test_close_waits_for_issued_commands_and_a_later_command_reconnects(client):
    key = unique("close")
    tasks = [asyncio.ensure_future(client.execute("INCR", key)) for _ in range(100)]
    await asyncio.sleep(0)
    await client.close()
    assert [task.result() for task in tasks] == list(range(1, 101))
    assert await client.get(key) == b"100"


@settings(max_examples=60, deadline=None)
@given(items=st.dictionaries(st.binary(max_size=40), st.binary(max_size=600), min_size=1, max_size=20))
@example(items={b"": b"", b"\r\n": b"\r\n", b"$-1\r\n": b"*2\r\n:1\r\n", b"\x00": b"\xff\x00\r", b"+OK": b"-ERR x\r\n"})
async def test_binary_values_round_trip(module_client, items):
    prefix = unique("bin").encode() + b":"
    keys = [prefix + key for key in items]
    await asyncio.gather(*(module_client.set(key, value) for key, value in zip(keys, items.values(), strict=True)))
    assert await asyncio.gather(*(module_client.get(key) for key in keys)) == list(items.values())
    assert await module_client.mget(keys) == list(items.values())
    fields = [part for pair in items.items() for part in pair]
    await module_client.execute("HSET", prefix + b"hash", *fields)
    assert await module_client.hgetall(prefix + b"hash") == items


async def test_stopped_server_gives_connection_error_then_recovers(private_server):
    client = AutoPipeline(private_server.url, socket_timeout=5)
    script = client.script("return redis.call('INCR', KEYS[1])")
    assert await script(["n"]) == 1
    pause(private_server, 5000)
    in_flight = [asyncio.ensure_future(client.get("n")), asyncio.ensure_future(client.execute("PING"))]
    await asyncio.sleep(0.1)  # sent; Redis holds them
    private_server.stop(kill=True)
    results = await asyncio.gather(*in_flight, return_exceptions=True)
    assert all(isinstance(result, redis_errors.ConnectionError) for result in results), results
    with pytest.raises(redis_errors.ConnectionError):
        await client.get("n")  # nothing listening now
    private_server.start()  # back empty: no data, no scripts
    assert await client.get("n") is None
    assert await script(["n"]) == 1
    await client.close()


async def test_redis_restart_is_survived(private_server):
    client = AutoPipeline(private_server.url)
    script = client.script("return redis.call('INCR', KEYS[1])")
    await client.set("k", b"before")
    assert await script(["n"]) == 1
    private_server.restart_empty()
    await asyncio.sleep(0.05)  # as in service life: the loop sees the old connection close
    assert await client.get("k") is None
    assert await script(["n"]) == 1
    await client.close()


async def test_a_command_on_a_connection_dropped_before_its_caller_resumed_fails_at_once(server):
    # The race behind it: a connect completes, the peer closes (a proxy whose upstream is still
    # restarting), and only then do the callers that waited for the connect send on it.
    client = AutoPipeline(server.url)
    assert await client.execute("PING") == b"PONG"
    dropped = client._conn
    dropped.drop(redis_errors.ConnectionError("closed by the peer"))
    reply = dropped.request(b"*1\r\n$4\r\nPING\r\n")
    assert reply.done()
    with pytest.raises(redis_errors.ConnectionError):
        reply.result()
    assert await client.execute("PING") == b"PONG"  # the next command opens a new connection
    await client.close()


async def test_no_reply_within_socket_timeout_raises_timeout_then_recovers(server):
    client = AutoPipeline(server.url, socket_timeout=0.2)
    key = unique("timeout")
    await client.set(key, b"v")
    pause(server, 1000)
    started = time.monotonic()
    results = await asyncio.gather(client.get(key), client.execute("PING"), return_exceptions=True)
    elapsed = time.monotonic() - started
    assert all(isinstance(result, redis_errors.TimeoutError) for result in results), results
    assert 0.2 <= elapsed < 1.0
    await asyncio.to_thread(redis.Redis(port=server.port).ping)  # returns once the pause is over
    assert await client.get(key) == b"v"
    await client.close()


async def test_connect_sends_auth_and_select(private_server):
    password = "p@ss w:rd/1"
    plain = redis.Redis(port=private_server.port)
    plain.config_set("requirepass", password)
    base = f"127.0.0.1:{private_server.port}"
    client = AutoPipeline(f"redis://:{urllib.parse.quote(password, safe='')}@{base}/3")
    await client.set("k", b"in db 3")
    assert redis.Redis(port=private_server.port, password=password, db=3).get("k") == b"in db 3"
    assert redis.Redis(port=private_server.port, password=password, db=0).get("k") is None
    await client.close()
    wrong = AutoPipeline(f"redis://:wrong@{base}/0")
    with pytest.raises(redis_errors.AuthenticationError):
        await wrong.get("k")
    anonymous = AutoPipeline(f"redis://{base}/0")
    with pytest.raises(redis_errors.ResponseError, match="NOAUTH"):
        await anonymous.get("k")
    await anonymous.close()


def test_rejects_urls_it_does_not_speak():
    with pytest.raises(ValueError, match="redis://"):
        AutoPipeline("rediss://:secret@127.0.0.1:6379/0")


def test_works_under_uvloop(server):
    uvloop = pytest.importorskip("uvloop")

    async def scenario() -> None:
        client = AutoPipeline(server.url)
        transport = await count_writes(client)
        prefix = unique("uv")
        replies = await asyncio.gather(*(client.execute("INCRBY", f"{prefix}:{i}", i) for i in range(2000)))
        assert replies == list(range(2000))
        assert len(transport.writes) == 1
        results = await asyncio.gather(client.execute("NO-SUCH-COMMAND"), client.get(f"{prefix}:7"),
                                       return_exceptions=True)
        assert isinstance(results[0], redis_errors.ResponseError) and results[1] == b"7"
        script = client.script("return ARGV[1]")
        await client.execute("SCRIPT", "FLUSH")
        assert await script(args=["x"]) == b"x"
        await client.close()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(scenario())
