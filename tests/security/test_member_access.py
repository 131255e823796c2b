"""A member's token, as the portal holds it after sign-in, on every method the portal calls: it
reads and changes what is its own, and meets PERMISSION_DENIED for another member's (real
processes, auth required). cards' own checks narrow what a member may change on her card and
profile; a request naming her id for someone else's card is refused by cards itself."""

from __future__ import annotations

import uuid

import grpc
import pytest

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.crm.v1 import crm_pb2, crm_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2, tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from tests.cards.helpers import member_request, product_request
from tests.tasheem.helpers import an_iban, merchant_id

DENIED = grpc.StatusCode.PERMISSION_DENIED
REFUSALS = (grpc.StatusCode.UNAUTHENTICATED, DENIED)


def status_of(call, request) -> grpc.StatusCode:
    try:
        call(request, timeout=10)
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def refusal(call, request) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call(request, timeout=10)
    return info.value


@pytest.fixture(scope="module")
def operator(stack):
    stack.start("cards", "wallet", "tasheem", "crm")
    channels = {name: stack.channel(name) for name in ("cards", "wallet", "tasheem", "crm")}
    yield {"cards": cards_pb2_grpc.CardServiceStub(channels["cards"]),
           "wallet": wallet_pb2_grpc.WalletServiceStub(channels["wallet"]),
           "tasheem": tasheem_pb2_grpc.TasheemServiceStub(channels["tasheem"]),
           "crm": crm_pb2_grpc.CrmServiceStub(channels["crm"])}
    for channel in channels.values():
        channel.close()


@pytest.fixture(scope="module")
def product(operator):
    return operator["cards"].CreateProduct(product_request(name="Portal card"))


def a_member(operator, product) -> tuple[cards_pb2.Member, str]:
    """A member with a card, open wallet accounts, 1,000 points and a receipt_sms consent."""
    member = operator["cards"].RegisterMember(member_request(consents=[
        cards_pb2.Consent(purpose="receipt_sms", granted=True)]))
    card = operator["cards"].IssueCard(cards_pb2.IssueCardRequest(member_id=member.member_id,
                                                                  product_id=product.product_id)).card
    operator["wallet"].OpenMemberAccounts(wallet_pb2.OpenMemberAccountsRequest(member_id=member.member_id))
    operator["wallet"].AdjustPoints(wallet_pb2.AdjustPointsRequest(
        transfer_id=f"adj-{uuid.uuid4().hex}", member_id=member.member_id, points=1_000, reason="test",
        expires_in_days=365))
    return member, card.card_token


@pytest.fixture(scope="module")
def her(operator, product):
    return a_member(operator, product)


@pytest.fixture(scope="module")
def another(operator, product):
    return a_member(operator, product)


@pytest.fixture(scope="module")
def as_her(stack, her):
    token = stack.token("member", subject=her[0].member_id)
    channels = {name: stack.channel(name, token=token) for name in ("cards", "wallet", "tasheem", "crm")}
    yield {"cards": cards_pb2_grpc.CardServiceStub(channels["cards"]),
           "wallet": wallet_pb2_grpc.WalletServiceStub(channels["wallet"]),
           "tasheem": tasheem_pb2_grpc.TasheemServiceStub(channels["tasheem"]),
           "crm": crm_pb2_grpc.CrmServiceStub(channels["crm"])}
    for channel in channels.values():
        channel.close()


# ---------- cards ----------

def test_she_reads_her_profile_and_masked_cards_only(as_her, her, another):
    (me, my_card), (other, _) = her, another
    assert as_her["cards"].GetMember(cards_pb2.GetMemberRequest(member_id=me.member_id)).phone == me.phone
    cards = as_her["cards"].ListCards(cards_pb2.ListCardsRequest(member_id=me.member_id)).cards
    assert [card.card_token for card in cards] == [my_card] and "******" in cards[0].masked_pan
    assert refusal(as_her["cards"].GetMember, cards_pb2.GetMemberRequest(member_id=other.member_id)).code() == DENIED
    assert refusal(as_her["cards"].ListCards, cards_pb2.ListCardsRequest(member_id=other.member_id)).code() == DENIED
    assert refusal(as_her["cards"].ListCards, cards_pb2.ListCardsRequest()).code() == DENIED  # "every card"


def test_a_members_own_card_rules(stack, operator, product):
    member, card = a_member(operator, product)
    _, others_card = a_member(operator, product)
    with stack.channel("cards", token=stack.token("member", subject=member.member_id)) as channel:
        mine = cards_pb2_grpc.CardServiceStub(channel)

        def status(token: str, value: int, member_id: str = member.member_id) -> grpc.StatusCode:
            return status_of(mine.ChangeCardStatus, cards_pb2.ChangeCardStatusRequest(
                card_token=token, status=value, reason_code="customer_request", member_id=member_id))

        # Another's card under her own id: refused by cards, which finds the card is not hers.
        assert status(others_card, cards_pb2.CARD_STATUS_STOLEN) == DENIED
        assert status(card, cards_pb2.CARD_STATUS_SUSPENDED) == DENIED  # only lost or stolen
        assert status(card, cards_pb2.CARD_STATUS_CLOSED) == DENIED
        assert status(card, cards_pb2.CARD_STATUS_LOST, member_id="") == DENIED  # must name herself
        blocked = mine.ChangeCardStatus(cards_pb2.ChangeCardStatusRequest(
            card_token=card, status=cards_pb2.CARD_STATUS_LOST, reason_code="lost", member_id=member.member_id))
        assert blocked.status == cards_pb2.CARD_STATUS_LOST
        assert status(card, cards_pb2.CARD_STATUS_ACTIVE) == DENIED  # never unblock
    cards = operator["cards"]
    assert cards.GetCard(cards_pb2.GetCardRequest(card_token=card)).status == cards_pb2.CARD_STATUS_LOST
    assert cards.GetCard(cards_pb2.GetCardRequest(card_token=others_card)).status == cards_pb2.CARD_STATUS_ISSUED


def test_she_changes_only_her_name_email_preferences_and_marketing_consents(stack, operator, product):
    member, _ = a_member(operator, product)
    other, _ = a_member(operator, product)
    with stack.channel("cards", token=stack.token("member", subject=member.member_id)) as channel:
        mine = cards_pb2_grpc.CardServiceStub(channel)
        changed = mine.UpdateMember(cards_pb2.UpdateMemberRequest(
            member_id=member.member_id, update_fields=["first_name", "email", "preferences", "consents"],
            values=cards_pb2.RegisterMemberRequest(
                first_name="نگار", email="negar@example.ir", preferences={"language": "fa"},
                consents=[cards_pb2.Consent(purpose="marketing_sms", granted=True)])))
        assert (changed.first_name, changed.email, dict(changed.preferences)) == (
            "نگار", "negar@example.ir", {"language": "fa"})
        # Her marketing consent is added; the club's receipt_sms consent stays as it was.
        assert {(c.purpose, c.granted) for c in changed.consents} == {("receipt_sms", True), ("marketing_sms", True)}
        for fields, values, named in (
                (["phone"], cards_pb2.RegisterMemberRequest(phone="09120000000"), "update_fields"),
                (["segment"], cards_pb2.RegisterMemberRequest(segment="staff"), "update_fields"),
                (["consents"], cards_pb2.RegisterMemberRequest(consents=[
                    cards_pb2.Consent(purpose="receipt_sms", granted=False)]), "values.consents")):
            refused = refusal(mine.UpdateMember, cards_pb2.UpdateMemberRequest(
                member_id=member.member_id, update_fields=fields, values=values))
            assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT and refused.details().startswith(named)
        assert refusal(mine.UpdateMember, cards_pb2.UpdateMemberRequest(
            member_id=other.member_id, update_fields=["first_name"],
            values=cards_pb2.RegisterMemberRequest(first_name="x"))).code() == DENIED
    after = operator["cards"].GetMember(cards_pb2.GetMemberRequest(member_id=member.member_id))
    assert (after.phone, after.segment) == (member.phone, member.segment)
    assert operator["cards"].GetMember(cards_pb2.GetMemberRequest(member_id=other.member_id)).first_name == \
        other.first_name


# ---------- wallet ----------

def test_she_reads_her_balances_points_and_tier_progress_only(as_her, her, another):
    me, other = her[0].member_id, another[0].member_id
    wallet = as_her["wallet"]
    assert wallet.GetMemberBalances(wallet_pb2.GetMemberBalancesRequest(member_id=me)).points_available == 1_000
    lots = wallet.ListPointsLots(wallet_pb2.ListPointsLotsRequest(member_id=me)).lots
    assert sum(lot.remaining for lot in lots) == 1_000
    assert status_of(wallet.GetTierProgress, wallet_pb2.GetTierProgressRequest(member_id=me)) == grpc.StatusCode.OK
    for call, request in ((wallet.GetMemberBalances, wallet_pb2.GetMemberBalancesRequest(member_id=other)),
                          (wallet.ListPointsLots, wallet_pb2.ListPointsLotsRequest(member_id=other)),
                          (wallet.GetTierProgress, wallet_pb2.GetTierProgressRequest(member_id=other)),
                          (wallet.TopUp, wallet_pb2.TopUpRequest(transfer_id="t", member_id=me, amount=1,
                                                                  reason="x"))):
        assert refusal(call, request).code() == DENIED


# ---------- tasheem ----------

def test_she_sees_her_benefits_coupons_and_the_catalog_and_redeems_as_herself(as_her, operator, her, another):
    me, other = her[0].member_id, another[0].member_id
    tasheem = as_her["tasheem"]
    merchant = operator["tasheem"].CreateMerchant(tasheem_pb2.CreateMerchantRequest(
        merchant_id=merchant_id(), name="کافه نمونه", mcc="5814",
        beneficiaries=[tasheem_pb2.Beneficiary(iban=an_iban(), name="حساب اصلی", remainder=True)]))
    existing = {party.party_id for party in operator["tasheem"].ListParties(tasheem_pb2.ListPartiesRequest()).parties}
    if "club" not in existing:
        operator["tasheem"].CreateParty(tasheem_pb2.CreatePartyRequest(party_id="club", name="باشگاه"))
    reward = operator["tasheem"].CreateReward(tasheem_pb2.CreateRewardRequest(reward=tasheem_pb2.Reward(
        name="قهوه رایگان", points_price=400, stock=5, merchant_id=merchant.merchant_id, value=150_000,
        funded_by="club", voucher_valid_days=30, on_expiry=tasheem_pb2.VOUCHER_EXPIRY_REFUND)))

    catalog = tasheem.ListRewards(tasheem_pb2.ListRewardsRequest(member_id=me))
    assert reward.reward_id in {item.reward_id for item in catalog.rewards}
    voucher = tasheem.RedeemReward(tasheem_pb2.RedeemRewardRequest(redemption_id=f"rdm-{uuid.uuid4().hex}",
                                                                   member_id=me, reward_id=reward.reward_id))
    assert voucher.member_id == me
    coupons = tasheem.ListCoupons(tasheem_pb2.ListCouponsRequest(member_id=me)).coupons
    assert voucher.coupon_id in {coupon.coupon_id for coupon in coupons}
    assert status_of(tasheem.ListBenefits, tasheem_pb2.ListBenefitsRequest(member_id=me)) == grpc.StatusCode.OK
    # Claiming for herself reaches tasheem (which judges the code); for another, it does not.
    assert status_of(tasheem.ClaimCoupon, tasheem_pb2.ClaimCouponRequest(member_id=me, code="NOSUCHCODE")) \
        == grpc.StatusCode.INVALID_ARGUMENT
    for call, request in (
            (tasheem.ListRewards, tasheem_pb2.ListRewardsRequest(member_id=other)),
            (tasheem.ListRewards, tasheem_pb2.ListRewardsRequest()),
            (tasheem.RedeemReward, tasheem_pb2.RedeemRewardRequest(redemption_id="r-x", member_id=other,
                                                                   reward_id=reward.reward_id)),
            (tasheem.ListCoupons, tasheem_pb2.ListCouponsRequest(member_id=other)),
            (tasheem.ListBenefits, tasheem_pb2.ListBenefitsRequest(member_id=other)),
            (tasheem.ClaimCoupon, tasheem_pb2.ClaimCouponRequest(member_id=other, code="NOSUCHCODE"))):
        assert refusal(call, request).code() == DENIED
    points = operator["wallet"].GetMemberBalances(wallet_pb2.GetMemberBalancesRequest(member_id=other))
    assert points.points_available == 1_000  # nothing of hers was spent


# ---------- crm ----------

def crm_calls(crm, member_id: str):
    event_id = "ev-none"
    return [(crm.ListInbox, crm_pb2.ListInboxRequest(member_id=member_id)),
            (crm.ListInvitations, crm_pb2.ListInvitationsRequest(member_id=member_id)),
            (crm.ListAttendance, crm_pb2.ListAttendanceRequest(member_id=member_id)),
            (crm.Rsvp, crm_pb2.RsvpRequest(event_id=event_id, member_id=member_id, accept=True)),
            (crm.CancelRsvp, crm_pb2.CancelRsvpRequest(event_id=event_id, member_id=member_id)),
            (crm.GetCheckInCode, crm_pb2.GetCheckInCodeRequest(event_id=event_id, member_id=member_id)),
            (crm.ListPendingSurveys, crm_pb2.ListPendingSurveysRequest(member_id=member_id)),
            (crm.GetInterests, crm_pb2.GetInterestsRequest(member_id=member_id)),
            (crm.ListInteractions, crm_pb2.ListInteractionsRequest(member_id=member_id)),
            (crm.MarkRead, crm_pb2.MarkReadRequest(member_id=member_id, message_id=1)),
            (crm.GetMemberHome, crm_pb2.GetMemberHomeRequest(member_id=member_id))]


def test_her_crm_methods_answer_her_and_refuse_for_another(as_her, operator, her, another):
    for call, request in crm_calls(as_her["crm"], her[0].member_id):
        assert status_of(call, request) not in REFUSALS, call
    for call, request in crm_calls(as_her["crm"], another[0].member_id):
        assert status_of(call, request) == DENIED, call
    home = as_her["crm"].GetMemberHome(crm_pb2.GetMemberHomeRequest(member_id=her[0].member_id))
    balances = operator["wallet"].GetMemberBalances(wallet_pb2.GetMemberBalancesRequest(member_id=her[0].member_id))
    assert home.balances == balances and home.profile.member_id == her[0].member_id
