"""crm against real processes (cards, wallet, crm): events and their validation, invitations by
audience with progress, member tokens held to their own data, replies, the waitlist in tier
order, points charged and given back, promotion with its notification, and check-in codes."""

from __future__ import annotations

import datetime as dt
import uuid

import grpc

from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.crm.v1 import crm_pb2_grpc
from tests.crm.helpers import a_member, an_event, invite, points_of, rpc_error, rsvp, stamp


def test_an_event_is_shown_in_tehran_time_and_free_text_is_kept_as_given(crm):
    title = "  شب شعر — اعضای <طلایی>  "
    start = dt.datetime(2031, 3, 20, 16, 0, tzinfo=dt.UTC)
    event = crm.CreateEvent(pb.CreateEventRequest(event=an_event(
        title=title, starts_at=stamp(start), ends_at=stamp(start + dt.timedelta(hours=2)),
        rsvp_deadline=stamp(start - dt.timedelta(days=2)))))
    assert event.title == title and event.state == pb.EVENT_STATE_SCHEDULED
    assert event.time_zone == "Asia/Tehran" and event.starts_local == "2031-03-20T19:30:00+03:30"
    assert crm.GetEvent(pb.GetEventRequest(event_id=event.event_id)).title == title
    assert event.event_id in {e.event_id for e in crm.ListEvents(pb.ListEventsRequest()).events}


def test_validation_names_the_field(crm):
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    cases = {
        "event.title": an_event(title=" "),
        "event.venue": an_event(venue=""),
        "event.capacity": an_event(capacity=0),
        "event.points_price": an_event(points_price=-1),
        "event.ends_at": an_event(starts_at=stamp(start), ends_at=stamp(start - dt.timedelta(hours=1))),
        "event.rsvp_deadline": an_event(starts_at=stamp(start), ends_at=stamp(start + dt.timedelta(hours=1)),
                                        rsvp_deadline=stamp(start + dt.timedelta(minutes=1))),
    }
    for field, event in cases.items():
        error = rpc_error(crm.CreateEvent, pb.CreateEventRequest(event=event))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith(field), field
    missing = an_event()
    missing.ClearField("starts_at")
    assert rpc_error(crm.CreateEvent, pb.CreateEventRequest(event=missing)).details().startswith("event.starts_at")


def test_invitations_by_tier_and_named_members_with_progress(crm, cards, wallet):
    segment = f"seg{uuid.uuid4().hex[:8]}"
    from tests.cards.helpers import member_request

    in_segment = [cards.RegisterMember(member_request(segment=segment)).member_id for _ in range(3)]
    named = a_member(cards, wallet)
    event = crm.CreateEvent(pb.CreateEventRequest(event=an_event()))
    progress = invite(crm, event.event_id, member_ids=[named], segments=[segment])
    assert progress[-1].done and progress[-1].total == 4 and progress[-1].invited == 4
    again = invite(crm, event.event_id, member_ids=[named, in_segment[0]])
    assert again[-1].invited == 0 and again[-1].already_invited == 2
    error = rpc_error(invite, crm, event.event_id)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "audience" in error.details()
    error = rpc_error(invite, crm, event.event_id, tiers=["diamond"])
    assert error.details().startswith("tiers[0]")
    attendees = crm.ListAttendees(pb.ListAttendeesRequest(event_id=event.event_id)).invitations
    assert {i.member_id for i in attendees} == {named, *in_segment}
    assert all(i.state == pb.INVITATION_STATE_INVITED for i in attendees)


def test_a_member_token_reaches_only_its_own_invitations_and_replies(stack, crm, cards, wallet):
    mine, theirs = a_member(cards, wallet), a_member(cards, wallet)
    event = crm.CreateEvent(pb.CreateEventRequest(event=an_event()))
    invite(crm, event.event_id, member_ids=[mine, theirs])
    with stack.channel("crm", token=stack.token("member", subject=mine)) as channel:
        as_member = crm_pb2_grpc.CrmServiceStub(channel)
        own = as_member.ListInvitations(pb.ListInvitationsRequest(member_id=mine)).invitations
        assert [i.event_id for i in own] == [event.event_id]
        # What she needs to decide comes with the invitation (a member reads no event directly).
        assert (own[0].venue, own[0].description, own[0].points_price) == \
            (event.venue, event.description, event.points_price)
        assert own[0].rsvp_deadline_local.endswith("+03:30") and not own[0].event_cancelled
        denied = rpc_error(as_member.ListInvitations, pb.ListInvitationsRequest(member_id=theirs))
        assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
        denied = rpc_error(rsvp, as_member, event.event_id, theirs)
        assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
        assert rsvp(as_member, event.event_id, mine).state == pb.INVITATION_STATE_ACCEPTED
        # Not its business: making events, the guest list.
        assert rpc_error(as_member.CreateEvent, pb.CreateEventRequest(event=an_event())).code() == \
            grpc.StatusCode.PERMISSION_DENIED
        assert rpc_error(as_member.ListAttendees, pb.ListAttendeesRequest(event_id=event.event_id)).code() == \
            grpc.StatusCode.PERMISSION_DENIED
    theirs_now = crm.ListInvitations(pb.ListInvitationsRequest(member_id=theirs)).invitations
    assert theirs_now[0].state == pb.INVITATION_STATE_INVITED
    with stack.pg() as pg:
        rows = pg.execute("SELECT role, subject, outcome FROM audit.events WHERE service = 'crm'"
                          " AND method LIKE '%%/Rsvp' AND subject = %s", (mine,)).fetchall()
    assert ("member", mine, "OK") in rows


def test_waitlist_by_tier_then_reply_time_points_and_promotion(stack, crm, cards, wallet):
    price = 300
    event = crm.CreateEvent(pb.CreateEventRequest(event=an_event(capacity=2, points_price=price)))
    first, second = a_member(cards, wallet, 1000), a_member(cards, wallet, 1000, "silver")
    bronze, gold, poor = (a_member(cards, wallet, 1000), a_member(cards, wallet, 1000, "gold"),
                          a_member(cards, wallet, 100))
    invite(crm, event.event_id, member_ids=[first, second, bronze, gold, poor])

    assert rpc_error(rsvp, crm, event.event_id, poor).code() == grpc.StatusCode.FAILED_PRECONDITION  # 100 < 300
    assert rsvp(crm, event.event_id, first).points_charged == price
    assert rsvp(crm, event.event_id, second).state == pb.INVITATION_STATE_ACCEPTED
    assert rsvp(crm, event.event_id, bronze).state == pb.INVITATION_STATE_WAITLISTED
    waitlisted_gold = rsvp(crm, event.event_id, gold)
    assert waitlisted_gold.state == pb.INVITATION_STATE_WAITLISTED and waitlisted_gold.waitlist_position == 1
    assert rsvp(crm, event.event_id, bronze).waitlist_position == 2  # a repeat changes nothing
    assert points_of(wallet, first) == 1000 - price and points_of(wallet, bronze) == 1000

    outside = a_member(cards, wallet, 1000)
    assert "not invited" in rpc_error(rsvp, crm, event.event_id, outside).details()

    answer = crm.CancelRsvp(pb.CancelRsvpRequest(event_id=event.event_id, member_id=first))
    assert answer.invitation.state == pb.INVITATION_STATE_CANCELLED and answer.promoted_member_id == gold
    assert points_of(wallet, first) == 1000 and points_of(wallet, gold) == 1000 - price
    assert points_of(wallet, bronze) == 1000
    with stack.pg() as pg:
        notes = pg.execute("SELECT member_id, kind FROM crm.notifications WHERE event_id = %s",
                           (event.event_id,)).fetchall()
        assert notes == [(gold, "promoted")]
        assert pg.execute("SELECT count(*) FROM crm.points_returns WHERE event_id = %s AND returned_at IS NULL",
                          (event.event_id,)).fetchone()[0] == 0

    # Declining a place gives it back too; the bronze member is next.
    assert rsvp(crm, event.event_id, second, accept=False).state == pb.INVITATION_STATE_DECLINED
    got = crm.ListAttendees(pb.ListAttendeesRequest(event_id=event.event_id, state=pb.INVITATION_STATE_ACCEPTED))
    assert {i.member_id for i in got.invitations} == {gold, bronze}
    assert points_of(wallet, second) == 1000 and points_of(wallet, bronze) == 1000 - price
    shown = crm.GetEvent(pb.GetEventRequest(event_id=event.event_id))
    assert shown.accepted == 2 and shown.waitlisted == 0

    # The event cancelled: every point charged for it goes back.
    cancelled = crm.CancelEvent(pb.CancelEventRequest(event_id=event.event_id, reason="باران شدید"))
    assert cancelled.state == pb.EVENT_STATE_CANCELLED
    assert points_of(wallet, gold) == 1000 and points_of(wallet, bronze) == 1000
    assert "cancelled" in rpc_error(rsvp, crm, event.event_id, first).details()


def test_after_the_deadline_no_reply_is_taken(stack, crm, cards, wallet):
    member = a_member(cards, wallet)
    event = crm.CreateEvent(pb.CreateEventRequest(event=an_event()))
    invite(crm, event.event_id, member_ids=[member])
    with stack.pg() as pg:
        pg.execute("UPDATE crm.events SET rsvp_deadline = now() - interval '1 minute' WHERE event_id = %s",
                   (event.event_id,))
    assert "deadline" in rpc_error(rsvp, crm, event.event_id, member).details()


def test_a_check_in_code_works_once_for_its_member_and_event(stack, crm, cards, wallet):
    alice, bob = a_member(cards, wallet), a_member(cards, wallet)
    party = crm.CreateEvent(pb.CreateEventRequest(event=an_event()))
    other = crm.CreateEvent(pb.CreateEventRequest(event=an_event()))
    for event in (party, other):
        invite(crm, event.event_id, member_ids=[alice, bob])
        rsvp(crm, event.event_id, alice)
    rsvp(crm, party.event_id, bob)

    with stack.channel("crm", token=stack.token("member", subject=alice)) as channel:
        ticket = crm_pb2_grpc.CrmServiceStub(channel).GetCheckInCode(
            pb.GetCheckInCodeRequest(event_id=party.event_id, member_id=alice))
    assert len(ticket.code) <= 14 and ticket.qr_png.startswith(b"\x89PNG")
    bobs = crm.GetCheckInCode(pb.GetCheckInCodeRequest(event_id=party.event_id, member_id=bob)).code

    def check_in(code, event_id=party.event_id, member_id=""):
        return crm.CheckIn(pb.CheckInRequest(event_id=event_id, code=code, member_id=member_id))

    assert "another event" in rpc_error(check_in, ticket.code, event_id=other.event_id).details()
    assert "another member" in rpc_error(check_in, bobs, member_id=alice).details()
    forged = ticket.code[:-1] + ("0" if ticket.code[-1] != "0" else "1")
    assert "not valid" in rpc_error(check_in, forged).details()
    assert rpc_error(check_in, "hello").code() == grpc.StatusCode.INVALID_ARGUMENT

    done = check_in(ticket.code.lower(), member_id=alice)  # typed in lower case: the same code
    assert done.member_id == alice
    again = rpc_error(check_in, ticket.code)
    assert again.code() == grpc.StatusCode.FAILED_PRECONDITION and "already used" in again.details()

    attended = crm.ListAttendance(pb.ListAttendanceRequest(member_id=alice)).attended
    assert [a.event_id for a in attended] == [party.event_id] and attended[0].HasField("checked_in_at")
    with stack.pg() as pg:
        stored = pg.execute("SELECT request->>'code' FROM audit.events WHERE method LIKE '%%/CheckIn'"
                            " ORDER BY at DESC LIMIT 1").fetchone()[0]
    assert stored == "[redacted]"
