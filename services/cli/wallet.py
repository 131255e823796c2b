"""clubctl wallet topup|withdraw|balance|credit-limit|points-adjust|history

Amounts are whole rials, points whole points. Each money movement carries an idempotency id
(--id, default generated and printed): repeating a command with the same --id posts once.
"""

from __future__ import annotations

import uuid

from services.gen.club.wallet.v1 import wallet_pb2 as pb

from .core import CliError, add_paging, emit_list, pages, rials, signed_integer

HISTORY_COLUMNS = ["sequence", "created_at", "code", "debit_account_id", "credit_account_id", "amount", "unit",
                   "source_ref", "reason"]
BALANCE_FIELDS = ["credit_available", "credit_posted", "credit_held", "credit_limit", "points_available",
                  "points_held", "tier"]


def new_id(kind: str) -> str:
    return f"cli-{kind}-{uuid.uuid4()}"


def register(groups, common) -> None:
    group = groups.add_parser("wallet", help="member credit and points")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    for name, help_text in (("topup", "add credit to a member (rials)"), ("withdraw", "take credit from a member (rials)")):
        p = commands.add_parser(name, parents=[common], help=help_text)
        p.add_argument("member_id")
        p.add_argument("amount", type=rials, help="rials (a whole number)")
        p.add_argument("--id", default="", help="idempotency id (default: generated)")
        p.add_argument("--reason", default="")
        p.set_defaults(func=run_topup, withdraw=name == "withdraw")

    p = commands.add_parser("balance", parents=[common], help="a member's credit and points")
    p.add_argument("member_id")
    p.set_defaults(func=run_balance)

    p = commands.add_parser("credit-limit", parents=[common], help="set a member's credit line (rials)")
    p.add_argument("member_id")
    p.add_argument("amount", type=rials, help="rials; 0 removes the credit line")
    p.add_argument("--reason", default="")
    p.set_defaults(func=run_credit_limit)

    p = commands.add_parser("points-adjust", parents=[common], help="grant (+N) or take (-N) points")
    p.add_argument("member_id")
    p.add_argument("points", type=signed_integer, help="e.g. 500 to grant or -200 to take")
    p.add_argument("--id", default="", help="idempotency id (default: generated)")
    p.add_argument("--reason", default="operator adjustment")
    p.add_argument("--expires-in-days", type=int, default=0, help="for grants; 0 = the default lifetime")
    p.set_defaults(func=run_points_adjust)

    p = commands.add_parser("history", parents=[common], help="ledger transfers of a member's credit or points")
    p.add_argument("member_id")
    p.add_argument("--points", action="store_true", help="the points account instead of credit")
    add_paging(p)
    p.set_defaults(func=run_history)


def _movement(ctx, reply: pb.MoneyMovementResponse, transfer_id: str) -> int:
    result = pb.TransferResult.Name(reply.result)
    data = {"transfer_id": transfer_id, "result": result,
            "balances": {name: getattr(reply.balances, name) for name in BALANCE_FIELDS}}
    ctx.emit(data)
    if reply.result not in (pb.TRANSFER_RESULT_OK, pb.TRANSFER_RESULT_EXISTS):
        ctx.note(f"clubctl: not posted: {result}")
        return 1
    return 0


def run_topup(ctx, args) -> int:
    if args.amount <= 0:
        raise CliError("amount: must be positive")
    transfer_id = args.id or new_id("withdraw" if args.withdraw else "topup")
    if args.withdraw:
        reply = ctx.wallet.Withdraw(pb.WithdrawRequest(transfer_id=transfer_id, member_id=args.member_id,
                                                       amount=args.amount, reason=args.reason))
    else:
        reply = ctx.wallet.TopUp(pb.TopUpRequest(transfer_id=transfer_id, member_id=args.member_id, amount=args.amount,
                                                 reason=args.reason))
    return _movement(ctx, reply, transfer_id)


def run_balance(ctx, args) -> None:
    ctx.emit(ctx.wallet.GetMemberBalances(pb.GetMemberBalancesRequest(member_id=args.member_id)))


def run_credit_limit(ctx, args) -> None:
    ctx.emit(ctx.wallet.SetCreditLimit(pb.SetCreditLimitRequest(member_id=args.member_id, credit_limit=args.amount,
                                                                reason=args.reason)))


def run_points_adjust(ctx, args) -> int:
    if args.points == 0:
        raise CliError("points: must not be zero")
    transfer_id = args.id or new_id("points")
    reply = ctx.wallet.AdjustPoints(pb.AdjustPointsRequest(transfer_id=transfer_id, member_id=args.member_id,
                                                           points=args.points, reason=args.reason,
                                                           expires_in_days=args.expires_in_days))
    return _movement(ctx, reply, transfer_id)


def run_history(ctx, args) -> None:
    account = f"member:{args.member_id}:{'points' if args.points else 'credit'}"
    found, token = pages(ctx.wallet.ListAccountTransfers, pb.ListAccountTransfersRequest(account_id=account),
                         "transfers", args)
    emit_list(ctx, "transfers", found, HISTORY_COLUMNS, token)
