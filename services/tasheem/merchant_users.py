"""Merchant users: the people of a merchant who sign in to the merchant portal.

Operators create them (CreateMerchantUser, ListMerchantUsers) and look after them
(UpdateMerchantUser: disable or enable, a new password, a new TOTP secret, name, merchants); a user
changes its own password (ChangeMerchantPassword). A password is kept only as an argon2id hash; a
TOTP secret, when the user has one, only encrypted under the vault's data key (AES-GCM, the
username as associated data), and its provisioning URI is only in the answer that made it.

MerchantSignIn and ChangeMerchantPassword take no token: the password (and TOTP code) is the
credential, checked by one function (`_authenticate`). Invariants:
* one refusal for every failure (unknown user, wrong password, wrong or missing code, locked,
  disabled), so no answer says whether a user exists; an unknown user costs the same hashing as a
  known one;
* a user's sign-ins run one at a time under its row lock, so MERCHANT_SIGN_IN_FAILURES_TO_LOCK
  wrong tries lock it, however many arrive at once, and a locked user's password is not checked;
* every attempt counts against its client address before the password is checked (claim_guard.lua,
  as coupon-code guesses) and a good one gives its count back, so the failures and attempts in
  flight from one address never exceed MERCHANT_SIGN_IN_FAILURES_PER_CLIENT in a window;
* a TOTP code is accepted once (its time step must be later than the last one accepted).
Neither the password nor the code is logged, stored or quoted in an error.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hmac
import re
import time

import argon2
import grpc
import pyotp
from psycopg import errors as pg_errors

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared import auth
from services.shared import auth_policy as policy
from services.shared.errors import AlreadyExists, FieldError, NotFound, ServiceError
from services.shared.limits import (
    CLIENT_ADDRESS_LENGTH,
    MERCHANT_PASSWORD_MAX,
    MERCHANT_PASSWORD_MIN,
    MERCHANT_SIGN_IN_CLIENT_WINDOW_SECONDS,
    MERCHANT_SIGN_IN_FAILURES_PER_CLIENT,
    MERCHANT_SIGN_IN_FAILURES_TO_LOCK,
    MERCHANT_SIGN_IN_LOCK_SECONDS,
    MERCHANT_USER_MERCHANTS_MAX,
    MERCHANT_USERNAME_MAX,
    MERCHANT_USERNAME_MIN,
    TOTP_CODE_DIGITS,
)
from services.shared.validate import check_id

from . import registry
from .context import Deps

USERNAME_PATTERN = re.compile(rf"^[a-z0-9._-]{{{MERCHANT_USERNAME_MIN},{MERCHANT_USERNAME_MAX}}}$")
# argon2id as OWASP recommends for interactive sign-in (19 MiB, 2 passes, 1 lane): a sign-in
# costs tens of milliseconds, and a burst of them a bounded amount of memory.
HASHER = argon2.PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
HASHING_THREADS = 2  # concurrent hashes at most (2 x 19 MiB); the event loop never hashes
TOTP_ISSUER = "Club merchant portal"
TOTP_STEP_SECONDS = 30
TOTP_DRIFT_STEPS = 1  # a code of the step before or after now is accepted (clock drift)
REFUSED = "sign-in refused: wrong username, password or code, or too many tries (try again later)"
CLIENT_KEY = "tasheem:merchant-sign-in:client:{{{}}}"  # hash tag: one counter, one slot
COUNT, GIVE_BACK = 1, -1  # claim_guard.lua

_hashing = concurrent.futures.ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="argon2")
_unknown_user_hash: str | None = None


class SignInRefused(ServiceError):
    code = grpc.StatusCode.UNAUTHENTICATED

    def __init__(self) -> None:
        super().__init__(REFUSED)


class TooManySignIns(ServiceError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


def totp_aad(username: str) -> bytes:
    return b"merchant-user-totp:" + username.encode()


async def _run(function, *args):
    return await asyncio.get_running_loop().run_in_executor(_hashing, function, *args)


async def _verify(password_hash: str, password: str) -> bool:
    try:
        return await _run(HASHER.verify, password_hash, password)
    except (argon2.exceptions.VerifyMismatchError, argon2.exceptions.InvalidHashError):
        return False


async def _unknown_hash() -> str:
    """A hash no password matches, checked for unknown users so they take as long as known ones."""
    global _unknown_user_hash
    if _unknown_user_hash is None:
        _unknown_user_hash = await _run(HASHER.hash, pyotp.random_base32())
    return _unknown_user_hash


def _username(value: str) -> str:
    if not USERNAME_PATTERN.match(value):
        raise FieldError("username", f"must be {MERCHANT_USERNAME_MIN}..{MERCHANT_USERNAME_MAX} of a-z 0-9 . _ -")
    return value


def to_message(row: dict, provisioning_uri: str = "") -> pb.MerchantUser:
    from .servicer import timestamp  # the servicer's one conversion of instants

    message = pb.MerchantUser(username=row["username"], display_name=row["display_name"],
                              merchant_ids=row["merchant_ids"], totp_enabled=row["totp_secret"] is not None,
                              totp_provisioning_uri=provisioning_uri, created_at=timestamp(row["created_at"]),
                              disabled=row["disabled_at"] is not None)
    if row["password_changed_at"] is not None:
        message.password_changed_at.CopyFrom(timestamp(row["password_changed_at"]))
    return message


def _password(value: str, field: str) -> str:
    if not MERCHANT_PASSWORD_MIN <= len(value) <= MERCHANT_PASSWORD_MAX:
        raise FieldError(field, f"must be {MERCHANT_PASSWORD_MIN}..{MERCHANT_PASSWORD_MAX} characters")
    return value


def _merchant_ids(values) -> list[str]:
    if len(values) > MERCHANT_USER_MERCHANTS_MAX:
        raise FieldError("merchant_ids", f"at most {MERCHANT_USER_MERCHANTS_MAX} merchants")
    return sorted({check_id(m, f"merchant_ids[{i}]") for i, m in enumerate(values)})


async def _set_merchants(conn, username: str, merchant_ids: list[str]) -> None:
    cur = await conn.execute("SELECT merchant_id FROM merchants WHERE merchant_id = ANY(%s)", (merchant_ids,))
    unknown = set(merchant_ids) - {row["merchant_id"] for row in await cur.fetchall()}
    if unknown:
        raise FieldError("merchant_ids", f"unknown merchant {min(unknown)}")
    await conn.execute("DELETE FROM merchant_user_merchants WHERE username = %s", (username,))
    async with conn.cursor() as cursor:
        await cursor.executemany("INSERT INTO merchant_user_merchants (username, merchant_id) VALUES (%s, %s)",
                                 [(username, m) for m in merchant_ids])


def _new_totp(deps: Deps, username: str) -> tuple[bytes, str]:
    """A fresh TOTP secret, encrypted for the table, and its provisioning URI for the user."""
    plain = pyotp.random_base32()
    return (deps.vault.encrypt(plain.encode(), totp_aad(username)),
            pyotp.TOTP(plain).provisioning_uri(name=username, issuer_name=TOTP_ISSUER))


async def _merchants_of(conn, username: str) -> list[str]:
    cur = await conn.execute("SELECT merchant_id FROM merchant_user_merchants WHERE username = %s"
                             " ORDER BY merchant_id", (username,))
    return [row["merchant_id"] for row in await cur.fetchall()]


async def create(deps: Deps, request: pb.CreateMerchantUserRequest) -> pb.MerchantUser:
    username = _username(request.username)
    password = _password(request.password, "password")
    display_name = registry.name(request.display_name, "display_name")
    if not request.merchant_ids:
        raise FieldError("merchant_ids", "at least one merchant is required")
    merchant_ids = _merchant_ids(request.merchant_ids)
    password_hash = await _run(HASHER.hash, password)
    secret, uri = _new_totp(deps, username) if request.totp else (None, "")
    caller = auth.current_caller()
    async with deps.pool.connection() as conn, conn.transaction():
        try:
            cur = await conn.execute(
                "INSERT INTO merchant_users (username, display_name, password_hash, totp_secret, created_by)"
                " VALUES (%s, %s, %s, %s, %s) RETURNING *",
                (username, display_name, password_hash, secret, caller.subject if caller else ""))
        except pg_errors.UniqueViolation:
            raise AlreadyExists(f"merchant user {username} exists") from None
        row = await cur.fetchone()
        await _set_merchants(conn, username, merchant_ids)
    deps.log.info("merchant user created", extra={"username": username, "merchants": merchant_ids,
                                                  "totp": bool(request.totp)})
    return to_message({**row, "merchant_ids": merchant_ids}, uri)


async def update(deps: Deps, request: pb.UpdateMerchantUserRequest) -> pb.MerchantUser:
    """An operator's changes to one user, all or none; what the request leaves unset is kept."""
    username = _username(request.username)
    new_password = _password(request.new_password, "new_password") if request.new_password else ""
    display_name = registry.name(request.display_name, "display_name") if request.display_name else ""
    merchant_ids = _merchant_ids(request.merchant_ids) if request.merchant_ids else []
    password_hash = await _run(HASHER.hash, new_password) if new_password else None
    secret, uri = _new_totp(deps, username) if request.new_totp else (None, "")
    async with deps.pool.connection() as conn, conn.transaction():
        cur = await conn.execute("SELECT 1 FROM merchant_users WHERE username = %s FOR UPDATE", (username,))
        if await cur.fetchone() is None:
            raise NotFound(f"merchant user {username} not found")
        changes: dict[str, object] = {}
        if request.HasField("disabled"):
            changes["disabled_at"] = dt.datetime.now(dt.UTC) if request.disabled else None
        if password_hash is not None:  # a forgotten password: a fresh start, unlocked
            changes |= {"password_hash": password_hash, "password_changed_at": dt.datetime.now(dt.UTC),
                        "failures": 0, "locked_until": None}
        if secret is not None:
            changes |= {"totp_secret": secret, "last_totp_step": 0}
        if display_name:
            changes["display_name"] = display_name
        if changes:
            await conn.execute(f"UPDATE merchant_users SET {', '.join(f'{c} = %s' for c in changes)}"
                               " WHERE username = %s", (*changes.values(), username))
        if merchant_ids:
            await _set_merchants(conn, username, merchant_ids)
        cur = await conn.execute("SELECT * FROM merchant_users WHERE username = %s", (username,))
        row = await cur.fetchone()
        merchants = await _merchants_of(conn, username)
    changed = [name for name, asked in (("disabled", request.HasField("disabled")), ("password", bool(new_password)),
                                        ("totp", request.new_totp), ("display_name", bool(display_name)),
                                        ("merchants", bool(merchant_ids))) if asked]
    deps.log.info("merchant user changed", extra={"username": username, "changed": changed,
                                                  "disabled": row["disabled_at"] is not None})
    return to_message({**row, "merchant_ids": merchants}, uri)


async def list_users(deps: Deps, request: pb.ListMerchantUsersRequest) -> pb.ListMerchantUsersResponse:
    check_id(request.merchant_id, "merchant_id", required=False)
    where, params = ("WHERE u.username IN (SELECT username FROM merchant_user_merchants WHERE merchant_id = %s)",
                     (request.merchant_id,)) if request.merchant_id else ("", ())
    async with deps.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT u.*, array_agg(m.merchant_id ORDER BY m.merchant_id) AS merchant_ids FROM merchant_users u"
            f" JOIN merchant_user_merchants m USING (username) {where} GROUP BY u.username ORDER BY u.username",
            params)
        rows = await cur.fetchall()
    return pb.ListMerchantUsersResponse(users=[to_message(row) for row in rows])


# ---------- sign-in ----------

def _totp_step(secret: str, code: str, last_step: int, now: float) -> int | None:
    """The time step `code` belongs to, if it is a current code not used before; else None."""
    if len(code) != TOTP_CODE_DIGITS or not code.isdigit():
        return None
    totp, current = pyotp.TOTP(secret), int(now // TOTP_STEP_SECONDS)
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if step > last_step and hmac.compare_digest(totp.at(step * TOTP_STEP_SECONDS), code):
            return step
    return None


def _client_address(value: str) -> str:
    if not value:
        raise FieldError("client_address", "is required (the address the sign-in came from)")
    if len(value) > CLIENT_ADDRESS_LENGTH or not value.isprintable() or " " in value:
        raise FieldError("client_address", f"must be 1..{CLIENT_ADDRESS_LENGTH} printable characters without spaces")
    return value


def _required(request, *fields: str) -> None:
    for field in fields:
        if not getattr(request, field):
            raise FieldError(field, "is required")


async def sign_in(deps: Deps, request: pb.MerchantSignInRequest) -> pb.MerchantSignInResult:
    address = _client_address(request.client_address)
    _required(request, "username", "password")

    async def its_merchants(conn, user: dict) -> list[dict]:
        cur = await conn.execute(
            "SELECT m.merchant_id, m.name FROM merchant_user_merchants u JOIN merchants m USING (merchant_id)"
            " WHERE u.username = %s AND m.active ORDER BY m.merchant_id", (user["username"],))
        return await cur.fetchall()

    user, merchants = await _guarded(deps, address, _authenticate(
        deps, request.username, request.password, request.totp_code, address, its_merchants))
    ttl = deps.merchant_token_ttl
    deps.log.info("merchant signed in", extra={"username": user["username"], "client_address": address,
                                               "merchants": [m["merchant_id"] for m in merchants]})
    from .servicer import timestamp

    return pb.MerchantSignInResult(
        username=user["username"], display_name=user["display_name"],
        access=[pb.MerchantAccess(merchant_id=m["merchant_id"], merchant_name=m["name"],
                                  token=auth.issue_token(deps.auth_secret, policy.MERCHANT, user["username"],
                                                         merchant_id=m["merchant_id"], ttl_seconds=ttl))
                for m in merchants],
        expires_at=timestamp(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=ttl)))


async def change_password(deps: Deps, request: pb.ChangeMerchantPasswordRequest) -> pb.MerchantUser:
    address = _client_address(request.client_address)
    _required(request, "username", "current_password")
    new_password = _password(request.new_password, "new_password")
    if new_password == request.current_password:
        raise FieldError("new_password", "must differ from the current password")
    new_hash = await _run(HASHER.hash, new_password)  # before the user's lock is taken

    async def set_password(conn, user: dict) -> dict:
        cur = await conn.execute("UPDATE merchant_users SET password_hash = %s, password_changed_at = now()"
                                 " WHERE username = %s RETURNING *", (new_hash, user["username"]))
        return {**await cur.fetchone(), "merchant_ids": await _merchants_of(conn, user["username"])}

    user, row = await _guarded(deps, address, _authenticate(
        deps, request.username, request.current_password, request.totp_code, address, set_password))
    deps.log.info("merchant user changed its password", extra={"username": user["username"],
                                                               "client_address": address})
    return to_message(row)


async def _guarded(deps: Deps, address: str, attempt):
    """`attempt` (an awaitable) counted against the client address it came from: refused at once
    past MERCHANT_SIGN_IN_FAILURES_PER_CLIENT in the window; a refusal stays counted, anything
    else gives its count back."""
    key = CLIENT_KEY.format(address)
    count = await deps.scripts.claim_guard(keys=[key], args=[COUNT, MERCHANT_SIGN_IN_CLIENT_WINDOW_SECONDS])
    if count > MERCHANT_SIGN_IN_FAILURES_PER_CLIENT:
        attempt.close()  # never started
        await deps.scripts.claim_guard(keys=[key], args=[GIVE_BACK, MERCHANT_SIGN_IN_CLIENT_WINDOW_SECONDS])
        deps.log.warning("merchant sign-in refused: too many failures from the client",
                         extra={"client_address": address})
        raise TooManySignIns("too many failed sign-ins from this address; try again later")
    try:
        result = await attempt
    except SignInRefused:
        raise  # stays counted against the address
    except BaseException:
        await deps.scripts.claim_guard(keys=[key], args=[GIVE_BACK, MERCHANT_SIGN_IN_CLIENT_WINDOW_SECONDS])
        raise
    await deps.scripts.claim_guard(keys=[key], args=[GIVE_BACK, MERCHANT_SIGN_IN_CLIENT_WINDOW_SECONDS])
    return result


async def _authenticate(deps: Deps, username: str, password: str, code: str, address: str, then):
    """Check the user's credential under its row lock, counting a failure toward its lock; once it
    holds, `then(conn, user)` runs in the same transaction. (user, what `then` returned), or
    SignInRefused whatever the reason."""
    outcome, done = "ok", None
    async with deps.pool.connection() as conn, conn.transaction():
        cur = await conn.execute("SELECT * FROM merchant_users WHERE username = %s FOR UPDATE", (username,))
        user = await cur.fetchone()  # the lock: this user's sign-ins one at a time
        now = dt.datetime.now(dt.UTC)
        if user is None:
            await _verify(await _unknown_hash(), password)
            outcome = "unknown user"
        elif user["locked_until"] is not None and user["locked_until"] > now:
            outcome = "locked"
        elif user["disabled_at"] is not None:
            outcome = "disabled"
        elif not await _verify(user["password_hash"], password):
            outcome = "wrong password"
        else:
            step = 0
            if user["totp_secret"] is not None:
                secret = deps.vault.decrypt(user["totp_secret"], totp_aad(username)).decode()
                step = _totp_step(secret, code, user["last_totp_step"], time.time())
                if step is None:
                    outcome = "wrong code"
        if outcome in ("wrong password", "wrong code"):
            failures = user["failures"] + 1
            locking = failures >= MERCHANT_SIGN_IN_FAILURES_TO_LOCK
            await conn.execute(
                "UPDATE merchant_users SET failures = %s, locked_until = %s WHERE username = %s",
                (0 if locking else failures,
                 now + dt.timedelta(seconds=MERCHANT_SIGN_IN_LOCK_SECONDS) if locking else user["locked_until"],
                 username))
            if locking:
                outcome = "wrong, now locked"
        elif outcome == "ok":
            rehash = HASHER.check_needs_rehash(user["password_hash"])
            await conn.execute(
                "UPDATE merchant_users SET failures = 0, locked_until = NULL,"
                " last_totp_step = greatest(last_totp_step, %s),"
                " password_hash = %s WHERE username = %s",
                (step, await _run(HASHER.hash, password) if rehash else user["password_hash"], username))
            done = await then(conn, user)
    if outcome != "ok":
        # An unknown username is not logged: it may be a password typed into the wrong field.
        deps.log.warning("merchant sign-in refused", extra={
            "username": username if user else "", "reason": outcome, "client_address": address})
        raise SignInRefused()
    return user, done
