"""The member portal in headless Chromium against real services: sign-in with the SMS code,
joining, RSVP with a waitlist place, a coupon code, a reward, blocking a card, the CSRF check,
and text that looks like markup shown as text."""

from __future__ import annotations

import datetime as dt
import secrets

from google.protobuf.timestamp_pb2 import Timestamp
from selenium.webdriver.common.by import By

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.crm.v1 import crm_pb2
from services.gen.club.tasheem.v1 import tasheem_pb2
from services.shared import persian
from tests.portal import pages

MARKUP = "<script>window.pwned = 1</script>"


def _stamp(moment: dt.datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _not_run(driver) -> bool:
    return driver.execute_script("return window.pwned === undefined")


def test_a_member_signs_in_with_the_code_she_was_sent_and_sees_her_home(browser, portal, sms_sink, club):
    member = club.member(points=1_500, first_name="پریسا")
    landed = pages.sign_in(browser, portal, sms_sink, member["phone"])
    assert landed == "/home"
    home = pages.text_of(browser)
    assert "سلام پریسا" in home
    assert pages.text_of(browser, "#points") == persian.number(1_500) == "۱٬۵۰۰"
    assert "خوش آمدید" in pages.text_of(browser, "#flash")
    # The session ends at log-out: her pages send her back to sign in.
    pages.press(browser, "خروج", within="header")
    pages.wait(browser, lambda d: d.current_url.endswith("/signin"))
    pages.open_page(browser, portal, "/home")
    assert browser.current_url.endswith("/signin?next=%2Fhome")


def test_a_wrong_code_is_refused_in_persian_and_counts_down_the_tries(browser, portal, sms_sink, club):
    member = club.member()
    pages.open_page(browser, portal, "/signin")
    pages.fill(browser, {"phone": "۰۹۱۲"})
    pages.press(browser, "فرستادن کد")
    assert "شمارهٔ همراه باید ۱۱ رقم باشد" in pages.wait_text(browser, "۱۱ رقم")
    pages.fill(browser, {"phone": persian.digits(member["phone"])})  # Persian digits are read as digits
    pages.press(browser, "فرستادن کد")
    pages.wait_text(browser, "کد ورود")
    right = sms_sink.code_for(member["phone"], after=0)
    wrong = f"{(int(right) + 1) % 10**len(right):0{len(right)}d}"
    pages.fill(browser, {"code": wrong})
    pages.press(browser, "ورود")
    assert "کد نادرست است؛ ۴ بار دیگر می‌توانید بکوشید." in pages.wait_text(browser, "کد نادرست")
    pages.fill(browser, {"code": right})
    pages.press(browser, "ورود")
    pages.wait(browser, lambda d: d.current_url.endswith("/home"))


def test_asking_again_at_once_and_five_wrong_codes_are_refused_in_persian(browser, portal, sms_sink, club):
    member = club.member()
    pages.open_page(browser, portal, "/signin")
    pages.fill(browser, {"phone": member["phone"]})
    pages.press(browser, "فرستادن کد")
    pages.wait_text(browser, "کد ورود")
    right = sms_sink.code_for(member["phone"], after=0)
    pages.press(browser, "فرستادن دوبارهٔ کد")  # crm sends one code a minute to a phone
    assert "کد همین حالا فرستاده شد" in pages.wait_text(browser, "ثانیهٔ دیگر")
    pages.open_page(browser, portal, "/signin/code")
    wrong = f"{(int(right) + 1) % 10**len(right):0{len(right)}d}"
    for _ in range(5):
        pages.fill(browser, {"code": wrong})
        pages.press_and_reload(browser, "ورود")
    assert "کد نادرست بود و این شماره ۱۵ دقیقه قفل شد." in pages.text_of(browser, ".field-error")
    pages.fill(browser, {"code": right})  # the right code no longer opens the locked phone
    pages.press(browser, "ورود")
    assert "این شماره قفل است" in pages.wait_text(browser, "قفل است")
    assert browser.current_url.endswith("/signin/code")


def test_the_pages_use_the_vendored_vazirmatn_font(browser, portal):
    pages.open_page(browser, portal, "/signin")
    loaded = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "document.fonts.ready.then(() => done(document.fonts.check('16px Vazirmatn')"
        " && [...document.fonts].some(f => f.family.replace(/\"/g, '') === 'Vazirmatn' && f.status === 'loaded')));")
    assert loaded


def test_a_new_phone_joins_in_one_step_and_gets_a_virtual_card(browser, portal, sms_sink, club):
    phone = "0936" + "".join(secrets.choice("0123456789") for _ in range(7))
    assert pages.sign_in(browser, portal, sms_sink, phone) == "/join"
    pages.fill(browser, {"first_name": MARKUP + "مینا", "last_name": "نوری", "national_id": "0499370898"})
    pages.press(browser, "عضویت")
    assert "این کد ملی درست نیست" in pages.wait_text(browser, "کد ملی درست نیست")
    pages.fill(browser, {"national_id": "۰۴۹۹۳۷۰۸۹۹"})
    pages.press(browser, "عضویت")
    pages.wait(browser, lambda d: d.current_url.endswith("/home"))
    assert "کارت مجازی شما صادر شد" in pages.text_of(browser, "#flash")
    # Her name, markup and all, is shown as she typed it, and never runs.
    assert f"سلام {MARKUP}مینا" in pages.text_of(browser, "h1")
    assert _not_run(browser)
    found = club.cards.ListMembers(cards_pb2.ListMembersRequest(phone=phone)).members
    assert [(m.first_name, m.national_id) for m in found] == [(MARKUP + "مینا", "0499370899")]
    pages.open_page(browser, portal, "/card")
    assert "فعال" in pages.text_of(browser) or "صادر شده" in pages.text_of(browser)
    cards = club.cards.ListCards(cards_pb2.ListCardsRequest(member_id=found[0].member_id)).cards
    assert len(cards) == 1 and cards[0].virtual
    assert persian.digits(cards[0].masked_pan) in pages.text_of(browser)


def test_rsvp_to_a_full_event_shows_her_place_on_the_waitlist_and_the_title_as_text(browser, portal, sms_sink,
                                                                                    club):
    first, member = club.member(), club.member()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    event = club.crm.CreateEvent(crm_pb2.CreateEventRequest(event=crm_pb2.Event(
        title=MARKUP + "شب شعر", venue="تهران", capacity=1, starts_at=_stamp(now + dt.timedelta(days=3)),
        ends_at=_stamp(now + dt.timedelta(days=3, hours=2)), rsvp_deadline=_stamp(now + dt.timedelta(days=2)))))
    for _ in club.crm.InviteAudience(crm_pb2.InviteAudienceRequest(
            event_id=event.event_id, member_ids=[first["member_id"], member["member_id"]])):
        pass
    club.crm.Rsvp(crm_pb2.RsvpRequest(event_id=event.event_id, member_id=first["member_id"], accept=True))

    pages.sign_in(browser, portal, sms_sink, member["phone"])
    pages.open_page(browser, portal, "/events")
    card = f"#event-{event.event_id}"
    assert MARKUP + "شب شعر" in pages.text_of(browser, card + " h2")
    browser.find_element(By.CSS_SELECTOR, f"{card} button").click()  # «می‌آیم»
    pages.wait_text(browser, "فهرست انتظار", card + " .state")
    assert "نفر ۱ در فهرست انتظار" in pages.text_of(browser, card)
    assert "نفر ۱ فهرست انتظار هستید" in pages.text_of(browser, "#flash")
    assert _not_run(browser)
    # The first gives her place back: the member is promoted and gets her check-in code as a QR.
    club.crm.CancelRsvp(crm_pb2.CancelRsvpRequest(event_id=event.event_id, member_id=first["member_id"]))
    pages.open_page(browser, portal, "/events")
    assert "جای شما نگه داشته شد" in pages.text_of(browser, card)
    browser.find_element(By.LINK_TEXT, "کد ورود به رویداد").click()
    pages.wait_text(browser, "کد ورود به رویداد", "h1")
    qr = browser.find_element(By.CSS_SELECTOR, "img.qr")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", qr)
    code = pages.text_of(browser, "#checkin-code")
    checked = club.crm.CheckIn(crm_pb2.CheckInRequest(event_id=event.event_id, code=code))
    assert checked.member_id == member["member_id"]


def test_rsvp_to_the_demo_event_holds_a_place_and_charges_its_points(browser, portal, sms_sink, club, demo_club):
    member = demo_club["cards"][0]
    event_id = demo_club["club_life"]["event_id"]
    pages.sign_in(browser, portal, sms_sink, member["phone"])
    pages.open_page(browser, portal, "/events")
    pages.press(browser, "می‌آیم", within=f"section[@id='event-{event_id}']")
    pages.wait_text(browser, "جای شما نگه داشته شد", f"#event-{event_id} .state")
    assert "۱۰۰ امتیاز پرداخت شد" in pages.text_of(browser, f"#event-{event_id}")


def test_a_member_claims_a_coupon_with_a_shared_code(browser, portal, sms_sink, club, demo_club):
    code = "YALDA" + secrets.token_hex(3).upper()
    offer_id = demo_club["incentives"]["coupon_offer_id"]
    club.tasheem.CreateSharedCode(tasheem_pb2.CreateSharedCodeRequest(offer_id=offer_id, code=code, total_uses=10))
    member = club.member()
    pages.sign_in(browser, portal, sms_sink, member["phone"])
    pages.open_page(browser, portal, "/coupons")
    pages.fill(browser, {"code": "NO-SUCH-CODE"})
    pages.press(browser, "ثبت کد")
    assert pages.wait_text(browser, "کد درست نیست", "#claim .field-error")
    pages.fill(browser, {"code": code.lower()})
    pages.press(browser, "ثبت کد")
    pages.wait_text(browser, "به کوپن‌های شما افزوده شد", "#flash")
    assert "کوپن ۲۰٪ کتاب‌فروشی" in pages.text_of(browser, "#my-coupons")
    held = club.tasheem.ListCoupons(tasheem_pb2.ListCouponsRequest(member_id=member["member_id"])).coupons
    assert [c.offer_id for c in held] == [offer_id]


def test_a_member_redeems_a_reward_with_points_and_sees_the_voucher(browser, portal, sms_sink, club, demo_club):
    member = club.member(points=2_500)
    pages.sign_in(browser, portal, sms_sink, member["phone"])
    pages.open_page(browser, portal, "/coupons")
    reward_id = demo_club["incentives"]["reward_id"]
    pages.press(browser, "گرفتن با امتیاز", within=f"li[@id='reward-{reward_id}']")
    pages.wait(browser, lambda d: "/coupons/" in d.current_url)
    voucher = pages.text_of(browser)
    assert "سبد خرید ۱۰۰٬۰۰۰ ریالی" in voucher and "۱٬۰۰۰ امتیاز" in voucher
    assert "قابل استفاده" in voucher
    pages.open_page(browser, portal, "/home")
    assert pages.text_of(browser, "#points") == "۱٬۵۰۰"


def test_a_member_blocks_her_lost_card_after_confirming(browser, portal, sms_sink, club):
    member = club.member()
    pages.sign_in(browser, portal, sms_sink, member["phone"])
    pages.open_page(browser, portal, "/card")
    browser.find_element(By.PARTIAL_LINK_TEXT, "مسدود کردن").click()
    pages.wait_text(browser, "مسدود کردن کارت", "h1")
    pages.press(browser, "بله، کارت را مسدود کن")  # no reason chosen: asked again, nothing changed
    assert pages.wait_text(browser, "یکی از گزینه‌ها را برگزینید")
    card = club.cards.GetCard(cards_pb2.GetCardRequest(card_token=member["card"].card_token))
    assert card.status != cards_pb2.CARD_STATUS_LOST
    browser.find_element(By.ID, "reason-lost").click()
    pages.press(browser, "بله، کارت را مسدود کن")
    pages.wait(browser, lambda d: d.current_url.endswith("/card"))
    assert "مسدود: گم شده" in pages.text_of(browser)
    assert "مسدود شد" in pages.text_of(browser, "#flash")
    card = club.cards.GetCard(cards_pb2.GetCardRequest(card_token=member["card"].card_token))
    assert card.status == cards_pb2.CARD_STATUS_LOST


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(browser, portal, sms_sink, club):
    member = club.member()
    pages.sign_in(browser, portal, sms_sink, member["phone"])
    pages.open_page(browser, portal, "/requests")
    pages.fill(browser, {"subject": "بی‌نشان", "body": "این فرم نشانهٔ خود را ندارد"})
    browser.execute_script("document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())")
    pages.press(browser, "ثبت")
    assert "این فرم کهنه یا ناقص بود و پذیرفته نشد" in pages.wait_text(browser, "پذیرفته نشد")
    listed = club.crm.ListInteractions(crm_pb2.ListInteractionsRequest(member_id=member["member_id"]))
    assert list(listed.interactions) == []


def test_a_request_with_markup_is_recorded_and_shown_as_text_with_its_status(browser, portal, sms_sink, club):
    member = club.member()
    pages.sign_in(browser, portal, sms_sink, member["phone"])
    pages.open_page(browser, portal, "/requests")
    pages.press(browser, "ثبت")  # empty: each field says what is missing
    pages.wait_text(browser, "این خانه را پر کنید")
    pages.fill(browser, {"subject": MARKUP + "جای پارک", "body": "آیا <b>جای پارک</b> هست؟"})
    pages.press(browser, "ثبت")
    pages.wait(browser, lambda d: "/requests/" in d.current_url)
    assert pages.text_of(browser, "h1") == MARKUP + "جای پارک"
    assert pages.text_of(browser, ".body") == "آیا <b>جای پارک</b> هست؟"
    assert pages.text_of(browser, "#status") == "باز"
    assert _not_run(browser)
    [recorded] = club.crm.ListInteractions(crm_pb2.ListInteractionsRequest(member_id=member["member_id"])).interactions
    assert recorded.channel == crm_pb2.INTERACTION_CHANNEL_PORTAL and recorded.subject == MARKUP + "جای پارک"
    club.crm.ChangeInteractionStatus(crm_pb2.ChangeInteractionStatusRequest(
        interaction_id=recorded.interaction_id, status=crm_pb2.INTERACTION_STATUS_RESOLVED, note="بله، در حیاط."))
    browser.refresh()
    assert pages.text_of(browser, "#status") == "پاسخ داده شد"
    assert "بله، در حیاط." in pages.text_of(browser)


def test_preferences_and_consents_are_saved_and_amounts_follow_her_choice(browser, portal, sms_sink, club):
    member = club.member()
    pages.sign_in(browser, portal, sms_sink, member["phone"])
    pages.open_page(browser, portal, "/profile")
    pages.fill(browser, {"email": "not-an-email"})
    pages.press(browser, "ذخیره")
    assert pages.wait_text(browser, "نشانی ایمیل درست نیست")
    pages.fill(browser, {"email": "negar@example.com"})
    browser.find_element(By.ID, "amounts-tomans").click()
    browser.find_element(By.ID, "consent-marketing_sms").click()
    pages.press(browser, "ذخیره")
    pages.wait_text(browser, "ذخیره شد", "#flash")
    saved = club.cards.GetMember(cards_pb2.GetMemberRequest(member_id=member["member_id"]))
    assert saved.email == "negar@example.com" and saved.preferences["amounts"] == "tomans"
    assert {c.purpose: c.granted for c in saved.consents} == {"marketing_sms": True, "marketing_email": False}
    pages.open_page(browser, portal, "/home")
    assert "تومان" in pages.text_of(browser, "#credit")


def test_an_htmx_form_without_its_csrf_token_is_refused_on_the_page_and_changes_nothing(browser, portal, sms_sink,
                                                                                        club, demo_club):
    member, event_id = demo_club["cards"][1], demo_club["club_life"]["event_id"]
    pages.sign_in(browser, portal, sms_sink, member["phone"])
    pages.open_page(browser, portal, "/events")
    browser.execute_script("document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())")
    pages.press(browser, "می‌آیم", within=f"section[@id='event-{event_id}']")
    assert "پذیرفته نشد" in pages.wait_text(browser, "پذیرفته نشد")  # the refusal replaces the page's content
    invitations = club.crm.ListInvitations(crm_pb2.ListInvitationsRequest(member_id=member["member_id"])).invitations
    assert [i.state for i in invitations if i.event_id == event_id] == [crm_pb2.INVITATION_STATE_INVITED]
