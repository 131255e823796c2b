"""clubctl crm interactions add|list|get|status, crm queue, crm member-360, crm interests

Member care: every contact with a member recorded (channel, kind, subject and text as given,
an optional link to a transaction, card or event) with a status history; the agents' work queue,
highest tier first, then the oldest, against each tier's response target; the member at a glance.
Free text is printed as text: control characters are shown escaped, never sent to the terminal.
"""

from __future__ import annotations

from services.gen.club.crm.v1 import crm_pb2 as pb

from .core import CliError, print_record, print_table, to_dict

CHANNELS = {"branch": pb.INTERACTION_CHANNEL_BRANCH, "call-centre": pb.INTERACTION_CHANNEL_CALL_CENTRE,
            "sms": pb.INTERACTION_CHANNEL_SMS, "portal": pb.INTERACTION_CHANNEL_PORTAL,
            "email": pb.INTERACTION_CHANNEL_EMAIL}
KINDS = {"request": pb.INTERACTION_KIND_REQUEST, "complaint": pb.INTERACTION_KIND_COMPLAINT,
         "question": pb.INTERACTION_KIND_QUESTION, "feedback": pb.INTERACTION_KIND_FEEDBACK,
         "suggestion": pb.INTERACTION_KIND_SUGGESTION}
STATUSES = {"open": pb.INTERACTION_STATUS_OPEN, "in-progress": pb.INTERACTION_STATUS_IN_PROGRESS,
            "resolved": pb.INTERACTION_STATUS_RESOLVED}
LINKS = {"transaction": pb.LINK_KIND_TRANSACTION, "card": pb.LINK_KIND_CARD, "event": pb.LINK_KIND_EVENT}
COLUMNS = ["interaction_id", "member_id", "tier", "channel", "kind", "status", "subject", "created_at", "due_at",
           "overdue"]


def safe(value: str) -> str:
    """Text as given, but every character a terminal would act on (escapes, controls, line
    breaks) shown as its \\u escape."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in value)


def _short(name: str, prefix: str) -> str:
    return name.removeprefix(prefix).lower().replace("_", "-")


def interaction_row(message: pb.Interaction) -> dict:
    row = to_dict(message)
    row["channel"] = _short(row["channel"], "INTERACTION_CHANNEL_")
    row["kind"] = _short(row["kind"], "INTERACTION_KIND_")
    row["status"] = _short(row["status"], "INTERACTION_STATUS_")
    row["tier"] = row["tier"] or "none"
    for key in ("subject", "body"):
        row[key] = safe(row[key])
    row.pop("history", None)
    return row


def register(groups, common) -> None:
    group = groups.add_parser("crm", help="member care: interactions, the work queue, the member at a glance")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    interactions = commands.add_parser("interactions", help="contacts with members")
    sub = interactions.add_subparsers(dest="action", metavar="<action>", required=True)
    p = sub.add_parser("add", parents=[common], help="record a contact")
    p.add_argument("member_id")
    p.add_argument("--channel", choices=sorted(CHANNELS), required=True)
    p.add_argument("--kind", choices=sorted(KINDS), required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--text", default="", help="the member's words, stored as given")
    p.add_argument("--link", default="", metavar="KIND:ID",
                   help="the transaction, card or event it is about, e.g. transaction:TX1")
    p.set_defaults(func=run_add)

    p = sub.add_parser("list", parents=[common], help="a member's interactions, newest first")
    p.add_argument("member_id")
    p.add_argument("--open", action="store_true", help="only those not resolved")
    p.set_defaults(func=run_list)

    p = sub.add_parser("get", parents=[common], help="an interaction with its status history")
    p.add_argument("member_id")
    p.add_argument("interaction_id")
    p.set_defaults(func=run_get)

    p = sub.add_parser("status", parents=[common], help="move an interaction: open, in-progress, resolved")
    p.add_argument("interaction_id")
    p.add_argument("status", choices=sorted(STATUSES))
    p.add_argument("--note", default="")
    p.set_defaults(func=run_status)

    p = commands.add_parser("queue", parents=[common],
                            help="interactions not resolved: highest tier first, then the oldest; each tier's backlog")
    p.add_argument("--tier", default="", help="only this tier (none = members without a tier)")
    p.add_argument("--limit", type=int, default=0, help="at most this many (default 100)")
    p.set_defaults(func=run_queue)

    p = commands.add_parser("member-360", parents=[common], help="the member at a glance")
    p.add_argument("member_id")
    p.set_defaults(func=run_member_360)

    p = commands.add_parser("interests", parents=[common],
                            help="a member's interests; with --set, replace them (an empty --set clears)")
    p.add_argument("member_id")
    p.add_argument("--set", nargs="*", default=None, metavar="CATEGORY")
    p.set_defaults(func=run_interests)


def run_add(ctx, args) -> None:
    link_kind, link_id = 0, ""
    if args.link:
        kind, _, link_id = args.link.partition(":")
        if kind not in LINKS or not link_id:
            raise CliError(f"--link must be KIND:ID with KIND one of {', '.join(sorted(LINKS))}")
        link_kind = LINKS[kind]
    made = ctx.stub("crm").RecordInteraction(pb.RecordInteractionRequest(
        member_id=args.member_id, channel=CHANNELS[args.channel], kind=KINDS[args.kind], subject=args.subject,
        body=args.text, link_kind=link_kind, link_id=link_id))
    ctx.emit(made, lambda: print(f"recorded {made.interaction_id} ({_short(pb.InteractionStatus.Name(made.status), 'INTERACTION_STATUS_')},"
                                 f" due {to_dict(made)['due_at']})"))


def run_list(ctx, args) -> None:
    found = ctx.stub("crm").ListInteractions(pb.ListInteractionsRequest(member_id=args.member_id,
                                                                        open_only=args.open)).interactions
    if ctx.json:
        ctx.emit({"interactions": [to_dict(item) for item in found]})
        return
    print_table([interaction_row(item) for item in found], COLUMNS)


def run_get(ctx, args) -> None:
    found = ctx.stub("crm").GetInteraction(pb.GetInteractionRequest(member_id=args.member_id,
                                                                    interaction_id=args.interaction_id))

    def text():
        print_record(interaction_row(found))
        print("history:")
        for change in found.history:
            row = to_dict(change)
            print(f"  {row['changed_at']}  {_short(row['from_status'], 'INTERACTION_STATUS_') or '-'} ->"
                  f" {_short(row['to_status'], 'INTERACTION_STATUS_')}  {safe(change.actor) or '-'}"
                  + (f"  {safe(change.note)}" if change.note else ""))

    ctx.emit(found, text)


def run_status(ctx, args) -> None:
    changed = ctx.stub("crm").ChangeInteractionStatus(pb.ChangeInteractionStatusRequest(
        interaction_id=args.interaction_id, status=STATUSES[args.status], note=args.note))
    ctx.emit(changed, lambda: print(f"{changed.interaction_id}: {args.status}"))


def run_queue(ctx, args) -> None:
    queue = ctx.stub("crm").ListWorkQueue(pb.ListWorkQueueRequest(tier=args.tier, limit=args.limit))
    if ctx.json:
        ctx.emit(queue)
        return
    print_table([interaction_row(item) for item in queue.items], COLUMNS, empty="(the queue is empty)")
    print()
    print_table([to_dict(backlog) for backlog in queue.backlog], ["tier", "open", "overdue", "target_minutes"])


def run_member_360(ctx, args) -> None:
    view = ctx.stub("crm").GetMember360(pb.GetMember360Request(member_id=args.member_id))
    if ctx.json:
        ctx.emit(view)
        return
    profile = view.profile
    print(f"member {view.member_id}: {safe(profile.first_name)} {safe(profile.last_name)}".rstrip())
    print(f"tier {view.tier or 'none'}" + (f", next {view.next_tier}" if view.next_tier else " (the top)"))
    if view.HasField("tier_progress") and view.tier_progress.next_tier:
        progress = view.tier_progress
        print(f"qualifying spend {progress.qualifying_spend:,} rials in {progress.window_days} days;"
              f" {progress.spend_to_next_tier:,} more for {progress.next_tier}")
    missing = [f"{part.part} ({part.reason})" for part in view.parts if not part.available]
    if missing:
        print("unavailable: " + "; ".join(missing))
    if view.HasField("balances"):
        print(f"points {view.balances.points_available:,}, credit available {view.balances.credit_available:,}")
    if view.interests:
        print("interests: " + ", ".join(safe(item) for item in view.interests))
    sections = [
        ("cards", [to_dict(card) for card in view.cards], ["masked_pan", "status", "expiry", "product_id"]),
        ("recent transactions", [to_dict(t) for t in view.transactions],
         ["received_at", "type", "merchant_id", "amount", "discount", "response_code", "state"]),
        ("coupons and vouchers", [to_dict(c) for c in view.coupons], ["coupon_id", "name", "state", "expires_at"]),
        ("events", [to_dict(i) for i in view.invitations], ["event_id", "event_title", "starts_local", "state"]),
        ("open interactions", [interaction_row(i) for i in view.open_interactions],
         ["interaction_id", "kind", "status", "subject", "due_at", "overdue"]),
    ]
    for title, rows, columns in sections:
        print(f"\n{title}:")
        print_table(rows, columns)


def run_interests(ctx, args) -> None:
    stub = ctx.stub("crm")
    if args.set is not None:
        found = stub.SetInterests(pb.SetInterestsRequest(member_id=args.member_id, categories=args.set))
    else:
        found = stub.GetInterests(pb.GetInterestsRequest(member_id=args.member_id))
    ctx.emit(found, lambda: print(", ".join(safe(c) for c in found.categories) or "(none)"))
