"""The merchant portal in headless Chromium at desktop size against real services: sign-in with a
TOTP code computed from the URI the operator got, the dashboard with funder names and Jalali
dates, a user with two merchants picking one and reading its terminals' transactions, statements
viewed and downloaded (the CSV adds up to the batch, the PDF is a PDF), another merchant's pages
refused with 403 in the browser and over plain HTTP, a form without its CSRF token refused, a
merchant name with markup shown as text, and axe-core on every main page."""

from __future__ import annotations

import csv
import datetime as dt
import http.cookiejar
import io
import pathlib
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

import jdatetime
import pyotp
import pypdf
import pytest
from selenium.webdriver.common.by import By

from services.documents import statement as documents
from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.portal import formatting, web
from services.shared import persian
from tests.portal import pages
from tests.portal.desk import desktop, merchant_sign_in, no_serious_violations
from tests.portal.support import purchase as iso_purchase
from tests.tasheem.helpers import an_iban, share, stamp, uid
from tests.tasheem.test_settlement import open_account, purchase

MARKUP = "<script>window.pwned = 1</script>"
SHOP_NAME = f"نان برکت {MARKUP}"
PASSWORD = "nan-e-barakat-2025"
AMOUNTS = (1_000_003, 2_345_677)
LATER_AMOUNT = 777_777  # after the batch: what the next cut-off will pay
JALALI_MONTHS = tuple(jdatetime.date.j_months_fa)
DENIED = "اجازهٔ این کار را ندارید."
DOWNLOAD_SECONDS = 30


def _not_run(driver) -> bool:
    return driver.execute_script("return window.pwned === undefined")


@pytest.fixture(scope="module")
def shops(club, portal_stack):
    """A merchant whose name holds markup, with a day of purchases under an offer funded by the
    bank, a partner and itself, a closed batch, one purchase after it, and a terminal whose totals
    did not match; a neighbour merchant; and two merchant users made by an operator."""
    tasheem, wallet = club.tasheem, club.wallet
    if "digikala" not in {p.party_id for p in tasheem.ListParties(pb.ListPartiesRequest()).parties}:
        tasheem.CreateParty(pb.CreatePartyRequest(party_id="digikala", name="دیجی‌کالا"))
    shop = tasheem.CreateMerchant(pb.CreateMerchantRequest(
        merchant_id=uid("M"), name=SHOP_NAME, mcc="5462",
        beneficiaries=[pb.Beneficiary(iban=an_iban(), name="مالک", ratio_bp=7000, remainder=True),
                       pb.Beneficiary(iban=an_iban(), name="شریک", ratio_bp=3000)]))
    other = tasheem.CreateMerchant(pb.CreateMerchantRequest(
        merchant_id=uid("M"), name="همسایه", mcc="5462",
        beneficiaries=[pb.Beneficiary(iban=an_iban(), name="مالک", remainder=True)]))
    for m in (shop, other):
        open_account(wallet, f"merchant:{m.merchant_id}:payable", wpb.ACCOUNT_KIND_MERCHANT_PAYABLE, m.merchant_id)
    for party in ("bank", "digikala", "club"):
        open_account(wallet, f"funder:{party}:discount", wpb.ACCOUNT_KIND_FUNDER_DISCOUNT, party)
    open_account(wallet, "club:settlement_clearing", wpb.ACCOUNT_KIND_SETTLEMENT_CLEARING, "club")
    deal = tasheem.CreateOffer(pb.CreateOfferRequest(offer=pb.Offer(
        offer_id=uid("off-"), name="۱۵٪ نان تازه", campaign="autumn", stacking=pb.STACKING_STACKABLE, priority=10,
        scope=pb.OfferScope(merchant_ids=[shop.merchant_id]), discount=pb.Discount(percent_bp=1500),
        budget=50_000_000, points=pb.PointsRule(bonus_points=7),
        funding=[share("bank", 4000), share("digikala", 3333), share("merchant", 2667, remainder=True)])))
    member = club.member()
    wallet.TopUp(wpb.TopUpRequest(transfer_id=uid("topup-"), member_id=member["member_id"], amount=50_000_000))
    done = [purchase(tasheem, wallet, shop.merchant_id, member["member_id"], amount) for amount in AMOUNTS]
    purchase(tasheem, wallet, other.merchant_id, member["member_id"], 500_000)
    batch = tasheem.CloseBatch(pb.CloseBatchRequest(cutoff=stamp(dt.datetime.now(dt.UTC))))
    later = purchase(tasheem, wallet, shop.merchant_id, member["member_id"], LATER_AMOUNT)
    tasheem.ReconcileTerminalTotals(pb.ReconcileTerminalTotalsRequest(
        terminal_id="T0001", merchant_id=shop.merchant_id, purchase_count=99, purchase_amount=1))
    with_totp = tasheem.CreateMerchantUser(pb.CreateMerchantUserRequest(
        username=uid("baker-").lower(), password=PASSWORD, display_name="مدیر نانوایی",
        merchant_ids=[shop.merchant_id], totp=True))
    demo_merchant = club.demo["merchants"][0]
    two_shops = tasheem.CreateMerchantUser(pb.CreateMerchantUserRequest(
        username=uid("chain-").lower(), password=PASSWORD, display_name="مدیر زنجیره",
        merchant_ids=[shop.merchant_id, demo_merchant["merchant_id"]]))
    return {"shop": shop, "other": other, "offer": deal, "done": done, "later": later, "batch": batch,
            "totp_user": with_totp, "two_shops": two_shops, "demo_merchant": demo_merchant}


def sign_in(driver, portal, username: str, password: str = PASSWORD, code: str = "") -> None:
    merchant_sign_in(driver, portal, username, password, code)


def test_a_merchant_signs_in_with_totp_and_sees_the_day_with_funder_names_and_jalali_dates(
        browser, portal, club, shops):
    desktop(browser)
    shop, user = shops["shop"], shops["totp_user"]
    pages.open_page(browser, portal, "/merchant/signin")
    no_serious_violations(browser, "merchant sign-in")
    # Without the code the answer is the same refusal as for a wrong password, in Persian.
    sign_in(browser, portal, user.username)
    assert "نام کاربری، گذرواژه یا کد یک‌بارمصرف درست نیست." in pages.text_of(browser)
    assert browser.find_element(By.NAME, "password").get_attribute("value") == ""  # never sent back
    sign_in(browser, portal, user.username, code="12")
    assert "کد ۶ رقمی" in pages.text_of(browser, "#e-totp_code")

    code = pyotp.parse_uri(user.totp_provisioning_uri).now()
    sign_in(browser, portal, user.username, code=persian.digits(code))  # Persian digits read as digits
    dashboard_path = f"/merchant/{shop.merchant_id}/dashboard"
    pages.wait(browser, lambda d: d.current_url.endswith(dashboard_path))

    board = club.tasheem.GetMerchantDashboard(pb.GetMerchantDashboardRequest(merchant_id=shop.merchant_id))
    main = pages.text_of(browser)
    assert SHOP_NAME in main and _not_run(browser)  # the name's markup is text, not a script
    assert pages.text_of(browser, "#sales-amount") == persian.rials(sum(AMOUNTS) + LATER_AMOUNT)
    assert pages.text_of(browser, "#discount-amount") == persian.rials(board.discount_amount)
    assert pages.text_of(browser, "#points-given") == persian.number(board.points_given)
    funders = pages.text_of(browser, "#funders")
    for name in ("بانک", "دیجی‌کالا", "سهم خود پذیرنده"):
        assert name in funders
    for funder in board.discount_funders:
        assert f"{funder.name} {persian.rials(funder.amount)}" in funders
    # The next cut-off and the PAYA payout in Jalali, Tehran time; what each IBAN will get.
    cutoff = pages.text_of(browser, "#next-cutoff")
    assert cutoff == formatting.when(board.next_cutoff_at) and any(month in cutoff for month in JALALI_MONTHS)
    assert formatting.when(board.next_payout_at) in main
    payouts = pages.text_of(browser, "#next-payouts")
    assert {p.beneficiary_name for p in board.next_payouts} == {"مالک", "شریک"}
    for payout in board.next_payouts:
        assert payout.beneficiary_name in payouts and persian.rials(payout.amount) in payouts
    assert sum(p.amount for p in board.next_payouts) > 0
    no_serious_violations(browser, "merchant dashboard")

    pages.open_page(browser, portal, f"/merchant/{shop.merchant_id}/terminals")
    results = pages.text_of(browser, "#reconciliations")
    assert "T0001" in results and "ناهمخوان" in results and "تعداد خرید: پایانه ۹۹، باشگاه" in results
    no_serious_violations(browser, "terminal reconciliations")

    pages.open_page(browser, portal, f"/merchant/{shop.merchant_id}/offers")
    offers = pages.text_of(browser, "#offers")
    deal = club.tasheem.GetOffer(pb.GetOfferRequest(offer_id=shops["offer"].offer_id))
    assert "۱۵٪ نان تازه" in offers and persian.rials(50_000_000) in offers
    assert persian.rials(deal.budget_used) in offers and deal.budget_used > 0
    no_serious_violations(browser, "offers")


def _allow_downloads(driver, directory: pathlib.Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(directory)})


def _downloaded(directory: pathlib.Path, name: str) -> bytes:
    path = directory / name
    deadline = time.monotonic() + DOWNLOAD_SECONDS
    while time.monotonic() < deadline:
        if path.exists() and not list(directory.glob("*.crdownload")):
            return path.read_bytes()
        time.sleep(0.2)
    raise AssertionError(f"{name} did not arrive; the folder has {sorted(p.name for p in directory.iterdir())}")


def test_statements_are_viewed_and_downloaded_and_the_csv_adds_up_to_the_batch(
        browser, portal, club, shops, tmp_path):
    desktop(browser)
    shop, batch_id = shops["shop"], shops["batch"].batch_id
    sign_in(browser, portal, shops["two_shops"].username)
    pages.wait(browser, lambda d: d.current_url.endswith("/merchant/choose"))
    browser.find_element(By.CSS_SELECTOR, f"input[name=merchant_id][value='{shop.merchant_id}']").click()
    pages.press(browser, "ادامه")
    pages.wait(browser, lambda d: d.current_url.endswith(f"/merchant/{shop.merchant_id}/dashboard"))

    pages.open_page(browser, portal, f"/merchant/{shop.merchant_id}/batches")
    batch = club.tasheem.GetBatch(pb.GetBatchRequest(batch_id=batch_id, merchant_id=shop.merchant_id))
    settled = batch.merchants[0]
    row = pages.text_of(browser, f"tr[data-batch='{batch_id}']")
    assert formatting.when(batch.cutoff) in row and formatting.when(batch.payout_at) in row
    assert any(month in row for month in JALALI_MONTHS) and persian.rials(settled.net_payable) in row
    no_serious_violations(browser, "batches")

    # The view is services/documents' statement: funders by name, the period and payout in Jalali.
    browser.find_element(By.CSS_SELECTOR, f"tr[data-batch='{batch_id}'] a[href$='/statement']").click()
    pages.wait(browser, lambda d: "صورتحساب تسویه" in d.title)
    shown = pages.text_of(browser, "body")
    made = documents.gather(club.tasheem, batch_id, shop.merchant_id)
    start, end = made.period()
    assert SHOP_NAME in shown and _not_run(browser)
    assert "سهم دیجی‌کالا" in shown and "سهم بانک" in shown
    assert persian.date_time(end) in shown and persian.date_time(made.payout_at()) in shown
    assert persian.rials(settled.net_payable) in shown
    no_serious_violations(browser, "statement")
    browser.back()

    downloads = tmp_path / "downloads"
    _allow_downloads(browser, downloads)
    row_links = f"tr[data-batch='{batch_id}'] a"
    pages.wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, row_links))
    browser.find_element(By.CSS_SELECTOR, f"{row_links}[href$='.csv']").click()
    text = _downloaded(downloads, f"{batch_id}-{shop.merchant_id}.csv").decode("utf-8")
    assert text == documents.render_csv(made)  # the same document clubctl writes
    records = list(csv.DictReader(io.StringIO(text)))
    figures = {(r["key"], r["party_id"]): int(r["amount_rials"]) for r in records if r["record"] == "figure"}
    assert figures[("net_payable", "")] == settled.net_payable and figures[("gross_sales", "")] == settled.gross_sales
    assert figures[("discount_funding", "digikala")] == settled.funded_by_party["digikala"] > 0
    for (key, party), amount in figures.items():
        if key in documents.ITEMIZED:
            items = [int(r["amount_rials"]) for r in records
                     if r["record"] == "transaction" and r["key"] == key and (not party or r["party_id"] == party)]
            assert sum(items) == amount, (key, party)
    sold = {r["transaction_id"] for r in records if r["record"] == "transaction" and r["key"] == "sales"}
    assert sold >= {transaction for transaction, _ in shops["done"]} and shops["later"][0] not in sold
    assert sum(int(r["amount_rials"]) for r in records if r["record"] == "payout") == settled.net_payable

    browser.find_element(By.CSS_SELECTOR, f"{row_links}[href$='.pdf']").click()
    pdf = _downloaded(downloads, f"{batch_id}-{shop.merchant_id}.pdf")
    assert pdf.startswith(b"%PDF")
    assert batch_id in "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_user_with_two_merchants_picks_one_and_reads_its_terminals_transactions(
        browser, portal, portal_stack, demo_file, club, shops, tmp_path):
    desktop(browser)
    bakery = shops["demo_merchant"]
    terminal = next(t for t in club.demo["terminals"] if t["merchant_id"] == bakery["merchant_id"])
    index = club.demo["terminals"].index(terminal)
    iso_purchase(portal_stack, demo_file, tmp_path / "journal.json", card=0, terminal=index, amount=123_456)
    sign_in(browser, portal, shops["two_shops"].username)
    pages.wait(browser, lambda d: d.current_url.endswith("/merchant/choose"))
    choices = pages.text_of(browser)
    assert SHOP_NAME in choices and bakery["name"] in choices and _not_run(browser)
    no_serious_violations(browser, "choose a merchant")
    browser.find_element(By.CSS_SELECTOR, f"input[name=merchant_id][value='{bakery['merchant_id']}']").click()
    pages.press(browser, "ادامه")
    pages.wait(browser, lambda d: d.current_url.endswith(f"/merchant/{bakery['merchant_id']}/dashboard"))
    assert bakery["name"] in pages.text_of(browser, "h1")

    pages.open_page(browser, portal, f"/merchant/{bakery['merchant_id']}/transactions?terminal={terminal['terminal_id']}")
    rows = pages.text_of(browser, "#transactions")
    assert terminal["terminal_id"] in rows and persian.rials(123_456) in rows and "پذیرفته" in rows
    no_serious_violations(browser, "transactions by terminal")
    # A terminal id that cannot be one is refused with a message naming the field.
    pages.open_page(browser, portal, f"/merchant/{bakery['merchant_id']}/transactions?terminal=" +
                    urllib.parse.quote("<b>bad</b>"))
    assert "شناسهٔ پایانه" in pages.text_of(browser, "#e-terminal")
    # The other merchant is a switch away, without signing in again.
    pages.open_page(browser, portal, "/merchant/choose")
    browser.find_element(By.CSS_SELECTOR, f"input[name=merchant_id][value='{shops['shop'].merchant_id}']").click()
    pages.press(browser, "ادامه")
    pages.wait(browser, lambda d: d.current_url.endswith(f"/merchant/{shops['shop'].merchant_id}/dashboard"))


def test_a_merchant_changes_its_password_and_signs_in_with_the_new_one(browser, portal, club, shops):
    desktop(browser)
    user = club.tasheem.CreateMerchantUser(pb.CreateMerchantUserRequest(
        username=uid("cashier-").lower(), password=PASSWORD, display_name="صندوقدار",
        merchant_ids=[shops["other"].merchant_id]))
    sign_in(browser, portal, user.username)
    pages.wait(browser, lambda d: d.current_url.endswith(f"/merchant/{shops['other'].merchant_id}/dashboard"))
    browser.find_element(By.LINK_TEXT, "گذرواژه").click()
    pages.wait(browser, lambda d: d.current_url.endswith("/merchant/password"))
    no_serious_violations(browser, "change password")

    # Checked on the server, in Persian, naming each field; nothing typed is sent back.
    pages.fill(browser, {"current_password": PASSWORD, "new_password": "short", "new_password_again": "short"})
    pages.press_and_reload(browser, "ثبت گذرواژهٔ تازه")
    assert "نویسه باشد" in pages.text_of(browser, "#e-new_password")
    assert browser.find_element(By.NAME, "current_password").get_attribute("value") == ""
    pages.fill(browser, {"current_password": PASSWORD, "new_password": "sangak-every-morning",
                         "new_password_again": "sangak-every-evening"})
    pages.press_and_reload(browser, "ثبت گذرواژهٔ تازه")
    assert "یکی نیست" in pages.text_of(browser, "#e-new_password_again")
    pages.fill(browser, {"current_password": "not my password", "new_password": "sangak-every-morning",
                         "new_password_again": "sangak-every-morning"})
    pages.press_and_reload(browser, "ثبت گذرواژهٔ تازه")
    assert "گذرواژهٔ کنونی یا کد یک‌بارمصرف درست نیست" in pages.text_of(browser, "#e-form")

    pages.fill(browser, {"current_password": PASSWORD, "new_password": "sangak-every-morning",
                         "new_password_again": "sangak-every-morning"})
    pages.press_and_reload(browser, "ثبت گذرواژهٔ تازه")
    assert "گذرواژهٔ تازه ثبت شد" in pages.text_of(browser, "body")
    pages.press_and_reload(browser, "خروج", within="header")
    sign_in(browser, portal, user.username)  # the old password
    assert "درست نیست" in pages.text_of(browser, "#e-form")
    sign_in(browser, portal, user.username, "sangak-every-morning")
    pages.wait(browser, lambda d: d.current_url.endswith(f"/merchant/{shops['other'].merchant_id}/dashboard"))


def test_another_merchants_pages_are_refused_in_the_browser(browser, portal, shops):
    desktop(browser)
    other, batch_id = shops["other"], shops["batch"].batch_id
    sign_in(browser, portal, shops["two_shops"].username)
    for path in (f"/merchant/{other.merchant_id}/dashboard", f"/merchant/{other.merchant_id}/batches",
                 f"/merchant/{other.merchant_id}/batches/{batch_id}/statement",
                 f"/merchant/{other.merchant_id}/offers"):
        pages.open_page(browser, portal, path)
        shown = pages.text_of(browser)
        assert DENIED in shown and "همسایه" not in shown, path
        assert http_status(browser, path) == 403, path


def http_status(driver, path: str) -> int:
    """The status the browser gets for `path` with its own cookies (Selenium does not tell)."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(r => done(r.status), e => done(String(e)));", path)


class PlainClient:
    """The portal over plain HTTP with a cookie jar, as a script would use it."""

    def __init__(self, portal):
        self.base = portal.url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as reply:
                return reply.status, reply.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=30) as reply:
                return reply.status, reply.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def csrf(self, path: str) -> str:
        _, page = self.get(path)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_another_merchants_pages_are_refused_over_plain_http(portal, shops):
    client = PlainClient(portal)
    token = client.csrf("/merchant/signin")
    client.post("/merchant/signin", {"csrf_token": token, "username": shops["two_shops"].username,
                                     "password": PASSWORD})
    shop, other, batch_id = shops["shop"].merchant_id, shops["other"].merchant_id, shops["batch"].batch_id
    # It holds the shop and the demo bakery; with the bakery's token the shop is refused too.
    client.post("/merchant/choose", {"csrf_token": client.csrf("/merchant/choose"),
                                     "merchant_id": shops["demo_merchant"]["merchant_id"]})
    assert client.get(f"/merchant/{shop}/dashboard")[0] == 403
    client.post("/merchant/choose", {"csrf_token": client.csrf("/merchant/choose"), "merchant_id": shop})
    # Both merchants' tokens ride in the session cookie, which stays within what a browser keeps.
    (cookie,) = [c for c in client.jar if c.name == "club_portal"]
    assert len(cookie.name) + len(cookie.value) < 4096
    status, page = client.get("/")  # the portal's front door leads to the chosen merchant's dashboard
    assert status == 200 and "پیشخوان" in page and SHOP_NAME not in page and "نان برکت &lt;script&gt;" in page
    assert client.get(f"/merchant/{shop}/dashboard")[0] == 200, "signed in"
    assert client.get(f"/merchant/{shop}/batches/{batch_id}/statement.csv")[0] == 200
    status, page = client.get(f"/merchant/{shop}/batches/no-such-batch/statement.pdf")
    assert status == 404 and "پیدا نشد" in page and "Traceback" not in page
    assert client.get(f"/merchant/{shop}/batches/{batch_id}/statement.exe")[0] == 404
    for path in (f"/merchant/{other}/dashboard", f"/merchant/{other}/transactions", f"/merchant/{other}/terminals",
                 f"/merchant/{other}/batches", f"/merchant/{other}/offers",
                 f"/merchant/{other}/batches/{batch_id}/statement",
                 f"/merchant/{other}/batches/{batch_id}/statement.csv",
                 f"/merchant/{other}/batches/{batch_id}/statement.pdf"):
        status, page = client.get(path)
        assert status == 403 and DENIED in page and "همسایه" not in page, path
        assert "Traceback" not in page
    # After log-out nothing of the merchant's opens.
    client.post("/logout", {"csrf_token": client.csrf(f"/merchant/{shop}/dashboard")})
    status, page = client.get(f"/merchant/{shop}/dashboard")
    assert status == 200 and 'action="/merchant/signin"' in page and "پیشخوان" not in page


def test_a_form_without_its_csrf_token_is_refused(browser, portal, shops):
    desktop(browser)
    pages.open_page(browser, portal, "/merchant/signin")
    browser.execute_script("document.querySelector('input[name=csrf_token]').remove()")
    pages.fill(browser, {"username": shops["two_shops"].username, "password": PASSWORD})
    pages.press(browser, "ورود")
    assert web.CSRF_REFUSED in pages.wait_text(browser, "این فرم کهنه")
    pages.open_page(browser, portal, f"/merchant/{shops['shop'].merchant_id}/dashboard")
    assert "/merchant/signin" in browser.current_url  # nothing signed in

    client = PlainClient(portal)
    client.get("/merchant/signin")
    status, page = client.post("/merchant/signin", {"username": shops["two_shops"].username, "password": PASSWORD})
    assert status == 403 and web.CSRF_REFUSED in page
    status, page = client.post("/merchant/signin", {"csrf_token": secrets.token_urlsafe(32),
                                                    "username": shops["two_shops"].username, "password": PASSWORD})
    assert status == 403 and web.CSRF_REFUSED in page
