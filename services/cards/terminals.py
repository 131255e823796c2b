"""The terminal registry: field 41 terminal ids, their merchant (field 42), status and keys.

A terminal has a PIN key (double-length TDES, odd parity; read as AES-128 for format 4 PIN
blocks) and a MAC key (16 bytes: ISO 9797-1 MAC algorithm 3, the retail MAC, key1 | key2).
Keys are stored as Vault ciphertexts with AAD = terminal id; only their KCVs leave the service,
except the MAC key, which the switch fetches with GetTerminalKeys to verify field 64/128.
"""

from __future__ import annotations

from services.gen.club.cards.v1 import cards_pb2 as pb
from services.shared.errors import AlreadyExists, FailedPrecondition, FieldError, NotFound

from . import keys, profiles, validate
from .context import Deps

ACTIVE, BLOCKED, CLOSED = "active", "blocked", "closed"
STATUS_TO_PROTO = {ACTIVE: pb.TERMINAL_STATUS_ACTIVE, BLOCKED: pb.TERMINAL_STATUS_BLOCKED,
                   CLOSED: pb.TERMINAL_STATUS_CLOSED}
STATUS_FROM_PROTO = {value: name for name, value in STATUS_TO_PROTO.items()}
TRANSITIONS = {(ACTIVE, BLOCKED), (BLOCKED, ACTIVE), (ACTIVE, CLOSED), (BLOCKED, CLOSED)}


def _key(hex_text: str, field: str, make) -> bytes:
    if not hex_text:
        return make()
    try:
        return keys.parse_tdes_key(hex_text, field)
    except ValueError as exc:
        field_name, _, message = str(exc).partition(": ")
        raise FieldError(field_name, message) from None


def _sealed(deps: Deps, terminal_id: str, pin_key: bytes, mac_key: bytes) -> dict:
    aad = terminal_id.encode()
    return {"pin_key_ciphertext": deps.vault.encrypt(pin_key, aad), "mac_key_ciphertext": deps.vault.encrypt(mac_key, aad),
            "pin_key_kcv": keys.kcv(pin_key), "mac_key_kcv": keys.kcv(mac_key)}


def _keys_from(request) -> tuple[bytes, bytes]:
    pin_key = _key(request.pin_key, "pin_key", keys.new_tdes_key)
    mac_key = _key(request.mac_key, "mac_key", keys.new_mac_key)
    if pin_key == mac_key:
        raise FieldError("mac_key", "must differ from pin_key")
    return pin_key, mac_key


async def register(deps: Deps, request, actor: str) -> dict:
    terminal_id = validate.terminal_id(request.terminal_id)
    merchant_id = validate.merchant_id(request.merchant_id)
    pin_key, mac_key = _keys_from(request)
    values = {"terminal_id": terminal_id, "merchant_id": merchant_id, "status": ACTIVE,
              **_sealed(deps, terminal_id, pin_key, mac_key)}
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            cur = await conn.execute(
                f"INSERT INTO terminals ({', '.join(values)}) VALUES ({', '.join(['%s'] * len(values))})"
                " ON CONFLICT (terminal_id) DO NOTHING RETURNING *", list(values.values()))
            row = await cur.fetchone()
            if row is None:
                raise AlreadyExists("terminal_id: the terminal is already registered")
            await _event(conn, terminal_id, "registered", "", ACTIVE, "new_terminal", actor)
        await profiles.put_terminal(deps, profiles.TerminalProfile.from_row(row))
    deps.log.info("terminal registered", extra={"terminal_id": terminal_id, "merchant_id": merchant_id})
    return row


async def _event(conn, terminal_id: str, event: str, source: str, target: str, reason: str, actor: str) -> None:
    await conn.execute("INSERT INTO terminal_events (terminal_id, event, from_status, to_status, reason_code, actor)"
                       " VALUES (%s, %s, %s, %s, %s, %s)", (terminal_id, event, source, target, reason, actor or "api"))


async def get(deps: Deps, terminal_id: str) -> dict:
    terminal_id = validate.terminal_id(terminal_id)
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM terminals WHERE terminal_id = %s", (terminal_id,))
        row = await cur.fetchone()
    if row is None:
        raise NotFound("terminal_id: no such terminal")
    return row


async def list_terminals(deps: Deps, request) -> tuple[list[dict], str]:
    size = validate.page_size(request.page_size)
    after = validate.page_after(request.page_token)
    conditions, params = ["seq > %s"], [after]
    if request.merchant_id:
        conditions.append("merchant_id = %s")
        params.append(validate.merchant_id(request.merchant_id))
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"SELECT * FROM terminals WHERE {' AND '.join(conditions)} ORDER BY seq LIMIT %s",
                                 (*params, size + 1))
        rows = await cur.fetchall()
    return rows[:size], validate.page_token(rows, size)


async def _change(deps: Deps, terminal_id: str, change) -> dict:
    """Lock the row, apply `change(conn, row)`, commit, write the terminal profile."""
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            cur = await conn.execute("SELECT * FROM terminals WHERE terminal_id = %s FOR UPDATE", (terminal_id,))
            row = await cur.fetchone()
            if row is None:
                raise NotFound("terminal_id: no such terminal")
            row = await change(conn, row)
        await profiles.put_terminal(deps, profiles.TerminalProfile.from_row(row))
    return row


async def change_status(deps: Deps, request, actor: str) -> dict:
    terminal_id = validate.terminal_id(request.terminal_id)
    target = STATUS_FROM_PROTO.get(request.status)
    if target is None:
        raise FieldError("status", "must be a terminal status")
    reason = validate.code(request.reason_code, "reason_code")

    async def change(conn, row):
        if (row["status"], target) not in TRANSITIONS:
            raise FailedPrecondition(f"a terminal cannot go from {row['status']} to {target}"
                                     + (" (closed is final)" if row["status"] == CLOSED else ""))
        cur = await conn.execute("UPDATE terminals SET status = %s, version = version + 1, updated_at = now()"
                                 " WHERE terminal_id = %s RETURNING *", (target, terminal_id))
        await _event(conn, terminal_id, "status_changed", row["status"], target, reason, actor)
        return await cur.fetchone()

    row = await _change(deps, terminal_id, change)
    deps.log.info("terminal status changed", extra={"terminal_id": terminal_id, "to_status": target, "reason_code": reason})
    return row


async def change_keys(deps: Deps, request, actor: str) -> dict:
    terminal_id = validate.terminal_id(request.terminal_id)
    pin_key, mac_key = _keys_from(request)
    sealed = _sealed(deps, terminal_id, pin_key, mac_key)

    async def change(conn, row):
        if row["status"] == CLOSED:
            raise FailedPrecondition("the terminal is closed")
        cur = await conn.execute(
            "UPDATE terminals SET pin_key_ciphertext = %(pin_key_ciphertext)s, mac_key_ciphertext = %(mac_key_ciphertext)s,"
            " pin_key_kcv = %(pin_key_kcv)s, mac_key_kcv = %(mac_key_kcv)s, key_version = key_version + 1,"
            " version = version + 1, updated_at = now() WHERE terminal_id = %(terminal_id)s RETURNING *",
            {**sealed, "terminal_id": terminal_id})
        await _event(conn, terminal_id, "keys_changed", row["status"], row["status"], "key_change", actor)
        return await cur.fetchone()

    row = await _change(deps, terminal_id, change)
    deps.log.info("terminal keys changed", extra={"terminal_id": terminal_id, "key_version": row["key_version"]})
    return row


async def profile_or_none(deps: Deps, terminal_id: str) -> profiles.TerminalProfile | None:
    return await profiles.terminal(deps, terminal_id)


async def profile(deps: Deps, terminal_id: str) -> profiles.TerminalProfile:
    found = await profiles.terminal(deps, validate.terminal_id(terminal_id))
    if found is None:
        raise NotFound("terminal_id: no such terminal")
    return found


def pin_key(deps: Deps, terminal: profiles.TerminalProfile) -> bytes:
    return deps.vault.decrypt(terminal.pin_key_ciphertext, terminal.terminal_id.encode())


def mac_key(deps: Deps, terminal: profiles.TerminalProfile) -> bytes:
    return deps.vault.decrypt(terminal.mac_key_ciphertext, terminal.terminal_id.encode())
