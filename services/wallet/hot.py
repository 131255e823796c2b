"""Redis side: available balances of limited accounts, reserved and raised by Lua scripts.

Keys (one hash tag per account, so Redis Cluster works unchanged):
    w:{<account_id>}:a            available balance
    w:{<account_id>}:r:<request>  what <request> reserved (idempotency of the reservation)
    w:{<account_id>}:c:<request>  <request>'s credit was applied
    w:epoch                       present while Redis holds a complete copy of the ledger's balances

Redis is a cache of the ledger. When the epoch key is missing (Redis restarted empty, or the
service just started) every balance is rebuilt from Postgres before money moves again.
"""

from __future__ import annotations

import pathlib
import uuid

import redis.asyncio as aioredis

from services.shared.redis_pipeline import AutoPipeline
from services.shared.redis_scripts import Scripts

MARKER_TTL_SECONDS = 24 * 3600
EPOCH_KEY = "w:epoch"
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
        self.scripts = Scripts(redis, pathlib.Path(__file__).parent / "lua", hot=hot)

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

    async def clear(self) -> int:
        removed = 0
        batch: list[bytes] = []
        async for key in self.redis.scan_iter(match="w:*", count=SCAN_COUNT):
            batch.append(key)
            if len(batch) >= SCAN_COUNT:
                removed += await self.redis.unlink(*batch)
                batch.clear()
        if batch:
            removed += await self.redis.unlink(*batch)
        return removed

    async def write_balances(self, rows: list[tuple[str, int]]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for account_id, value in rows:
                pipe.set(available_key(account_id), value)
            await pipe.execute()

    async def set_epoch(self) -> str:
        epoch = str(uuid.uuid4())
        await self.redis.set(EPOCH_KEY, epoch)
        return epoch
