"""clubctl terminals register|list|block|unblock|keys-change

Keys: give --pin-key/--mac-key (32 hex each), or --new-keys FILE.json to generate them here and
keep them in a 0600 file (for a terminal or the simulator), or neither for keys the cards service
generates and keeps to itself. Only key check values are printed.
"""

from __future__ import annotations

import json
import os

from services.gen.club.cards.v1 import cards_pb2 as pb

from . import pins
from .core import CliError, add_paging, emit_list, pages, write_private

LIST_COLUMNS = ["terminal_id", "merchant_id", "status", "pin_key_kcv", "mac_key_kcv", "key_version"]


def _key_options(parser) -> None:
    parser.add_argument("--pin-key", default=os.environ.get("CLUB_TERMINAL_PIN_KEY"),
                        help="terminal PIN key, 32 hex (default: env CLUB_TERMINAL_PIN_KEY)")
    parser.add_argument("--mac-key", default=os.environ.get("CLUB_TERMINAL_MAC_KEY"),
                        help="terminal MAC key, 32 hex (default: env CLUB_TERMINAL_MAC_KEY)")
    parser.add_argument("--new-keys", metavar="FILE.json",
                        help="generate both keys here and write them to this file (0600)")


def register(groups, common) -> None:
    group = groups.add_parser("terminals", help="terminals and their keys")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("register", parents=[common], help="register a terminal of a merchant")
    p.add_argument("--terminal", required=True, help="terminal id, 8 letters or digits (field 41)")
    p.add_argument("--merchant", required=True, help="merchant id (field 42)")
    _key_options(p)
    p.set_defaults(func=run_register)

    p = commands.add_parser("list", parents=[common], help="list terminals")
    p.add_argument("--merchant", default="", help="only this merchant's terminals")
    add_paging(p)
    p.set_defaults(func=run_list)

    for name, status, help_text in (("block", pb.TERMINAL_STATUS_BLOCKED, "block a terminal (its requests get 58)"),
                                    ("unblock", pb.TERMINAL_STATUS_ACTIVE, "make a blocked terminal active again")):
        p = commands.add_parser(name, parents=[common], help=help_text)
        p.add_argument("terminal", help="terminal id")
        p.add_argument("--reason", default="operator_request", help="reason code (default operator_request)")
        p.set_defaults(func=run_status, status=status)

    p = commands.add_parser("keys-change", parents=[common], help="give a terminal new keys (new key version)")
    p.add_argument("terminal", help="terminal id")
    _key_options(p)
    p.set_defaults(func=run_keys_change)


def _keys(args, terminal_id: str, merchant_id: str = "") -> tuple[str, str]:
    if args.new_keys:
        if args.pin_key or args.mac_key:
            raise CliError("--new-keys: generates both keys; do not also give --pin-key or --mac-key")
        pin_key, mac_key = pins.new_key().hex().upper(), pins.new_key().hex().upper()
        write_private(args.new_keys, json.dumps({"terminal_id": terminal_id, "merchant_id": merchant_id,
                                                 "pin_key": pin_key, "mac_key": mac_key}, indent=2) + "\n")
        return pin_key, mac_key
    pin_key = pins.parse_key(args.pin_key, "--pin-key").hex().upper() if args.pin_key else ""
    mac_key = pins.parse_key(args.mac_key, "--mac-key").hex().upper() if args.mac_key else ""
    return pin_key, mac_key


def run_register(ctx, args) -> None:
    pin_key, mac_key = _keys(args, args.terminal, args.merchant)
    terminal = ctx.cards.RegisterTerminal(pb.RegisterTerminalRequest(
        terminal_id=args.terminal, merchant_id=args.merchant, pin_key=pin_key, mac_key=mac_key))
    if args.new_keys:
        ctx.note(f"keys written to {args.new_keys} (0600)")
    ctx.emit(terminal)


def run_list(ctx, args) -> None:
    found, token = pages(ctx.cards.ListTerminals, pb.ListTerminalsRequest(merchant_id=args.merchant), "terminals", args)
    emit_list(ctx, "terminals", found, LIST_COLUMNS, token)


def run_status(ctx, args) -> None:
    ctx.emit(ctx.cards.ChangeTerminalStatus(pb.ChangeTerminalStatusRequest(
        terminal_id=args.terminal, status=args.status, reason_code=args.reason)))


def run_keys_change(ctx, args) -> None:
    pin_key, mac_key = _keys(args, args.terminal)
    terminal = ctx.cards.ChangeTerminalKeys(pb.ChangeTerminalKeysRequest(terminal_id=args.terminal, pin_key=pin_key,
                                                                         mac_key=mac_key))
    if args.new_keys:
        ctx.note(f"keys written to {args.new_keys} (0600)")
    ctx.emit(terminal)
