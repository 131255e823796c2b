"""clubctl coupons create|assign|codes|shared-code|claim|list

A coupon campaign is an offer that needs a coupon: `coupons create` takes every option of
`offers create`. Members get coupons by assignment (to members, a tier or a segment, in batches,
with progress) or by claiming a code: single-use codes made in bulk (written to a CSV readable by
its owner only, the one time they are shown) or one shared code with a number of uses.
"""

from __future__ import annotations

import csv
import io
import uuid

from tqdm import tqdm

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.tasheem.v1 import tasheem_pb2 as pb

from .core import CliError, print_table, to_dict, write_private
from .offers import add_offer_options, build_offer

ASSIGN_BATCH = 1_000  # member ids per AssignCoupons call (the service's limit)
CODES_BATCH = 10_000  # codes per GenerateCouponCodes call (the service's limit)
MEMBERS_PAGE = 500
COUPON_COLUMNS = ["coupon_id", "name", "state", "source", "expires_at", "transaction_id"]
STATE_NAMES = {pb.COUPON_STATE_AVAILABLE: "available", pb.COUPON_STATE_USED: "used",
               pb.COUPON_STATE_EXPIRED: "expired", pb.COUPON_STATE_CANCELLED: "cancelled"}
SOURCE_NAMES = {pb.COUPON_SOURCE_ASSIGNED: "assigned", pb.COUPON_SOURCE_CODE: "code",
                pb.COUPON_SOURCE_VOUCHER: "voucher"}


def register(groups, common) -> None:
    group = groups.add_parser("coupons", help="coupon campaigns, members' coupons and codes")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("create", parents=[common], help="create a coupon campaign (an offer that needs a coupon)")
    add_offer_options(p)
    p.add_argument("--per-member", type=int, default=0, metavar="N",
                   help="coupons of this campaign one member may hold in all (default 1)")
    p.set_defaults(func=run_create)

    p = commands.add_parser("assign", parents=[common], help="give members a coupon of a campaign, in batches")
    p.add_argument("offer_id")
    who = p.add_argument_group("who (one of)")
    who.add_argument("--member", action="append", default=[], help="a member id (repeatable)")
    who.add_argument("--tier", default="", help="every member of this tier")
    who.add_argument("--segment", default="", help="every member of this segment")
    p.add_argument("--assignment-id", default="",
                   help="the same id again gives no member a second coupon (default: new; printed to resume)")
    p.set_defaults(func=run_assign)

    p = commands.add_parser("codes", parents=[common], help="make single-use codes and write them to a CSV")
    p.add_argument("offer_id")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--output", required=True, help="CSV file (created readable by its owner only)")
    p.set_defaults(func=run_codes)

    p = commands.add_parser("shared-code", parents=[common], help="one code for many members, with a number of uses")
    p.add_argument("offer_id")
    p.add_argument("--code", required=True)
    p.add_argument("--uses", type=int, required=True, help="members who may claim it, in all")
    p.add_argument("--per-member", type=int, default=0, help="claims per member (default 1)")
    p.set_defaults(func=run_shared_code)

    p = commands.add_parser("claim", parents=[common], help="claim a coupon with a code, for a member")
    p.add_argument("member_id")
    p.add_argument("code")
    p.set_defaults(func=run_claim)

    p = commands.add_parser("list", parents=[common], help="a member's coupons and vouchers")
    p.add_argument("member_id")
    p.add_argument("--available", action="store_true", help="only those that can still be used")
    p.set_defaults(func=run_list)


def run_create(ctx, args) -> None:
    offer = build_offer(args)
    offer.coupon_required, offer.coupons_per_member = True, args.per_member
    ctx.emit(ctx.tasheem.CreateOffer(pb.CreateOfferRequest(offer=offer)))


def _audience(ctx, args):
    """The member ids to assign to, page by page (a tier or segment is read from cards)."""
    if sum(bool(x) for x in (args.member, args.tier, args.segment)) != 1:
        raise CliError("coupons assign: give --member (repeatable), --tier or --segment")
    if args.member:
        yield args.member
        return
    token = ""
    while True:
        page = ctx.cards.ListMembers(cards_pb2.ListMembersRequest(
            tier=args.tier, segment=args.segment, page_size=MEMBERS_PAGE, page_token=token))
        yield [member.member_id for member in page.members]
        token = page.next_page_token
        if not token:
            return


def run_assign(ctx, args) -> None:
    assignment_id = args.assignment_id or uuid.uuid4().hex
    ctx.note(f"assignment {assignment_id} (run again with --assignment-id {assignment_id} to resume)")
    totals = {"assigned": 0, "already_assigned": 0, "over_member_limit": 0}
    with tqdm(unit="member", desc="assigning", disable=True if ctx.json else None, leave=False) as bar:
        for members in _audience(ctx, args):
            for start in range(0, len(members), ASSIGN_BATCH):
                batch = members[start:start + ASSIGN_BATCH]
                done = ctx.tasheem.AssignCoupons(pb.AssignCouponsRequest(
                    offer_id=args.offer_id, member_ids=batch, assignment_id=assignment_id))
                for name in totals:
                    totals[name] += getattr(done, name)
                bar.update(len(batch))
    ctx.emit({"offer_id": args.offer_id, "assignment_id": assignment_id, **totals})


def run_codes(ctx, args) -> None:
    if not 0 < args.count <= 1_000_000:
        raise CliError("--count: 1..1,000,000 codes")
    codes: list[str] = []
    with tqdm(total=args.count, unit="code", desc="making codes", disable=True if ctx.json else None,
              leave=False) as bar:
        while len(codes) < args.count:
            count = min(CODES_BATCH, args.count - len(codes))
            made = ctx.tasheem.GenerateCouponCodes(pb.GenerateCouponCodesRequest(offer_id=args.offer_id, count=count))
            codes += made.codes
            bar.update(len(made.codes))
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["offer_id", "code"])
    writer.writerows((args.offer_id, code) for code in codes)
    path = write_private(args.output, text.getvalue())
    ctx.emit({"offer_id": args.offer_id, "codes": len(codes), "file": str(path)})


def run_shared_code(ctx, args) -> None:
    ctx.emit(ctx.tasheem.CreateSharedCode(pb.CreateSharedCodeRequest(
        offer_id=args.offer_id, code=args.code, total_uses=args.uses, per_member_uses=args.per_member)))


def run_claim(ctx, args) -> None:
    ctx.emit(ctx.tasheem.ClaimCoupon(pb.ClaimCouponRequest(member_id=args.member_id, code=args.code)))


def coupon_row(coupon: pb.Coupon) -> dict:
    row = to_dict(coupon)
    return {**row, "state": STATE_NAMES.get(coupon.state, "?"), "source": SOURCE_NAMES.get(coupon.source, "?")}


def run_list(ctx, args) -> None:
    found = ctx.tasheem.ListCoupons(pb.ListCouponsRequest(member_id=args.member_id,
                                                          available_only=args.available)).coupons
    ctx.emit({"coupons": [to_dict(coupon) for coupon in found]},
             lambda: print_table([coupon_row(coupon) for coupon in found], COUPON_COLUMNS))
