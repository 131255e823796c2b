"""The operator console (small, read-only): member search and the member-360 view, the CRM queue
by tier, events with their RSVPs, and the status of an announcement.

Operators sign in by pasting a token issued to them (`clubctl token issue --role operator`, or
`--role auditor` for someone who only reads). There is no operator password store in the club,
and the portal holds no secret of its own: it cannot mint or verify tokens. It reads the token's
claims (role, name, expiry) to address the person and to end the session when the token does,
then asks crm with it once; only a token the services accept signs in. Every page then calls the
services with that token, which decide what it may read.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import urllib.parse

import grpc
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.crm.v1 import crm_pb2
from services.shared import limits

from . import errors, forms, web
from .member import CARD_STATUS, COUPON_STATE, INTERACTION_KIND_NAMES, INTERACTION_STATUS
from .web import Person, call, redirect, render, requires

ROLE = "operator"
SIGN_IN = "/operator/signin"
HOME = "/operator"
PENDING_NEXT = "operator_next"
web.SIGN_IN_PATHS[ROLE] = SIGN_IN
web.HOME_PATHS[ROLE] = HOME
# Roles whose tokens may open the console: it only reads, so an auditor's token serves too.
TOKEN_ROLES = ("operator", "auditor")
TOKEN_LENGTH = 4096  # a JWT of the club's claims is far shorter
JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
SEARCH_RESULTS = 20
QUEUE_LIMIT = 100
MESSAGES_LIMIT = 100
TIERS = ("", "platinum", "gold", "silver", "bronze", "none")

NAV = (
    (HOME, "جستجوی عضو"),
    ("/operator/queue", "صف پاسخ‌گویی"),
    ("/operator/events", "رویدادها"),
    ("/operator/announcements", "اعلان‌ها"),
)

TOKEN_REFUSED = "این توکن پذیرفته نشد؛ توکن تازه‌ای با clubctl token issue بگیرید."
TOKEN_ROLE = "این توکن برای اپراتور یا حسابرس نیست."
TOKEN_EXPIRED = "زمان این توکن گذشته است؛ توکن تازه‌ای بگیرید."
SEARCH_ONE = "یکی از خانه‌ها را پر کنید."

DELIVERY_STATE = {
    crm_pb2.DELIVERY_STATE_QUEUED: ("در صف", ""),
    crm_pb2.DELIVERY_STATE_HELD: ("نگه‌داشته تا ساعت مجاز", ""),
    crm_pb2.DELIVERY_STATE_SENDING: ("در حال فرستادن", ""),
    crm_pb2.DELIVERY_STATE_SENT: ("فرستاده شد", "ok"),
    crm_pb2.DELIVERY_STATE_FAILED: ("ناموفق", "bad"),
    crm_pb2.DELIVERY_STATE_UNKNOWN: ("نامعلوم؛ تصمیم با اپراتور", "bad"),
    crm_pb2.DELIVERY_STATE_SKIPPED: ("فرستاده نشد (قاعده)", ""),
}
# A member's reply as an operator reads it (the member portal says it to the member).
INVITATION_STATE = {
    crm_pb2.INVITATION_STATE_INVITED: ("بی‌پاسخ", ""),
    crm_pb2.INVITATION_STATE_ACCEPTED: ("می‌آید", "ok"),
    crm_pb2.INVITATION_STATE_WAITLISTED: ("در فهرست انتظار", ""),
    crm_pb2.INVITATION_STATE_DECLINED: ("نمی‌آید", "bad"),
    crm_pb2.INVITATION_STATE_CANCELLED: ("جایش را پس داد", "bad"),
}
CHANNEL = {crm_pb2.CHANNEL_SMS: "پیامک", crm_pb2.CHANNEL_EMAIL: "ایمیل", crm_pb2.CHANNEL_INBOX: "صندوق پیام"}
PART_NAMES = {"profile": "مشخصات", "cards": "کارت‌ها", "balances": "مانده‌ها", "tier_progress": "پیشرفت سطح",
              "transactions": "تراکنش‌ها", "coupons": "کوپن‌ها", "events": "رویدادها",
              "interactions": "درخواست‌ها", "interests": "علاقه‌مندی‌ها"}


def page(request: Request, template: str, status: int = 200, **context):
    return render(request, template, status=status, nav=NAV, here=request.url.path, **context)


def _failed(error: grpc.aio.AioRpcError) -> tuple[str, int]:
    """A call the operator can put right (a member or announcement not found): the page again
    with its message; a lost session goes to sign-in."""
    if error.code() == grpc.StatusCode.UNAUTHENTICATED:
        raise error
    return errors.message_for(error), errors.http_status_for(error)


# ---- sign in with a token -----------------------------------------------------------------------


def _claims(token: str) -> dict:
    """The token's claims, read but not verified (the services verify it; the portal cannot)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
        raise forms.Invalid(TOKEN_REFUSED) from None
    if not isinstance(claims, dict):
        raise forms.Invalid(TOKEN_REFUSED)
    return claims


def _token(text: str) -> str:
    value = "".join(text.split())  # a token pasted across lines
    if value.lower().startswith("bearer"):
        value = value[len("bearer"):]
    if not value:
        raise forms.Invalid(forms.REQUIRED)
    if len(value) > TOKEN_LENGTH or not JWT.match(value):
        raise forms.Invalid(TOKEN_REFUSED)
    claims = _claims(value)
    if claims.get("role") not in TOKEN_ROLES:
        raise forms.Invalid(TOKEN_ROLE)
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
        raise forms.Invalid(TOKEN_EXPIRED)
    return value


async def signin(request: Request):
    person = web.current_person(request)
    if person and person.role == ROLE:
        return redirect(HOME)
    if request.method == "GET":
        if "next" in request.query_params:
            request.session[PENDING_NEXT] = web.safe_next(request.query_params["next"], HOME)
        return render(request, "operator/signin.html", errors={})
    form = forms.Form(await request.form())
    token = form.take("token", _token)
    if not form.ok:
        return render(request, "operator/signin.html", status=400, errors=form.errors)
    try:  # the services, not the portal, say whether the token is good
        await request.app.state.backends.call(request.app.state.backends.crm.ListWorkQueue,
                                              crm_pb2.ListWorkQueueRequest(limit=1), token)
    except grpc.aio.AioRpcError as error:
        known = error.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)
        return render(request, "operator/signin.html", status=errors.http_status_for(error),
                      errors={"token": TOKEN_REFUSED if known else errors.message_for(error)})
    claims = _claims(token)
    subject = str(claims.get("sub", ""))[:limits.ID_LENGTH]
    target = request.session.get(PENDING_NEXT, HOME)
    web.sign_in(request, ROLE, token, subject, float(claims["exp"]), name=subject)
    return redirect(target if target.startswith("/operator") else HOME)


# ---- members --------------------------------------------------------------------------------------


def _identifier(text: str, what: str) -> str:
    """Optional: "" when left empty."""
    value = text.strip()
    if value and (len(value) > limits.ID_LENGTH or not value.isprintable()):
        raise forms.Invalid(f"{what} درست نیست.")
    return value


def _member_id(text: str) -> str:
    return _identifier(text, "شناسهٔ عضو")


def _announcement_id(text: str) -> str:
    return _identifier(text, "شناسهٔ اعلان")


def _path_id(request: Request, name: str) -> str:
    """An id in the URL; one that cannot be an id is a page not found."""
    value = request.path_params[name]
    if not value or len(value) > limits.ID_LENGTH or not value.isprintable():
        raise HTTPException(404)
    return value


def _optional_mobile(text: str) -> str:
    return forms.mobile(text) if text.strip() else ""


@requires(ROLE)
async def search(request: Request, person: Person):
    query = request.query_params
    form = forms.Form(query)
    phone = form.take("phone", _optional_mobile)
    national_id = form.take("national_id", forms.national_id)
    member_id = form.take("member_id", _member_id)
    searched = any(form.values.get(name, "").strip() for name in ("phone", "national_id", "member_id"))
    if "search" in query and form.ok and not searched:
        form.errors["phone"] = SEARCH_ONE
    members, status = [], 200
    if searched and form.ok:
        cards = request.app.state.backends.cards
        try:
            if member_id:
                members = [await call(request, cards.GetMember, cards_pb2.GetMemberRequest(member_id=member_id), person)]
            else:
                listed = await call(request, cards.ListMembers, cards_pb2.ListMembersRequest(
                    phone=phone or "", national_id=national_id or "", page_size=SEARCH_RESULTS), person)
                members = list(listed.members)
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.NOT_FOUND:
                message, status = _failed(error)
                form.errors["member_id" if member_id else "phone"] = message
    if not form.ok:
        status = 400 if status == 200 else status
    return page(request, "operator/search.html", status=status, form=form.values, errors=form.errors,
                members=members, searched=searched and form.ok, quote=_quote)


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


@requires(ROLE)
async def member_360(request: Request, person: Person):
    member_id = _path_id(request, "member_id")
    view = await call(request, request.app.state.backends.crm.GetMember360,
                      crm_pb2.GetMember360Request(member_id=member_id), person)
    missing = [(PART_NAMES.get(p.part, p.part), p.reason) for p in view.parts if not p.available]
    return page(request, "operator/member.html", view=view, missing=missing, card_status=CARD_STATUS,
                coupon_state=COUPON_STATE, invitation_state=INVITATION_STATE,
                interaction_kinds=INTERACTION_KIND_NAMES, interaction_status=INTERACTION_STATUS)


# ---- the queue, events, announcements ------------------------------------------------------------


@requires(ROLE)
async def queue(request: Request, person: Person):
    form = forms.Form(request.query_params)
    tier = form.take("tier", forms.choice, TIERS) if "tier" in request.query_params else ""
    if not form.ok:
        tier = ""
    work = await call(request, request.app.state.backends.crm.ListWorkQueue,
                      crm_pb2.ListWorkQueueRequest(tier=tier or "", limit=QUEUE_LIMIT), person)
    return page(request, "operator/queue.html", status=200 if form.ok else 400, work=work, tier=tier or "",
                tiers=TIERS, errors=form.errors, interaction_kinds=INTERACTION_KIND_NAMES,
                interaction_status=INTERACTION_STATUS, quote=_quote)


@requires(ROLE)
async def events(request: Request, person: Person):
    listed = await call(request, request.app.state.backends.crm.ListEvents,
                        crm_pb2.ListEventsRequest(include_cancelled=True), person)
    return page(request, "operator/events.html", events=list(listed.events), quote=_quote)


@requires(ROLE)
async def event(request: Request, person: Person):
    event_id = _path_id(request, "event_id")
    crm = request.app.state.backends.crm
    found = await call(request, crm.GetEvent, crm_pb2.GetEventRequest(event_id=event_id), person)
    attendees = await call(request, crm.ListAttendees, crm_pb2.ListAttendeesRequest(event_id=event_id), person)
    return page(request, "operator/event.html", event=found, invitations=list(attendees.invitations),
                invitation_state=INVITATION_STATE, quote=_quote)


@requires(ROLE)
async def announcements(request: Request, person: Person):
    form = forms.Form(request.query_params)
    announcement_id = form.take("announcement_id", _announcement_id) or ""
    found, messages, status = None, [], 200
    if announcement_id and form.ok:
        crm = request.app.state.backends.crm
        try:
            found = await call(request, crm.GetAnnouncement,
                               crm_pb2.GetAnnouncementRequest(announcement_id=announcement_id), person)
            listed = await call(request, crm.ListMessages, crm_pb2.ListMessagesRequest(
                announcement_id=announcement_id, limit=MESSAGES_LIMIT), person)
            messages = list(listed.messages)
        except grpc.aio.AioRpcError as error:
            message, status = _failed(error)
            form.errors["announcement_id"] = message
    return page(request, "operator/announcements.html", status=status if form.ok else 400, form=form.values,
                errors=form.errors, announcement=found, messages=messages, delivery_state=DELIVERY_STATE,
                channels=CHANNEL, quote=_quote)


def routes() -> list[Route]:
    return [
        Route(SIGN_IN, signin, methods=["GET", "POST"]),
        Route(HOME, search),
        Route("/operator/members/{member_id}", member_360),
        Route("/operator/queue", queue),
        Route("/operator/events", events),
        Route("/operator/events/{event_id}", event),
        Route("/operator/announcements", announcements),
    ]

