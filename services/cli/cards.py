"""clubctl cards issue|get|list|activate|suspend|resume|block|replace|events|bulk-issue

A full PAN or CVV2 is never printed: issue and replace show the masked PAN, and write the card
data only to a printing file the operator names (created 0600).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import pathlib
import secrets

from tqdm import tqdm

from services.gen.club.cards.v1 import cards_pb2 as pb

from . import pins
from .core import CHANNEL, CliError, add_paging, emit_list, masked, pages, write_private

LIST_COLUMNS = ["card_token", "masked_pan", "member_id", "status", "expiry", "campaign"]
EVENT_COLUMNS = ["at", "event", "from_status", "to_status", "reason_code", "channel", "actor"]
BLOCK_STATUSES = {"lost": pb.CARD_STATUS_LOST, "stolen": pb.CARD_STATUS_STOLEN, "closed": pb.CARD_STATUS_CLOSED,
                  "expired": pb.CARD_STATUS_EXPIRED}
FORMATS = {"iso0": pb.PIN_BLOCK_FORMAT_ISO_0, "iso4": pb.PIN_BLOCK_FORMAT_ISO_4}
PRINTING_COLUMNS = ["card_token", "pan", "expiry_yymm", "cvv2", "service_code", "member_id"]
SAMPLE_ROWS = 5
LIST_PAGE_MAX = 500  # the cards service's largest page


def register(groups, common) -> None:
    group = groups.add_parser("cards", help="cards and their lifecycle")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("issue", parents=[common], help="issue a card to a member")
    p.add_argument("--member", required=True, help="member id")
    p.add_argument("--product", required=True, help="product id")
    p.add_argument("--campaign", default="")
    p.add_argument("--printing-file", metavar="FILE.csv",
                   help="also write the PAN and CVV2 for the card bureau to this file (0600); never printed")
    p.set_defaults(func=run_issue)

    p = commands.add_parser("bulk-issue", parents=[common],
                            help="issue many cards; writes the card-printing file as CSV")
    p.add_argument("--product", required=True, help="product id")
    p.add_argument("--count", type=int, help="new anonymous cards (gift cards)")
    p.add_argument("--member", action="append", default=[], help="an existing member (repeatable; instead of --count)")
    p.add_argument("--campaign", default="", help="campaign name (default bulk-YYYYMMDD-xxxx)")
    p.add_argument("--output", required=True, metavar="FILE.csv", help="card-printing CSV (0600; holds PANs)")
    p.set_defaults(func=run_bulk_issue)

    p = commands.add_parser("get", parents=[common], help="show a card by card token (or --pan)")
    p.add_argument("card", nargs="?", help="card token (ct_...)")
    p.add_argument("--pan", help="look the card up by its PAN instead (shown masked)")
    p.set_defaults(func=run_get)

    p = commands.add_parser("list", parents=[common], help="list cards of a member or a campaign")
    p.add_argument("--member", default="")
    p.add_argument("--campaign", default="")
    add_paging(p)
    p.set_defaults(func=run_list)

    p = commands.add_parser("activate", parents=[common],
                            help="activate an issued card and set its first PIN (from a PIN block)")
    p.add_argument("card", help="card token")
    p.add_argument("--pin-block", help="hex PIN block as a PIN pad sent it")
    p.add_argument("--format", choices=sorted(FORMATS), default="iso0", help="PIN block format (default iso0)")
    p.add_argument("--terminal", default="", help="terminal whose PIN key the block is under (empty: the zone key)")
    p.add_argument("--pin", help="build an ISO 0 block here instead: the PIN (needs --pan, --terminal, --pin-key)")
    p.add_argument("--pan", help="the card's PAN, for building the PIN block")
    p.add_argument("--pin-key", default=os.environ.get("CLUB_TERMINAL_PIN_KEY"),
                   help="the terminal's PIN key, 32 hex (default: env CLUB_TERMINAL_PIN_KEY)")
    p.set_defaults(func=run_activate)

    for name, help_text in (("suspend", "suspend an active card"), ("resume", "make a suspended card active again")):
        p = commands.add_parser(name, parents=[common], help=help_text)
        p.add_argument("card", help="card token")
        p.add_argument("--reason", default="customer_request", help="reason code (default customer_request)")
        p.set_defaults(func=run_status, status=pb.CARD_STATUS_SUSPENDED if name == "suspend" else pb.CARD_STATUS_ACTIVE)

    p = commands.add_parser("block", parents=[common], help="block a card for good (lost, stolen, closed, expired)")
    p.add_argument("card", help="card token")
    p.add_argument("--as", dest="final", choices=sorted(BLOCK_STATUSES), default="lost", help="final status (default lost)")
    p.add_argument("--reason", default="customer_request", help="reason code (default customer_request)")
    p.set_defaults(func=run_block)

    p = commands.add_parser("replace", parents=[common], help="new PAN for the same member; the old card is closed")
    p.add_argument("card", help="card token")
    p.add_argument("--reason", default="customer_request", help="reason code (default customer_request)")
    p.add_argument("--printing-file", metavar="FILE.csv", help="write the new PAN and CVV2 to this file (0600)")
    p.set_defaults(func=run_replace)

    p = commands.add_parser("events", parents=[common], help="a card's lifecycle events")
    p.add_argument("card", help="card token")
    add_paging(p, default_size=100)
    p.set_defaults(func=run_events)


# ---- issue and replace ---------------------------------------------------------------------------


def _printing_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PRINTING_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def _issued(ctx, reply: pb.IssueCardResponse, printing_file: str | None) -> None:
    if printing_file:
        card = reply.card
        service_code = ctx.cards.GetProduct(pb.GetProductRequest(product_id=card.product_id)).service_code
        write_private(printing_file, _printing_csv([[card.card_token, reply.pan, card.expiry, reply.cvv2, service_code,
                                                     card.member_id]]))
        ctx.note(f"card data for printing written to {printing_file} (0600)")
    ctx.emit(reply.card)


def run_issue(ctx, args) -> None:
    reply = ctx.cards.IssueCard(pb.IssueCardRequest(member_id=args.member, product_id=args.product,
                                                    campaign=args.campaign, channel=CHANNEL))
    _issued(ctx, reply, args.printing_file)


def run_replace(ctx, args) -> None:
    reply = ctx.cards.ReplaceCard(pb.ReplaceCardRequest(card_token=args.card, reason_code=args.reason, channel=CHANNEL))
    _issued(ctx, reply, args.printing_file)


# ---- bulk issuance ---------------------------------------------------------------------------------


def _campaign(args) -> str:
    return args.campaign or f"bulk-{dt.date.today():%Y%m%d}-{secrets.token_hex(2)}"


def _read_printing_file(path: pathlib.Path) -> list[list[str]] | None:
    """The server's printing file (card_token|pan|expiry|cvv2|service_code|member_id), when this
    machine can read it (same host or a shared volume); None otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return [line.split("|") for line in text.splitlines() if line and not line.startswith("#")]


def _listed_rows(ctx, campaign: str) -> list[list[str]]:
    """Without the server's file: the campaign's cards as the API shows them (masked PANs only)."""
    request = pb.ListCardsRequest(campaign=campaign, page_size=LIST_PAGE_MAX)
    rows = []
    while True:
        reply = ctx.cards.ListCards(request)
        rows += [[c.card_token, c.masked_pan, c.expiry, "", "", c.member_id] for c in reply.cards]
        if not reply.next_page_token:
            return rows
        request.page_token = reply.next_page_token


def run_bulk_issue(ctx, args) -> None:
    if bool(args.count) == bool(args.member):
        raise CliError("cards bulk-issue: give either --count N (new anonymous cards) or --member (repeatable)")
    if args.count is not None and args.count < 1:
        raise CliError("--count: must be at least 1")
    output = pathlib.Path(args.output)
    if output.exists() and output.is_dir():
        raise CliError(f"--output: {output} is a directory")
    campaign = _campaign(args)
    request = pb.BulkIssueCardsRequest(product_id=args.product, campaign=campaign, member_ids=args.member,
                                       count=args.count or 0, channel=CHANNEL)
    total = args.count or len(args.member)
    last = None
    # The bar goes to stderr, on a terminal only (disable=None), so pipes and --json stay clean.
    with tqdm(total=total, unit="card", desc="issuing", disable=True if ctx.json else None, leave=False,
              dynamic_ncols=True) as bar:
        for progress in ctx.cards.stream("BulkIssueCards", request, timeout=max(ctx.timeout, 60 + total / 50)):
            bar.total = progress.total
            bar.update(progress.issued - bar.n)
            last = progress
    if last is None or not last.done:
        raise CliError("the bulk issuance stream ended before it was done; nothing was printed")
    rows = _read_printing_file(pathlib.Path(last.printing_file))
    source = "server printing file"
    if rows is None:
        rows = _listed_rows(ctx, campaign)
        source = "card listing (masked PANs: the full printing file stays on the server)"
        ctx.note(f"the server's printing file {last.printing_file} is not readable here; "
                 "wrote the card list with masked PANs instead")
    write_private(output, _printing_csv(rows))
    summary = {"batch_id": last.batch_id, "campaign": campaign, "issued": last.issued, "output": str(output),
               "rows": len(rows), "source": source, "server_printing_file": last.printing_file,
               "sample": [{"card_token": row[0], "masked_pan": _masked(row[1]), "expiry": row[2]}
                          for row in rows[:SAMPLE_ROWS]]}

    def text():
        print(f"issued {last.issued} cards in batch {last.batch_id} (campaign {campaign})")
        print(f"wrote {len(rows)} rows to {output} (0600, from the {source})")
        for row in summary["sample"]:
            print(f"  {row['card_token']}  {row['masked_pan']}  {row['expiry']}")
        if len(rows) > SAMPLE_ROWS:
            print(f"  ... {len(rows) - SAMPLE_ROWS} more")

    ctx.emit(summary, text)


def _masked(pan: str) -> str:
    """Masked whether the row holds a full PAN (from the file) or an already masked one."""
    return pan if "*" in pan else masked(pan)


# ---- reads ----------------------------------------------------------------------------------------


def run_get(ctx, args) -> None:
    if bool(args.card) == bool(args.pan):
        raise CliError("cards get: give a card token or --pan")
    request = pb.GetCardRequest(card_token=args.card) if args.card else pb.GetCardRequest(pan=args.pan)
    ctx.emit(ctx.cards.GetCard(request))


def run_list(ctx, args) -> None:
    if not args.member and not args.campaign:
        raise CliError("cards list: give --member or --campaign")
    request = pb.ListCardsRequest(member_id=args.member, campaign=args.campaign)
    found, token = pages(ctx.cards.ListCards, request, "cards", args)
    emit_list(ctx, "cards", found, LIST_COLUMNS, token)


def run_events(ctx, args) -> None:
    found, token = pages(ctx.cards.ListCardEvents, pb.ListCardEventsRequest(card_token=args.card), "events", args)
    emit_list(ctx, "events", found, EVENT_COLUMNS, token)


# ---- lifecycle ------------------------------------------------------------------------------------


def run_activate(ctx, args) -> None:
    if bool(args.pin_block) == bool(args.pin):
        raise CliError("cards activate: give --pin-block HEX, or --pin with --pan, --terminal and --pin-key")
    if args.pin_block:
        try:
            block = bytes.fromhex(args.pin_block)
        except ValueError:
            raise CliError("--pin-block: must be hex") from None
        pin = pb.PinBlock(block=block, format=FORMATS[args.format], terminal_id=args.terminal)
    else:
        if not args.pan or not args.terminal or not args.pin_key:
            raise CliError("--pin: also give --pan, --terminal and --pin-key (the terminal's PIN key)")
        key = pins.parse_key(args.pin_key, "--pin-key")
        pin = pb.PinBlock(block=pins.iso0_block(args.pin, args.pan, key), format=pb.PIN_BLOCK_FORMAT_ISO_0,
                          terminal_id=args.terminal)
    ctx.emit(ctx.cards.ActivateCard(pb.ActivateCardRequest(card_token=args.card, pin=pin, channel=CHANNEL)))


def _change(ctx, card: str, status: int, reason: str) -> None:
    ctx.emit(ctx.cards.ChangeCardStatus(pb.ChangeCardStatusRequest(card_token=card, status=status, reason_code=reason,
                                                                   channel=CHANNEL)))


def run_status(ctx, args) -> None:
    _change(ctx, args.card, args.status, args.reason)


def run_block(ctx, args) -> None:
    _change(ctx, args.card, BLOCK_STATUSES[args.final], args.reason)

