"""A refund names its purchase (by RRN from terminals, by transaction id over gRPC); money goes
back to the member's card at the same merchant, at most what the purchase left standing."""

from __future__ import annotations

from services.gen.club.wallet.v1 import wallet_pb2
from services.shared import response_codes as codes

from .. import flows, journal
from ..context import Context
from ..outcome import Outcome
from . import offer_release, undone
from .base import Declined, Participant

REFUNDABLE_KINDS = (flows.PURCHASE, flows.POINTS_PURCHASE)


class OriginalPurchase(Participant):
    name = "original_purchase"

    async def prepare(self, context: Context) -> Declined | None:
        request, pool = context.request, self.services.pool
        if request.original_transaction_id:
            row = await journal.get(pool, request.original_transaction_id)
        elif request.original_rrn.isdigit() and int(request.original_rrn):
            row = await journal.by_seq(pool, int(request.original_rrn))
        else:
            row = None
        if row is None or row["response_code"] != codes.APPROVED or row["kind"] not in REFUNDABLE_KINDS:
            return Declined(codes.INVALID_TRANSACTION, "no approved purchase with that reference")
        context.original = Outcome.from_row(row)
        context.outcome.original_transaction_id = context.original.transaction_id
        context.outcome.merchant_id = context.original.merchant_id
        return None


class SameCardAndMerchant(Participant):
    name = "same_card_and_merchant"

    async def prepare(self, context: Context) -> Declined | None:
        original, asked = context.original, context.request.merchant_id
        if context.card.card_token != original.card_token or (asked and asked != original.merchant_id):
            return Declined(codes.INVALID_TRANSACTION, "the purchase was made with another card or at another merchant")
        return None


class Refund(Participant):
    name = "refund"

    async def prepare(self, context: Context) -> Declined | None:
        request, original = context.request, context.original.transaction_id
        refund = await self.services.wallet.Refund(wallet_pb2.RefundRequest(
            refund_id=request.transaction_id, original_transaction_id=original, amount=request.amount,
            reason="refund at " + (request.terminal_id or request.channel)), timeout=context.remaining())
        if refund.outcome == wallet_pb2.REVERSE_OUTCOME_REVERSED:  # card limits stay spent
            await offer_release.release(self.services, original, refund.stands, context.remaining())
        return undone.record(refund, context.outcome, nothing_code=codes.INVALID_TRANSACTION)
