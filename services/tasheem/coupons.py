"""Coupons: a member's right to one use of a coupon campaign (an offer with coupon_required).

This module owns the `coupons` table (migrations/0004_coupons.sql). A coupon is issued
(`issue`: assigned by an operator, claimed with a code, or a voucher bought with points), used by
exactly one reserving quote (`lock_held` and `use_statement`, inside the quotes' group commit),
given back when that purchase is undone in full (`give_back`, inside budgets.release), or
cancelled while unused (`cancel`).

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
from services.shared.errors import FailedPrecondition, FieldError, NotFound
from services.shared.validate import check_id

from .offers import Offer

ASSIGNED, CODE, VOUCHER = "assigned", "code", "voucher"
AVAILABLE, USED, EXPIRED, CANCELLED = "available", "used", "expired", "cancelled"
SOURCES = {ASSIGNED: pb.COUPON_SOURCE_ASSIGNED, CODE: pb.COUPON_SOURCE_CODE, VOUCHER: pb.COUPON_SOURCE_VOUCHER}
STATES = {AVAILABLE: pb.COUPON_STATE_AVAILABLE, USED: pb.COUPON_STATE_USED, EXPIRED: pb.COUPON_STATE_EXPIRED,
          CANCELLED: pb.COUPON_STATE_CANCELLED}
COUPON_ID_PREFIX = "cpn-"
HANDED_OUT = (ASSIGNED, CODE)  # what a campaign's coupons_per_member counts (vouchers are bought)
MAX_ASSIGN_MEMBERS = 1_000  # member ids per AssignCoupons call
MAX_LISTED = 1_000  # a member's coupons in one ListCoupons answer, newest first
MEMBER_LOCK = "tasheem:coupons:"  # advisory lock per (campaign, member): its coupons_per_member check
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
    row = await insert(conn, offer_id=offer_id, member_id=member_id, source=source, expires_at=expires_at,
                        reward_id=reward_id, points_spent=points_spent, redemption_id=redemption_id)
    if row is not None:
        return row
    cur = await conn.execute(f"SELECT {COLUMNS} FROM coupons WHERE redemption_id = %s", (redemption_id,))
    row = await cur.fetchone()
    if (row["offer_id"], row["member_id"]) != (offer_id, member_id):
        raise FieldError("redemption_id", "was used for another member or campaign")
    return row


async def insert(conn, *, offer_id: str, member_id: str, source: str, expires_at: dt.datetime | None = None,
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


# ---------- handing out: AssignCoupons, and ClaimCoupon (coupon_codes.py) ----------

async def _lock_members(conn, offer_id: str, member_ids: list[str]) -> None:
    """Serializes every hand-out of one campaign to one member, so two at once cannot both pass
    its coupons_per_member (sorted: two calls over the same members cannot deadlock)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s || %s || ':' || m)) FROM unnest(%s::text[]) m",
                       (MEMBER_LOCK, offer_id, sorted(set(member_ids))))


async def _handed_out(conn, offer_id: str, member_ids: list[str]) -> dict[str, int]:
    cur = await conn.execute("SELECT member_id, count(*) AS n FROM coupons WHERE offer_id = %s AND member_id = ANY(%s)"
                             " AND source = ANY(%s) AND state <> %s GROUP BY member_id",
                             (offer_id, member_ids, list(HANDED_OUT), CANCELLED))
    return {row["member_id"]: row["n"] for row in await cur.fetchall()}


async def check_member_limit(conn, offer: Offer, member_ids: list[str]) -> None:
    """Inside the hand-out's transaction: FieldError when a member holds coupons_per_member
    coupons of the campaign already (used ones count; cancelled ones do not)."""
    await _lock_members(conn, offer.offer_id, member_ids)
    held = await _handed_out(conn, offer.offer_id, member_ids)
    for member_id in member_ids:
        if held.get(member_id, 0) >= offer.coupons_per_member:
            raise FieldError("member_id", f"holds {held[member_id]} coupon(s) of this campaign, its limit per member")


async def campaign(deps, conn, offer_id: str) -> Offer:
    """The coupon campaign `offer_id`, as compiled in the catalog, or NotFound / FieldError."""
    check_id(offer_id, "offer_id")
    offer = deps.catalog.snapshot.offers.get(offer_id)
    if offer is None and await is_campaign(conn, offer_id) is not None:
        await deps.catalog.reload()  # made on another replica a moment ago
        offer = deps.catalog.snapshot.offers.get(offer_id)
    if offer is None:
        raise NotFound(f"offer {offer_id} not found")
    if not offer.coupon_required:
        raise FieldError("offer_id", f"offer {offer_id} is not a coupon campaign (coupon_required)")
    if offer.reward_id:  # its coupons are bought with points: RedeemReward alone gives them
        raise FailedPrecondition(f"offer {offer_id} is the voucher campaign of reward {offer.reward_id}; its"
                                 " vouchers are redeemed with points, not assigned or claimed")
    return offer


async def assign(deps, request: pb.AssignCouponsRequest) -> pb.AssignCouponsResponse:
    """One coupon per member named, once per (assignment_id, member), within coupons_per_member."""
    check_id(request.assignment_id, "assignment_id")
    if not 0 < len(request.member_ids) <= MAX_ASSIGN_MEMBERS:
        raise FieldError("member_ids", f"1..{MAX_ASSIGN_MEMBERS} member ids a call")
    for index, member_id in enumerate(request.member_ids):
        check_id(member_id, f"member_ids[{index}]")
    members = list(dict.fromkeys(request.member_ids))  # a member named twice gets one coupon
    async with deps.pool.connection() as conn, conn.transaction():
        offer = await campaign(deps, conn, request.offer_id)
        ends = offer.window.ends_at
        if ends is not None and ends <= dt.datetime.now(dt.UTC):
            raise FieldError("offer_id", f"campaign {offer.offer_id} has ended")
        await _lock_members(conn, offer.offer_id, members)
        cur = await conn.execute("SELECT member_id FROM coupons WHERE assignment_id = %s AND member_id = ANY(%s)",
                                 (request.assignment_id, members))
        already = {row["member_id"] for row in await cur.fetchall()}
        held = await _handed_out(conn, offer.offer_id, members)
        fresh = [member for member in members if member not in already]
        due = [member for member in fresh if held.get(member, 0) < offer.coupons_per_member]
        cur = await conn.execute(
            "INSERT INTO coupons (coupon_id, offer_id, member_id, source, assignment_id)"
            " SELECT c, %s, m, %s, %s FROM unnest(%s::text[], %s::text[]) AS n(c, m)"
            " ON CONFLICT (assignment_id, member_id) WHERE assignment_id <> '' DO NOTHING RETURNING member_id",
            (offer.offer_id, ASSIGNED, request.assignment_id, [new_coupon_id() for _ in due], due))
        assigned = len(await cur.fetchall())
    return pb.AssignCouponsResponse(assigned=assigned, already_assigned=len(already) + len(due) - assigned,
                                    over_member_limit=len(fresh) - len(due))


async def list_for_member(deps, request: pb.ListCouponsRequest) -> pb.ListCouponsResponse:
    """A member's coupons, newest first, each with its campaign's name. An available coupon past
    its validity (its own, or its campaign's window) shows as expired."""
    check_id(request.member_id, "member_id")
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"SELECT {COLUMNS} FROM coupons WHERE member_id = %s"
                                 + (f" AND state = '{AVAILABLE}'" if request.available_only else "")
                                 + " ORDER BY created_at DESC, coupon_id LIMIT %s", (request.member_id, MAX_LISTED))
        rows = await cur.fetchall()
    offers = deps.catalog.snapshot.offers
    now = dt.datetime.now(dt.UTC)
    listed = []
    for row in rows:
        offer = offers.get(row["offer_id"])
        if row["state"] == AVAILABLE and is_past(row, now, campaign_ends(offers)):
            if request.available_only:
                continue
            row = {**row, "state": EXPIRED}
        listed.append(to_message(row, offer.name if offer else row["offer_id"]))
    return pb.ListCouponsResponse(coupons=listed)


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


def campaign_ends(offers: dict[str, Offer]) -> Callable[[str], dt.datetime | None]:
    """A campaign's window end by offer id (the catalog's offers), None when open-ended or unknown."""
    def ends(offer_id: str) -> dt.datetime | None:
        offer = offers.get(offer_id)
        return offer.window.ends_at if offer is not None else None
    return ends


def is_past(row: dict, at: dt.datetime, campaign_end: Callable[[str], dt.datetime | None]) -> bool:
    """Past its validity at `at`: its own expiry, or (none set) its campaign's window end."""
    ends = row["expires_at"] or campaign_end(row["offer_id"])
    return ends is not None and ends <= at


def usable_at(row: dict, at: dt.datetime) -> bool:
    """Not past its own expiry at `at` (a coupon without one lives as long as its campaign's
    window, which the campaign's own match checks)."""
    return row["expires_at"] is None or row["expires_at"] > at


# ---------- at purchase (quote.py's group commit) ----------

# The batch's members' available coupons, locked for this transaction: a coupon locked by another
# transaction in flight (another replica's commit) is skipped, never waited for, never taken twice.
# With them, the batch's transaction ids already recorded (retries: they take no coupon).
LOCK_HELD = """
WITH held AS (
  SELECT coupon_id, member_id, offer_id, expires_at, created_at FROM coupons
   WHERE member_id = ANY(%(members)s) AND state = 'available' AND (expires_at IS NULL OR expires_at > %(at)s)
   FOR UPDATE SKIP LOCKED
)
SELECT coupon_id, member_id, offer_id, expires_at, created_at, NULL::text AS retried FROM held
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, transaction_id FROM quote_ids WHERE transaction_id = ANY(%(transactions)s)
"""


def _soonest_first(row: dict) -> tuple:
    return (row["expires_at"] is None, row["expires_at"] or dt.datetime.min.replace(tzinfo=dt.UTC),
            row["created_at"], row["coupon_id"])


async def lock_held(conn, transaction_ids: list[str], member_ids: list[str],
                    at: dt.datetime) -> tuple[dict[str, dict[str, list[dict]]], set[str]]:
    """Inside the quotes' group commit: per member, per campaign, the available coupons (usable
    at `at` or later), soonest-expiring first, locked until the commit; and the transaction ids
    among `transaction_ids` already recorded. One statement for the whole batch, by the member index."""
    cur = await conn.execute(LOCK_HELD, {"members": sorted(set(member_ids)), "at": at,
                                         "transactions": transaction_ids})
    held: dict[str, dict[str, list[dict]]] = {}
    retried = set()
    for row in await cur.fetchall():
        if row["retried"] is not None:
            retried.add(row["retried"])
        else:
            held.setdefault(row["member_id"], {}).setdefault(row["offer_id"], []).append(row)
    for campaigns in held.values():
        for found in campaigns.values():
            found.sort(key=_soonest_first)
    return held, retried


def use_statement(uses: str, inserted: str = "q") -> str:
    """The data-modifying CTE that marks coupons used, for the quotes the same statement inserted:
    `uses` is a FROM item of (transaction_id, coupon_id) rows, `inserted` the CTE returning the
    inserted quotes' transaction_id. A retried transaction id inserts no quote and uses nothing."""
    return (f"UPDATE coupons SET state = '{USED}', transaction_id = u.transaction_id, used_at = now()"
            f" FROM {uses} JOIN {inserted} USING (transaction_id)"
            f" WHERE coupons.coupon_id = u.coupon_id AND coupons.state = '{AVAILABLE}'")


async def held(pool, member_id: str, at: dt.datetime) -> list[str]:
    """The campaigns a member holds an available coupon of at `at` (a quote that reserves nothing)."""
    async with pool.connection() as conn:
        cur = await conn.execute(f"SELECT DISTINCT offer_id FROM coupons WHERE member_id = %s AND state = '{AVAILABLE}'"
                                 " AND (expires_at IS NULL OR expires_at > %s)", (member_id, at))
        return [row["offer_id"] for row in await cur.fetchall()]


async def give_back(conn, transaction_id: str, campaign_end: Callable[[str], dt.datetime | None]) -> list[dict]:
    """Inside budgets.release's transaction (the purchase undone in full, once): the coupons the
    purchase used are available again, or expired if their validity (their own, else their
    campaign's window) ended meanwhile; either way no longer tied to the purchase."""
    cur = await conn.execute(f"SELECT coupon_id, offer_id, expires_at FROM coupons WHERE transaction_id = %s"
                             f" AND state = '{USED}' FOR UPDATE", (transaction_id,))
    rows = await cur.fetchall()
    if not rows:
        return []
    now = dt.datetime.now(dt.UTC)
    back = [(row["coupon_id"], EXPIRED if is_past(row, now, campaign_end) else AVAILABLE) for row in rows]
    cur = await conn.execute(
        "UPDATE coupons SET state = b.state, transaction_id = NULL, used_at = NULL"
        " FROM unnest(%s::text[], %s::text[]) AS b(coupon_id, state)"
        " WHERE coupons.coupon_id = b.coupon_id RETURNING coupons.*",
        ([coupon_id for coupon_id, _ in back], [state for _, state in back]))
    return await cur.fetchall()
