"""GetMerchantDashboard: a merchant's day at a glance, for the merchant portal.

Today is the business day in CLUB_TIME_ZONE (Asia/Tehran). Sales, discounts, their funders and
points come from the quote records of today's purchases that still stand (a declined or reversed
purchase released its quote); funders are named (parties, the built-in ones included). The next
cut-off is the settlement schedule's (settlement.next_cutoff) and its payout the PAYA cycle that
credits the IBANs CLUB_PAYOUT_AFTER_CUTOFF_MINUTES later; what it would pay each IBAN so far is
settlement.payouts_so_far, the same reading and split the close makes.
"""

from __future__ import annotations

import collections
import datetime as dt

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb

from . import registry, settlement, windows
from .context import Deps


def business_day(now: dt.datetime, time_zone: str) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """The local date of `now` and its start and end as instants."""
    zone = windows.zone(time_zone)
    day = now.astimezone(zone).date()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return day, start, end


async def dashboard(deps: Deps, merchant_id: str) -> pb.MerchantDashboard:
    from .servicer import timestamp

    merchant = await registry.get_merchant(deps, merchant_id)  # NOT_FOUND for an unknown merchant
    now = dt.datetime.now(dt.UTC)
    day, start, end = business_day(now, deps.time_zone)
    async with deps.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT amount, discount, response FROM quotes WHERE merchant_id = %s AND created_at >= %s"
            " AND created_at < %s AND released_at IS NULL", (merchant_id, start, end))
        rows = await cur.fetchall()
        names = await registry.party_names(conn)
        payouts = await settlement.payouts_so_far(deps, conn, merchant_id)
    funders: collections.Counter[str] = collections.Counter()
    points = 0
    for row in rows:
        answer = pb.QuoteResponse.FromString(row["response"])
        points += answer.points_earned
        for share in answer.funding:
            funders[share.party_id] += share.amount
    cutoff = settlement.next_cutoff(now, deps.cutoffs, deps.time_zone)
    return pb.MerchantDashboard(
        merchant_id=merchant_id, merchant_name=merchant["name"], business_date=day.isoformat(),
        sales_count=len(rows), sales_amount=sum(row["amount"] for row in rows),
        discount_amount=sum(row["discount"] for row in rows),
        discount_funders=[pb.FunderAmount(party_id=party, name=names.get(party, party), amount=amount)
                          for party, amount in sorted(funders.items()) if amount],
        points_given=points, next_cutoff_at=timestamp(cutoff),
        next_payout_at=timestamp(cutoff + dt.timedelta(minutes=deps.payout_after_cutoff_minutes)),
        next_payouts=[pb.PayoutPreview(iban=iban, beneficiary_name=name, amount=amount)
                      for iban, name, amount in payouts])
