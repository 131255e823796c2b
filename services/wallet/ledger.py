"""Postgres side of the ledger: committing movements and reading balances and activity."""

from __future__ import annotations

from collections import defaultdict

from psycopg import AsyncConnection, errors

from services.shared.db import Recordset

from .accounts import AccountSpec
from .movement import PENDING, POST_PENDING, VOID_PENDING, InsertOnly, InsertRow, Movement

# Every ledger commit holds this transaction lock, so transfer sequence numbers are handed out
# in commit order (a reader of (a, b] never misses a later commit with a smaller number).
LEDGER_LOCK_ID = 0x6C656467  # "ledg"


class AccountClosed(Exception):
    def __init__(self, account_id: str):
        super().__init__(account_id)
        self.account_id = account_id


class LimitViolated(Exception):
    """A flagged account would break its flag: the database refused, whatever Redis believed."""


class Duplicate(Exception):
    """A request id or transfer id is already in the ledger."""

    after_lost_commit = False  # set by the committer when an earlier attempt's outcome was unknown


INSERT_ACCOUNT = (
    "INSERT INTO accounts (account_id, unit, kind, owner_id, debits_must_not_exceed_credits,"
    " credits_must_not_exceed_debits) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (account_id) DO NOTHING")
# A group commit's requests, transfers and balance changes each go in as one statement over a
# recordset (one round trip and one plan, not one per row: measured, docs/performance.md).
REQUESTS = Recordset(request_id="text", kind="text", fingerprint="bytea", response="bytea")
INSERT_REQUESTS = REQUESTS.insert("requests")
TRANSFERS = Recordset(transfer_id="text", debit_account_id="text", credit_account_id="text", amount="bigint",
                      unit="smallint", code="smallint", flags="smallint", pending_id="text",
                      expires_at="timestamptz", reason="text", source_ref="text", party_id="text")
# Each transfer id also goes into transfer_ids, whose primary key keeps it unique across the
# monthly partitions (a repeat is a UniqueViolation, as before); both rows get one committed_at.
INSERT_TRANSFERS = f"""
WITH r AS MATERIALIZED (SELECT u.*, clock_timestamp() AS committed_at FROM {TRANSFERS.source()}),
ids AS (INSERT INTO transfer_ids (transfer_id, committed_at) SELECT transfer_id, committed_at FROM r)
INSERT INTO transfers ({', '.join(TRANSFERS.names)}, committed_at)
SELECT {', '.join(TRANSFERS.names)}, committed_at FROM r
RETURNING transfer_id, sequence
"""
BALANCE_CHANGES = Recordset(id="text", dp="bigint", cp="bigint", dq="bigint", cq="bigint")
UPDATE_BALANCES = f"""
UPDATE accounts a SET
    debits_posted = a.debits_posted + d.dp, credits_posted = a.credits_posted + d.cp,
    debits_pending = a.debits_pending + d.dq, credits_pending = a.credits_pending + d.cq
FROM {BALANCE_CHANGES.source(alias="d")}
WHERE a.account_id = d.id
RETURNING a.account_id, a.closed
"""


def balance_deltas(movements: list[Movement]) -> dict[str, list[int]]:
    """Per account: [debits_posted, credits_posted, debits_pending, credits_pending] changes."""
    deltas: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for movement in movements:
        for leg in movement.legs:
            debit, credit = deltas[leg.debit.account_id], deltas[leg.credit.account_id]
            if leg.flags & PENDING:
                debit[2] += leg.amount
                credit[3] += leg.amount
            elif leg.flags & POST_PENDING:
                debit[2] -= leg.pending_amount
                credit[3] -= leg.pending_amount
                debit[0] += leg.amount
                credit[1] += leg.amount
            elif leg.flags & VOID_PENDING:
                debit[2] -= leg.pending_amount
                credit[3] -= leg.pending_amount
            else:
                debit[0] += leg.amount
                credit[1] += leg.amount
    return deltas


async def commit(conn: AsyncConnection, movements: list[Movement], known_accounts: set[str]) -> list[int]:
    """Commit movements in one transaction; returns each movement's highest sequence (0 if none).

    The statements go out in pipeline mode: all of them are sent before the first result is
    read, so a commit costs about two round trips instead of one per statement."""
    accounts: dict[str, AccountSpec] = {}
    for movement in movements:
        accounts.update(movement.accounts())
    new = [spec for account_id, spec in accounts.items() if account_id not in known_accounts]
    legs = [leg for m in movements for leg in m.legs]
    deltas = balance_deltas(movements)
    ids = sorted(deltas)  # a fixed order: no deadlocks between concurrent committers
    plain_rows: dict[InsertOnly, list[tuple]] = defaultdict(list)  # insert-only rows, batched by table
    checked_steps = []
    for movement in movements:
        for step in movement.extra:
            if isinstance(step, InsertRow):
                plain_rows[step.into].append(step.values)
            else:
                checked_steps.append(step)
    try:
        async with conn.transaction():
            async with conn.pipeline(), conn.cursor() as cur, conn.cursor() as transfers, \
                    conn.cursor() as balances:
                await cur.execute("SELECT pg_advisory_xact_lock(%s)", (LEDGER_LOCK_ID,))
                if new:
                    await cur.executemany(INSERT_ACCOUNT, [
                        (s.account_id, s.unit, s.kind, s.owner_id, s.debits_must_not_exceed_credits,
                         s.credits_must_not_exceed_debits) for s in new])
                await cur.execute(INSERT_REQUESTS, (REQUESTS.param(
                    (m.request_id, m.kind, m.fingerprint, m.response) for m in movements),))
                if legs:
                    await transfers.execute(INSERT_TRANSFERS, (TRANSFERS.param(
                        (leg.transfer_id, leg.debit.account_id, leg.credit.account_id, leg.amount, leg.debit.unit,
                         leg.code, leg.flags, leg.pending_id, leg.expires_at, leg.reason, leg.source_ref,
                         leg.party_id) for leg in legs),))
                await balances.execute(UPDATE_BALANCES, (BALANCE_CHANGES.param((i, *deltas[i]) for i in ids),))
                for table, rows in plain_rows.items():
                    await cur.execute(table.insert, (table.rows.param(rows),))
                sequences = [0] * len(movements)
                if legs:
                    sequence_of = {row["transfer_id"]: row["sequence"] for row in await transfers.fetchall()}
                    assert len(sequence_of) == len(legs), "one sequence per transfer"
                    sequences = [max((sequence_of[leg.transfer_id] for leg in m.legs), default=0) for m in movements]
                rows = await balances.fetchall()
                assert len(rows) == len(ids), "every account a transfer names exists"
                closed = [row["account_id"] for row in rows if row["closed"]]
                if closed:
                    raise AccountClosed(closed[0])
            for step in checked_steps:
                await step(conn)
        known_accounts.update(accounts)
        return sequences
    except errors.UniqueViolation as exc:
        raise Duplicate(str(exc.diag.constraint_name or "")) from exc
    except errors.CheckViolation as exc:
        raise LimitViolated(str(exc.diag.constraint_name or "")) from exc


async def stored_request(conn: AsyncConnection, request_id: str) -> dict | None:
    cur = await conn.execute("SELECT kind, fingerprint, response FROM requests WHERE request_id = %s", (request_id,))
    return await cur.fetchone()


AVAILABLE = "credits_posted - debits_posted - debits_pending + credit_limit"  # what Redis mirrors


async def available(conn: AsyncConnection, account_id: str) -> int | None:
    return (await available_of(conn, [account_id])).get(account_id)


async def available_of(conn: AsyncConnection, account_ids: list[str]) -> dict[str, int]:
    """Available balances of the accounts that exist, in one query."""
    cur = await conn.execute(f"SELECT account_id, {AVAILABLE} AS available FROM accounts WHERE account_id = ANY(%s)",
                             (list(set(account_ids)),))
    return {row["account_id"]: row["available"] for row in await cur.fetchall()}


AVAILABLE_OF_LIMITED = (
    f"SELECT account_id, {AVAILABLE} AS available FROM accounts WHERE debits_must_not_exceed_credits"
    " ORDER BY account_id")
