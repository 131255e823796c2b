"""Purchases with many live coupon campaigns and assigned coupons, against the same stack without
them: the CPU per approval must stay within MAX_CPU_GROWTH of the run without.

The campaigns are scoped to the benchmark's own merchants, so every purchase's quote has coupon
campaigns among its eligible offers and looks up the member's coupons (by member, through the
index); the coupons are held by other members, so no purchase is discounted and the two runs do
the same money work. Runs alternate (without, with, without, with) on one stack, each measured
after a settling run of its own shape, so the host's drift lands on both sides alike.
"""

from __future__ import annotations

import pathlib
import tempfile
import time
import uuid

from tqdm import tqdm

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from tests import harness
from tests.switch.conftest import make_club

from . import cpu, loadgen
from .bench_switch import AMOUNT, TERMINALS, _seed

CAMPAIGNS = {True: 100, False: 1_000}
COUPONS = {True: 10_000, False: 100_000}
ASSIGN_BATCH = 1_000
CONCURRENCY = {True: 8, False: 16}
SECONDS = {True: 5, False: 20}
SETTLE_SECONDS = {True: 1, False: 3}
PAIRS = {True: 1, False: 2}
MAX_CPU_GROWTH = 0.10  # the target: at most 10% more CPU per approval with the coupons live
CATALOG_WAIT_SECONDS = 3.0  # tasheem's offer catalog reloads on a short interval (catalog.py)


def _campaigns(club, merchants: list[str], count: int) -> list[str]:
    made = []
    for index in tqdm(range(count), desc="coupon campaigns", unit="campaign", leave=False):
        offer = club.tasheem.CreateOffer(pb.CreateOfferRequest(offer=pb.Offer(
            name=f"کوپن آزمون {index}", scope=pb.OfferScope(merchant_ids=merchants),
            discount=pb.Discount(percent_bp=500 + index % 10 * 100), coupon_required=True,
            stacking=pb.STACKING_STACKABLE, funding=[pb.FundingRule(party_id="club", percent_bp=10_000,
                                                                     remainder=True)])))
        made.append(offer.offer_id)
    return made


def _assign(club, campaigns: list[str], count: int) -> int:
    assigned = 0
    assignment = uuid.uuid4().hex
    with tqdm(total=count, desc="assigning coupons", unit="coupon", leave=False) as bar:
        for start in range(0, count, ASSIGN_BATCH):
            members = [f"bench-member-{n}" for n in range(start, min(start + ASSIGN_BATCH, count))]
            offer_id = campaigns[(start // ASSIGN_BATCH) % len(campaigns)]
            done = club.tasheem.AssignCoupons(pb.AssignCouponsRequest(
                offer_id=offer_id, member_ids=members, assignment_id=assignment))
            assigned += done.assigned
            bar.update(len(members))
    return assigned


def _measured(stack, templates, short: bool) -> dict:
    meter = cpu.CpuMeter({name: service.proc.pid for name, service in stack.services.items()}
                         | cpu.redis_processes(stack.redis_server))
    loadgen.run(loadgen.drive(stack.iso_port, templates, CONCURRENCY[short], SETTLE_SECONDS[short]))
    return loadgen.run(loadgen.drive(stack.iso_port, templates, CONCURRENCY[short], SECONDS[short], meter))


def _summary(run: dict) -> dict:
    return {"approved_per_second": run["approved_per_second"], "cpu_ms_per_approval": run["cpu_ms_per_approval"],
            "p99_ms": run.get("p99_ms"), "codes": run.get("codes")}


def run(short: bool) -> dict:
    harness.ensure_infra()
    stack = harness.Stack(pathlib.Path(tempfile.mkdtemp(prefix="bench-coupons-")),
                          f"club_bench_{uuid.uuid4().hex[:8]}",
                          {"CLUB_LOG_LEVEL": "WARNING", "CLUB_MAX_IN_FLIGHT": "100000",
                           "CLUB_SHED_START_IN_FLIGHT": "100000"})
    try:
        club = make_club(stack)
        templates = _seed(club)
        merchants = [m.merchant_id for m in club.tasheem.ListMerchants(pb.ListMerchantsRequest(page_size=500)).merchants]
        loadgen.run(loadgen.drive(stack.iso_port, templates[:1], 1, 1))
        without = [_summary(_measured(stack, templates, short))]
        campaigns = _campaigns(club, merchants, CAMPAIGNS[short])
        assigned = _assign(club, campaigns, COUPONS[short])
        time.sleep(CATALOG_WAIT_SECONDS)
        with_coupons = [_summary(_measured(stack, templates, short))]
        for _ in range(PAIRS[short] - 1):
            without.append(_summary(_measured_without(stack, club, templates, campaigns, short)))
            with_coupons.append(_summary(_measured_with(stack, club, templates, campaigns, short)))
    finally:
        stack.close()
    mean = lambda runs: sum(r["cpu_ms_per_approval"]["total"] for r in runs) / len(runs)  # noqa: E731
    growth = mean(with_coupons) / mean(without) - 1 if mean(without) else None
    return {"headline": {"cpu_growth_with_coupons": round(growth, 3) if growth is not None else None,
                         "target_max_growth": MAX_CPU_GROWTH,
                         "met": growth is not None and growth <= MAX_CPU_GROWTH,
                         "text": f"coupons: CPU per approval {mean(without):.3f} ms without, {mean(with_coupons):.3f} ms"
                                 f" with {len(campaigns):,} campaigns and {assigned:,} coupons"
                                 f" ({growth:+.1%}; target at most +{MAX_CPU_GROWTH:.0%})"},
            "campaigns": len(campaigns), "coupons_assigned": assigned, "amount": AMOUNT, "terminals": TERMINALS,
            "without_coupons": without, "with_coupons": with_coupons}


def _set_active(club, campaigns: list[str], active: bool) -> None:
    for offer_id in campaigns:
        club.tasheem.SetOfferActive(pb.SetOfferActiveRequest(offer_id=offer_id, active=active))
    time.sleep(CATALOG_WAIT_SECONDS)


def _measured_without(stack, club, templates, campaigns, short: bool) -> dict:
    _set_active(club, campaigns, False)
    return _measured(stack, templates, short)


def _measured_with(stack, club, templates, campaigns, short: bool) -> dict:
    _set_active(club, campaigns, True)
    return _measured(stack, templates, short)
