"""Fixtures for the portal's tests in a real browser, for every section of the portal to reuse
(the pieces are in tests/portal/support.py):

- `portal_stack`: every service as a real process, crm sending its SMS to `sms_sink`, a local
  HTTP server speaking the gateway's API (scripts/sms_sink.py), so a test reads the one-time code
  a member would get on her phone (`sms_sink.code_for(phone, after=n)`);
- `portal`: the portal itself (`python -m services.portal`), started with the services'
  addresses and nothing else: no auth secret (`portal.url`);
- `demo_club`: the demo club seeded through clubctl (var/demo.json's shape), and `club`: gRPC
  stubs with an operator token for a test's own setup (`club.member()` makes a fresh member);
- `browser`: Debian's headless Chromium with a fresh profile at phone size, driven by Selenium
  through /usr/bin/chromedriver (installed by scripts/ensure_browser.sh when missing).
"""

from __future__ import annotations

import os

import pytest

from tests import harness
from tests.portal.support import (
    DEV_API_KEY,
    Club,
    PortalProcess,
    Sink,
    SmsSink,
    close_browser,
    new_browser,
    seed_demo,
)


@pytest.fixture(scope="session")
def sms_sink(tmp_path_factory) -> Sink:
    server = SmsSink(harness.free_port(), tmp_path_factory.mktemp("sms") / "sms-sink.jsonl").start()
    yield Sink(server)
    server.close()


@pytest.fixture(scope="session")
def portal_stack(infra, tmp_path_factory, sms_sink) -> harness.Stack:
    stack = harness.Stack(tmp_path_factory.mktemp("portal-stack"), f"club_portal_{os.getpid()}",
                          {"CLUB_SMS_BASE_URL": sms_sink.url, "CLUB_SMS_API_KEY": DEV_API_KEY})
    stack.start(*harness.available_services())
    yield stack
    stack.close()


@pytest.fixture(scope="session")
def portal(portal_stack, tmp_path_factory) -> PortalProcess:
    process = PortalProcess(portal_stack, tmp_path_factory.mktemp("portal")).start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def demo_file(portal_stack, tmp_path_factory):
    return tmp_path_factory.mktemp("demo") / "demo.json"


@pytest.fixture(scope="session")
def demo_club(portal_stack, demo_file) -> dict:
    return seed_demo(portal_stack, demo_file)


@pytest.fixture(scope="session")
def club(portal_stack, demo_club) -> Club:
    made = Club(portal_stack, demo_club)
    yield made
    made.close()


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium at phone size with a fresh profile (no cookies from another test)."""
    profile = tmp_path / "chromium-profile"
    driver = new_browser(profile)
    yield driver
    close_browser(driver, profile)
