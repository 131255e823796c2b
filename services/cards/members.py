"""Members: registration with only what is required, lookups, partial updates, tiers."""

from __future__ import annotations

import uuid

from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from services.shared.errors import AlreadyExists, FieldError, NotFound

from . import profiles, validate
from .context import Deps

UPDATABLE_FIELDS = ("phone", "national_id", "first_name", "last_name", "email", "birth_date", "segment",
                    "preferences", "consents")
# What a member may change of herself (a member token, through the portal): her name, email,
# preferences and her marketing consents; the phone is her sign-in and the rest is the club's.
MEMBER_UPDATABLE_FIELDS = ("first_name", "last_name", "email", "preferences", "consents")
MEMBER_CONSENTS = ("marketing_sms", "marketing_email")
assert set(MEMBER_UPDATABLE_FIELDS) <= set(UPDATABLE_FIELDS)
# Fields that the card auth profile copies: changing them rewrites the member's profiles.
PROFILE_FIELDS = frozenset({"segment", "tier"})


def member_values(request, prefix: str = "") -> dict:
    """The validated columns of a RegisterMemberRequest (field names prefixed for UpdateMember)."""
    return {
        "phone": validate.phone(request.phone, prefix + "phone"),
        "national_id": validate.national_id(request.national_id, prefix + "national_id"),
        "first_name": validate.name(request.first_name, prefix + "first_name"),
        "last_name": validate.name(request.last_name, prefix + "last_name"),
        "email": validate.email(request.email, prefix + "email"),
        "birth_date": validate.birth_date(request.birth_date, prefix + "birth_date"),
        "segment": validate.code(request.segment, prefix + "segment", required=False),
        "preferences": validate.preferences(request.preferences, prefix + "preferences"),
        "consents": validate.consents(request.consents, prefix + "consents"),
    }


def check_identity(values: dict, prefix: str = "") -> None:
    if not values["phone"] and not values["national_id"]:
        raise FieldError(prefix + "phone", "phone or national_id is required")
    if not values["first_name"] and not values["last_name"]:
        raise FieldError(prefix + "first_name", "a name is required (first_name or last_name)")


def _conflict(exc: pg_errors.UniqueViolation) -> AlreadyExists:
    column = "national_id" if "national_id" in str(exc.diag.constraint_name) else "phone"
    return AlreadyExists(f"{column}: a member with this {column} already exists")


def _db_values(values: dict) -> dict:
    return {**values, "preferences": Jsonb(values["preferences"]), "consents": Jsonb(values["consents"])}


async def register(deps: Deps, request) -> dict:
    values = member_values(request)
    check_identity(values)
    member_id = str(uuid.uuid4())
    columns = ", ".join(values)
    try:
        async with deps.pool.connection() as conn:
            cur = await conn.execute(
                f"INSERT INTO members (member_id, {columns}) VALUES (%(member_id)s, "
                + ", ".join(f"%({name})s" for name in values) + ") RETURNING *",
                {"member_id": member_id, **_db_values(values)})
            return await cur.fetchone()
    except pg_errors.UniqueViolation as exc:
        raise _conflict(exc) from None


async def get(deps: Deps, member_id: str, field: str = "member_id") -> dict:
    member_id = validate.uuid_text(member_id, field)
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM members WHERE member_id = %s", (member_id,))
        row = await cur.fetchone()
    if row is None:
        raise NotFound(f"{field}: no such member")
    return row


async def update(deps: Deps, request, by_member: bool = False) -> dict:
    """A partial update. `by_member`: the member herself asks (a member token), so only
    MEMBER_UPDATABLE_FIELDS, and of consents only MEMBER_CONSENTS, merged into the others."""
    member_id = validate.uuid_text(request.member_id, "member_id")
    if not request.update_fields:
        raise FieldError("update_fields", "name at least one field to change")
    allowed = MEMBER_UPDATABLE_FIELDS if by_member else UPDATABLE_FIELDS
    unknown = sorted(set(request.update_fields) - set(allowed))
    if unknown:
        raise FieldError("update_fields", f"field(s) {', '.join(unknown)} cannot be changed here; allowed: "
                         f"{', '.join(allowed)}")
    values = member_values(request.values, "values.")
    if by_member and any(consent["purpose"] not in MEMBER_CONSENTS for consent in values["consents"]):
        raise FieldError("values.consents", f"a member sets only {', '.join(MEMBER_CONSENTS)}")
    changes = {name: values[name] for name in request.update_fields}
    try:
        async with deps.pool.connection() as conn:
            async with conn.transaction():
                cur = await conn.execute("SELECT * FROM members WHERE member_id = %s FOR UPDATE", (member_id,))
                current = await cur.fetchone()
                if current is None:
                    raise NotFound("member_id: no such member")
                if not current["anonymous"]:
                    check_identity({**current, **changes}, "values.")
                if by_member and "consents" in changes:  # hers replace those purposes; the others stay
                    given = {consent["purpose"] for consent in changes["consents"]}
                    changes["consents"] = [consent for consent in current["consents"]
                                           if consent["purpose"] not in given] + changes["consents"]
                assignments = ", ".join(f"{name} = %({name})s" for name in changes)
                cur = await conn.execute(
                    f"UPDATE members SET {assignments}, updated_at = now() WHERE member_id = %(member_id)s RETURNING *",
                    {"member_id": member_id, **_db_values({**current, **changes})})
                row = await cur.fetchone()
                touches_profiles = bool(PROFILE_FIELDS & set(changes))
                if touches_profiles:
                    await conn.execute("UPDATE cards SET version = version + 1 WHERE member_id = %s", (member_id,))
            if touches_profiles:
                await profiles.refresh_cards(deps, conn, "c.member_id = %s", (member_id,))
        return row
    except pg_errors.UniqueViolation as exc:
        raise _conflict(exc) from None


async def set_tier(deps: Deps, request) -> dict:
    member_id = validate.uuid_text(request.member_id, "member_id")
    tier = validate.code(request.tier, "tier")
    validate.name(request.reason, "reason")
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            cur = await conn.execute("UPDATE members SET tier = %s, updated_at = now() WHERE member_id = %s RETURNING *",
                                     (tier, member_id))
            row = await cur.fetchone()
            if row is None:
                raise NotFound("member_id: no such member")
            await conn.execute("UPDATE cards SET version = version + 1 WHERE member_id = %s", (member_id,))
        await profiles.refresh_cards(deps, conn, "c.member_id = %s", (member_id,))
    deps.log.info("member tier set", extra={"member_id": member_id, "tier": tier})
    return row


async def list_members(deps: Deps, request) -> tuple[list[dict], str]:
    size = validate.page_size(request.page_size)
    after = validate.page_after(request.page_token)
    conditions, params = ["seq > %s"], [after]
    if request.phone:
        conditions.append("phone = %s")
        params.append(validate.phone(request.phone))
    if request.national_id:
        conditions.append("national_id = %s")
        params.append(validate.national_id(request.national_id))
    for name in ("tier", "segment"):  # bulk work by audience (coupon assignment, invitations)
        if getattr(request, name):
            conditions.append(f"{name} = %s")
            params.append(validate.code(getattr(request, name), name))
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"SELECT * FROM members WHERE {' AND '.join(conditions)} ORDER BY seq LIMIT %s",
                                 (*params, size + 1))
        rows = await cur.fetchall()
    return rows[:size], validate.page_token(rows, size)
