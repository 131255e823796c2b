"""Redis Cluster: the setting that selects it, the clients built for it, the one-slot rule for
Lua scripts, and a primary's failover, against a real local cluster (3 primaries, 3 replicas)."""

from __future__ import annotations

import asyncio
import os
import pathlib
import signal
import time

import pytest
import redis
from prometheus_client import REGISTRY
from redis import exceptions as redis_errors
from redis.asyncio.cluster import RedisCluster

from services.shared import config as cfg
from services.shared import redis_scripts
from services.shared.redis_pipeline import WAIT_MS, AutoPipeline, ClusterAutoPipeline, slot_of
from tests import harness

WALLET_LUA = harness.ROOT / "services" / "wallet" / "lua"
TAGS = [f"acct-{n}" for n in range(60)]  # enough hash tags to land on every primary


@pytest.fixture(scope="module")
def cluster(infra, tmp_path_factory):
    server = harness.RedisClusterServer(tmp_path_factory.mktemp("cluster"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_cluster(infra, tmp_path):
    """A cluster this test may break."""
    server = harness.RedisClusterServer(tmp_path)
    server.start()
    yield server
    server.stop()


STEP_SECONDS = 30  # far above any socket or connect timeout: a step that takes longer hangs


def run(coroutine):
    return asyncio.run(coroutine)


def primary_of(server: harness.RedisClusterServer, key: str) -> int:
    """The port of the primary serving `key`'s slot, as the cluster itself says."""
    slot = slot_of(key)
    for start, end, primary, *_ in redis.Redis(port=server.cluster.alive()[0]).execute_command("CLUSTER SLOTS"):
        if start <= slot <= end:
            return int(primary[1])
    raise AssertionError(f"no primary serves slot {slot}")


# ---- selecting the cluster ----------------------------------------------------------------


def test_a_cluster_url_names_its_nodes_and_its_credentials():
    nodes, username, password = redis_scripts.cluster_nodes("redis+cluster://ops:p%40ss@10.0.0.1:7000,10.0.0.2/0")
    assert (nodes, username, password) == ([("10.0.0.1", 7000), ("10.0.0.2", 6379)], "ops", "p@ss")
    assert redis_scripts.cluster_nodes("redis://:secret@node-1:7001") == ([("node-1", 7001)], None, "secret")
    with pytest.raises(ValueError, match="only database 0") as refused:
        redis_scripts.cluster_nodes("redis+cluster://:secret@10.0.0.1:7000/2")
    assert "secret" not in str(refused.value)


def test_the_url_scheme_or_the_setting_selects_the_cluster_client():
    assert isinstance(redis_scripts.hot_client("redis+cluster://127.0.0.1:7000,127.0.0.1:7001"), ClusterAutoPipeline)
    assert isinstance(redis_scripts.hot_client("redis://127.0.0.1:7000/0", cluster=True), ClusterAutoPipeline)
    assert isinstance(redis_scripts.hot_client("redis://127.0.0.1:7000/0"), AutoPipeline)
    assert isinstance(redis_scripts.client("redis://127.0.0.1:7000/0", cluster=True), RedisCluster)
    assert not isinstance(redis_scripts.client("redis://127.0.0.1:7000/0"), RedisCluster)
    assert cfg.load(cfg.COMMON, {"CLUB_REDIS_CLUSTER": "true"}).redis_cluster is True
    with pytest.raises(cfg.ConfigError, match="CLUB_REDIS_CLUSTER"):
        cfg.load(cfg.COMMON, {"CLUB_REDIS_CLUSTER": "sometimes"})


# ---- the one-slot rule --------------------------------------------------------------------


def test_a_script_whose_keys_span_slots_fails_on_a_single_redis_and_changes_nothing(tmp_path, infra):
    server = harness.RedisServer(tmp_path)
    server.start()
    try:
        async def attempt():
            plain = redis_scripts.client(server.url)
            hot = redis_scripts.hot_client(server.url)
            scripts = redis_scripts.Scripts(plain, WALLET_LUA, hot=hot)
            await hot.set("w:{a}:a", 1_000)
            assert slot_of("w:{a}:a") != slot_of("w:{b}:r:tx1")
            with pytest.raises(redis_scripts.CrossSlotKeys, match="'reserve'.*different Redis Cluster slots"):
                await scripts.reserve(keys=["w:{a}:a", "w:{b}:r:tx1"], args=[100, 60, "all"])
            with pytest.raises(redis_scripts.CrossSlotKeys):
                await scripts.reserve(keys=["w:{a}:a", "w:{b}:r:tx1"], args=[100, 60, "all"],
                                      client=plain.pipeline(transaction=False))
            assert await hot.get("w:{a}:a") == b"1000" and await hot.get("w:{b}:r:tx1") is None
            assert (await scripts.reserve(keys=["w:{a}:a", "w:{a}:r:tx1"], args=[100, 60, "all"]))[:2] == [1, 900]
            await hot.close()
            await plain.aclose()

        run(attempt())
    finally:
        server.stop()


# ---- the clients on a real cluster --------------------------------------------------------


def test_commands_reach_the_primary_of_their_slot_on_every_shard(cluster):
    keys = [f"w:{{{tag}}}:a" for tag in TAGS]
    assert len({primary_of(cluster, key) for key in keys}) == 3  # the keys span every primary

    async def exercise():
        hot = redis_scripts.hot_client(cluster.url)
        plain = redis_scripts.client(cluster.url)
        await asyncio.gather(*(hot.set(key, index) for index, key in enumerate(keys)))
        assert await hot.mget(keys) == [str(index).encode() for index in range(len(keys))]
        assert await hot.set(keys[0], 99, nx=True) is None
        assert await hot.get(keys[3]) == b"3" and await plain.get(keys[4]) == b"4"
        assert sorted([key async for key in plain.scan_iter(match="w:*")]) == sorted(k.encode() for k in keys)
        assert await hot.delete(*keys[:10]) == 10
        assert await hot.mget(keys[:2]) == [None, None]
        await hot.close()
        await plain.aclose()

    run(exercise())
    for port in cluster.cluster.primaries():  # each primary holds only its own slots' keys
        node = redis.Redis(port=port)
        assert all(primary_of(cluster, key.decode()) == port for key in node.keys("w:*"))


def test_scripts_run_on_their_keys_primary_through_both_clients_even_after_a_script_flush(cluster):
    async def exercise():
        hot = redis_scripts.hot_client(cluster.url)
        plain = redis_scripts.client(cluster.url)
        scripts = redis_scripts.Scripts(plain, WALLET_LUA, hot=hot)
        for tag in TAGS[:12]:
            await hot.set(f"w:{{s-{tag}}}:a", 500)
        for port in cluster.cluster.primaries():
            redis.Redis(port=port).script_flush()  # as after a primary restarted
        replies = [await scripts.reserve(keys=[f"w:{{s-{tag}}}:a", f"w:{{s-{tag}}}:r:t1"], args=[200, 60, "all"])
                   for tag in TAGS[:6]]
        assert [reply[:2] for reply in replies] == [[1, 300]] * 6
        pipe = plain.pipeline(transaction=False)
        for tag in TAGS[6:12]:
            await scripts.credit(keys=[f"w:{{s-{tag}}}:a", f"w:{{s-{tag}}}:c:t1"], args=[50, 60], client=pipe)
        assert [reply[:2] for reply in await pipe.execute()] == [[1, 550]] * 6
        await hot.close()
        await plain.aclose()

    run(exercise())


def test_a_stale_slot_map_is_corrected_by_the_clusters_redirects(cluster):
    async def exercise():
        hot = redis_scripts.hot_client(cluster.url)
        await hot.set("m:{moved}", "here")
        wrong = next(port for port in cluster.cluster.primaries() if port != primary_of(cluster, "m:{moved}"))
        hot._slots = [f"127.0.0.1:{wrong}"] * len(hot._slots)  # as if every slot had moved since
        assert await hot.get("m:{moved}") == b"here"  # MOVED followed
        assert hot._slots is None  # the whole map is read again by the next command
        assert await hot.get("m:{moved}") == b"here"
        assert hot._slots[slot_of("m:{moved}")] == f"127.0.0.1:{primary_of(cluster, 'm:{moved}')}"
        await hot.close()

    run(exercise())


def test_a_key_in_a_slot_being_migrated_is_read_where_the_cluster_says_to_ask(cluster):
    key = "m:{migrating}"
    slot = slot_of(key)
    source = primary_of(cluster, key)
    target = next(port for port in cluster.cluster.primaries() if port != source)
    node_id = {port: redis.Redis(port=port).execute_command("CLUSTER MYID").decode() for port in (source, target)}
    redis.Redis(port=target).execute_command("CLUSTER SETSLOT", slot, "IMPORTING", node_id[source])
    redis.Redis(port=source).execute_command("CLUSTER SETSLOT", slot, "MIGRATING", node_id[target])
    moved_in = redis.Redis(port=target).pipeline(transaction=False)
    moved_in.execute_command("ASKING").set(key, "moved already").execute()  # one connection: ASKING, then SET
    try:
        async def read():
            hot = redis_scripts.hot_client(cluster.url)
            assert await hot.get(key) == b"moved already"  # the source answered ASK: not here any more
            await hot.close()

        run(read())
    finally:
        cleanup = redis.Redis(port=target).pipeline(transaction=False)
        cleanup.execute_command("ASKING").delete(key).execute()
        for port in (source, target):
            redis.Redis(port=port).execute_command("CLUSTER SETSLOT", slot, "NODE", node_id[source])


def test_a_killed_primarys_replica_takes_over_and_the_clients_follow_it(own_cluster):
    key = "w:{failover}:a"
    dead = primary_of(own_cluster, key)

    async def before():
        hot = redis_scripts.hot_client(own_cluster.url)
        await hot.set(key, 4_200)
        await hot.execute_keyed(key, "WAIT", 1, 2_000)  # the replica has it
        await hot.close()

    run(before())
    own_cluster.cluster.kill_primary(dead)

    async def during_and_after():
        hot = redis_scripts.hot_client(own_cluster.url, retries=1)
        plain = redis_scripts.client(own_cluster.url, retries=1)
        async with asyncio.timeout(STEP_SECONDS):  # a command may fail, never hang
            with pytest.raises(redis_errors.ConnectionError):
                await hot.get(key)  # its primary is gone and nobody serves the slot yet
        replica = await asyncio.to_thread(own_cluster.cluster.wait_failover, dead)
        assert primary_of(own_cluster, key) == replica
        async with asyncio.timeout(STEP_SECONDS):
            assert await hot.get(key) == b"4200"
        async with asyncio.timeout(STEP_SECONDS):
            assert await plain.get(key) == b"4200"
        async with asyncio.timeout(STEP_SECONDS):
            await hot.set(key, 4_300)
        assert redis.Redis(port=replica).get(key) == b"4300"
        await hot.close()
        await plain.aclose()

    run(during_and_after())


# ---- counted writes wait for a replica (CLUB_REDIS_WAIT_REPLICAS) ---------------------------

COUNT = "return redis.call('INCRBY', KEYS[1], ARGV[1])"


def replica_of(server: harness.RedisClusterServer, primary: int) -> int:
    primary_id = next(node["id"] for node in server.cluster.nodes() if node["port"] == primary)
    return next(node["port"] for node in server.cluster.nodes() if node["primary_id"] == primary_id)


def waits_served(port: int) -> int:
    """How many WAIT commands the node at `port` has served."""
    return int(redis.Redis(port=port).info("commandstats").get("cmdstat_wait", {}).get("calls", 0))


def unreplicated_writes() -> float:
    return REGISTRY.get_sample_value("club_redis_unreplicated_writes_total") or 0.0


def test_counted_writes_are_on_the_replica_when_answered_with_one_wait_per_batch(cluster):
    key = "tasheem:offer:{replicated}:budget"
    primary = primary_of(cluster, key)
    replica = replica_of(cluster, primary)
    waits_before, unreplicated_before = waits_served(primary), unreplicated_writes()

    async def count():
        hot = redis_scripts.hot_client(cluster.url, wait_replicas=1)
        script = hot.script(COUNT, replicated=True)
        answers = await asyncio.gather(*(script(keys=[key], args=[1]) for _ in range(200)))
        await hot.close()
        return answers

    assert sorted(run(count())) == list(range(1, 201))
    on_replica = redis.Redis(port=replica)
    on_replica.execute_command("READONLY")
    assert on_replica.get(key) == b"200"  # answered means the replica has it
    waits = waits_served(primary) - waits_before
    assert 1 <= waits < 20, waits  # one WAIT per batch of writes, not one per write
    assert unreplicated_writes() == unreplicated_before


def test_without_replicas_to_wait_for_no_wait_is_sent(tmp_path, infra):
    single = harness.RedisServer(tmp_path)
    single.start()
    try:
        async def count():
            hot = redis_scripts.hot_client(single.url, wait_replicas=0)
            script = hot.script(COUNT, replicated=True)
            assert await script(keys=["k"], args=[5]) == 5
            await hot.close()

        run(count())
        assert waits_served(single.port) == 0
    finally:
        single.stop()


def test_a_counted_write_whose_replica_is_stopped_is_answered_after_the_wait_and_counted(own_cluster):
    key = "switch:limit:{stopped-replica}"
    primary = primary_of(own_cluster, key)
    replica_pid = int((own_cluster.cluster.workdir / str(replica_of(own_cluster, primary)) / "redis.pid").read_text())
    before = unreplicated_writes()

    async def count():
        hot = redis_scripts.hot_client(own_cluster.url, wait_replicas=1)
        script = hot.script(COUNT, replicated=True)
        plain = hot.script(COUNT)
        async with asyncio.timeout(STEP_SECONDS):
            assert await plain(keys=[key], args=[1]) == 1  # before the stop: replicated at once
            os.kill(replica_pid, signal.SIGSTOP)
            try:
                started = time.monotonic()
                # Two writers in one batch share one WAIT: the one that gives up does not cancel it.
                gives_up = asyncio.ensure_future(script(keys=[key], args=[10]))
                waits = asyncio.ensure_future(script(keys=[key], args=[1]))
                await asyncio.sleep(WAIT_MS / 1000 / 4)
                gives_up.cancel()
                assert await waits == 12  # on the primary; not yet on the replica
                waited = time.monotonic() - started
                assert await plain(keys=[key], args=[1]) == 13  # a write not counted as money waits for nothing
            finally:
                os.kill(replica_pid, signal.SIGCONT)
        await hot.close()
        return waited

    waited = run(count())
    assert waited >= WAIT_MS / 1000 * 0.9  # it did wait for the replica, then answered anyway
    assert unreplicated_writes() == before + 1  # the one that waited to the end


def test_a_counted_write_survives_its_primary_killed_right_after_the_answer(own_cluster):
    key = "w:{killed-after-answer}:a"
    dead = primary_of(own_cluster, key)

    async def count():
        hot = redis_scripts.hot_client(own_cluster.url, wait_replicas=1)
        assert await hot.script(COUNT, replicated=True)(keys=[key], args=[7_000]) == 7_000
        own_cluster.cluster.kill_primary(dead)  # the moment the answer is in
        await hot.close()

    run(count())
    replica = own_cluster.cluster.wait_failover(dead)
    assert redis.Redis(port=replica).get(key) == b"7000"


def test_the_local_cluster_script_starts_and_stops_a_cluster(tmp_path, infra):
    script = harness.load_script("redis_cluster")
    assert script.main(["start", "--dir", str(tmp_path / "rc")]) == 0
    running = script.LocalCluster.existing(tmp_path / "rc")
    try:
        assert len(running.primaries()) == 3 and len(running.alive()) == 6
        assert script.main(["stop", "--dir", str(tmp_path / "rc")]) == 0
        assert running.alive() == [] and not pathlib.Path(tmp_path / "rc").exists()
    finally:
        running.stop()
