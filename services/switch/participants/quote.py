"""The offers that apply, their discount and funding shares, with each offer's budget and the
member's use reserved in tasheem."""

from __future__ import annotations

from services.gen.club.tasheem.v1 import tasheem_pb2
from services.shared import response_codes as codes

from ..context import Context
from .base import Declined, Participant


class Quote(Participant):
    name = "quote"
    compensates = True

    async def prepare(self, context: Context) -> Declined | None:
        card, request = context.card, context.request
        context.quote = await self.services.quotes.call(tasheem_pb2.QuoteRequest(
            transaction_id=request.transaction_id, merchant_id=context.outcome.merchant_id,
            terminal_id=request.terminal_id, product_id=card.product_id, tier=card.tier, segment=card.segment,
            member_id=card.member_id, amount=request.amount, reserve=True), context.remaining())
        if context.quote.outcome != tasheem_pb2.QUOTE_OUTCOME_OK:
            return Declined(codes.NOT_PERMITTED_TO_TERMINAL, "unknown merchant")
        return None

    async def undo(self, context: Context) -> None:
        await self.services.tasheem.Release(
            tasheem_pb2.ReleaseRequest(transaction_id=context.request.transaction_id), timeout=context.remaining())

    async def compensate(self, transaction_id: str, final: bool) -> bool:
        await self.services.tasheem.Release(tasheem_pb2.ReleaseRequest(transaction_id=transaction_id),
                                            timeout=self.services.settings.authorization_timeout)
        return True
