"""Rewards bought with points and their vouchers, every service a real process: the catalog and
its validation, redeeming through the real wallet (soonest-expiring lots first, once per
redemption_id), 100 concurrent redemptions of the last 10 items, refusals that move nothing,
cancel and expiry (refund and forfeit), the repair of a redemption left pending, and a voucher
used at the merchant over ISO 8583, paid for by its funder."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import time
import uuid

import grpc
import pytest

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc as pb_grpc
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from services.tasheem import rewards
from tests.cards.helpers import member_request
from tests.switch.conftest import make_club
from tests.switch.helpers import additional, transaction_id
from tests.tasheem.helpers import merchant_id, rpc_error, stamp, uid

PRICE = 500
VALUE = 150_000


@pytest.fixture(scope="module")
def cards(stack):
    with stack.channel("cards") as channel:
        yield cards_pb2_grpc.CardServiceStub(channel)


@pytest.fixture(scope="module")
def wallet(stack):
    with stack.channel("wallet") as channel:
        yield wallet_pb2_grpc.WalletServiceStub(channel)


@pytest.fixture(scope="module", autouse=True)
def _services(stack):
    stack.start("cards", "wallet", "tasheem")


def a_member(cards, wallet, points: int = 0, tier: str = "", segment: str = "", days: int = 365) -> str:
    member_id = cards.RegisterMember(member_request(segment=segment)).member_id
    if tier:
        cards.SetMemberTier(cards_pb2.SetMemberTierRequest(member_id=member_id, tier=tier, reason="test"))
    if points:
        grant(wallet, member_id, points, days)
    return member_id


def grant(wallet, member_id: str, points: int, days: int = 365) -> None:
    reply = wallet.AdjustPoints(wpb.AdjustPointsRequest(transfer_id=uid("adj-"), member_id=member_id, points=points,
                                                        reason="test", expires_in_days=days))
    assert reply.result == wpb.TRANSFER_RESULT_OK


def points_of(wallet, member_id: str) -> int:
    return wallet.GetMemberBalances(wpb.GetMemberBalancesRequest(member_id=member_id)).points_available


def a_reward(merchant_id: str, funded_by: str = "club", **overrides) -> pb.Reward:
    values = dict(name="قهوه رایگان", points_price=PRICE, stock=10, merchant_id=merchant_id, value=VALUE,
                  funded_by=funded_by, voucher_valid_days=30, on_expiry=pb.VOUCHER_EXPIRY_REFUND)
    values.update(overrides)
    return pb.Reward(**values)


def create(tasheem, merchant_id: str, **overrides) -> pb.Reward:
    return tasheem.CreateReward(pb.CreateRewardRequest(reward=a_reward(merchant_id, **overrides)))


def redeem(tasheem, member_id: str, reward_id: str, redemption_id: str = "") -> pb.Coupon:
    return tasheem.RedeemReward(pb.RedeemRewardRequest(redemption_id=redemption_id or uid("rdm-"),
                                                       member_id=member_id, reward_id=reward_id))


def get(tasheem, reward_id: str) -> pb.Reward:
    return tasheem.GetReward(pb.GetRewardRequest(reward_id=reward_id))


def coupon_state(stack, coupon_id: str) -> tuple[str, str | None]:
    """(state, transaction_id) of a coupon, as tasheem keeps it."""
    with stack.pg() as conn:
        return tuple(conn.execute("SELECT state, transaction_id FROM tasheem.coupons WHERE coupon_id = %s",
                                  (coupon_id,)).fetchone())


def refused(call, *args) -> grpc.RpcError:
    error = rpc_error(call, *args)
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error.details()
    return error


# ---------- the catalog ----------

def test_a_reward_is_created_with_its_coupon_campaign_and_listed(tasheem, merchant, partner):
    starts = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    ends = dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
    reward = create(tasheem, merchant.merchant_id, funded_by=partner, tiers=["gold"], segments=["student"],
                    window=pb.OfferWindow(starts_at=stamp(starts), ends_at=stamp(ends)), reward_id=uid("rw-"))
    assert (reward.points_price, reward.stock, reward.redeemed, reward.value, reward.funded_by) == (
        PRICE, 10, 0, VALUE, partner)
    assert reward.active and list(reward.tiers) == ["gold"] and reward.window.time_zone == "Asia/Tehran"
    assert get(tasheem, reward.reward_id) == reward
    assert reward.reward_id in [r.reward_id for r in tasheem.ListRewards(pb.ListRewardsRequest()).rewards]

    campaign = tasheem.GetOffer(pb.GetOfferRequest(offer_id=rewards.campaign_id(reward.reward_id)))
    assert campaign.coupon_required and campaign.active
    assert list(campaign.scope.merchant_ids) == [merchant.merchant_id] and not campaign.scope.tiers
    assert campaign.discount.fixed_amount == VALUE and campaign.stacking == pb.STACKING_STACKABLE
    assert [(f.party_id, f.percent_bp, f.remainder) for f in campaign.funding] == [(partner, 10_000, True)]
    assert campaign.window.starts_at == reward.window.starts_at  # open while any voucher can be valid
    assert campaign.window.ends_at.ToDatetime(dt.UTC) == (
        reward.window.ends_at.ToDatetime(dt.UTC) + dt.timedelta(days=30))

    again = rpc_error(tasheem.CreateReward, pb.CreateRewardRequest(reward=a_reward(
        merchant.merchant_id, reward_id=reward.reward_id)))
    assert again.code() == grpc.StatusCode.ALREADY_EXISTS


def test_a_rewards_voucher_campaign_gives_vouchers_only_for_points_and_changes_only_with_its_reward(
        tasheem, merchant):
    reward = create(tasheem, merchant.merchant_id)
    offer_id = rewards.campaign_id(reward.reward_id)
    campaign = tasheem.GetOffer(pb.GetOfferRequest(offer_id=offer_id))
    assert campaign.reward_id == reward.reward_id
    for call, request in (
            (tasheem.AssignCoupons, pb.AssignCouponsRequest(offer_id=offer_id, member_ids=[uid("m-")],
                                                            assignment_id=uid("a-"))),
            (tasheem.GenerateCouponCodes, pb.GenerateCouponCodesRequest(offer_id=offer_id, count=1)),
            (tasheem.CreateSharedCode, pb.CreateSharedCodeRequest(offer_id=offer_id, code="FREECOFFEE",
                                                                  total_uses=100)),
            (tasheem.UpdateOffer, pb.UpdateOfferRequest(offer=campaign)),
            (tasheem.SetOfferActive, pb.SetOfferActiveRequest(offer_id=offer_id, active=False))):
        assert reward.reward_id in refused(call, request).details()
    made_up = pb.Offer()
    made_up.CopyFrom(campaign)
    made_up.offer_id = uid("fake-")
    error = rpc_error(tasheem.CreateOffer, pb.CreateOfferRequest(offer=made_up))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith("offer.reward_id")
    assert tasheem.GetOffer(pb.GetOfferRequest(offer_id=offer_id)).active


def test_a_member_is_shown_only_what_they_may_redeem_now(tasheem, cards, wallet, merchant):
    gold_student = a_member(cards, wallet, tier="gold", segment="student")
    bronze = a_member(cards, wallet)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    for_gold = create(tasheem, merchant.merchant_id, tiers=["gold", "platinum"])
    for_students = create(tasheem, merchant.merchant_id, segments=["student"])
    for_bronze = create(tasheem, merchant.merchant_id, tiers=["bronze"])  # no tier yet: the lowest rung
    not_yet = create(tasheem, merchant.merchant_id, window=pb.OfferWindow(starts_at=stamp(later)))
    mine = {r.reward_id for r in tasheem.ListRewards(pb.ListRewardsRequest(member_id=gold_student)).rewards}
    theirs = {r.reward_id for r in tasheem.ListRewards(pb.ListRewardsRequest(member_id=bronze)).rewards}
    made = {for_gold.reward_id, for_students.reward_id, for_bronze.reward_id, not_yet.reward_id}
    assert mine & made == {for_gold.reward_id, for_students.reward_id}
    assert theirs & made == {for_bronze.reward_id}
    assert rpc_error(tasheem.ListRewards, pb.ListRewardsRequest(member_id=str(uuid.uuid4()))).code() == \
        grpc.StatusCode.NOT_FOUND
    malformed = rpc_error(tasheem.ListRewards, pb.ListRewardsRequest(member_id="nobody"))
    assert malformed.code() == grpc.StatusCode.INVALID_ARGUMENT and malformed.details().startswith("member_id:")


@pytest.mark.parametrize("field, overrides", [
    ("reward.reward_id", {"reward_id": "has space"}),
    ("reward.name", {"name": "  "}),
    ("reward.points_price", {"points_price": 0}),
    ("reward.points_price", {"points_price": -5}),
    ("reward.stock", {"stock": 0}),
    ("reward.merchant_id", {"merchant_id": ""}),
    ("reward.merchant_id", {"merchant_id": "MNOSUCH"}),
    ("reward.value", {"value": 0}),
    ("reward.funded_by", {"funded_by": ""}),
    ("reward.funded_by", {"funded_by": "nobody"}),
    ("reward.tiers", {"tiers": ["gold", ""]}),
    ("reward.segments", {"segments": ["student", "student"]}),
    ("reward.window.ends_at", {"window": pb.OfferWindow(
        starts_at=stamp(dt.datetime(2030, 2, 1, tzinfo=dt.UTC)), ends_at=stamp(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)))}),
    ("reward.window.ends_at", {"window": pb.OfferWindow(ends_at=stamp(dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))}),
    ("reward.window.time_zone", {"window": pb.OfferWindow(time_zone="Mars/Olympus")}),
    ("reward.voucher_valid_days", {"voucher_valid_days": 0}),
    ("reward.on_expiry", {"on_expiry": pb.VOUCHER_EXPIRY_UNSPECIFIED}),
])
def test_a_bad_reward_is_refused_naming_the_field(tasheem, merchant, field, overrides):
    merchant_id = overrides.pop("merchant_id", merchant.merchant_id)
    error = rpc_error(tasheem.CreateReward, pb.CreateRewardRequest(reward=a_reward(merchant_id, **overrides)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith(field + ":"), error.details()


# ---------- redeeming ----------

def test_redeeming_spends_points_soonest_expiring_first_and_issues_a_voucher(stack, tasheem, cards, wallet, merchant):
    member = a_member(cards, wallet)
    grant(wallet, member, 400, days=200)
    grant(wallet, member, 300, days=20)
    reward = create(tasheem, merchant.merchant_id)
    voucher = redeem(tasheem, member, reward.reward_id)
    assert (voucher.source, voucher.state, voucher.member_id) == (
        pb.COUPON_SOURCE_VOUCHER, pb.COUPON_STATE_AVAILABLE, member)
    assert (voucher.reward_id, voucher.points_spent, voucher.offer_id, voucher.name) == (
        reward.reward_id, PRICE, rewards.campaign_id(reward.reward_id), reward.name)
    valid = voucher.expires_at.ToDatetime(dt.UTC) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=29, hours=23) < valid <= dt.timedelta(days=30)
    assert points_of(wallet, member) == 200
    lots = wallet.ListPointsLots(wpb.ListPointsLotsRequest(member_id=member, include_spent=True)).lots
    assert [(lot.points, lot.remaining) for lot in lots] == [(300, 0), (400, 200)]
    after = get(tasheem, reward.reward_id)
    assert (after.stock, after.redeemed) == (9, 1)
    assert coupon_state(stack, voucher.coupon_id) == ("available", None)


def test_the_same_redemption_id_redeems_once_and_answers_the_same_voucher(tasheem, cards, wallet, merchant):
    member = a_member(cards, wallet, points=5 * PRICE)
    reward = create(tasheem, merchant.merchant_id)
    redemption_id = uid("rdm-")
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: redeem(tasheem, member, reward.reward_id, redemption_id), range(10)))
    assert len({answer.coupon_id for answer in answers}) == 1
    assert redeem(tasheem, member, reward.reward_id, redemption_id).coupon_id == answers[0].coupon_id
    assert points_of(wallet, member) == 4 * PRICE
    assert get(tasheem, reward.reward_id).stock == 9
    other = a_member(cards, wallet, points=PRICE)
    error = rpc_error(tasheem.RedeemReward, pb.RedeemRewardRequest(redemption_id=redemption_id, member_id=other,
                                                                   reward_id=reward.reward_id))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith("redemption_id:")
    assert points_of(wallet, other) == PRICE


def test_without_enough_points_the_refusal_is_clear_and_nothing_moves(stack, tasheem, cards, wallet, merchant):
    member = a_member(cards, wallet, points=PRICE - 1)
    reward = create(tasheem, merchant.merchant_id, stock=1)
    redemption_id = uid("rdm-")
    error = refused(tasheem.RedeemReward, pb.RedeemRewardRequest(redemption_id=redemption_id, member_id=member,
                                                                 reward_id=reward.reward_id))
    assert error.details() == f"not enough points: reward {reward.reward_id} costs {PRICE} points and the member has" \
                              f" {PRICE - 1}"
    assert points_of(wallet, member) == PRICE - 1
    assert (get(tasheem, reward.reward_id).stock, get(tasheem, reward.reward_id).redeemed) == (1, 0)  # given back
    with stack.pg() as conn:
        assert conn.execute("SELECT count(*) FROM tasheem.redemptions WHERE redemption_id = %s",
                            (redemption_id,)).fetchone()[0] == 0
    grant(wallet, member, 1)  # a refusal is an answer, not a stored result: the same id may try again
    assert redeem(tasheem, member, reward.reward_id, redemption_id).state == pb.COUPON_STATE_AVAILABLE
    assert points_of(wallet, member) == 0
    out = refused(tasheem.RedeemReward, pb.RedeemRewardRequest(redemption_id=uid("rdm-"), member_id=member,
                                                               reward_id=reward.reward_id))
    assert out.details() == f"reward {reward.reward_id} is out of stock"


def test_concurrent_repeats_without_enough_points_move_nothing(stack, tasheem, cards, wallet, merchant):
    """Repeats of one redemption racing each other: one finisher at a time acts on the wallet's
    answer, so the refusals give the stock back exactly once per item taken."""
    member = a_member(cards, wallet, points=PRICE - 1)
    reward = create(tasheem, merchant.merchant_id, stock=3)
    redemption_id = uid("rdm-")

    def attempt(_):
        try:
            return redeem(tasheem, member, reward.reward_id, redemption_id)
        except grpc.RpcError as error:
            return error.code()

    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(attempt, range(10)))
    assert set(outcomes) <= {grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.UNAVAILABLE}
    assert grpc.StatusCode.FAILED_PRECONDITION in outcomes
    assert points_of(wallet, member) == PRICE - 1
    assert (get(tasheem, reward.reward_id).stock, get(tasheem, reward.reward_id).redeemed) == (3, 0)
    with stack.pg() as conn:
        assert conn.execute("SELECT count(*) FROM tasheem.redemptions WHERE redemption_id = %s",
                            (redemption_id,)).fetchone()[0] == 0


def test_eligibility_comes_from_cards(tasheem, cards, wallet, merchant):
    silver = a_member(cards, wallet, points=PRICE, tier="silver", segment="staff")
    for_gold = create(tasheem, merchant.merchant_id, tiers=["gold"])
    assert refused(redeem, tasheem, silver, for_gold.reward_id).details() == \
        f"reward {for_gold.reward_id} is for tiers gold; the member is silver"
    for_students = create(tasheem, merchant.merchant_id, segments=["student"])
    assert refused(redeem, tasheem, silver, for_students.reward_id).details() == \
        f"reward {for_students.reward_id} is for segments student; the member is in staff"
    later = create(tasheem, merchant.merchant_id, window=pb.OfferWindow(
        starts_at=stamp(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))))
    assert "outside its window" in refused(redeem, tasheem, silver, later.reward_id).details()
    assert points_of(wallet, silver) == PRICE
    assert rpc_error(redeem, tasheem, str(uuid.uuid4()), for_gold.reward_id).code() == grpc.StatusCode.NOT_FOUND
    assert rpc_error(redeem, tasheem, silver, "no-such-reward").code() == grpc.StatusCode.NOT_FOUND
    cards.SetMemberTier(cards_pb2.SetMemberTierRequest(member_id=silver, tier="gold", reason="test"))
    assert redeem(tasheem, silver, for_gold.reward_id).points_spent == PRICE


def test_100_concurrent_redemptions_of_the_last_10_items(stack, tasheem, cards, wallet, merchant):
    reward = create(tasheem, merchant.merchant_id, stock=10)
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        members = list(pool.map(lambda _: a_member(cards, wallet, points=PRICE * 3), range(100)))

    def attempt(member_id: str):
        try:
            return redeem(tasheem, member_id, reward.reward_id)
        except grpc.RpcError as error:
            return error

    with concurrent.futures.ThreadPoolExecutor(100) as pool:
        outcomes = list(pool.map(attempt, members))
    vouchers = [o for o in outcomes if isinstance(o, pb.Coupon)]
    errors = [o for o in outcomes if not isinstance(o, pb.Coupon)]
    assert len(vouchers) == 10 and len({v.coupon_id for v in vouchers}) == 10
    assert {(e.code(), e.details()) for e in errors} == {
        (grpc.StatusCode.FAILED_PRECONDITION, f"reward {reward.reward_id} is out of stock")}
    assert (get(tasheem, reward.reward_id).stock, get(tasheem, reward.reward_id).redeemed) == (0, 10)
    winners = {v.member_id for v in vouchers}
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        balances = dict(zip(members, pool.map(lambda m: points_of(wallet, m), members), strict=True))
    assert {m: b for m, b in balances.items() if m in winners} == {m: PRICE * 2 for m in winners}
    assert {b for m, b in balances.items() if m not in winners} == {PRICE * 3}
    with stack.pg() as conn:
        spent = conn.execute("SELECT count(DISTINCT spend_id), sum(points) FROM wallet.points_spends"
                             " WHERE member_id = ANY(%s)", (members,)).fetchone()
        issued = conn.execute("SELECT count(*) FROM tasheem.coupons WHERE reward_id = %s",
                              (reward.reward_id,)).fetchone()[0]
    assert tuple(spent) == (10, 10 * PRICE) and issued == 10


# ---------- ending a voucher ----------

def test_cancelling_an_unused_voucher_gives_the_points_and_the_item_back_once(tasheem, cards, wallet, merchant):
    member = a_member(cards, wallet)
    grant(wallet, member, 300, days=20)
    grant(wallet, member, 400, days=200)
    reward = create(tasheem, merchant.merchant_id)
    voucher = redeem(tasheem, member, reward.reward_id)
    assert points_of(wallet, member) == 200
    cancel = pb.CancelVoucherRequest(coupon_id=voucher.coupon_id, member_id=member)
    cancelled = tasheem.CancelVoucher(cancel)
    assert cancelled.state == pb.COUPON_STATE_CANCELLED and cancelled.coupon_id == voucher.coupon_id
    assert points_of(wallet, member) == 700
    lots = wallet.ListPointsLots(wpb.ListPointsLotsRequest(member_id=member)).lots
    assert [(lot.points, lot.remaining) for lot in lots] == [(300, 300), (400, 400)]  # the same lots, same expiry
    assert (get(tasheem, reward.reward_id).stock, get(tasheem, reward.reward_id).redeemed) == (10, 0)
    assert tasheem.CancelVoucher(cancel).state == pb.COUPON_STATE_CANCELLED  # again: the same answer
    assert points_of(wallet, member) == 700 and get(tasheem, reward.reward_id).stock == 10
    someone_else = pb.CancelVoucherRequest(coupon_id=voucher.coupon_id, member_id=a_member(cards, wallet))
    assert rpc_error(tasheem.CancelVoucher, someone_else).code() == grpc.StatusCode.NOT_FOUND


def past_validity(stack, *vouchers: pb.Coupon) -> None:
    """As if each voucher's validity ended a second ago."""
    with stack.pg() as conn:
        conn.execute("UPDATE tasheem.coupons SET expires_at = now() - interval '1 second' WHERE coupon_id = ANY(%s)",
                     ([v.coupon_id for v in vouchers],))




def test_at_expiry_points_go_back_for_refund_and_stay_spent_for_forfeit(stack, tasheem, cards, wallet, merchant):
    refunding = create(tasheem, merchant.merchant_id, on_expiry=pb.VOUCHER_EXPIRY_REFUND)
    forfeiting = create(tasheem, merchant.merchant_id, on_expiry=pb.VOUCHER_EXPIRY_FORFEIT)
    lucky, unlucky = a_member(cards, wallet, points=PRICE), a_member(cards, wallet, points=PRICE)
    refunded_voucher = redeem(tasheem, lucky, refunding.reward_id)
    forfeited_voucher = redeem(tasheem, unlucky, forfeiting.reward_id)
    still_valid = redeem(tasheem, a_member(cards, wallet, points=PRICE), refunding.reward_id)
    past_validity(stack, refunded_voucher, forfeited_voucher)

    reply = tasheem.ExpireVouchers(pb.ExpireVouchersRequest())
    assert (reply.expired, reply.refunded) == (2, 1)
    assert coupon_state(stack, refunded_voucher.coupon_id)[0] == coupon_state(stack, forfeited_voucher.coupon_id)[0] \
        == "expired"
    assert coupon_state(stack, still_valid.coupon_id)[0] == "available"
    assert (points_of(wallet, lucky), points_of(wallet, unlucky)) == (PRICE, 0)
    assert get(tasheem, refunding.reward_id).stock == 8  # an expired voucher's item is not put back

    again = tasheem.ExpireVouchers(pb.ExpireVouchersRequest())
    assert (again.expired, again.refunded) == (0, 0) and points_of(wallet, lucky) == PRICE
    late = refused(tasheem.CancelVoucher, pb.CancelVoucherRequest(coupon_id=forfeited_voucher.coupon_id,
                                                                  member_id=unlucky))
    assert late.details() == f"voucher {forfeited_voucher.coupon_id} has expired; its points stay spent, as the" \
                             " reward says"
    assert points_of(wallet, unlucky) == 0


def test_a_voucher_past_its_validity_cannot_be_cancelled_before_the_sweep(stack, tasheem, cards, wallet, merchant):
    member = a_member(cards, wallet, points=PRICE)
    voucher = redeem(tasheem, member, create(tasheem, merchant.merchant_id).reward_id)
    past_validity(stack, voucher)
    error = refused(tasheem.CancelVoucher, pb.CancelVoucherRequest(coupon_id=voucher.coupon_id, member_id=member))
    assert error.details() == f"voucher {voucher.coupon_id} has expired; its points go back, as the reward says"
    tasheem.ExpireVouchers(pb.ExpireVouchersRequest())
    assert points_of(wallet, member) == PRICE


# ---------- a redemption interrupted ----------

def interrupted(stack, wallet, member_id: str, reward: pb.Reward, spent: bool, minutes_ago: int = 0) -> str:
    """What a tasheem crash leaves: the pending row and its stock taken (step 1), the points spent
    or not (step 2), no voucher (step 3)."""
    redemption_id = uid("rdm-")
    with stack.pg() as conn, conn.transaction():
        conn.execute("INSERT INTO tasheem.redemptions (redemption_id, reward_id, member_id, points, state,"
                     " voucher_expires_at, updated_at) VALUES (%s, %s, %s, %s, 'pending', now() + interval '30 days',"
                     " now() - %s * interval '1 minute')",
                     (redemption_id, reward.reward_id, member_id, reward.points_price, minutes_ago))
        conn.execute("UPDATE tasheem.rewards SET stock = stock - 1, redeemed = redeemed + 1 WHERE reward_id = %s",
                     (reward.reward_id,))
    if spent:
        reply = wallet.SpendPoints(wpb.SpendPointsRequest(spend_id=rewards.spend_id(redemption_id), member_id=member_id,
                                                          points=reward.points_price, reason=f"reward {reward.reward_id}"))
        assert reply.result == wpb.TRANSFER_RESULT_OK
    return redemption_id


def test_a_retry_finishes_a_redemption_left_pending(stack, tasheem, cards, wallet, merchant):
    reward = create(tasheem, merchant.merchant_id)
    for spent in (True, False):
        member = a_member(cards, wallet, points=PRICE * 2)
        redemption_id = interrupted(stack, wallet, member, reward, spent)
        voucher = redeem(tasheem, member, reward.reward_id, redemption_id)
        assert voucher.state == pb.COUPON_STATE_AVAILABLE and points_of(wallet, member) == PRICE  # spent once
    assert (get(tasheem, reward.reward_id).stock, get(tasheem, reward.reward_id).redeemed) == (8, 2)


def test_the_sweep_finishes_or_undoes_what_a_crash_left(stack, tasheem, cards, wallet, merchant):
    reward = create(tasheem, merchant.merchant_id)
    paid, unpaid, poor = (a_member(cards, wallet, points=PRICE), a_member(cards, wallet, points=PRICE),
                          a_member(cards, wallet, points=PRICE - 1))
    cases = {paid: interrupted(stack, wallet, paid, reward, spent=True, minutes_ago=5),
             unpaid: interrupted(stack, wallet, unpaid, reward, spent=False, minutes_ago=5),
             poor: interrupted(stack, wallet, poor, reward, spent=False, minutes_ago=5)}
    recent = interrupted(stack, wallet, a_member(cards, wallet, points=PRICE), reward, spent=False)
    assert get(tasheem, reward.reward_id).stock == 6
    tasheem.ExpireVouchers(pb.ExpireVouchersRequest())  # the sweep the app runs every minute
    with stack.pg() as conn:
        states = dict(conn.execute("SELECT redemption_id, state FROM tasheem.redemptions WHERE reward_id = %s",
                                   (reward.reward_id,)).fetchall())
    assert states == {cases[paid]: "issued", cases[unpaid]: "issued", recent: "pending"}  # poor's undone
    assert (points_of(wallet, paid), points_of(wallet, unpaid), points_of(wallet, poor)) == (0, 0, PRICE - 1)
    assert get(tasheem, reward.reward_id).stock == 7  # the poor member's item is back
    assert redeem(tasheem, paid, reward.reward_id, cases[paid]).state == pb.COUPON_STATE_AVAILABLE


# ---------- at the merchant, over ISO 8583 ----------

@pytest.fixture(scope="module")
def club(stack):
    return make_club(stack)


def test_a_voucher_discounts_a_purchase_at_its_merchant_and_its_funder_pays(club):
    merchant, terminal_id = club.new_merchant()
    card = club.card(credit=1_000_000)
    grant(club.wallet, card.member_id, PRICE)
    reward = club.tasheem.CreateReward(pb.CreateRewardRequest(reward=a_reward(merchant, funded_by="snapp")))
    voucher = club.tasheem.RedeemReward(pb.RedeemRewardRequest(redemption_id=uid("rdm-"), member_id=card.member_id,
                                                               reward_id=reward.reward_id))
    time.sleep(1.5)  # every replica's catalog has the campaign
    terminal = club.terminal(merchant, terminal_id)
    message = terminal.purchase_message(card, 400_000)
    answer = terminal.exchange(message)
    assert answer["39"] == "00"
    amounts = additional(answer)
    assert amounts[("00", "41")] == VALUE  # field 54: the discount applied
    assert amounts[("00", "02")] == 1_000_000 - (400_000 - VALUE)  # the member paid the rest
    funded = {party: amount for tid, party, amount in club.ledger_rows(transaction_id(message)) if ":fund:" in tid}
    assert funded == {"snapp": VALUE}  # the party the reward names pays the voucher's value
    assert coupon_state(club.stack, voucher.coupon_id) == ("used", transaction_id(message))
    error = rpc_error(club.tasheem.CancelVoucher, pb.CancelVoucherRequest(coupon_id=voucher.coupon_id,
                                                                          member_id=card.member_id))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error.details() == (f"voucher {voucher.coupon_id} was used by purchase {transaction_id(message)}; a used"
                               " voucher cannot be cancelled")

    second = terminal.purchase(card, 100_000)  # used once: the next purchase pays in full
    assert second["39"] == "00" and additional(second).get(("00", "41"), 0) == 0


@pytest.mark.slow
def test_with_the_wallet_down_nothing_is_lost_and_a_retry_finishes(isolated_stack):
    """The wallet unreachable after the stock was taken: the redemption stays pending (UNAVAILABLE)
    and a retry with the same id finishes it; a cancel then owes the points until the wallet is
    back, and its retry returns them once."""
    stack = isolated_stack()
    stack.start("cards", "wallet", "tasheem")
    with stack.channel("cards") as c, stack.channel("wallet") as w, stack.channel("tasheem") as t:
        cards, wallet, tasheem = (cards_pb2_grpc.CardServiceStub(c), wallet_pb2_grpc.WalletServiceStub(w),
                                  pb_grpc.TasheemServiceStub(t))
        merchant = tasheem.CreateMerchant(pb.CreateMerchantRequest(merchant_id=merchant_id(), name="کافه", mcc="5814"))
        reward = create(tasheem, merchant.merchant_id)
        member = a_member(cards, wallet, points=PRICE)
        redemption_id = uid("rdm-")
        stack.services["wallet"].stop()
        down = rpc_error(redeem, tasheem, member, reward.reward_id, redemption_id)
        assert down.code() == grpc.StatusCode.UNAVAILABLE and "pending" in down.details()
        assert get(tasheem, reward.reward_id).stock == 9  # held for this redemption
        stack.start("wallet")
        voucher = redeem(tasheem, member, reward.reward_id, redemption_id)
        assert voucher.state == pb.COUPON_STATE_AVAILABLE and points_of(wallet, member) == 0

        stack.services["wallet"].stop()
        cancel = pb.CancelVoucherRequest(coupon_id=voucher.coupon_id, member_id=member)
        owed = rpc_error(tasheem.CancelVoucher, cancel)
        assert owed.code() == grpc.StatusCode.UNAVAILABLE and "owed" in owed.details()
        assert coupon_state(stack, voucher.coupon_id)[0] == "cancelled"
        stack.start("wallet")
        assert tasheem.CancelVoucher(cancel).state == pb.COUPON_STATE_CANCELLED
        assert tasheem.CancelVoucher(cancel).state == pb.COUPON_STATE_CANCELLED
        assert points_of(wallet, member) == PRICE
        assert get(tasheem, reward.reward_id).stock == 10
