"""AuthorizeCard: may this card transact here, and on what terms? The switch's hot path.

Everything comes from Redis read models (card auth profile, terminal profile) written by this
service; Postgres is touched only when a profile is missing, or to count a wrong PIN (tries
must survive a Redis loss). Checks run in the order a refusal should be explained:

    58 terminal unknown or not active      14 unknown card
    62 card not active (54 if expired)     54 card past its expiry, or field 14 differs
    57 processing code not permitted       61 amount over the per-transaction limit
    75 PIN tries exceeded                  55 wrong PIN, or PIN required but absent
    05 CVV2 given and wrong                00 the card may transact
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Protocol

from services.gen.club.cards.v1 import cards_pb2 as pb
from services.shared import response_codes as codes
from services.shared.errors import FieldError
from services.shared.limits import PAN_MAX_LENGTH, PAN_MIN_LENGTH
from services.shared.pan import luhn_valid

from . import lifecycle, pins, products, profiles, terminals, validate
from .context import Deps
from .products import KIND_VALUES

TRACK2_RE = re.compile(rf"^;?([0-9]{{{PAN_MIN_LENGTH},{PAN_MAX_LENGTH}}})[=D]([0-9]{{4}})[0-9]*\??$")
PROCESSING_CODE_RE = re.compile(r"^[0-9]{6}$")
CVV2_RE = re.compile(r"^[0-9]{3}$")


class Checked:
    """A validated AuthorizeCardRequest."""

    __slots__ = ("pan", "card_token", "expiry", "terminal_id")

    def __init__(self, request):
        which = request.WhichOneof("card")
        self.pan = self.card_token = ""
        self.expiry = validate.yymm(request.expiry, "expiry") if request.expiry else ""
        if which == "pan":
            self.pan = validate.pan(request.pan)
        elif which == "track2":
            match = TRACK2_RE.match(request.track2)
            if match is None:
                raise FieldError("track2", "is not track 2 data (PAN=YYMM...)")
            self.pan, track_expiry = match.group(1), match.group(2)
            self.expiry = self.expiry or track_expiry
        elif which == "card_token":
            self.card_token = validate.card_token(request.card_token)
        else:
            raise FieldError("pan", "one of pan, track2 or card_token is required")
        if not PROCESSING_CODE_RE.match(request.processing_code):
            raise FieldError("processing_code", "must be 6 digits (field 3)")
        if request.amount < 0:
            raise FieldError("amount", "must not be negative")
        if request.cvv2 and not CVV2_RE.match(request.cvv2):
            raise FieldError("cvv2", "must be 3 digits")
        self.terminal_id = validate.terminal_id(request.terminal_id) if request.terminal_id else ""
        if request.pin_block:
            size = pins.BLOCK_BYTES.get(request.pin_block_format)
            if size is None:
                raise FieldError("pin_block_format", "must be PIN_BLOCK_FORMAT_ISO_0 or PIN_BLOCK_FORMAT_ISO_4")
            if len(request.pin_block) != size:
                raise FieldError("pin_block", f"must be {size} bytes for its format")
            if not self.terminal_id:
                raise FieldError("terminal_id", "is required with a pin_block (it names the PIN key)")


def is_past(expiry: str, today: dt.date) -> bool:
    """A card is valid through the last day of its expiry month."""
    return (2000 + int(expiry[:2]), int(expiry[2:])) < (today.year, today.month)


class Source(Protocol):
    """Where a card check finds its profiles and verifies secrets: the cards service itself
    (`Cards`: Redis with Postgres fallback, keys at hand) or another service reading the read
    model (services/cards/read_model.py), which raises where it cannot answer."""

    async def terminal(self, terminal_id: str) -> profiles.TerminalProfile | None: ...
    async def card_by_pan(self, pan: str) -> profiles.CardProfile | None: ...
    async def card_by_token(self, card_token: str) -> profiles.CardProfile | None: ...
    async def pin_code(self, request, checked: Checked, card: profiles.CardProfile, terminal) -> str: ...
    async def cvv2_ok(self, request, card: profiles.CardProfile, pan: str) -> bool: ...
    def refused(self, response: pb.AuthorizeCardResponse, terminal_id: str) -> None: ...


async def authorize(deps: Deps, request) -> pb.AuthorizeCardResponse:
    return await decide(Cards(deps), request)


async def decide(source: Source, request) -> pb.AuthorizeCardResponse:
    """The card check, in the order the module docstring gives; one function whoever runs it."""
    checked = Checked(request)
    response = pb.AuthorizeCardResponse()
    terminal = None
    if checked.terminal_id:
        terminal = await source.terminal(checked.terminal_id)
        if terminal is None or terminal.status != terminals.ACTIVE:
            return _refuse(source, response, codes.NOT_PERMITTED_TO_TERMINAL, checked.terminal_id)
        response.merchant_id = terminal.merchant_id
    if checked.pan:
        if not luhn_valid(checked.pan):
            return _refuse(source, response, codes.UNKNOWN_CARD, checked.terminal_id)
        card = await source.card_by_pan(checked.pan)
    else:
        card = await source.card_by_token(checked.card_token)
    if card is None:
        return _refuse(source, response, codes.UNKNOWN_CARD, checked.terminal_id)

    response.card_token = card.card_token
    response.masked_pan = card.masked_pan
    response.member_id = card.member_id
    response.product_id = card.product_id
    response.tier = card.tier
    response.segment = card.segment
    response.kind = KIND_VALUES[card.kind]
    response.limits.per_transaction_amount = card.per_transaction_amount
    response.limits.daily_amount = card.daily_amount
    response.limits.daily_count = card.daily_count

    code = await _decide(source, request, checked, card, terminal)
    if code != codes.APPROVED:
        return _refuse(source, response, code, checked.terminal_id)
    response.response_code = codes.APPROVED
    return response


async def _decide(source: Source, request, checked: Checked, card: profiles.CardProfile, terminal) -> str:
    if card.status == lifecycle.EXPIRED:
        return codes.EXPIRED_CARD
    if card.status not in lifecycle.TRANSACTING:
        return codes.RESTRICTED_CARD
    if is_past(card.expiry, dt.date.today()) or (checked.expiry and checked.expiry != card.expiry):
        return codes.EXPIRED_CARD
    if request.processing_code[:2] not in card.allowed_processing:
        return codes.NOT_PERMITTED_TO_CARDHOLDER
    if card.per_transaction_amount and request.amount > card.per_transaction_amount:
        return codes.OVER_AMOUNT_LIMIT
    if card.pin_tries >= pins.MAX_PIN_TRIES:
        return codes.PIN_TRIES_EXCEEDED
    if request.pin_block:
        code = await source.pin_code(request, checked, card, terminal)
        if code != codes.APPROVED:
            return code
    elif card.pin_required:
        return codes.WRONG_PIN
    if request.cvv2 and not await source.cvv2_ok(request, card, checked.pan):
        return codes.DO_NOT_HONOUR  # CVV2 mismatch (schemes use N7; our wire contract has no such code)
    return codes.APPROVED


class Cards:
    """The cards service's own source: profiles from Redis, Postgres when one is missing; PIN and
    CVV2 verified under its keys, wrong PIN tries counted in Postgres."""

    def __init__(self, deps: Deps):
        self.deps = deps

    async def terminal(self, terminal_id: str) -> profiles.TerminalProfile | None:
        return await profiles.terminal(self.deps, terminal_id)

    async def card_by_pan(self, pan: str) -> profiles.CardProfile | None:
        return await profiles.card_by_hash(self.deps, self.deps.vault.lookup_hash(pan))

    async def card_by_token(self, card_token: str) -> profiles.CardProfile | None:
        return await profiles.card_by_token(self.deps, card_token)

    async def pin_code(self, request, checked: Checked, card: profiles.CardProfile, terminal) -> str:
        deps = self.deps
        pan = checked.pan or _pan(deps, card)
        try:
            pin_value = pins.decrypt_pin(request.pin_block, request.pin_block_format, terminals.pin_key(deps, terminal), pan)
        except pins.PinBlockError:
            pin_value = ""  # under the wrong key or garbled: as good as a wrong PIN
        if pin_value and pins.pin_matches(deps.keys.pvk, card.pvki, pin_value, pan, card.pvv):
            if card.pin_tries:
                await _set_tries(deps, card, "0")
            return codes.APPROVED
        tries = await _set_tries(deps, card, "pin_tries + 1")
        return codes.PIN_TRIES_EXCEEDED if tries >= pins.MAX_PIN_TRIES else codes.WRONG_PIN

    async def cvv2_ok(self, request, card: profiles.CardProfile, pan: str) -> bool:
        cvk = await products.cvk_by_id(self.deps, card.product_id)
        return pins.cvv2_matches(cvk, pan or _pan(self.deps, card), card.expiry, request.cvv2)

    def refused(self, response: pb.AuthorizeCardResponse, terminal_id: str) -> None:
        self.deps.log.info("authorization refused", extra={
            "response_code": response.response_code, "card_token": response.card_token,
            "masked_pan": response.masked_pan, "terminal_id": terminal_id})


def _pan(deps: Deps, card: profiles.CardProfile) -> str:
    return deps.vault.decrypt(card.pan_ciphertext, card.card_token.encode()).decode()


async def _set_tries(deps: Deps, card: profiles.CardProfile, expression: str) -> int:
    """Persist the try counter in Postgres first (it must survive Redis), then the profile."""
    assert expression in ("0", "pin_tries + 1")
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            cur = await conn.execute(f"UPDATE cards SET pin_tries = {expression}, version = version + 1,"
                                     " updated_at = now() WHERE card_token = %s RETURNING pin_tries", (card.card_token,))
            tries = (await cur.fetchone())["pin_tries"]
        await profiles.refresh_cards(deps, conn, "c.card_token = %s", (card.card_token,))
    return tries


def _refuse(source: Source, response: pb.AuthorizeCardResponse, code: str, terminal_id: str) -> pb.AuthorizeCardResponse:
    response.response_code = code
    source.refused(response, terminal_id)
    return response
