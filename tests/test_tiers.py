"""The tier ladder: one order for the wallet's grading, the switch's shedding and tasheem's benefits."""

from __future__ import annotations

from services.shared import tiers
from services.switch import app as switch_app
from services.wallet import app as wallet_app
from services.wallet.tiers import parse_thresholds


def default(settings, name: str) -> str:
    return next(setting.default for setting in settings if setting.name == name)


def test_next_tier_climbs_the_ladder_and_stops_at_the_top():
    assert [tiers.next_tier(tier) for tier in tiers.LADDER] == ["silver", "gold", "platinum", ""]
    assert tiers.next_tier("") == "silver"  # no tier yet: the lowest rung
    assert tiers.next_tier("diamond") == ""  # not on the ladder: no known next rung
    assert tiers.next_tier("b", ("a", "b", "c")) == "c"


def test_the_services_defaults_follow_the_ladder():
    assert tiers.BASE_TIER == tiers.LADDER[0]
    thresholds = parse_thresholds(default(wallet_app.SETTINGS, "CLUB_TIER_THRESHOLDS"))
    assert (tiers.BASE_TIER, *[name for name, _ in thresholds]) == tiers.LADDER
    assert tuple(default(switch_app.SETTINGS, "CLUB_TIER_PRIORITY").split(",")) == tuple(reversed(tiers.LADDER))
