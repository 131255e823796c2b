"""clubctl transactions list|get  (the switch's transaction journal; PANs masked by the switch)"""

from __future__ import annotations

from services.gen.club.switch.v1 import authorization_pb2 as pb

from .core import add_paging, emit_list, pages

LIST_COLUMNS = ["transaction_id", "type", "terminal_id", "stan", "masked_pan", "amount", "discount", "response_code",
                "state", "received_at"]


def register(groups, common) -> None:
    group = groups.add_parser("transactions", help="the switch's transaction journal")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("list", parents=[common], help="recent transactions, newest first")
    p.add_argument("--terminal", default="", help="only this terminal's")
    p.add_argument("--merchant", default="", help="only this merchant's")
    add_paging(p)
    p.set_defaults(func=run_list)

    p = commands.add_parser("get", parents=[common], help="one transaction")
    p.add_argument("transaction_id")
    p.set_defaults(func=run_get)


def run_list(ctx, args) -> None:
    request = pb.ListTransactionsRequest(terminal_id=args.terminal, merchant_id=args.merchant)
    found, token = pages(ctx.stub("switch").ListTransactions, request, "transactions", args)
    emit_list(ctx, "transactions", found, LIST_COLUMNS, token)


def run_get(ctx, args) -> None:
    ctx.emit(ctx.stub("switch").GetTransaction(pb.GetTransactionRequest(transaction_id=args.transaction_id)))
