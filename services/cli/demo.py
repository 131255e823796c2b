"""clubctl demo seed: a small demo club made through the public gRPC APIs.

Funding parties (bank, club, a partner), three merchants with beneficiary IBANs, a terminal per
merchant with keys made here, a loyalty product, five members each with an active card, a PIN,
credit and points, and offers whose discount three parties fund. The club's incentives too: a
coupon campaign at the bookshop with a coupon given to one member, a reward bought with points
(a voucher at the supermarket, redeemed by another member), and a privilege for gold members.
And the club's life: an event for the demo members, with a survey asked after it. Ids are new on every run, so
seeding twice gives two demo clubs side by side (the parties are shared).

The output file is demo data for the terminal simulator (`clubctl terminal ... --demo FILE`):
it holds full PANs, PINs and terminal keys by design, and is written 0600. The console shows
masked PANs only.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from google.protobuf.timestamp_pb2 import Timestamp

from services.gen.club.cards.v1 import cards_pb2 as cpb
from services.gen.club.crm.v1 import crm_pb2 as rpb
from services.gen.club.tasheem.v1 import tasheem_pb2 as tpb
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.tasheem import iban

from . import pins
from .core import CHANNEL, CliError, ServiceCallError, masked, print_table, write_private

PARTNER = "demo-partner"
SETTLEMENT_CLEARING = "club:settlement_clearing"
PARTIES = [("bank", "بانک عامل"), ("club", "باشگاه مشتریان"), (PARTNER, "شریک تجاری نمونه")]
MERCHANTS = [  # name, MCC, beneficiaries as (name, ratio_bp); the first takes the remainder
    ("نان سنگک برکت", "5462", [("مالک", 7000), ("شریک", 3000)]),
    ("کتاب‌فروشی شهر", "5942", [("حساب اصلی", 10_000)]),
    ("سوپرمارکت محله", "5411", [("حساب اصلی", 10_000)]),
]
MEMBERS = [("سارا", "احمدی"), ("علی", "رضایی"), ("مریم", "کریمی"), ("رضا", "محمدی"), ("زهرا", "حسینی")]
CREDIT_RIALS = [50_000_000, 20_000_000, 10_000_000, 5_000_000, 2_000_000]
POINTS = [5_000, 2_500, 1_000, 500, 250]
DISCOUNT_BP = 1500  # 15%
DISCOUNT_CAP = 2_000_000
FUNDING = [("bank", 4000, False), ("club", 3000, False), (PARTNER, 3000, True)]
BONUS_POINTS = 500
BONUS_MIN_AMOUNT = 1_000_000
COUPON_BP, COUPON_CAP, COUPON_HOLDER = 2000, 1_000_000, 3  # 20% at the bookshop, for card 3's member
REWARD_POINTS, REWARD_VALUE, REWARD_STOCK, VOUCHER_HOLDER = 1_000, 100_000, 50, 1  # a voucher at the supermarket
EVENT_IN_DAYS, EVENT_CAPACITY, EVENT_POINTS = 7, 50, 100  # a week away, 50 places, 100 points a place
PRIVILEGE_BP, GOLD_MEMBER = 1000, 4  # 10% more at the bakery for gold members; card 4's member is gold


def register(groups, common) -> None:
    group = groups.add_parser("demo", help="demo data")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)
    p = commands.add_parser("seed", parents=[common], help="seed a demo club and write its data for the simulator")
    p.add_argument("--output", required=True, metavar="FILE.json",
                   help="demo data: cards with PAN and PIN, terminals with keys (written 0600)")
    p.add_argument("--members", type=int, default=len(MEMBERS), help=f"cards to make (1-{len(MEMBERS)})")
    p.set_defaults(func=run_seed)


def _digits(n: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(n))


def _ensure_parties(ctx) -> list[str]:
    existing = {party.party_id for party in ctx.tasheem.ListParties(tpb.ListPartiesRequest()).parties}
    for party_id, name in PARTIES:
        if party_id not in existing:
            try:
                ctx.tasheem.CreateParty(tpb.CreatePartyRequest(party_id=party_id, name=name))
            except ServiceCallError as exc:
                if exc.code.name != "ALREADY_EXISTS":  # made meanwhile by another seed
                    raise
    return [party_id for party_id, _ in PARTIES]


def _open_account(ctx, account_id: str, kind: int, owner: str) -> None:
    ctx.wallet.OpenAccount(wpb.OpenAccountRequest(account_id=account_id, unit=wpb.UNIT_IRR, kind=kind, owner_id=owner))


def _merchants(ctx, run: str) -> list[dict]:
    made = []
    for index, (name, mcc, shares) in enumerate(MERCHANTS, start=1):
        merchant_id = f"DM{run}{index}"
        beneficiaries = [tpb.Beneficiary(iban=iban.with_check_digits(_digits(22)), name=who, ratio_bp=bp,
                                         remainder=position == 0)
                         for position, (who, bp) in enumerate(shares)]
        ctx.tasheem.CreateMerchant(tpb.CreateMerchantRequest(merchant_id=merchant_id, name=name, mcc=mcc,
                                                             group="demo", beneficiaries=beneficiaries))
        _open_account(ctx, f"merchant:{merchant_id}:payable", wpb.ACCOUNT_KIND_MERCHANT_PAYABLE, merchant_id)
        made.append({"merchant_id": merchant_id, "name": name, "mcc": mcc,
                     "beneficiaries": [{"iban": b.iban, "name": b.name, "ratio_bp": b.ratio_bp,
                                        "remainder": b.remainder} for b in beneficiaries]})
    return made


def _terminals(ctx, run: str, merchants: list[dict]) -> list[dict]:
    made = []
    for index, merchant in enumerate(merchants, start=1):
        terminal_id = f"D{run}{index}"
        pin_key, mac_key = pins.new_key().hex().upper(), pins.new_key().hex().upper()
        ctx.cards.RegisterTerminal(cpb.RegisterTerminalRequest(terminal_id=terminal_id,
                                                               merchant_id=merchant["merchant_id"],
                                                               pin_key=pin_key, mac_key=mac_key))
        made.append({"terminal_id": terminal_id, "merchant_id": merchant["merchant_id"], "pin_key": pin_key,
                     "mac_key": mac_key})
    return made


def _product(ctx, run: str) -> cpb.Product:
    return ctx.cards.CreateProduct(cpb.CreateProductRequest(
        name=f"کارت باشگاه نمونه {run}", bin="9" + _digits(7), pan_length=16, kind=cpb.CARD_KIND_LOYALTY,
        currency="364", validity_months=36, service_code="101", pin_required=True,
        limits=cpb.ProductLimits(per_transaction_amount=20_000_000, daily_amount=50_000_000, daily_count=20),
        allowed_processing=["00", "20", "31"]))


def _cards(ctx, run: str, count: int, product: cpb.Product, terminal: dict) -> list[dict]:
    pin_key = bytes.fromhex(terminal["pin_key"])
    made = []
    for index in range(count):
        first, last = MEMBERS[index]
        member = ctx.cards.RegisterMember(cpb.RegisterMemberRequest(
            phone="0912" + _digits(7), first_name=first, last_name=last, segment="demo",
            consents=[cpb.Consent(purpose="marketing_sms", granted=index % 2 == 0),
                      cpb.Consent(purpose="receipt_sms", granted=True)]))  # an SMS receipt for each purchase
        issued = ctx.cards.IssueCard(cpb.IssueCardRequest(member_id=member.member_id, product_id=product.product_id,
                                                          campaign=f"demo-{run}", channel=CHANNEL))
        pin = pins.new_pin()
        block = cpb.PinBlock(block=pins.iso0_block(pin, issued.pan, pin_key), format=cpb.PIN_BLOCK_FORMAT_ISO_0,
                             terminal_id=terminal["terminal_id"])
        ctx.cards.ActivateCard(cpb.ActivateCardRequest(card_token=issued.card.card_token, pin=block, channel=CHANNEL))
        ctx.wallet.OpenMemberAccounts(wpb.OpenMemberAccountsRequest(member_id=member.member_id))
        ctx.wallet.TopUp(wpb.TopUpRequest(transfer_id=f"demo-{run}-topup-{index}", member_id=member.member_id,
                                          amount=CREDIT_RIALS[index], reason="demo seed"))
        granted = ctx.wallet.AdjustPoints(wpb.AdjustPointsRequest(
            transfer_id=f"demo-{run}-points-{index}", member_id=member.member_id, points=POINTS[index],
            reason="demo seed welcome points"))
        made.append({"pan": issued.pan, "expiry": issued.card.expiry, "pin": pin, "member_id": member.member_id,
                     "phone": member.phone,
                     "card_token": issued.card.card_token, "masked_pan": issued.card.masked_pan,
                     "name": f"{first} {last}", "credit": granted.balances.credit_available,
                     "points": granted.balances.points_available})
    return made


def _offers(ctx, run: str, merchants: list[dict]) -> list[dict]:
    merchant_ids = [m["merchant_id"] for m in merchants]
    for party_id in {party for party, _, _ in FUNDING}:
        _open_account(ctx, f"funder:{party_id}:discount", wpb.ACCOUNT_KIND_FUNDER_DISCOUNT, party_id)
    # Where settlement moves what merchants are paid, so the demo club's cut-off reconciles.
    _open_account(ctx, SETTLEMENT_CLEARING, wpb.ACCOUNT_KIND_SETTLEMENT_CLEARING, "club")
    shared = ctx.tasheem.CreateOffer(tpb.CreateOfferRequest(offer=tpb.Offer(
        offer_id=f"demo-{run}-shared", name="۱۵٪ تخفیف باشگاه", campaign=f"demo-{run}",
        scope=tpb.OfferScope(merchant_ids=merchant_ids), discount=tpb.Discount(percent_bp=DISCOUNT_BP, cap=DISCOUNT_CAP),
        stacking=tpb.STACKING_STACKABLE, priority=10,
        funding=[tpb.FundingRule(party_id=party, percent_bp=bp, remainder=remainder)
                 for party, bp, remainder in FUNDING])))
    bonus = ctx.tasheem.CreateOffer(tpb.CreateOfferRequest(offer=tpb.Offer(
        offer_id=f"demo-{run}-bonus", name="۵۰۰ امتیاز هدیه", campaign=f"demo-{run}",
        scope=tpb.OfferScope(merchant_ids=merchant_ids[:1]), min_amount=BONUS_MIN_AMOUNT,
        points=tpb.PointsRule(bonus_points=BONUS_POINTS), stacking=tpb.STACKING_STACKABLE, priority=5)))
    return [
        {"offer_id": shared.offer_id, "name": shared.name, "discount_bp": DISCOUNT_BP, "cap": DISCOUNT_CAP,
         "merchant_ids": merchant_ids,
         "funding": [{"party_id": party, "percent_bp": bp, "remainder": remainder} for party, bp, remainder in FUNDING]},
        {"offer_id": bonus.offer_id, "name": bonus.name, "bonus_points": BONUS_POINTS, "min_amount": BONUS_MIN_AMOUNT,
         "merchant_ids": merchant_ids[:1], "funding": []},
    ]


def _incentives(ctx, run: str, merchants: list[dict], cards: list[dict]) -> dict:
    """A coupon held by one member, a voucher redeemed by another, a privilege for gold members."""
    bakery, bookshop, supermarket = (m["merchant_id"] for m in merchants)
    everyone_funds = [tpb.FundingRule(party_id="club", percent_bp=10_000, remainder=True)]
    coupon = ctx.tasheem.CreateOffer(tpb.CreateOfferRequest(offer=tpb.Offer(
        offer_id=f"demo-{run}-coupon", name="کوپن ۲۰٪ کتاب‌فروشی", campaign=f"demo-{run}",
        scope=tpb.OfferScope(merchant_ids=[bookshop]), discount=tpb.Discount(percent_bp=COUPON_BP, cap=COUPON_CAP),
        stacking=tpb.STACKING_EXCLUSIVE, priority=20, coupon_required=True, funding=everyone_funds)))
    result = {"coupon_offer_id": coupon.offer_id}
    if len(cards) > COUPON_HOLDER:
        holder = cards[COUPON_HOLDER]["member_id"]
        ctx.tasheem.AssignCoupons(tpb.AssignCouponsRequest(offer_id=coupon.offer_id, member_ids=[holder],
                                                           assignment_id=f"demo-{run}"))
        result["coupon_holder_card"] = COUPON_HOLDER
    reward = ctx.tasheem.CreateReward(tpb.CreateRewardRequest(reward=tpb.Reward(
        reward_id=f"demo-{run}-reward", name="سبد خرید ۱۰۰٬۰۰۰ ریالی در سوپرمارکت محله", points_price=REWARD_POINTS,
        stock=REWARD_STOCK, merchant_id=supermarket, value=REWARD_VALUE, funded_by=PARTNER, voucher_valid_days=30,
        on_expiry=tpb.VOUCHER_EXPIRY_REFUND, active=True)))
    result["reward_id"] = reward.reward_id
    if len(cards) > VOUCHER_HOLDER:
        voucher = ctx.tasheem.RedeemReward(tpb.RedeemRewardRequest(
            redemption_id=f"demo-{run}-redeem", member_id=cards[VOUCHER_HOLDER]["member_id"],
            reward_id=reward.reward_id))
        result.update(voucher_coupon_id=voucher.coupon_id, voucher_holder_card=VOUCHER_HOLDER)
        holder = cards[VOUCHER_HOLDER]
        holder["points"] = ctx.wallet.GetMemberBalances(
            wpb.GetMemberBalancesRequest(member_id=holder["member_id"])).points_available
    privilege = ctx.tasheem.CreateOffer(tpb.CreateOfferRequest(offer=tpb.Offer(
        offer_id=f"demo-{run}-gold", name="۱۰٪ تخفیف ویژه اعضای طلایی", campaign=f"demo-{run}",
        scope=tpb.OfferScope(merchant_ids=[bakery], tiers=["gold"]), discount=tpb.Discount(percent_bp=PRIVILEGE_BP),
        stacking=tpb.STACKING_STACKABLE, priority=10, funding=everyone_funds)))
    result["privilege_offer_id"] = privilege.offer_id
    if len(cards) > GOLD_MEMBER:
        ctx.cards.SetMemberTier(cpb.SetMemberTierRequest(member_id=cards[GOLD_MEMBER]["member_id"], tier="gold",
                                                         reason="demo seed"))
        result["gold_card"] = GOLD_MEMBER
    return result


def _stamp(moment: dt.datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _club_life(ctx, run: str, cards: list[dict]) -> dict:
    """An event a week from now for the demo members (a small points price), and a survey asked
    of whoever is checked in there."""
    crm = ctx.stub("crm")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    event = crm.CreateEvent(rpb.CreateEventRequest(event=rpb.Event(
        title="شب یلدای باشگاه", description="شب‌نشینی ویژه اعضا با موسیقی و انار", venue="تهران، باغ کتاب",
        starts_at=_stamp(now + dt.timedelta(days=EVENT_IN_DAYS)),
        ends_at=_stamp(now + dt.timedelta(days=EVENT_IN_DAYS, hours=3)),
        rsvp_deadline=_stamp(now + dt.timedelta(days=EVENT_IN_DAYS - 1)), capacity=EVENT_CAPACITY,
        points_price=EVENT_POINTS)))
    for _ in crm.stream("InviteAudience", rpb.InviteAudienceRequest(
            event_id=event.event_id, member_ids=[card["member_id"] for card in cards])):
        pass  # progress: a handful of members
    survey = crm.CreateSurvey(rpb.CreateSurveyRequest(survey=rpb.Survey(
        title="نظر شما درباره شب یلدا", after_event_id=event.event_id, questions=[
            rpb.Question(kind=rpb.QUESTION_KIND_NPS, prompt="چقدر باشگاه را به دوستانتان پیشنهاد می‌کنید؟"),
            rpb.Question(kind=rpb.QUESTION_KIND_TEXT, prompt="برای رویداد بعدی چه پیشنهادی دارید؟")])))
    return {"event_id": event.event_id, "survey_id": survey.survey_id}


def seed(ctx, members: int) -> dict:
    run = secrets.token_hex(3).upper()
    parties = _ensure_parties(ctx)
    merchants = _merchants(ctx, run)
    terminals = _terminals(ctx, run, merchants)
    product = _product(ctx, run)
    cards = _cards(ctx, run, members, product, terminals[0])
    offers = _offers(ctx, run, merchants)
    incentives = _incentives(ctx, run, merchants, cards)
    club_life = _club_life(ctx, run, cards)
    return {"run": run, "parties": parties, "incentives": incentives, "club_life": club_life, "product": {"product_id": product.product_id, "bin": product.bin,
                                                        "name": product.name},
            "merchants": merchants, "terminals": terminals, "cards": cards, "offers": offers}


def run_seed(ctx, args) -> None:
    if not 1 <= args.members <= len(MEMBERS):
        raise CliError(f"--members: must be 1-{len(MEMBERS)}")
    data = seed(ctx, args.members)
    write_private(args.output, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    summary = {
        "run": data["run"], "output": args.output, "product_id": data["product"]["product_id"],
        "merchants": [m["merchant_id"] for m in data["merchants"]],
        "terminals": [{"terminal_id": t["terminal_id"], "merchant_id": t["merchant_id"]} for t in data["terminals"]],
        "cards": [{"masked_pan": masked(c["pan"]), "member_id": c["member_id"], "card_token": c["card_token"],
                   "credit": c["credit"], "points": c["points"]} for c in data["cards"]],
        "offers": [o["offer_id"] for o in data["offers"]],
        "incentives": data["incentives"],
        "club_life": data["club_life"],
    }

    def text():
        print(f"demo club {data['run']}: {len(data['merchants'])} merchants, {len(data['terminals'])} terminals, "
              f"{len(data['cards'])} cards, {len(data['offers'])} offers")
        print_table(summary["cards"], ["masked_pan", "member_id", "credit", "points"])
        print()
        print_table(summary["terminals"], ["terminal_id", "merchant_id"])
        print()
        print(f"offers: {', '.join(summary['offers'])}")
        incentives = data["incentives"]
        print(f"coupon campaign {incentives['coupon_offer_id']} (a coupon for card {incentives.get('coupon_holder_card', '-')}),"
              f" reward {incentives['reward_id']} (a voucher for card {incentives.get('voucher_holder_card', '-')}),"
              f" gold privilege {incentives['privilege_offer_id']} (card {incentives.get('gold_card', '-')} is gold)")
        print(f"event {data['club_life']['event_id']} (every demo member invited),"
              f" survey {data['club_life']['survey_id']} after it")
        print(f"wrote {args.output} (0600: it holds the demo cards' PANs and PINs and the terminal keys)")
        print(f"try: clubctl terminal purchase --demo {args.output} --card 0 --terminal 0 --amount 250000")

    ctx.emit(summary, text)
