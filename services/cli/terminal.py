"""clubctl terminal purchase|refund|balance|preauth|complete|reverse|echo|signon|signoff

An ISO 8583 terminal simulator speaking the switch's wire contract over TCP: a 2-byte length
before each message, pyiso8583's `default` spec, a PIN block (field 52) in ISO 9564 format 0 under
the terminal PIN key, and a retail MAC (field 64, or 128 when a secondary bitmap is present)
under the terminal MAC key. The message layout, framing, MAC, field 90/95/54 rules and response
codes are the switch's own (services.switch.iso); only what a terminal does is here.

The card and terminal come from flags (--pan --expiry --pin --terminal --merchant --pin-key
--mac-key) or from a demo seed file (--demo FILE.json --card N --terminal N). Every answer is
printed decoded, with the PAN masked. A small journal (no PANs, no PINs) remembers each
terminal's STAN counter and recent transactions, so refund/complete/reverse can name their
original with --last or --rrn.

Exit status: 0 approved, 3 declined (the answer is printed), 1 no answer, 2 bad arguments.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import pathlib
import secrets
from dataclasses import dataclass

import iso8583

from services.shared import response_codes as codes
from services.shared.limits import PAN_MAX_LENGTH, PAN_MIN_LENGTH
from services.switch.iso import codec, fields, framing, mac, spec

from . import pins
from .core import CliError, masked, print_record, rials, write_private

DEFAULT_ISO_ADDR = "127.0.0.1:8583"
EXIT_DECLINED = 3
JOURNAL_KEEP = 50
ZERO_IDS = "0" * 11  # acquirer and forwarding institution ids in field 90
POS_ENTRY_MODE = "021"  # magnetic stripe read, PIN entry capable
PROCESSING = {"purchase": "000000", "points": f"00{spec.POINTS_ACCOUNT}00", "refund": f"{spec.REFUND}0000",
              "balance": f"{spec.BALANCE_INQUIRY}0000"}
NETWORK = {"echo": spec.ECHO_TEST, "signon": spec.SIGN_ON, "signoff": spec.SIGN_OFF}
BLOCK_LABELS = {
    (fields.ACCOUNT_CREDIT, fields.AMOUNT_AVAILABLE): "credit_available",
    (fields.ACCOUNT_POINTS, fields.AMOUNT_AVAILABLE): "points_balance",
    (fields.ACCOUNT_CREDIT, fields.AMOUNT_DISCOUNT): "discount_applied",
    (fields.ACCOUNT_POINTS, fields.AMOUNT_POINTS_EARNED): "points_earned",
}


class NoAnswer(CliError):
    exit_code = 1


@dataclass
class Card:
    pan: str
    expiry: str = ""
    pin: str = ""


@dataclass
class Terminal:
    terminal_id: str
    merchant_id: str = ""
    pin_key: bytes | None = None
    mac_key: bytes | None = None


# ---- arguments ---------------------------------------------------------------------------------------


def _journal_default() -> str:
    if os.environ.get("CLUB_TERMINAL_JOURNAL"):
        return os.environ["CLUB_TERMINAL_JOURNAL"]
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(state, "clubctl", "terminal-journal.json")


def _connection_options(p) -> None:
    p.add_argument("--iso-addr", default=os.environ.get("CLUB_ISO_ADDR", DEFAULT_ISO_ADDR),
                   help=f"switch ISO 8583 address (default: env CLUB_ISO_ADDR or {DEFAULT_ISO_ADDR})")
    p.add_argument("--header", choices=framing.HEADER_KINDS, default=framing.BINARY_HEADER,
                   help="length header: 2-byte binary (default) or 4 ASCII digits")
    p.add_argument("--wait", type=float, default=30.0, help="seconds to wait for the answer (default 30)")
    p.add_argument("--journal", default=_journal_default(),
                   help="STAN counter and recent transactions (no card data); default env CLUB_TERMINAL_JOURNAL")
    p.add_argument("--no-journal", action="store_true", help="keep no journal (random STANs)")
    p.add_argument("--stan", help="this message's STAN, 6 digits (default: the journal's next)")


def _terminal_options(p, card: bool) -> None:
    source = p.add_argument_group("card and terminal (flags, or a demo seed file)")
    source.add_argument("--demo", metavar="FILE.json", help="take them from `clubctl demo seed` output")
    if card:
        source.add_argument("--card", help="with --demo: card index (default 0) or card token")
        source.add_argument("--pan", help="card number")
        source.add_argument("--expiry", help="YYMM")
        source.add_argument("--pin", help="PIN, sent as an ISO 0 PIN block under the PIN key")
    source.add_argument("--terminal", help="terminal id (8); with --demo: index (default 0) or id")
    source.add_argument("--merchant", help="merchant id (field 42)")
    source.add_argument("--pin-key", default=os.environ.get("CLUB_TERMINAL_PIN_KEY"),
                        help="terminal PIN key, 32 hex (default: env CLUB_TERMINAL_PIN_KEY)")
    source.add_argument("--mac-key", default=os.environ.get("CLUB_TERMINAL_MAC_KEY"),
                        help="terminal MAC key, 32 hex (default: env CLUB_TERMINAL_MAC_KEY); none = no MAC")


def _original_options(p, what: str) -> None:
    original = p.add_argument_group(f"the original {what}")
    original.add_argument("--last", action="store_true", help=f"this terminal's last approved {what} (journal)")
    original.add_argument("--rrn", help="the original's RRN (field 37 of its answer), looked up in the journal")
    original.add_argument("--original-stan", help="the original's STAN (field 11)")
    original.add_argument("--original-time", metavar="MMDDhhmmss", help="the original's field 7")
    original.add_argument("--original-amount", type=rials, help="the original's amount, rials")


def register(groups, common) -> None:
    group = groups.add_parser("terminal", help="ISO 8583 terminal simulator")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    def leaf(name: str, help_text: str, card: bool = True):
        p = commands.add_parser(name, parents=[common], help=help_text)
        _terminal_options(p, card)
        _connection_options(p)
        return p

    p = leaf("purchase", "0200 purchase (000000), or with --points pay with points (009000)")
    p.add_argument("--amount", type=rials, required=True, help="rials")
    p.add_argument("--points", action="store_true", help="pay with points")
    p.set_defaults(func=run_financial, kind="purchase")

    p = leaf("refund", "0200 refund (200000) of an earlier purchase, named by its RRN")
    p.add_argument("--amount", type=rials, required=True, help="rials to refund")
    p.add_argument("--rrn", help="RRN of the purchase (field 37 of its answer)")
    p.add_argument("--last", action="store_true", help="refund this terminal's last approved purchase (journal)")
    p.set_defaults(func=run_refund)

    p = leaf("balance", "0200 balance inquiry (310000)")
    p.set_defaults(func=run_financial, kind="balance", amount=0, points=False)

    p = leaf("preauth", "0100 pre-authorization (a hold)")
    p.add_argument("--amount", type=rials, required=True, help="rials to hold")
    p.set_defaults(func=run_financial, kind="preauth", points=False)

    p = leaf("complete", "0220 completion of a pre-authorization")
    p.add_argument("--amount", type=rials, required=True, help="final amount, rials")
    _original_options(p, "pre-authorization")
    p.set_defaults(func=run_complete)

    p = leaf("reverse", "0400 reversal (whole, or partial with --remaining)")
    _original_options(p, "purchase or pre-authorization")
    p.add_argument("--original-mti", choices=["0200", "0100"], help="the original's MTI (default 0200)")
    p.add_argument("--remaining", type=rials, help="partial reversal: the amount that stands afterwards (field 95)")
    p.add_argument("--advice", action="store_true", help="send 0420 (reversal advice) instead of 0400")
    p.set_defaults(func=run_reverse)

    p = leaf("reconcile", "0500 reconciliation: this terminal's purchase totals since its last one", card=False)
    p.add_argument("--purchases", type=int, required=True, help="number of purchases the terminal counted")
    p.add_argument("--amount", type=rials, required=True, help="their total, rials")
    p.set_defaults(func=run_reconcile)

    for name, help_text in (("echo", "0800 echo test (301)"), ("signon", "0800 sign-on (001)"),
                            ("signoff", "0800 sign-off (002)")):
        p = leaf(name, help_text, card=False)
        p.set_defaults(func=run_network, network=NETWORK[name])


# ---- card and terminal ------------------------------------------------------------------------------


def _load_demo(path: str) -> dict:
    try:
        return json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"--demo: cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError:
        raise CliError(f"--demo: {path} is not a demo seed file (JSON)") from None


def _pick(items: list[dict], wanted: str | None, key: str, option: str) -> dict:
    if not items:
        raise CliError(f"{option}: the demo file has none")
    wanted = wanted if wanted is not None else "0"
    if wanted.isdigit() and len(wanted) < 4:
        index = int(wanted)
        if index >= len(items):
            raise CliError(f"{option}: index {index} is out of range (the demo file has {len(items)}, from 0)")
        return items[index]
    for item in items:
        if item.get(key) == wanted:
            return item
    raise CliError(f"{option}: {wanted!r} is not in the demo file")


def resolve(args, card: bool = True) -> tuple[Card | None, Terminal]:
    demo = _load_demo(args.demo) if args.demo else None
    if demo is not None:
        term = _pick(demo.get("terminals", []), args.terminal, "terminal_id", "--terminal")
        terminal = Terminal(term["terminal_id"], args.merchant or term.get("merchant_id", ""),
                            pins.parse_key(args.pin_key or term.get("pin_key", ""), "pin_key")
                            if (args.pin_key or term.get("pin_key")) else None,
                            pins.parse_key(args.mac_key or term.get("mac_key", ""), "mac_key")
                            if (args.mac_key or term.get("mac_key")) else None)
    else:
        if not args.terminal:
            raise CliError("--terminal: give the terminal id (or --demo FILE.json)")
        terminal = Terminal(args.terminal, args.merchant or "",
                            pins.parse_key(args.pin_key, "--pin-key") if args.pin_key else None,
                            pins.parse_key(args.mac_key, "--mac-key") if args.mac_key else None)
    if len(terminal.terminal_id) != 8:
        raise CliError(f"--terminal: a terminal id is 8 characters, got {len(terminal.terminal_id)}")
    if len(terminal.merchant_id) > 15:
        raise CliError("--merchant: a merchant id is at most 15 characters")
    if not card:
        return None, terminal
    if demo is not None and not args.pan:
        entry = _pick(demo.get("cards", []), args.card, "card_token", "--card")
        result = Card(entry["pan"], args.expiry or entry.get("expiry", ""), args.pin or entry.get("pin", ""))
    else:
        if not args.pan:
            raise CliError("--pan: give the card number (or --demo FILE.json)")
        result = Card(args.pan, args.expiry or "", args.pin or "")
    if not result.pan.isdigit() or not PAN_MIN_LENGTH <= len(result.pan) <= PAN_MAX_LENGTH:
        raise CliError(f"--pan: a card number is {PAN_MIN_LENGTH} to {PAN_MAX_LENGTH} digits")
    if result.expiry and (len(result.expiry) != 4 or not result.expiry.isdigit()):
        raise CliError("--expiry: YYMM")
    if result.pin:
        pins.check_pin(result.pin)
        if terminal.pin_key is None:
            raise CliError("--pin: needs the terminal's PIN key (--pin-key) to make the PIN block")
    return result, terminal


# ---- journal (no card data) ----------------------------------------------------------------------------


class Journal:
    def __init__(self, path: str | None):
        self.path = pathlib.Path(path) if path else None
        self.data = {"terminals": {}}
        if self.path and self.path.exists():
            with contextlib.suppress(OSError, json.JSONDecodeError):
                self.data = json.loads(self.path.read_text(encoding="utf-8"))

    def _terminal(self, terminal_id: str) -> dict:
        return self.data.setdefault("terminals", {}).setdefault(terminal_id, {"stan": 0, "transactions": []})

    def next_stan(self, terminal_id: str) -> str:
        if self.path is None:
            return f"{secrets.randbelow(999_999) + 1:06d}"
        entry = self._terminal(terminal_id)
        entry["stan"] = entry.get("stan", 0) % 999_999 + 1
        self.save()
        return f"{entry['stan']:06d}"

    def record(self, terminal_id: str, item: dict) -> None:
        if self.path is None:
            return
        entry = self._terminal(terminal_id)
        entry["transactions"] = [*entry.get("transactions", []), item][-JOURNAL_KEEP:]
        self.save()

    def find(self, terminal_id: str, mtis: tuple[str, ...], rrn: str | None = None, kinds: tuple[str, ...] = ()) -> dict:
        for item in reversed(self._terminal(terminal_id).get("transactions", [])):
            if item.get("mti") not in mtis or item.get("response_code") != codes.APPROVED:
                continue
            if kinds and item.get("kind") not in kinds:
                continue
            if rrn is None or item.get("rrn") == rrn:
                return item
        where = f"with RRN {rrn}" if rrn else "approved"
        raise CliError(f"no {where} {'/'.join(mtis)} of terminal {terminal_id} in the journal "
                       f"({self.path}); give --original-stan, --original-time and --original-amount")

    def save(self) -> None:
        if self.path is not None:
            write_private(self.path, json.dumps(self.data, indent=1) + "\n")


# ---- messages -----------------------------------------------------------------------------------------


def _now() -> tuple[str, str, str]:
    utc, local = dt.datetime.now(dt.UTC), dt.datetime.now()
    return utc.strftime("%m%d%H%M%S"), local.strftime("%H%M%S"), local.strftime("%m%d")


def _stan(args, journal: Journal, terminal: Terminal) -> str:
    if args.stan:
        if len(args.stan) != 6 or not args.stan.isdigit():
            raise CliError("--stan: 6 digits")
        return args.stan
    return journal.next_stan(terminal.terminal_id)


def _base(mti: str, terminal: Terminal, stan: str) -> dict:
    transmitted, local_time, local_date = _now()
    message = {"t": mti, "7": transmitted, "11": stan, "12": local_time, "13": local_date,
               "41": terminal.terminal_id}
    if terminal.merchant_id:
        message["42"] = terminal.merchant_id.ljust(15)
    return message


def _card_fields(message: dict, card: Card, terminal: Terminal, pin: bool = True) -> None:
    message["2"] = card.pan
    if card.expiry:
        message["14"] = card.expiry
    message["22"] = POS_ENTRY_MODE
    message["49"] = spec.CURRENCY_IRR
    if pin and card.pin:
        message["52"] = pins.iso0_block(card.pin, card.pan, terminal.pin_key).hex().upper()


async def _exchange(address: str, header: str, payload: bytes, terminal_id: str, stan: str, wait: float) -> bytes:
    host, _, port = address.rpartition(":")
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host or "127.0.0.1", int(port)), wait)
    except (TimeoutError, OSError) as exc:
        raise NoAnswer(f"cannot connect to the switch at {address}: {exc or 'timed out'} "
                       "(is it running? set CLUB_ISO_ADDR or --iso-addr)") from None
    try:
        writer.write(framing.frame(payload, header))
        await writer.drain()
        async with asyncio.timeout(wait):
            while True:  # answers may come out of order: ours is the one with our 41 + 11
                frame = await framing.read_frame(reader, header)
                if not frame:
                    continue
                try:
                    decoded, _ = iso8583.decode(frame, spec.SPEC)
                except iso8583.DecodeError:
                    continue
                if decoded.get("41") == terminal_id and decoded.get("11") == stan:
                    return frame
    except TimeoutError:
        raise NoAnswer(f"no answer from {address} within {wait:g}s") from None
    except (asyncio.IncompleteReadError, ConnectionError, framing.FrameError) as exc:
        raise NoAnswer(f"the switch at {address} closed the connection without answering ({type(exc).__name__})") \
            from None
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def additional_amounts(value: str) -> dict:
    result = {"blocks": []}
    for block in fields.parse_additional_amounts(value):
        label = BLOCK_LABELS.get((block.account_type, block.amount_type), "")
        result["blocks"].append({"account_type": block.account_type, "amount_type": block.amount_type,
                                 "currency": block.currency, "amount": block.amount, "meaning": label or "other"})
        if label:
            result[label] = block.amount
    return result


def describe(kind: str, request: dict, frame: bytes, terminal: Terminal) -> dict:
    response, _ = iso8583.decode(frame, spec.SPEC)
    code = response.get("39", "")
    answer = {"mti": response.get("t", ""), "response_code": code, "meaning": codes.meaning(code),
              "approved": code == codes.APPROVED, "approval_code": response.get("38", "").strip(),
              "rrn": response.get("37", "").strip(), "stan": response.get("11", ""),
              "transmitted": response.get("7", "")}
    if "2" in response:
        answer["masked_pan"] = masked(response["2"])
    if "4" in response and response["4"].isdigit():
        answer["amount"] = int(response["4"])
    if response.get("54"):
        try:
            answer.update(additional_amounts(response["54"]))
        except fields.FieldFormatError as exc:
            answer["additional_amounts_error"] = str(exc)
    mac_field = "128" if "128" in response else "64" if "64" in response else ""
    if mac_field and terminal.mac_key is not None:
        answer["mac"] = "verified" if mac.verify(terminal.mac_key, frame) else "MISMATCH"
    elif mac_field:
        answer["mac"] = "present (no MAC key to check it)"
    sent = {"mti": request["t"], "kind": kind, "terminal_id": request["41"], "merchant_id": request.get("42", "").strip(),
            "stan": request["11"], "transmitted": request["7"]}
    if "2" in request:
        sent["masked_pan"] = masked(request["2"])
    for key, name in (("3", "processing_code"), ("90", "original_data"), ("95", "replacement_amounts"),
                      ("70", "network_code")):
        if key in request:
            sent[name] = request[key]
    if "4" in request:
        sent["amount"] = int(request["4"])
    sent["pin_block"] = "sent" if "52" in request else "none"
    sent["mac"] = "sent" if terminal.mac_key is not None else "none"
    return {"request": sent, "response": answer}


def _print(result: dict) -> None:
    sent, answer = result["request"], result["response"]
    title = f"{answer['mti']} {answer['response_code']} {answer['meaning']}"
    print(f"{title}  ({sent['kind']} {sent['mti']}, terminal {sent['terminal_id']}, stan {sent['stan']})")
    shown = {key: value for key, value in answer.items()
             if key not in ("mti", "response_code", "meaning", "blocks") and value not in ("", None)}
    for label in ("credit_available", "discount_applied"):
        if label in shown:
            shown[label] = f"{shown[label]:,} IRR"
    if "amount" in shown:
        shown["amount"] = f"{shown['amount']:,} IRR"
    for label in ("points_balance", "points_earned"):
        if label in shown:
            shown[label] = f"{shown[label]:,} points"
    print_record(shown)


def send(ctx, args, kind: str, message: dict, terminal: Terminal, journal: Journal) -> int:
    payload = codec.encode(message, terminal.mac_key)
    frame = asyncio.run(_exchange(args.iso_addr, args.header, payload, terminal.terminal_id, message["11"], args.wait))
    result = describe(kind, message, frame, terminal)
    answer = result["response"]
    journal.record(terminal.terminal_id, {
        "kind": kind, "mti": message["t"], "processing_code": message.get("3", ""), "stan": message["11"],
        "transmitted": message["7"], "amount": int(message.get("4", "0")), "rrn": answer["rrn"],
        "approval_code": answer["approval_code"], "response_code": answer["response_code"],
        "masked_pan": masked(message["2"]) if "2" in message else "",
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})
    ctx.emit(result, lambda: _print(result))
    return 0 if answer["approved"] else EXIT_DECLINED


# ---- commands -------------------------------------------------------------------------------------------


def _journal(args) -> Journal:
    return Journal(None if args.no_journal else args.journal)


def run_financial(ctx, args) -> int:
    card, terminal = resolve(args)
    journal = _journal(args)
    kind = "points" if args.points else args.kind
    mti = "0100" if args.kind == "preauth" else "0200"
    message = _base(mti, terminal, _stan(args, journal, terminal))
    message["3"] = PROCESSING["purchase" if args.kind == "preauth" else kind]
    message["4"] = f"{args.amount:012d}"
    _card_fields(message, card, terminal)
    return send(ctx, args, kind, message, terminal, journal)


def run_refund(ctx, args) -> int:
    card, terminal = resolve(args)
    journal = _journal(args)
    if bool(args.rrn) == bool(args.last):
        raise CliError("terminal refund: give --rrn (the purchase's RRN) or --last")
    rrn = args.rrn or journal.find(terminal.terminal_id, ("0200",), kinds=("purchase", "points"))["rrn"]
    if not rrn:
        raise CliError("the original purchase has no RRN in the journal; give --rrn")
    message = _base("0200", terminal, _stan(args, journal, terminal))
    message["3"] = PROCESSING["refund"]
    message["4"] = f"{args.amount:012d}"
    message["37"] = rrn.rjust(12, "0")
    _card_fields(message, card, terminal)
    return send(ctx, args, "refund", message, terminal, journal)


def _original(args, journal: Journal, terminal: Terminal, mtis: tuple[str, ...], kinds: tuple[str, ...]) -> dict:
    explicit = args.original_stan or args.original_time
    chosen = sum(bool(x) for x in (args.last, args.rrn, explicit))
    if chosen != 1:
        raise CliError("name the original once: --last, --rrn, or --original-stan with --original-time "
                       "and --original-amount")
    if not explicit:
        return journal.find(terminal.terminal_id, mtis, args.rrn, kinds)
    if not (args.original_stan and args.original_time and args.original_amount is not None):
        raise CliError("--original-stan, --original-time and --original-amount go together")
    if len(args.original_stan) != 6 or not args.original_stan.isdigit():
        raise CliError("--original-stan: 6 digits")
    if len(args.original_time) != 10 or not args.original_time.isdigit():
        raise CliError("--original-time: MMDDhhmmss (the original's field 7)")
    return {"mti": getattr(args, "original_mti", None) or mtis[0], "stan": args.original_stan,
            "transmitted": args.original_time, "amount": args.original_amount}


def _field_90(original: dict) -> str:
    return str(fields.OriginalData(original["mti"], original["stan"], original["transmitted"], ZERO_IDS, ZERO_IDS))


def run_complete(ctx, args) -> int:
    card, terminal = resolve(args)
    journal = _journal(args)
    original = _original(args, journal, terminal, ("0100",), ("preauth",))
    message = _base("0220", terminal, _stan(args, journal, terminal))
    message["3"] = PROCESSING["purchase"]
    message["4"] = f"{args.amount:012d}"
    message["90"] = _field_90(original)
    _card_fields(message, card, terminal, pin=False)
    return send(ctx, args, "completion", message, terminal, journal)


def run_reverse(ctx, args) -> int:
    card, terminal = resolve(args)
    journal = _journal(args)
    mtis = (args.original_mti,) if args.original_mti else ("0200", "0100")
    original = _original(args, journal, terminal, mtis, ("purchase", "points", "preauth"))
    amount = original["amount"] if args.original_amount is None else args.original_amount
    if args.remaining is not None and args.remaining >= amount:
        raise CliError("--remaining: must be less than the original amount (it is what stands afterwards)")
    message = _base("0420" if args.advice else "0400", terminal, _stan(args, journal, terminal))
    message["3"] = original.get("processing_code") or PROCESSING["purchase"]
    message["4"] = f"{amount:012d}"
    message["90"] = _field_90(original)
    if args.remaining is not None:
        message["95"] = f"{args.remaining:012d}".ljust(42, "0")
    _card_fields(message, card, terminal, pin=False)
    return send(ctx, args, "reversal", message, terminal, journal)


def run_network(ctx, args) -> int:
    _, terminal = resolve(args, card=False)
    journal = _journal(args)
    transmitted, _, _ = _now()
    message = {"t": "0800", "7": transmitted, "11": _stan(args, journal, terminal), "41": terminal.terminal_id,
               "70": args.network}
    return send(ctx, args, {spec.ECHO_TEST: "echo", spec.SIGN_ON: "signon", spec.SIGN_OFF: "signoff"}[args.network],
                message, terminal, journal)


def run_reconcile(ctx, args) -> int:
    if args.purchases < 0:
        raise CliError("--purchases must not be negative")
    _, terminal = resolve(args, card=False)
    journal = _journal(args)
    message = _base("0500", terminal, _stan(args, journal, terminal))
    message[spec.RECONCILIATION_FIELDS["purchase_count"]] = f"{args.purchases:010d}"
    message[spec.RECONCILIATION_FIELDS["purchase_amount"]] = f"{args.amount:016d}"
    return send(ctx, args, "reconcile", message, terminal, journal)
