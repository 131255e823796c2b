"""The merchant the purchase is made at: the terminal's, and the request's if it names one."""

from __future__ import annotations

from services.shared import response_codes as codes

from ..context import Context
from .base import Declined, Participant


class MerchantCheck(Participant):
    name = "merchant_check"

    async def prepare(self, context: Context) -> Declined | None:
        card, asked = context.card, context.request.merchant_id
        merchant_id = card.merchant_id or asked
        if not merchant_id or (asked and card.merchant_id and asked != card.merchant_id):
            return Declined(codes.NOT_PERMITTED_TO_TERMINAL, "the terminal does not belong to this merchant")
        context.outcome.merchant_id = merchant_id
        return None
