"""Duplicate detection in Redis, keyed by the deterministic transaction id (41 + 7 + 11).

Each transaction id has one key. A request claims it ("inflight") before doing anything; the
answer replaces the claim. A retransmission finds the answer and gets it again; a reversal that
arrives before its original leaves a tombstone so the late original is refused and posts nothing.
Redis losing these keys costs only the cheap path: the wallet's own idempotency still posts once.
"""

from __future__ import annotations

import asyncio
import time

import orjson

from services.shared.redis_pipeline import AutoPipeline

DUPLICATE_WINDOW_SECONDS = 2 * 24 * 3600  # retransmissions and reversals come within minutes; keep days
INFLIGHT_CLAIM_SECONDS = 30  # longer than any authorization; a crashed switch's claim lapses
POLL_SECONDS = 0.02
INFLIGHT = b"inflight"
TOMBSTONE = b"tombstone"


def key(transaction_id: str) -> str:
    return f"sw:{{{transaction_id}}}"


class Claim:
    """What claiming a transaction id found: nothing (it is ours), an answer, a claim or a tombstone."""

    def __init__(self, previous: bytes | None):
        self.previous = previous

    @property
    def ours(self) -> bool:
        return self.previous is None

    @property
    def in_flight(self) -> bool:
        return self.previous == INFLIGHT

    @property
    def tombstone(self) -> bool:
        return self.previous == TOMBSTONE

    @property
    def answer(self) -> dict | None:
        if self.previous in (None, INFLIGHT, TOMBSTONE):
            return None
        return orjson.loads(self.previous)


class Dedupe:
    def __init__(self, redis: AutoPipeline):
        self.redis = redis

    async def claim(self, transaction_id: str) -> Claim:
        previous = await self.redis.set(key(transaction_id), INFLIGHT, nx=True, ex=INFLIGHT_CLAIM_SECONDS, get=True)
        return Claim(previous)

    async def store(self, transaction_id: str, answer: dict) -> None:
        await self.redis.set(key(transaction_id), orjson.dumps(answer),
                             ex=DUPLICATE_WINDOW_SECONDS)

    async def forget(self, transaction_id: str) -> None:
        """Drop our claim when nothing was done (the request may be sent again)."""
        await self.redis.delete(key(transaction_id))

    async def tombstone(self, transaction_id: str) -> Claim:
        """Mark a transaction as reversed before it was seen; what was there instead, if anything."""
        previous = await self.redis.set(key(transaction_id), TOMBSTONE, nx=True, ex=DUPLICATE_WINDOW_SECONDS, get=True)
        return Claim(previous)

    async def settled(self, transaction_id: str, timeout: float) -> Claim:
        """Wait until an in-flight claim becomes an answer (or lapses, or `timeout` passes)."""
        deadline = time.monotonic() + timeout
        while True:
            claim = Claim(await self.redis.get(key(transaction_id)))
            if not claim.in_flight or time.monotonic() >= deadline:
                return claim
            await asyncio.sleep(POLL_SECONDS)
