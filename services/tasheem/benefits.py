"""Benefits: what a member can use now, each in one plain Persian sentence, and what the next
tier would add (docs/tasheem.md, "Benefits").

Everything down to `Listing` is pure: offers and merchants from the catalog snapshot, the
member as cards knows them, and the instant. `list_benefits` fetches those and answers.

The rule — an offer is a benefit of a member now when:
- it is active, and not a coupon campaign (those come to the member as coupons);
- its dates hold now (started, not ended). Weekdays and hours do not hide it: the sentence
  says them («پنجشنبه‌ها ساعت ۲۲ تا ۲»), since the member can come back then;
- its tiers and segments are empty or hold the member's, exactly as a quote compares them;
- its products, when it names any, include one the member holds an active card of;
- it names no terminal: a member chooses the shop, not the till it is rung up on;
- at least one open (active) merchant is in its place scope.
A coupon or voucher the member holds (available, not past its expiry) is a benefit when its
campaign passes the same rule; it ends at its expiry or the campaign's end, the earlier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import grpc

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared import persian
from services.shared import tiers as ladder
from services.shared.errors import FieldError, NotFound, Unavailable

from . import coupons
from .catalog import MerchantInfo
from .offers import DEFAULT_MULTIPLIER_PCT, Offer

MULTIPLIER_PLACES = 2  # multiplier_pct is hundredths: 150 -> «۱٫۵ برابر»
NAMED_MERCHANTS_MAX = 3  # more merchants than this are described by group, trade or count
LAST_INSTANT = dt.timedelta(microseconds=1)  # an end is exclusive: the last usable day is just before it
CARDS_TIMEOUT_SECONDS = 2.0
CARDS_PAGE_SIZE = 100

EVERYWHERE = "در همه فروشگاه‌های طرف قرارداد"
# Trades (MCC) as a member says where they shop; an MCC not listed is named by its code.
MCC_PLACES = {
    "5411": "سوپرمارکت‌ها", "5499": "فروشگاه‌های مواد غذایی", "5462": "نانوایی‌ها و شیرینی‌فروشی‌ها",
    "5812": "رستوران‌ها", "5814": "فست‌فودها", "5912": "داروخانه‌ها", "5541": "جایگاه‌های سوخت",
    "5311": "فروشگاه‌های بزرگ", "5651": "فروشگاه‌های پوشاک", "5732": "فروشگاه‌های لوازم الکترونیکی",
    "5942": "کتاب‌فروشی‌ها", "7832": "سینماها",
}

# Order of the list: what the member holds first, then what their tier gives, then the rest.
KIND_ORDER = (pb.BENEFIT_KIND_VOUCHER, pb.BENEFIT_KIND_COUPON, pb.BENEFIT_KIND_PRIVILEGE, pb.BENEFIT_KIND_OFFER)


@dataclass(frozen=True)
class Member:
    member_id: str
    tier: str
    segment: str
    products: frozenset[str] = frozenset()  # products of the member's active cards


@dataclass(frozen=True)
class Place:
    phrase: str  # «در نان سنگک برکت»
    merchant_id: str = ""  # when the place is one merchant


@dataclass(frozen=True)
class Held:
    """A coupon or voucher the member holds, available."""

    coupon_id: str
    offer_id: str
    voucher: bool
    expires_at: dt.datetime | None
    name: str = ""


# ---------- who gets what ----------

def in_dates(offer: Offer, now: dt.datetime) -> bool:
    window = offer.window
    return (window.starts_at is None or window.starts_at <= now) and (window.ends_at is None or now < window.ends_at)


def for_member(offer: Offer, member: Member, now: dt.datetime, coupon: bool = False) -> bool:
    """The rule in the module docstring, without the place (see `place`). `coupon`: the member
    holds a coupon of it, so a coupon campaign counts."""
    scope = offer.scope
    return (offer.active and (coupon or not offer.message.coupon_required) and in_dates(offer, now)
            and not scope.terminal_ids
            and (not scope.tiers or member.tier in scope.tiers)
            and (not scope.segments or member.segment in scope.segments)
            and (not scope.product_ids or bool(scope.product_ids & member.products)))


def named_products(offers: Iterable[Offer]) -> frozenset[str]:
    """The card products active offers name: the member's cards matter only for these."""
    return frozenset().union(*(offer.scope.product_ids for offer in offers if offer.active))


def _merchant_in_scope(offer: Offer, merchant: MerchantInfo) -> bool:
    scope = offer.scope
    return (merchant.active and (not scope.merchant_ids or merchant.merchant_id in scope.merchant_ids)
            and (not scope.merchant_groups or merchant.group in scope.merchant_groups)
            and (not scope.mccs or merchant.mcc in scope.mccs))


def place(offer: Offer, merchants: Mapping[str, MerchantInfo]) -> Place | None:
    """Where the offer can be used, or None when no open merchant is in its scope.
    Few merchants are named; more are described by the narrowest dimension that restricts:
    groups (chains), then trades (MCC), else a count."""
    scope = offer.scope
    if not (scope.merchant_ids or scope.merchant_groups or scope.mccs):
        return Place(EVERYWHERE)
    found = sorted((m for m in merchants.values() if _merchant_in_scope(offer, m)),
                   key=lambda m: (persian.sort_key(m.name), m.merchant_id))
    if not found:
        return None
    if len(found) == 1:
        return Place(f"در {found[0].name}", found[0].merchant_id)
    if len(found) <= NAMED_MERCHANTS_MAX:
        return Place("در " + persian.join(m.name for m in found))
    if scope.merchant_groups:
        return Place("در شعبه‌های " + persian.join(sorted(scope.merchant_groups)))
    if scope.mccs:
        return Place("در " + persian.join(MCC_PLACES.get(mcc, f"فروشگاه‌های صنف {persian.digits(mcc)}")
                                          for mcc in sorted(scope.mccs)))
    return Place(f"در {persian.number(len(found))} فروشگاه طرف قرارداد")


def kind(offer: Offer) -> int:
    return pb.BENEFIT_KIND_PRIVILEGE if offer.scope.tiers else pb.BENEFIT_KIND_OFFER


# ---------- the sentence ----------

def gives(offer: Offer, voucher: bool = False) -> str:
    """What it gives: «۱۵٪ تخفیف تا سقف ۲۰۰٬۰۰۰ ریال و ۲ برابر امتیاز»; a voucher worth a fixed
    amount: «کارت هدیه ۵۰۰٬۰۰۰ ریالی»."""
    parts = []
    if voucher and offer.fixed_discount:
        parts.append(f"کارت هدیه {persian.number(offer.fixed_discount)} {persian.RIAL}ی")
    elif offer.fixed_discount:
        parts.append(f"{persian.rials(offer.fixed_discount)} تخفیف")
    elif offer.percent_bp:
        cap = f" تا سقف {persian.rials(offer.cap)}" if offer.cap else ""
        parts.append(f"{persian.percent(offer.percent_bp)} تخفیف{cap}")
    if offer.multiplier_pct != DEFAULT_MULTIPLIER_PCT:
        parts.append(f"{persian.number(offer.multiplier_pct, MULTIPLIER_PLACES)} برابر امتیاز")
    if offer.bonus_points:
        parts.append(f"{persian.number(offer.bonus_points)} امتیاز اضافه")
    text = persian.join(parts)
    if voucher and not offer.fixed_discount:
        text = f"کارت هدیه: {text}"
    return text


def _purchase(offer: Offer, voucher: bool) -> str:
    minimum = f" از {persian.rials(offer.min_amount)}" if offer.min_amount else ""
    if voucher:
        return f"برای یک‌بار خرید{minimum}"
    return f"برای خرید{minimum}" if minimum else ""


def _when(offer: Offer) -> str:
    """Weekdays and hours, when the window has them: «پنجشنبه‌ها ساعت ۲۲ تا ۲»."""
    window = offer.window
    days = "" if window.days == frozenset(persian.WEEKDAYS) else persian.weekdays(window.days)
    if window.from_time is None:
        return days
    hours = f"ساعت {persian.clock(window.from_time)} تا {persian.clock(window.to_time)}"
    return f"{days or 'هر روز'} {hours}"


def until(offer: Offer, expires_at: dt.datetime | None = None) -> dt.datetime | None:
    """When the benefit ends (exclusive): the window's end or the coupon's expiry, the earlier."""
    ends = [value for value in (offer.window.ends_at, expires_at) if value is not None]
    return min(ends) if ends else None


def _product_phrase(names: Iterable[str]) -> str:
    # A product is usually named «کارت ...» already; «با کارت کارت طلایی» reads as a typo.
    return "با " + persian.join(name if name.startswith("کارت") else f"کارت {name}" for name in names)


def sentence(offer: Offer, where: Place, now: dt.datetime, time_zone: str = persian.DEFAULT_TIME_ZONE, *,
             tier: str = "", products: Iterable[str] = (), coupon: bool = False, voucher: bool = False,
             ends: dt.datetime | None = None) -> str:
    """One plain sentence: what, for which purchase, where, with what, for whom, when, until when.
    «۱۵٪ تخفیف تا سقف ۲۰۰٬۰۰۰ ریال در نان سنگک برکت، تا ۱۵ فروردین».
    `tier`: name it («ویژه اعضای طلایی»); `products`: names of the cards it needs; `ends`: the
    exclusive end (default the window's), said as the last day it can be used."""
    main = [gives(offer, voucher), _purchase(offer, voucher), where.phrase]
    products = list(products)
    if products:
        main.append(_product_phrase(products))
    if coupon and not voucher:
        main.append("با کوپن")
    clauses = [" ".join(part for part in main if part)]
    if tier:
        clauses.append(f"ویژه اعضای {persian.tier_name(tier)}")
    when = _when(offer)
    if when:
        clauses.append(when)
    ends = ends if ends is not None else offer.window.ends_at
    if ends is not None:
        clauses.append(f"تا {persian.date(ends - LAST_INSTANT, now, time_zone)}")
    return persian.LIST_SEPARATOR.join(clauses)


# ---------- the listing ----------

@dataclass(frozen=True)
class Listing:
    benefits: tuple[pb.Benefit, ...]
    tier: str
    next_tier: str
    next_tier_adds: tuple[pb.Benefit, ...]


def _benefit(offer: Offer, where: Place, member: Member, now: dt.datetime, time_zone: str,
             product_names: Mapping[str, str], benefit_kind: int, tier: str = "", held: Held | None = None) -> pb.Benefit:
    names = [product_names.get(p, p) for p in sorted(offer.scope.product_ids & member.products)]
    ends = until(offer, held.expires_at if held else None)
    text = sentence(offer, where, now, time_zone, tier=tier, products=names, coupon=held is not None,
                    voucher=bool(held and held.voucher), ends=ends)
    benefit = pb.Benefit(kind=benefit_kind, offer_id=offer.offer_id, coupon_id=held.coupon_id if held else "",
                         title=(held.name if held and held.name else offer.name), sentence=text,
                         merchant_id=where.merchant_id)
    if ends is not None:
        benefit.until.FromDatetime(ends.astimezone(dt.UTC))
    return benefit


def _order(benefit: pb.Benefit) -> tuple:
    # Soonest ending first, then those with no end.
    ends = (0, benefit.until.seconds, benefit.until.nanos) if benefit.HasField("until") else (1, 0, 0)
    return (KIND_ORDER.index(benefit.kind), ends, benefit.offer_id, benefit.coupon_id)


def listing(offers: Iterable[Offer], merchants: Mapping[str, MerchantInfo], member: Member, now: dt.datetime,
            time_zone: str = persian.DEFAULT_TIME_ZONE, held: Iterable[Held] = (),
            product_names: Mapping[str, str] | None = None, tier_ladder: tuple[str, ...] = ladder.LADDER) -> Listing:
    """Every benefit of `member` now, and what the next rung of `tier_ladder` would add: the
    offers scoped to that tier which the member does not get now."""
    offers = list(offers)
    by_id = {offer.offer_id: offer for offer in offers}
    names = product_names or {}
    benefits = []
    for item in held:
        offer = by_id.get(item.offer_id)
        if offer is None or not for_member(offer, member, now, coupon=True):
            continue
        if item.expires_at is not None and item.expires_at <= now:
            continue
        where = place(offer, merchants)
        if where is not None:
            coupon_kind = pb.BENEFIT_KIND_VOUCHER if item.voucher else pb.BENEFIT_KIND_COUPON
            benefits.append(_benefit(offer, where, member, now, time_zone, names, coupon_kind, held=item))
    for offer in offers:
        where = place(offer, merchants) if for_member(offer, member, now) else None
        if where is not None:
            tier = member.tier if offer.scope.tiers else ""
            benefits.append(_benefit(offer, where, member, now, time_zone, names, kind(offer), tier=tier))
    upper = ladder.next_tier(member.tier, tier_ladder)
    adds = []
    if upper:
        promoted = Member(member.member_id, upper, member.segment, member.products)
        for offer in offers:
            if upper not in offer.scope.tiers or for_member(offer, member, now):
                continue
            where = place(offer, merchants) if for_member(offer, promoted, now) else None
            if where is not None:
                adds.append(_benefit(offer, where, promoted, now, time_zone, names, pb.BENEFIT_KIND_PRIVILEGE,
                                     tier=upper))
    return Listing(tuple(sorted(benefits, key=_order)), member.tier, upper, tuple(sorted(adds, key=_order)))


# ---------- the RPC ----------

def _cards_error(exc: grpc.aio.AioRpcError) -> Exception:
    if exc.code() == grpc.StatusCode.NOT_FOUND:
        return NotFound("member_id: no such member")
    if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
        return FieldError("member_id", "is not a member id")
    return Unavailable("cards is unavailable; retry")


async def _member(cards, member_id: str, wanted: frozenset[str]) -> tuple[Member, dict[str, str]]:
    """The member's tier and segment, and which of the `wanted` products they hold an active card
    of, with those products' names."""
    try:
        found = await cards.GetMember(cards_pb2.GetMemberRequest(member_id=member_id), timeout=CARDS_TIMEOUT_SECONDS)
        products: set[str] = set()
        token = ""
        while wanted:
            page = await cards.ListCards(cards_pb2.ListCardsRequest(member_id=member_id, page_size=CARDS_PAGE_SIZE,
                                                                    page_token=token), timeout=CARDS_TIMEOUT_SECONDS)
            products |= {card.product_id for card in page.cards
                         if card.status == cards_pb2.CARD_STATUS_ACTIVE and card.product_id in wanted}
            token = page.next_page_token
            if not token:
                break
        names = {}
        for product_id in sorted(products):
            product = await cards.GetProduct(cards_pb2.GetProductRequest(product_id=product_id),
                                             timeout=CARDS_TIMEOUT_SECONDS)
            names[product_id] = product.name
    except grpc.aio.AioRpcError as exc:
        raise _cards_error(exc) from None
    return Member(found.member_id, found.tier, found.segment, frozenset(products)), names


async def held(deps, member_id: str, now: dt.datetime) -> list[Held]:
    """The member's available coupons and vouchers not past their own expiry (the partial index
    on available coupons by member serves it); the campaign's window is checked with the offer."""
    async with deps.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT coupon_id, offer_id, source, expires_at FROM coupons WHERE member_id = %s AND state = %s"
            " AND (expires_at IS NULL OR expires_at > %s)", (member_id, coupons.AVAILABLE, now))
        rows = await cur.fetchall()
    return [Held(row["coupon_id"], row["offer_id"], row["source"] == coupons.VOUCHER, row["expires_at"])
            for row in rows]


async def list_benefits(deps, request: pb.ListBenefitsRequest, now: dt.datetime | None = None) -> pb.ListBenefitsResponse:
    if not request.member_id:
        raise FieldError("member_id", "is required")
    now = now or dt.datetime.now(dt.UTC)
    snapshot = deps.catalog.snapshot
    offers = list(snapshot.offers.values())
    member, product_names = await _member(deps.cards, request.member_id, named_products(offers))
    found = listing(offers, snapshot.merchants, member, now, deps.time_zone, held=await held(deps, member.member_id, now),
                    product_names=product_names)
    return pb.ListBenefitsResponse(benefits=found.benefits, tier=found.tier, next_tier=found.next_tier,
                                   next_tier_adds=found.next_tier_adds)
