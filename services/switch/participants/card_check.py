"""The card check: status, expiry, PIN or CVV2, tries, product and tier, by cards' rules."""

from __future__ import annotations

import asyncio

from prometheus_client import Counter
from redis import exceptions as redis_errors

from services.cards.read_model import ReadModelMiss
from services.gen.club.cards.v1 import cards_pb2
from services.shared import response_codes as codes

from ..context import Context
from ..flows import Request
from .base import Declined, Participant

CARD_CHECKS = Counter("club_card_checks_total", "card checks, by who answered: the read model or the cards service",
                      ["source"])


def card_message(request: Request) -> cards_pb2.AuthorizeCardRequest:
    message = cards_pb2.AuthorizeCardRequest(
        expiry=request.expiry, pin_block=request.pin_block, cvv2=request.cvv2, terminal_id=request.terminal_id,
        amount=request.amount, processing_code=request.processing_code,
        pin_block_format=cards_pb2.PIN_BLOCK_FORMAT_ISO_0 if request.pin_block else 0)
    if request.pan:
        message.pan = request.pan
    else:
        message.card_token = request.card_token
    return message


class CardCheck(Participant):
    name = "card_check"

    def begin(self, context: Context) -> None:
        """Sent at once beside the duplicate claim instead of after it: one round trip less on the
        answer's path. Only where it changes nothing: without a PIN block, whose wrong tries are
        counted (a retransmission's early check is simply dropped)."""
        if not context.request.pin_block:
            context.card_check = asyncio.ensure_future(
                self._check(card_message(context.request), self.services.settings.authorization_timeout))

    async def prepare(self, context: Context) -> Declined | None:
        early, context.card_check = context.card_check, None
        card = await early if early is not None else await self._check(card_message(context.request),
                                                                        context.remaining())
        context.card = card
        context.card_fields()
        if card.response_code != codes.APPROVED:
            return Declined(card.response_code, "refused by the card")
        return None

    async def _check(self, message: cards_pb2.AuthorizeCardRequest, timeout: float) -> cards_pb2.AuthorizeCardResponse:
        """From cards' read model in Redis when it can answer (no secret to verify, profiles
        present), else from the cards service: the same decision either way (authorize.decide)."""
        read_model = self.services.read_model
        if read_model is not None and not (message.pin_block or message.cvv2):
            try:
                card = await read_model.authorize(message)
            except (ReadModelMiss, redis_errors.RedisError):
                pass
            else:
                CARD_CHECKS.labels("read_model").inc()
                return card
        CARD_CHECKS.labels("cards").inc()
        return await self.services.card_checks.call(message, timeout)
