"""The money: one linked transfer set in the wallet, committed in Postgres before the answer
(the member pays amount - discount, each funder its share, points are earned), or a hold for a
pre-authorization."""

from __future__ import annotations

from services.gen.club.wallet.v1 import wallet_pb2
from services.shared import limits
from services.shared import response_codes as codes

from .. import flows
from ..context import Context
from .base import Declined, Participant

PURCHASE_CODES = {
    wallet_pb2.PURCHASE_OUTCOME_INSUFFICIENT_FUNDS: codes.INSUFFICIENT_FUNDS,
    wallet_pb2.PURCHASE_OUTCOME_ACCOUNT_NOT_FOUND: codes.UNKNOWN_CARD,
    wallet_pb2.PURCHASE_OUTCOME_ACCOUNT_CLOSED: codes.RESTRICTED_CARD,
    wallet_pb2.PURCHASE_OUTCOME_CONFLICT: codes.DUPLICATE_TRANSMISSION,
    wallet_pb2.PURCHASE_OUTCOME_HOLD_NOT_FOUND: codes.INVALID_TRANSACTION,
    wallet_pb2.PURCHASE_OUTCOME_HOLD_RESOLVED: codes.INVALID_TRANSACTION,
    wallet_pb2.PURCHASE_OUTCOME_EXCEEDS_HOLD: codes.INVALID_AMOUNT,
}


def declined(outcome: int) -> Declined:
    """A wallet refusal; a conflict's reservations are the first transmission's, not ours to undo."""
    return Declined(PURCHASE_CODES.get(outcome, codes.SYSTEM_MALFUNCTION), wallet_pb2.PurchaseOutcome.Name(outcome).lower(),
                    undo=outcome != wallet_pb2.PURCHASE_OUTCOME_CONFLICT)


class Payment(Participant):
    name = "payment"
    compensates = True

    async def prepare(self, context: Context) -> Declined | None:
        card, quote, request, outcome = context.card, context.quote, context.request, context.outcome
        points = request.kind == flows.POINTS_PURCHASE
        paid = await self.services.purchases.call(wallet_pb2.PurchaseRequest(
            transaction_id=request.transaction_id, member_id=card.member_id, merchant_id=outcome.merchant_id,
            amount=request.amount, discount=quote.discount,
            funding=[wallet_pb2.FundingShare(party_id=f.party_id, amount=f.amount) for f in quote.funding],
            points_earned=0 if points else quote.points_earned,
            source=wallet_pb2.PAYMENT_SOURCE_POINTS if points else wallet_pb2.PAYMENT_SOURCE_CREDIT,
            hold=request.kind == flows.PREAUTH, hold_timeout_seconds=self.services.settings.hold_timeout_seconds,
            card_token=card.card_token), context.remaining())
        outcome.credit_available, outcome.points_available = paid.credit_available, paid.points_available
        if paid.outcome != wallet_pb2.PURCHASE_OUTCOME_APPROVED:
            return declined(paid.outcome)
        outcome.approval_code = flows.approval_code(request.transaction_id)
        outcome.discount, outcome.points_earned = quote.discount, paid.points_earned
        outcome.offers = [offer.offer_id for offer in quote.offers]
        return None

    async def compensate(self, transaction_id: str, final: bool) -> bool:
        """Reverse whatever the wallet may have posted; "unknown" may still mean "not committed
        yet", so it settles only once `final`."""
        undone = await self.services.wallet.Reverse(wallet_pb2.ReverseRequest(
            reversal_id=transaction_id + limits.COMPENSATION_SUFFIX, original_transaction_id=transaction_id,
            reason="no definite answer reached the terminal"), timeout=self.services.settings.authorization_timeout)
        return undone.outcome != wallet_pb2.REVERSE_OUTCOME_UNKNOWN_ORIGINAL or final
