"""Campaign budgets and per-member limits: Redis is the atomic gate, Postgres the record.

Reserving (Quote with reserve=true), in one Postgres transaction shared by every reserving
quote waiting (quote.py group-commits them):
  1. take a shared advisory lock per offer being reserved;
  2. run reserve.lua once per offer (one hash tag per offer): budget and the member's
     period counters are checked and incremented together, or the offer is refused and the
     purchase simply goes on without it; a marker per (offer, transaction) makes a retry
     find its reservation instead of taking a second one;
  3. insert the quote record and one reservation row per applied offer (ON CONFLICT on the
     transaction id: a retry gets the first answer back); COMMIT; answer.
If the commit fails, the Redis reservations are given back and the quote fails (UNAVAILABLE).
A crash between 2 and 3 leaves Redis counting a little more than Postgres: conservative,
never an overspend, and corrected at the next rebuild.

Redis lost (restarted empty): an offer's budget hash has no `loaded` flag, reserve.lua
answers "not loaded", and `load` rebuilds that offer's counters from the active reservation
rows under the *exclusive* advisory lock. The lock waits for every reservation already
counted in the lost Redis to commit its row, so none is missed.

Releasing (decline, reversal): the rows are marked released in Postgres first (exactly once,
whatever the retries), with the coupons the purchase used given back in the same transaction
(available again, or expired if their validity ended meanwhile); then release.lua gives back
what the transaction's marker says.

Releasing part (a purchase undone in part): under the quote's row lock, each reservation's
`released` rises to what no longer stands, floor(discount * undone / amount), and never falls;
release_part.lua gives back the rise and shrinks the marker by it. Member uses stay counted,
and so does a coupon the purchase used: part of it still stands.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass

from . import coupons, windows
from .context import Deps
from .offers import Offer

MARKER_TTL_SECONDS = 120 * 86_400  # a reversal or release later than this gives back in Postgres only
LOAD_ATTEMPTS = 3
LOAD_WRITE_BATCH = 1_000
REFUSED, RESERVED, ALREADY, NOT_LOADED = 0, 1, 2, -1
LOCK_NAMESPACE = "tasheem:offer:"
PERIOD_COLUMNS = {windows.DAY: "day_key", windows.WEEK: "week_key", windows.MONTH: "month_key"}


def budget_key(offer_id: str) -> str:
    return f"tasheem:offer:{{{offer_id}}}:budget"


def marker_key(offer_id: str, transaction_id: str) -> str:
    return f"tasheem:offer:{{{offer_id}}}:tx:{transaction_id}"


def member_key(offer_id: str, member_id: str, period: str, period_key: str) -> str:
    return f"tasheem:offer:{{{offer_id}}}:member:{member_id}:{period}:{period_key}"


def all_member_keys(offer_id: str, member_id: str, periods: dict[str, str]) -> list[str]:
    return [member_key(offer_id, member_id, period, periods[period]) for period in windows.PERIOD_SECONDS_TO_KEEP] + \
        [member_key(offer_id, member_id, windows.CAMPAIGN, periods[windows.CAMPAIGN])]


@dataclass(frozen=True)
class Gate:
    """One offer's reserve.lua call."""

    offer: Offer
    discount: int
    keys: list[str]
    args: list[int]


def gate_for(offer: Offer, discount: int, transaction_id: str, member_id: str, periods: dict[str, str]) -> Gate:
    keys = [budget_key(offer.offer_id), marker_key(offer.offer_id, transaction_id)]
    args = [discount, offer.budget, MARKER_TTL_SECONDS]
    for limit in offer.limits:
        keys.append(member_key(offer.offer_id, member_id, limit.period, periods[limit.period]))
        args += [limit.max_uses, limit.max_discount, windows.PERIOD_SECONDS_TO_KEEP.get(limit.period, 0)]
    return Gate(offer, discount, keys, args)


async def run_gates(deps: Deps, gates: list[Gate]) -> list[list]:
    if not gates:
        return []
    replies = await asyncio.gather(*(deps.scripts.reserve(keys=gate.keys, args=gate.args) for gate in gates))
    return [[int(item) if isinstance(item, int) else item.decode() for item in reply] for reply in replies]


async def undo_gates(deps: Deps, gates: list[Gate]) -> None:
    """Give back reservations made by this attempt (its commit failed)."""
    if gates:
        await asyncio.gather(*(deps.scripts.release(keys=gate.keys) for gate in gates))


async def lock_offers_shared(conn, offer_ids: list[str]) -> None:
    if offer_ids:
        await conn.execute("SELECT pg_advisory_xact_lock_shared(hashtext(%s || o)) FROM unnest(%s::text[]) o",
                           (LOCK_NAMESPACE, sorted(offer_ids)))


async def load(deps: Deps, offer: Offer) -> bool:
    """Rebuild one offer's Redis counters from Postgres; False when they were already there."""
    async with deps.pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s || %s))", (LOCK_NAMESPACE, offer.offer_id))
        if await deps.redis.hget(budget_key(offer.offer_id), "loaded") == b"1":
            return False
        cur = await conn.execute(
            "SELECT transaction_id, member_id, discount - released AS discount, day_key, week_key, month_key"
            " FROM reservations WHERE offer_id = %s AND released_at IS NULL", (offer.offer_id,))
        rows = await cur.fetchall()
        used = sum(row["discount"] for row in rows)
        counters: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
        for row in rows:
            if not row["member_id"]:
                continue
            for limit in offer.limits:
                period_key = row[PERIOD_COLUMNS[limit.period]] if limit.period in PERIOD_COLUMNS else "all"
                counter = counters[(row["member_id"], limit.period, period_key)]
                counter[0] += 1
                counter[1] += row["discount"]
        writes = [("marker", marker_key(offer.offer_id, row["transaction_id"]), row["discount"]) for row in rows]
        writes += [("member", member_key(offer.offer_id, member, period, period_key), (uses, amount, period))
                   for (member, period, period_key), (uses, amount) in counters.items()]
        for start in range(0, len(writes), LOAD_WRITE_BATCH):
            pipe = deps.redis.pipeline(transaction=False)
            for kind, key, value in writes[start:start + LOAD_WRITE_BATCH]:
                if kind == "marker":
                    pipe.set(key, value, ex=MARKER_TTL_SECONDS)
                else:
                    uses, amount, period = value
                    pipe.delete(key)
                    pipe.hset(key, mapping={"uses": uses, "amount": amount})
                    if period in windows.PERIOD_SECONDS_TO_KEEP:
                        pipe.expire(key, windows.PERIOD_SECONDS_TO_KEEP[period])
            await pipe.execute()
        loaded = bool(await deps.scripts.mark_loaded(keys=[budget_key(offer.offer_id)], args=[used]))
    if loaded:
        deps.log.info("offer counters rebuilt from Postgres",
                      extra={"offer_id": offer.offer_id, "reservations": len(rows), "budget_used": used})
    return loaded


async def load_all(deps: Deps) -> int:
    """At start: make sure every active offer with a budget or limits has its counters in Redis."""
    count = 0
    for offer in list(deps.catalog.snapshot.offers.values()):
        if offer.active and offer.needs_reservation:
            count += await load(deps, offer)
    return count


# One quote by transaction id (twice as parameters): quote_ids gives its created_at, so only its
# month's partition is read.
QUOTE_BY_ID = "transaction_id = %s AND created_at = (SELECT created_at FROM quote_ids WHERE transaction_id = %s)"


async def release(deps: Deps, transaction_id: str) -> bool:
    """Give back a transaction's reservations, exactly once. False when nothing was reserved
    under that id or it was already released."""
    async with deps.pool.connection() as conn, conn.transaction():
        cur = await conn.execute(f"UPDATE quotes SET released_at = now() WHERE {QUOTE_BY_ID}"
                                 " AND released_at IS NULL RETURNING member_id, created_at", (transaction_id,) * 2)
        quote = await cur.fetchone()
        if quote is None:
            return False
        cur = await conn.execute("UPDATE reservations SET released_at = now() WHERE transaction_id = %s"
                                 " RETURNING offer_id, member_id, day_key, week_key, month_key", (transaction_id,))
        rows = await cur.fetchall()
        await coupons.give_back(conn, transaction_id, coupons.campaign_ends(deps.catalog.snapshot.offers))
    await _give_back_in_redis(deps, transaction_id, "release.lua", deps.scripts.release, [(row, []) for row in rows])
    return True


async def release_part(deps: Deps, transaction_id: str, stands: int) -> int:
    """Shrink a transaction's reservations to what `stands` of its gross keeps; returns the
    discount given back now (0 for a repeat, an unknown or released transaction)."""
    assert stands >= 0
    async with deps.pool.connection() as conn, conn.transaction():
        cur = await conn.execute(f"SELECT amount, merchant_share, share_released, created_at FROM quotes"
                                 f" WHERE {QUOTE_BY_ID} AND released_at IS NULL FOR UPDATE",
                                 (transaction_id,) * 2)  # serializes with release
        quote = await cur.fetchone()
        if quote is None or not quote["amount"]:
            return 0
        undone = quote["amount"] - min(stands, quote["amount"])
        share_released = quote["merchant_share"] * undone // quote["amount"]  # floor, as for each reservation
        if share_released > quote["share_released"]:
            await conn.execute("UPDATE quotes SET share_released = %s, share_released_at = now()"
                               " WHERE transaction_id = %s AND created_at = %s",
                               (share_released, transaction_id, quote["created_at"]))
        cur = await conn.execute("SELECT offer_id, member_id, discount, released, day_key, week_key, month_key"
                                 " FROM reservations WHERE transaction_id = %s", (transaction_id,))
        rises = []
        for row in await cur.fetchall():
            released = max(row["released"], row["discount"] * undone // quote["amount"])
            if released > row["released"]:
                rises.append((row, released - row["released"]))
        if not rises:
            return 0
        async with conn.cursor() as update:
            await update.executemany(
                "UPDATE reservations SET released = released + %s WHERE transaction_id = %s AND offer_id = %s",
                [(rise, transaction_id, row["offer_id"]) for row, rise in rises])
    await _give_back_in_redis(deps, transaction_id, "release_part.lua", deps.scripts.release_part,
                              [(row, [rise]) for row, rise in rises])
    return sum(rise for _, rise in rises)


async def _give_back_in_redis(deps: Deps, transaction_id: str, name: str, script, calls: list[tuple[dict, list]]) -> None:
    """Run `script` once per (reservation row, args) in one pipeline, after Postgres committed."""
    try:
        pipe = deps.redis.pipeline(transaction=False)
        for row, args in calls:
            await script(keys=_reservation_keys(row, transaction_id), args=args, client=pipe)
        await pipe.execute()
    except Exception as exc:  # noqa: BLE001 - Postgres says released; Redis over-counts until rebuilt
        deps.log.warning("release not applied in Redis", extra={"transaction_id": transaction_id, "script": name,
                                                                 "error": type(exc).__name__})


def _reservation_keys(row: dict, transaction_id: str) -> list[str]:
    """The Redis keys one reservation row counts in: budget, marker, the member's periods."""
    periods = {windows.DAY: row["day_key"], windows.WEEK: row["week_key"], windows.MONTH: row["month_key"],
               windows.CAMPAIGN: "all"}
    keys = [budget_key(row["offer_id"]), marker_key(row["offer_id"], transaction_id)]
    if row["member_id"]:
        keys += all_member_keys(row["offer_id"], row["member_id"], periods)
    return keys


async def forget(deps: Deps, offer_id: str) -> None:
    """The offer's limits changed: its counters are rebuilt from Postgres under the new rules."""
    await deps.redis.hdel(budget_key(offer_id), "loaded")
