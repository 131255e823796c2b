"""The portal against services that require mTLS: it presents its own `portal` certificate
(scripts/make_certs.py), carries no token of its own, and a member's sign-in goes through."""

from __future__ import annotations

import http.cookiejar
import importlib.util
import re
import urllib.parse
import urllib.request

from tests import harness
from tests.portal.support import DEV_API_KEY, PortalProcess, Sink, SmsSink

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_certs():
    spec = importlib.util.spec_from_file_location("make_certs_for_portal", harness.ROOT / "scripts" / "make_certs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_member_signs_in_through_a_portal_that_speaks_mtls(isolated_stack, tmp_path):
    # A sink of its own: the gateway (and the sink) keep a message per local id, and this stack's
    # outbox numbers its messages from 1 again, like the session stack's.
    sms_sink = Sink(SmsSink(harness.free_port(), tmp_path / "sms.jsonl").start())
    certs = tmp_path / "certs"
    make_certs().write_bundle(certs)
    assert (certs / "portal.pem").exists() and (certs / "portal-key.pem").exists()
    stack = isolated_stack(CLUB_TLS_DIR=str(certs), CLUB_SMS_BASE_URL=sms_sink.url, CLUB_SMS_API_KEY=DEV_API_KEY)
    stack.start("cards", "wallet", "crm")
    portal = PortalProcess(stack, tmp_path, CLUB_TLS_DIR=str(certs)).start()
    try:
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = browser.open(portal.url + "/signin", timeout=10).read().decode()
        token = CSRF_FIELD.search(page).group(1)
        phone = "09371234567"
        answer = browser.open(portal.url + "/signin", data=urllib.parse.urlencode(
            {"csrf_token": token, "phone": phone}).encode(), timeout=10)
        assert answer.url.endswith("/signin/code")  # crm answered StartSignIn over mTLS
        code = sms_sink.code_for(phone, after=0)
        answer = browser.open(portal.url + "/signin/code", data=urllib.parse.urlencode(
            {"csrf_token": token, "code": code}).encode(), timeout=10)
        assert answer.url.endswith("/join")  # a phone with no member yet: VerifySignIn answered a join ticket
    finally:
        portal.stop()
        sms_sink.server.close()
    assert "CERTIFICATE" not in portal.log_text() and "UNAVAILABLE" not in portal.log_text()
