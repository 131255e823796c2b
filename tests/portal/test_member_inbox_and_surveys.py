"""A member's inbox (an announcement the club sent) and a survey she was asked, answered in the
browser with the answers checked on the server first."""

from __future__ import annotations

import time

from selenium.webdriver.common.by import By

from services.gen.club.crm.v1 import crm_pb2
from tests.portal import pages

INBOX_WAIT_SECONDS = 15


def test_she_reads_an_announcement_in_her_inbox_and_marks_it_read(browser, portal, sms_sink, club):
    member = club.member(first_name="الهام")
    for _ in club.crm.Announce(crm_pb2.AnnounceRequest(
            channels=[crm_pb2.CHANNEL_INBOX], template="{name} عزیز، جشنواره‌ی یلدا آغاز شد", subject="یلدا",
            member_ids=[member["member_id"]])):
        pass
    deadline = time.monotonic() + INBOX_WAIT_SECONDS  # the outbox's worker delivers it
    while not club.crm.ListInbox(crm_pb2.ListInboxRequest(member_id=member["member_id"])).messages:
        assert time.monotonic() < deadline, "the announcement never reached the inbox"
        time.sleep(0.2)
    pages.sign_in(browser, portal, sms_sink, member["phone"])
    pages.open_page(browser, portal, "/home")
    assert "۱ نخوانده" in pages.text_of(browser)
    pages.open_page(browser, portal, "/inbox")
    text = pages.text_of(browser)
    assert "الهام عزیز، جشنواره‌ی یلدا آغاز شد" in text and "تازه" in text
    pages.press(browser, "خواندم")
    pages.wait(browser, lambda d: not d.find_elements(By.XPATH, "//button[normalize-space()='خواندم']"))
    assert "تازه" not in pages.text_of(browser, "ul.items")
    inbox = club.crm.ListInbox(crm_pb2.ListInboxRequest(member_id=member["member_id"]))
    assert inbox.unread == 0 and inbox.messages[0].read_at.seconds


def test_she_answers_a_survey_after_being_told_what_is_missing(browser, portal, sms_sink, club):
    member = club.member()
    survey = club.crm.CreateSurvey(crm_pb2.CreateSurveyRequest(survey=crm_pb2.Survey(title="نظر شما درباره باشگاه",
        questions=[crm_pb2.Question(kind=crm_pb2.QUESTION_KIND_NPS, prompt="چقدر ما را پیشنهاد می‌کنید؟"),
                   crm_pb2.Question(kind=crm_pb2.QUESTION_KIND_CHOICE, prompt="کدام شعبه؟",
                                    choices=["مرکزی", "شمال"]),
                   crm_pb2.Question(kind=crm_pb2.QUESTION_KIND_TEXT, prompt="چه پیشنهادی دارید؟")])))
    club.crm.SendSurvey(crm_pb2.SendSurveyRequest(survey_id=survey.survey_id, member_ids=[member["member_id"]]))
    pages.sign_in(browser, portal, sms_sink, member["phone"])
    pages.open_page(browser, portal, "/surveys")
    browser.find_element(By.LINK_TEXT, "نظر شما درباره باشگاه").click()
    pages.wait_text(browser, "نظر شما درباره باشگاه", "h1")
    browser.find_element(By.ID, "f-q1-9").click()
    pages.press_and_reload(browser, "فرستادن پاسخ")  # the branch is missing
    assert "به این پرسش پاسخ دهید." in pages.text_of(browser, "#e-q2")
    assert browser.find_element(By.ID, "f-q1-9").is_selected()  # what she chose is kept
    browser.find_element(By.ID, "f-q2-1").click()
    pages.fill(browser, {"q3": "پارکینگ <b>بیشتر</b>"})
    pages.press_and_reload(browser, "فرستادن پاسخ")
    assert "پاسخ شما ثبت شد" in pages.text_of(browser, "#flash")
    assert "نظرسنجی‌ای در انتظار پاسخ شما نیست" in pages.text_of(browser)
    results = club.crm.GetSurveyResults(crm_pb2.GetSurveyResultsRequest(survey_id=survey.survey_id))
    nps, branch, suggestion = results.questions
    assert nps.promoters == 1 and list(nps.counts)[9] == 1
    assert list(branch.counts) == [0, 1]
    assert list(suggestion.texts) == ["پارکینگ <b>بیشتر</b>"]
