"""clubctl products create|list"""

from __future__ import annotations

import argparse

from services.gen.club.cards.v1 import cards_pb2 as pb

from .core import CliError, add_paging, emit_list, pages, rials

KINDS = {"gift": pb.CARD_KIND_GIFT, "prepaid": pb.CARD_KIND_PREPAID, "credit": pb.CARD_KIND_CREDIT,
         "loyalty": pb.CARD_KIND_LOYALTY}
LIST_COLUMNS = ["product_id", "name", "bin", "kind", "pin_required", "validity_months", "allowed_processing"]


def register(groups, common) -> None:
    group = groups.add_parser("products", help="card products (BIN ranges)")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("create", parents=[common], help="create a card product")
    p.add_argument("--name", required=True)
    p.add_argument("--bin", required=True, help="6 or 8 digits")
    p.add_argument("--kind", choices=sorted(KINDS), default="loyalty")
    p.add_argument("--pan-length", type=int, default=16)
    p.add_argument("--currency", default="364", help="ISO 4217 numeric (default 364, IRR)")
    p.add_argument("--validity-months", type=int, default=36)
    p.add_argument("--service-code", default="101")
    p.add_argument("--pin-required", action=argparse.BooleanOptionalAction, default=True,
                   help="cards need a PIN to transact (default yes)")
    p.add_argument("--per-transaction-limit", type=rials, default=0, metavar="RIALS", help="0 = none")
    p.add_argument("--daily-amount-limit", type=rials, default=0, metavar="RIALS", help="0 = none")
    p.add_argument("--daily-count-limit", type=int, default=0, metavar="N", help="0 = none")
    p.add_argument("--processing", default="00,20,31",
                   help="processing codes permitted (field 3, first two digits), comma separated (default 00,20,31)")
    p.set_defaults(func=run_create)

    p = commands.add_parser("list", parents=[common], help="list card products")
    add_paging(p)
    p.set_defaults(func=run_list)


def run_create(ctx, args) -> None:
    processing = [code.strip() for code in args.processing.split(",") if code.strip()]
    if any(len(code) != 2 or not code.isdigit() for code in processing):
        raise CliError(f"--processing: two-digit codes separated by commas, got {args.processing!r}")
    request = pb.CreateProductRequest(
        name=args.name, bin=args.bin, pan_length=args.pan_length, kind=KINDS[args.kind], currency=args.currency,
        validity_months=args.validity_months, service_code=args.service_code, pin_required=args.pin_required,
        limits=pb.ProductLimits(per_transaction_amount=args.per_transaction_limit, daily_amount=args.daily_amount_limit,
                                daily_count=args.daily_count_limit),
        allowed_processing=processing)
    ctx.emit(ctx.cards.CreateProduct(request))


def run_list(ctx, args) -> None:
    found, token = pages(ctx.cards.ListProducts, pb.ListProductsRequest(), "products", args)
    emit_list(ctx, "products", found, LIST_COLUMNS, token)
