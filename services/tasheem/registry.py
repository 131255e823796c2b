"""Funding parties and merchants (with their beneficiaries): checked, stored, read back."""

from __future__ import annotations

import re
import unicodedata

from psycopg import errors as pg_errors

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared.errors import AlreadyExists, FieldError, NotFound

from . import beneficiaries as bene
from .context import Deps
from .funding import BUILT_IN_PARTIES, BUILT_IN_PARTY_NAMES, MERCHANT_PARTY

MERCHANT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$")  # ISO 8583 field 42: up to 15
PARTY_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
MAX_NAME_LENGTH = 200
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1_000


def page_size(requested: int) -> int:
    if requested < 0:
        raise FieldError("page_size", "must not be negative")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def page_after(token: str) -> int:
    if not token:
        return 0
    if not token.isdigit():
        raise FieldError("page_token", "not a token this service gave")
    return int(token)


def name(value: str, field: str = "name") -> str:
    """A name people read (a merchant's, a party's, a user's): one line, no control characters
    (Persian's zero-width non-joiner is a format character, not one of them)."""
    value = value.strip()
    if not value or len(value) > MAX_NAME_LENGTH:
        raise FieldError(field, f"is required (at most {MAX_NAME_LENGTH} characters)")
    if any(unicodedata.category(character) == "Cc" for character in value):
        raise FieldError(field, "must be one line without control characters")
    return value


# ---------- parties ----------

async def create_party(deps: Deps, request: pb.CreatePartyRequest) -> dict:
    party_id = request.party_id.strip()
    if not PARTY_ID_PATTERN.match(party_id):
        raise FieldError("party_id", "lower-case letters, digits and _.- (at most 40)")
    if party_id == MERCHANT_PARTY:
        raise FieldError("party_id", "\"merchant\" is implicit: the merchant of each purchase")
    party_name = name(request.name)
    async with deps.pool.connection() as conn:
        try:
            cur = await conn.execute("INSERT INTO parties (party_id, name) VALUES (%s, %s) RETURNING *",
                                     (party_id, party_name))
            row = await cur.fetchone()
            await conn.commit()
        except pg_errors.UniqueViolation:
            raise AlreadyExists(f"party {party_id} exists") from None
    return row


async def list_parties(deps: Deps) -> list[dict]:
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM parties ORDER BY party_id")
        return await cur.fetchall()


async def party_names(conn) -> dict[str, str]:
    """Every party's name, the built-in ones included."""
    cur = await conn.execute("SELECT party_id, name FROM parties")
    return {**BUILT_IN_PARTY_NAMES, **{row["party_id"]: row["name"] for row in await cur.fetchall()}}


async def known_parties(conn) -> set[str]:
    cur = await conn.execute("SELECT party_id FROM parties")
    return {row["party_id"] for row in await cur.fetchall()} | set(BUILT_IN_PARTIES)


# ---------- merchants ----------

def _merchant_fields(merchant_id: str, merchant_name: str, mcc: str, group: str) -> tuple[str, str, str, str]:
    if not MERCHANT_ID_PATTERN.match(merchant_id):
        raise FieldError("merchant_id", "1..15 letters, digits or ._- (ISO 8583 field 42)")
    if not (len(mcc) == 4 and mcc.isdigit() and mcc.isascii()):
        raise FieldError("mcc", "must be 4 digits")
    group = group.strip()
    if len(group) > MAX_NAME_LENGTH:
        raise FieldError("group", f"at most {MAX_NAME_LENGTH} characters")
    return merchant_id, name(merchant_name), mcc, group


def _beneficiaries(items) -> list[bene.Beneficiary]:
    try:
        return bene.validate([bene.Beneficiary(b.iban, b.name, b.ratio_bp, b.fixed_amount, b.remainder) for b in items])
    except bene.BeneficiaryError as exc:
        raise FieldError(exc.field, str(exc).split(": ", 1)[1]) from None


async def _write_beneficiaries(conn, merchant_id: str, items: list[bene.Beneficiary]) -> None:
    await conn.execute("DELETE FROM beneficiaries WHERE merchant_id = %s", (merchant_id,))
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO beneficiaries (merchant_id, position, iban, name, ratio_bp, fixed_amount, remainder)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(merchant_id, i, b.iban, b.name, b.ratio_bp, b.fixed_amount, b.remainder) for i, b in enumerate(items)])


async def create_merchant(deps: Deps, request: pb.CreateMerchantRequest) -> dict:
    merchant_id, merchant_name, mcc, group = _merchant_fields(request.merchant_id, request.name, request.mcc,
                                                              request.group)
    items = _beneficiaries(request.beneficiaries) if request.beneficiaries else []
    async with deps.pool.connection() as conn:
        try:
            async with conn.transaction():
                await conn.execute("INSERT INTO merchants (merchant_id, name, mcc, grp) VALUES (%s, %s, %s, %s)",
                                   (merchant_id, merchant_name, mcc, group))
                await _write_beneficiaries(conn, merchant_id, items)
        except pg_errors.UniqueViolation:
            raise AlreadyExists(f"merchant {merchant_id} exists") from None
    await deps.catalog.changed()
    return await get_merchant(deps, merchant_id)


async def update_merchant(deps: Deps, request: pb.UpdateMerchantRequest) -> dict:
    merchant_id, merchant_name, mcc, group = _merchant_fields(request.merchant_id, request.name, request.mcc,
                                                              request.group)
    async with deps.pool.connection() as conn:
        cur = await conn.execute("UPDATE merchants SET name = %s, mcc = %s, grp = %s, active = %s, updated_at = now()"
                                 " WHERE merchant_id = %s RETURNING merchant_id",
                                 (merchant_name, mcc, group, request.active, merchant_id))
        found = await cur.fetchone()
        await conn.commit()
    if not found:
        raise NotFound(f"merchant {merchant_id} not found")
    await deps.catalog.changed()
    return await get_merchant(deps, merchant_id)


async def set_beneficiaries(deps: Deps, request: pb.SetBeneficiariesRequest) -> dict:
    items = _beneficiaries(request.beneficiaries)
    async with deps.pool.connection() as conn, conn.transaction():
        cur = await conn.execute("SELECT 1 FROM merchants WHERE merchant_id = %s FOR UPDATE", (request.merchant_id,))
        if await cur.fetchone() is None:
            raise NotFound(f"merchant {request.merchant_id} not found")
        await _write_beneficiaries(conn, request.merchant_id, items)
    return await get_merchant(deps, request.merchant_id)


async def get_merchant(deps: Deps, merchant_id: str) -> dict:
    async with deps.pool.connection() as conn:
        found = await merchants_with_beneficiaries(conn, "merchant_id = %s", (merchant_id,))
    if not found:
        raise NotFound(f"merchant {merchant_id} not found")
    return found[0]


async def list_merchants(deps: Deps, request: pb.ListMerchantsRequest) -> tuple[list[dict], str]:
    size, after = page_size(request.page_size), page_after(request.page_token)
    condition, params = "seq > %s", [after]
    if request.group:
        condition += " AND grp = %s"
        params.append(request.group)
    async with deps.pool.connection() as conn:
        rows = await merchants_with_beneficiaries(conn, condition, params, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    return rows, str(rows[-1]["seq"]) if more else ""


async def merchants_with_beneficiaries(conn, condition: str, params, limit: int | None = None) -> list[dict]:
    sql = f"SELECT * FROM merchants WHERE {condition} ORDER BY seq" + (f" LIMIT {int(limit)}" if limit else "")
    cur = await conn.execute(sql, params)
    rows = await cur.fetchall()
    if rows:
        cur = await conn.execute("SELECT * FROM beneficiaries WHERE merchant_id = ANY(%s) ORDER BY merchant_id, position",
                                 ([row["merchant_id"] for row in rows],))
        by_merchant: dict[str, list[bene.Beneficiary]] = {}
        for b in await cur.fetchall():
            by_merchant.setdefault(b["merchant_id"], []).append(
                bene.Beneficiary(b["iban"], b["name"], b["ratio_bp"], b["fixed_amount"], b["remainder"]))
        for row in rows:
            row["beneficiaries"] = by_merchant.get(row["merchant_id"], [])
    return rows
