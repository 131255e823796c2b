"""Customer grading: tiers from qualifying spend over a rolling window.

Qualifying spend is what a member's posted purchases came to (gross, less what was reversed or
refunded) within the window — not the current balance. Upgrades apply at once; downgrades
only at a period end. Each change is published to the cards service (SetMemberTier), where
offers and the card auth profile read it.
"""

from __future__ import annotations

import datetime
import logging

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2 as pb
from services.shared import clients
from services.shared.config import ConfigError
from services.shared.tiers import BASE_TIER

PUBLISH_TIMEOUT_SECONDS = 2.0


def parse_thresholds(spec: str) -> list[tuple[str, int]]:
    """'silver:5000000,gold:20000000' -> ascending [(tier, minimum spend)]."""
    tiers = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, amount = item.partition(":")
        if not name or not amount.isdigit():
            raise ValueError("each entry must be tier:minimum_spend_rials")
        tiers.append((name, int(amount)))
    if [a for _, a in tiers] != sorted(a for _, a in tiers):
        raise ValueError("thresholds must ascend")
    return tiers


def tier_for(spend: int, thresholds: list[tuple[str, int]]) -> str:
    tier = BASE_TIER
    for name, minimum in thresholds:
        if spend >= minimum:
            tier = name
    return tier


class Tiers:
    def __init__(self, pool, thresholds: list[tuple[str, int]], window_days: int, cards_addr: str, tls_dir: str,
                 log: logging.Logger):
        if not thresholds:
            raise ConfigError("CLUB_TIER_THRESHOLDS", "at least one tier is required")
        self.pool = pool
        self.thresholds = thresholds
        self.rank = {BASE_TIER: 0, **{name: i + 1 for i, (name, _) in enumerate(thresholds)}}
        self.window = datetime.timedelta(days=window_days)
        self.cards_addr = cards_addr
        self.tls_dir = tls_dir
        self.log = log

    async def progress(self, member_id: str, as_of: datetime.datetime) -> pb.TierProgress:
        """The member's qualifying spend in the window and how far the next tier is (read only)."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT coalesce(sum(amount - undone_amount), 0) AS spend FROM purchases WHERE member_id = %s"
                " AND state = 'posted' AND created_at > %s AND created_at <= %s",
                (member_id, as_of - self.window, as_of))
            spend = int((await cur.fetchone())["spend"])
            cur = await conn.execute("SELECT tier FROM member_tiers WHERE member_id = %s", (member_id,))
            row = await cur.fetchone()
        tier = (row["tier"] if row else "") or BASE_TIER
        above = [(name, minimum) for name, minimum in self.thresholds if self.rank[name] > self.rank.get(tier, 0)]
        answer = pb.TierProgress(member_id=member_id, tier=tier, qualifying_spend=spend,
                                 window_days=self.window.days)
        if above:
            answer.next_tier, answer.next_tier_spend = above[0]
            answer.spend_to_next_tier = max(0, above[0][1] - spend)
        return answer

    async def recompute(self, as_of: datetime.datetime, period_end: bool, member_ids: list[str]) -> list[pb.TierChange]:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT m.member_id, coalesce(s.spend, 0) AS spend, t.tier FROM"
                " (SELECT DISTINCT member_id FROM purchases UNION SELECT member_id FROM member_tiers) m"
                " LEFT JOIN (SELECT member_id, sum(amount - undone_amount) AS spend FROM purchases"
                "            WHERE state = 'posted' AND created_at > %(start)s AND created_at <= %(end)s"
                "            GROUP BY member_id) s USING (member_id)"
                " LEFT JOIN member_tiers t USING (member_id)"
                " WHERE cardinality(%(ids)s::text[]) = 0 OR m.member_id = ANY(%(ids)s)",
                {"start": as_of - self.window, "end": as_of, "ids": member_ids})
            rows = await cur.fetchall()
        changes = []
        for row in rows:
            current = row["tier"] or BASE_TIER
            target = tier_for(int(row["spend"]), self.thresholds)
            upgrade = self.rank.get(target, 0) > self.rank.get(current, 0)
            downgrade = self.rank.get(target, 0) < self.rank.get(current, 0)
            if upgrade or (downgrade and period_end) or (row["tier"] is None and target != BASE_TIER):
                changes.append(pb.TierChange(member_id=row["member_id"], from_tier=current, to_tier=target,
                                             qualifying_spend=int(row["spend"])))
        for change in changes:
            await self.publish(change)
            async with self.pool.connection() as conn:
                await conn.execute(
                    "INSERT INTO member_tiers (member_id, tier) VALUES (%s, %s) ON CONFLICT (member_id)"
                    " DO UPDATE SET tier = excluded.tier, updated_at = now()", (change.member_id, change.to_tier))
                await conn.commit()
        return changes

    async def publish(self, change: pb.TierChange) -> None:
        """Cards first: a tier recorded here but unknown to cards would never reach offers."""
        async with clients.channel(self.cards_addr, self.tls_dir, client_name="wallet") as channel:
            await cards_pb2_grpc.CardServiceStub(channel).SetMemberTier(
                cards_pb2.SetMemberTierRequest(member_id=change.member_id, tier=change.to_tier,
                                               reason=f"qualifying spend {change.qualifying_spend}"),
                timeout=PUBLISH_TIMEOUT_SECONDS)
        self.log.info("tier changed", extra={"member_id": change.member_id, "from": change.from_tier,
                                             "to": change.to_tier})
