"""A merchant's beneficiaries: how its net payable is split across up to 10 IBANs.

Each beneficiary takes a fixed amount or a ratio (basis points of what is left after the
fixed amounts); exactly one takes the rounding remainder. Ratios must add up to 100% when
there are any. When the net payable is smaller than the fixed amounts, they are paid in
the order listed until it runs out.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.shared.money import allocate

from . import iban

MAX_BENEFICIARIES = 10
FULL_BP = 10_000
MAX_NAME_LENGTH = 200


class BeneficiaryError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class Beneficiary:
    iban: str
    name: str
    ratio_bp: int = 0
    fixed_amount: int = 0
    remainder: bool = False


def validate(items: list[Beneficiary], field: str = "beneficiaries") -> list[Beneficiary]:
    """The beneficiaries with normalized IBANs, or BeneficiaryError naming the field."""
    if not items:
        raise BeneficiaryError(field, "at least one beneficiary is required")
    if len(items) > MAX_BENEFICIARIES:
        raise BeneficiaryError(field, f"at most {MAX_BENEFICIARIES} beneficiaries, got {len(items)}")
    normalized: list[Beneficiary] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        try:
            number = iban.validate(item.iban)
        except iban.IbanError as exc:
            raise BeneficiaryError(f"{where}.iban", str(exc)) from None
        if number in seen:
            raise BeneficiaryError(f"{where}.iban", "listed twice")
        seen.add(number)
        if not item.name.strip() or len(item.name) > MAX_NAME_LENGTH:
            raise BeneficiaryError(f"{where}.name", f"is required (at most {MAX_NAME_LENGTH} characters)")
        if item.ratio_bp and item.fixed_amount:
            raise BeneficiaryError(where, "give ratio_bp or fixed_amount, not both")
        if item.ratio_bp < 0 or item.ratio_bp > FULL_BP:
            raise BeneficiaryError(f"{where}.ratio_bp", f"must be 0..{FULL_BP}")
        if item.fixed_amount < 0:
            raise BeneficiaryError(f"{where}.fixed_amount", "must not be negative")
        if not item.ratio_bp and not item.fixed_amount and not item.remainder:
            raise BeneficiaryError(where, "needs ratio_bp or fixed_amount (or to be the remainder)")
        normalized.append(Beneficiary(number, item.name.strip(), item.ratio_bp, item.fixed_amount, item.remainder))
    remainders = sum(1 for item in normalized if item.remainder)
    if remainders != 1:
        raise BeneficiaryError(field, f"exactly one beneficiary must take the remainder, found {remainders}")
    ratios = [item.ratio_bp for item in normalized if item.ratio_bp]
    if ratios and sum(ratios) != FULL_BP:
        raise BeneficiaryError(field, f"ratios add up to {sum(ratios)} bp, not {FULL_BP} (100%)")
    return normalized


def split(net_payable: int, items: list[Beneficiary]) -> list[tuple[Beneficiary, int]]:
    """(beneficiary, amount) in listing order; amounts sum to net_payable exactly."""
    assert net_payable >= 0, net_payable
    left = net_payable
    fixed: dict[str, int] = {}
    for item in items:
        if item.fixed_amount:
            fixed[item.iban] = min(item.fixed_amount, left)
            left -= fixed[item.iban]
    weights = {item.iban: item.ratio_bp for item in items if item.ratio_bp}
    remainder = next(item.iban for item in items if item.remainder)
    amounts = allocate(net_payable, remainder_to=remainder, fixed=fixed, weights=weights)
    result = [(item, amounts.get(item.iban, 0)) for item in items]
    assert sum(amount for _, amount in result) == net_payable
    return result
