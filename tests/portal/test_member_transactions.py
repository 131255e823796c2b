"""A member's purchases, made at the demo shops' terminals over ISO 8583, on her transactions page:
the shop's name, the discount, the points, Jalali time in Persian digits, and the search."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from services.shared import persian
from tests.portal import pages
from tests.portal.support import purchase

CARD = 3  # a demo member of her own here (the other tests use cards 0 and 2)


def test_her_purchases_show_with_shop_discount_and_points_and_can_be_searched(browser, portal, sms_sink, club,
                                                                              portal_stack, demo_club, demo_file,
                                                                              tmp_path):
    journal = tmp_path / "terminal-journal.json"
    purchase(portal_stack, demo_file, journal, card=CARD, terminal=0, amount=1_500_000)
    purchase(portal_stack, demo_file, journal, card=CARD, terminal=2, amount=80_000)
    bakery, supermarket = demo_club["merchants"][0]["name"], demo_club["merchants"][2]["name"]

    pages.sign_in(browser, portal, sms_sink, demo_club["cards"][CARD]["phone"])
    pages.open_page(browser, portal, "/transactions")
    rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#tx-rows li.tx")]
    assert len(rows) == 2
    newest, oldest = rows
    assert supermarket in newest and persian.rials(80_000) in newest
    assert bakery in oldest and persian.rials(1_500_000) in oldest
    assert "تخفیف" in oldest and "امتیاز گرفتید" in oldest  # the club's 15% and its points
    assert not any(ch.isascii() and ch.isdigit() for ch in oldest)  # every digit Persian

    browser.find_element(By.TAG_NAME, "summary").click()
    pages.fill(browser, {"min": "۱٬۰۰۰٬۰۰۰"})
    pages.press(browser, "جستجو")
    pages.wait(browser, lambda d: "min=" in d.current_url)
    rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#tx-rows li.tx")]
    assert len(rows) == 1 and bakery in rows[0]

    pages.open_page(browser, portal, "/transactions?merchant=" + supermarket)
    rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#tx-rows li.tx")]
    assert len(rows) == 1 and supermarket in rows[0]

    pages.open_page(browser, portal, "/transactions?min=abc")
    assert "مبلغ را به ریال و با رقم وارد کنید" in pages.text_of(browser)
