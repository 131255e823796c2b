"""clubctl merchants create|list|get|beneficiaries

A beneficiary is IBAN[=SHARE][:remainder][:NAME], SHARE being a percentage of what is left after
fixed amounts (70%) or a fixed amount in rials (100000); exactly one beneficiary takes the
rounding remainder (a lone beneficiary takes it by default).
"""

from __future__ import annotations

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.tasheem import iban

from .core import CliError, add_paging, emit_list, pages, percent_bp, print_table, to_dict

LIST_COLUMNS = ["merchant_id", "name", "mcc", "group", "active"]
BENEFICIARY_COLUMNS = ["iban", "name", "ratio_bp", "fixed_amount", "remainder"]


def parse_beneficiary(text: str) -> pb.Beneficiary:
    account, _, rest = text.partition("=")
    try:
        account = iban.validate(account)
    except iban.IbanError as exc:
        raise CliError(f"--beneficiary {text!r}: IBAN {exc}") from None
    beneficiary = pb.Beneficiary(iban=account)
    names = []
    for token in (rest.split(":") if rest else []):
        token = token.strip()
        if token == "remainder":
            beneficiary.remainder = True
        elif token.endswith("%"):
            beneficiary.ratio_bp = percent_bp(token, f"--beneficiary {text!r}")
        elif token.replace(",", "").replace("_", "").isdigit():
            beneficiary.fixed_amount = int(token.replace(",", "").replace("_", ""))
        elif token:
            names.append(token)
    beneficiary.name = ":".join(names)
    return beneficiary


def beneficiaries(items: list[str]) -> list[pb.Beneficiary]:
    result = [parse_beneficiary(item) for item in items]
    if len(result) == 1 and not result[0].remainder:
        result[0].remainder = True
        if not result[0].ratio_bp and not result[0].fixed_amount:
            result[0].ratio_bp = 10_000
    return result


def register(groups, common) -> None:
    group = groups.add_parser("merchants", help="merchants and their beneficiary accounts")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("create", parents=[common], help="create a merchant")
    p.add_argument("merchant_id", help="merchant id, up to 15 letters or digits (field 42)")
    p.add_argument("--name", required=True)
    p.add_argument("--mcc", required=True, help="merchant category code, 4 digits")
    p.add_argument("--group", default="", help="merchant group, e.g. a chain")
    p.add_argument("--beneficiary", action="append", default=[], metavar="IBAN[=SHARE][:remainder][:NAME]",
                   help="a beneficiary account (repeatable, up to 10)")
    p.set_defaults(func=run_create)

    p = commands.add_parser("list", parents=[common], help="list merchants")
    p.add_argument("--group", default="")
    add_paging(p)
    p.set_defaults(func=run_list)

    p = commands.add_parser("get", parents=[common], help="show a merchant")
    p.add_argument("merchant_id")
    p.set_defaults(func=run_get)

    p = commands.add_parser("beneficiaries", parents=[common],
                            help="show a merchant's beneficiaries, or replace them with --beneficiary")
    p.add_argument("merchant_id")
    p.add_argument("--beneficiary", action="append", default=[], metavar="IBAN[=SHARE][:remainder][:NAME]",
                   help="the new set (repeatable); none = show the current set")
    p.set_defaults(func=run_beneficiaries)


def run_create(ctx, args) -> None:
    if not args.beneficiary:
        raise CliError("merchants create: give at least one --beneficiary IBAN")
    ctx.emit(ctx.tasheem.CreateMerchant(pb.CreateMerchantRequest(
        merchant_id=args.merchant_id, name=args.name, mcc=args.mcc, group=args.group,
        beneficiaries=beneficiaries(args.beneficiary))))


def run_list(ctx, args) -> None:
    found, token = pages(ctx.tasheem.ListMerchants, pb.ListMerchantsRequest(group=args.group), "merchants", args)
    emit_list(ctx, "merchants", found, LIST_COLUMNS, token)


def run_get(ctx, args) -> None:
    ctx.emit(ctx.tasheem.GetMerchant(pb.GetMerchantRequest(merchant_id=args.merchant_id)))


def run_beneficiaries(ctx, args) -> None:
    if args.beneficiary:
        merchant = ctx.tasheem.SetBeneficiaries(pb.SetBeneficiariesRequest(
            merchant_id=args.merchant_id, beneficiaries=beneficiaries(args.beneficiary)))
    else:
        merchant = ctx.tasheem.GetMerchant(pb.GetMerchantRequest(merchant_id=args.merchant_id))
    data = to_dict(merchant)
    ctx.emit({"merchant_id": merchant.merchant_id, "beneficiaries": data["beneficiaries"]},
             lambda: print_table(data["beneficiaries"], BENEFICIARY_COLUMNS))
