"""The card check as another service runs it from cards' Redis read model, without a call.

The design lets one service read a read model another writes (the card auth profile is its
example); cards writes every profile before the call that changed it returns
(services/cards/profiles.py), so a reader here sees what cards itself would. This reader runs the
same decision (authorize.decide) on the same profiles, and answers only what needs no key: a
request with a PIN block or CVV2, a profile that is not in Redis (an unknown card or terminal,
or Redis emptied and not yet rebuilt), or a field that does not validate raises `ReadModelMiss`,
and the caller asks the cards service, which answers everything (and restores what was missing).

It needs the PAN lookup key (CLUB_PAN_HMAC_KEY), which finds a card by its PAN and decrypts
nothing: the switch that holds it sees the PAN in field 2 anyway.
"""

from __future__ import annotations

from services.gen.club.cards.v1 import cards_pb2 as pb
from services.shared.errors import FieldError
from services.shared.redis_pipeline import AutoPipeline
from services.shared.vault import lookup_hash

from . import authorize, profiles


class ReadModelMiss(Exception):
    """The read model cannot answer this check; the cards service can."""


class ReadModel:
    """An `authorize.Source` over Redis alone."""

    def __init__(self, hot: AutoPipeline, pan_lookup_key: bytes):
        self.hot = hot
        self._pan_lookup_key = pan_lookup_key

    async def authorize(self, request: pb.AuthorizeCardRequest) -> pb.AuthorizeCardResponse:
        """What cards.AuthorizeCard would answer, or ReadModelMiss."""
        if request.pin_block or request.cvv2:
            raise ReadModelMiss("a secret to verify")
        try:
            return await authorize.decide(self, request)
        except FieldError as exc:  # the service answers bad input with its own error
            raise ReadModelMiss("invalid field") from exc

    async def terminal(self, terminal_id: str) -> profiles.TerminalProfile:
        stored = await self.hot.hgetall(profiles.terminal_key(terminal_id))
        if not stored:
            raise ReadModelMiss("terminal profile")
        return profiles.TerminalProfile.from_redis(stored)

    async def card_by_pan(self, pan: str) -> profiles.CardProfile:
        return await self._card(profiles.profile_key(lookup_hash(self._pan_lookup_key, pan)))

    async def card_by_token(self, card_token: str) -> profiles.CardProfile:
        pan_hash = await self.hot.get(profiles.token_key(card_token))
        if not pan_hash:
            raise ReadModelMiss("card token")
        return await self._card(profiles.profile_key(pan_hash))

    async def _card(self, key: str) -> profiles.CardProfile:
        stored = await self.hot.hgetall(key)
        if not stored:
            raise ReadModelMiss("card profile")
        return profiles.CardProfile.from_redis(stored)

    async def pin_code(self, request, checked, card, terminal) -> str:
        raise ReadModelMiss("a PIN to verify")  # not reached: authorize() sends these to cards

    async def cvv2_ok(self, request, card, pan: str) -> bool:
        raise ReadModelMiss("a CVV2 to verify")

    def refused(self, response: pb.AuthorizeCardResponse, terminal_id: str) -> None:
        """Refusals here are the caller's to record (the switch journals every answer)."""
