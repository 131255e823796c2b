"""clubctl offers create|list|get|activate|deactivate

Funding shares: --fund PARTY=SHARE[:remainder], SHARE a percentage of the discount (40%, 33.33%)
or a fixed amount in rials (5000); exactly one share takes the rounding remainder, e.g.

    --fund bank=40% --fund club=30% --fund merchant=30%:remainder
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from google.protobuf.timestamp_pb2 import Timestamp

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb

from .core import CliError, add_paging, emit_list, pages, percent_bp, print_table, rials, to_dict

DEFAULT_TIME_ZONE = "Asia/Tehran"
DAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
PERIODS = {"day": pb.LIMIT_PERIOD_DAY, "week": pb.LIMIT_PERIOD_WEEK, "month": pb.LIMIT_PERIOD_MONTH,
           "campaign": pb.LIMIT_PERIOD_CAMPAIGN}
LIST_COLUMNS = ["offer_id", "name", "campaign", "active", "discount", "budget", "budget_used", "priority", "stacking"]


def parse_fund(text: str) -> pb.FundingRule:
    party, sep, rest = text.partition("=")
    party = party.strip()
    if not sep or not party or not rest:
        raise CliError(f"--fund: expected PARTY=SHARE[:remainder] (e.g. bank=40%), got {text!r}")
    share, _, flag = rest.partition(":")
    if flag and flag.strip() != "remainder":
        raise CliError(f"--fund {text!r}: after the share only ':remainder' may follow")
    rule = pb.FundingRule(party_id=party, remainder=bool(flag))
    share = share.strip()
    if share.endswith("%"):
        rule.percent_bp = percent_bp(share, f"--fund {text!r}")
    else:
        cleaned = share.replace(",", "").replace("_", "")
        if not cleaned.isdigit():
            raise CliError(f"--fund {text!r}: the share is a percentage (40%) or whole rials (5000)")
        rule.fixed_amount = int(cleaned)
    return rule


def parse_member_limit(text: str) -> pb.MemberLimit:
    """PERIOD:USES[:MAX_DISCOUNT], e.g. day:1 or month:4:2000000 (0 = no limit of that kind)."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or parts[0] not in PERIODS or not all(p.isdigit() for p in parts[1:]):
        raise CliError(f"--member-limit: expected PERIOD:USES[:MAX_DISCOUNT] with PERIOD one of "
                       f"{', '.join(PERIODS)}, got {text!r}")
    return pb.MemberLimit(period=PERIODS[parts[0]], max_uses=int(parts[1]),
                          max_discount=int(parts[2]) if len(parts) == 3 else 0)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CliError(f"--time-zone: unknown time zone {name!r}") from None


def parse_instant(text: str, zone: ZoneInfo, option: str) -> Timestamp:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"{option}: expected a date or date-time like 2025-03-21 or 2025-03-21T08:00, got {text!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    stamp = Timestamp()
    stamp.FromDatetime(value.astimezone(dt.UTC))
    return stamp


def parse_days(text: str) -> list[int]:
    days = []
    for item in text.lower().split(","):
        item = item.strip()
        if item in DAYS:
            days.append(DAYS[item])
        elif item.isdigit() and 1 <= int(item) <= 7:
            days.append(int(item))
        else:
            raise CliError(f"--days: {item!r} is not a weekday (mon..sun or 1..7)")
    return sorted(set(days))


def dates_window(args) -> pb.OfferWindow:
    """--starts and --ends (local to --time-zone) as a window; offers add days and hours to it."""
    zone = _zone(args.time_zone)
    window = pb.OfferWindow(time_zone=args.time_zone)
    if args.starts:
        window.starts_at.CopyFrom(parse_instant(args.starts, zone, "--starts"))
    if args.ends:
        window.ends_at.CopyFrom(parse_instant(args.ends, zone, "--ends"))
    return window


def build_offer(args) -> pb.Offer:
    if (args.percent is None) == (args.amount is None) and not (args.bonus_points or args.points_multiplier):
        raise CliError("offers create: give --percent or --amount (the discount), and/or --bonus-points / "
                       "--points-multiplier")
    if args.percent is not None and args.amount is not None:
        raise CliError("offers create: --percent and --amount exclude each other")
    discount = pb.Discount(cap=args.cap)
    if args.percent is not None:
        discount.percent_bp = percent_bp(args.percent, "--percent")
    elif args.amount is not None:
        discount.fixed_amount = args.amount
    window = dates_window(args)
    if args.days:
        window.days_of_week.extend(parse_days(args.days))
    if args.hours:
        start, sep, end = args.hours.partition("-")
        if not sep:
            raise CliError(f"--hours: expected HH:MM-HH:MM (e.g. 22:00-02:00), got {args.hours!r}")
        window.from_time, window.to_time = start.strip(), end.strip()
    return pb.Offer(
        offer_id=args.id, name=args.name, campaign=args.campaign,
        scope=pb.OfferScope(merchant_ids=args.merchant, merchant_groups=args.merchant_group, mccs=args.mcc,
                            terminal_ids=args.terminal, product_ids=args.product, tiers=args.tier,
                            segments=args.segment),
        window=window, min_amount=args.min_amount, discount=discount,
        points=pb.PointsRule(bonus_points=args.bonus_points, multiplier_pct=args.points_multiplier),
        member_limits=[parse_member_limit(item) for item in args.member_limit], budget=args.budget,
        priority=args.priority, stacking=pb.STACKING_EXCLUSIVE if args.exclusive else pb.STACKING_STACKABLE,
        stacks_with=args.stacks_with, funding=[parse_fund(item) for item in args.fund])


def add_offer_options(p) -> None:
    """What an offer is made of: the options of `offers create` and `coupons create`."""
    p.add_argument("--name", required=True)
    p.add_argument("--id", default="", help="offer id (default: generated)")
    p.add_argument("--campaign", default="")
    what = p.add_argument_group("what the member gets")
    what.add_argument("--percent", help="discount as a percentage of the amount, e.g. 10%% or 12.5%%")
    what.add_argument("--amount", type=rials, help="fixed discount in rials")
    what.add_argument("--cap", type=rials, default=0, help="largest discount of a percentage offer, rials (0 = none)")
    what.add_argument("--bonus-points", type=rials, default=0, help="flat points bonus")
    what.add_argument("--points-multiplier", type=int, default=0, metavar="PCT",
                      help="points earn rate in percent of the base (200 = double; 0 = unchanged)")
    what.add_argument("--fund", action="append", default=[], metavar="PARTY=SHARE[:remainder]",
                      help="a funding share (repeatable), e.g. bank=40%% or club=5000:remainder")
    where = p.add_argument_group("where it applies (each repeatable; none = any)")
    for option in ("merchant", "merchant-group", "mcc", "terminal", "product", "tier", "segment"):
        where.add_argument(f"--{option}", action="append", default=[])
    when = p.add_argument_group("when it applies")
    when.add_argument("--starts", help="date or date-time (local to --time-zone)")
    when.add_argument("--ends", help="date or date-time (local to --time-zone)")
    when.add_argument("--days", help="weekdays, e.g. sat,sun or 1,2 (ISO: 1 = Monday)")
    when.add_argument("--hours", metavar="HH:MM-HH:MM", help="local time of day; may cross midnight (22:00-02:00)")
    when.add_argument("--time-zone", default=DEFAULT_TIME_ZONE, help=f"default {DEFAULT_TIME_ZONE}")
    rules = p.add_argument_group("rules")
    rules.add_argument("--min-amount", type=rials, default=0, help="smallest purchase, rials")
    rules.add_argument("--budget", type=rials, default=0, help="total discount the offer may give, rials (0 = unlimited)")
    rules.add_argument("--member-limit", action="append", default=[], metavar="PERIOD:USES[:MAX_DISCOUNT]",
                       help="per member, e.g. day:1 or month:4:2000000 (repeatable)")
    rules.add_argument("--priority", type=int, default=0, help="higher first")
    rules.add_argument("--exclusive", action="store_true", help="applies alone (default: stackable)")
    rules.add_argument("--stacks-with", action="append", default=[], metavar="OFFER_ID",
                       help="stackable only on these offers (repeatable; none = any stackable offer)")


def register(groups, common) -> None:
    group = groups.add_parser("offers", help="club offers and who funds them")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("create", parents=[common], help="create an offer (live at once; see deactivate)")
    add_offer_options(p)
    p.set_defaults(func=run_create)

    p = commands.add_parser("list", parents=[common], help="list offers")
    p.add_argument("--active-only", action="store_true")
    p.add_argument("--merchant", default="", help="only offers that may apply at this merchant")
    add_paging(p)
    p.set_defaults(func=run_list)

    p = commands.add_parser("get", parents=[common], help="show an offer")
    p.add_argument("offer_id")
    p.set_defaults(func=run_get)

    for name, active in (("activate", True), ("deactivate", False)):
        p = commands.add_parser(name, parents=[common], help=f"{'resume' if active else 'pause'} an offer")
        p.add_argument("offer_id")
        p.set_defaults(func=run_set_active, active=active)


def run_create(ctx, args) -> None:
    ctx.emit(ctx.tasheem.CreateOffer(pb.CreateOfferRequest(offer=build_offer(args))))


def _summary(offer: dict) -> dict:
    discount = offer["discount"]
    if "percent_bp" in discount:
        whole, hundredths = divmod(discount["percent_bp"], 100)
        text = f"{whole}.{hundredths:02d}%" if hundredths else f"{whole}%"
    elif "fixed_amount" in discount:
        text = f"{discount['fixed_amount']:,} IRR"
    else:
        text = "-"
    return {**offer, "discount": text}


def run_list(ctx, args) -> None:
    request = pb.ListOffersRequest(active_only=args.active_only, merchant_id=args.merchant)
    found, token = pages(ctx.tasheem.ListOffers, request, "offers", args)
    if ctx.json:
        emit_list(ctx, "offers", found, LIST_COLUMNS, token)
        return
    print_table([_summary(to_dict(offer)) for offer in found], LIST_COLUMNS)
    if token:
        print(f"(more: --page-token {token} or --all)")


def run_get(ctx, args) -> None:
    ctx.emit(ctx.tasheem.GetOffer(pb.GetOfferRequest(offer_id=args.offer_id)))


def run_set_active(ctx, args) -> None:
    ctx.emit(ctx.tasheem.SetOfferActive(pb.SetOfferActiveRequest(offer_id=args.offer_id, active=args.active)))
