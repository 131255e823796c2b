"""A reversal undoes exactly what its original posted, once. Unknown, declined or already
reversed originals change nothing and are acknowledged (00) so the terminal stops repeating."""

from __future__ import annotations

import asyncio
import contextlib

from redis import exceptions as redis_errors

from services.gen.club.wallet.v1 import wallet_pb2
from services.shared import response_codes as codes

from .. import journal
from ..context import Context
from ..outcome import Outcome
from . import daily_limit, offer_release, undone
from .base import Declined, Participant

SETTLE_WAIT_MARGIN_SECONDS = 1.0  # a reversal waits this long past the deadline for its in-flight original


class SettleOriginal(Participant):
    """The original's outcome, after waiting out its processing if it is in flight. Redis holds
    it; when Redis does not (emptied since), the journal does, and Redis learns it again. When
    neither has it, a tombstone is left so that a late original is refused and posts nothing."""

    name = "settle_original"

    async def prepare(self, context: Context) -> Declined | None:
        context.original = first = await self._first(context.request.original_transaction_id)
        if first is not None:
            context.outcome.masked_pan, context.outcome.card_token = first.masked_pan, first.card_token
            context.outcome.member_id = first.member_id
        return None

    async def _first(self, original: str) -> Outcome | None:
        services = self.services
        working = services.working.get(original)
        if working is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(working)
        wait = services.settings.authorization_timeout + SETTLE_WAIT_MARGIN_SECONDS
        try:
            claim = await services.dedupe.tombstone(original)
            if claim.in_flight:
                claim = await services.dedupe.settled(original, wait)
            if not claim.ours:
                return Outcome.from_stored(claim.answer) if claim.answer is not None else None
            row = await journal.get(services.pool, original)
            if row is None:
                return None  # the tombstone stays
            first = Outcome.from_row(row)
            await services.dedupe.store(original, first.stored())
            return first
        except redis_errors.RedisError:
            return None


class Reverse(Participant):
    name = "reverse"

    async def prepare(self, context: Context) -> Declined | None:
        request, first = context.request, context.original
        original = request.original_transaction_id
        reversed_ = await self.services.wallet.Reverse(wallet_pb2.ReverseRequest(
            reversal_id=request.transaction_id, original_transaction_id=original, amount=request.reverse_amount,
            stands=request.stands, reason="reversal from " + (request.terminal_id or request.channel)),
            timeout=context.remaining())
        declined = undone.record(reversed_, context.outcome, nothing_code=codes.APPROVED)
        if reversed_.outcome == wallet_pb2.REVERSE_OUTCOME_REVERSED:
            await offer_release.release(self.services, original, reversed_.stands, context.remaining())
            if reversed_.fully_undone and first is not None and first.limit_key:
                await daily_limit.release(self.services.scripts, first.limit_key, original)
        return declined
