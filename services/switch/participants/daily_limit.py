"""The card's daily limits (amount and count, by its product), counted in Redis per card and day
in the club's time zone, once per transaction.

Redis is a cache here too: a counter that is missing (Redis emptied, or the card's first
transaction of the day) is seeded from the journal, where every outcome names the counter it
still counts against, before anything is counted. So emptying Redis lets no card past its limits.
"""

from __future__ import annotations

from services.shared import response_codes as codes

from .. import journal
from ..context import Context
from .base import Declined, Participant

LIMIT_TTL_SECONDS = 2 * 24 * 3600
UNSEEDED = -3  # limit_reserve.lua: the counter is not in Redis
SEED = "seed"  # limit_reserve.lua: what follows seeds a missing counter


def limit_key(card_token: str, day: str) -> str:
    return f"sw:day:{{{card_token}}}:{day}"


class DailyLimit(Participant):
    name = "daily_limit"

    async def prepare(self, context: Context) -> Declined | None:
        card, request = context.card, context.request
        limits = card.limits
        if not (limits.daily_amount or limits.daily_count):
            return None
        key = limit_key(card.card_token, request.received_at.astimezone(self.services.zone).strftime("%Y%m%d"))
        args = [request.transaction_id, request.amount, limits.daily_amount, limits.daily_count, LIMIT_TTL_SECONDS]
        result = await self.services.scripts.limit_reserve(keys=[key], args=args)
        if result == UNSEEDED:
            counted = await journal.counted_against(self.services.pool, key)
            seed = [value for row in counted for value in (row["transaction_id"], row["amount"])]
            result = await self.services.scripts.limit_reserve(keys=[key], args=[*args, SEED, *seed])
        if result == -1:
            return Declined(codes.OVER_AMOUNT_LIMIT, "over the card's daily limit")
        if result == -2:
            return Declined(codes.OVER_COUNT_LIMIT, "over the card's daily limit")
        assert result == 1, result
        context.outcome.limit_key = key
        return None

    async def undo(self, context: Context) -> None:
        if context.outcome.limit_key:
            await release(self.services.scripts, context.outcome.limit_key, context.request.transaction_id)
            context.outcome.limit_key = ""


async def release(scripts, key: str, transaction_id: str) -> None:
    """Give back what a transaction counted (nothing when it was not counted, or the counter is
    gone: a seed from the journal then leaves out what is reversed)."""
    await scripts.limit_release(keys=[key], args=[transaction_id])
