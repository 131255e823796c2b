"""clubctl merchant-users create|list|update  (people of a merchant who sign in to the merchant portal)

`update` disables or enables a user, gives it a new password (--new-password) or a new TOTP secret
(--new-totp, a lost phone), a new name or new merchants. The password is never an argument (it
would stay in the shell's history and in `ps`): it is asked twice at the terminal, or read as one
line from stdin with --password-stdin. With --totp (or --new-totp) the answer holds the TOTP
provisioning URI (and a QR code for a phone's authenticator app) once; it cannot be shown again.
"""

from __future__ import annotations

import getpass
import sys

import segno

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb

from .core import CliError, emit_list, print_record, to_dict

LIST_COLUMNS = ["username", "display_name", "merchant_ids", "totp_enabled", "disabled", "created_at"]


def register(groups, common) -> None:
    group = groups.add_parser("merchant-users", help="merchant portal users")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("create", parents=[common], help="create a merchant user")
    p.add_argument("username", help="3..64 of a-z 0-9 . _ -")
    p.add_argument("--name", required=True, help="the person's name, as the portal greets them")
    p.add_argument("--merchant", action="append", required=True, dest="merchants", metavar="MERCHANT_ID",
                   help="a merchant the user may see (repeat for several)")
    p.add_argument("--totp", action="store_true", help="require a TOTP code at sign-in")
    p.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")
    p.set_defaults(func=run_create)

    p = commands.add_parser("update", parents=[common], help="disable, enable or change a merchant user")
    p.add_argument("username")
    state = p.add_mutually_exclusive_group()
    state.add_argument("--disable", action="store_true", help="refuse its sign-ins from now on")
    state.add_argument("--enable", action="store_true", help="let it sign in again")
    p.add_argument("--new-password", action="store_true", help="set a new password (asked, or --password-stdin)")
    p.add_argument("--password-stdin", action="store_true", help="read the new password as one line from stdin")
    p.add_argument("--new-totp", action="store_true", help="a new TOTP secret (shown once), required from now on")
    p.add_argument("--name", default="", help="a new display name")
    p.add_argument("--merchant", action="append", default=[], dest="merchants", metavar="MERCHANT_ID",
                   help="its merchants from now on (repeat for several); none = unchanged")
    p.set_defaults(func=run_update)

    p = commands.add_parser("list", parents=[common], help="list merchant users")
    p.add_argument("--merchant", default="", help="only the users of this merchant")
    p.set_defaults(func=run_list)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CliError("--password-stdin: no terminal to ask the password at; pipe it with --password-stdin")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise CliError("the two passwords differ; nothing was created")
    return first


def run_create(ctx, args) -> None:
    user = ctx.tasheem.CreateMerchantUser(pb.CreateMerchantUserRequest(
        username=args.username, password=_password(args.password_stdin), display_name=args.name,
        merchant_ids=args.merchants, totp=args.totp))
    _emit_user(ctx, user)


def run_update(ctx, args) -> None:
    if args.password_stdin and not args.new_password:
        raise CliError("--password-stdin: only with --new-password")
    request = pb.UpdateMerchantUserRequest(username=args.username, new_totp=args.new_totp,
                                           display_name=args.name, merchant_ids=args.merchants)
    if args.disable or args.enable:
        request.disabled = args.disable
    if args.new_password:
        request.new_password = _password(args.password_stdin)
    _emit_user(ctx, ctx.tasheem.UpdateMerchantUser(request))


def _emit_user(ctx, user: pb.MerchantUser) -> None:
    data = to_dict(user)

    def text() -> None:
        print_record({key: value for key, value in data.items() if key != "totp_provisioning_uri"})
        if user.totp_provisioning_uri:
            print(f"\nTOTP (shown once; scan it or type it into the authenticator app):\n{user.totp_provisioning_uri}")
            segno.make(user.totp_provisioning_uri).terminal(compact=True)

    ctx.emit(data, text)


def run_list(ctx, args) -> None:
    users = list(ctx.tasheem.ListMerchantUsers(pb.ListMerchantUsersRequest(merchant_id=args.merchant)).users)
    emit_list(ctx, "users", users, LIST_COLUMNS)
