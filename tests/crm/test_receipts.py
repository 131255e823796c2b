"""SMS receipts for approved purchases: a real ISO 8583 purchase at the switch, read back by crm
through the switch's ListTransactions, sent to the local SMS gateway for opted-in members only."""

from __future__ import annotations

import os
import time

import pytest

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.crm.v1 import crm_pb2_grpc
from services.shared import persian
from tests import harness
from tests.crm.gateways import API_KEY, SmsGateway, wait_for
from tests.switch.conftest import make_club

SETTLE_WAIT_SECONDS = 3  # time for crm to have read the journal past the purchase


@pytest.fixture(scope="module")
def gateway():
    server = SmsGateway()
    yield server
    server.close()


@pytest.fixture(scope="module")
def club(infra, tmp_path_factory, gateway):
    stack = harness.Stack(tmp_path_factory.mktemp("receipts"), f"club_receipts_{os.getpid()}", {
        "CLUB_SMS_BASE_URL": gateway.url, "CLUB_SMS_API_KEY": API_KEY, "CLUB_SMS_QUIET_HOURS": ""})
    club = make_club(stack)
    stack.start("crm")
    yield club
    stack.close()


def opt_in(club, member_id: str) -> cards_pb2.Member:
    club.cards.UpdateMember(cards_pb2.UpdateMemberRequest(
        member_id=member_id, update_fields=["consents"],
        values=cards_pb2.RegisterMemberRequest(consents=[cards_pb2.Consent(purpose="receipt_sms", granted=True)])))
    return club.cards.GetMember(cards_pb2.GetMemberRequest(member_id=member_id))


def test_an_approved_purchase_sends_one_receipt_to_an_opted_in_member_only(club, gateway):
    opted = club.card(credit=1_000_000)
    member = opt_in(club, opted.member_id)
    other = club.card(credit=1_000_000)
    other_phone = club.cards.GetMember(cards_pb2.GetMemberRequest(member_id=other.member_id)).phone
    terminal = club.terminal()
    try:
        assert terminal.purchase(opted, 250_000)["39"] == "00"
        assert terminal.purchase(other, 120_000)["39"] == "00"
    finally:
        terminal.close()

    [sms] = wait_for(lambda: gateway.to(member.phone), timeout=30, what="the receipt SMS")
    assert persian.rials(250_000) in sms["message"]  # «۲۵۰٬۰۰۰ ریال»
    assert persian.rials(750_000) in sms["message"]  # the credit left
    assert not any(char.isascii() and char.isdigit() for char in sms["message"])
    time.sleep(SETTLE_WAIT_SECONDS)  # more polls: still one receipt, and none for the other member
    assert len(gateway.to(member.phone)) == 1
    assert gateway.to(other_phone) == []

    with club.stack.channel("crm") as channel:
        crm = crm_pb2_grpc.CrmServiceStub(channel)
        [message] = crm.ListMessages(pb.ListMessagesRequest(member_id=opted.member_id)).messages
        assert (message.kind, message.state, message.marketing) == ("receipt", pb.DELIVERY_STATE_SENT, False)
        assert crm.ListMessages(pb.ListMessagesRequest(member_id=other.member_id)).messages == []


def test_a_survey_set_to_follow_a_purchase_is_asked_once_of_the_buyer(club):
    with club.stack.channel("crm") as channel:
        crm = crm_pb2_grpc.CrmServiceStub(channel)
        survey = crm.CreateSurvey(pb.CreateSurveyRequest(survey=pb.Survey(
            title="خرید امروزتان چطور بود؟", after_purchase=True,
            questions=[pb.Question(kind=pb.QUESTION_KIND_NPS, prompt="چقدر ما را پیشنهاد می‌کنید؟")])))
        assert survey.after_purchase
        buyer, idle = club.card(credit=1_000_000), club.card(credit=1_000_000)
        terminal = club.terminal()
        try:
            assert terminal.purchase(buyer, 90_000)["39"] == "00"
            assert terminal.purchase(buyer, 40_000)["39"] == "00"
        finally:
            terminal.close()

        def asked():
            pending = crm.ListPendingSurveys(pb.ListPendingSurveysRequest(member_id=buyer.member_id)).surveys
            return [s.survey_id for s in pending if s.survey_id == survey.survey_id]
        assert wait_for(asked, timeout=30, what="the survey after the purchase") == [survey.survey_id]
        time.sleep(SETTLE_WAIT_SECONDS)
        assert crm.GetSurvey(pb.GetSurveyRequest(survey_id=survey.survey_id)).requested == 1  # once, not per purchase
        pending = crm.ListPendingSurveys(pb.ListPendingSurveysRequest(member_id=idle.member_id)).surveys
        assert survey.survey_id not in [s.survey_id for s in pending]
        crm.AnswerSurvey(pb.AnswerSurveyRequest(survey_id=survey.survey_id, member_id=buyer.member_id,
                                                answers=[pb.Answer(position=1, score=9)]))
        assert crm.GetSurveyResults(pb.GetSurveyResultsRequest(survey_id=survey.survey_id)).survey.answered == 1
