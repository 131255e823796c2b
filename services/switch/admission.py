"""Load shedding by loyalty tier: under overload the switch turns away the lowest tiers first
and keeps serving the highest (the club's promise that loyal members are served first).

The lowest tier is shed once `shed_start` authorizations are in progress, the highest only at
`max_in_flight`, and the tiers between at evenly spaced points of that band.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Admission:
    tiers_high_first: tuple[str, ...]  # e.g. ("platinum", "gold", "silver", "bronze")
    shed_start: int
    max_in_flight: int

    def __post_init__(self) -> None:
        assert 0 <= self.shed_start <= self.max_in_flight, "shed_start must not exceed max_in_flight"

    def rank(self, tier: str) -> int:
        """0 for the lowest tier (and tiers the list does not name), len-1 for the highest."""
        if tier not in self.tiers_high_first:
            return 0
        return len(self.tiers_high_first) - 1 - self.tiers_high_first.index(tier)

    def threshold(self, tier: str) -> int:
        """In-flight authorizations at which this tier starts being shed."""
        steps = len(self.tiers_high_first) - 1
        if steps <= 0:
            return self.max_in_flight
        return self.shed_start + (self.max_in_flight - self.shed_start) * self.rank(tier) // steps

    def admit(self, tier: str, in_flight: int) -> bool:
        """`in_flight` counts other authorizations in progress, not this one."""
        return in_flight < self.threshold(tier)
