"""Which eligible offers apply, and what they give. Pure and deterministic.

The rule (docs/tasheem.md, "Selection"):
1. Stackable offers form one combination, built greedily in the order (priority desc,
   discount desc, offer_id): an offer joins when it and every offer already in stack with
   each other (`stacks_with` empty = with any stackable offer; both sides must agree).
2. The best exclusive offer is the first in the same order.
3. Higher priority wins: the exclusive offer against the combination's highest priority.
   At equal priority the larger total discount wins; at an equal discount, the exclusive one.
4. The discounts of a combination are each computed on the gross amount, then cut in that
   order so their sum never exceeds the amount, nor the club's cap on the total discount of one
   purchase (CLUB_MAX_DISCOUNT_BP of the amount); an offer cut to nothing (and giving no points)
   is left out. Rules 2 and 3 compare discounts as the cap leaves them. A reward's voucher is
   value the member bought with points, not a discount the club gives: it counts against the
   amount, never against the cap.
The outcome says which rule decided: "exclusive", "combination", "cap" (the cap cut the
discount), or "" when no offer applies.
Points: the base earn on the net amount, times the highest multiplier among the applied
offers (multipliers do not compound), plus every applied offer's bonus.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import funding
from .offers import DEFAULT_MULTIPLIER_PCT, MAX_DISCOUNT_BP, Offer

EXCLUSIVE, COMBINATION, CAP = "exclusive", "combination", "cap"


@dataclass(frozen=True)
class Applied:
    offer: Offer
    discount: int
    funding: dict[str, int]


@dataclass(frozen=True)
class Outcome:
    applied: tuple[Applied, ...]
    amount: int
    discount: int
    funding: dict[str, int]
    points_bonus: int
    multiplier_pct: int
    net_amount: int
    points_earned: int
    decided_by: str  # EXCLUSIVE, COMBINATION, CAP, or "" when nothing applies


def ceiling(amount: int, max_discount_bp: int = MAX_DISCOUNT_BP) -> int:
    """The most one purchase of `amount` may be discounted in all: the club's cap, rounded down."""
    assert amount >= 0 and 0 <= max_discount_bp <= MAX_DISCOUNT_BP
    return amount * max_discount_bp // MAX_DISCOUNT_BP


def _order(offer: Offer, amount: int) -> tuple:
    return (-offer.priority, -offer.discount_for(amount), offer.offer_id)


def choose(eligible: list[Offer], amount: int, most: int | None = None) -> list[Offer]:
    """The offers that apply, in the order their discounts are taken; `most`: the club's cap on
    the total discount (see `ceiling`), None for none."""
    ordered = sorted(eligible, key=lambda offer: _order(offer, amount))
    combination: list[Offer] = []
    for offer in ordered:
        if not offer.exclusive and all(offer.stacks_on(chosen) for chosen in combination):
            combination.append(offer)
    exclusive = next((offer for offer in ordered if offer.exclusive), None)
    if exclusive is None:
        return combination
    if not combination:
        return [exclusive]
    if (exclusive.priority, _worth([exclusive], amount, most)) >= (combination[0].priority,
                                                                   _worth(combination, amount, most)):
        return [exclusive]
    return combination


def _worth(offers: list[Offer], amount: int, most: int | None) -> int:
    """What `offers` come to together, as `price` cuts them (vouchers outside the cap)."""
    vouchers = sum(offer.discount_for(amount) for offer in offers if offer.reward_id)
    others = sum(offer.discount_for(amount) for offer in offers if not offer.reward_id)
    return min(amount, vouchers + (others if most is None else min(others, most)))


def price(offers: list[Offer], amount: int, rials_per_point: int, reserved: dict[str, int] | None = None,
          most: int | None = None) -> Outcome:
    """Discounts (cut so they never exceed the amount, nor `most`, the club's cap), funding and
    points for `offers`, in order. `reserved`: discounts already reserved per offer id, which a
    repricing must not exceed."""
    assert amount >= 0 and rials_per_point > 0 and (most is None or most >= 0)
    applied: list[Applied] = []
    room = amount if most is None else min(amount, most)  # for discounts; vouchers only need the amount
    taken = capped = 0
    for offer in offers:
        discount = min(offer.discount_for(amount), amount - taken)
        if not offer.reward_id:
            discount = min(discount, room - capped)
        if reserved is not None:
            discount = min(discount, reserved[offer.offer_id])
        if discount == 0 and not offer.gives_points:
            continue  # cut to nothing by the offers before it: not applied, not counted against limits
        taken += discount
        capped += 0 if offer.reward_id else discount
        shares = funding.split(discount, list(offer.funding)) if offer.funding else {}
        applied.append(Applied(offer, discount, shares))
    total = taken
    by_party: dict[str, int] = {}
    for item in applied:
        for party, share in item.funding.items():
            by_party[party] = by_party.get(party, 0) + share
    assert sum(by_party.values()) == total <= amount and capped <= room <= amount, (by_party, total, room, amount)
    multiplier = max((item.offer.multiplier_pct for item in applied), default=DEFAULT_MULTIPLIER_PCT)
    bonus = sum(item.offer.bonus_points for item in applied)
    net = amount - total
    earned = (net // rials_per_point) * multiplier // 100 + bonus
    # The cap decided when it is what the discounts come to, and the amount alone would have left more.
    cut_by_cap = capped == room < min(amount, sum(offer.discount_for(amount) for offer in offers
                                                  if not offer.reward_id))
    decided_by = "" if not applied else CAP if cut_by_cap else EXCLUSIVE if applied[0].offer.exclusive else COMBINATION
    return Outcome(tuple(applied), amount, total, by_party, bonus, multiplier, net, earned, decided_by)
