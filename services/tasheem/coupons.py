"""Coupons: a member's right to one use of a coupon campaign (an offer with coupon_required).

This module owns the `coupons` table (migrations/0004_coupons.sql). A coupon is issued
(`issue`: assigned by an operator, claimed with a code, or a voucher bought with points), used by
exactly one reserving quote (`take`, inside the quote's group commit), given back when that
purchase is undone in full (`give_back`, inside budgets.release), or cancelled while unused
(`cancel`).

For other modules that issue coupons inside their own transaction (rewards: vouchers):

    row = await coupons.issue(conn, offer_id=..., member_id=..., source="voucher",
                              expires_at=..., reward_id=..., points_spent=..., redemption_id=...)
    ... COMMIT ...
    await coupons.issued(deps, [row])

Matching at purchase reads Postgres through the partial index on (member_id, offer_id,
expires_at) WHERE state = 'available': there is no Redis index to keep, so `issued` has nothing
to do; it is there so that callers need not change if one is ever added.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from google.protobuf.timestamp_pb2 import Timestamp

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared.errors import FieldError
from services.shared.validate import check_id

ASSIGNED, CODE, VOUCHER = "assigned", "code", "voucher"
AVAILABLE, USED, EXPIRED, CANCELLED = "available", "used", "expired", "cancelled"
SOURCES = {ASSIGNED: pb.COUPON_SOURCE_ASSIGNED, CODE: pb.COUPON_SOURCE_CODE, VOUCHER: pb.COUPON_SOURCE_VOUCHER}
STATES = {AVAILABLE: pb.COUPON_STATE_AVAILABLE, USED: pb.COUPON_STATE_USED, EXPIRED: pb.COUPON_STATE_EXPIRED,
          CANCELLED: pb.COUPON_STATE_CANCELLED}
COUPON_ID_PREFIX = "cpn-"
COLUMNS = ("coupon_id, offer_id, member_id, source, state, transaction_id, expires_at, reward_id, points_spent,"
           " redemption_id, assignment_id, created_at, used_at, code_hash")


def new_coupon_id() -> str:
    return COUPON_ID_PREFIX + uuid.uuid4().hex


def _timestamp(value: dt.datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value.astimezone(dt.UTC))
    return stamp


def to_message(row: dict, name: str) -> pb.Coupon:
    """A coupons row as the API shows it; `name` is the campaign's (or the reward's)."""
    return pb.Coupon(coupon_id=row["coupon_id"], offer_id=row["offer_id"], member_id=row["member_id"],
                     state=STATES[row["state"]], source=SOURCES[row["source"]],
                     transaction_id=row["transaction_id"] or "", expires_at=_timestamp(row["expires_at"]),
                     created_at=_timestamp(row["created_at"]), reward_id=row["reward_id"],
                     points_spent=row["points_spent"], name=name)


async def is_campaign(conn, offer_id: str) -> bool | None:
    """True for a coupon campaign, False for another offer, None for no such offer."""
    cur = await conn.execute("SELECT coalesce((spec->>'coupon_required')::boolean, false) AS coupon_required"
                             " FROM offers WHERE offer_id = %s", (offer_id,))
    row = await cur.fetchone()
    return None if row is None else row["coupon_required"]


async def issue(conn, *, offer_id: str, member_id: str, source: str, expires_at: dt.datetime | None = None,
                reward_id: str = "", points_spent: int = 0, redemption_id: str | None = None) -> dict:
    """Give `member_id` one available coupon of the campaign `offer_id`, inside the caller's
    transaction; returns the row. With `redemption_id` it is idempotent: the same id returns the
    coupon it issued before (FieldError if that one was for another member or campaign).
    The campaign's coupons_per_member is not applied here (AssignCoupons and ClaimCoupon apply it;
    vouchers are bought, not handed out). If the caller's transaction rolls back, nothing was issued."""
    if source not in SOURCES:
        raise FieldError("source", f"must be one of {', '.join(SOURCES)}")
    check_id(member_id, "member_id")
    check_id(offer_id, "offer_id")
    if points_spent < 0:
        raise FieldError("points_spent", "must not be negative")
    if expires_at is not None and expires_at.tzinfo is None:
        raise FieldError("expires_at", "must carry a time zone")
    campaign = await is_campaign(conn, offer_id)
    if campaign is None:
        raise FieldError("offer_id", f"unknown offer {offer_id}")
    if not campaign:
        raise FieldError("offer_id", f"offer {offer_id} is not a coupon campaign (coupon_required)")
    row = await _insert(conn, offer_id=offer_id, member_id=member_id, source=source, expires_at=expires_at,
                        reward_id=reward_id, points_spent=points_spent, redemption_id=redemption_id)
    if row is not None:
        return row
    cur = await conn.execute(f"SELECT {COLUMNS} FROM coupons WHERE redemption_id = %s", (redemption_id,))
    row = await cur.fetchone()
    if (row["offer_id"], row["member_id"]) != (offer_id, member_id):
        raise FieldError("redemption_id", "was used for another member or campaign")
    return row


async def _insert(conn, *, offer_id: str, member_id: str, source: str, expires_at: dt.datetime | None = None,
                  reward_id: str = "", points_spent: int = 0, redemption_id: str | None = None,
                  assignment_id: str = "", code_hash: bytes | None = None) -> dict | None:
    """One new available coupon; None when its redemption id exists already."""
    cur = await conn.execute(
        "INSERT INTO coupons (coupon_id, offer_id, member_id, source, expires_at, reward_id, points_spent,"
        " redemption_id, assignment_id, code_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        f" ON CONFLICT (redemption_id) DO NOTHING RETURNING {COLUMNS}",
        (new_coupon_id(), offer_id, member_id, source, expires_at, reward_id, points_spent, redemption_id,
         assignment_id, code_hash))
    return await cur.fetchone()


async def issued(deps, rows: list[dict]) -> None:
    """Call after the transaction that issued `rows` committed. Matching reads Postgres (there is
    no Redis index to update), so there is nothing to do; safe to call any number of times."""
    return None


async def cancel(conn, coupon_id: str, member_id: str) -> dict | None:
    """An available coupon cancelled, inside the caller's transaction; None when the member has no
    such coupon or it is not available (used, expired, cancelled). A coupon a purchase is taking
    at the same moment is locked by it: this waits, then finds it used and returns None."""
    cur = await conn.execute(f"UPDATE coupons SET state = '{CANCELLED}' WHERE coupon_id = %s AND member_id = %s"
                             f" AND state = '{AVAILABLE}' RETURNING {COLUMNS}", (coupon_id, member_id))
    return await cur.fetchone()


def is_expired(row: dict, at: dt.datetime, campaign_end: Callable[[str], dt.datetime | None]) -> bool:
    """Past its own expiry, or (none set) past its campaign's window end."""
    ends = row["expires_at"] or campaign_end(row["offer_id"])
    return ends is not None and ends <= at
