"""Announcements and notifications through the outbox, with real processes: crm's worker sends
SMS to a local Kavenegar-speaking HTTP server and email to a real SMTP server."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.crm.v1 import crm_pb2_grpc
from tests import harness
from tests.cards.helpers import member_request
from tests.crm.gateways import API_KEY, SmsGateway, SmtpServer, wait_for
from tests.crm.helpers import an_event, rpc_error

DAILY_CAP = 2


@pytest.fixture(scope="module")
def gateway():
    server = SmsGateway()
    yield server
    server.close()


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def own_stack(infra, tmp_path_factory, gateway, smtp):
    """cards and crm with the local gateways; no quiet hours (their own test sets them)."""
    stack = harness.Stack(tmp_path_factory.mktemp("outbox"), f"club_outbox_{os.getpid()}", {
        "CLUB_SMS_BASE_URL": gateway.url, "CLUB_SMS_API_KEY": API_KEY, "CLUB_SMS_SENDER": "10004346",
        "CLUB_SMTP_HOST": "127.0.0.1", "CLUB_SMTP_PORT": str(smtp.port), "CLUB_SMTP_SENDER": "club@example.ir",
        "CLUB_SMS_QUIET_HOURS": "", "CLUB_MARKETING_DAILY_CAP": str(DAILY_CAP)})
    stack.start("cards", "wallet", "crm")
    yield stack
    stack.close()


@pytest.fixture(scope="module")
def crm(own_stack):
    with own_stack.channel("crm") as channel:
        yield crm_pb2_grpc.CrmServiceStub(channel)


@pytest.fixture(scope="module")
def cards(own_stack):
    with own_stack.channel("cards") as channel:
        yield cards_pb2_grpc.CardServiceStub(channel)


def consents(*purposes: str) -> list[cards_pb2.Consent]:
    return [cards_pb2.Consent(purpose=purpose, granted=True) for purpose in purposes]


def a_member(cards, *purposes: str, **fields) -> cards_pb2.Member:
    fields.setdefault("email", f"m{uuid.uuid4().hex[:10]}@example.ir")
    member_id = cards.RegisterMember(member_request(first_name="سارا", consents=consents(*purposes),
                                                    **fields)).member_id
    return cards.GetMember(cards_pb2.GetMemberRequest(member_id=member_id))


def announce(crm, **fields) -> list[pb.AnnounceProgress]:
    fields.setdefault("template", "{name} عزیز، جشنواره‌ی یلدا آغاز شد")
    fields.setdefault("subject", "جشنواره‌ی یلدا")
    return list(crm.Announce(pb.AnnounceRequest(**fields)))


def settled(crm, announcement_id: str, timeout: float = 20.0) -> list[pb.Message]:
    def done():
        messages = crm.ListMessages(pb.ListMessagesRequest(announcement_id=announcement_id)).messages
        pending = (pb.DELIVERY_STATE_QUEUED, pb.DELIVERY_STATE_SENDING, pb.DELIVERY_STATE_HELD)
        return messages if messages and all(m.state not in pending for m in messages) else None
    return wait_for(done, timeout, what=f"announcement {announcement_id} delivered")


def test_preview_renders_persian_and_refuses_unknown_variables(crm, cards):
    member = a_member(cards)
    at = Timestamp()
    at.FromDatetime(dt.datetime(2026, 3, 21, 10, 0, tzinfo=dt.UTC))  # 1 Farvardin 1405
    reply = crm.PreviewMessage(pb.PreviewMessageRequest(
        template="{name} عزیز، {amount} تخفیف تا {until} برای سطح {tier}", member_id=member.member_id,
        variables=[pb.Variable(name="amount", rials=2_500_000), pb.Variable(name="until", date=at)]))
    assert reply.text.startswith("سارا عزیز، ۲٬۵۰۰٬۰۰۰ ریال تخفیف تا ۱ فروردین")
    assert reply.characters == len(reply.text) and reply.sms_parts == 1

    error = rpc_error(crm.PreviewMessage, pb.PreviewMessageRequest(template="{name} {prize} و {code}"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "unknown variables: name, prize, code" in error.details()
    error = rpc_error(crm.Announce(pb.AnnounceRequest(
        template="سلام {nme}", channels=[pb.CHANNEL_INBOX], member_ids=[member.member_id])).__iter__().__next__)
    assert "unknown variables: nme" in error.details()


def test_announce_checks_consent_and_delivers_every_channel(crm, cards, gateway, smtp, own_stack):
    yes = a_member(cards, "marketing_sms", "marketing_email")
    no = a_member(cards)
    progress = announce(crm, marketing=True, member_ids=[yes.member_id, no.member_id],
                        channels=[pb.CHANNEL_SMS, pb.CHANNEL_EMAIL, pb.CHANNEL_INBOX])
    last = progress[-1]
    assert last.done and last.total == 2 and last.processed == 2
    assert (last.queued, last.skipped_consent, last.skipped_address) == (4, 2, 0)
    messages = settled(crm, last.announcement_id)
    assert {(m.member_id, m.channel) for m in messages if m.state == pb.DELIVERY_STATE_SENT} == {
        (yes.member_id, pb.CHANNEL_SMS), (yes.member_id, pb.CHANNEL_EMAIL), (yes.member_id, pb.CHANNEL_INBOX),
        (no.member_id, pb.CHANNEL_INBOX)}
    [sms] = gateway.to(yes.phone)
    assert sms["message"] == "سارا عزیز، جشنواره‌ی یلدا آغاز شد" and sms["sender"] == "10004346"
    assert gateway.to(no.phone) == []
    [mail] = smtp.to(yes.email)
    assert "Message-ID: <outbox-" in mail["data"] and smtp.to(no.email) == []
    assert API_KEY not in own_stack.services["crm"].log_text()

    status = crm.GetAnnouncement(pb.GetAnnouncementRequest(announcement_id=last.announcement_id))
    assert status.queued and status.total == 2 and status.skipped_consent == 2
    assert {c.state: c.count for c in status.messages} == {pb.DELIVERY_STATE_SENT: 4}

    # The same announcement again queues nothing twice.
    again = announce(crm, announcement_id=last.announcement_id, marketing=True,
                     member_ids=[yes.member_id, no.member_id],
                     channels=[pb.CHANNEL_SMS, pb.CHANNEL_EMAIL, pb.CHANNEL_INBOX])
    assert again[-1].queued == 0


def test_transactional_messages_need_no_consent_and_members_read_only_their_inbox(crm, cards, gateway, own_stack):
    member = a_member(cards)
    other = a_member(cards)
    last = announce(crm, template="{name} عزیز، کارت شما فعال شد", channels=[pb.CHANNEL_SMS, pb.CHANNEL_INBOX],
                    member_ids=[member.member_id])[-1]
    assert last.queued == 2 and last.skipped_consent == 0
    settled(crm, last.announcement_id)
    assert [m["message"] for m in gateway.to(member.phone)] == ["سارا عزیز، کارت شما فعال شد"]

    with own_stack.channel("crm", token=own_stack.token("member", subject=member.member_id)) as channel:
        mine = crm_pb2_grpc.CrmServiceStub(channel)
        inbox = mine.ListInbox(pb.ListInboxRequest(member_id=member.member_id))
        assert inbox.unread == 1 and [m.body for m in inbox.messages] == ["سارا عزیز، کارت شما فعال شد"]
        message_id = inbox.messages[0].message_id
        error = rpc_error(mine.ListInbox, pb.ListInboxRequest(member_id=other.member_id))
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED
        read = mine.MarkRead(pb.MarkReadRequest(member_id=member.member_id, message_id=message_id))
        assert read.HasField("read_at")
        assert mine.ListInbox(pb.ListInboxRequest(member_id=member.member_id, unread_only=True)).unread == 0
    with own_stack.channel("crm", token=own_stack.token("member", subject=other.member_id)) as channel:
        theirs = crm_pb2_grpc.CrmServiceStub(channel)
        error = rpc_error(theirs.MarkRead, pb.MarkReadRequest(member_id=other.member_id, message_id=message_id))
        assert error.code() == grpc.StatusCode.NOT_FOUND
        error = rpc_error(theirs.Announce(pb.AnnounceRequest(
            template="x", channels=[pb.CHANNEL_INBOX], member_ids=[other.member_id])).__iter__().__next__)
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED


def test_provider_errors_are_retried_with_backoff(crm, cards, gateway):
    member = a_member(cards)
    gateway.fail_next = 1
    last = announce(crm, template="پیام آزمایشی", channels=[pb.CHANNEL_SMS], member_ids=[member.member_id])[-1]
    [message] = settled(crm, last.announcement_id, timeout=30)
    assert message.state == pb.DELIVERY_STATE_SENT and message.attempts == 2
    assert len(gateway.to(member.phone)) == 1


def test_daily_cap_for_marketing(crm, cards, gateway):
    member = a_member(cards, "marketing_sms")
    ids = []
    for n in range(DAILY_CAP + 1):
        ids.append(announce(crm, template=f"پیشنهاد {n}", marketing=True, channels=[pb.CHANNEL_SMS],
                            member_ids=[member.member_id])[-1].announcement_id)
        settled(crm, ids[-1])
    messages = crm.ListMessages(pb.ListMessagesRequest(member_id=member.member_id)).messages
    assert [m.state for m in messages] == [pb.DELIVERY_STATE_SENT] * DAILY_CAP + [pb.DELIVERY_STATE_SKIPPED]
    assert messages[-1].reason == "daily cap"
    assert len(gateway.to(member.phone)) == DAILY_CAP
    # Transactional messages are not capped.
    settled(crm, announce(crm, template="رسید", channels=[pb.CHANNEL_SMS], member_ids=[member.member_id])[-1]
            .announcement_id)
    assert len(gateway.to(member.phone)) == DAILY_CAP + 1


def test_notifications_go_out_through_the_outbox(crm, cards, gateway):
    member = a_member(cards)
    event = crm.CreateEvent(pb.CreateEventRequest(event=an_event(capacity=5)))
    list(crm.InviteAudience(pb.InviteAudienceRequest(event_id=event.event_id, member_ids=[member.member_id])))
    crm.Rsvp(pb.RsvpRequest(event_id=event.event_id, member_id=member.member_id, accept=True))
    crm.CancelEvent(pb.CancelEventRequest(event_id=event.event_id, reason="باران"))
    [sms] = wait_for(lambda: gateway.to(member.phone), what="the cancellation SMS")
    assert sms["message"] == "«جشن یلدای اعضا» لغو شد. باران"
    inbox = wait_for(lambda: [m for m in crm.ListInbox(pb.ListInboxRequest(member_id=member.member_id)).messages
                              if m.subject == "رویداد لغو شد"], what="the cancellation in the inbox")
    assert [m.body for m in inbox] == [sms["message"]]
    kinds = {m.kind for m in crm.ListMessages(pb.ListMessagesRequest(member_id=member.member_id)).messages}
    assert kinds == {"invitation", "event_cancelled"}  # the invitation's SMS needed a consent she did not give


def test_an_invitation_is_announced_in_the_inbox_and_by_sms_to_who_consented(crm, cards, gateway):
    willing, unwilling = a_member(cards, "marketing_sms"), a_member(cards)
    event = crm.CreateEvent(pb.CreateEventRequest(event=an_event(title="<b>شب شعر</b>")))
    progress = list(crm.InviteAudience(pb.InviteAudienceRequest(
        event_id=event.event_id, member_ids=[willing.member_id, unwilling.member_id])))
    assert (progress[-1].invited, progress[-1].announced, progress[-1].done) == (2, 4, True)
    [sms] = wait_for(lambda: gateway.to(willing.phone), what="the invitation SMS")
    assert sms["message"].startswith("سارا عزیز، به «<b>شب شعر</b>» در ")  # the title as given, never markup
    assert not any(char.isascii() and char.isdigit() for char in sms["message"])
    for member in (willing, unwilling):
        [note] = wait_for(lambda m=member: crm.ListInbox(pb.ListInboxRequest(member_id=m.member_id)).messages,
                          what="the invitation in the inbox")
        assert note.subject == "دعوت به رویداد باشگاه" and "«<b>شب شعر</b>»" in note.body
    states = {m.channel: m.state for m in crm.ListMessages(pb.ListMessagesRequest(member_id=unwilling.member_id)).messages}
    assert states[pb.CHANNEL_SMS] == pb.DELIVERY_STATE_SKIPPED and gateway.to(unwilling.phone) == []
    # Inviting again announces nothing twice.
    again = list(crm.InviteAudience(pb.InviteAudienceRequest(event_id=event.event_id,
                                                             member_ids=[willing.member_id])))
    assert (again[-1].invited, again[-1].already_invited, again[-1].announced) == (0, 1, 0)


def test_announce_to_members_of_an_interest(crm, cards):
    category = f"cinema-{uuid.uuid4().hex[:6]}"
    fans = sorted(a_member(cards).member_id for _ in range(2))
    a_member(cards)  # not interested
    for member_id in fans:
        crm.SetInterests(pb.SetInterestsRequest(member_id=member_id, categories=[category]))
    progress = announce(crm, interests=[category], channels=[pb.CHANNEL_INBOX])
    assert (progress[-1].total, progress[-1].queued) == (2, 2)
    assert sorted(m.member_id for m in settled(crm, progress[-1].announcement_id)) == fans
    shown = crm.GetAnnouncement(pb.GetAnnouncementRequest(announcement_id=progress[-1].announcement_id))
    assert shown.total == 2
    bad = rpc_error(crm.Announce(pb.AnnounceRequest(template="x", channels=[pb.CHANNEL_INBOX],
                                                    interests=["has space"])).__iter__().__next__)
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT and bad.details().startswith("interests[0]")


def test_announce_to_a_segment_streams_progress(crm, cards):
    segment = f"seg{uuid.uuid4().hex[:8]}"
    members = [a_member(cards, segment=segment).member_id for _ in range(3)]
    progress = announce(crm, segments=[segment], channels=[pb.CHANNEL_INBOX])
    assert progress[0].total == 3 and not progress[0].done
    assert (progress[-1].processed, progress[-1].queued, progress[-1].done) == (3, 3, True)
    messages = settled(crm, progress[-1].announcement_id)
    assert sorted(m.member_id for m in messages) == sorted(members)
    assert all(m.state == pb.DELIVERY_STATE_SENT for m in messages)
    error = rpc_error(crm.Announce(pb.AnnounceRequest(template="x", channels=[pb.CHANNEL_EMAIL],
                                                      member_ids=members)).__iter__().__next__)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "subject" in error.details()
