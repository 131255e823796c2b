"""Points lots and their expiry, the proportional take-back of earned points on refunds, and
tiers from qualifying spend, published to the (real) cards service."""

from __future__ import annotations

import datetime
import random

import grpc
import pytest
from google.protobuf import timestamp_pb2

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2 as pb
from tests.wallet.helpers import fund, ledger_available, new_id, purchase, stub

LIABILITY = "club:points_liability"


@pytest.fixture
def wallet(stack):
    return stub(stack)


@pytest.fixture
def cards(stack):
    with stack.channel("cards") as channel:
        yield cards_pb2_grpc.CardServiceStub(channel)


def timestamp(days_from_now: float) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days_from_now))
    return ts


def lots(wallet, member: str, include_spent: bool = False) -> list[pb.PointsLot]:
    return list(wallet.ListPointsLots(pb.ListPointsLotsRequest(member_id=member, include_spent=include_spent)).lots)


def expiries(wallet, member: str) -> list[pb.Transfer]:
    transfers = wallet.ListAccountTransfers(pb.ListAccountTransfersRequest(account_id=f"member:{member}:points")).transfers
    return [t for t in transfers if t.code == pb.TRANSFER_CODE_POINTS_EXPIRED]


def grant(wallet, member: str, points: int, days: int = 0) -> None:
    reply = wallet.AdjustPoints(pb.AdjustPointsRequest(transfer_id=new_id("adj"), member_id=member, points=points,
                                                       reason="welcome gift", expires_in_days=days))
    assert reply.result == pb.TRANSFER_RESULT_OK


def test_points_are_spent_soonest_expiring_first_and_the_rest_expires_to_the_club(stack, wallet):
    member = new_id("mem")
    fund(wallet, member, 100_000)
    grant(wallet, member, 50, days=1)
    assert purchase(wallet, member, 20_000, points_earned=30).outcome == pb.PURCHASE_OUTCOME_APPROVED
    spend = wallet.AdjustPoints(pb.AdjustPointsRequest(transfer_id=new_id("adj"), member_id=member, points=-40,
                                                       reason="redeemed at the counter"))
    assert spend.result == pb.TRANSFER_RESULT_OK
    assert [(lot.points, lot.remaining, lot.source) for lot in lots(wallet, member)] == [
        (50, 10, "adjustment"), (30, 30, "purchase")]

    wallet.ExpirePoints(pb.ExpirePointsRequest())  # nothing of this member's is due yet
    assert expiries(wallet, member) == [] and ledger_available(stack, f"member:{member}:points") == 40

    reply = wallet.ExpirePoints(pb.ExpirePointsRequest(as_of=timestamp(2)))
    assert reply.points_expired >= 10 and reply.lots_expired >= 1
    [expired] = expiries(wallet, member)
    assert (expired.debit_account_id, expired.credit_account_id, expired.amount) == (
        f"member:{member}:points", LIABILITY, 10)
    assert ledger_available(stack, f"member:{member}:points") == 30
    assert [(lot.points, lot.remaining) for lot in lots(wallet, member)] == [(30, 30)]
    assert [(lot.points, lot.remaining) for lot in lots(wallet, member, include_spent=True)] == [(50, 0), (30, 30)]
    balances = wallet.GetMemberBalances(pb.GetMemberBalancesRequest(member_id=member))
    assert balances.points_available == 30

    wallet.ExpirePoints(pb.ExpirePointsRequest(as_of=timestamp(2)))  # a second sweep finds nothing more
    assert len(expiries(wallet, member)) == 1 and ledger_available(stack, f"member:{member}:points") == 30


def test_a_year_later_every_earned_point_has_expired(isolated_stack):
    stack = isolated_stack()  # this sweep expires everyone's points: not in the shared database
    wallet = stub(stack)
    member = new_id("mem")
    fund(wallet, member, 100_000)
    purchase(wallet, member, 30_000, points_earned=12)
    purchase(wallet, member, 30_000, points_earned=8)
    wallet.ExpirePoints(pb.ExpirePointsRequest(as_of=timestamp(364)))
    assert ledger_available(stack, f"member:{member}:points") == 20
    wallet.ExpirePoints(pb.ExpirePointsRequest(as_of=timestamp(366)))  # CLUB_POINTS_LIFETIME_DAYS = 365
    assert ledger_available(stack, f"member:{member}:points") == 0
    assert sum(t.amount for t in expiries(wallet, member)) == 20 and lots(wallet, member) == []


def test_refunds_take_back_earned_points_in_proportion_until_all_are_back(stack, wallet):
    member = new_id("mem")
    fund(wallet, member, 10_000)
    original = purchase(wallet, member, 10_000, points_earned=100)
    steps = [("refund", 2_500, 25), ("refund", 3_333, 33), ("reverse", 0, 42)]  # floor(100 * undone / 10,000)
    for kind, amount, points in steps:
        if kind == "refund":
            reply = wallet.Refund(pb.RefundRequest(refund_id=new_id("rf"), original_transaction_id=original.transaction_id,
                                                   amount=amount))
        else:
            reply = wallet.Reverse(pb.ReverseRequest(reversal_id=new_id("rv"),
                                                     original_transaction_id=original.transaction_id))
        assert reply.outcome == pb.REVERSE_OUTCOME_REVERSED and reply.points_taken_back == points
    assert ledger_available(stack, f"member:{member}:credit") == 10_000
    assert ledger_available(stack, f"member:{member}:points") == 0
    assert [lot.remaining for lot in lots(wallet, member, include_spent=True)] == [0]
    too_much = wallet.Refund(pb.RefundRequest(refund_id=new_id("rf"), original_transaction_id=original.transaction_id,
                                              amount=1))
    assert too_much.outcome == pb.REVERSE_OUTCOME_ALREADY_REVERSED


def test_tier_upgrades_at_once_and_downgrades_only_at_period_end_and_cards_sees_both(stack, wallet, cards):
    member = cards.RegisterMember(cards_pb2.RegisterMemberRequest(
        phone=f"0912{random.randrange(10**7):07d}", first_name="Tier")).member_id
    fund(wallet, member, 30_000_000)
    spend = purchase(wallet, member, 5_000_000)  # CLUB_TIER_THRESHOLDS: silver from 5,000,000 rials

    def recompute(period_end: bool = False) -> list[tuple[str, str, int]]:
        reply = wallet.RecomputeTiers(pb.RecomputeTiersRequest(member_ids=[member], period_end=period_end))
        return [(c.from_tier, c.to_tier, c.qualifying_spend) for c in reply.changes]

    def tiers() -> tuple[str, str]:
        return (cards.GetMember(cards_pb2.GetMemberRequest(member_id=member)).tier,
                wallet.GetMemberBalances(pb.GetMemberBalancesRequest(member_id=member)).tier)

    assert recompute() == [("bronze", "silver", 5_000_000)]
    assert tiers() == ("silver", "silver")
    assert recompute() == []  # nothing changed, nothing published again

    wallet.Refund(pb.RefundRequest(refund_id=new_id("rf"), original_transaction_id=spend.transaction_id, amount=1))
    assert recompute() == []  # below the threshold now, but downgrades wait for the period end
    assert tiers() == ("silver", "silver")
    assert recompute(period_end=True) == [("silver", "bronze", 4_999_999)]
    assert tiers() == ("bronze", "bronze")

    purchase(wallet, member, 15_000_001)
    assert recompute() == [("bronze", "gold", 20_000_000)]
    assert tiers() == ("gold", "gold")
    progress = wallet.GetTierProgress(pb.GetTierProgressRequest(member_id=member))
    assert (progress.tier, progress.qualifying_spend, progress.next_tier) == ("gold", 20_000_000, "platinum")
    assert (progress.next_tier_spend, progress.spend_to_next_tier) == (50_000_000, 30_000_000)
    assert progress.window_days == 90


def test_a_member_below_every_threshold_gets_no_tier_change(stack, wallet, cards):
    member = cards.RegisterMember(cards_pb2.RegisterMemberRequest(
        phone=f"0913{random.randrange(10**7):07d}", first_name="Small")).member_id
    fund(wallet, member, 1_000_000)
    purchase(wallet, member, 999_999)
    reply = wallet.RecomputeTiers(pb.RecomputeTiersRequest(member_ids=[member]))
    assert list(reply.changes) == []
    assert cards.GetMember(cards_pb2.GetMemberRequest(member_id=member)).tier == ""


def test_tier_progress_of_a_member_never_graded_and_a_bad_id(stack, wallet, cards):
    member = cards.RegisterMember(cards_pb2.RegisterMemberRequest(
        phone=f"0914{random.randrange(10**7):07d}", first_name="New")).member_id
    progress = wallet.GetTierProgress(pb.GetTierProgressRequest(member_id=member))
    assert (progress.tier, progress.qualifying_spend, progress.next_tier, progress.spend_to_next_tier) == \
        ("bronze", 0, "silver", 5_000_000)
    with pytest.raises(grpc.RpcError) as info:
        wallet.GetTierProgress(pb.GetTierProgressRequest(member_id=""))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "member_id" in info.value.details()
