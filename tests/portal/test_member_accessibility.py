"""Every main member page passes axe-core (vendored under tests/portal/vendor/axe-core) with no
serious or critical violation, at phone size, with the member's real data on it."""

from __future__ import annotations

import pytest

from services.gen.club.crm.v1 import crm_pb2
from tests.portal import pages
from tests.portal.support import axe_violations

MEMBER_PAGES = ("/home", "/card", "/transactions", "/coupons", "/events", "/inbox", "/surveys", "/requests",
                "/profile")


@pytest.fixture(scope="module")
def signed_in_member(club, demo_club):
    """A demo member (invited to the demo event, with points and a card) who also has a request."""
    member = demo_club["cards"][2]
    club.crm.RecordInteraction(crm_pb2.RecordInteractionRequest(
        member_id=member["member_id"], channel=crm_pb2.INTERACTION_CHANNEL_CALL_CENTRE,
        kind=crm_pb2.INTERACTION_KIND_QUESTION, subject="ساعت کار شعبه", body="شعبه تا چه ساعتی باز است؟"))
    return member


def test_the_sign_in_page_has_no_serious_accessibility_violation(browser, portal):
    pages.open_page(browser, portal, "/signin")
    assert axe_violations(browser) == []
    # The check itself sees a fault: an image without a text alternative is a critical one.
    browser.execute_script("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/x.png\">')")
    assert [v["id"] for v in axe_violations(browser)] == ["image-alt"]


def test_every_main_member_page_has_no_serious_accessibility_violation(browser, portal, sms_sink, signed_in_member):
    pages.sign_in(browser, portal, sms_sink, signed_in_member["phone"])
    found = {}
    for path in MEMBER_PAGES:
        pages.open_page(browser, portal, path)
        assert browser.find_element("css selector", "h1").text, path  # the page itself, not an error
        assert "متأسفیم" not in pages.text_of(browser), path
        violations = axe_violations(browser)
        if violations:
            found[path] = violations
    assert found == {}
