"""The member portal: sign in with a one-time code, join in one step, and the member's pages.

Every page calls the services with the member's own token; the services decide what a member
may read and change (their own member id only). The home page makes one call; no page more
than three, except a search by shop name (up to SEARCH_PAGES pages of transactions).
"""

from __future__ import annotations

import base64
import uuid

import grpc
from starlette.requests import Request
from starlette.routing import Route

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.crm.v1 import crm_pb2
from services.gen.club.switch.v1 import authorization_pb2
from services.gen.club.tasheem.v1 import tasheem_pb2
from services.shared import persian

from . import errors, forms, labels, web
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

SEARCH_PAGES = 5  # a search reads at most this many pages of TRANSACTIONS_SEARCH_PAGE_SIZE
TRANSACTIONS_SEARCH_PAGE_SIZE = 100

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


def _failed(error: grpc.aio.AioRpcError, public: bool = False) -> tuple[str, int]:
    """A call the member can put right (a wrong code, a coupon code not known): its Persian
    message and status, for the page shown again. A member's token refused (UNAUTHENTICATED) is
    a session ended: raised on, to sign-in; for the public sign-in calls it is a wrong code."""
    if error.code() == grpc.StatusCode.UNAUTHENTICATED and not public:
        raise error
    web.log.info("call refused", extra={"code": error.code().name})
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
        message, status = _failed(error, public=True)
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
        message, status = _failed(error, public=True)
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
        return page(request, "member/join.html", phone=phone, form={}, errors={}, failure="")
    form = forms.Form(await request.form())
    first = form.take("first_name", forms.name)
    last = form.take("last_name", forms.name)
    national_id = form.take("national_id", forms.national_id)
    if not form.ok:
        return page(request, "member/join.html", status=400, phone=phone, form=form.values, errors=form.errors,
                    failure="")
    try:
        result = await call(request, request.app.state.backends.crm.JoinClub,
                            crm_pb2.JoinClubRequest(join_ticket=ticket, first_name=first, last_name=last,
                                                    national_id=national_id,
                                                    client_address=web.client_address(request)), None)
    except grpc.aio.AioRpcError as error:
        message, status = _failed(error, public=True)
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


# ---- card -------------------------------------------------------------------------------------


async def _cards(request: Request, person: Person) -> list[cards_pb2.Card]:
    listed = await call(request, request.app.state.backends.cards.ListCards,
                        cards_pb2.ListCardsRequest(member_id=person.subject), person)
    return list(listed.cards)


@requires(ROLE)
async def card(request: Request, person: Person):
    return page(request, "member/card.html", cards=await _cards(request, person), card_status=CARD_STATUS,
                blockable=BLOCKABLE)


@requires(ROLE)
async def block_card(request: Request, person: Person):
    """GET: asks to confirm (lost or stolen); POST: blocks the card. Blocking cannot be undone here."""
    token = request.path_params["card_token"]
    found = next((c for c in await _cards(request, person) if c.card_token == token), None)
    if found is None or found.status not in BLOCKABLE:
        return web.error_page(request, "این کارت پیدا نشد یا پیش‌تر مسدود شده است.", 404)
    if request.method == "GET":
        return page(request, "member/block.html", card=found, reasons=BLOCK_REASONS, errors={})
    form = forms.Form(await request.form())
    reason = form.take("reason", forms.choice, BLOCK_REASONS)
    if not form.ok:
        return page(request, "member/block.html", status=400, card=found, reasons=BLOCK_REASONS, errors=form.errors)
    status, said = BLOCK_REASONS[reason]
    await call(request, request.app.state.backends.cards.ChangeCardStatus,
               cards_pb2.ChangeCardStatusRequest(card_token=token, status=status, reason_code="customer_request",
                                                 channel=CHANNEL, member_id=person.subject), person)
    flash(request, f"کارت {persian.digits(found.masked_pan[-4:])} مسدود شد؛ دیگر با آن خریدی انجام نمی‌شود.")
    return redirect("/card")


# ---- transactions -----------------------------------------------------------------------------


def _merchant_matches(transaction: authorization_pb2.Transaction, merchant: str) -> bool:
    merchant = merchant.strip().casefold()
    return merchant in transaction.merchant_name.casefold() or merchant == transaction.merchant_id.casefold()


@requires(ROLE)
async def transactions(request: Request, person: Person):
    """Newest first, a page at a time. Amounts are searched by the switch; a merchant's name is
    matched here, over at most SEARCH_PAGES pages (the next link goes on from there)."""
    form = forms.Form(request.query_params)
    low = form.take("min", forms.amount) or 0
    high = form.take("max", forms.amount) or 0
    merchant = form.take("merchant", forms.free_text, 100, False) or ""
    if form.ok and low and high and low > high:
        form.errors["max"] = "«تا مبلغ» نباید از «از مبلغ» کمتر باشد."
    token = request.query_params.get("page", "")[:40]
    rows: list[authorization_pb2.Transaction] = []
    if form.ok:
        switch = request.app.state.backends.switch
        searching = bool(merchant.strip())
        for _ in range(SEARCH_PAGES if searching else 1):
            listed = await call(request, switch.ListTransactions, authorization_pb2.ListTransactionsRequest(
                member_id=person.subject, newest_first=True, page_token=token, min_amount=low, max_amount=high,
                page_size=TRANSACTIONS_SEARCH_PAGE_SIZE if searching else TRANSACTIONS_PAGE_SIZE), person)
            rows += [t for t in listed.transactions if not searching or _merchant_matches(t, merchant)]
            token = listed.next_page_token
            if not token:
                break
    else:
        token = ""
    search = {key: value for key, value in form.values.items() if value}
    return page(request, "member/transactions.html", status=200 if form.ok else 400, rows=rows, form=form.values,
                errors=form.errors, search=search, next_page=token, transaction_state=labels.TRANSACTION_STATE,
                transaction_type=labels.TRANSACTION_TYPE)


# ---- coupons and rewards ----------------------------------------------------------------------


async def _coupons_page(request: Request, person: Person, status: int = 200, form=None, errors=None):
    tasheem = request.app.state.backends.tasheem
    coupons = await call(request, tasheem.ListCoupons, tasheem_pb2.ListCouponsRequest(member_id=person.subject),
                         person)
    rewards = await call(request, tasheem.ListRewards,
                         tasheem_pb2.ListRewardsRequest(member_id=person.subject, active_only=True), person)
    # Each redeem form carries its own id: sent twice (a double tap), it redeems once.
    redemptions = {reward.reward_id: uuid.uuid4().hex for reward in rewards.rewards}
    return page(request, "member/coupons.html", status=status, coupons=coupons.coupons, rewards=rewards.rewards,
                redemptions=redemptions, coupon_state=COUPON_STATE, voucher=tasheem_pb2.COUPON_SOURCE_VOUCHER,
                form=form or {}, errors=errors or {})


@requires(ROLE)
async def coupons(request: Request, person: Person):
    return await _coupons_page(request, person)


@requires(ROLE)
async def claim_coupon(request: Request, person: Person):
    form = forms.Form(await request.form())
    code = form.take("code", forms.coupon_code)
    if not form.ok:
        return await _coupons_page(request, person, 400, form.values, form.errors)
    try:
        coupon = await call(request, request.app.state.backends.tasheem.ClaimCoupon,
                            tasheem_pb2.ClaimCouponRequest(member_id=person.subject, code=code), person)
    except grpc.aio.AioRpcError as error:
        message, status = _failed(error)
        return await _coupons_page(request, person, status, form.values, {"code": message})
    flash(request, f"کوپن «{coupon.name}» به کوپن‌های شما افزوده شد.")
    return redirect("/coupons")


@requires(ROLE)
async def redeem_reward(request: Request, person: Person):
    form = forms.Form(await request.form())
    redemption_id = form.take("redemption_id", forms.token)
    if not form.ok:
        return web.error_page(request, "این فرم ناقص بود؛ صفحه را دوباره باز کنید.", 400)
    try:
        voucher = await call(request, request.app.state.backends.tasheem.RedeemReward,
                             tasheem_pb2.RedeemRewardRequest(redemption_id=redemption_id, member_id=person.subject,
                                                             reward_id=request.path_params["reward_id"]), person)
    except grpc.aio.AioRpcError as error:
        message, _ = _failed(error)
        flash(request, message, "error")
        return redirect("/coupons")
    flash(request, f"«{voucher.name}» با {persian.number(voucher.points_spent)} امتیاز خریده شد.")
    return redirect(f"/coupons/{voucher.coupon_id}")


@requires(ROLE)
async def voucher(request: Request, person: Person):
    listed = await call(request, request.app.state.backends.tasheem.ListCoupons,
                        tasheem_pb2.ListCouponsRequest(member_id=person.subject), person)
    found = next((c for c in listed.coupons if c.coupon_id == request.path_params["coupon_id"]), None)
    if found is None:
        return web.error_page(request, "این کوپن پیدا نشد.", 404)
    return page(request, "member/voucher.html", coupon=found, coupon_state=COUPON_STATE,
                voucher=tasheem_pb2.COUPON_SOURCE_VOUCHER)


# ---- events -----------------------------------------------------------------------------------


@requires(ROLE)
async def events(request: Request, person: Person):
    listed = await call(request, request.app.state.backends.crm.ListInvitations,
                        crm_pb2.ListInvitationsRequest(member_id=person.subject), person)
    return page(request, "member/events.html", invitations=listed.invitations, invitation_state=INVITATION_STATE,
                states=crm_pb2)


def _reply_said(invitation: crm_pb2.Invitation) -> str:
    if invitation.state == crm_pb2.INVITATION_STATE_ACCEPTED:
        charged = f" و {persian.number(invitation.points_charged)} امتیاز برداشته شد" if invitation.points_charged else ""
        return f"جای شما در «{invitation.event_title}» نگه داشته شد{charged}."
    if invitation.state == crm_pb2.INVITATION_STATE_WAITLISTED:
        return (f"ظرفیت «{invitation.event_title}» پر است؛ شما نفر {persian.number(invitation.waitlist_position)} "
                "فهرست انتظار هستید.")
    return f"پاسخ شما به «{invitation.event_title}» ثبت شد."


@requires(ROLE)
async def rsvp(request: Request, person: Person):
    form = forms.Form(await request.form())
    answer = form.take("answer", forms.choice, ("yes", "no"))
    event_id = request.path_params["event_id"]
    if not form.ok:
        flash(request, "پاسخ را برگزینید.", "error")
        return redirect(f"/events#event-{event_id}")
    try:
        invitation = await call(request, request.app.state.backends.crm.Rsvp,
                                crm_pb2.RsvpRequest(event_id=event_id, member_id=person.subject,
                                                    accept=answer == "yes"), person)
    except grpc.aio.AioRpcError as error:
        message, _ = _failed(error)
        flash(request, message, "error")
        return redirect(f"/events#event-{event_id}")
    flash(request, _reply_said(invitation))
    return redirect(f"/events#event-{event_id}")


@requires(ROLE)
async def cancel_rsvp(request: Request, person: Person):
    event_id = request.path_params["event_id"]
    try:
        await call(request, request.app.state.backends.crm.CancelRsvp,
                   crm_pb2.CancelRsvpRequest(event_id=event_id, member_id=person.subject), person)
    except grpc.aio.AioRpcError as error:
        message, _ = _failed(error)
        flash(request, message, "error")
        return redirect(f"/events#event-{event_id}")
    flash(request, "جای خود را پس دادید؛ امتیازی که برداشته شده بود برگشت.")
    return redirect(f"/events#event-{event_id}")


@requires(ROLE)
async def checkin_code(request: Request, person: Person):
    event_id = request.path_params["event_id"]
    code = await call(request, request.app.state.backends.crm.GetCheckInCode,
                      crm_pb2.GetCheckInCodeRequest(event_id=event_id, member_id=person.subject), person)
    qr = "data:image/png;base64," + base64.b64encode(code.qr_png).decode() if code.qr_png else ""
    return page(request, "member/checkin.html", code=code.code, qr=qr)


# ---- inbox and surveys ------------------------------------------------------------------------


@requires(ROLE)
async def inbox(request: Request, person: Person):
    listed = await call(request, request.app.state.backends.crm.ListInbox,
                        crm_pb2.ListInboxRequest(member_id=person.subject), person)
    return page(request, "member/inbox.html", messages=listed.messages, unread=listed.unread)


@requires(ROLE)
async def mark_read(request: Request, person: Person):
    message_id = request.path_params["message_id"]
    await call(request, request.app.state.backends.crm.MarkRead,
               crm_pb2.MarkReadRequest(member_id=person.subject, message_id=message_id), person)
    return redirect(f"/inbox#message-{message_id}")


async def _pending_surveys(request: Request, person: Person):
    listed = await call(request, request.app.state.backends.crm.ListPendingSurveys,
                        crm_pb2.ListPendingSurveysRequest(member_id=person.subject), person)
    return list(listed.surveys)


@requires(ROLE)
async def surveys(request: Request, person: Person):
    return page(request, "member/surveys.html", surveys=await _pending_surveys(request, person))


def _answer(question: crm_pb2.Question, raw: str) -> crm_pb2.Answer:
    """A question's answer from its form field, or Invalid with what is wrong."""
    if question.kind == crm_pb2.QUESTION_KIND_TEXT:
        return crm_pb2.Answer(position=question.position, text=forms.free_text(raw, BODY_LENGTH, required=False))
    value = forms.ascii_digits(raw).strip()
    if not value:
        raise forms.Invalid("به این پرسش پاسخ دهید.")
    if question.kind == crm_pb2.QUESTION_KIND_CHOICE:
        if not value.isdigit() or int(value) >= len(question.choices):
            raise forms.Invalid("یکی از گزینه‌ها را برگزینید.")
        return crm_pb2.Answer(position=question.position, choice=int(value))
    low, high = (0, 10) if question.kind == crm_pb2.QUESTION_KIND_NPS else (1, question.scale_max)
    if not value.isdigit() or not low <= int(value) <= high:
        raise forms.Invalid("یکی از گزینه‌ها را برگزینید.")
    return crm_pb2.Answer(position=question.position, score=int(value))


@requires(ROLE)
async def survey(request: Request, person: Person):
    survey_id = request.path_params["survey_id"]
    found = next((s for s in await _pending_surveys(request, person) if s.survey_id == survey_id), None)
    if found is None:
        return web.error_page(request, "این نظرسنجی پیدا نشد یا پیش‌تر به آن پاسخ داده‌اید.", 404)
    if request.method == "GET":
        return page(request, "member/survey.html", survey=found, form={}, errors={}, kinds=crm_pb2)
    form = forms.Form(await request.form())
    answers = [form.take(f"q{question.position}", lambda raw, q=question: _answer(q, raw))
               for question in found.questions]
    if not form.ok:
        return page(request, "member/survey.html", status=400, survey=found, form=form.values, errors=form.errors,
                    kinds=crm_pb2)
    await call(request, request.app.state.backends.crm.AnswerSurvey,
               crm_pb2.AnswerSurveyRequest(survey_id=survey_id, member_id=person.subject, answers=answers), person)
    flash(request, "سپاس! پاسخ شما ثبت شد.")
    return redirect("/surveys")


# ---- requests and complaints ------------------------------------------------------------------


async def _requests_page(request: Request, person: Person, status: int = 200, form=None, errors=None):
    listed = await call(request, request.app.state.backends.crm.ListInteractions,
                        crm_pb2.ListInteractionsRequest(member_id=person.subject), person)
    return page(request, "member/requests.html", status=status, interactions=listed.interactions,
                kinds=INTERACTION_KINDS, kind_names=INTERACTION_KIND_NAMES, statuses=INTERACTION_STATUS,
                form=form or {"kind": "request"}, errors=errors or {})


@requires(ROLE)
async def requests_list(request: Request, person: Person):
    if request.method == "GET":
        return await _requests_page(request, person)
    form = forms.Form(await request.form())
    kind = form.take("kind", forms.choice, INTERACTION_KINDS)
    subject = form.take("subject", forms.free_text, SUBJECT_LENGTH)
    body = form.take("body", forms.free_text, BODY_LENGTH)
    if not form.ok:
        return await _requests_page(request, person, 400, form.values, form.errors)
    recorded = await call(request, request.app.state.backends.crm.RecordInteraction,
                          crm_pb2.RecordInteractionRequest(member_id=person.subject,
                                                           channel=crm_pb2.INTERACTION_CHANNEL_PORTAL,
                                                           kind=INTERACTION_KINDS[kind][0], subject=subject,
                                                           body=body), person)
    flash(request, "درخواست شما ثبت شد؛ وضعیت آن را همین‌جا می‌بینید.")
    return redirect(f"/requests/{recorded.interaction_id}")


@requires(ROLE)
async def request_detail(request: Request, person: Person):
    interaction = await call(request, request.app.state.backends.crm.GetInteraction,
                             crm_pb2.GetInteractionRequest(member_id=person.subject,
                                                           interaction_id=request.path_params["interaction_id"]),
                             person)
    return page(request, "member/request.html", item=interaction, kind_names=INTERACTION_KIND_NAMES,
                statuses=INTERACTION_STATUS)


# ---- preferences and consents -----------------------------------------------------------------


def _consented(member: cards_pb2.Member) -> set[str]:
    return {consent.purpose for consent in member.consents if consent.granted}


@requires(ROLE)
async def profile(request: Request, person: Person):
    cards = request.app.state.backends.cards
    member = await call(request, cards.GetMember, cards_pb2.GetMemberRequest(member_id=person.subject), person)
    _remember_units(request, member)
    values = {"email": member.email, "amounts": member.preferences.get(AMOUNTS_PREFERENCE, "rials")}
    if request.method == "GET":
        return page(request, "member/profile.html", member=member, form=values, consented=_consented(member),
                    consents=CONSENTS, amount_choices=AMOUNT_CHOICES, errors={})
    form = forms.Form(await request.form())
    email = form.take("email", forms.email)
    units = form.take("amounts", forms.choice, dict(AMOUNT_CHOICES))
    chosen = {purpose for purpose, _ in CONSENTS if form.raw(purpose) == "yes"}
    if not form.ok:
        return page(request, "member/profile.html", status=400, member=member, form=form.values, consented=chosen,
                    consents=CONSENTS, amount_choices=AMOUNT_CHOICES, errors=form.errors)
    preferences = dict(member.preferences) | {AMOUNTS_PREFERENCE: units}
    updated = await call(request, cards.UpdateMember, cards_pb2.UpdateMemberRequest(
        member_id=person.subject, update_fields=["email", "preferences", "consents"],
        values=cards_pb2.RegisterMemberRequest(
            email=email, preferences=preferences,
            consents=[cards_pb2.Consent(purpose=purpose, granted=purpose in chosen) for purpose, _ in CONSENTS])),
        person)
    _remember_units(request, updated)
    flash(request, "تنظیمات شما ذخیره شد.")
    return redirect("/profile")


def routes() -> list[Route]:
    return [
        Route(SIGN_IN, signin, methods=["GET", "POST"]),
        Route("/signin/code", signin_code, methods=["GET", "POST"]),
        Route("/join", join, methods=["GET", "POST"]),
        Route(HOME, home),
        Route("/card", card),
        Route("/card/{card_token}/block", block_card, methods=["GET", "POST"]),
        Route("/transactions", transactions),
        Route("/coupons", coupons),
        Route("/coupons/claim", claim_coupon, methods=["POST"]),
        Route("/coupons/{coupon_id}", voucher),
        Route("/rewards/{reward_id}/redeem", redeem_reward, methods=["POST"]),
        Route("/events", events),
        Route("/events/{event_id}/rsvp", rsvp, methods=["POST"]),
        Route("/events/{event_id}/cancel", cancel_rsvp, methods=["POST"]),
        Route("/events/{event_id}/code", checkin_code),
        Route("/inbox", inbox),
        Route("/inbox/{message_id:int}/read", mark_read, methods=["POST"]),
        Route("/surveys", surveys),
        Route("/surveys/{survey_id}", survey, methods=["GET", "POST"]),
        Route("/requests", requests_list, methods=["GET", "POST"]),
        Route("/requests/{interaction_id}", request_detail),
        Route("/profile", profile, methods=["GET", "POST"]),
    ]
