"""clubctl: operate the club platform over its gRPC APIs, and simulate ISO 8583 terminals.

    clubctl [--token T] [--json] <group> <command> [options]

Global options may also follow the command. Exit status: 0 done, 1 a service refused or
failed (its gRPC status and message on stderr), 2 a bad argument or local problem, 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from cryptography.utils import CryptographyDeprecationWarning

from . import (
    announce,
    benefits,
    cards,
    coupons,
    crm,
    demo,
    events,
    members,
    merchant_users,
    merchants,
    offers,
    parties,
    products,
    rewards,
    settlement,
    surveys,
    terminal,
    terminals,
    tokens,
    transactions,
    wallet,
)
from .core import DEFAULT_TIMEOUT_SECONDS, CliError, Context, ServiceCallError

GROUPS = [members, products, cards, terminals, parties, merchants, merchant_users, offers, coupons, rewards, benefits, wallet, settlement,
          transactions, events, crm, surveys, announce, tokens, demo, terminal]
EXIT_INTERRUPTED = 130


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    def default(value):
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("connection and output")
    group.add_argument("--token", default=default(None),
                       help="access token sent as `authorization: Bearer` (default: env CLUB_TOKEN)")
    group.add_argument("--json", action="store_true", default=default(False), help="machine-readable JSON on stdout")
    group.add_argument("--timeout", type=float, default=default(DEFAULT_TIMEOUT_SECONDS),
                       help=f"seconds per call (default {DEFAULT_TIMEOUT_SECONDS:g})")
    group.add_argument("--tls-dir", default=default(None),
                       help="mTLS directory with ca.pem, cli.pem, cli-key.pem (default: env CLUB_TLS_DIR; empty = plaintext)")
    for service in ("cards", "wallet", "tasheem", "switch", "crm"):
        group.add_argument(f"--{service}-addr", default=default(None), metavar="HOST:PORT",
                           help=f"{service} gRPC address (default: env CLUB_{service.upper()}_ADDR)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clubctl", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    _global_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    groups = parser.add_subparsers(dest="group", metavar="<group>", required=True)
    for module in GROUPS:
        module.register(groups, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage and the problem
        return exc.code if isinstance(exc.code, int) else 2
    ctx = Context(args)
    try:
        with warnings.catch_warnings():
            # psec drives two-key TDES (PIN blocks, retail MAC), which cryptography flags on every call.
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            result = args.func(ctx, args)
        return int(result or 0)
    except ServiceCallError as exc:
        print(f"clubctl: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except CliError as exc:
        print(f"clubctl: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        print(f"clubctl: error: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("clubctl: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
