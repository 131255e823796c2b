"""The operator console in headless Chromium at desktop size against real services: sign-in by
pasting an issued token (a bad one, a merchant's, refused in Persian), member search and the
member-360 view, the CRM queue by tier, events with their RSVPs (markup in a title shown as text),
an announcement's delivery, and axe-core on every page."""

from __future__ import annotations

import datetime as dt

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from selenium.webdriver.common.by import By

from services.gen.club.crm.v1 import crm_pb2
from services.shared import persian
from tests.portal import pages
from tests.portal.desk import desktop, no_serious_violations, operator_sign_in
from tests.portal.test_merchant import MARKUP, _not_run
from tests.tasheem.helpers import uid

TOKEN_REFUSED = "این توکن پذیرفته نشد"


def _stamp(moment: dt.datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


@pytest.fixture(scope="module")
def care(club):
    """A member with a complaint in the queue, an event whose title holds markup that she accepted,
    and an announcement to her inbox."""
    member = club.member(points=2_500, first_name="سیما", last_name="نیک‌نام")
    complaint = club.crm.RecordInteraction(crm_pb2.RecordInteractionRequest(
        member_id=member["member_id"], channel=crm_pb2.INTERACTION_CHANNEL_CALL_CENTRE,
        kind=crm_pb2.INTERACTION_KIND_COMPLAINT, subject="کارت در دستگاه ماند", body="شعبهٔ ونک"))
    now = dt.datetime.now(dt.UTC)
    event = club.crm.CreateEvent(crm_pb2.CreateEventRequest(event=crm_pb2.Event(
        title=f"شب شعر {MARKUP}", venue="تالار باشگاه", capacity=10, starts_at=_stamp(now + dt.timedelta(days=7)),
        ends_at=_stamp(now + dt.timedelta(days=7, hours=2)), rsvp_deadline=_stamp(now + dt.timedelta(days=6)))))
    list(club.crm.InviteAudience(crm_pb2.InviteAudienceRequest(event_id=event.event_id,
                                                               member_ids=[member["member_id"]])))
    club.crm.Rsvp(crm_pb2.RsvpRequest(event_id=event.event_id, member_id=member["member_id"], accept=True))
    progress = list(club.crm.Announce(crm_pb2.AnnounceRequest(
        announcement_id=uid("ann-"), template="خبر تازهٔ باشگاه", channels=[crm_pb2.CHANNEL_INBOX],
        subject="خبر", member_ids=[member["member_id"]])))
    return {"member": member, "complaint": complaint, "event": event, "announcement": progress[-1].announcement_id}


def sign_in(driver, portal, token: str) -> None:
    operator_sign_in(driver, portal, token)


def test_an_operator_signs_in_with_a_token_and_finds_a_member_and_the_queue(browser, portal, portal_stack, club, care):
    desktop(browser)
    pages.open_page(browser, portal, "/operator")
    assert browser.current_url.endswith("/operator/signin?next=%2Foperator")  # nothing without signing in
    no_serious_violations(browser, "operator sign-in")
    sign_in(browser, portal, "not-a-token")
    assert TOKEN_REFUSED in pages.text_of(browser, "#e-token")
    # A token signed with another key looks right but the services refuse it.
    forged = portal_stack.token("operator").rsplit(".", 1)[0] + "." + "A" * 43
    sign_in(browser, portal, forged)
    assert TOKEN_REFUSED in pages.text_of(browser, "#e-token")
    sign_in(browser, portal, portal_stack.token("merchant", merchant_id="M1"))
    assert "برای اپراتور یا حسابرس نیست" in pages.text_of(browser, "#e-token")

    sign_in(browser, portal, portal_stack.token("operator", subject="ops-sara"))
    pages.wait(browser, lambda d: d.current_url.endswith("/operator"))
    assert "ops-sara" in pages.text_of(browser, "header")
    pages.open_page(browser, portal, "/")  # the front door leads an operator to the console
    assert browser.current_url.endswith("/operator")

    member = care["member"]
    pages.fill(browser, {"phone": "۰۹۱۲"})
    pages.press(browser, "جستجو")
    assert "۱۱ رقم" in pages.wait_text(browser, "۱۱ رقم")
    pages.fill(browser, {"phone": persian.digits(member["phone"])})
    pages.press(browser, "جستجو")
    pages.wait(browser, lambda d: d.find_elements(By.ID, "members"))
    assert "سیما نیک‌نام" in pages.text_of(browser, "#members")
    no_serious_violations(browser, "member search")

    browser.find_element(By.LINK_TEXT, "سیما نیک‌نام").click()
    pages.wait(browser, lambda d: "/operator/members/" in d.current_url)
    view = pages.text_of(browser)
    assert pages.text_of(browser, "#points") == persian.number(2_500)
    assert "کارت در دستگاه ماند" in view and member["card"].masked_pan[-4:] in persian.ascii_digits(view)
    assert "شب شعر" in view and MARKUP in view and _not_run(browser)
    no_serious_violations(browser, "member 360")

    pages.open_page(browser, portal, "/operator/queue")
    queue = pages.text_of(browser, "#queue")
    assert "کارت در دستگاه ماند" in queue
    tier = care["complaint"].tier or "none"
    pages.open_page(browser, portal, f"/operator/queue?tier={tier}")
    assert "کارت در دستگاه ماند" in pages.text_of(browser, "#queue")
    pages.open_page(browser, portal, f"/operator/queue?tier={'gold' if tier == 'platinum' else 'platinum'}")
    assert "کارت در دستگاه ماند" not in pages.text_of(browser, "#queue")
    no_serious_violations(browser, "queue")
    pages.open_page(browser, portal, "/operator/queue?tier=emperor")
    assert "یکی از گزینه‌ها" in pages.text_of(browser, "#e-tier")
    pages.open_page(browser, portal, "/operator/members/%01")  # cannot be an id: not found, not a failure
    assert "این صفحه پیدا نشد." in pages.text_of(browser)


def test_events_rsvps_and_an_announcements_delivery(browser, portal, portal_stack, care):
    desktop(browser)
    sign_in(browser, portal, portal_stack.token("operator", subject="ops-reza"))
    pages.open_page(browser, portal, "/operator/events")
    listed = pages.text_of(browser, "#events")
    assert f"شب شعر {MARKUP}" in listed and _not_run(browser)
    no_serious_violations(browser, "events")
    browser.find_element(By.CSS_SELECTOR, f"a[href='/operator/events/{care['event'].event_id}']").click()
    pages.wait(browser, lambda d: d.find_elements(By.ID, "rsvps"))
    rsvps = pages.text_of(browser, "#rsvps")
    assert care["member"]["member_id"] in rsvps and "می‌آید" in rsvps and _not_run(browser)
    no_serious_violations(browser, "event")

    pages.open_page(browser, portal, "/operator/announcements?announcement_id=ann-unknown")
    assert "پیدا نشد" in pages.text_of(browser, "#e-announcement_id")
    pages.open_page(browser, portal, f"/operator/announcements?announcement_id={care['announcement']}")
    pages.wait(browser, lambda d: d.find_elements(By.ID, "messages"))
    assert care["member"]["member_id"] in pages.text_of(browser, "#messages")
    assert "صندوق پیام" in pages.text_of(browser, "#messages")
    no_serious_violations(browser, "announcement")
