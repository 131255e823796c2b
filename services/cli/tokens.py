"""clubctl token issue: an access token signed with CLUB_AUTH_SECRET (wraps services.shared.auth)."""

from __future__ import annotations

import datetime as dt
import os

from services.shared import auth, config
from services.shared import auth_policy as policy

from .core import CliError


def register(groups, common) -> None:
    group = groups.add_parser("token", help="access tokens")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)
    p = commands.add_parser("issue", parents=[common],
                            help="print a signed token (uses CLUB_AUTH_SECRET and CLUB_ENV, like the services)")
    p.add_argument("--role", required=True, choices=policy.ROLES)
    p.add_argument("--subject", default=os.environ.get("USER", ""),
                   help="who the token is for, recorded in the audit log (default: $USER)")
    p.add_argument("--merchant-id", default="", help="required for --role merchant")
    p.add_argument("--ttl", type=int, default=auth.DEFAULT_TTL_SECONDS, help="lifetime in seconds")
    p.set_defaults(func=run_issue)


def run_issue(ctx, args) -> None:
    try:
        secret = auth.secret_from_env(os.environ)
        token = auth.issue_token(secret, args.role, args.subject, args.merchant_id, args.ttl)
    except config.ConfigError as exc:
        raise CliError(f"configuration: {exc}") from None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=args.ttl)
    ctx.emit({"token": token, "role": args.role, "subject": args.subject, "merchant_id": args.merchant_id,
              "expires_at": expires.isoformat(timespec="seconds").replace("+00:00", "Z")},
             lambda: print(token))
