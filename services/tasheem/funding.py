"""Who pays for a discount: an offer's funding rules and the exact split of one discount.

Rules (validated when the offer is saved):
- each rule names a party ("bank", "club", "merchant" or a registered partner) once, with
  either percent_bp or fixed_amount;
- exactly one rule is the remainder party; it takes the rounding remainder;
- percent shares, when there are any, add up to exactly 100% (10,000 bp) of what the fixed
  shares leave; with fixed shares only, the remainder party takes whatever they leave (for
  a fixed discount the fixed shares must add up to exactly that discount).

The split takes fixed amounts first, in the order listed, each cut down to what is left of
the discount (a small purchase may clip the discount below the fixed shares), then divides
the rest by percentage with services.shared.money.allocate: always exact, never negative.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.shared.money import allocate

FULL_BP = 10_000
MERCHANT_PARTY = "merchant"  # implicit: the merchant named in the purchase
BUILT_IN_PARTIES = ("bank", "club", MERCHANT_PARTY)
# What people read for the built-in parties (partners are named by CreateParty); the merchant's
# own share is named as such, on its own statement and dashboard.
BUILT_IN_PARTY_NAMES = {"bank": "بانک", "club": "باشگاه", MERCHANT_PARTY: "سهم خود پذیرنده"}
MAX_FUNDING_RULES = 10


class FundingError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class Share:
    party_id: str
    percent_bp: int = 0
    fixed_amount: int = 0
    is_fixed: bool = False
    remainder: bool = False


def validate(shares: list[Share], known_parties: set[str], field: str, fixed_discount: int = 0) -> None:
    """FundingError naming the field when the rules do not cover the discount exactly once."""
    if not shares:
        raise FundingError(field, "at least one funding party is required")
    if len(shares) > MAX_FUNDING_RULES:
        raise FundingError(field, f"at most {MAX_FUNDING_RULES} funding parties")
    seen: set[str] = set()
    for index, share in enumerate(shares):
        where = f"{field}[{index}]"
        if not share.party_id:
            raise FundingError(f"{where}.party_id", "is required")
        if share.party_id not in known_parties and share.party_id not in BUILT_IN_PARTIES:
            raise FundingError(f"{where}.party_id", f"unknown party {share.party_id!r}")
        if share.party_id in seen:
            raise FundingError(f"{where}.party_id", f"party {share.party_id!r} is listed twice")
        seen.add(share.party_id)
        if share.is_fixed and share.fixed_amount <= 0:
            raise FundingError(f"{where}.fixed_amount", "must be positive")
        if not share.is_fixed and not 0 < share.percent_bp <= FULL_BP:
            raise FundingError(f"{where}.percent_bp", f"must be 1..{FULL_BP} basis points")
    remainders = [share for share in shares if share.remainder]
    if len(remainders) != 1:
        raise FundingError(field, f"exactly one party must take the remainder, found {len(remainders)}")
    percents = [share.percent_bp for share in shares if not share.is_fixed]
    if percents and sum(percents) != FULL_BP:
        raise FundingError(field, f"percent shares add up to {sum(percents)} bp, not {FULL_BP} (100%)")
    fixed_total = sum(share.fixed_amount for share in shares if share.is_fixed)
    if fixed_discount and not percents and fixed_total != fixed_discount:
        raise FundingError(field, f"fixed shares add up to {fixed_total}, not the discount {fixed_discount}")
    if fixed_discount and fixed_total > fixed_discount:
        raise FundingError(field, f"fixed shares add up to {fixed_total}, more than the discount {fixed_discount}")


def split(discount: int, shares: list[Share]) -> dict[str, int]:
    """Each party's share of `discount`, in listing order; sums to `discount` exactly."""
    assert discount >= 0, discount
    remainder_party = next(share.party_id for share in shares if share.remainder)
    fixed: dict[str, int] = {}
    left = discount
    for share in shares:
        if share.is_fixed:
            fixed[share.party_id] = min(share.fixed_amount, left)
            left -= fixed[share.party_id]
    weights = {share.party_id: share.percent_bp for share in shares if not share.is_fixed}
    amounts = allocate(discount, remainder_to=remainder_party, fixed=fixed, weights=weights)
    ordered = {share.party_id: amounts.get(share.party_id, 0) for share in shares}
    assert sum(ordered.values()) == discount and min(ordered.values()) >= 0, ordered
    return ordered
