"""Screenshots of the portal's main pages for the README: the member portal at phone size
(390x844), the merchant portal and the operator console at desktop size (1366x900).

    python scripts/portal_screenshots.py             # writes docs/screenshots/{member,merchant,operator}-*.png
    python scripts/portal_screenshots.py --sections merchant,operator

Self-contained: real services on a fresh database (as the tests start them), the demo club
seeded through clubctl, two purchases at its shops over ISO 8583, the portal, and Debian's
headless Chromium signing in as the demo's gold member with the code from a local SMS sink; then
a cut-off, one more purchase, the bakery's terminal totals, a merchant user for the demo bakery
(made as an operator would), a complaint in the CRM queue, and an operator's token.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402

from services.gen.club.crm.v1 import crm_pb2  # noqa: E402
from services.gen.club.tasheem.v1 import tasheem_pb2  # noqa: E402
from tests import harness  # noqa: E402
from tests.portal import pages  # noqa: E402
from tests.portal.desk import DESKTOP_SIZE, desktop, merchant_sign_in, operator_sign_in  # noqa: E402
from tests.portal.support import (  # noqa: E402
    DEV_API_KEY,
    PHONE_SIZE,
    Club,
    PortalProcess,
    Sink,
    SmsSink,
    close_browser,
    new_browser,
    purchase,
    seed_demo,
)

OUTPUT = ROOT / "docs" / "screenshots"
GOLD_CARD = 4  # the demo's gold member (services/cli/demo.py GOLD_MEMBER)
# (file name, path, what to do on the page before the picture)
SHOTS = (
    ("member-home", "/home", None),
    ("member-card", "/card", None),
    ("member-transactions", "/transactions", None),
    ("member-coupons", "/coupons", None),
    ("member-events", "/events", "rsvp"),
    ("member-requests", "/requests", None),
)
SECTIONS = ("member", "merchant", "operator")
MERCHANT_PASSWORD = "demo-bakery-password"  # a throwaway user on a throwaway database
AFTER_CUTOFF_AMOUNT = 860_000  # a purchase after the cut-off: what the next one will pay
RICH_CARD = 0  # the demo member with the most credit (the gold member's is spent by then)
# (file name, path under /merchant/<id>) of the demo bakery's pages
MERCHANT_SHOTS = (
    ("merchant-dashboard", "/dashboard"),
    ("merchant-transactions", "/transactions?terminal={terminal}"),
    ("merchant-terminals", "/terminals"),
    ("merchant-batches", "/batches"),
    ("merchant-statement", "/batches/{batch}/statement"),
    ("merchant-offers", "/offers"),
)


def save(browser, path: pathlib.Path) -> None:
    browser.save_screenshot(str(path))
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=pathlib.Path, default=OUTPUT)
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"which sections' pages, comma-separated (default: {','.join(SECTIONS)})")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    if not sections <= set(SECTIONS):
        parser.error(f"--sections: one or more of {', '.join(SECTIONS)}")
    args.output.mkdir(parents=True, exist_ok=True)
    harness.ensure_infra()
    with tempfile.TemporaryDirectory(prefix="portal-shots-") as tmp:
        work = pathlib.Path(tmp)
        sink = Sink(SmsSink(harness.free_port(), work / "sms.jsonl").start())
        stack = harness.Stack(work / "stack", f"club_shots_{os.getpid()}",
                              {"CLUB_SMS_BASE_URL": sink.url, "CLUB_SMS_API_KEY": DEV_API_KEY})
        portal = browser = None
        try:
            stack.start(*harness.available_services())
            demo = seed_demo(stack, work / "demo.json")
            for terminal, amount in ((0, 1_500_000), (2, 420_000)):
                purchase(stack, work / "demo.json", work / "journal.json", card=GOLD_CARD, terminal=terminal,
                         amount=amount)
            portal = PortalProcess(stack, work).start()
            if "member" in sections:
                browser = new_browser(work / "profile", PHONE_SIZE)
                pages.open_page(browser, portal, "/signin")
                save(browser, args.output / "member-signin.png")
                pages.sign_in(browser, portal, sink, demo["cards"][GOLD_CARD]["phone"])
                for name, path, action in SHOTS:
                    pages.open_page(browser, portal, path)
                    if action == "rsvp":
                        pages.press(browser, "می‌آیم")
                        pages.wait_text(browser, "جای شما نگه داشته شد")
                    save(browser, args.output / f"{name}.png")
                close_browser(browser, work / "profile")
                browser = None
            if sections & {"merchant", "operator"}:
                browser = new_browser(work / "profile", DESKTOP_SIZE)
                desktop(browser)
                desk_shots(browser, stack, demo, portal, work, args.output, sections)
        finally:
            if browser is not None:
                close_browser(browser, work / "profile")
            if portal is not None:
                portal.stop()
            stack.close()
            sink.server.close()


def desk_shots(browser, stack: harness.Stack, demo: dict, portal, work: pathlib.Path, output: pathlib.Path,
               sections: set[str]) -> None:
    """The demo bakery's merchant portal and the operator console at desktop size."""
    bakery, terminal = demo["merchants"][0], demo["terminals"][0]
    club = Club(stack, demo)
    try:
        cutoff = Timestamp()
        cutoff.FromDatetime(dt.datetime.now(dt.UTC))
        batch = club.tasheem.CloseBatch(tasheem_pb2.CloseBatchRequest(cutoff=cutoff))
        purchase(stack, work / "demo.json", work / "journal.json", card=RICH_CARD, terminal=0,
                 amount=AFTER_CUTOFF_AMOUNT)
        club.tasheem.ReconcileTerminalTotals(tasheem_pb2.ReconcileTerminalTotalsRequest(
            terminal_id=terminal["terminal_id"], merchant_id=bakery["merchant_id"], purchase_count=2,
            purchase_amount=1_500_000 + AFTER_CUTOFF_AMOUNT))
        user = club.tasheem.CreateMerchantUser(tasheem_pb2.CreateMerchantUserRequest(
            username="bakery.demo", password=MERCHANT_PASSWORD, display_name="مدیر نانوایی",
            merchant_ids=[bakery["merchant_id"]]))
        queue_member = demo["cards"][GOLD_CARD]
        club.crm.RecordInteraction(crm_pb2.RecordInteractionRequest(
            member_id=queue_member["member_id"], channel=crm_pb2.INTERACTION_CHANNEL_CALL_CENTRE,
            kind=crm_pb2.INTERACTION_KIND_COMPLAINT, subject="کارت در دستگاه پذیرنده ماند",
            body="شعبهٔ ونک، ساعت ۱۸"))
    finally:
        club.close()
    if "merchant" in sections:
        pages.open_page(browser, portal, "/merchant/signin")
        save(browser, output / "merchant-signin.png")
        merchant_sign_in(browser, portal, user.username, MERCHANT_PASSWORD)
        for name, path in MERCHANT_SHOTS:
            pages.open_page(browser, portal, f"/merchant/{bakery['merchant_id']}" +
                            path.format(terminal=terminal["terminal_id"], batch=batch.batch_id))
            save(browser, output / f"{name}.png")
    if "operator" in sections:
        operator_sign_in(browser, portal, stack.token("operator", subject="ops-demo"))
        pages.open_page(browser, portal, f"/operator?search=1&phone={queue_member['phone']}")
        save(browser, output / "operator-search.png")
        for name, path in (("operator-member", f"/operator/members/{queue_member['member_id']}"),
                           ("operator-queue", "/operator/queue"), ("operator-events", "/operator/events")):
            pages.open_page(browser, portal, path)
            save(browser, output / f"{name}.png")


if __name__ == "__main__":
    main()
