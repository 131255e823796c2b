"""Benefits: the sentence a member reads, and who gets what (pure), then ListBenefits end to end
against real cards and tasheem processes."""

from __future__ import annotations

import datetime as dt

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.tasheem import benefits
from services.tasheem.benefits import Held, Member, Place
from services.tasheem.catalog import MerchantInfo
from services.tasheem.offers import compile_offer
from tests.tasheem.helpers import offer, stamp, tehran

PARTIES = {"bank", "club"}
NOW = tehran(2025, 3, 25)  # 5 Farvardin 1404
NOWRUZ_END = tehran(2025, 4, 5, 0, 0)  # exclusive: the last day is 15 Farvardin
BARAKAT = MerchantInfo("M-BARAKAT", "نان سنگک برکت", "5462", "barakat", True)
MERCHANTS = {m.merchant_id: m for m in [
    BARAKAT,
    MerchantInfo("M-REFAH-1", "رفاه ونک", "5411", "رفاه", True),
    MerchantInfo("M-REFAH-2", "رفاه تجریش", "5411", "رفاه", True),
    MerchantInfo("M-REFAH-3", "رفاه پونک", "5411", "رفاه", True),
    MerchantInfo("M-REFAH-4", "رفاه نارمک", "5411", "رفاه", True),
    MerchantInfo("M-KABAB", "کبابی نایب", "5812", "nayeb", True),
    MerchantInfo("M-CLOSED", "فروشگاه بسته", "5812", "closed", False),
]}
MEMBER = Member("m-1", "gold", "student")


def compiled(**fields):
    fields.setdefault("active", True)  # as CreateOffer saves it
    window = fields.pop("window", None)
    if isinstance(window, dict):
        window = pb.OfferWindow(**{k: stamp(v) if isinstance(v, dt.datetime) else v for k, v in window.items()})
    return compile_offer(offer(window=window, **fields) if window else offer(**fields), PARTIES)


def at(*merchant_ids: str, **scope) -> pb.OfferScope:
    return pb.OfferScope(merchant_ids=list(merchant_ids), **scope)


def said(item, where: Place | None = None, **options) -> str:
    return benefits.sentence(item, where or benefits.place(item, MERCHANTS), NOW, **options)


# ---------- the sentence ----------

def test_percent_with_a_cap_at_one_merchant_until_a_day():
    item = compiled(scope=at("M-BARAKAT"), discount=pb.Discount(percent_bp=1500, cap=200_000),
                    window={"ends_at": NOWRUZ_END})
    assert said(item) == "۱۵٪ تخفیف تا سقف ۲۰۰٬۰۰۰ ریال در نان سنگک برکت، تا ۱۵ فروردین"
    assert benefits.place(item, MERCHANTS) == Place("در نان سنگک برکت", "M-BARAKAT")


def test_percent_without_a_cap_everywhere_and_with_no_end():
    assert said(compiled(discount=pb.Discount(percent_bp=1250))) == "۱۲٫۵٪ تخفیف در همه فروشگاه‌های طرف قرارداد"


def test_a_fixed_amount_with_a_minimum_purchase():
    item = compiled(scope=at("M-BARAKAT"), discount=pb.Discount(fixed_amount=50_000), min_amount=500_000,
                    funding=[pb.FundingRule(party_id="club", fixed_amount=50_000, remainder=True)])
    assert said(item) == "۵۰٬۰۰۰ ریال تخفیف برای خرید از ۵۰۰٬۰۰۰ ریال در نان سنگک برکت"


def test_where_few_merchants_are_named_more_by_their_chain_or_trade():
    two = compiled(scope=at("M-BARAKAT", "M-KABAB", "M-CLOSED"))  # the closed one is not named
    assert said(two).endswith("در کبابی نایب و نان سنگک برکت")
    chain = compiled(scope=pb.OfferScope(merchant_groups=["رفاه"]))
    assert said(chain) == "۱۰٪ تخفیف در شعبه‌های رفاه"
    one_in_trade = compiled(scope=pb.OfferScope(mccs=["5812"]))  # one open restaurant: named
    assert said(one_in_trade) == "۱۰٪ تخفیف در کبابی نایب"
    trade = compiled(scope=pb.OfferScope(mccs=["5411"]))
    assert said(trade) == "۱۰٪ تخفیف در سوپرمارکت‌ها"
    unknown_trade = compiled(scope=pb.OfferScope(mccs=["5411", "1234"]))
    assert said(unknown_trade) == "۱۰٪ تخفیف در فروشگاه‌های صنف ۱۲۳۴ و سوپرمارکت‌ها"
    many = compiled(scope=at("M-REFAH-1", "M-REFAH-2", "M-REFAH-3", "M-REFAH-4"))
    assert said(many) == "۱۰٪ تخفیف در ۴ فروشگاه طرف قرارداد"
    nowhere = compiled(scope=at("M-CLOSED"))
    assert benefits.place(nowhere, MERCHANTS) is None


def test_points_bonus_and_multiplier():
    double = compiled(scope=at("M-BARAKAT"), discount=pb.Discount(), funding=[],
                      points=pb.PointsRule(multiplier_pct=200))
    assert said(double) == "۲ برابر امتیاز در نان سنگک برکت"
    bonus = compiled(discount=pb.Discount(), funding=[], points=pb.PointsRule(bonus_points=500, multiplier_pct=150))
    assert said(bonus) == "۱٫۵ برابر امتیاز و ۵۰۰ امتیاز اضافه در همه فروشگاه‌های طرف قرارداد"
    both = compiled(scope=at("M-BARAKAT"), points=pb.PointsRule(multiplier_pct=300))
    assert said(both) == "۱۰٪ تخفیف و ۳ برابر امتیاز در نان سنگک برکت"


def test_a_coupon_ends_at_its_expiry_when_that_comes_first():
    item = compiled(scope=at("M-BARAKAT"), discount=pb.Discount(percent_bp=2000), window={"ends_at": NOWRUZ_END})
    expiry = tehran(2025, 3, 30, 0, 0)  # the last day is 9 Farvardin
    ends = benefits.until(item, expiry)
    assert ends == expiry
    assert said(item, coupon=True, ends=ends) == "۲۰٪ تخفیف در نان سنگک برکت با کوپن، تا ۹ فروردین"


def test_a_voucher_is_a_gift_card_for_one_purchase():
    item = compiled(scope=at("M-BARAKAT"), discount=pb.Discount(fixed_amount=500_000),
                    funding=[pb.FundingRule(party_id="club", fixed_amount=500_000, remainder=True)])
    expiry = tehran(2025, 4, 5, 0, 0)
    assert said(item, coupon=True, voucher=True, ends=expiry) == \
        "کارت هدیه ۵۰۰٬۰۰۰ ریالی برای یک‌بار خرید در نان سنگک برکت، تا ۱۵ فروردین"


def test_a_tier_privilege_names_the_tier_in_persian():
    item = compiled(discount=pb.Discount(percent_bp=2000), scope=pb.OfferScope(tiers=["gold"]))
    assert said(item, tier="gold") == "۲۰٪ تخفیف در همه فروشگاه‌های طرف قرارداد، ویژه اعضای طلایی"
    assert said(item, tier="diamond").endswith("ویژه اعضای diamond")


def test_weekdays_hours_products_and_a_date_in_another_year():
    item = compiled(scope=at("M-KABAB"), window={"ends_at": tehran(2026, 4, 5, 0, 0), "days_of_week": [4, 5],
                                                 "from_time": "22:00", "to_time": "02:00"})
    assert said(item, products=["کارت طلایی باشگاه"]) == \
        "۱۰٪ تخفیف در کبابی نایب با کارت طلایی باشگاه، پنجشنبه‌ها و جمعه‌ها ساعت ۲۲ تا ۲، تا ۱۵ فروردین ۱۴۰۵"
    hours = compiled(window={"from_time": "09:30", "to_time": "12:00"})
    assert said(hours, products=["نقره"]) == \
        "۱۰٪ تخفیف در همه فروشگاه‌های طرف قرارداد با کارت نقره، هر روز ساعت ۹:۳۰ تا ۱۲"


# ---------- who gets what ----------

def offer_ids(items) -> list[str]:
    return [item.offer_id for item in items]


def test_eligibility_by_tier_segment_product_terminal_dates_and_state():
    everyone = compiled(offer_id="everyone")
    gold = compiled(offer_id="gold", scope=pb.OfferScope(tiers=["gold", "platinum"]))
    silver = compiled(offer_id="silver", scope=pb.OfferScope(tiers=["silver"]))
    students = compiled(offer_id="students", scope=pb.OfferScope(segments=["student"]))
    staff = compiled(offer_id="staff", scope=pb.OfferScope(segments=["staff"]))
    held_product = compiled(offer_id="held-product", scope=pb.OfferScope(product_ids=["gold-card"]))
    other_product = compiled(offer_id="other-product", scope=pb.OfferScope(product_ids=["teen-card"]))
    till = compiled(offer_id="till", scope=at("M-BARAKAT", terminal_ids=["T1"]))
    expired = compiled(offer_id="expired", window={"ends_at": NOW})
    later = compiled(offer_id="later", window={"starts_at": NOW + dt.timedelta(seconds=1)})
    started = compiled(offer_id="started", window={"starts_at": NOW})
    ending = compiled(offer_id="ending", window={"ends_at": NOWRUZ_END})
    campaign = compiled(offer_id="campaign", coupon_required=True)
    closed = compiled(offer_id="closed", scope=at("M-CLOSED"))
    paused = compiled(offer_id="paused", active=False)
    every = [everyone, gold, silver, students, staff, held_product, other_product, till, expired, later, started,
             ending, campaign, closed, paused]
    assert benefits.named_products(every) == {"gold-card", "teen-card"}  # the member's cards matter for these
    member = Member("m-1", "gold", "student", frozenset({"gold-card"}))
    found = benefits.listing(every, MERCHANTS, member, NOW, product_names={"gold-card": "کارت طلایی"})
    assert found.tier == "gold" and found.next_tier == "platinum"
    # Privileges first; then the soonest ending, then those with no end, by id.
    assert offer_ids(found.benefits) == ["gold", "ending", "everyone", "held-product", "started", "students"]
    assert [b.kind for b in found.benefits] == [pb.BENEFIT_KIND_PRIVILEGE] + [pb.BENEFIT_KIND_OFFER] * 5
    assert found.benefits[0].sentence.endswith("ویژه اعضای طلایی")
    assert found.benefits[3].sentence.endswith("با کارت طلایی")
    assert found.next_tier_adds == ()  # the gold offer already reaches this member


def test_the_next_tier_adds_only_what_the_member_lacks():
    offers = [compiled(offer_id="silver", scope=pb.OfferScope(tiers=["silver"])),
              compiled(offer_id="silver-and-gold", scope=pb.OfferScope(tiers=["silver", "gold"])),
              compiled(offer_id="gold", scope=pb.OfferScope(tiers=["gold"]), discount=pb.Discount(percent_bp=2000)),
              compiled(offer_id="gold-staff", scope=pb.OfferScope(tiers=["gold"], segments=["staff"])),
              compiled(offer_id="platinum", scope=pb.OfferScope(tiers=["platinum"]))]
    found = benefits.listing(offers, MERCHANTS, Member("m-2", "silver", "student"), NOW)
    assert offer_ids(found.benefits) == ["silver", "silver-and-gold"]
    assert found.next_tier == "gold"
    assert offer_ids(found.next_tier_adds) == ["gold"]
    assert found.next_tier_adds[0].sentence == "۲۰٪ تخفیف در همه فروشگاه‌های طرف قرارداد، ویژه اعضای طلایی"
    top = benefits.listing(offers, MERCHANTS, Member("m-3", "platinum", ""), NOW)
    assert top.next_tier == "" and top.next_tier_adds == ()
    none_yet = benefits.listing(offers, MERCHANTS, Member("m-4", "", ""), NOW)
    assert none_yet.next_tier == "silver" and offer_ids(none_yet.next_tier_adds) == ["silver", "silver-and-gold"]


def test_coupons_and_vouchers_the_member_holds():
    campaign = compiled(offer_id="campaign", coupon_required=True, scope=at("M-BARAKAT"),
                        discount=pb.Discount(percent_bp=2000), window={"ends_at": NOWRUZ_END})
    gift = compiled(offer_id="gift", coupon_required=True, scope=at("M-KABAB"),
                    discount=pb.Discount(fixed_amount=300_000),
                    funding=[pb.FundingRule(party_id="club", fixed_amount=300_000, remainder=True)])
    held = [Held("c-1", "campaign", False, None, "کوپن نوروزی"),
            Held("c-2", "gift", True, tehran(2025, 3, 30, 0, 0), "چلوکباب رایگان"),
            Held("c-3", "gift", True, NOW, "منقضی"),  # expired this instant
            Held("c-4", "missing", False, None)]
    found = benefits.listing([campaign, gift], MERCHANTS, MEMBER, NOW, held=held)
    assert [(b.kind, b.coupon_id, b.title) for b in found.benefits] == [
        (pb.BENEFIT_KIND_VOUCHER, "c-2", "چلوکباب رایگان"), (pb.BENEFIT_KIND_COUPON, "c-1", "کوپن نوروزی")]
    assert [b.sentence for b in found.benefits] == [
        "کارت هدیه ۳۰۰٬۰۰۰ ریالی برای یک‌بار خرید در کبابی نایب، تا ۹ فروردین",
        "۲۰٪ تخفیف در نان سنگک برکت با کوپن، تا ۱۵ فروردین"]
    assert found.benefits[1].until.ToDatetime(dt.UTC) == NOWRUZ_END


# ---------- ListBenefits end to end ----------

def test_list_benefits_for_a_gold_member_against_real_cards_and_tasheem(isolated_stack):
    """A stack of its own, so every offer in the catalog is one of these and the list is exact."""
    import grpc

    from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
    from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
    from services.shared import persian
    from tests.cards.helpers import PIN, zone_block_0
    from tests.cards.helpers import Club as CardsClub
    from tests.tasheem.helpers import rpc_error, uid

    stack = isolated_stack()
    stack.start("cards", "tasheem")
    now = dt.datetime.now(dt.UTC)
    ends = now + dt.timedelta(days=10)
    until = f"تا {persian.date(ends - benefits.LAST_INSTANT, now)}"
    with stack.channel("cards") as cards_channel, stack.channel("tasheem") as tasheem_channel:
        cards = CardsClub(cards_pb2_grpc.CardServiceStub(cards_channel))
        tasheem = tasheem_pb2_grpc.TasheemServiceStub(tasheem_channel)
        member = cards.member(segment="student")
        cards.stub.SetMemberTier(cards_pb2.SetMemberTierRequest(member_id=member.member_id, tier="gold", reason="test"))
        held_product = cards.product(name="کارت طلایی باشگاه")
        issued = cards.issue(held_product, member)
        cards.stub.ActivateCard(cards_pb2.ActivateCardRequest(card_token=issued.card.card_token,
                                                              pin=zone_block_0(PIN, issued.pan), channel="branch"))
        not_active = cards.product(name="نقره")
        cards.issue(not_active, member)  # issued, never activated: not a card the member can pay with

        def merchant(name: str, mcc: str, group: str) -> pb.Merchant:
            return tasheem.CreateMerchant(pb.CreateMerchantRequest(merchant_id=uid("M"), name=name, mcc=mcc, group=group))

        barakat = merchant("نان سنگک برکت", "5462", "barakat")
        chain = uid("chain-")
        for branch in ("ونک", "تجریش", "پونک", "نارمک"):
            merchant(f"رفاه {branch}", "5411", chain)

        def create(offer_id: str, **fields) -> pb.Offer:
            return tasheem.CreateOffer(pb.CreateOfferRequest(offer=offer(offer_id=offer_id, **fields)))

        window = pb.OfferWindow(ends_at=stamp(ends))
        create("for-all", scope=pb.OfferScope(merchant_ids=[barakat.merchant_id]), window=window,
               discount=pb.Discount(percent_bp=1500, cap=200_000))
        create("for-gold", scope=pb.OfferScope(tiers=["gold"]), discount=pb.Discount(percent_bp=2000),
               window=window, priority=20)
        create("other-group", scope=pb.OfferScope(merchant_groups=[chain]), min_amount=500_000,
               discount=pb.Discount(fixed_amount=50_000),
               funding=[pb.FundingRule(party_id="club", fixed_amount=50_000, remainder=True)])
        create("with-card", scope=pb.OfferScope(product_ids=[held_product.product_id]),
               discount=pb.Discount(), funding=[], points=pb.PointsRule(multiplier_pct=200))
        create("for-platinum", scope=pb.OfferScope(tiers=["platinum"]), discount=pb.Discount(percent_bp=3000))
        create("expired", window=pb.OfferWindow(ends_at=stamp(now - dt.timedelta(days=1))))
        create("not-yet", window=pb.OfferWindow(starts_at=stamp(now + dt.timedelta(days=1))))
        create("inactive")
        tasheem.SetOfferActive(pb.SetOfferActiveRequest(offer_id="inactive", active=False))
        create("for-silver", scope=pb.OfferScope(tiers=["silver"]))
        create("for-staff", scope=pb.OfferScope(segments=["staff"]))
        create("card-not-active", scope=pb.OfferScope(product_ids=[not_active.product_id]))
        create("one-till", scope=pb.OfferScope(merchant_ids=[barakat.merchant_id], terminal_ids=["T0000001"]))

        # Coupon campaigns reach the member only through the coupons they hold.
        create("nowruz", coupon_required=True, scope=pb.OfferScope(merchant_ids=[barakat.merchant_id]),
               discount=pb.Discount(percent_bp=2500), window=window)
        create("free-bread", coupon_required=True, scope=pb.OfferScope(merchant_ids=[barakat.merchant_id]),
               discount=pb.Discount(fixed_amount=300_000),
               funding=[pb.FundingRule(party_id="club", fixed_amount=300_000, remainder=True)])
        voucher_ends = now + dt.timedelta(days=3)
        with stack.pg() as conn:
            for coupon_id, offer_id, source, state, expires, owner in [
                    ("cpn-held", "nowruz", "assigned", "available", None, member.member_id),
                    ("cpn-voucher", "free-bread", "voucher", "available", voucher_ends, member.member_id),
                    ("cpn-used", "nowruz", "code", "used", None, member.member_id),
                    ("cpn-lapsed", "nowruz", "assigned", "available", now - dt.timedelta(hours=1), member.member_id),
                    ("cpn-someone-else", "nowruz", "assigned", "available", None, "another-member")]:
                conn.execute("INSERT INTO tasheem.coupons (coupon_id, offer_id, member_id, source, state, expires_at,"
                             " transaction_id) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                             (coupon_id, offer_id, owner, source, state, expires,
                              "tx-1" if state == "used" else None))

        found = tasheem.ListBenefits(pb.ListBenefitsRequest(member_id=member.member_id))
        assert (found.tier, found.next_tier) == ("gold", "platinum")
        voucher_until = f"تا {persian.date(voucher_ends - benefits.LAST_INSTANT, now)}"
        assert [(b.kind, b.offer_id, b.coupon_id, b.sentence) for b in found.benefits[:2]] == [
            (pb.BENEFIT_KIND_VOUCHER, "free-bread", "cpn-voucher",
             f"کارت هدیه ۳۰۰٬۰۰۰ ریالی برای یک‌بار خرید در نان سنگک برکت، {voucher_until}"),
            (pb.BENEFIT_KIND_COUPON, "nowruz", "cpn-held", f"۲۵٪ تخفیف در نان سنگک برکت با کوپن، {until}")]
        assert [(b.kind, b.offer_id, b.sentence) for b in found.benefits[2:]] == [
            (pb.BENEFIT_KIND_PRIVILEGE, "for-gold",
             f"۲۰٪ تخفیف در همه فروشگاه‌های طرف قرارداد، ویژه اعضای طلایی، {until}"),
            (pb.BENEFIT_KIND_OFFER, "for-all", f"۱۵٪ تخفیف تا سقف ۲۰۰٬۰۰۰ ریال در نان سنگک برکت، {until}"),
            (pb.BENEFIT_KIND_OFFER, "other-group",
             f"۵۰٬۰۰۰ ریال تخفیف برای خرید از ۵۰۰٬۰۰۰ ریال در شعبه‌های {chain}"),
            (pb.BENEFIT_KIND_OFFER, "with-card", "۲ برابر امتیاز در همه فروشگاه‌های طرف قرارداد با کارت طلایی باشگاه"),
        ]
        by_id = {b.offer_id: b for b in found.benefits}
        assert by_id["for-all"].merchant_id == barakat.merchant_id and by_id["for-gold"].merchant_id == ""
        assert by_id["for-all"].until.ToDatetime(dt.UTC) == ends
        assert not by_id["other-group"].HasField("until")
        assert by_id["for-all"].title == "ده درصد تخفیف"
        assert [(b.kind, b.offer_id, b.sentence) for b in found.next_tier_adds] == [
            (pb.BENEFIT_KIND_PRIVILEGE, "for-platinum", "۳۰٪ تخفیف در همه فروشگاه‌های طرف قرارداد، ویژه اعضای پلاتینی")]

        # An auditor may read it; a merchant may not; the member must exist.
        with stack.channel("tasheem", role="auditor") as auditor_channel:
            tasheem_pb2_grpc.TasheemServiceStub(auditor_channel).ListBenefits(
                pb.ListBenefitsRequest(member_id=member.member_id))
        with stack.channel("tasheem", role="merchant", merchant_id=barakat.merchant_id) as merchant_channel:
            denied = rpc_error(tasheem_pb2_grpc.TasheemServiceStub(merchant_channel).ListBenefits,
                               pb.ListBenefitsRequest(member_id=member.member_id))
            assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
        missing = rpc_error(tasheem.ListBenefits, pb.ListBenefitsRequest(member_id="00000000-0000-4000-8000-000000000000"))
        assert missing.code() == grpc.StatusCode.NOT_FOUND
        for bad in ("", "not-a-member-id"):
            error = rpc_error(tasheem.ListBenefits, pb.ListBenefitsRequest(member_id=bad))
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "member_id" in error.details()
