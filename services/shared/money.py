"""Splitting an amount of minor units among parties, exactly.

Integer arithmetic only. Fixed amounts are taken first, then what remains is divided
by weights (basis points or ratios), each share rounded down; the rounding remainder
goes to one named party. The result always sums to the total and no share is negative.
"""

from __future__ import annotations

from collections.abc import Mapping


class AllocationError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def allocate(total: int, *, remainder_to: str, fixed: Mapping[str, int] | None = None,
             weights: Mapping[str, int] | None = None) -> dict[str, int]:
    fixed = dict(fixed or {})
    weights = dict(weights or {})
    if total < 0:
        raise AllocationError("total", "must not be negative")
    if any(v < 0 for v in fixed.values()):
        raise AllocationError("fixed", "fixed amounts must not be negative")
    if any(v < 0 for v in weights.values()):
        raise AllocationError("weights", "weights must not be negative")
    fixed_sum = sum(fixed.values())
    if fixed_sum > total:
        raise AllocationError("fixed", f"fixed amounts {fixed_sum} exceed the total {total}")
    rest = total - fixed_sum
    weight_sum = sum(weights.values())
    shares = dict.fromkeys([*fixed, *weights, remainder_to], 0)
    for party, amount in fixed.items():
        shares[party] += amount
    if weight_sum:
        for party, weight in weights.items():
            shares[party] += rest * weight // weight_sum
    shares[remainder_to] += total - sum(shares.values())
    assert sum(shares.values()) == total and min(shares.values()) >= 0, "allocation must be exact"
    return shares
