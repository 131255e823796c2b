"""clubctl members register|get|list|update"""

from __future__ import annotations

from services.gen.club.cards.v1 import cards_pb2 as pb

from .core import CliError, add_paging, emit_list, pages

FIELDS = ("phone", "national_id", "first_name", "last_name", "email", "birth_date", "segment")
LIST_COLUMNS = ["member_id", "phone", "national_id", "first_name", "last_name", "segment", "tier"]


def key_values(items: list[str] | None, option: str) -> dict[str, str]:
    result = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CliError(f"{option}: expected KEY=VALUE, got {item!r}")
        result[key.strip()] = value.strip()
    return result


def consents(items: list[str] | None) -> list[pb.Consent]:
    answers = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}
    result = []
    for purpose, answer in key_values(items, "--consent").items():
        if answer.lower() not in answers:
            raise CliError(f"--consent: {purpose}={answer!r}: the answer must be yes or no")
        result.append(pb.Consent(purpose=purpose, granted=answers[answer.lower()]))
    return result


def _member_options(parser) -> None:
    parser.add_argument("--phone", help="mobile number, e.g. 09121234567")
    parser.add_argument("--national-id", help="10-digit national id")
    parser.add_argument("--first-name")
    parser.add_argument("--last-name")
    parser.add_argument("--email")
    parser.add_argument("--birth-date", help="YYYY-MM-DD")
    parser.add_argument("--segment", help='e.g. "student", "staff" (offers may target it)')
    parser.add_argument("--pref", action="append", metavar="KEY=VALUE", help="a preference (repeatable)")
    parser.add_argument("--consent", action="append", metavar="PURPOSE=yes|no", help="a consent (repeatable)")


def _values(args) -> pb.RegisterMemberRequest:
    return pb.RegisterMemberRequest(**{name: getattr(args, name) or "" for name in FIELDS},
                                    preferences=key_values(args.pref, "--pref"), consents=consents(args.consent))


def register(groups, common) -> None:
    group = groups.add_parser("members", help="club members")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("register", parents=[common], help="register a member (phone or national id required)")
    _member_options(p)
    p.set_defaults(func=run_register)

    p = commands.add_parser("get", parents=[common], help="show a member")
    p.add_argument("member_id")
    p.set_defaults(func=run_get)

    p = commands.add_parser("list", parents=[common], help="list members")
    p.add_argument("--phone", default="", help="only the member with this phone")
    p.add_argument("--national-id", default="", help="only the member with this national id")
    add_paging(p)
    p.set_defaults(func=run_list)

    p = commands.add_parser("update", parents=[common], help="change the fields given; others stay")
    p.add_argument("member_id")
    _member_options(p)
    p.set_defaults(func=run_update)


def run_register(ctx, args) -> None:
    if not args.phone and not args.national_id:
        raise CliError("members register: give --phone or --national-id")
    ctx.emit(ctx.cards.RegisterMember(_values(args)))


def run_get(ctx, args) -> None:
    ctx.emit(ctx.cards.GetMember(pb.GetMemberRequest(member_id=args.member_id)))


def run_list(ctx, args) -> None:
    request = pb.ListMembersRequest(phone=args.phone, national_id=args.national_id)
    found, token = pages(ctx.cards.ListMembers, request, "members", args)
    emit_list(ctx, "members", found, LIST_COLUMNS, token)


def run_update(ctx, args) -> None:
    changed = [name for name in FIELDS if getattr(args, name) is not None]
    if args.pref:
        changed.append("preferences")
    if args.consent:
        changed.append("consents")
    if not changed:
        raise CliError("members update: nothing to change (give at least one field option, e.g. --email)")
    ctx.emit(ctx.cards.UpdateMember(pb.UpdateMemberRequest(member_id=args.member_id, update_fields=changed,
                                                           values=_values(args))))
