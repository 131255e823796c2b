"""Codes that claim coupons: single-use codes made in bulk, shared codes chosen by an operator,
and ClaimCoupon with its limits on guessing.

Codes are never stored: only HMAC-SHA256(CLUB_COUPON_CODE_KEY, normalized code) is (the
`coupon_codes` table; codes.py says what a code looks like). A claim is one transaction: the
code's row locked (claims of one shared code queue on it, so N uses give exactly N coupons),
its checks, its count raised, the coupon inserted; any refusal rolls back, so no use is counted.

Guessing: every claim counts against its member and its caller (the token's subject) before the
code is looked up (claim_guard.lua) and gives the count back when the code exists; past
MAX_WRONG_CODES_PER_MEMBER, or the caller's limit, claims are refused (RESOURCE_EXHAUSTED)
until the counter expires, BLOCK_SECONDS after the wrong code that reached the limit. Claims in
flight count too, so more than a caller's limit claiming at the same instant are refused for the
excess (retry). Refusals are in the audit log: a person's by the auth interceptor, a service's
written here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac

import grpc
from google.protobuf import struct_pb2

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared import auth
from services.shared import auth_policy as policy
from services.shared import config as cfg
from services.shared.errors import AlreadyExists, FieldError, ServiceError
from services.shared.validate import check_id

from . import codes, coupons
from .context import Deps

KEY_SETTING = cfg.Setting("CLUB_COUPON_CODE_KEY", "", cfg.text,
                          "base64 key (>= 32 bytes) of the keyed hashes coupon codes are kept as; empty outside "
                          "production = built-in demo key", secret=True)
_DEMO_KEY = hashlib.sha256(b"club-demo-coupon-code-key-v1").digest()  # development and test only

MAX_GENERATED_CODES = 10_000  # per GenerateCouponCodes call
MAX_SHARED_USES = 10_000_000
SHARED_CODE_MIN, SHARED_CODE_MAX = 4, 32  # characters, letters and digits
MAX_TYPED_CODE = 64  # characters accepted from a claim before normalizing
MAX_WRONG_CODES_PER_MEMBER = 10
MAX_WRONG_CODES_PER_PERSON = 10  # an operator (or, later, a member) typing codes
MAX_WRONG_CODES_PER_SERVICE = 1_000  # a service (the members' app) claims for many members
GUESS_WINDOW_SECONDS = 3_600  # wrong codes are counted over this window...
BLOCK_SECONDS = 3_600  # ...and the limit reached blocks claims this long
CLAIM_METHOD = policy.TASHEEM + "ClaimCoupon"
COUNT, GIVE_BACK = 1, -1  # claim_guard.lua


class TooManyWrongCodes(ServiceError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class _UnknownCode(Exception):
    """Looked up and not found: a wrong code, counted against the guesser."""


def code_key(config) -> bytes:
    """The key of code hashes (CLUB_COUPON_CODE_KEY); in development and test, when unset, a demo key."""
    return cfg.signing_key(config, KEY_SETTING, _DEMO_KEY)


def code_hash(key: bytes, code: str) -> bytes:
    return hmac.new(key, codes.normalize(code).encode(), hashlib.sha256).digest()


# ---------- making codes ----------

async def generate(deps: Deps, request: pb.GenerateCouponCodesRequest) -> pb.GenerateCouponCodesResponse:
    """`count` new single-use codes, returned once; only their hashes are kept."""
    if not 0 < request.count <= MAX_GENERATED_CODES:
        raise FieldError("count", f"must be 1..{MAX_GENERATED_CODES}")
    made: list[str] = []
    async with deps.pool.connection() as conn, conn.transaction():
        await coupons.campaign(deps, conn, request.offer_id)
        while len(made) < request.count:  # a code already issued (about 1 in 2^50) is drawn again
            wanted = {codes.generate() for _ in range(request.count - len(made))}
            by_hash = {code_hash(deps.coupon_code_key, code): code for code in wanted}
            cur = await conn.execute(
                "INSERT INTO coupon_codes (code_hash, offer_id, shared, total_uses, per_member_uses)"
                " SELECT h, %s, false, 1, 1 FROM unnest(%s::bytea[]) AS h ON CONFLICT DO NOTHING RETURNING code_hash",
                (request.offer_id, list(by_hash)))
            made += [by_hash[bytes(row["code_hash"])] for row in await cur.fetchall()]
    return pb.GenerateCouponCodesResponse(codes=made)


async def create_shared(deps: Deps, request: pb.CreateSharedCodeRequest) -> pb.SharedCode:
    code = codes.normalize(request.code)
    if not (SHARED_CODE_MIN <= len(code) <= SHARED_CODE_MAX and code.isascii() and code.isalnum()):
        raise FieldError("code", f"{SHARED_CODE_MIN}..{SHARED_CODE_MAX} letters and digits")
    if not 0 < request.total_uses <= MAX_SHARED_USES:
        raise FieldError("total_uses", f"must be 1..{MAX_SHARED_USES}")
    per_member = request.per_member_uses or 1
    if not 0 < per_member <= request.total_uses:
        raise FieldError("per_member_uses", "must be 0 (one) .. total_uses")
    async with deps.pool.connection() as conn, conn.transaction():
        await coupons.campaign(deps, conn, request.offer_id)
        cur = await conn.execute(
            "INSERT INTO coupon_codes (code_hash, offer_id, shared, total_uses, per_member_uses)"
            " VALUES (%s, %s, true, %s, %s) ON CONFLICT DO NOTHING RETURNING code_hash",
            (code_hash(deps.coupon_code_key, code), request.offer_id, request.total_uses, per_member))
        if await cur.fetchone() is None:
            raise AlreadyExists("code: exists; choose another")
    return pb.SharedCode(offer_id=request.offer_id, total_uses=request.total_uses, claimed=0,
                         per_member_uses=per_member)


# ---------- claiming ----------

def guess_keys(member_id: str, caller: auth.Caller | None) -> list[tuple[str, int]]:
    """The counters a claim counts against, with their limits: its member's and its caller's."""
    subject = caller.subject if caller else "anonymous"
    caller_limit = MAX_WRONG_CODES_PER_PERSON if caller is None or caller.is_person else MAX_WRONG_CODES_PER_SERVICE
    return [(f"tasheem:claims:{{member:{member_id}}}:wrong", MAX_WRONG_CODES_PER_MEMBER),
            (f"tasheem:claims:{{caller:{subject}}}:wrong", caller_limit)]


async def claim(deps: Deps, request: pb.ClaimCouponRequest) -> pb.Coupon:
    """A coupon for the member, or a refusal that says why (and counts no use)."""
    caller = auth.current_caller()
    try:
        return await _claim(deps, request, caller)
    except ServiceError as refused:
        await _audit_refusal(deps, caller, request, refused)
        raise


async def _claim(deps: Deps, request: pb.ClaimCouponRequest, caller: auth.Caller | None) -> pb.Coupon:
    check_id(request.member_id, "member_id")
    code = codes.normalize(request.code)
    if not code:
        raise FieldError("code", "is required")
    if len(request.code) > MAX_TYPED_CODE:
        raise FieldError("code", "unknown code")  # too long to be one; not worth a guess
    counters = guess_keys(request.member_id, caller)
    counts = await _count(deps, counters, COUNT)
    if any(count > limit for count, (_, limit) in zip(counts, counters, strict=True)):
        await _give_back(deps, counters)  # a refused claim is no guess
        raise TooManyWrongCodes(f"too many wrong codes for this member or caller; claims are blocked for up to "
                                f"{BLOCK_SECONDS // 60} minutes")
    try:
        row, name = await _claim_in_postgres(deps, request.member_id, code)
    except _UnknownCode:
        # Stays counted; the one that reaches a limit starts a full block.
        for (key, limit), count in zip(counters, counts, strict=True):
            if count >= limit:
                await deps.redis.expire(key, BLOCK_SECONDS)
        if codes.looks_generated(code) and not codes.is_valid(code):
            raise FieldError("code", "unknown code: mistyped (its check character does not match)") from None
        raise FieldError("code", "unknown code") from None
    except BaseException:
        await _give_back(deps, counters)  # the code exists (expired, used up): not a guess
        raise
    await _give_back(deps, counters)
    return coupons.to_message(row, name)


async def _count(deps: Deps, counters: list[tuple[str, int]], change: int) -> list[int]:
    # One key per call: a member's and a caller's counters live in different Cluster slots.
    return list(await asyncio.gather(*(deps.scripts.claim_guard(keys=[key], args=[change, GUESS_WINDOW_SECONDS])
                                       for key, _ in counters)))


async def _give_back(deps: Deps, counters: list[tuple[str, int]]) -> None:
    await _count(deps, counters, GIVE_BACK)


async def _claim_in_postgres(deps: Deps, member_id: str, code: str) -> tuple[dict, str]:
    async with deps.pool.connection() as conn, conn.transaction():
        hashed = code_hash(deps.coupon_code_key, code)
        cur = await conn.execute("SELECT offer_id, shared, total_uses, per_member_uses, claimed FROM coupon_codes"
                                 " WHERE code_hash = %s FOR UPDATE", (hashed,))  # claims of one code queue here
        found = await cur.fetchone()
        if found is None:
            raise _UnknownCode()
        offer = await coupons.campaign(deps, conn, found["offer_id"])
        if offer.window.ends_at is not None and offer.window.ends_at <= dt.datetime.now(dt.UTC):
            raise FieldError("code", "expired: its campaign has ended")
        if not offer.active:
            raise FieldError("code", "not usable now: its campaign is paused")
        if found["claimed"] >= found["total_uses"]:
            raise FieldError("code", f"already used: all {found['total_uses']} uses are claimed" if found["shared"]
                             else "already used")
        cur = await conn.execute("SELECT count(*) AS n FROM coupons WHERE code_hash = %s AND member_id = %s",
                                 (hashed, member_id))
        if (await cur.fetchone())["n"] >= found["per_member_uses"]:
            raise FieldError("code", f"already used: this member has claimed it {found['per_member_uses']} time(s)"
                             if found["shared"] else "already used")
        await coupons.check_member_limit(conn, offer, [member_id])
        await conn.execute("UPDATE coupon_codes SET claimed = claimed + 1 WHERE code_hash = %s", (hashed,))
        row = await coupons.insert(conn, offer_id=offer.offer_id, member_id=member_id, source=coupons.CODE,
                                   code_hash=hashed)
    return row, offer.name


async def _audit_refusal(deps: Deps, caller: auth.Caller | None, request: pb.ClaimCouponRequest,
                         refused: ServiceError) -> None:
    """A service's refused claim, in the audit log (a person's is there already: the interceptor
    records every change a person makes, with its outcome). The code itself is redacted there."""
    if caller is None or caller.is_person or deps.audit is None:
        return
    try:
        event_id = await deps.audit.begin("tasheem", CLAIM_METHOD, caller, request)
        reason = struct_pb2.Struct()
        reason.update({"refused": refused.message})
        await deps.audit.finish(event_id, refused.code.name, reason)
    except Exception as exc:  # noqa: BLE001 - the refusal stands; the log says it went unrecorded
        deps.log.error("claim refusal not audited", extra={"member_id": request.member_id,
                                                           "error": type(exc).__name__})
