"""The portal's core without a browser: what a failed call says in Persian, the settings it
refuses, and, over HTTP against the running portal, its headers, cookie, CSRF refusal and error
pages (Persian, no trace of the code behind them)."""

from __future__ import annotations

import http.cookiejar
import re
import types
import urllib.error
import urllib.parse
import urllib.request

import grpc
import pytest

from services.portal import app as portal_app
from services.portal import errors, settings
from services.shared.clients import DEFAULT_PORTS
from services.shared.config import ConfigError
from tests import harness
from tests.portal.support import PortalProcess

TRACE_MARKERS = ("Traceback", "File \"", "Exception", "grpc", "starlette")


def failed(code: grpc.StatusCode, details: str) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details)


@pytest.mark.parametrize(("code", "details", "said"), [
    (grpc.StatusCode.UNAUTHENTICATED, "code: wrong; 3 tries left", "کد نادرست است؛ ۳ بار دیگر می‌توانید بکوشید."),
    (grpc.StatusCode.RESOURCE_EXHAUSTED, "phone: locked after 5 wrong codes; try again in 61 s",
     "پس از ۵ کد نادرست، این شماره قفل است؛ ۲ دقیقهٔ دیگر دوباره بکوشید."),
    (grpc.StatusCode.RESOURCE_EXHAUSTED, "phone: a code was sent just now; ask again in 42 s",
     "کد همین حالا فرستاده شد؛ ۴۲ ثانیهٔ دیگر می‌توانید کد تازه بخواهید."),
    (grpc.StatusCode.INVALID_ARGUMENT, "national_id: is not a valid national id (check digit)", "کد ملی درست نیست."),
    (grpc.StatusCode.INVALID_ARGUMENT, "values.birth_date: must be YYYY-MM-DD", "آنچه وارد کردید درست نیست."),
    (grpc.StatusCode.FAILED_PRECONDITION, "card is closed", "این کار اکنون شدنی نیست."),
    (grpc.StatusCode.INTERNAL, "KeyError: 'x' at line 3", "خطایی پیش آمد؛ کمی بعد دوباره بکوشید."),
    (grpc.StatusCode.NOT_FOUND, "این کوپن پیدا نشد", "این کوپن پیدا نشد"),  # already Persian: as it is
])
def test_a_failed_call_is_said_in_persian_without_the_services_english(code, details, said):
    assert errors.message_for(failed(code, details)) == said


def test_production_refuses_a_missing_session_key_and_cookies_sent_without_tls():
    with pytest.raises(ConfigError, match="CLUB_PORTAL_SESSION_KEY"):
        portal_app.validate(settings.load({"CLUB_ENV": "production"}))
    key = "a2V5LWZvci10aGUtcG9ydGFsLXNlc3Npb24tY29va2llcy0wMTIzNDU2Nzg5"
    with pytest.raises(ConfigError, match="CLUB_PORTAL_SECURE_COOKIES"):
        portal_app.validate(settings.load({"CLUB_ENV": "production", "CLUB_PORTAL_SESSION_KEY": key}))
    portal_app.validate(settings.load({"CLUB_ENV": "production", "CLUB_PORTAL_SESSION_KEY": key,
                                       "CLUB_PORTAL_SECURE_COOKIES": "true"}))
    with pytest.raises(ConfigError, match="CLUB_PORTAL_SESSION_KEY"):
        portal_app.validate(settings.load({"CLUB_PORTAL_SESSION_KEY": "c2hvcnQ="}))  # 5 bytes


def fetch(url: str, data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.headers, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_pages_carry_a_strict_policy_and_an_httponly_lax_cookie(portal):
    status, headers, body = fetch(portal.url + "/signin")
    assert status == 200 and 'dir="rtl"' in body and 'lang="fa"' in body
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store" and headers["x-frame-options"] == "DENY"
    cookie = headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie  # no TLS here


def test_a_post_without_the_csrf_token_is_refused_in_persian(portal):
    status, _, body = fetch(portal.url + "/signin", data=b"phone=09121234567",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and "این فرم کهنه یا ناقص بود و پذیرفته نشد" in body
    status, _, body = fetch(portal.url + "/logout", data=b'{"csrf_token": "x"}',
                            headers={"Content-Type": "application/json"})
    assert status == 403 and "پذیرفته نشد" in body


def test_unknown_pages_and_methods_answer_in_persian_with_no_trace_of_the_code(portal):
    status, _, body = fetch(portal.url + "/no-such-page")
    assert status == 404 and "این صفحه پیدا نشد" in body
    assert not any(marker in body for marker in TRACE_MARKERS)
    status, _, body = fetch(portal.url + "/home", headers={"Cookie": "club_portal=forged.value.sig"})
    assert status == 200 and "ورود به باشگاه" in body  # a forged cookie is no session: sign in


def test_with_the_services_down_a_member_reads_a_persian_sentence_and_no_trace(tmp_path):
    nowhere = types.SimpleNamespace(ports={name: harness.free_port() for name in DEFAULT_PORTS})
    portal = PortalProcess(nowhere, tmp_path, CLUB_PORTAL_CALL_TIMEOUT_SECONDS="2").start()
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(portal.url + "/signin", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        try:
            opener.open(portal.url + "/signin", data=urllib.parse.urlencode(
                {"csrf_token": token, "phone": "09121234567"}).encode(), timeout=10)
            raise AssertionError("the sign-in went through with no crm")
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode()
        assert status in (503, 504)
        assert "کمی بعد دوباره بکوشید" in body
        assert not any(marker in body for marker in TRACE_MARKERS)
    finally:
        portal.stop()
