"""Campaign budgets and per-member limits under concurrency, release, and a Redis that loses
everything: never more given than allowed, counted from the durable records afterwards."""

from __future__ import annotations

import pytest

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from tests.tasheem.helpers import an_iban, offer, quote, uid

CONCURRENT_QUOTES = 500


def reserved_rows(stack, offer_id: str) -> tuple[int, int]:
    with stack.pg() as conn:
        count, total = conn.execute("SELECT count(*), coalesce(sum(discount), 0) FROM tasheem.reservations"
                                    " WHERE offer_id = %s AND released_at IS NULL", (offer_id,)).fetchone()
    return count, int(total)


def redis_used(stack, offer_id: str) -> int:
    from services.tasheem.budgets import budget_key
    return int(stack.redis().hget(budget_key(offer_id), "used"))


def fire(tasheem, requests: list[pb.QuoteRequest]) -> list[pb.QuoteResponse]:
    """Every request in flight at once."""
    futures = [tasheem.Quote.future(request, timeout=60) for request in requests]
    return [future.result() for future in futures]


def budgeted(tasheem, merchant, **fields) -> pb.Offer:
    return tasheem.CreateOffer(pb.CreateOfferRequest(offer=offer(
        scope=pb.OfferScope(merchant_ids=[merchant.merchant_id]), discount=pb.Discount(fixed_amount=1_000), **fields)))


@pytest.mark.slow
def test_campaign_budget_is_never_exceeded_under_500_concurrent_quotes(stack, tasheem, merchant):
    item = budgeted(tasheem, merchant, budget=123_000)
    replies = fire(tasheem, [quote(merchant.merchant_id, 50_000, reserve=True, transaction_id=uid("tx-"),
                                   member_id=f"member-{n}") for n in range(CONCURRENT_QUOTES)])
    granted = [reply for reply in replies if reply.offers]
    assert len(granted) == 123
    assert all(reply.outcome == pb.QUOTE_OUTCOME_OK for reply in replies)  # the others go on without it
    assert all(reply.discount == 0 and reply.net_amount == 50_000 for reply in replies if not reply.offers)
    assert reserved_rows(stack, item.offer_id) == (123, 123_000)
    assert tasheem.GetOffer(pb.GetOfferRequest(offer_id=item.offer_id)).budget_used == 123_000


@pytest.mark.slow
def test_member_limits_hold_under_500_concurrent_quotes(stack, tasheem, merchant):
    item = budgeted(tasheem, merchant, member_limits=[
        pb.MemberLimit(period=pb.LIMIT_PERIOD_DAY, max_uses=3),
        pb.MemberLimit(period=pb.LIMIT_PERIOD_CAMPAIGN, max_discount=2_000)])
    members = [f"member-{uid()}" for _ in range(10)]
    replies = fire(tasheem, [quote(merchant.merchant_id, 50_000, reserve=True, transaction_id=uid("tx-"),
                                   member_id=members[n % len(members)]) for n in range(CONCURRENT_QUOTES)])
    assert sum(1 for reply in replies if reply.offers) == 2 * len(members)  # the campaign amount binds first
    with stack.pg() as conn:
        per_member = dict(conn.execute("SELECT member_id, count(*) FROM tasheem.reservations WHERE offer_id = %s"
                                       " GROUP BY member_id", (item.offer_id,)).fetchall())
    assert per_member == dict.fromkeys(members, 2)


def test_day_limit_counts_in_the_club_time_zone(tasheem, merchant):
    from tests.tasheem.helpers import tehran
    budgeted(tasheem, merchant, member_limits=[pb.MemberLimit(period=pb.LIMIT_PERIOD_DAY, max_uses=1)])
    member = uid("member-")

    def granted(at) -> bool:
        return bool(tasheem.Quote(quote(merchant.merchant_id, 10_000, reserve=True, transaction_id=uid("tx-"),
                                        member_id=member, at=at)).offers)

    assert granted(tehran(2025, 6, 1, 23, 50))
    assert not granted(tehran(2025, 6, 1, 23, 59))
    assert granted(tehran(2025, 6, 2, 0, 10))  # a new Tehran day, though the same UTC day (20:40 UTC)


def test_a_retried_quote_reserves_once_and_answers_the_same(stack, tasheem, merchant):
    item = budgeted(tasheem, merchant, budget=10_000)
    request = quote(merchant.merchant_id, 40_000, reserve=True, transaction_id=uid("tx-"), member_id="m1")
    first, second = tasheem.Quote(request), tasheem.Quote(request)
    assert first == second and first.discount == 1_000
    assert reserved_rows(stack, item.offer_id) == (1, 1_000)


def test_release_gives_the_budget_back_exactly_once(stack, tasheem, merchant):
    item = budgeted(tasheem, merchant, budget=2_000)
    ids = [uid("tx-") for _ in range(4)]

    def reserve(transaction_id):
        return tasheem.Quote(quote(merchant.merchant_id, 40_000, reserve=True, transaction_id=transaction_id,
                                   member_id="m1"))

    assert [bool(reserve(t).offers) for t in ids[:3]] == [True, True, False]
    assert tasheem.Release(pb.ReleaseRequest(transaction_id=ids[0])).released
    assert not tasheem.Release(pb.ReleaseRequest(transaction_id=ids[0])).released  # a second reversal: nothing
    assert not tasheem.Release(pb.ReleaseRequest(transaction_id="never-quoted")).released
    assert bool(reserve(ids[3]).offers)
    assert not reserve(uid("tx-")).offers  # one release made room for exactly one
    assert reserved_rows(stack, item.offer_id) == (2, 2_000)


def test_a_partial_release_gives_back_in_proportion_and_keeps_the_use(stack, tasheem, merchant):
    item = budgeted(tasheem, merchant, budget=2_000,
                    member_limits=[pb.MemberLimit(period=pb.LIMIT_PERIOD_CAMPAIGN, max_uses=1)])
    first, second = uid("tx-"), uid("tx-")

    def reserve(member, transaction_id=None):
        return tasheem.Quote(quote(merchant.merchant_id, 40_000, reserve=True, member_id=member,
                                   transaction_id=transaction_id or uid("tx-")))

    assert reserve("alice", first).offers and reserve("bob", second).offers
    assert not reserve("carol").offers  # the budget is spent
    part = tasheem.ReleasePart(pb.ReleasePartRequest(transaction_id=first, stands=30_000))
    assert part.discount_released == 250  # a quarter of 40,000 no longer stands
    assert tasheem.ReleasePart(pb.ReleasePartRequest(transaction_id=first, stands=30_000)).discount_released == 0
    assert tasheem.ReleasePart(pb.ReleasePartRequest(transaction_id=first, stands=35_000)).discount_released == 0
    assert tasheem.GetOffer(pb.GetOfferRequest(offer_id=item.offer_id)).budget_used == 1_750
    assert tasheem.ReleasePart(pb.ReleasePartRequest(transaction_id=first, stands=0)).discount_released == 750
    assert not reserve("alice").offers  # her purchase still stands: the use is kept
    assert reserve("carol").offers  # but the budget has room again
    assert tasheem.Release(pb.ReleaseRequest(transaction_id=first)).released  # the rest: only the use
    assert tasheem.GetOffer(pb.GetOfferRequest(offer_id=item.offer_id)).budget_used == 2_000
    assert not reserve("dave").offers
    assert tasheem.ReleasePart(pb.ReleasePartRequest(transaction_id=first, stands=0)).discount_released == 0
    assert tasheem.ReleasePart(pb.ReleasePartRequest(transaction_id="never-quoted")).discount_released == 0


@pytest.mark.slow
def test_budgets_survive_redis_restarted_empty(isolated_stack):
    stack = isolated_stack()
    with stack.channel("tasheem") as channel:
        tasheem = tasheem_pb2_grpc.TasheemServiceStub(channel)
        merchant = tasheem.CreateMerchant(pb.CreateMerchantRequest(
            merchant_id=uid("M"), name="x", mcc="5411",
            beneficiaries=[pb.Beneficiary(iban=an_iban(), name="a", remainder=True)]))
        item = budgeted(tasheem, merchant, budget=5_000,
                        member_limits=[pb.MemberLimit(period=pb.LIMIT_PERIOD_DAY, max_uses=2)])

        def reserve(member, transaction_id=None):
            return tasheem.Quote(quote(merchant.merchant_id, 40_000, reserve=True, member_id=member,
                                       transaction_id=transaction_id or uid("tx-")))

        kept = uid("tx-")
        assert reserve("alice", kept).offers and reserve("alice").offers and reserve("bob").offers
        assert tasheem.ReleasePart(pb.ReleasePartRequest(transaction_id=kept, stands=20_000)).discount_released == 500
        stack.redis_server.restart_empty()
        assert not reserve("alice").offers  # her day limit was rebuilt from Postgres, not reset
        assert reserve("bob").offers and reserve("carol").offers  # 4,500 of 5,000 used
        assert not reserve("dave").offers
        assert redis_used(stack, item.offer_id) == 4_500
        # The rebuilt counters still release exactly once, and the process restarted keeps them.
        assert tasheem.Release(pb.ReleaseRequest(transaction_id=kept)).released
        stack.services["tasheem"].restart()
        assert reserve("alice").offers
        assert not reserve("erin").offers
        assert reserved_rows(stack, item.offer_id) == (5, 5_000)
        assert redis_used(stack, item.offer_id) == 5_000  # the release gave back only what was left
