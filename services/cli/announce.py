"""clubctl announce preview|send|status|messages|inbox

Announcements to members through crm's outbox: SMS, email and the member's inbox. A template is
Persian text with {variables}: the member's own (name, first_name, last_name, tier) and those
given here (--text, --rials, --number, --date). Marketing (--marketing) goes only to members who
consented for the channel, at most a few a day each, and marketing SMS waits out quiet hours.
"""

from __future__ import annotations

from tqdm import tqdm

from services.gen.club.crm.v1 import crm_pb2 as pb

from .core import CliError, print_table, rials, to_dict
from .offers import DEFAULT_TIME_ZONE, _zone, parse_instant

CHANNELS = {"sms": pb.CHANNEL_SMS, "email": pb.CHANNEL_EMAIL, "inbox": pb.CHANNEL_INBOX}
STATES = {name.removeprefix("DELIVERY_STATE_").lower(): value for name, value in pb.DeliveryState.items() if value}
MESSAGE_COLUMNS = ["message_id", "member_id", "channel", "kind", "state", "reason", "attempts", "sent_at"]
STREAM_TIMEOUT_SECONDS = 3600


def _variables(parser) -> None:
    group = parser.add_argument_group("template variables (repeatable)")
    group.add_argument("--text", action="append", default=[], metavar="NAME=VALUE", help="text as given")
    group.add_argument("--rials", action="append", default=[], metavar="NAME=AMOUNT", help="«۲۵۰٬۰۰۰ ریال»")
    group.add_argument("--number", action="append", default=[], metavar="NAME=N", help="«۱٬۲۵۰»")
    group.add_argument("--date", action="append", default=[], metavar="NAME=DATE",
                       help="a date or date-time local to --time-zone, written as a Jalali date")
    group.add_argument("--time-zone", default=DEFAULT_TIME_ZONE)


def register(groups, common) -> None:
    group = groups.add_parser("announce", help="announcements and notifications: SMS, email, the inbox")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("preview", parents=[common], help="render a template as a member would read it")
    p.add_argument("--template", required=True)
    p.add_argument("--member", default="", help="fill the member's own variables from this member")
    _variables(p)
    p.set_defaults(func=run_preview)

    p = commands.add_parser("send", parents=[common], help="queue a message for an audience, with progress")
    p.add_argument("--template", required=True)
    p.add_argument("--channel", action="append", choices=sorted(CHANNELS), required=True, help="repeatable")
    p.add_argument("--subject", default="", help="email subject and inbox title")
    p.add_argument("--marketing", action="store_true", help="needs consent; capped per day; SMS waits out quiet hours")
    p.add_argument("--tier", action="append", default=[], help="members of this tier (repeatable)")
    p.add_argument("--segment", action="append", default=[], help="members of this segment (repeatable)")
    p.add_argument("--interest", action="append", default=[],
                   help="members interested in this category (repeatable; with --tier or --segment: both must match)")
    p.add_argument("--member", action="append", default=[], help="this member (repeatable)")
    p.add_argument("--id", default="", help="announcement id (default: generated); the same id again queues once")
    _variables(p)
    p.set_defaults(func=run_send)

    p = commands.add_parser("status", parents=[common], help="an announcement's messages by delivery state")
    p.add_argument("announcement_id")
    p.set_defaults(func=run_status)

    p = commands.add_parser("messages", parents=[common], help="messages of a member or an announcement")
    p.add_argument("--member", default="")
    p.add_argument("--announcement", default="")
    p.add_argument("--state", choices=sorted(STATES), default=None)
    p.add_argument("--limit", type=int, default=100)
    p.set_defaults(func=run_messages)

    p = commands.add_parser("inbox", parents=[common], help="a member's inbox")
    p.add_argument("member_id")
    p.add_argument("--unread", action="store_true")
    p.set_defaults(func=run_inbox)


def variables(args) -> list[pb.Variable]:
    zone = _zone(args.time_zone)
    result = []
    for option, items in (("--text", args.text), ("--rials", args.rials), ("--number", args.number),
                          ("--date", args.date)):
        for item in items:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise CliError(f"{option}: expected NAME=VALUE, got {item!r}")
            if option == "--text":
                result.append(pb.Variable(name=name, text=value))
            elif option == "--date":
                result.append(pb.Variable(name=name, date=parse_instant(value, zone, option)))
            else:
                try:
                    amount = rials(value)
                except Exception as exc:
                    raise CliError(f"{option} {name}: {exc}") from None
                result.append(pb.Variable(name=name, **{option.removeprefix("--"): amount}))
    return result


def run_preview(ctx, args) -> None:
    reply = ctx.stub("crm").PreviewMessage(pb.PreviewMessageRequest(template=args.template, member_id=args.member,
                                                                    variables=variables(args)))
    ctx.emit(reply, lambda: print(f"{reply.text}\n({reply.characters} characters, {reply.sms_parts} SMS part"
                                  f"{'s' if reply.sms_parts != 1 else ''})"))


def run_send(ctx, args) -> None:
    if not (args.tier or args.segment or args.member or args.interest):
        raise CliError("announce send: give --tier, --segment, --interest or --member (each repeatable)")
    request = pb.AnnounceRequest(announcement_id=args.id, channels=[CHANNELS[c] for c in args.channel],
                                 template=args.template, subject=args.subject, variables=variables(args),
                                 marketing=args.marketing, tiers=args.tier, segments=args.segment,
                                 member_ids=args.member, interests=args.interest)
    last = None
    with tqdm(unit="member", desc="queueing", disable=True if ctx.json else None, leave=False,
              dynamic_ncols=True) as bar:
        for progress in ctx.stub("crm").stream("Announce", request, timeout=max(ctx.timeout, STREAM_TIMEOUT_SECONDS)):
            bar.total = progress.total
            bar.update(progress.processed - bar.n)
            last = progress
    if last is None or not last.done:
        raise CliError("the stream ended before every message was queued; run it again with --id "
                       f"{last.announcement_id if last else '<id>'} (nothing is queued twice)")
    ctx.emit(last, lambda: print(f"announcement {last.announcement_id}: {last.queued} messages queued for "
                                 f"{last.total} members ({last.skipped_consent} without consent, "
                                 f"{last.skipped_address} without an address)"))


def run_status(ctx, args) -> None:
    status = ctx.stub("crm").GetAnnouncement(pb.GetAnnouncementRequest(announcement_id=args.announcement_id))

    def text():
        print(f"announcement {status.announcement_id}: {status.total} members"
              f"{'' if status.queued else ' (still queueing)'}")
        for count in status.messages:
            print(f"  {pb.DeliveryState.Name(count.state).removeprefix('DELIVERY_STATE_').lower():8} {count.count}")

    ctx.emit(status, text)


def run_messages(ctx, args) -> None:
    if bool(args.member) == bool(args.announcement):
        raise CliError("announce messages: give --member or --announcement")
    found = ctx.stub("crm").ListMessages(pb.ListMessagesRequest(
        member_id=args.member, announcement_id=args.announcement, limit=args.limit,
        state=STATES[args.state] if args.state else 0)).messages
    rows = [to_dict(m) for m in found]
    ctx.emit({"messages": rows}, lambda: print_table(rows, MESSAGE_COLUMNS))


def run_inbox(ctx, args) -> None:
    inbox = ctx.stub("crm").ListInbox(pb.ListInboxRequest(member_id=args.member_id, unread_only=args.unread))
    rows = [to_dict(m) for m in inbox.messages]
    ctx.emit({"messages": rows, "unread": inbox.unread},
             lambda: (print_table(rows, ["message_id", "created_at", "read_at", "subject", "body"]),
                      print(f"{inbox.unread} unread")))
