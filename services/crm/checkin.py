"""Check-in at the door: a short signed code per invitation, valid once.

A code is `<ticket>-<mac>`: the invitation's serial number, then six characters of
HMAC-SHA256(CLUB_CHECKIN_CODE_KEY, "<ticket>|<event_id>|<member_id>") in Crockford base32
(no I, L, O or U; typed letters are read case-blind and O/I/L as 0/1/1). The ticket finds the
invitation; the MAC proves the code was made here for that member and that event, so a code
cannot be guessed from a ticket number (30 bits) nor moved to another member or event. Only the
key is secret: codes are recomputed, never stored. The same code is given as a QR image (segno).
"""

from __future__ import annotations

import hashlib
import hmac
import io

import segno

from services.gen.club.crm.v1 import crm_pb2 as pb
from services.shared import config as cfg
from services.shared.errors import FailedPrecondition, FieldError, NotFound
from services.shared.validate import check_id

from .context import Deps
from .times import local, stamp

KEY_SETTING = cfg.Setting("CLUB_CHECKIN_CODE_KEY", "", cfg.text,
                          "base64 key (>= 32 bytes) that signs event check-in codes; empty outside production = "
                          "built-in demo key", secret=True)
_DEMO_KEY = hashlib.sha256(b"club-demo-checkin-code-key-v1").digest()  # development and test only
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
MAC_CHARACTERS = 6
MAX_TYPED_CODE = 32
QR_SCALE = 6


def code_key(config) -> bytes:
    return cfg.signing_key(config, KEY_SETTING, _DEMO_KEY)


def _mac(key: bytes, serial: int, event_id: str, member_id: str) -> str:
    digest = hmac.new(key, f"{serial}|{event_id}|{member_id}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(MAC_CHARACTERS))


def make_code(key: bytes, serial: int, event_id: str, member_id: str) -> str:
    return f"{serial}-{_mac(key, serial, event_id, member_id)}"


def parse(code: str) -> tuple[int, str]:
    """(ticket, mac) from what was typed or scanned, or FieldError."""
    if len(code) > MAX_TYPED_CODE:
        raise FieldError("code", "is not a check-in code")
    text = code.strip().upper().replace(" ", "").translate(str.maketrans("OIL", "011"))
    ticket, _, mac = text.partition("-")
    if not (ticket.isascii() and ticket.isdigit() and len(mac) == MAC_CHARACTERS and all(c in ALPHABET for c in mac)):
        raise FieldError("code", "is not a check-in code (ticket-XXXXXX)")
    return int(ticket), mac


def qr_png(code: str) -> bytes:
    out = io.BytesIO()
    segno.make(code, error="m").save(out, kind="png", scale=QR_SCALE, border=4)
    return out.getvalue()


async def get_code(deps: Deps, request: pb.GetCheckInCodeRequest) -> pb.CheckInCode:
    event_id = check_id(request.event_id, "event_id")
    member_id = check_id(request.member_id, "member_id")
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT i.serial, i.state, e.state AS event_state FROM invitations i"
                                 " JOIN events e USING (event_id) WHERE i.event_id = %s AND i.member_id = %s",
                                 (event_id, member_id))
        row = await cur.fetchone()
    if row is None:
        raise NotFound(f"member {member_id} is not invited to event {event_id}")
    if row["event_state"] != "scheduled":
        raise FailedPrecondition(f"event {event_id} is cancelled")
    if row["state"] != "accepted":
        raise FailedPrecondition(f"member {member_id} has no place at event {event_id} ({row['state']})")
    code = make_code(deps.checkin_key, row["serial"], event_id, member_id)
    return pb.CheckInCode(code=code, qr_png=qr_png(code))


async def check_in(deps: Deps, request: pb.CheckInRequest) -> pb.CheckInResponse:
    event_id = check_id(request.event_id, "event_id")
    check_id(request.member_id, "member_id", required=False)
    ticket, mac = parse(request.code)
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT i.*, e.state AS event_state FROM invitations i JOIN events e USING (event_id)"
                                 " WHERE i.serial = %s", (ticket,))
        row = await cur.fetchone()
        if row is None or not hmac.compare_digest(mac, _mac(deps.checkin_key, ticket, row["event_id"], row["member_id"])):
            raise FailedPrecondition("the code is not valid: it was not issued here (mistyped?)")
        if row["event_id"] != event_id:
            raise FailedPrecondition(f"the code is for another event, not {event_id}")
        if request.member_id and request.member_id != row["member_id"]:
            raise FailedPrecondition(f"the code belongs to another member, not {request.member_id}")
        if row["event_state"] != "scheduled":
            raise FailedPrecondition(f"event {event_id} is cancelled")
        if row["state"] != "accepted":
            raise FailedPrecondition(f"the member has no place at this event ({row['state']})")
        cur = await conn.execute("UPDATE invitations SET checked_in_at = now() WHERE serial = %s"
                                 " AND checked_in_at IS NULL AND state = 'accepted' RETURNING checked_in_at", (ticket,))
        done = await cur.fetchone()
        await conn.commit()
        if done is None:
            cur = await conn.execute("SELECT checked_in_at FROM invitations WHERE serial = %s", (ticket,))
            before = (await cur.fetchone())["checked_in_at"]
            when = local(before, deps.time_zone) if before else "before"
            raise FailedPrecondition(f"the code was already used: checked in at {when}")
    deps.log.info("checked in", extra={"event_id": event_id, "member_id": row["member_id"]})
    return pb.CheckInResponse(member_id=row["member_id"], checked_in_at=stamp(done["checked_in_at"]))
