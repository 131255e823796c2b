"""Reads from the ledger (and the few writes that are not transfers: opening accounts, limits)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from google.protobuf import timestamp_pb2
from psycopg import AsyncConnection, errors

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from services.shared.limits import SEQUENCE_CLOCK_SLACK_SECONDS

from . import accounts as acc
from .ledger import INSERT_ACCOUNT, LimitViolated
from .movement import PENDING, VOID_PENDING


def _ts(value: datetime.datetime | None) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    if value is not None:
        ts.FromDatetime(value)
    return ts


async def open_accounts(conn: AsyncConnection, specs: list[acc.AccountSpec]) -> list[str]:
    """Open the accounts that do not exist yet; the ids of those this call created."""
    created = []
    async with conn.cursor() as cur:
        for s in specs:
            await cur.execute(INSERT_ACCOUNT + " RETURNING account_id", (
                s.account_id, s.unit, s.kind, s.owner_id, s.debits_must_not_exceed_credits,
                s.credits_must_not_exceed_debits))
            created += [row["account_id"] for row in await cur.fetchall()]
    await conn.commit()
    return created


def _account(row: dict) -> pb.Account:
    available = row["credits_posted"] - row["debits_posted"] - row["debits_pending"]
    if row["debits_must_not_exceed_credits"]:
        available += row["credit_limit"]
    return pb.Account(
        account_id=row["account_id"], unit=row["unit"], kind=row["kind"], owner_id=row["owner_id"],
        flags=pb.AccountFlags(debits_must_not_exceed_credits=row["debits_must_not_exceed_credits"],
                              credits_must_not_exceed_debits=row["credits_must_not_exceed_debits"]),
        closed=row["closed"], debits_posted=row["debits_posted"], credits_posted=row["credits_posted"],
        debits_pending=row["debits_pending"], credits_pending=row["credits_pending"],
        credit_limit=row["credit_limit"], available=available, created_at=_ts(row["created_at"]))


async def account(conn: AsyncConnection, account_id: str) -> pb.Account | None:
    cur = await conn.execute("SELECT * FROM accounts WHERE account_id = %s", (account_id,))
    row = await cur.fetchone()
    return None if row is None else _account(row)


async def account_spec(conn: AsyncConnection, account_id: str) -> acc.AccountSpec | None:
    """The account, or None if nobody opened it. The club's own accounts (settlement clearing,
    points liability, ...) always exist: the first transfer that names one opens it, as a purchase
    opens the accounts it posts to."""
    cur = await conn.execute("SELECT account_id, unit, kind, owner_id, debits_must_not_exceed_credits,"
                             " credits_must_not_exceed_debits FROM accounts WHERE account_id = %s", (account_id,))
    row = await cur.fetchone()
    return acc.CLUB_ACCOUNTS.get(account_id) if row is None else acc.AccountSpec(**row)


async def set_credit_limit(conn: AsyncConnection, spec: acc.AccountSpec, limit: int) -> int:
    """Set the limit; returns the change in available balance."""
    try:
        async with conn.transaction():
            await conn.execute(INSERT_ACCOUNT, (spec.account_id, spec.unit, spec.kind, spec.owner_id,
                                                spec.debits_must_not_exceed_credits, spec.credits_must_not_exceed_debits))
            cur = await conn.execute("SELECT credit_limit FROM accounts WHERE account_id = %s FOR UPDATE",
                                     (spec.account_id,))
            before = (await cur.fetchone())["credit_limit"]
            await conn.execute("UPDATE accounts SET credit_limit = %s WHERE account_id = %s", (limit, spec.account_id))
    except errors.CheckViolation as exc:
        raise LimitViolated("debits_within_credits") from exc
    return limit - before


async def member_balances(conn: AsyncConnection, member_id: str) -> pb.MemberBalances:
    credit_id, points_id = acc.member_credit(member_id).account_id, acc.member_points(member_id).account_id
    cur = await conn.execute("SELECT * FROM accounts WHERE account_id = ANY(%s)", ([credit_id, points_id],))
    rows = {row["account_id"]: _account(row) for row in await cur.fetchall()}
    cur = await conn.execute("SELECT tier FROM member_tiers WHERE member_id = %s", (member_id,))
    tier = await cur.fetchone()
    credit, points = rows.get(credit_id, pb.Account()), rows.get(points_id, pb.Account())
    return pb.MemberBalances(
        member_id=member_id, credit_available=credit.available,
        credit_posted=credit.credits_posted - credit.debits_posted, credit_held=credit.debits_pending,
        credit_limit=credit.credit_limit, points_available=points.available, points_held=points.debits_pending,
        tier=tier["tier"] if tier else "")


# A transfer by its id: transfer_ids gives its committed_at, so only its month's partition is read.
BY_TRANSFER_ID = ("transfer_ids k JOIN transfers t ON t.committed_at = k.committed_at"
                  " AND t.transfer_id = k.transfer_id")


def _transfer(row: dict) -> pb.Transfer:
    return pb.Transfer(
        transfer_id=row["transfer_id"], debit_account_id=row["debit_account_id"],
        credit_account_id=row["credit_account_id"], amount=row["amount"], unit=row["unit"], code=row["code"],
        flags=pb.TransferFlags(pending=bool(row["flags"] & PENDING), post_pending=bool(row["flags"] & 2),
                               void_pending=bool(row["flags"] & VOID_PENDING)),
        pending_id=row["pending_id"], reason=row["reason"], source_ref=row["source_ref"], party_id=row["party_id"],
        sequence=row["sequence"], created_at=_ts(row["committed_at"]))


async def transfer(conn: AsyncConnection, transfer_id: str) -> pb.Transfer | None:
    cur = await conn.execute(f"SELECT t.* FROM {BY_TRANSFER_ID} WHERE k.transfer_id = %s", (transfer_id,))
    row = await cur.fetchone()
    return None if row is None else _transfer(row)


async def account_transfers(conn: AsyncConnection, account_id: str, limit: int, before: int) -> list[pb.Transfer]:
    cur = await conn.execute(
        "SELECT * FROM transfers WHERE (debit_account_id = %(a)s OR credit_account_id = %(a)s)"
        " AND (%(before)s = 0 OR sequence < %(before)s) ORDER BY sequence DESC LIMIT %(limit)s",
        {"a": account_id, "before": before, "limit": limit})
    return [_transfer(row) for row in await cur.fetchall()]


async def pending_expiry(conn: AsyncConnection, pending_id: str) -> datetime.datetime | None:
    """When a pending transfer times out (None: never, or no such pending)."""
    cur = await conn.execute("SELECT expires_at FROM pendings WHERE pending_id = %s", (pending_id,))
    row = await cur.fetchone()
    return row["expires_at"] if row else None


async def pending(conn: AsyncConnection, pending_id: str) -> dict | None:
    cur = await conn.execute(
        "SELECT p.state, p.expires_at, t.amount, t.code, t.debit_account_id, t.credit_account_id FROM pendings p"
        f" JOIN {BY_TRANSFER_ID} ON k.transfer_id = p.pending_id WHERE p.pending_id = %s", (pending_id,))
    row = await cur.fetchone()
    if row is None:
        return None
    return {"state": row["state"], "expires_at": row["expires_at"], "amount": row["amount"], "code": row["code"],
            "debit": await account_spec(conn, row["debit_account_id"]),
            "credit": await account_spec(conn, row["credit_account_id"])}


async def purchase(conn: AsyncConnection, transaction_id: str) -> dict | None:
    cur = await conn.execute("SELECT * FROM purchases WHERE transaction_id = %s", (transaction_id,))
    return await cur.fetchone()


async def lots(conn: AsyncConnection, member_id: str, include_spent: bool) -> list[pb.PointsLot]:
    cur = await conn.execute(
        "SELECT * FROM points_lots WHERE member_id = %s AND (%s OR remaining > 0) ORDER BY expires_at, lot_id",
        (member_id, include_spent))
    return [pb.PointsLot(lot_id=r["lot_id"], points=r["points"], remaining=r["remaining"],
                         earned_at=_ts(r["earned_at"]), expires_at=_ts(r["expires_at"]), source=r["source"],
                         source_ref=r["source_ref"]) for r in await cur.fetchall()]


async def spend(conn: AsyncConnection, spend_id: str) -> dict | None:
    """What a SpendPoints took: member_id, points in all, and from how many lots; None if unknown."""
    cur = await conn.execute("SELECT member_id, sum(points)::bigint AS points, count(*) AS lots FROM points_spends"
                             " WHERE spend_id = %s GROUP BY member_id", (spend_id,))
    return await cur.fetchone()


CODE_FIELD = {pb.TRANSFER_CODE_SALE: "sales", pb.TRANSFER_CODE_DISCOUNT_FUNDING: "discount_funding",
              pb.TRANSFER_CODE_REFUND: "refunds", pb.TRANSFER_CODE_REVERSAL: "reversals",
              pb.TRANSFER_CODE_FEE: "fees", pb.TRANSFER_CODE_SETTLEMENT: "settled"}

MERCHANT_ACTIVITY = """
SELECT account_id, code, party_id, sum(credit) AS credits, sum(debit) AS debits, count(*) AS n FROM (
    SELECT credit_account_id AS account_id, code, party_id, amount AS credit, 0 AS debit FROM transfers
     WHERE sequence > %(after)s AND sequence <= %(upto)s AND flags & 5 = 0
       AND committed_at BETWEEN %(since)s AND %(until)s
       AND credit_account_id LIKE 'merchant:%%:payable'
    UNION ALL
    SELECT debit_account_id, code, party_id, 0, amount FROM transfers
     WHERE sequence > %(after)s AND sequence <= %(upto)s AND flags & 5 = 0
       AND committed_at BETWEEN %(since)s AND %(until)s
       AND debit_account_id LIKE 'merchant:%%:payable'
) t GROUP BY account_id, code, party_id
"""


SEQUENCE_CLOCK_SLACK = datetime.timedelta(seconds=SEQUENCE_CLOCK_SLACK_SECONDS)
EARLIEST = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


async def _committed_at(conn: AsyncConnection, sequence: int, slack: datetime.timedelta) -> datetime.datetime:
    """When transfer `sequence` was committed, moved by `slack`; the open end when there is none."""
    cur = await conn.execute("SELECT committed_at FROM transfers WHERE sequence = %s", (sequence,))
    row = await cur.fetchone()
    if row is None:
        return EARLIEST if slack < datetime.timedelta(0) else LATEST
    return row["committed_at"] + slack


async def activity_range(conn: AsyncConnection, after: int, up_to: int,
                         up_to_time: datetime.datetime | None) -> dict:
    """MERCHANT_ACTIVITY's parameters for (after, up_to] (up_to 0: the last transfer committed
    by up_to_time, or the last of all). The sequence range is also searched as the time range of
    its ends, widened by the clock slack, so only the monthly partitions it covers are read."""
    since = await _committed_at(conn, after, -SEQUENCE_CLOCK_SLACK) if after else EARLIEST
    if not up_to:
        if up_to_time is not None:
            cur = await conn.execute("SELECT coalesce(max(sequence), 0) AS s FROM transfers"
                                     " WHERE committed_at <= %s AND committed_at >= %s", (up_to_time, since))
        else:
            cur = await conn.execute("SELECT coalesce(max(sequence), 0) AS s FROM transfers")
        up_to = max((await cur.fetchone())["s"], after)
    until = await _committed_at(conn, up_to, SEQUENCE_CLOCK_SLACK) if up_to > after else since
    return {"after": after, "upto": up_to, "since": since, "until": until}


async def merchant_activity(conn: AsyncConnection, after: int, up_to: int, up_to_time: datetime.datetime | None,
                            merchant_ids: list[str]) -> pb.MerchantActivityResponse:
    """Totals per merchant over (after, up_to]; pending and voided holds are not activity."""
    params = await activity_range(conn, after, up_to, up_to_time)
    up_to = params["upto"]
    cur = await conn.execute(MERCHANT_ACTIVITY, params)
    totals: dict[str, pb.MerchantTotals] = {}
    for row in await cur.fetchall():
        merchant_id = acc.merchant_of(row["account_id"])
        if merchant_ids and merchant_id not in merchant_ids:
            continue
        t = totals.setdefault(merchant_id, pb.MerchantTotals(merchant_id=merchant_id))
        credits, debits = int(row["credits"]), int(row["debits"])
        field = CODE_FIELD.get(row["code"])
        if row["code"] in (pb.TRANSFER_CODE_SALE, pb.TRANSFER_CODE_DISCOUNT_FUNDING):
            # A reversed sale is a REVERSAL debit; credits here are what the merchant earned.
            setattr(t, field, getattr(t, field) + credits)
            if row["code"] == pb.TRANSFER_CODE_DISCOUNT_FUNDING:
                t.funding_by_party[row["party_id"]] += credits
        elif field:
            setattr(t, field, getattr(t, field) + debits - credits)
        t.net_change += credits - debits
        t.transfer_count += int(row["n"])
    return pb.MerchantActivityResponse(merchants=sorted(totals.values(), key=lambda t: t.merchant_id),
                                       up_to_sequence=up_to)


async def available_of_limited(conn: AsyncConnection) -> dict[str, int]:
    from .ledger import AVAILABLE_OF_LIMITED
    cur = await conn.execute(AVAILABLE_OF_LIMITED)
    return {row["account_id"]: row["available"] for row in await cur.fetchall()}


def group_lots_by_member(rows: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row["member_id"]].append(row)
    return grouped
