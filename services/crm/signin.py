"""Members sign in to the portal with their phone and a one-time code, and join the club in one step.

    StartSignIn(phone)         a 6-digit code (`secrets`) by transactional SMS through the outbox
    VerifySignIn(phone, code)  a member token; or, for a phone with no member, a join ticket
    JoinClub(ticket, names)    registers the member in cards with that phone, opens the wallet
                               accounts, issues a virtual card, answers with a member token

These three take no token (auth_policy `public()`): the code is the credential. Invariants:
- a code is never kept readable: signin_phones holds HMAC-SHA256(CLUB_SIGNIN_CODE_KEY,
  "phone|code"); the SMS body is in the outbox only sealed with the vault and wiped once sent or
  expired (delivery.py). Errors and logs never quote a code, a ticket or a full phone;
- every start and verify of a phone holds that phone's row lock (after the client address's lock,
  always in that order), so the limits in services/shared/limits.py hold exactly under
  concurrency: SIGNIN_MAX_WRONG_CODES wrong codes, then the phone is locked, whatever arrives at once;
- a code works once and for SIGNIN_CODE_TTL_SECONDS; a new code replaces the old one;
- one member and one virtual card per phone (portal_joins, under a lock on the phone), however
  often JoinClub is called with the same ticket.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid

import grpc
import jwt

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.shared import auth, persian
from services.shared import config as cfg
from services.shared.auth_policy import MEMBER
from services.shared.errors import (
    AlreadyExists,
    FailedPrecondition,
    FieldError,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)
from services.shared.limits import (
    CLIENT_ADDRESS_LENGTH,
    JOIN_TICKET_TTL_SECONDS,
    SIGNIN_CODE_DIGITS,
    SIGNIN_CODE_TTL_SECONDS,
    SIGNIN_CODES_PER_ADDRESS_PER_HOUR,
    SIGNIN_CODES_PER_PHONE_PER_HOUR,
    SIGNIN_LOCK_SECONDS,
    SIGNIN_MAX_WRONG_CODES,
    SIGNIN_RESEND_SECONDS,
    SIGNIN_VERIFIES_PER_ADDRESS_PER_HOUR,
)
from services.shared.validate import check_id, check_mobile, check_national_id

from . import templates
from .context import Deps
from .times import now, stamp

KEY_SETTING = cfg.Setting("CLUB_SIGNIN_CODE_KEY", "", cfg.text,
                          "base64 key (>= 32 bytes) that keys the hashes of members' sign-in codes and signs join "
                          "tickets; empty outside production = built-in demo key", secret=True)
_DEMO_KEY = hashlib.sha256(b"club-demo-signin-code-key-v1").digest()  # development and test only
DEFAULT_MEMBER_TOKEN_TTL_SECONDS = 12 * 3600
SETTINGS = [
    KEY_SETTING,
    cfg.Setting("CLUB_MEMBER_TOKEN_TTL_SECONDS", str(DEFAULT_MEMBER_TOKEN_TTL_SECONDS), cfg.positive_int,
                "how long a member token from the portal's sign-in is good for"),
    cfg.Setting("CLUB_JOIN_CARD_PRODUCT_ID", "", cfg.text,
                "the product of the virtual card a member gets on joining through the portal; "
                "empty = the club's first loyalty product"),
]
HOUR = dt.timedelta(hours=1)
CARDS_TIMEOUT_SECONDS = 5.0
JOIN_TICKET_AUDIENCE = "club-join"
JOIN_CHANNEL = "portal"  # the channel cards records for the registration and the card
NAME_LENGTH = 100  # as cards takes it


def code_key(config) -> bytes:
    return cfg.signing_key(config, KEY_SETTING, _DEMO_KEY)


def code_hash(key: bytes, phone: str, code: str) -> bytes:
    return hmac.new(key, f"{phone}|{code}".encode(), hashlib.sha256).digest()


def new_code() -> str:
    return f"{secrets.randbelow(10 ** SIGNIN_CODE_DIGITS):0{SIGNIN_CODE_DIGITS}d}"


def _client_address(value: str) -> str:
    return check_id(value.strip(), "client_address", CLIENT_ADDRESS_LENGTH, ascii_only=True)


def _typed_code(value: str) -> str:
    code = persian.ascii_digits(value).strip()
    if not (code.isascii() and code.isdigit() and len(code) == SIGNIN_CODE_DIGITS):
        raise FieldError("code", f"must be {SIGNIN_CODE_DIGITS} digits")
    return code


def _seconds_until(moment: dt.datetime, at: dt.datetime) -> int:
    return max(1, int((moment - at).total_seconds() + 0.999))


async def _lock(conn, address: str, phone: str) -> dict:
    """The client address's lock, then the phone's row (made if new), for this transaction."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('crm.signin.address:' || %s))", (address,))
    await conn.execute("INSERT INTO signin_phones (phone) VALUES (%s) ON CONFLICT DO NOTHING", (phone,))
    cur = await conn.execute("SELECT * FROM signin_phones WHERE phone = %s FOR UPDATE", (phone,))
    return await cur.fetchone()


def _refuse_if_locked(row: dict, at: dt.datetime) -> None:
    if row["locked_until"] and row["locked_until"] > at:
        raise ResourceExhausted(f"phone: locked after {SIGNIN_MAX_WRONG_CODES} wrong codes; try again in "
                                f"{_seconds_until(row['locked_until'], at)} s")


# ---------- StartSignIn ----------

async def start(deps: Deps, request: pb.StartSignInRequest) -> pb.StartSignInResponse:
    phone = check_mobile(request.phone, "phone")
    address = _client_address(request.client_address)
    code = new_code()
    async with deps.pool.connection() as conn, conn.transaction():
        row = await _lock(conn, address, phone)
        at = now()  # after the wait for the locks
        _refuse_if_locked(row, at)
        if row["last_sent_at"] and at - row["last_sent_at"] < dt.timedelta(seconds=SIGNIN_RESEND_SECONDS):
            wait = _seconds_until(row["last_sent_at"] + dt.timedelta(seconds=SIGNIN_RESEND_SECONDS), at)
            raise ResourceExhausted(f"phone: a code was sent just now; ask again in {wait} s")
        cur = await conn.execute(
            "SELECT count(*) FILTER (WHERE phone = %s) AS phone_sends, count(*) FILTER (WHERE client_address = %s)"
            " AS address_sends FROM signin_sends WHERE (phone = %s OR client_address = %s) AND sent_at > %s",
            (phone, address, phone, address, at - HOUR))
        counts = await cur.fetchone()
        if counts["phone_sends"] >= SIGNIN_CODES_PER_PHONE_PER_HOUR:
            raise ResourceExhausted(f"phone: at most {SIGNIN_CODES_PER_PHONE_PER_HOUR} codes an hour; try later")
        if counts["address_sends"] >= SIGNIN_CODES_PER_ADDRESS_PER_HOUR:
            raise ResourceExhausted(f"client_address: at most {SIGNIN_CODES_PER_ADDRESS_PER_HOUR} codes an hour"
                                    " from one address; try later")
        expires = at + dt.timedelta(seconds=SIGNIN_CODE_TTL_SECONDS)
        await conn.execute("UPDATE signin_phones SET code_hash = %s, code_expires_at = %s, last_sent_at = %s"
                           " WHERE phone = %s", (code_hash(deps.signin_key, phone, code), expires, at, phone))
        await conn.execute("INSERT INTO signin_sends (phone, client_address, sent_at) VALUES (%s, %s, %s)",
                           (phone, address, at))
        body = templates.signin_code_sms(code, SIGNIN_CODE_TTL_SECONDS)
        message_id = uuid.uuid4().hex
        # The SMS leaves through the outbox like every other; only its sealed body holds the code.
        await conn.execute(
            "INSERT INTO outbox (member_id, channel, kind, marketing, body, source_key, to_phone, sealed_body,"
            " expires_at) VALUES ('', 'sms', 'signin_code', false, '', %s, %s, %s, %s)",
            (f"signin:{message_id}", phone, deps.vault.encrypt(body.encode(), phone.encode()), expires))
    deps.log.info("sign-in code sent", extra={"phone": _masked(phone)})
    return pb.StartSignInResponse(expires_in_seconds=SIGNIN_CODE_TTL_SECONDS,
                                  resend_after_seconds=SIGNIN_RESEND_SECONDS)


def _masked(phone: str) -> str:
    return phone[:4] + "*****" + phone[-2:]


# ---------- VerifySignIn ----------

async def verify(deps: Deps, request: pb.VerifySignInRequest) -> pb.SignInResult:
    phone = check_mobile(request.phone, "phone")
    code = _typed_code(request.code)
    address = _client_address(request.client_address)
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            row = await _lock(conn, address, phone)
            at = now()
            _refuse_if_locked(row, at)
            cur = await conn.execute("SELECT count(*) AS n FROM signin_verifies WHERE client_address = %s"
                                     " AND tried_at > %s", (address, at - HOUR))
            if (await cur.fetchone())["n"] >= SIGNIN_VERIFIES_PER_ADDRESS_PER_HOUR:
                raise ResourceExhausted(f"client_address: at most {SIGNIN_VERIFIES_PER_ADDRESS_PER_HOUR} codes tried"
                                        " an hour from one address; try later")
            await conn.execute("INSERT INTO signin_verifies (client_address, tried_at) VALUES (%s, %s)", (address, at))
            live = row["code_hash"] is not None and row["code_expires_at"] > at
            if live and hmac.compare_digest(bytes(row["code_hash"]), code_hash(deps.signin_key, phone, code)):
                await conn.execute("UPDATE signin_phones SET code_hash = NULL, code_expires_at = NULL, wrong_codes = 0,"
                                   " locked_until = NULL WHERE phone = %s", (phone,))
                wrong = None
            else:
                wrong = row["wrong_codes"] + 1
                locked = wrong >= SIGNIN_MAX_WRONG_CODES
                # A lock ends the code too: after it, only a new code can sign in.
                await conn.execute(
                    "UPDATE signin_phones SET wrong_codes = %s, locked_until = %s,"
                    " code_hash = CASE WHEN %s THEN NULL ELSE code_hash END WHERE phone = %s",
                    (0 if locked else wrong, at + dt.timedelta(seconds=SIGNIN_LOCK_SECONDS) if locked else None,
                     locked, phone))
        if wrong is not None:
            deps.log.info("sign-in code refused", extra={"phone": _masked(phone), "wrong_codes": wrong})
            if wrong >= SIGNIN_MAX_WRONG_CODES:
                raise Unauthenticated(f"code: wrong; the phone is locked for {SIGNIN_LOCK_SECONDS // 60} minutes")
            if not live:
                raise Unauthenticated("code: expired or never sent; ask for a new code")
            raise Unauthenticated(f"code: wrong; {SIGNIN_MAX_WRONG_CODES - wrong} tries left")
    member = await _member_with_phone(deps, phone)
    deps.log.info("signed in" if member else "phone verified, no member yet", extra={"phone": _masked(phone)})
    if member is None:
        return pb.SignInResult(join_ticket=join_ticket(deps, phone))
    return _signed_in(deps, member.member_id)


def _signed_in(deps: Deps, member_id: str) -> pb.SignInResult:
    issued = now()
    token = auth.issue_token(deps.auth_secret, MEMBER, member_id, ttl_seconds=deps.member_token_ttl,
                             now=issued.timestamp())
    return pb.SignInResult(token=token, member_id=member_id,
                           expires_at=stamp(issued + dt.timedelta(seconds=deps.member_token_ttl)))


async def _member_with_phone(deps: Deps, phone: str) -> cards_pb2.Member | None:
    try:
        page = await deps.cards.ListMembers(cards_pb2.ListMembersRequest(phone=phone, page_size=1),
                                            timeout=CARDS_TIMEOUT_SECONDS)
    except grpc.aio.AioRpcError as exc:
        raise Unavailable(f"cards did not answer ({exc.code().name}); retry") from None
    return page.members[0] if page.members else None


# ---------- join tickets ----------

def join_ticket(deps: Deps, phone: str) -> str:
    issued = int(now().timestamp())
    return jwt.encode({"aud": JOIN_TICKET_AUDIENCE, "phone": phone, "iat": issued,
                       "exp": issued + JOIN_TICKET_TTL_SECONDS}, deps.signin_key, algorithm="HS256")


def ticket_phone(deps: Deps, ticket: str) -> str:
    if not ticket:
        raise FieldError("join_ticket", "is required")
    try:
        claims = jwt.decode(ticket, deps.signin_key, algorithms=["HS256"], audience=JOIN_TICKET_AUDIENCE,
                            options={"require": ["exp", "aud", "phone"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("join_ticket: expired; sign in again") from None
    except jwt.InvalidTokenError:
        raise Unauthenticated("join_ticket: not valid") from None
    return check_mobile(str(claims["phone"]), "join_ticket")


# ---------- JoinClub ----------

def _name(value: str, field: str, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise FieldError(field, "is required")
    if len(value) > NAME_LENGTH or not value.isprintable():
        raise FieldError(field, f"must be 1..{NAME_LENGTH} printable characters")
    return value


async def _card_product(deps: Deps) -> str:
    if deps.join_card_product_id:
        return deps.join_card_product_id
    page = await deps.cards.ListProducts(cards_pb2.ListProductsRequest(), timeout=CARDS_TIMEOUT_SECONDS)
    loyalty = [product for product in page.products if product.kind == cards_pb2.CARD_KIND_LOYALTY]
    if not loyalty:
        raise FailedPrecondition("the club has no loyalty card product to issue; set CLUB_JOIN_CARD_PRODUCT_ID")
    return min(loyalty, key=lambda product: (product.created_at.ToDatetime(), product.product_id)).product_id


async def join(deps: Deps, request: pb.JoinClubRequest) -> pb.SignInResult:
    phone = ticket_phone(deps, request.join_ticket)
    first_name = _name(request.first_name, "first_name", required=True)
    last_name = _name(request.last_name, "last_name", required=True)
    national_id = check_national_id(request.national_id, "national_id")
    _client_address(request.client_address)
    async with deps.pool.connection() as conn, conn.transaction():
        # One join of a phone at a time, so a double click makes one member and one card.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('crm.join:' || %s))", (phone,))
        cur = await conn.execute("SELECT * FROM portal_joins WHERE phone = %s", (phone,))
        joined = await cur.fetchone()
        try:
            member_id = joined["member_id"] if joined else await _register(deps, phone, first_name, last_name,
                                                                          national_id)
            if joined is None:
                await conn.execute("INSERT INTO portal_joins (phone, member_id) VALUES (%s, %s)", (phone, member_id))
            await deps.wallet.OpenMemberAccounts(wpb.OpenMemberAccountsRequest(member_id=member_id),
                                                 timeout=CARDS_TIMEOUT_SECONDS)
            if not (joined and joined["card_token"]):
                issued = await deps.cards.IssueCard(cards_pb2.IssueCardRequest(
                    member_id=member_id, product_id=await _card_product(deps), channel=JOIN_CHANNEL, virtual=True),
                    timeout=CARDS_TIMEOUT_SECONDS)
                await conn.execute("UPDATE portal_joins SET card_token = %s WHERE phone = %s",
                                   (issued.card.card_token, phone))
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:  # cards names the field it refused
                field, _, reason = (exc.details() or "values: refused").partition(": ")
                raise FieldError(field, reason) from None
            raise Unavailable(f"joining could not finish ({exc.code().name}); retry with the same ticket") from None
    deps.log.info("member joined through the portal", extra={"member_id": member_id, "phone": _masked(phone)})
    return _signed_in(deps, member_id)


async def _register(deps: Deps, phone: str, first_name: str, last_name: str, national_id: str) -> str:
    """The member with this phone: registered now, or the one cards already has (registered at a branch
    between VerifySignIn and JoinClub)."""
    existing = await _member_with_phone(deps, phone)
    if existing is not None:
        return existing.member_id
    try:
        member = await deps.cards.RegisterMember(cards_pb2.RegisterMemberRequest(
            phone=phone, first_name=first_name, last_name=last_name, national_id=national_id),
            timeout=CARDS_TIMEOUT_SECONDS)
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.ALREADY_EXISTS:
            field = "national_id" if "national_id" in (exc.details() or "") else "phone"
            raise AlreadyExists(f"{field}: a member with this {field} already exists") from None
        raise
    return member.member_id
