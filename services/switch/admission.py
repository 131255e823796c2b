"""Load shedding by loyalty tier: under overload the switch turns away the lowest tiers first
and keeps serving the highest (the club's promise that loyal members are served first).

Two bands, each spread evenly over the tiers, lowest tier at the band's start, highest at its end:
- authorizations in progress: a tier is shed (or, at the ISO front, held back) once this many
  are in progress (`shed_start` for the lowest tier, `max_in_flight` for the highest);
- time waited: a frame the ISO front holds back is turned away once it has waited this long
  (`wait_start_ms` for the lowest tier, `wait_max_ms` for the highest; dispatch.py).
"""

from __future__ import annotations

from dataclasses import dataclass

# What a held-back frame may wait, lowest tier to highest: a stall of a few hundred ms still
# serves everyone, and what is served after the longest wait has half the 2 s deadline left.
WAIT_START_MS = 250
WAIT_MAX_MS = 1_000


@dataclass(frozen=True)
class Admission:
    tiers_high_first: tuple[str, ...]  # e.g. ("platinum", "gold", "silver", "bronze")
    shed_start: int
    max_in_flight: int
    wait_start_ms: int = WAIT_START_MS
    wait_max_ms: int = WAIT_MAX_MS

    def __post_init__(self) -> None:
        assert 0 <= self.shed_start <= self.max_in_flight, "shed_start must not exceed max_in_flight"
        assert 0 <= self.wait_start_ms <= self.wait_max_ms, "wait_start_ms must not exceed wait_max_ms"

    def rank(self, tier: str) -> int:
        """0 for the lowest tier (and tiers the list does not name), len-1 for the highest."""
        if tier not in self.tiers_high_first:
            return 0
        return len(self.tiers_high_first) - 1 - self.tiers_high_first.index(tier)

    def tier_at(self, rank: int) -> str:
        """The tier of a rank (the inverse of `rank`); "" when no tiers are named."""
        if not self.tiers_high_first:
            return ""
        return self.tiers_high_first[len(self.tiers_high_first) - 1 - rank]

    def _in_band(self, start: int, end: int, tier: str) -> int:
        steps = len(self.tiers_high_first) - 1
        if steps <= 0:
            return end
        return start + (end - start) * self.rank(tier) // steps

    def threshold(self, tier: str) -> int:
        """In-flight authorizations at which this tier starts being shed."""
        return self._in_band(self.shed_start, self.max_in_flight, tier)

    def admit(self, tier: str, in_flight: int) -> bool:
        """`in_flight` counts other authorizations in progress, not this one."""
        return in_flight < self.threshold(tier)

    def wait_budget(self, tier: str) -> float:
        """Seconds a held-back frame of this tier may wait before it is turned away."""
        return self._in_band(self.wait_start_ms, self.wait_max_ms, tier) / 1000
