"""Screenshots of the member portal's main pages at phone size (390x844), for the README.

    python scripts/portal_screenshots.py             # writes docs/screenshots/member-*.png

Self-contained: real services on a fresh database (as the tests start them), the demo club
seeded through clubctl, two purchases at its shops over ISO 8583, the portal, and Debian's
headless Chromium signing in as the demo's gold member with the code from a local SMS sink.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import harness  # noqa: E402
from tests.portal import pages  # noqa: E402
from tests.portal.support import (  # noqa: E402
    DEV_API_KEY,
    PHONE_SIZE,
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


def save(browser, path: pathlib.Path) -> None:
    browser.save_screenshot(str(path))
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=pathlib.Path, default=OUTPUT)
    args = parser.parse_args()
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
        finally:
            if browser is not None:
                close_browser(browser, work / "profile")
            if portal is not None:
                portal.stop()
            stack.close()
            sink.server.close()


if __name__ == "__main__":
    main()
