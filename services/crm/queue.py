"""The agents' work queue: interactions not resolved, highest tier first, then the oldest.

Each tier has a response target (CLUB_CRM_RESPONSE_TARGETS); an interaction is due at its
creation plus its member's target. A sweep marks each one the first time it is seen open past
due (club_crm_response_breaches_total, counted once per interaction) and keeps the gauge of
open interactions past their target by tier (club_crm_interactions_overdue).
"""

from __future__ import annotations

import asyncio
import datetime as dt

from prometheus_client import Counter, Gauge

from services.gen.club.crm.v1 import crm_pb2 as pb
from services.shared import config as cfg
from services.shared.errors import FieldError
from services.shared.tiers import LADDER

from . import interactions
from .context import Deps

NO_TIER = "none"  # members without a tier (or with one not on the ladder)
DEFAULT_TARGETS = "platinum:1h,gold:4h,silver:12h,bronze:24h,none:48h"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
QUEUE_DEFAULT = 100
QUEUE_MAX = 1000
SWEEP_SECONDS = 30

OVERDUE = Gauge("club_crm_interactions_overdue", "interactions not resolved and past their tier's response target",
                ["tier"])
BREACHES = Counter("club_crm_response_breaches_total",
                   "interactions that passed their tier's response target unresolved (counted once each)", ["tier"])


def parse_targets(value: str) -> dict[str, dt.timedelta]:
    """'platinum:1h,...,none:48h' -> {tier: target}; every rung of the ladder and `none` is required."""
    targets: dict[str, dt.timedelta] = {}
    for part in value.split(","):
        name, _, amount = part.strip().partition(":")
        unit = amount[-1:] if amount[-1:] in UNITS else ""
        number = amount[:-1] if unit else amount
        if name not in (*LADDER, NO_TIER) or not number.isdigit() or int(number) <= 0 or not unit:
            raise ValueError(f"each entry must be tier:<positive number><s|m|h|d>, tier one of"
                             f" {', '.join((*LADDER, NO_TIER))}")
        targets[name] = dt.timedelta(seconds=int(number) * UNITS[unit])
    missing = [name for name in (*LADDER, NO_TIER) if name not in targets]
    if missing:
        raise ValueError(f"no target for {', '.join(missing)}")
    return targets


SETTINGS = [
    cfg.Setting("CLUB_CRM_RESPONSE_TARGETS", DEFAULT_TARGETS, parse_targets,
                "response target per tier for members' interactions (s, m, h or d); past it, a breach"),
    cfg.Setting("CLUB_CRM_QUEUE_SWEEP_SECONDS", str(SWEEP_SECONDS), cfg.positive_int,
                "how often response-target breaches are counted and the overdue gauge is refreshed"),
]


def tier_name(tier: str) -> str:
    return tier if tier in LADDER else NO_TIER


def target_for(deps: Deps, tier: str) -> dt.timedelta:
    return deps.response_targets[tier_name(tier)]


async def work_queue(deps: Deps, request: pb.ListWorkQueueRequest) -> pb.WorkQueue:
    if not 0 <= request.limit <= QUEUE_MAX:
        raise FieldError("limit", f"must be 0..{QUEUE_MAX} (0 = {QUEUE_DEFAULT})")
    if request.tier and request.tier not in (*LADDER, NO_TIER):
        raise FieldError("tier", f"must be one of {', '.join((*LADDER, NO_TIER))}")
    where, params = "status <> 'resolved'", []
    if request.tier:
        where += " AND tier_rank = %s"
        params.append(LADDER.index(request.tier) if request.tier in LADDER else -1)
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"SELECT *, due_at < now() AS overdue FROM interactions WHERE {where}"
                                 " ORDER BY tier_rank DESC, created_at, interaction_id LIMIT %s",
                                 (*params, request.limit or QUEUE_DEFAULT))
        rows = await cur.fetchall()
        backlog = await _backlog(conn)
    answer = pb.WorkQueue(items=[interactions.to_proto(row) for row in rows])
    for name in (*reversed(LADDER), NO_TIER):
        counts = backlog.get(name, {"open": 0, "overdue": 0})
        answer.backlog.add(tier=name, open=counts["open"], overdue=counts["overdue"],
                           target_minutes=int(deps.response_targets[name].total_seconds() // 60))
    return answer


async def _backlog(conn) -> dict[str, dict]:
    cur = await conn.execute("SELECT tier_rank, count(*) AS open, count(*) FILTER (WHERE due_at < now()) AS overdue"
                             " FROM interactions WHERE status <> 'resolved' GROUP BY tier_rank")
    return {(LADDER[row["tier_rank"]] if 0 <= row["tier_rank"] < len(LADDER) else NO_TIER): row
            for row in await cur.fetchall()}


async def sweep(deps: Deps) -> int:
    """Counts new breaches (once per interaction) and refreshes the overdue gauge; the breaches counted."""
    async with deps.pool.connection() as conn:
        cur = await conn.execute("UPDATE interactions SET breached_at = now() WHERE status <> 'resolved'"
                                 " AND due_at < now() AND breached_at IS NULL RETURNING tier")
        breached = await cur.fetchall()
        await conn.commit()
        backlog = await _backlog(conn)
    for row in breached:
        BREACHES.labels(tier_name(row["tier"])).inc()
    for name in (*LADDER, NO_TIER):
        OVERDUE.labels(name).set(backlog.get(name, {}).get("overdue", 0))
    return len(breached)


async def run_sweeps(deps: Deps, interval: float) -> None:
    while True:
        try:
            await sweep(deps)
        except Exception as exc:  # noqa: BLE001 - the next round tries again
            deps.log.warning("response target sweep failed", extra={"error": type(exc).__name__})
        await asyncio.sleep(interval)
