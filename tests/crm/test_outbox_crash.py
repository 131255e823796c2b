"""Sending at most once when crm is killed mid-send, and quiet hours, each in a private stack."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.crm.v1 import crm_pb2_grpc
from tests.cards.helpers import member_request
from tests.crm.gateways import API_KEY, SmsGateway, SmtpServer, wait_for

LEASE_SECONDS = 2


@pytest.fixture
def gateways():
    sms, smtp = SmsGateway(), SmtpServer()
    yield sms, smtp
    sms.close()
    smtp.close()


def make_stack(isolated_stack, sms, smtp, **env):
    stack = isolated_stack(CLUB_SMS_BASE_URL=sms.url, CLUB_SMS_API_KEY=API_KEY, CLUB_SMTP_HOST="127.0.0.1",
                           CLUB_SMTP_PORT=str(smtp.port), CLUB_OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS), **env)
    stack.start("cards", "crm")
    return stack


def a_member(stack, *purposes) -> cards_pb2.Member:
    with stack.channel("cards") as channel:
        cards = cards_pb2_grpc.CardServiceStub(channel)
        member_id = cards.RegisterMember(member_request(
            email=f"m{uuid.uuid4().hex[:8]}@example.ir",
            consents=[cards_pb2.Consent(purpose=p, granted=True) for p in purposes])).member_id
        return cards.GetMember(cards_pb2.GetMemberRequest(member_id=member_id))


def messages_of(stack, member_id: str) -> list[pb.Message]:
    with stack.channel("crm") as channel:
        return list(crm_pb2_grpc.CrmServiceStub(channel).ListMessages(
            pb.ListMessagesRequest(member_id=member_id)).messages)


def announce(stack, member_id: str, channel: int, marketing: bool = False) -> None:
    with stack.channel("crm") as grpc_channel:
        progress = list(crm_pb2_grpc.CrmServiceStub(grpc_channel).Announce(pb.AnnounceRequest(
            template="{name} عزیز، رسید خرید شما", subject="رسید", channels=[channel], marketing=marketing,
            member_ids=[member_id])))
    assert progress[-1].queued == 1


def test_killed_mid_send_sms_is_not_sent_twice_and_email_is_unknown(isolated_stack, gateways):
    sms, smtp = gateways
    stack = make_stack(isolated_stack, sms, smtp, CLUB_SMS_QUIET_HOURS="")
    member = a_member(stack)

    # SMS: the gateway takes the message and stalls its answer; crm is killed before it hears.
    sms.stall.set()
    announce(stack, member.member_id, pb.CHANNEL_SMS)
    assert sms.stalled.wait(20)
    [sending] = messages_of(stack, member.member_id)
    assert sending.state == pb.DELIVERY_STATE_SENDING
    stack.services["crm"].kill()
    sms.stall.clear()
    sms.release.set()
    stack.services["crm"].start()
    [message] = wait_for(lambda: [m for m in messages_of(stack, member.member_id)
                                  if m.state == pb.DELIVERY_STATE_SENT], what="the SMS settled as sent")
    assert message.reason == "confirmed by the gateway after an interrupted send"
    assert message.provider_id == str(sms.to(member.phone)[0]["messageid"])
    assert len(sms.to(member.phone)) == 1  # asked about, never sent again
    assert any(path.endswith("/statuslocalmessageid.json") for path in sms.requests)

    # Email: SMTP cannot be asked, so the message is unknown, for an operator; never sent twice.
    smtp.mailbox.stall.set()
    announce(stack, member.member_id, pb.CHANNEL_EMAIL)
    assert smtp.mailbox.stalled.wait(20)
    stack.services["crm"].kill()
    smtp.mailbox.release.set()
    stack.services["crm"].start()
    [email] = wait_for(lambda: [m for m in messages_of(stack, member.member_id)
                                if m.channel == pb.CHANNEL_EMAIL and m.state == pb.DELIVERY_STATE_UNKNOWN],
                       what="the email settled as unknown")
    assert f"<outbox-{email.message_id}@" in email.reason
    assert len(smtp.to(member.email)) == 1
    assert API_KEY not in stack.services["crm"].log_text()


def test_marketing_sms_waits_out_quiet_hours_but_transactional_does_not(isolated_stack, gateways):
    sms, smtp = gateways
    local = dt.datetime.now(ZoneInfo("Asia/Tehran"))
    start, end = (local - dt.timedelta(hours=1)).time(), (local + dt.timedelta(hours=1)).time()
    stack = make_stack(isolated_stack, sms, smtp,
                       CLUB_SMS_QUIET_HOURS=f"{start:%H:%M}-{end:%H:%M}")
    member = a_member(stack, "marketing_sms", "marketing_email")
    announce(stack, member.member_id, pb.CHANNEL_SMS, marketing=True)
    announce(stack, member.member_id, pb.CHANNEL_EMAIL, marketing=True)
    announce(stack, member.member_id, pb.CHANNEL_SMS)
    def states():
        found = {(m.channel, m.marketing): m for m in messages_of(stack, member.member_id)}
        return found if all(m.state in (pb.DELIVERY_STATE_SENT, pb.DELIVERY_STATE_HELD)
                            for m in found.values()) else None
    found = wait_for(states, what="the messages settled")
    held = found[(pb.CHANNEL_SMS, True)]
    assert held.state == pb.DELIVERY_STATE_HELD and held.reason == "quiet hours"
    until = held.next_attempt_at.ToDatetime(dt.UTC).astimezone(ZoneInfo("Asia/Tehran"))
    assert until.strftime("%H:%M") == f"{end:%H:%M}" and until > local
    assert found[(pb.CHANNEL_SMS, False)].state == pb.DELIVERY_STATE_SENT  # transactional: any time
    assert found[(pb.CHANNEL_EMAIL, True)].state == pb.DELIVERY_STATE_SENT  # quiet hours are for SMS
    assert len(sms.to(member.phone)) == 1
