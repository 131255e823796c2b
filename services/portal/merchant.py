"""The merchant portal (desktop): a merchant user signs in with a password (and a TOTP code when
the user has TOTP), picks one of its merchants, and reads that merchant's day, terminals,
settlements and offers.

Each page calls the services with the chosen merchant's own token (tasheem's MerchantSignIn gives
one per merchant the user holds) and names the merchant of its URL in the request: the services
refuse a merchant token any other merchant (PERMISSION_DENIED), which the portal shows as 403. The
portal itself decides nothing about who may read what.

Statements are services/documents' one document: its HTML as the page, its CSV and PDF as
downloads, the same files `clubctl settlement statement` writes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.parse

import grpc
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.documents import statement as documents
from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.switch.v1 import authorization_pb2
from services.gen.club.tasheem.v1 import tasheem_pb2
from services.shared import limits, persian

from . import errors, forms, labels, web
from .web import Person, call, flash, redirect, render, requires

ROLE = "merchant"
SIGN_IN = "/merchant/signin"
CHOOSE = "/merchant/choose"
PASSWORD = "/merchant/password"
HOME = "/merchant"
web.SIGN_IN_PATHS[ROLE] = SIGN_IN
web.HOME_PATHS[ROLE] = HOME

# The merchants a user may switch between without signing in again are kept in the session cookie
# with their tokens (names are asked again when the list is shown). A browser keeps at most 4 KB
# a cookie, and the signed-in person, the user's name and the CSRF token share it: the choices get
# this many bytes of the session's JSON (about five merchants); a user with more sees the first ones.
CHOICES_BYTES = 1500
CHOICES_KEY = "merchant_choices"  # [[merchant_id, token], ...]
USER_KEY = "merchant_user"  # the signed-in user's display name, for the page's header
PENDING_NEXT = "merchant_next"
TRANSACTIONS_PAGE_SIZE = 50
BATCHES_PAGE_SIZE = 50
RECONCILIATIONS_PAGE_SIZE = 50
OFFERS_PAGE_SIZE = 200

USERNAME = re.compile(rf"^[a-z0-9._-]{{{limits.MERCHANT_USERNAME_MIN},{limits.MERCHANT_USERNAME_MAX}}}$")
TOTP_CODE = re.compile(rf"^[0-9]{{{limits.TOTP_CODE_DIGITS}}}$")
TERMINAL_ID = re.compile(rf"^[A-Za-z0-9]{{1,{limits.TERMINAL_ID_LENGTH}}}$")
BATCH_ID = re.compile(rf"^[A-Za-z0-9._:-]{{1,{limits.ID_LENGTH}}}$")

SIGN_IN_REFUSED = "نام کاربری، گذرواژه یا کد یک‌بارمصرف درست نیست."
NO_MERCHANT = "این کاربر به هیچ فروشگاه فعالی دسترسی ندارد."
MORE_MERCHANTS = "تنها {count} فروشگاه نخست را می‌توان از این‌جا برگزید."
PASSWORD_REFUSED = "گذرواژهٔ کنونی یا کد یک‌بارمصرف درست نیست."
PASSWORD_CHANGED = "گذرواژهٔ تازه ثبت شد؛ از ورود بعدی همان را بزنید."

STATEMENT_FORMATS = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}
BATCH_STATUS = {
    tasheem_pb2.BATCH_STATUS_CLOSED: ("بسته شده", ""),
    tasheem_pb2.BATCH_STATUS_RECONCILED: ("تطبیق شده", "ok"),
    tasheem_pb2.BATCH_STATUS_MISMATCH: ("ناهمخوان", "bad"),
}
TERMINAL_STATUS = {
    cards_pb2.TERMINAL_STATUS_ACTIVE: ("فعال", "ok"),
    cards_pb2.TERMINAL_STATUS_BLOCKED: ("مسدود", "bad"),
    cards_pb2.TERMINAL_STATUS_CLOSED: ("بسته", "bad"),
}
# A terminal's first reconciliation counts from tasheem's EPOCH (services/tasheem/terminals.py),
# 2000-01-01 UTC: shown as «from the start», not as a date in 1378.
RECONCILED_FROM_START = 946_684_800
MISMATCH_FIELDS = {"purchase_count": "تعداد خرید", "purchase_amount": "مبلغ خرید"}


def nav(merchant_id: str) -> tuple[tuple[str, str], ...]:
    base = f"/merchant/{urllib.parse.quote(merchant_id, safe='')}"
    return ((f"{base}/dashboard", "پیشخوان"), (f"{base}/transactions", "تراکنش‌ها"),
            (f"{base}/terminals", "تطبیق پایانه‌ها"), (f"{base}/batches", "تسویه و صورتحساب"),
            (f"{base}/offers", "پیشنهادها و کوپن‌ها"))


def page(request: Request, person: Person, template: str, merchant_id: str, status: int = 200, **context):
    """A merchant page: the menu of the merchant in its URL, the user, and whether it may switch."""
    return render(request, template, status=status, nav=nav(merchant_id), here=request.url.path,
                  merchant_id=merchant_id, user_name=request.session.get(USER_KEY, person.subject),
                  can_switch=len(request.session.get(CHOICES_KEY, [])) > 1, **context)


def _merchant_id(request: Request) -> str:
    """The merchant of the URL, as typed there; the services decide whether this token may read it."""
    value = request.path_params["merchant_id"]
    if not value or len(value) > limits.ID_LENGTH or not value.isprintable():
        raise HTTPException(404)
    return value


# ---- sign in, choose a merchant -----------------------------------------------------------------


def _username(text: str) -> str:
    value = text.strip().lower()
    if not value:
        raise forms.Invalid(forms.REQUIRED)
    if not USERNAME.match(value):
        raise forms.Invalid("نام کاربری از حرف‌های کوچک لاتین، رقم و . _ - است "
                            f"({persian.number(limits.MERCHANT_USERNAME_MIN)} تا "
                            f"{persian.number(limits.MERCHANT_USERNAME_MAX)} نویسه).")
    return value


def _password(text: str) -> str:
    if not text:
        raise forms.Invalid(forms.REQUIRED)
    if len(text) > limits.MERCHANT_PASSWORD_MAX:
        raise forms.Invalid(f"گذرواژه حداکثر {persian.number(limits.MERCHANT_PASSWORD_MAX)} نویسه است.")
    return text


def _new_password(text: str) -> str:
    if not text:
        raise forms.Invalid(forms.REQUIRED)
    if not limits.MERCHANT_PASSWORD_MIN <= len(text) <= limits.MERCHANT_PASSWORD_MAX:
        raise forms.Invalid(f"گذرواژهٔ تازه باید {persian.number(limits.MERCHANT_PASSWORD_MIN)} تا "
                            f"{persian.number(limits.MERCHANT_PASSWORD_MAX)} نویسه باشد.")
    return text


def _totp_code(text: str) -> str:
    """Optional: "" when the user has no TOTP."""
    value = re.sub(r"\s", "", forms.ascii_digits(text))
    if value and not TOTP_CODE.match(value):
        raise forms.Invalid(f"کد {persian.number(limits.TOTP_CODE_DIGITS)} رقمی برنامهٔ احراز هویت را وارد کنید.")
    return value


async def signin(request: Request):
    person = web.current_person(request)
    if person and person.role == ROLE:
        return redirect(HOME)
    if request.method == "GET":
        if "next" in request.query_params:
            request.session[PENDING_NEXT] = web.safe_next(request.query_params["next"], HOME)
        return render(request, "merchant/signin.html", form={}, errors={})
    form = forms.Form(await request.form())
    username = form.take("username", _username)
    password = form.take("password", _password)
    code = form.take("totp_code", _totp_code)
    form.values.pop("password", None)  # never written back into the page
    if not form.ok:
        return render(request, "merchant/signin.html", status=400, form=form.values, errors=form.errors)
    try:
        result = await call(request, request.app.state.backends.tasheem.MerchantSignIn,
                            tasheem_pb2.MerchantSignInRequest(username=username, password=password, totp_code=code,
                                                              client_address=web.client_address(request)), None)
    except grpc.aio.AioRpcError as error:
        message = SIGN_IN_REFUSED if error.code() == grpc.StatusCode.UNAUTHENTICATED else errors.message_for(error)
        return render(request, "merchant/signin.html", status=errors.http_status_for(error), form=form.values,
                      errors={"form": message})
    if not result.access:
        return render(request, "merchant/signin.html", status=403, form=form.values, errors={"form": NO_MERCHANT})
    target = request.session.get(PENDING_NEXT, "")
    target = target if target.startswith("/merchant/") else ""  # not another section's page
    expires = float(result.expires_at.seconds) if result.HasField("expires_at") else 0.0
    choices = _fitting([[a.merchant_id, a.token] for a in result.access])
    first = result.access[0]
    web.sign_in(request, ROLE, first.token, result.username, expires, merchant_id=first.merchant_id,
                name=first.merchant_name)
    request.session[USER_KEY] = result.display_name or result.username
    if len(result.access) == 1:
        return redirect(target or _home_of(first.merchant_id))
    request.session[CHOICES_KEY] = choices
    if len(result.access) > len(choices):
        flash(request, MORE_MERCHANTS.format(count=persian.number(len(choices))), "error")
    return redirect(CHOOSE)


def _fitting(choices: list[list[str]]) -> list[list[str]]:
    """The first choices whose JSON fits in CHOICES_BYTES (at least one)."""
    kept = choices[:1]
    for choice in choices[1:]:
        if len(json.dumps(kept + [choice])) > CHOICES_BYTES:
            break
        kept.append(choice)
    return kept


async def _named(request: Request, choices: list[list[str]]) -> list[tuple[str, str]]:
    """(merchant_id, name) of each choice, each asked with that merchant's own token."""
    tasheem = request.app.state.backends.tasheem
    named = []
    for merchant_id, token in choices:
        merchant = await request.app.state.backends.call(
            tasheem.GetMerchant, tasheem_pb2.GetMerchantRequest(merchant_id=merchant_id), token)
        named.append((merchant_id, merchant.name))
    return named


@requires(ROLE)
async def choose(request: Request, person: Person):
    choices = request.session.get(CHOICES_KEY) or [[person.merchant_id, person.token]]
    if request.method == "GET":
        return render(request, "merchant/choose.html", choices=await _named(request, choices),
                      current=person.merchant_id, errors={})
    form = forms.Form(await request.form())
    chosen = form.take("merchant_id", forms.choice, [c[0] for c in choices])
    if not form.ok:
        return render(request, "merchant/choose.html", status=400, choices=await _named(request, choices),
                      current=person.merchant_id, errors=form.errors)
    token = next(t for merchant_id, t in choices if merchant_id == chosen)
    (_, name), = await _named(request, [[chosen, token]])
    user = request.session.get(USER_KEY, person.subject)
    web.sign_in(request, ROLE, token, person.subject, person.expires, merchant_id=chosen, name=name)
    request.session[USER_KEY], request.session[CHOICES_KEY] = user, choices
    return redirect(_home_of(chosen))


@requires(ROLE)
async def password(request: Request, person: Person):
    """The signed-in user changes its own password: the current one (and its code) is checked by
    tasheem exactly as at sign-in, under the same lock and limits."""
    if request.method == "GET":
        return _password_page(request, person, {}, {})
    form = forms.Form(await request.form())
    current = form.take("current_password", _password)
    new = form.take("new_password", _new_password)
    again = form.raw("new_password_again")
    code = form.take("totp_code", _totp_code)
    if new and again != new:
        form.errors["new_password_again"] = "این با گذرواژهٔ تازه‌ای که نوشتید یکی نیست."
    elif new and new == current:
        form.errors["new_password"] = "گذرواژهٔ تازه باید با گذرواژهٔ کنونی فرق داشته باشد."
    for secret in ("current_password", "new_password", "new_password_again"):
        form.values.pop(secret, None)  # never written back into the page
    if not form.ok:
        return _password_page(request, person, form.values, form.errors, status=400)
    try:
        await call(request, request.app.state.backends.tasheem.ChangeMerchantPassword,
                   tasheem_pb2.ChangeMerchantPasswordRequest(
                       username=person.subject, current_password=current, totp_code=code, new_password=new,
                       client_address=web.client_address(request)), None)
    except grpc.aio.AioRpcError as error:
        message = PASSWORD_REFUSED if error.code() == grpc.StatusCode.UNAUTHENTICATED else errors.message_for(error)
        return _password_page(request, person, form.values, {"form": message}, status=errors.http_status_for(error))
    flash(request, PASSWORD_CHANGED)
    return redirect(_home_of(person.merchant_id))


def _password_page(request: Request, person: Person, values: dict, problems: dict, status: int = 200):
    return render(request, "merchant/password.html", status=status, form=values, errors=problems,
                  back=_home_of(person.merchant_id), minimum=persian.number(limits.MERCHANT_PASSWORD_MIN))


def _home_of(merchant_id: str) -> str:
    return nav(merchant_id)[0][0]


@requires(ROLE)
async def home(request: Request, person: Person):
    return redirect(_home_of(person.merchant_id))


# ---- the merchant's pages -----------------------------------------------------------------------


@requires(ROLE)
async def dashboard(request: Request, person: Person):
    merchant_id = _merchant_id(request)
    board = await call(request, request.app.state.backends.tasheem.GetMerchantDashboard,
                       tasheem_pb2.GetMerchantDashboardRequest(merchant_id=merchant_id), person)
    return page(request, person, "merchant/dashboard.html", merchant_id, board=board)


def _terminal_id(text: str) -> str:
    """Optional: "" = every terminal."""
    value = forms.ascii_digits(text).strip()
    if value and not TERMINAL_ID.match(value):
        raise forms.Invalid(f"شناسهٔ پایانه حداکثر {persian.number(limits.TERMINAL_ID_LENGTH)} حرف لاتین یا رقم است.")
    return value


async def _terminals(request: Request, person: Person, merchant_id: str) -> list:
    listed = await call(request, request.app.state.backends.cards.ListTerminals,
                        cards_pb2.ListTerminalsRequest(merchant_id=merchant_id, page_size=200), person)
    return list(listed.terminals)


@requires(ROLE)
async def transactions(request: Request, person: Person):
    merchant_id = _merchant_id(request)
    form = forms.Form(request.query_params)
    terminal_id = form.take("terminal", _terminal_id) or ""
    page_token = request.query_params.get("page", "")
    terminals = await _terminals(request, person, merchant_id)
    rows, next_page = [], ""
    if form.ok:
        listed = await call(request, request.app.state.backends.switch.ListTransactions,
                            authorization_pb2.ListTransactionsRequest(
                                merchant_id=merchant_id, terminal_id=terminal_id, newest_first=True,
                                page_size=TRANSACTIONS_PAGE_SIZE, page_token=page_token[:64]), person)
        rows, next_page = list(listed.transactions), listed.next_page_token
    return page(request, person, "merchant/transactions.html", merchant_id, status=200 if form.ok else 400,
                terminals=terminals, terminal_id=form.values.get("terminal", ""), errors=form.errors, rows=rows,
                next_page=next_page, transaction_state=labels.TRANSACTION_STATE,
                transaction_type=labels.TRANSACTION_TYPE)


@requires(ROLE)
async def terminals(request: Request, person: Person):
    merchant_id = _merchant_id(request)
    form = forms.Form(request.query_params)
    terminal_id = form.take("terminal", _terminal_id) or ""
    known = await _terminals(request, person, merchant_id)
    results = []
    if form.ok:
        listed = await call(request, request.app.state.backends.tasheem.ListTerminalReconciliations,
                            tasheem_pb2.ListTerminalReconciliationsRequest(
                                merchant_id=merchant_id, terminal_id=terminal_id,
                                page_size=RECONCILIATIONS_PAGE_SIZE), person)
        results = list(listed.reconciliations)
    return page(request, person, "merchant/terminals.html", merchant_id, status=200 if form.ok else 400,
                terminals=known, terminal_id=form.values.get("terminal", ""), errors=form.errors, results=results,
                mismatch_fields=MISMATCH_FIELDS, terminal_status=TERMINAL_STATUS,
                from_start=RECONCILED_FROM_START)


@requires(ROLE)
async def batches(request: Request, person: Person):
    merchant_id = _merchant_id(request)
    listed = await call(request, request.app.state.backends.tasheem.ListBatches,
                        tasheem_pb2.ListBatchesRequest(merchant_id=merchant_id, page_size=BATCHES_PAGE_SIZE), person)
    return page(request, person, "merchant/batches.html", merchant_id, batches=list(listed.batches),
                batch_status=BATCH_STATUS, quote=lambda v: urllib.parse.quote(v, safe=""))


async def _statement(request: Request, person: Person, merchant_id: str) -> documents.Statement:
    batch_id = request.path_params["batch_id"]
    if not BATCH_ID.match(batch_id):
        raise HTTPException(404)
    tasheem = request.app.state.backends.tasheem
    batch = await call(request, tasheem.GetBatch,
                       tasheem_pb2.GetBatchRequest(batch_id=batch_id, merchant_id=merchant_id), person)
    merchant = await call(request, tasheem.GetMerchant, tasheem_pb2.GetMerchantRequest(merchant_id=merchant_id), person)
    listed = await call(request, tasheem.ListBatchTransactions,
                        tasheem_pb2.ListBatchTransactionsRequest(batch_id=batch_id, merchant_id=merchant_id), person)
    return documents.assemble(batch, merchant, listed)


def _style_hashes(html: str) -> str:
    """CSP hashes of the document's own <style> blocks: it is a standalone page (the same one
    the PDF and clubctl use) and carries its style inline; nothing else inline is allowed."""
    blocks = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in blocks)


@requires(ROLE)
async def statement_page(request: Request, person: Person):
    merchant_id = _merchant_id(request)
    made = await _statement(request, person, merchant_id)
    html = documents.render_html(made, font_url="/fonts")
    policy = (f"default-src 'none'; style-src {_style_hashes(html)}; font-src 'self'; img-src 'self'; "
              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return Response(html, media_type="text/html; charset=utf-8", headers={"content-security-policy": policy})


@requires(ROLE)
async def statement_download(request: Request, person: Person):
    kind = request.path_params["kind"]
    if kind not in STATEMENT_FORMATS:
        raise HTTPException(404)
    merchant_id = _merchant_id(request)
    made = await _statement(request, person, merchant_id)
    if kind == "csv":
        body = documents.render_csv(made).encode()
    else:
        body = await run_in_threadpool(documents.render_pdf, made)  # WeasyPrint takes a while: off the loop
    name = f"{made.batch.batch_id}-{merchant_id}.{kind}"
    disposition = f"attachment; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"
    return Response(body, media_type=STATEMENT_FORMATS[kind], headers={"content-disposition": disposition})


@requires(ROLE)
async def offers(request: Request, person: Person):
    merchant_id = _merchant_id(request)
    listed = await call(request, request.app.state.backends.tasheem.ListOffers,
                        tasheem_pb2.ListOffersRequest(merchant_id=merchant_id, page_size=OFFERS_PAGE_SIZE), person)
    return page(request, person, "merchant/offers.html", merchant_id, offers=list(listed.offers))


def routes() -> list[Route]:
    one = "/merchant/{merchant_id}"
    return [
        Route(SIGN_IN, signin, methods=["GET", "POST"]),
        Route(CHOOSE, choose, methods=["GET", "POST"]),
        Route(PASSWORD, password, methods=["GET", "POST"]),
        Route(HOME, home),
        Route(f"{one}/dashboard", dashboard),
        Route(f"{one}/transactions", transactions),
        Route(f"{one}/terminals", terminals),
        Route(f"{one}/batches", batches),
        Route(f"{one}/batches/{{batch_id}}/statement", statement_page),
        Route(f"{one}/batches/{{batch_id}}/statement.{{kind}}", statement_download),
        Route(f"{one}/offers", offers),
    ]
