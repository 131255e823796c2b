"""The club's tier ladder, lowest first: the one place tiers are ordered.

The wallet grades members onto it (its lowest rung is where everyone starts), the switch sheds
load from its bottom up, and tasheem tells a member what the next rung would add.
"""

from __future__ import annotations

LADDER = ("bronze", "silver", "gold", "platinum")
BASE_TIER = LADDER[0]


def next_tier(tier: str, ladder: tuple[str, ...] = LADDER) -> str:
    """The rung above `tier`; "" at the top. A member with no tier stands on the lowest rung;
    a tier not on the ladder has no known next one."""
    current = tier or ladder[0]
    if current not in ladder:
        return ""
    position = ladder.index(current)
    return ladder[position + 1] if position + 1 < len(ladder) else ""
