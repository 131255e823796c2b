"""Card reads and lifecycle changes: activation (first PIN), status changes, PIN change,
PIN tries reset. Each change locks the row, checks the lifecycle table, bumps the row version,
records an event, commits, then writes the card auth profile before returning."""

from __future__ import annotations

from services.gen.club.cards.v1 import cards_pb2 as pb
from services.shared.errors import FailedPrecondition, FieldError, NotFound, PermissionDenied

from . import lifecycle, pins, profiles, terminals, validate
from .context import Deps
from .issuance import record_event

EVENTS_PAGE_SQL = "SELECT event_id AS seq, * FROM card_events WHERE card_token = %s AND event_id > %s ORDER BY event_id LIMIT %s"


async def get(deps: Deps, request) -> dict:
    which = request.WhichOneof("card")
    if which is None:
        raise FieldError("card_token", "card_token or pan is required")
    if which == "pan":
        pan = validate.pan(request.pan)
        condition, value = "pan_hash = %s", deps.vault.lookup_hash(pan)
    else:
        condition, value = "card_token = %s", validate.card_token(request.card_token)
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"SELECT * FROM cards WHERE {condition}", (value,))
        row = await cur.fetchone()
    if row is None:
        raise NotFound(f"{which}: no such card")
    return row


async def list_cards(deps: Deps, request) -> tuple[list[dict], str]:
    size = validate.page_size(request.page_size)
    after = validate.page_after(request.page_token)
    conditions, params = ["seq > %s"], [after]
    if request.member_id:
        conditions.append("member_id = %s")
        params.append(validate.uuid_text(request.member_id, "member_id"))
    if request.campaign:
        conditions.append("campaign = %s")
        params.append(request.campaign)
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"SELECT * FROM cards WHERE {' AND '.join(conditions)} ORDER BY seq LIMIT %s",
                                 (*params, size + 1))
        rows = await cur.fetchall()
    return rows[:size], validate.page_token(rows, size)


async def list_events(deps: Deps, request) -> tuple[list[dict], str]:
    token = validate.card_token(request.card_token)
    size = validate.page_size(request.page_size)
    after = validate.page_after(request.page_token)
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT 1 FROM cards WHERE card_token = %s", (token,))
        if await cur.fetchone() is None:
            raise NotFound("card_token: no such card")
        cur = await conn.execute(EVENTS_PAGE_SQL, (token, after, size + 1))
        rows = await cur.fetchall()
    return rows[:size], validate.page_token(rows, size)


# ---------- PIN blocks in requests ----------


def check_pin_block(block, field: str) -> None:
    """Shape checks on a PinBlock message, before any state is read."""
    if not block.block:
        raise FieldError(f"{field}.block", "is required")
    if block.format not in pins.BLOCK_BYTES:
        raise FieldError(f"{field}.format", "must be PIN_BLOCK_FORMAT_ISO_0 or PIN_BLOCK_FORMAT_ISO_4")
    if len(block.block) != pins.BLOCK_BYTES[block.format]:
        raise FieldError(f"{field}.block", f"must be {pins.BLOCK_BYTES[block.format]} bytes for its format")
    if block.terminal_id:
        validate.terminal_id(block.terminal_id, f"{field}.terminal_id")


async def pin_key_for(deps: Deps, terminal_id: str, field: str) -> bytes:
    """The key a PIN block travels under: the terminal's PIN key, or the zone key."""
    if not terminal_id:
        return deps.keys.zone_pin_key
    terminal = await terminals.profile_or_none(deps, terminal_id)
    if terminal is None:
        raise FieldError(f"{field}.terminal_id", "no such terminal")
    return terminals.pin_key(deps, terminal)


async def read_pin(deps: Deps, block, field: str, pan: str) -> str:
    key = await pin_key_for(deps, block.terminal_id, field)
    try:
        return pins.decrypt_pin(block.block, block.format, key, pan)
    except pins.PinBlockError as exc:
        raise FieldError(f"{field}.block", str(exc)) from None


def pan_of(deps: Deps, card: dict) -> str:
    return deps.vault.decrypt(bytes(card["pan_ciphertext"]), card["card_token"].encode()).decode()


# ---------- changes ----------


async def _locked(conn, token: str) -> dict:
    cur = await conn.execute("SELECT * FROM cards WHERE card_token = %s FOR UPDATE", (token,))
    card = await cur.fetchone()
    if card is None:
        raise NotFound("card_token: no such card")
    return card


async def _finish(deps: Deps, conn, token: str) -> dict:
    """After commit: write the profile, return the row as it now is."""
    found = await profiles.card_profiles_where(conn, "c.card_token = %s", (token,))
    await profiles.put_cards(deps, found)
    cur = await conn.execute("SELECT * FROM cards WHERE card_token = %s", (token,))
    return await cur.fetchone()


async def activate(deps: Deps, request, actor: str) -> dict:
    token = validate.card_token(request.card_token)
    if not request.HasField("pin"):
        raise FieldError("pin", "is required (activation sets the PIN)")
    check_pin_block(request.pin, "pin")
    channel = validate.channel(request.channel)
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            card = await _locked(conn, token)
            lifecycle.check(card["status"], lifecycle.ACTIVE, lifecycle.ACTIVATED)
            pan = pan_of(deps, card)
            pin_value = await read_pin(deps, request.pin, "pin", pan)
            pvv = pins.pvv(deps.keys.pvk, deps.keys.pvki, pin_value, pan)
            await conn.execute("UPDATE cards SET status = %s, pvv = %s, pvki = %s, pin_tries = 0, version = version + 1,"
                               " updated_at = now() WHERE card_token = %s",
                               (lifecycle.ACTIVE, pvv, deps.keys.pvki, token))
            await record_event(conn, token, lifecycle.ACTIVATED, card["status"], lifecycle.ACTIVE, "activation", channel,
                               actor or channel)
        row = await _finish(deps, conn, token)
    deps.log.info("card activated", extra={"card_token": token, "channel": channel})
    return row


async def change_status(deps: Deps, request, actor: str, by_member: bool = False) -> dict:
    """A status change. With request.member_id, the card must be that member's; `by_member` (a
    member token) may only block it as lost or stolen (MEMBER_BLOCKS), which nothing undoes."""
    token = validate.card_token(request.card_token)
    target = lifecycle.STATUS_FROM_PROTO.get(request.status)
    if target is None:
        raise FieldError("status", "must be a card status")
    if by_member and target not in lifecycle.MEMBER_BLOCKS:
        raise PermissionDenied("status: a member may only block her card as lost or stolen")
    member_id = validate.uuid_text(request.member_id, "member_id") if request.member_id else ""
    reason = validate.code(request.reason_code, "reason_code")
    channel = validate.channel(request.channel)
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            card = await _locked(conn, token)
            if member_id and str(card["member_id"]) != member_id:
                raise PermissionDenied("card_token: the card is not this member's")
            lifecycle.check(card["status"], target, lifecycle.STATUS_CHANGED)
            await conn.execute("UPDATE cards SET status = %s, version = version + 1, updated_at = now()"
                               " WHERE card_token = %s", (target, token))
            await record_event(conn, token, lifecycle.STATUS_CHANGED, card["status"], target, reason, channel,
                               actor or channel)
        row = await _finish(deps, conn, token)
    deps.log.info("card status changed", extra={"card_token": token, "from_status": card["status"],
                                                 "to_status": target, "reason_code": reason, "channel": channel})
    return row


async def change_pin(deps: Deps, request, actor: str) -> dict:
    token = validate.card_token(request.card_token)
    for field in ("old_pin", "new_pin"):
        if not request.HasField(field):
            raise FieldError(field, "is required")
        check_pin_block(getattr(request, field), field)
    channel = validate.channel(request.channel)
    async with deps.pool.connection() as conn:
        wrong = False
        async with conn.transaction():
            card = await _locked(conn, token)
            if card["status"] != lifecycle.ACTIVE:
                raise FailedPrecondition(f"the PIN of a {card['status']} card cannot be changed")
            if card["pin_tries"] >= pins.MAX_PIN_TRIES:
                raise FailedPrecondition("PIN tries exceeded; reset them first (ResetPinTries)")
            pan = pan_of(deps, card)
            old_pin = await read_pin(deps, request.old_pin, "old_pin", pan)
            new_pin = await read_pin(deps, request.new_pin, "new_pin", pan)
            if pins.pin_matches(deps.keys.pvk, card["pvki"], old_pin, pan, card["pvv"]):
                await conn.execute("UPDATE cards SET pvv = %s, pvki = %s, pin_tries = 0, version = version + 1,"
                                   " updated_at = now() WHERE card_token = %s",
                                   (pins.pvv(deps.keys.pvk, deps.keys.pvki, new_pin, pan), deps.keys.pvki, token))
                await record_event(conn, token, lifecycle.PIN_CHANGED, card["status"], card["status"], "pin_change",
                                   channel, actor or channel)
            else:
                wrong = True
                await conn.execute("UPDATE cards SET pin_tries = pin_tries + 1, version = version + 1,"
                                   " updated_at = now() WHERE card_token = %s", (token,))
        row = await _finish(deps, conn, token)
    if wrong:
        raise FailedPrecondition("old_pin: wrong PIN (counted as a PIN try)")
    deps.log.info("card PIN changed", extra={"card_token": token, "channel": channel})
    return row


async def reset_pin_tries(deps: Deps, request, actor: str) -> dict:
    token = validate.card_token(request.card_token)
    reason = validate.code(request.reason_code, "reason_code")
    channel = validate.channel(request.channel)
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            card = await _locked(conn, token)
            if card["status"] in lifecycle.FINAL:
                raise FailedPrecondition(f"the card is {card['status']}")
            await conn.execute("UPDATE cards SET pin_tries = 0, version = version + 1, updated_at = now()"
                               " WHERE card_token = %s", (token,))
            await record_event(conn, token, lifecycle.PIN_TRIES_RESET, card["status"], card["status"], reason, channel,
                               actor or channel)
        row = await _finish(deps, conn, token)
    deps.log.info("PIN tries reset", extra={"card_token": token, "reason_code": reason})
    return row


def status_proto(status: str) -> int:
    return lifecycle.STATUS_TO_PROTO.get(status, pb.CARD_STATUS_UNSPECIFIED)
