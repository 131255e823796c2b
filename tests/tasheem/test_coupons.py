"""Coupons: campaigns that need a coupon, issued, used exactly once at purchase, given back when
the purchase is undone; codes, shared codes and their guessing limits. Real processes."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared import db
from services.tasheem import coupons
from tests.tasheem.helpers import offer, uid


def in_transaction(stack, work):
    """Run `work(conn)` in one transaction on the tasheem schema, as another module of the
    service (rewards) calls coupons.issue inside its own."""
    async def main():
        conn = await db.connect(stack.database_url, "tasheem", autocommit=False)
        try:
            async with conn.transaction():
                return await work(conn)
        finally:
            await conn.close()
    return asyncio.run(main())


def campaign(tasheem, merchant, **fields) -> pb.Offer:
    values = dict(scope=pb.OfferScope(merchant_ids=[merchant.merchant_id]), coupon_required=True,
                  discount=pb.Discount(fixed_amount=5_000))
    values.update(fields)
    return tasheem.CreateOffer(pb.CreateOfferRequest(offer=offer(**values)))


def test_issue_inside_a_transaction_is_idempotent_by_redemption_and_cancel_takes_only_available(
        stack, tasheem, merchant):
    item = campaign(tasheem, merchant)
    member = uid("member-")
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)

    def issue(redemption_id, member_id=member):
        return in_transaction(stack, lambda conn: coupons.issue(
            conn, offer_id=item.offer_id, member_id=member_id, source="voucher", expires_at=until,
            reward_id="rw-1", points_spent=500, redemption_id=redemption_id))

    redemption = uid("rd-")
    first = issue(redemption)
    assert (first["state"], first["source"], first["points_spent"], first["transaction_id"]) == \
        ("available", "voucher", 500, None)
    assert issue(redemption)["coupon_id"] == first["coupon_id"]  # the same redemption: the same voucher
    with pytest.raises(Exception, match="redemption_id"):
        issue(redemption, member_id=uid("member-"))
    message = coupons.to_message(first, "نان رایگان")
    assert (message.state, message.source, message.name) == (pb.COUPON_STATE_AVAILABLE, pb.COUPON_SOURCE_VOUCHER,
                                                              "نان رایگان")
    assert message.expires_at.ToDatetime(dt.UTC) == until
    assert in_transaction(stack, lambda conn: coupons.cancel(conn, first["coupon_id"], uid("someone-"))) is None
    cancelled = in_transaction(stack, lambda conn: coupons.cancel(conn, first["coupon_id"], member))
    assert cancelled["state"] == "cancelled"
    assert in_transaction(stack, lambda conn: coupons.cancel(conn, first["coupon_id"], member)) is None


def test_issue_refuses_an_offer_that_is_not_a_coupon_campaign(stack, tasheem, merchant):
    plain = tasheem.CreateOffer(pb.CreateOfferRequest(offer=offer(
        scope=pb.OfferScope(merchant_ids=[merchant.merchant_id]))))
    for offer_id, message in ((plain.offer_id, "not a coupon campaign"), ("no-such-offer", "unknown offer")):
        with pytest.raises(Exception, match=message):
            in_transaction(stack, lambda conn, offer_id=offer_id: coupons.issue(
                conn, offer_id=offer_id, member_id="m1", source="voucher"))
