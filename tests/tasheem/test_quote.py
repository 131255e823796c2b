"""Quote over real gRPC: scope, windows, stacking and priority, funding and points."""

from __future__ import annotations

import grpc
import pytest

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from tests.tasheem.helpers import funding_of, offer, quote, rpc_error, share, tehran, uid


def create(tasheem, **fields) -> pb.Offer:
    return tasheem.CreateOffer(pb.CreateOfferRequest(offer=offer(**fields)))


def only(merchant: pb.Merchant, **scope) -> pb.OfferScope:
    return pb.OfferScope(merchant_ids=[merchant.merchant_id], **scope)


def applied(reply) -> list[str]:
    return [item.offer_id for item in reply.offers]


def test_unknown_merchant_is_answered_not_failed(tasheem):
    reply = tasheem.Quote(quote("NOSUCHMERCHANT", 100_000))
    assert reply.outcome == pb.QUOTE_OUTCOME_UNKNOWN_MERCHANT
    assert reply.discount == 0 and not reply.offers


def test_scope_narrows_by_terminal_product_tier_and_segment(tasheem, merchant):
    target = create(tasheem, scope=only(merchant, terminal_ids=["T1"], product_ids=["gold-card"], tiers=["gold"],
                                        segments=["students"]))
    matching = dict(terminal_id="T1", product_id="gold-card", tier="gold", segment="students")
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 200_000, **matching))) == [target.offer_id]
    for field, other in [("terminal_id", "T2"), ("product_id", "silver"), ("tier", "silver"), ("segment", "staff")]:
        assert applied(tasheem.Quote(quote(merchant.merchant_id, 200_000, **{**matching, field: other}))) == []


def test_offers_by_group_and_mcc_reach_merchants_they_do_not_name(tasheem):
    group = uid("chain-")
    a = tasheem.CreateMerchant(pb.CreateMerchantRequest(merchant_id=uid("M"), name="شعبه یک", mcc="5812", group=group))
    b = tasheem.CreateMerchant(pb.CreateMerchantRequest(merchant_id=uid("M"), name="شعبه دو", mcc="5411", group=group))
    by_group = create(tasheem, scope=pb.OfferScope(merchant_groups=[group]))
    by_group_and_mcc = create(tasheem, scope=pb.OfferScope(merchant_groups=[group], mccs=["5812"]),
                              discount=pb.Discount(fixed_amount=1_000), priority=5)
    assert sorted(applied(tasheem.Quote(quote(a.merchant_id, 100_000)))) == sorted([by_group.offer_id,
                                                                                     by_group_and_mcc.offer_id])
    assert applied(tasheem.Quote(quote(b.merchant_id, 100_000))) == [by_group.offer_id]


def test_min_amount_and_inactive_offers(tasheem, merchant):
    item = create(tasheem, scope=only(merchant), min_amount=500_000)
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 499_999))) == []
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 500_000))) == [item.offer_id]
    tasheem.SetOfferActive(pb.SetOfferActiveRequest(offer_id=item.offer_id, active=False))
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 500_000))) == []


def test_a_night_window_crosses_midnight_on_the_day_it_opens(tasheem, merchant):
    # Thursday (ISO 4) 22:00 to Friday 02:00, Tehran time. 2025-01-02 is a Thursday.
    item = create(tasheem, scope=only(merchant),
                  window=pb.OfferWindow(days_of_week=[4], from_time="22:00", to_time="02:00"))
    cases = {
        tehran(2025, 1, 2, 22, 0): True,    # Thursday night, opening minute
        tehran(2025, 1, 2, 23, 30): True,
        tehran(2025, 1, 3, 1, 59): True,    # Friday early hours belong to Thursday night
        tehran(2025, 1, 3, 2, 0): False,    # closed
        tehran(2025, 1, 2, 21, 59): False,
        tehran(2025, 1, 2, 1, 0): False,    # Thursday early hours belong to Wednesday night
        tehran(2025, 1, 3, 23, 0): False,   # Friday night is not in the window
    }
    for at, expected in cases.items():
        assert (applied(tasheem.Quote(quote(merchant.merchant_id, 100_000, at=at))) == [item.offer_id]) is expected, at


def test_dates_days_of_week_and_time_zone(tasheem, merchant):
    from tests.tasheem.helpers import stamp
    item = create(tasheem, scope=only(merchant), window=pb.OfferWindow(
        starts_at=stamp(tehran(2025, 3, 1, 0, 0)), ends_at=stamp(tehran(2025, 4, 1, 0, 0)), days_of_week=[5, 6],
        from_time="09:00", to_time="17:00", time_zone="Asia/Tehran"))
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 100_000, at=tehran(2025, 3, 7, 9, 0)))) == [item.offer_id]
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 100_000, at=tehran(2025, 3, 8, 16, 59)))) == [item.offer_id]
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 100_000, at=tehran(2025, 3, 9, 12, 0)))) == []  # Sunday
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 100_000, at=tehran(2025, 3, 7, 8, 59)))) == []
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 100_000, at=tehran(2025, 4, 4, 12, 0)))) == []  # ended
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 100_000, at=tehran(2025, 2, 28, 12, 0)))) == []


def test_stackable_offers_combine_and_respect_stacks_with(tasheem, merchant):
    a = create(tasheem, scope=only(merchant), priority=10, discount=pb.Discount(percent_bp=1000))
    b = create(tasheem, scope=only(merchant), priority=9, discount=pb.Discount(fixed_amount=5_000))
    reply = tasheem.Quote(quote(merchant.merchant_id, 100_000))
    assert applied(reply) == [a.offer_id, b.offer_id]
    assert reply.discount == 10_000 + 5_000 and reply.net_amount == 85_000
    # c only stacks on b: it cannot join a combination that holds a, which ranks first.
    c = create(tasheem, scope=only(merchant), priority=8, discount=pb.Discount(fixed_amount=2_000),
               stacks_with=[b.offer_id])
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 100_000))) == [a.offer_id, b.offer_id]
    tasheem.SetOfferActive(pb.SetOfferActiveRequest(offer_id=a.offer_id, active=False))
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 100_000))) == [b.offer_id, c.offer_id]


def test_higher_priority_wins_between_exclusive_and_stackable(tasheem, merchant):
    create(tasheem, scope=only(merchant), priority=10, discount=pb.Discount(percent_bp=1000))
    create(tasheem, scope=only(merchant), priority=10, discount=pb.Discount(percent_bp=500))
    exclusive = create(tasheem, scope=only(merchant), priority=20, stacking=pb.STACKING_EXCLUSIVE,
                       discount=pb.Discount(percent_bp=500))
    reply = tasheem.Quote(quote(merchant.merchant_id, 100_000))
    assert applied(reply) == [exclusive.offer_id] and reply.discount == 5_000  # priority beats a bigger discount
    tasheem.SetOfferActive(pb.SetOfferActiveRequest(offer_id=exclusive.offer_id, active=False))
    assert tasheem.Quote(quote(merchant.merchant_id, 100_000)).discount == 15_000


def test_at_equal_priority_the_larger_discount_wins_and_a_tie_goes_to_the_exclusive(tasheem, merchant):
    stackable = create(tasheem, scope=only(merchant), priority=10, discount=pb.Discount(fixed_amount=3_000))
    exclusive = create(tasheem, scope=only(merchant), priority=10, stacking=pb.STACKING_EXCLUSIVE,
                       discount=pb.Discount(fixed_amount=2_000))
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 100_000))) == [stackable.offer_id]
    tasheem.UpdateOffer(pb.UpdateOfferRequest(offer=offer(
        offer_id=exclusive.offer_id, scope=only(merchant), priority=10, stacking=pb.STACKING_EXCLUSIVE,
        discount=pb.Discount(fixed_amount=3_000))))
    assert applied(tasheem.Quote(quote(merchant.merchant_id, 100_000))) == [exclusive.offer_id]


def test_discount_never_exceeds_the_amount_and_caps_apply(tasheem, merchant):
    create(tasheem, scope=only(merchant), discount=pb.Discount(fixed_amount=80_000), priority=10)
    create(tasheem, scope=only(merchant), discount=pb.Discount(percent_bp=5000, cap=30_000), priority=9)
    reply = tasheem.Quote(quote(merchant.merchant_id, 100_000))
    assert [o.discount for o in reply.offers] == [80_000, 20_000]  # 30,000 capped, then cut to what is left
    assert reply.discount == 100_000 and reply.net_amount == 0
    assert sum(f.amount for f in reply.funding) == reply.discount


def test_funding_split_with_rounding_sums_to_the_discount(tasheem, merchant, partner):
    create(tasheem, scope=only(merchant), discount=pb.Discount(percent_bp=1000),
           funding=[share("bank", 3333), share(partner, 3333), share("merchant", 3334, remainder=True)])
    reply = tasheem.Quote(quote(merchant.merchant_id, 100_001))
    assert reply.discount == 10_000
    assert funding_of(reply.funding) == {"bank": 3_333, partner: 3_333, "merchant": 3_334}
    reply = tasheem.Quote(quote(merchant.merchant_id, 1_001))
    assert reply.discount == 100 and funding_of(reply.funding) == {"bank": 33, partner: 33, "merchant": 34}


def test_points_earned_base_multiplier_and_bonus(tasheem, merchant):
    create(tasheem, scope=only(merchant), discount=pb.Discount(percent_bp=1000),
           points=pb.PointsRule(bonus_points=50, multiplier_pct=200))
    create(tasheem, scope=only(merchant), priority=5, discount=pb.Discount(fixed_amount=1),
           points=pb.PointsRule(bonus_points=7, multiplier_pct=150))
    reply = tasheem.Quote(quote(merchant.merchant_id, 1_000_001))
    # discount 100,000 + 1; net 900,000: 90 base points x2 (highest multiplier, not compounded) + 50 + 7
    assert reply.net_amount == 900_000 and reply.points_multiplier_pct == 200
    assert reply.points_bonus == 57 and reply.points_earned == 90 * 2 + 57


@pytest.mark.parametrize("fields, field", [
    (dict(funding=[share("bank", 5000), share("club", 4000, remainder=True)]), "offer.funding"),
    (dict(funding=[share("bank", 5000), share("club", 5000)]), "offer.funding"),
    (dict(funding=[share("nobody", 10_000, remainder=True)]), "offer.funding[0].party_id"),
    (dict(window=pb.OfferWindow(from_time="25:00", to_time="02:00")), "offer.window.from_time"),
    (dict(window=pb.OfferWindow(days_of_week=[8])), "offer.window.days_of_week"),
    (dict(window=pb.OfferWindow(time_zone="Mars/Olympus")), "offer.window.time_zone"),
    (dict(discount=pb.Discount(percent_bp=10_001)), "offer.discount.percent_bp"),
    (dict(stacking=pb.STACKING_UNSPECIFIED), "offer.stacking"),
    (dict(scope=pb.OfferScope(mccs=["54"])), "offer.scope.mccs"),
    (dict(member_limits=[pb.MemberLimit(period=pb.LIMIT_PERIOD_DAY)]), "offer.member_limits[0]"),
])
def test_invalid_offers_are_refused_naming_the_field(tasheem, fields, field):
    error = rpc_error(tasheem.CreateOffer, pb.CreateOfferRequest(offer=offer(**fields)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith(field + ":"), error.details()


def test_a_window_that_ends_before_it_starts_is_refused(tasheem):
    from tests.tasheem.helpers import stamp
    error = rpc_error(tasheem.CreateOffer, pb.CreateOfferRequest(offer=offer(window=pb.OfferWindow(
        starts_at=stamp(tehran(2025, 5, 1)), ends_at=stamp(tehran(2025, 4, 1))))))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith("offer.window.ends_at:")


def test_overlapping_exclusive_offers_at_one_priority_are_refused(tasheem, merchant):
    night = pb.OfferWindow(from_time="22:00", to_time="02:00")
    first = create(tasheem, scope=only(merchant), stacking=pb.STACKING_EXCLUSIVE, priority=50, window=night)
    error = rpc_error(tasheem.CreateOffer, pb.CreateOfferRequest(offer=offer(
        scope=only(merchant, mccs=["5411"]), stacking=pb.STACKING_EXCLUSIVE, priority=50,
        window=pb.OfferWindow(from_time="01:00", to_time="03:00"))))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith("offer.priority:")
    assert first.offer_id in error.details()
    # Not overlapping: another priority, another time of day, or another merchant.
    create(tasheem, scope=only(merchant), stacking=pb.STACKING_EXCLUSIVE, priority=51, window=night)
    create(tasheem, scope=only(merchant), stacking=pb.STACKING_EXCLUSIVE, priority=50,
           window=pb.OfferWindow(from_time="02:00", to_time="22:00"))
    create(tasheem, scope=pb.OfferScope(merchant_ids=[uid("M")]), stacking=pb.STACKING_EXCLUSIVE, priority=50)
    # Re-activating a paused offer is checked the same way.
    tasheem.SetOfferActive(pb.SetOfferActiveRequest(offer_id=first.offer_id, active=False))
    create(tasheem, scope=only(merchant), stacking=pb.STACKING_EXCLUSIVE, priority=50,
           window=pb.OfferWindow(from_time="23:00", to_time="23:30"))
    error = rpc_error(tasheem.SetOfferActive, pb.SetOfferActiveRequest(offer_id=first.offer_id, active=True))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_merchant_and_beneficiary_validation_names_the_field(tasheem):
    from tests.tasheem.helpers import an_iban
    cases = [
        (pb.CreateMerchantRequest(merchant_id="M" * 16, name="x", mcc="5411"), "merchant_id"),
        (pb.CreateMerchantRequest(merchant_id=uid("M"), name="x", mcc="54a1"), "mcc"),
        (pb.CreateMerchantRequest(merchant_id=uid("M"), name="x", mcc="5411", beneficiaries=[
            pb.Beneficiary(iban="IR830540102680020817909002", name="a", remainder=True)]), "beneficiaries[0].iban"),
        (pb.CreateMerchantRequest(merchant_id=uid("M"), name="x", mcc="5411", beneficiaries=[
            pb.Beneficiary(iban=an_iban(), name="a", ratio_bp=6000),
            pb.Beneficiary(iban=an_iban(), name="b", ratio_bp=3000, remainder=True)]), "beneficiaries"),
    ]
    for request, field in cases:
        error = rpc_error(tasheem.CreateMerchant, request)
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith(field + ":"), \
            error.details()


def test_beneficiaries_are_stored_and_replaced(tasheem, merchant):
    from tests.tasheem.helpers import an_iban
    wanted = [pb.Beneficiary(iban=an_iban(), name="شریک", fixed_amount=1_000_000),
              pb.Beneficiary(iban=an_iban(), name="مالک", ratio_bp=7000, remainder=True),
              pb.Beneficiary(iban=an_iban(), name="اجاره", ratio_bp=3000)]
    stored = tasheem.SetBeneficiaries(pb.SetBeneficiariesRequest(merchant_id=merchant.merchant_id,
                                                                 beneficiaries=wanted))
    assert list(stored.beneficiaries) == wanted
    assert list(tasheem.GetMerchant(pb.GetMerchantRequest(merchant_id=merchant.merchant_id)).beneficiaries) == wanted


def test_an_offer_cut_to_nothing_is_not_applied(tasheem, merchant):
    first = create(tasheem, scope=only(merchant), priority=10, discount=pb.Discount(fixed_amount=60_000))
    second = create(tasheem, scope=only(merchant), priority=9, discount=pb.Discount(fixed_amount=50_000))
    create(tasheem, scope=only(merchant), priority=8, discount=pb.Discount(fixed_amount=10_000))
    reply = tasheem.Quote(quote(merchant.merchant_id, 100_000, reserve=True, transaction_id=uid("tx-")))
    assert applied(reply) == [first.offer_id, second.offer_id]
    assert [o.discount for o in reply.offers] == [60_000, 40_000]
