"""Completion of a pre-authorization: the hold is captured for the final amount (at most what
it holds); what was held and not taken goes back, and so does its share of the offers' budget."""

from __future__ import annotations

from services.gen.club.wallet.v1 import wallet_pb2

from .. import flows
from ..context import Context
from . import offer_release
from .base import Declined, Participant
from .payment import declined


class Capture(Participant):
    name = "capture"

    async def prepare(self, context: Context) -> Declined | None:
        request, outcome = context.request, context.outcome
        captured = await self.services.wallet.Capture(wallet_pb2.CaptureRequest(
            transaction_id=request.transaction_id, hold_transaction_id=request.original_transaction_id,
            amount=request.amount), timeout=context.remaining())
        if captured.outcome != wallet_pb2.PURCHASE_OUTCOME_APPROVED:
            return declined(captured.outcome)
        if request.amount:  # completed for less than was held, perhaps
            await offer_release.release(self.services, request.original_transaction_id, request.amount,
                                        context.remaining())
        outcome.approval_code = flows.approval_code(request.transaction_id)
        outcome.amount, outcome.points_earned = captured.charged, captured.points_earned
        outcome.credit_available, outcome.points_available = captured.credit_available, captured.points_available
        return None
