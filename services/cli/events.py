"""clubctl events create|list|get|cancel|invite|rsvp|cancel-rsvp|code|checkin|attendees|attendance

Club events for members only: invitations by tier, segment or name; members accept (a place,
its points price charged) or land on the waitlist, ordered by tier, highest first, then by time
of reply; a place given back before the deadline goes to the next on the waitlist; at the door
each member shows a short signed code (or its QR image), valid once.
"""

from __future__ import annotations

import pathlib

from tqdm import tqdm

from services.gen.club.crm.v1 import crm_pb2 as pb

from .core import CliError, print_table, rials, to_dict
from .offers import DEFAULT_TIME_ZONE, _zone, parse_instant

LIST_COLUMNS = ["event_id", "title", "starts_local", "venue", "capacity", "accepted", "waitlisted", "points_price",
                "state"]
ATTENDEE_COLUMNS = ["member_id", "state", "tier", "waitlist_position", "points_charged", "checked_in_at"]
STATES = {"accepted": pb.INVITATION_STATE_ACCEPTED, "waitlisted": pb.INVITATION_STATE_WAITLISTED,
          "invited": pb.INVITATION_STATE_INVITED, "declined": pb.INVITATION_STATE_DECLINED,
          "cancelled": pb.INVITATION_STATE_CANCELLED}


def register(groups, common) -> None:
    group = groups.add_parser("events", help="club events: invitations, RSVPs, the waitlist, check-in")
    commands = group.add_subparsers(dest="command", metavar="<command>", required=True)

    p = commands.add_parser("create", parents=[common], help="create an event")
    p.add_argument("--title", required=True)
    p.add_argument("--venue", required=True)
    p.add_argument("--description", default="")
    p.add_argument("--starts", required=True, help="date-time, local to --time-zone (e.g. 2025-12-21T19:00)")
    p.add_argument("--ends", required=True)
    p.add_argument("--rsvp-deadline", required=True, help="replies and give-backs until then")
    p.add_argument("--capacity", type=int, required=True, help="places")
    p.add_argument("--points", type=rials, default=0, help="points price of a place (default free)")
    p.add_argument("--id", default="", help="event id (default: generated)")
    p.add_argument("--time-zone", default=DEFAULT_TIME_ZONE)
    p.set_defaults(func=run_create)

    p = commands.add_parser("list", parents=[common], help="events, soonest first")
    p.add_argument("--upcoming", action="store_true", help="only events that have not ended")
    p.add_argument("--include-cancelled", action="store_true")
    p.set_defaults(func=run_list)

    p = commands.add_parser("get", parents=[common], help="show an event")
    p.add_argument("event_id")
    p.set_defaults(func=run_get)

    p = commands.add_parser("cancel", parents=[common], help="cancel an event: every point charged goes back")
    p.add_argument("event_id")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=run_cancel)

    p = commands.add_parser("invite", parents=[common], help="invite an audience, with progress")
    p.add_argument("event_id")
    p.add_argument("--tier", action="append", default=[], help="members of this tier (repeatable)")
    p.add_argument("--segment", action="append", default=[], help="members of this segment (repeatable)")
    p.add_argument("--member", action="append", default=[], help="this member (repeatable)")
    p.add_argument("--interest", action="append", default=[],
                   help="members interested in this category (repeatable; with --tier or --segment: both must match)")
    p.set_defaults(func=run_invite)

    p = commands.add_parser("rsvp", parents=[common], help="accept for a member: a place, or the waitlist")
    p.add_argument("event_id")
    p.add_argument("member_id")
    p.add_argument("--decline", action="store_true", help="decline instead (gives back a place held)")
    p.set_defaults(func=run_rsvp)

    p = commands.add_parser("cancel-rsvp", parents=[common],
                            help="give a place back before the deadline: points back, the waitlist moves up")
    p.add_argument("event_id")
    p.add_argument("member_id")
    p.set_defaults(func=run_cancel_rsvp)

    p = commands.add_parser("code", parents=[common], help="a member's check-in code (and its QR image)")
    p.add_argument("event_id")
    p.add_argument("member_id")
    p.add_argument("--qr", default="", help="write the QR image (PNG) to this file")
    p.set_defaults(func=run_code)

    p = commands.add_parser("checkin", parents=[common], help="check a member in at the door with their code")
    p.add_argument("event_id")
    p.add_argument("code")
    p.add_argument("--member", default="", help="the member at the door (refused if the code is another's)")
    p.set_defaults(func=run_checkin)

    p = commands.add_parser("attendees", parents=[common], help="everyone invited, by state; the waitlist in order")
    p.add_argument("event_id")
    p.add_argument("--state", choices=sorted(STATES), default=None)
    p.set_defaults(func=run_attendees)

    p = commands.add_parser("attendance", parents=[common], help="the events a member attended")
    p.add_argument("member_id")
    p.set_defaults(func=run_attendance)


def run_create(ctx, args) -> None:
    zone = _zone(args.time_zone)
    event = pb.Event(event_id=args.id, title=args.title, venue=args.venue, description=args.description,
                     capacity=args.capacity, points_price=args.points,
                     starts_at=parse_instant(args.starts, zone, "--starts"),
                     ends_at=parse_instant(args.ends, zone, "--ends"),
                     rsvp_deadline=parse_instant(args.rsvp_deadline, zone, "--rsvp-deadline"))
    ctx.emit(ctx.stub("crm").CreateEvent(pb.CreateEventRequest(event=event)))


def run_list(ctx, args) -> None:
    found = ctx.stub("crm").ListEvents(pb.ListEventsRequest(upcoming_only=args.upcoming,
                                                            include_cancelled=args.include_cancelled)).events
    rows = [to_dict(event) for event in found]
    ctx.emit({"events": rows}, lambda: print_table(rows, LIST_COLUMNS))


def run_get(ctx, args) -> None:
    ctx.emit(ctx.stub("crm").GetEvent(pb.GetEventRequest(event_id=args.event_id)))


def run_cancel(ctx, args) -> None:
    ctx.emit(ctx.stub("crm").CancelEvent(pb.CancelEventRequest(event_id=args.event_id, reason=args.reason)))


def run_invite(ctx, args) -> None:
    if not (args.tier or args.segment or args.member or args.interest):
        raise CliError("events invite: give --tier, --segment, --interest or --member (each repeatable)")
    request = pb.InviteAudienceRequest(event_id=args.event_id, tiers=args.tier, segments=args.segment,
                                       member_ids=args.member, interests=args.interest)
    last = None
    with tqdm(unit="member", desc="inviting", disable=True if ctx.json else None, leave=False,
              dynamic_ncols=True) as bar:
        for progress in ctx.stub("crm").stream("InviteAudience", request, timeout=max(ctx.timeout, 600)):
            bar.total = progress.total
            bar.update(progress.processed - bar.n)
            last = progress
    if last is None or not last.done:
        raise CliError("the invitation stream ended before it was done; run it again (invitations are made once)")
    ctx.emit(last, lambda: print(f"invited {last.invited} of {last.total} members"
                                 f" ({last.already_invited} were already invited)"))


def _invitation_text(invitation: pb.Invitation):
    def text():
        state = pb.InvitationState.Name(invitation.state).removeprefix("INVITATION_STATE_").lower()
        line = f"{invitation.member_id}: {state}"
        if invitation.waitlist_position:
            line += f" (waitlist position {invitation.waitlist_position})"
        if invitation.points_charged:
            line += f", {invitation.points_charged} points charged"
        print(line)

    return text


def run_rsvp(ctx, args) -> None:
    invitation = ctx.stub("crm").Rsvp(pb.RsvpRequest(event_id=args.event_id, member_id=args.member_id,
                                                     accept=not args.decline))
    ctx.emit(invitation, _invitation_text(invitation))


def run_cancel_rsvp(ctx, args) -> None:
    answer = ctx.stub("crm").CancelRsvp(pb.CancelRsvpRequest(event_id=args.event_id, member_id=args.member_id))

    def text():
        _invitation_text(answer.invitation)()
        if answer.promoted_member_id:
            print(f"promoted from the waitlist: {answer.promoted_member_id}")

    ctx.emit(answer, text)


def run_code(ctx, args) -> None:
    ticket = ctx.stub("crm").GetCheckInCode(pb.GetCheckInCodeRequest(event_id=args.event_id, member_id=args.member_id))
    data = {"code": ticket.code}
    if args.qr:
        pathlib.Path(args.qr).write_bytes(ticket.qr_png)
        data["qr_file"] = args.qr
    ctx.emit(data, lambda: print(ticket.code + (f"\nQR image written to {args.qr}" if args.qr else "")))


def run_checkin(ctx, args) -> None:
    done = ctx.stub("crm").CheckIn(pb.CheckInRequest(event_id=args.event_id, code=args.code, member_id=args.member))
    ctx.emit(done, lambda: print(f"checked in: {done.member_id}"))


def run_attendees(ctx, args) -> None:
    found = ctx.stub("crm").ListAttendees(pb.ListAttendeesRequest(
        event_id=args.event_id, state=STATES[args.state] if args.state else 0)).invitations
    rows = [to_dict(invitation) for invitation in found]
    ctx.emit({"invitations": rows}, lambda: print_table(rows, ATTENDEE_COLUMNS))


def run_attendance(ctx, args) -> None:
    found = ctx.stub("crm").ListAttendance(pb.ListAttendanceRequest(member_id=args.member_id)).attended
    rows = [to_dict(invitation) for invitation in found]
    ctx.emit({"attended": rows}, lambda: print_table(rows, ["event_id", "event_title", "starts_local", "checked_in_at"]))
