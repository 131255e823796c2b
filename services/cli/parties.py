"""clubctl parties create|list  (funding parties: bank, club operator, partners)"""

from __future__ import annotations

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb

from .core import emit_list

LIST_COLUMNS = ["party_id", "name", "created_at"]


def register(groups, common) -> None:
    group = groups.add_parser("parties", help="parties that fund discounts")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("create", parents=[common], help="create a funding party")
    p.add_argument("party_id", help='e.g. "bank", "club", or a partner id (lower case)')
    p.add_argument("--name", required=True)
    p.set_defaults(func=run_create)

    p = commands.add_parser("list", parents=[common], help="list funding parties")
    p.set_defaults(func=run_list)


def run_create(ctx, args) -> None:
    ctx.emit(ctx.tasheem.CreateParty(pb.CreatePartyRequest(party_id=args.party_id, name=args.name)))


def run_list(ctx, args) -> None:
    emit_list(ctx, "parties", list(ctx.tasheem.ListParties(pb.ListPartiesRequest()).parties), LIST_COLUMNS)
