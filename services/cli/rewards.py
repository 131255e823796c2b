"""clubctl rewards create|list|get|redeem|cancel-voucher|expire

A reward is bought with points: redeeming it spends the points in the wallet and gives the member
a voucher, a coupon worth the reward's value at its partner merchant, funded by the party the
reward names, applied by itself when the member pays there with the card.
"""

from __future__ import annotations

import uuid

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb

from .core import print_table, rials, to_dict
from .coupons import coupon_row
from .offers import DEFAULT_TIME_ZONE, dates_window

EXPIRY = {"forfeit": pb.VOUCHER_EXPIRY_FORFEIT, "refund": pb.VOUCHER_EXPIRY_REFUND}
LIST_COLUMNS = ["reward_id", "name", "points_price", "stock", "redeemed", "merchant_id", "value", "funded_by", "active"]


def register(groups, common) -> None:
    group = groups.add_parser("rewards", help="rewards bought with points, and their vouchers")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("create", parents=[common], help="add a reward to the catalog")
    p.add_argument("--name", required=True)
    p.add_argument("--id", default="", help="reward id (default: generated)")
    p.add_argument("--points", type=rials, required=True, help="its price in points")
    p.add_argument("--stock", type=int, required=True)
    p.add_argument("--merchant", required=True, help="the partner merchant that honours it")
    p.add_argument("--value", type=rials, required=True, help="the voucher's value there, rials")
    p.add_argument("--funded-by", required=True, help="the party that pays the voucher (club, bank, a partner)")
    p.add_argument("--tier", action="append", default=[], help="only for this tier (repeatable; none = any)")
    p.add_argument("--segment", action="append", default=[], help="only for this segment (repeatable; none = any)")
    p.add_argument("--starts", help="redeemable from (date or date-time, local to --time-zone)")
    p.add_argument("--ends", help="redeemable until")
    p.add_argument("--time-zone", default=DEFAULT_TIME_ZONE)
    p.add_argument("--valid-days", type=int, default=30, help="a voucher's validity from its redemption")
    p.add_argument("--on-expiry", choices=sorted(EXPIRY), default="refund",
                   help="an unused voucher past its validity: points back (refund) or not (forfeit)")
    p.set_defaults(func=run_create)

    p = commands.add_parser("list", parents=[common], help="the rewards catalog")
    p.add_argument("--member", default="", help="only what this member may redeem now")
    p.add_argument("--active-only", action="store_true")
    p.set_defaults(func=run_list)

    p = commands.add_parser("get", parents=[common], help="show a reward")
    p.add_argument("reward_id")
    p.set_defaults(func=run_get)

    p = commands.add_parser("redeem", parents=[common], help="spend a member's points on a reward")
    p.add_argument("member_id")
    p.add_argument("reward_id")
    p.add_argument("--redemption-id", default="", help="the same id redeems once (default: new, printed)")
    p.set_defaults(func=run_redeem)

    p = commands.add_parser("cancel-voucher", parents=[common], help="cancel an unused voucher: its points go back")
    p.add_argument("coupon_id")
    p.add_argument("--member", required=True)
    p.set_defaults(func=run_cancel)

    p = commands.add_parser("expire", parents=[common], help="expire vouchers past their validity now")
    p.set_defaults(func=run_expire)


def run_create(ctx, args) -> None:
    window = dates_window(args)
    ctx.emit(ctx.tasheem.CreateReward(pb.CreateRewardRequest(reward=pb.Reward(
        reward_id=args.id, name=args.name, points_price=args.points, stock=args.stock, merchant_id=args.merchant,
        value=args.value, funded_by=args.funded_by, tiers=args.tier, segments=args.segment, window=window,
        voucher_valid_days=args.valid_days, on_expiry=EXPIRY[args.on_expiry], active=True))))


def run_list(ctx, args) -> None:
    found = ctx.tasheem.ListRewards(pb.ListRewardsRequest(member_id=args.member, active_only=args.active_only)).rewards
    ctx.emit({"rewards": [to_dict(reward) for reward in found]},
             lambda: print_table([to_dict(reward) for reward in found], LIST_COLUMNS))


def run_get(ctx, args) -> None:
    ctx.emit(ctx.tasheem.GetReward(pb.GetRewardRequest(reward_id=args.reward_id)))


def run_redeem(ctx, args) -> None:
    redemption_id = args.redemption_id or uuid.uuid4().hex
    ctx.note(f"redemption {redemption_id}")
    voucher = ctx.tasheem.RedeemReward(pb.RedeemRewardRequest(
        redemption_id=redemption_id, member_id=args.member_id, reward_id=args.reward_id))
    ctx.emit(voucher, lambda: print_table([coupon_row(voucher)], ["coupon_id", "name", "state", "expires_at",
                                                                  "points_spent"]))


def run_cancel(ctx, args) -> None:
    ctx.emit(ctx.tasheem.CancelVoucher(pb.CancelVoucherRequest(coupon_id=args.coupon_id, member_id=args.member)))


def run_expire(ctx, args) -> None:
    ctx.emit(ctx.tasheem.ExpireVouchers(pb.ExpireVouchersRequest()))
