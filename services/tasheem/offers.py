"""Offers as the quote engine sees them: checked once when saved, then immutable values.

`compile_offer` turns an Offer message into an `Offer` or raises FieldError naming the field
(`offer.window.ends_at`, `offer.funding[2].party_id`, ...). Everything the hot path needs is
precomputed here: scope sets, the window, the funding rules.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared.errors import FieldError

from . import funding, windows
from .funding import Share

MAX_NAME_LENGTH = 200
MAX_SCOPE_VALUES = 1_000
MAX_OFFER_ID_LENGTH = 64
OFFER_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
MAX_DISCOUNT_BP = 10_000
MAX_MULTIPLIER_PCT = 10_000  # x100
DEFAULT_MULTIPLIER_PCT = 100
MAX_COUPONS_PER_MEMBER = 1_000  # coupons of one campaign one member may hold in all
PERIOD_NAMES = {pb.LIMIT_PERIOD_DAY: windows.DAY, pb.LIMIT_PERIOD_WEEK: windows.WEEK,
                pb.LIMIT_PERIOD_MONTH: windows.MONTH, pb.LIMIT_PERIOD_CAMPAIGN: windows.CAMPAIGN}
SCOPE_FIELDS = ("merchant_ids", "merchant_groups", "mccs", "terminal_ids", "product_ids", "tiers", "segments")


@dataclass(frozen=True)
class Purchase:
    """What a quote is asked about, with the merchant's MCC and group filled in."""

    merchant_id: str
    merchant_group: str
    mcc: str
    terminal_id: str
    product_id: str
    tier: str
    segment: str
    member_id: str
    amount: int
    at: dt.datetime


@dataclass(frozen=True)
class Scope:
    merchant_ids: frozenset[str]
    merchant_groups: frozenset[str]
    mccs: frozenset[str]
    terminal_ids: frozenset[str]
    product_ids: frozenset[str]
    tiers: frozenset[str]
    segments: frozenset[str]

    def matches(self, p: Purchase) -> bool:
        # An empty set means any; each non-empty set must hold the purchase's value.
        return ((not self.merchant_ids or p.merchant_id in self.merchant_ids)
                and (not self.merchant_groups or p.merchant_group in self.merchant_groups)
                and (not self.mccs or p.mcc in self.mccs)
                and (not self.terminal_ids or p.terminal_id in self.terminal_ids)
                and (not self.product_ids or p.product_id in self.product_ids)
                and (not self.tiers or p.tier in self.tiers)
                and (not self.segments or p.segment in self.segments))

    def overlaps(self, other: Scope) -> bool:
        """Could one purchase match both? Per dimension the sets must meet (or one be "any").
        Merchants and groups are separate dimensions, so [M1] and group [G1] count as overlapping."""
        for name in SCOPE_FIELDS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine and theirs and not mine & theirs:
                return False
        return True


@dataclass(frozen=True)
class MemberLimit:
    period: str
    max_uses: int
    max_discount: int


@dataclass(frozen=True)
class Offer:
    offer_id: str
    name: str
    campaign: str
    scope: Scope
    window: windows.Window
    min_amount: int
    percent_bp: int
    fixed_discount: int
    cap: int
    bonus_points: int
    multiplier_pct: int  # effective: 100 when the rule says 0 (no change)
    limits: tuple[MemberLimit, ...]
    budget: int
    priority: int
    exclusive: bool
    stacks_with: frozenset[str]
    funding: tuple[Share, ...]
    active: bool
    coupon_required: bool  # a coupon campaign: applies only with a coupon the member holds, and uses it
    coupons_per_member: int  # effective: 1 when the rule says 0
    reward_id: str  # a reward's voucher campaign: prepaid value, outside the club's cap
    message: pb.Offer = field(repr=False, compare=False)  # as saved, for answers

    @property
    def needs_reservation(self) -> bool:
        """Only offers with a budget or member limits touch Redis."""
        return bool(self.budget or self.limits)

    @property
    def gives_points(self) -> bool:
        return bool(self.bonus_points) or self.multiplier_pct != DEFAULT_MULTIPLIER_PCT

    def applies_to(self, p: Purchase) -> bool:
        return (self.active and p.amount >= max(self.min_amount, 1) and self.window.contains(p.at)
                and self.scope.matches(p) and bool(p.member_id or not (self.limits or self.coupon_required)))

    def discount_for(self, amount: int) -> int:
        if self.fixed_discount:
            return min(self.fixed_discount, amount)
        value = amount * self.percent_bp // MAX_DISCOUNT_BP  # rounded down: the member never gets a fraction
        return min(value, self.cap) if self.cap else value

    def stacks_on(self, other: Offer) -> bool:
        return ((not self.stacks_with or other.offer_id in self.stacks_with)
                and (not other.stacks_with or self.offer_id in other.stacks_with))


def _time(stamp, message, name: str) -> dt.datetime | None:
    return stamp.ToDatetime(dt.UTC) if message.HasField(name) else None


def _scope(message: pb.OfferScope) -> Scope:
    values = {}
    for name in SCOPE_FIELDS:
        items = [item.strip() for item in getattr(message, name)]
        if len(items) > MAX_SCOPE_VALUES:
            raise FieldError(f"offer.scope.{name}", f"at most {MAX_SCOPE_VALUES} values")
        if any(not item for item in items):
            raise FieldError(f"offer.scope.{name}", "values must not be empty")
        values[name] = frozenset(items)
    if any(not (len(mcc) == 4 and mcc.isdigit()) for mcc in values["mccs"]):
        raise FieldError("offer.scope.mccs", "an MCC is 4 digits")
    return Scope(**values)


def _window(message: pb.Offer) -> windows.Window:
    window = message.window
    try:
        return windows.build(_time(window.starts_at, window, "starts_at"), _time(window.ends_at, window, "ends_at"),
                             list(window.days_of_week), window.from_time, window.to_time, window.time_zone,
                             "offer.window")
    except windows.WindowError as exc:
        raise FieldError(exc.field, str(exc).split(": ", 1)[1]) from None


def _limits(message: pb.Offer) -> tuple[MemberLimit, ...]:
    limits, seen = [], set()
    for index, item in enumerate(message.member_limits):
        where = f"offer.member_limits[{index}]"
        if item.period not in PERIOD_NAMES:
            raise FieldError(f"{where}.period", "must be DAY, WEEK, MONTH or CAMPAIGN")
        if item.period in seen:
            raise FieldError(f"{where}.period", "one limit per period")
        seen.add(item.period)
        if item.max_uses < 0 or item.max_discount < 0:
            raise FieldError(where, "limits must not be negative")
        if not item.max_uses and not item.max_discount:
            raise FieldError(where, "set max_uses or max_discount")
        limits.append(MemberLimit(PERIOD_NAMES[item.period], item.max_uses, item.max_discount))
    return tuple(limits)


def _shares(message: pb.Offer) -> tuple[Share, ...]:
    return tuple(Share(rule.party_id.strip(), rule.percent_bp, rule.fixed_amount, rule.WhichOneof("share") == "fixed_amount",
                       rule.remainder) for rule in message.funding)


def compile_offer(message: pb.Offer, known_parties: set[str]) -> Offer:
    """A checked Offer, or FieldError naming the first field that is wrong."""
    if not message.offer_id or len(message.offer_id) > MAX_OFFER_ID_LENGTH or not OFFER_ID_PATTERN.match(message.offer_id):
        raise FieldError("offer.offer_id", f"letters, digits and _.:- (at most {MAX_OFFER_ID_LENGTH})")
    if not message.name.strip() or len(message.name) > MAX_NAME_LENGTH:
        raise FieldError("offer.name", f"is required (at most {MAX_NAME_LENGTH} characters)")
    if message.min_amount < 0:
        raise FieldError("offer.min_amount", "must not be negative")
    kind = message.discount.WhichOneof("kind")
    percent_bp = message.discount.percent_bp if kind == "percent_bp" else 0
    fixed = message.discount.fixed_amount if kind == "fixed_amount" else 0
    if kind == "percent_bp" and not 0 < percent_bp <= MAX_DISCOUNT_BP:
        raise FieldError("offer.discount.percent_bp", f"must be 1..{MAX_DISCOUNT_BP} basis points")
    if kind == "fixed_amount" and fixed <= 0:
        raise FieldError("offer.discount.fixed_amount", "must be positive")
    if message.discount.cap < 0 or (message.discount.cap and kind != "percent_bp"):
        raise FieldError("offer.discount.cap", "a positive cap applies to percentage discounts only")
    if message.points.bonus_points < 0:
        raise FieldError("offer.points.bonus_points", "must not be negative")
    if not 0 <= message.points.multiplier_pct <= MAX_MULTIPLIER_PCT:
        raise FieldError("offer.points.multiplier_pct", f"must be 0..{MAX_MULTIPLIER_PCT}")
    if kind is None and not message.points.bonus_points and not message.points.multiplier_pct:
        raise FieldError("offer.discount", "an offer gives a discount, points, or both")
    if message.budget < 0:
        raise FieldError("offer.budget", "must not be negative")
    if message.stacking not in (pb.STACKING_EXCLUSIVE, pb.STACKING_STACKABLE):
        raise FieldError("offer.stacking", "must be EXCLUSIVE or STACKABLE")
    exclusive = message.stacking == pb.STACKING_EXCLUSIVE
    if exclusive and message.stacks_with:
        raise FieldError("offer.stacks_with", "an exclusive offer stacks with nothing")
    if message.offer_id in message.stacks_with:
        raise FieldError("offer.stacks_with", "an offer does not stack with itself")
    if not 0 <= message.coupons_per_member <= MAX_COUPONS_PER_MEMBER:
        raise FieldError("offer.coupons_per_member", f"must be 0..{MAX_COUPONS_PER_MEMBER} (0 = 1)")
    if message.coupons_per_member and not message.coupon_required:
        raise FieldError("offer.coupons_per_member", "applies to coupon campaigns only (set coupon_required)")
    shares = _shares(message)
    if kind is not None:
        try:
            funding.validate(list(shares), known_parties, "offer.funding", fixed)
        except funding.FundingError as exc:
            raise FieldError(exc.field, str(exc).split(": ", 1)[1]) from None
    elif shares:
        raise FieldError("offer.funding", "an offer without a discount has nothing to fund")
    return Offer(
        offer_id=message.offer_id, name=message.name.strip(), campaign=message.campaign.strip(), scope=_scope(message.scope),
        window=_window(message), min_amount=message.min_amount, percent_bp=percent_bp, fixed_discount=fixed,
        cap=message.discount.cap, bonus_points=message.points.bonus_points,
        multiplier_pct=message.points.multiplier_pct or DEFAULT_MULTIPLIER_PCT, limits=_limits(message),
        budget=message.budget, priority=message.priority, exclusive=exclusive, stacks_with=frozenset(message.stacks_with),
        funding=shares, active=message.active, coupon_required=message.coupon_required,
        coupons_per_member=message.coupons_per_member or 1, reward_id=message.reward_id, message=message)


def ambiguous_with(offer: Offer, others: list[Offer]) -> Offer | None:
    """An active exclusive offer that would tie with `offer`: same priority, scopes and windows
    that can meet. Such a pair has no defined winner, so the second one is refused."""
    if not (offer.active and offer.exclusive):
        return None
    for other in others:
        if (other.offer_id != offer.offer_id and other.active and other.exclusive and other.priority == offer.priority
                and offer.scope.overlaps(other.scope) and windows.overlap(offer.window, other.window)):
            return other
    return None
