"""The portal's core, shared by the member portal, the merchant portal and the operator console:
who is signed in (a signed session cookie), CSRF on every form, rendering in Persian, errors.

Sessions: Starlette's SessionMiddleware keeps the session in a cookie signed with
CLUB_PORTAL_SESSION_KEY (itsdangerous), HttpOnly, SameSite=Lax, Secure when
CLUB_PORTAL_SECURE_COOKIES. It holds the person's own token from sign-in, never a secret of the
portal's; a session ends at log-out, when the token expires, or after CLUB_PORTAL_SESSION_MINUTES.

CSRF: one token per session (made at the first page, made anew at sign-in), sent back as the
hidden field `csrf_token` of every form; CsrfMiddleware refuses any unsafe request without it,
before a page's code runs, so no form can forget the check.
"""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
import time
import urllib.parse
from dataclasses import dataclass

import grpc
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from . import errors

log = logging.getLogger("portal")

CSRF_FIELD = "csrf_token"
CSRF_KEY = "csrf"
PERSON_KEY = "person"
FLASH_KEY = "flash"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 64 * 1024  # the longest form (a request's text) is far below this

# Where each role signs in; a page that requires a role sends others there. The merchant portal
# and the operator console add theirs.
SIGN_IN_PATHS = {"member": "/signin"}
# Where each role's pages start (the portal's / sends a signed-in person there).
HOME_PATHS = {"member": "/home"}

CSRF_REFUSED = "این فرم کهنه یا ناقص بود و پذیرفته نشد. صفحه را دوباره باز کنید و از نو بفرستید."
FORM_TOO_LARGE = "فرم بیش از اندازه بزرگ بود."
SIGNED_OUT = "ورود شما به پایان رسیده است؛ دوباره وارد شوید."
NOT_FOUND = "این صفحه پیدا نشد."
UNEXPECTED = "خطایی پیش آمد؛ کمی بعد دوباره بکوشید."


@dataclass(frozen=True)
class Person:
    """Who is signed in: their role, their own token, and whom it names."""

    role: str
    token: str
    subject: str  # member_id for a member; the user for a merchant or an operator
    expires: float  # epoch seconds: the token's expiry or the session's, whichever is first
    merchant_id: str = ""
    name: str = ""


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made on first use."""
    token = request.session.get(CSRF_KEY)
    if not token:
        token = request.session[CSRF_KEY] = secrets.token_urlsafe(32)
    return token


def current_person(request: Request) -> Person | None:
    data = request.session.get(PERSON_KEY)
    if not data:
        return None
    try:
        person = Person(**data)
    except TypeError:  # a cookie from an older portal: start again
        sign_out(request)
        return None
    if person.expires <= time.time():
        sign_out(request)
        return None
    return person


def sign_in(request: Request, role: str, token: str, subject: str, token_expires: float,
            merchant_id: str = "", name: str = "") -> Person:
    """Starts a new session for a person (a fresh CSRF token: nothing from before carries over)."""
    longest = time.time() + request.app.state.config.portal_session_minutes * 60
    person = Person(role, token, subject, min(token_expires or longest, longest), merchant_id, name)
    request.session.clear()
    request.session[PERSON_KEY] = person.__dict__.copy()
    csrf_token(request)
    return person


def sign_out(request: Request) -> None:
    request.session.clear()


def flash(request: Request, text: str, kind: str = "ok") -> None:
    """A message shown once on the next page (after a redirect)."""
    request.session.setdefault(FLASH_KEY, []).append([kind, text])


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def redirect(url: str) -> RedirectResponse:
    """303: after a form, the browser (and htmx) reads the page with GET."""
    return RedirectResponse(url, status_code=303)


def render(request: Request, template: str, status: int = 200, **context) -> Response:
    flashes = request.session.pop(FLASH_KEY, [])
    context.update(person=current_person(request), csrf_token=csrf_token(request), flashes=flashes)
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


def error_page(request: Request, message: str, status: int) -> Response:
    response = render(request, "error.html", status=status, message=message)
    if is_htmx(request):  # not the part of the page htmx asked for: the whole page's content
        response.headers.update({"HX-Retarget": "#main", "HX-Reselect": "#main", "HX-Reswap": "outerHTML"})
    return response


def requires(role: str):
    """The page needs a person of `role` signed in; anyone else is sent to that role's sign-in
    (back to this page after). The endpoint gets the Person as its second argument."""

    def decorate(endpoint):
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            person = current_person(request)
            if person is None or person.role != role:
                target = SIGN_IN_PATHS[role]
                if request.method in SAFE_METHODS:
                    target += "?" + urllib.parse.urlencode({"next": request.url.path})
                if is_htmx(request):
                    return Response(status_code=204, headers={"HX-Redirect": target})
                return redirect(target)
            return await endpoint(request, person)

        return guarded

    return decorate


def safe_next(value: str, default: str) -> str:
    """A local path to return to after sign-in; anything else (another site) is ignored."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def client_address(request: Request) -> str:
    """The browser's address (the proxy's X-Forwarded-For is trusted per CLUB_PORTAL_FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else ""


async def call(request: Request, method, message, person: Person | None):
    """One RPC as the signed-in person (None: a public call)."""
    return await request.app.state.backends.call(method, message, person.token if person else None)


# ---- middleware and error handlers ------------------------------------------------------------


class CsrfMiddleware:
    """Refuses an unsafe request whose form lacks this session's CSRF token (403, in Persian).

    It reads the body itself (forms are small and url-encoded; nothing else is accepted) and
    hands the same body on to the page."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            return await self.app(scope, receive, send)
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_FORM_BYTES:
                return await self._refuse(scope, send, FORM_TOO_LARGE, 413)
        request = Request(scope)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        sent = ""
        if content_type == FORM_CONTENT_TYPE:
            sent = (urllib.parse.parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD) or [""])[0]
        expected = scope.get("session", {}).get(CSRF_KEY, "")
        if not (sent and expected and hmac.compare_digest(sent.encode(), expected.encode())):
            log.warning("csrf refused", extra={"path": scope["path"]})
            return await self._refuse(scope, send, CSRF_REFUSED, 403)
        delivered = False

        async def replay():
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope, send, message: str, status: int) -> None:
        async def no_body():
            return {"type": "http.request", "body": b"", "more_body": False}

        response = error_page(Request(scope, no_body), message, status)
        await response(scope, no_body, send)


async def rpc_error(request: Request, exc: grpc.aio.AioRpcError) -> Response:
    """A call a page did not handle itself: its Persian message; an expired token signs out."""
    if exc.code() == grpc.StatusCode.UNAUTHENTICATED:
        person = current_person(request)
        sign_out(request)
        flash(request, SIGNED_OUT, "error")
        target = SIGN_IN_PATHS.get(person.role if person else "member", "/")
        return Response(status_code=204, headers={"HX-Redirect": target}) if is_htmx(request) else redirect(target)
    log.warning("call failed", extra={"path": request.url.path, "code": exc.code().name})
    return error_page(request, errors.message_for(exc), errors.http_status_for(exc))


async def http_error(request: Request, exc) -> Response:
    message = NOT_FOUND if exc.status_code == 404 else UNEXPECTED
    return error_page(request, message, exc.status_code)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error", extra={"path": request.url.path})
    return error_page(request, UNEXPECTED, 500)


SECURITY_HEADERS = {
    # Scripts and styles only from the portal itself: htmx is vendored, nothing inline.
    "content-security-policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


class SecurityHeadersMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in present]
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))  # pages hold personal data
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
