"""Loyal members under overload: the whole stack offered more purchases than it can serve, from
terminals whose cards are of each tier in equal parts. The club's promise is that the highest
tiers are served and the lowest shed first (services/switch/dispatch.py, admission.py): this
prints, for each tier, what was approved and how fast, at a rate above what the closed loop
reached. The shedding defaults are the production ones.
"""

from __future__ import annotations

import pathlib
import tempfile
import uuid

from services.gen.club.cards.v1 import cards_pb2
from tests import harness
from tests.switch.conftest import make_club
from tests.switch.helpers import MAC_KEY

from . import bench_switch, loadgen

TIERS = ("platinum", "gold", "silver", "bronze")  # the switch's default order, highest first
TERMINALS_PER_TIER = 2
IN_FLIGHT_PER_TERMINAL = 16
CAPACITY_SECONDS = {True: 2, False: 10}
OVERLOAD_SECONDS = {True: 3, False: 20}
OVERLOAD_FACTOR = 1.6  # offered, against the closed loop's approvals per second
AMOUNT = 1_000
CREDIT = 10**12


def _seed(club) -> dict[str, list[loadgen.Template]]:
    product = club.new_product(pin_required=False, limits=cards_pb2.ProductLimits())
    groups: dict[str, list[loadgen.Template]] = {}
    first = True
    for tier in TIERS:
        groups[tier] = []
        for _ in range(TERMINALS_PER_TIER):
            card = club.card(credit=CREDIT, product=product, tier=tier)
            merchant, terminal_id = (club.merchant_id, club.terminal_id) if first else club.new_merchant()
            first = False
            groups[tier].append(loadgen.Template.purchase(card.pan, card.expiry, AMOUNT, terminal_id, merchant, MAC_KEY))
    return groups


def _approved_share(tier_result: dict) -> float:
    return tier_result["approved"] / max(tier_result["requests"], 1)


def _ordered(by_tier: dict[str, dict]) -> bool:
    """Whether a higher tier never had a smaller share of its requests approved than a lower one."""
    shares = [_approved_share(by_tier[tier]) for tier in TIERS]
    return all(higher >= lower for higher, lower in zip(shares, shares[1:], strict=False))


def run(short: bool) -> dict:
    harness.ensure_infra()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="bench-overload-"))
    stack = harness.Stack(workdir, f"club_bench_{uuid.uuid4().hex[:8]}", {"CLUB_LOG_LEVEL": "WARNING"})
    try:
        club = make_club(stack)
        groups = _seed(club)
        templates = [template for members in groups.values() for template in members]
        # Each card's first purchase tells the front its tier; then what the stack can do.
        loadgen.run(loadgen.drive(stack.iso_port, templates, 1, 1))
        capacity = loadgen.run(loadgen.drive(stack.iso_port, templates, IN_FLIGHT_PER_TERMINAL,
                                             CAPACITY_SECONDS[short]))
        offered = max(100.0, OVERLOAD_FACTOR * capacity["approved_per_second"])
        overload = loadgen.run(loadgen.drive_rate_grouped(stack.iso_port, groups, offered, OVERLOAD_SECONDS[short]))
        posted = bench_switch.sales_in_ledger(stack, AMOUNT)
    finally:
        stack.close()
    by_tier = overload.pop("by_group")
    counted = capacity["approved"] + overload["approved"]
    assert posted >= counted, "every approval counted is in the ledger"
    return {"tiers_high_first": list(TIERS), "terminals_per_tier": TERMINALS_PER_TIER,
            "closed_loop": capacity, "offered_per_second": round(offered, 1), "overload": overload,
            "by_tier": {tier: {key: by_tier[tier][key] for key in
                               ("requests", "approved", "approved_per_second", "p50_ms", "p95_ms", "p99_ms", "codes")}
                        for tier in TIERS},
            "approvals_counted": counted, "approvals_in_ledger": posted,
            "highest_tier_approved_share": round(_approved_share(by_tier[TIERS[0]]), 4),
            "approval_share_ordered_by_tier": _ordered(by_tier)}
