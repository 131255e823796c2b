"""The member portal: sign in with a one-time code, join in one step, and the member's pages.

Every page calls the services with the member's own token; the services decide what a member
may read and change (their own member id only). Each page makes at most three calls.
"""

from __future__ import annotations

import grpc
from starlette.requests import Request
from starlette.routing import Route

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.crm.v1 import crm_pb2
from services.gen.club.switch.v1 import authorization_pb2
from services.gen.club.tasheem.v1 import tasheem_pb2
from services.shared import persian

from . import errors, forms, web
from .web import Person, call, flash, redirect, render, requires

ROLE = "member"
HOME = "/home"
SIGN_IN = web.SIGN_IN_PATHS[ROLE]
CHANNEL = "portal"  # how cards and crm record where a change came from
TRANSACTIONS_PAGE_SIZE = 20
# Session keys of a sign-in in progress: the phone the code was sent to, then the join ticket.
PENDING_PHONE = "signin_phone"
PENDING_NEXT = "signin_next"
JOIN_TICKET = "join_ticket"
AMOUNTS_PREFERENCE = "amounts"  # a member's own choice of rials or tomans (cards preferences)

# The member's menu: path, label.
NAV = (
    (HOME, "خانه"),
    ("/card", "کارت"),
    ("/transactions", "تراکنش‌ها"),
    ("/coupons", "کوپن و جایزه"),
    ("/events", "رویدادها"),
    ("/inbox", "پیام‌ها"),
    ("/surveys", "نظرسنجی"),
    ("/requests", "درخواست‌ها"),
    ("/profile", "تنظیمات"),
)

CARD_STATUS = {
    cards_pb2.CARD_STATUS_ISSUED: ("صادر شده", ""),
    cards_pb2.CARD_STATUS_ACTIVE: ("فعال", "ok"),
    cards_pb2.CARD_STATUS_SUSPENDED: ("معلق", "bad"),
    cards_pb2.CARD_STATUS_LOST: ("مسدود: گم شده", "bad"),
    cards_pb2.CARD_STATUS_STOLEN: ("مسدود: دزدیده شده", "bad"),
    cards_pb2.CARD_STATUS_EXPIRED: ("منقضی", "bad"),
    cards_pb2.CARD_STATUS_CLOSED: ("بسته", "bad"),
}
BLOCKABLE = (cards_pb2.CARD_STATUS_ISSUED, cards_pb2.CARD_STATUS_ACTIVE, cards_pb2.CARD_STATUS_SUSPENDED)
BLOCK_REASONS = {"lost": (cards_pb2.CARD_STATUS_LOST, "گم شده است"),
                 "stolen": (cards_pb2.CARD_STATUS_STOLEN, "دزدیده شده است")}

COUPON_STATE = {
    tasheem_pb2.COUPON_STATE_AVAILABLE: ("قابل استفاده", "ok"),
    tasheem_pb2.COUPON_STATE_USED: ("استفاده شده", ""),
    tasheem_pb2.COUPON_STATE_EXPIRED: ("منقضی", "bad"),
    tasheem_pb2.COUPON_STATE_CANCELLED: ("باطل", "bad"),
}

INVITATION_STATE = {
    crm_pb2.INVITATION_STATE_INVITED: ("دعوت شده‌اید", ""),
    crm_pb2.INVITATION_STATE_ACCEPTED: ("جای شما نگه داشته شد", "ok"),
    crm_pb2.INVITATION_STATE_WAITLISTED: ("در فهرست انتظار", ""),
    crm_pb2.INVITATION_STATE_DECLINED: ("نمی‌آیید", "bad"),
    crm_pb2.INVITATION_STATE_CANCELLED: ("جای خود را پس دادید", "bad"),
}

TRANSACTION_STATE = {"approved": "پذیرفته", "declined": "رد شده", "reversed": "برگشت خورده",
                     "partially_reversed": "بخشی برگشت خورده", "completed": "انجام شده"}
TRANSACTION_TYPE = {authorization_pb2.TRANSACTION_TYPE_UNSPECIFIED: "تراکنش"}

INTERACTION_KINDS = {
    "request": (crm_pb2.INTERACTION_KIND_REQUEST, "درخواست"),
    "complaint": (crm_pb2.INTERACTION_KIND_COMPLAINT, "شکایت"),
    "question": (crm_pb2.INTERACTION_KIND_QUESTION, "پرسش"),
    "suggestion": (crm_pb2.INTERACTION_KIND_SUGGESTION, "پیشنهاد"),
}
INTERACTION_KIND_NAMES = {kind: label for kind, label in INTERACTION_KINDS.values()} | {
    crm_pb2.INTERACTION_KIND_FEEDBACK: "بازخورد"}
INTERACTION_STATUS = {
    crm_pb2.INTERACTION_STATUS_OPEN: ("باز", ""),
    crm_pb2.INTERACTION_STATUS_IN_PROGRESS: ("در دست بررسی", ""),
    crm_pb2.INTERACTION_STATUS_RESOLVED: ("پاسخ داده شد", "ok"),
}
SUBJECT_LENGTH = 200  # crm's (services/crm/interactions.py)
BODY_LENGTH = 4000

CONSENTS = (("marketing_sms", "پیامک‌های تبلیغاتی و پیشنهادها"),
            ("marketing_email", "ایمیل‌های تبلیغاتی و پیشنهادها"))
AMOUNT_CHOICES = (("rials", "ریال"), ("tomans", "تومان"))

SIGNIN_SENT = "کد ورود برای {phone} پیامک شد."
WELCOME_BACK = "خوش آمدید."
WELCOME_NEW = "به باشگاه خوش آمدید! کارت مجازی شما صادر شد و در صفحهٔ «کارت» است."


def page(request: Request, template: str, status: int = 200, **context):
    """A member page: the menu, and amounts in the member's chosen units."""
    units = request.session.get(AMOUNTS_PREFERENCE)
    if units:
        context.setdefault("amount_units", units)
    return render(request, template, status=status, nav=NAV, here=request.url.path, **context)


def _remember_units(request: Request, member: cards_pb2.Member) -> None:
    units = member.preferences.get(AMOUNTS_PREFERENCE, "")
    if units in dict(AMOUNT_CHOICES):
        request.session[AMOUNTS_PREFERENCE] = units
    else:
        request.session.pop(AMOUNTS_PREFERENCE, None)


def _failed(request: Request, error: grpc.aio.AioRpcError, **context):
    """A call the member can put right (a wrong code, a coupon code not known): the page again
    with the service's message; a lost session goes to sign-in."""
    if error.code() == grpc.StatusCode.UNAUTHENTICATED:
        raise error
    return errors.message_for(error), errors.http_status_for(error)


# ---- sign in and join -----------------------------------------------------------------------


async def signin(request: Request):
    person = web.current_person(request)
    if person and person.role == ROLE:
        return redirect(HOME)
    if request.method == "GET":
        if "next" in request.query_params:
            request.session[PENDING_NEXT] = web.safe_next(request.query_params["next"], HOME)
        return page(request, "member/signin.html", form={}, errors={})
    form = forms.Form(await request.form())
    phone = form.take("phone", forms.mobile)
    if not form.ok:
        return page(request, "member/signin.html", status=400, form=form.values, errors=form.errors)
    try:
        await call(request, request.app.state.backends.crm.StartSignIn,
                             crm_pb2.StartSignInRequest(phone=phone, client_address=web.client_address(request)),
                             None)
    except grpc.aio.AioRpcError as error:
        message, status = _failed(request, error)
        return page(request, "member/signin.html", status=status, form=form.values, errors={"phone": message})
    request.session[PENDING_PHONE] = phone
    request.session.pop(JOIN_TICKET, None)
    flash(request, SIGNIN_SENT.format(phone=persian.digits(phone)))
    return redirect("/signin/code")


async def signin_code(request: Request):
    phone = request.session.get(PENDING_PHONE)
    if not phone:
        return redirect(SIGN_IN)
    if request.method == "GET":
        return page(request, "member/code.html", phone=phone, form={}, errors={})
    form = forms.Form(await request.form())
    code = form.take("code", forms.one_time_code)
    if not form.ok:
        return page(request, "member/code.html", status=400, phone=phone, form=form.values, errors=form.errors)
    try:
        result = await call(request, request.app.state.backends.crm.VerifySignIn,
                            crm_pb2.VerifySignInRequest(phone=phone, code=code,
                                                        client_address=web.client_address(request)), None)
    except grpc.aio.AioRpcError as error:
        message, status = _failed(request, error)
        return page(request, "member/code.html", status=status, phone=phone, form={}, errors={"code": message})
    if not result.token:
        request.session[JOIN_TICKET] = result.join_ticket
        return redirect("/join")
    target = request.session.get(PENDING_NEXT, HOME)
    _signed_in(request, result)
    flash(request, WELCOME_BACK)
    return redirect(target)


def _signed_in(request: Request, result: crm_pb2.SignInResult) -> None:
    expires = result.expires_at.seconds if result.HasField("expires_at") else 0
    web.sign_in(request, ROLE, result.token, result.member_id, float(expires))


async def join(request: Request):
    ticket = request.session.get(JOIN_TICKET)
    phone = request.session.get(PENDING_PHONE, "")
    if not ticket:
        return redirect(SIGN_IN)
    if request.method == "GET":
        return page(request, "member/join.html", phone=phone, form={}, errors={})
    form = forms.Form(await request.form())
    first = form.take("first_name", forms.name)
    last = form.take("last_name", forms.name)
    national_id = form.take("national_id", forms.national_id)
    if not form.ok:
        return page(request, "member/join.html", status=400, phone=phone, form=form.values, errors=form.errors)
    try:
        result = await call(request, request.app.state.backends.crm.JoinClub,
                            crm_pb2.JoinClubRequest(join_ticket=ticket, first_name=first, last_name=last,
                                                    national_id=national_id,
                                                    client_address=web.client_address(request)), None)
    except grpc.aio.AioRpcError as error:
        message, status = _failed(request, error)
        return page(request, "member/join.html", status=status, phone=phone, form=form.values, errors={},
                    failure=message)
    _signed_in(request, result)
    flash(request, WELCOME_NEW)
    return redirect(HOME)


# ---- home -------------------------------------------------------------------------------------


@requires(ROLE)
async def home(request: Request, person: Person):
    member_home = await call(request, request.app.state.backends.crm.GetMemberHome,
                             crm_pb2.GetMemberHomeRequest(member_id=person.subject), person)
    if member_home.HasField("profile"):
        _remember_units(request, member_home.profile)
    progress = member_home.tier_progress
    percent_done = 100
    if progress.next_tier and progress.next_tier_spend:
        percent_done = min(100, progress.qualifying_spend * 100 // progress.next_tier_spend)
    unavailable = [part.part for part in member_home.parts if not part.available]
    return page(request, "member/home.html", home=member_home, percent_done=percent_done, unavailable=unavailable,
                invitation_state=INVITATION_STATE)


def routes() -> list[Route]:
    return [
        Route(SIGN_IN, signin, methods=["GET", "POST"]),
        Route("/signin/code", signin_code, methods=["GET", "POST"]),
        Route("/join", join, methods=["GET", "POST"]),
        Route(HOME, home),
    ]

