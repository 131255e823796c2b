"""Redis side: available balances of limited accounts, reserved and raised by Lua scripts.

Keys (one hash tag per account, so Redis Cluster works unchanged):
    w:{<account_id>}:a            available balance
    w:{<account_id>}:r:<request>  what <request> reserved (idempotency of the reservation)
    w:{<account_id>}:c:<request>  <request>'s credit was applied
    w:epoch                       present while Redis holds a complete copy of the ledger's balances
    wallet:rebuild{w:epoch}       held by the one replica rebuilding (same slot as the epoch)
    wallet:replica:<id>           each replica's state, "serving" or "drained", renewed every 0.5 s

Redis is a cache of the ledger. When the epoch key is missing (Redis restarted empty, or the
service just started) every balance is rebuilt from Postgres before money moves again. With
several wallet replicas, one rebuilds at a time (the lock), and only once every other replica
has stopped moving money and finished what it had in flight ("drained"): a clear must not wipe
a reservation whose commit lands after the balances were read from the ledger.
"""

from __future__ import annotations

import pathlib
import uuid

import redis.asyncio as aioredis

from services.shared.redis_pipeline import AutoPipeline
from services.shared.redis_scripts import Scripts

MARKER_TTL_SECONDS = 24 * 3600
EPOCH_KEY = "w:epoch"
# Outside the w:* pattern the rebuild clears.
REBUILD_LOCK_KEY = "wallet:rebuild{w:epoch}"
REBUILD_LOCK_SECONDS = 5  # renewed while the rebuild makes progress: a rebuilder that died frees it soon
REPLICA_KEY_PREFIX = "wallet:replica:"
REPLICA_STATE_SECONDS = 2.0  # a replica not heard of for this long is gone (it renews every 0.5 s)
SERVING, DRAINING, DRAINED = "serving", "draining", "drained"
REBUILD_BATCH = 5_000
SCAN_COUNT = 2_000

RESERVED, INSUFFICIENT, ALREADY_RESERVED, NOT_LOADED = 1, -1, -2, -3


def available_key(account_id: str) -> str:
    return f"w:{{{account_id}}}:a"


def reservation_key(account_id: str, request_id: str) -> str:
    return f"w:{{{account_id}}}:r:{request_id}"


def credit_key(account_id: str, request_id: str) -> str:
    return f"w:{{{account_id}}}:c:{request_id}"


class HotBalances:
    def __init__(self, redis: aioredis.Redis, hot: AutoPipeline):
        self.redis = redis  # rebuilds: scans and explicit pipelines
        self.hot = hot  # money movements: every command auto-pipelined
        # A reservation stays taken through a Redis failover (a lost one would let the balance be spent twice).
        self.scripts = Scripts(redis, pathlib.Path(__file__).parent / "lua", hot=hot, replicated=("reserve",))

    async def reserve(self, account_id: str, request_id: str, amount: int, up_to: bool = False) -> tuple[int, int, int]:
        """(status, available or reserved-before, amount reserved)."""
        reply = await self.scripts.reserve(
            keys=[available_key(account_id), reservation_key(account_id, request_id)],
            args=[amount, MARKER_TTL_SECONDS, "up_to" if up_to else "all"])
        status, value = int(reply[0]), int(reply[1])
        return status, value, int(reply[2]) if len(reply) > 2 else 0

    async def release(self, account_id: str, request_id: str) -> bool:
        return bool(await self.scripts.release(
            keys=[available_key(account_id), reservation_key(account_id, request_id)], args=[]))

    async def credit(self, account_id: str, request_id: str, amount: int) -> int | None:
        reply = await self.scripts.credit(keys=[available_key(account_id), credit_key(account_id, request_id)],
                                          args=[amount, MARKER_TTL_SECONDS])
        return None if int(reply[0]) == NOT_LOADED else int(reply[1])

    async def load(self, account_id: str, available: int) -> None:
        """Seed one account from the ledger, unless another request already did."""
        await self.hot.set(available_key(account_id), available, nx=True)

    async def get(self, account_id: str) -> int | None:
        value = await self.hot.get(available_key(account_id))
        return None if value is None else int(value)

    async def get_many(self, account_ids: list[str]) -> list[int | None]:
        values = await self.hot.mget([available_key(account_id) for account_id in account_ids])
        return [None if value is None else int(value) for value in values]

    async def has_epoch(self) -> bool:
        return bool(await self.redis.exists(EPOCH_KEY))

    async def clear(self, rebuild_token: str = "") -> int:
        """Every w:* key; with `rebuild_token`, the rebuild lock is renewed as the keys go."""
        removed = 0
        batch: list[bytes] = []
        async for key in self.redis.scan_iter(match="w:*", count=SCAN_COUNT):
            batch.append(key)
            if len(batch) >= SCAN_COUNT:
                removed += await self.redis.unlink(*batch)
                batch.clear()
                if rebuild_token:
                    await self.renew_rebuild_lock(rebuild_token)
        if batch:
            removed += await self.redis.unlink(*batch)
        return removed

    async def write_balances(self, rows: list[tuple[str, int]]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for account_id, value in rows:
                pipe.set(available_key(account_id), value)
            await pipe.execute()

    async def take_rebuild_lock(self, token: str) -> bool:
        """True when the lock is now `token`'s (taken, or still held from an attempt Redis cut short)."""
        if await self.redis.set(REBUILD_LOCK_KEY, token, nx=True, ex=REBUILD_LOCK_SECONDS):
            return True
        return await self.redis.get(REBUILD_LOCK_KEY) == token.encode()

    async def renew_rebuild_lock(self, token: str) -> None:
        if await self.redis.get(REBUILD_LOCK_KEY) == token.encode():
            await self.redis.expire(REBUILD_LOCK_KEY, REBUILD_LOCK_SECONDS)

    async def rebuild_locked(self) -> bool:
        return bool(await self.redis.exists(REBUILD_LOCK_KEY))

    async def release_rebuild_lock(self, token: str) -> None:
        if await self.redis.get(REBUILD_LOCK_KEY) == token.encode():
            await self.redis.delete(REBUILD_LOCK_KEY)

    async def drop_epoch(self) -> None:
        await self.redis.delete(EPOCH_KEY)

    async def announce(self, replica: str, state: str) -> None:
        await self.redis.set(REPLICA_KEY_PREFIX + replica, state, px=int(REPLICA_STATE_SECONDS * 1000))

    async def others_not_drained(self, replica: str) -> list[str]:
        """Replicas other than `replica`, alive, that have not said they are drained."""
        keys = [key async for key in self.redis.scan_iter(match=REPLICA_KEY_PREFIX + "*", count=SCAN_COUNT)]
        keys = [key for key in keys if key.decode() != REPLICA_KEY_PREFIX + replica]
        states = await self.redis.mget(keys) if keys else []
        return [key.decode().removeprefix(REPLICA_KEY_PREFIX) for key, state in zip(keys, states, strict=True)
                if state is not None and state.decode() != DRAINED]

    async def set_epoch(self) -> str:
        epoch = str(uuid.uuid4())
        await self.redis.set(EPOCH_KEY, epoch)
        return epoch
