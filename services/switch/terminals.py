"""Terminals as the switch sees them: keys and status from the cards service, cached briefly,
and MAC failures counted so that a terminal sending bad MACs is blocked."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import grpc
import redis.asyncio as aioredis

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc

CACHE_SECONDS = 10.0  # a key change or a block reaches the switch within this
LOOKUP_TIMEOUT_SECONDS = 1.0
MAC_FAILURE_WINDOW_SECONDS = 3600
BLOCK_REASON = "mac_failures"


@dataclass(frozen=True)
class TerminalInfo:
    terminal_id: str
    merchant_id: str
    active: bool
    mac_key: bytes  # empty: the terminal sends no MAC


class TerminalDirectory:
    def __init__(self, cards: cards_pb2_grpc.CardServiceStub, redis: aioredis.Redis, log: logging.Logger,
                 mac_failures_to_block: int):
        self.cards = cards
        self.redis = redis
        self.log = log
        self.mac_failures_to_block = mac_failures_to_block
        self._cache: dict[str, tuple[float, TerminalInfo | None]] = {}

    async def get(self, terminal_id: str) -> TerminalInfo | None:
        """None for a terminal the club does not know. Other failures raise (the answer is 91)."""
        hit = self._cache.get(terminal_id)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            keys = await self.cards.GetTerminalKeys(cards_pb2.GetTerminalRequest(terminal_id=terminal_id),
                                                    timeout=LOOKUP_TIMEOUT_SECONDS)
            info = TerminalInfo(keys.terminal_id, keys.merchant_id, keys.status == cards_pb2.TERMINAL_STATUS_ACTIVE,
                                bytes(keys.mac_key))
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                raise
            info = None
        self._cache[terminal_id] = (now + CACHE_SECONDS, info)
        return info

    def last_known(self, terminal_id: str) -> TerminalInfo | None:
        """What the cache last held for a terminal, however old, without a lookup."""
        hit = self._cache.get(terminal_id)
        return hit[1] if hit is not None else None

    def forget(self, terminal_id: str) -> None:
        self._cache.pop(terminal_id, None)

    async def mac_failed(self, terminal_id: str) -> bool:
        """Count a MAC failure; True when this one got the terminal blocked."""
        key = f"sw:macfail:{{{terminal_id}}}"
        failures = await self.redis.incr(key)
        if failures == 1:
            await self.redis.expire(key, MAC_FAILURE_WINDOW_SECONDS)
        self.log.warning("MAC verification failed", extra={"terminal_id": terminal_id, "failures": failures})
        if failures < self.mac_failures_to_block:
            return False
        await self.cards.ChangeTerminalStatus(cards_pb2.ChangeTerminalStatusRequest(
            terminal_id=terminal_id, status=cards_pb2.TERMINAL_STATUS_BLOCKED, reason_code=BLOCK_REASON),
            timeout=LOOKUP_TIMEOUT_SECONDS)
        await self.redis.delete(key)
        self.forget(terminal_id)
        self.log.warning("terminal blocked after repeated MAC failures", extra={"terminal_id": terminal_id})
        return True
