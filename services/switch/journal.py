"""The transaction journal in Postgres, written with group commit: every answer waiting to be
journaled goes into one transaction, flushed as soon as the previous flush ends, so many
concurrent authorizations cost one commit.
"""

from __future__ import annotations

import asyncio
import logging

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from services.shared import db

from .outcome import COLUMNS as OUTCOME_COLUMNS
from .outcome import Outcome

MAX_BATCH_ROWS = 500  # rows per journal commit; the rest wait for the next flush
PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 500
COLUMNS = tuple(OUTCOME_COLUMNS)
# One statement per batch (the rows as one recordset), not one per row. transaction_ids keeps a
# transaction id unique across the journal's monthly partitions: only the ids new there are
# journaled, with the seq (the RRN, in arrival order) taken for them up front so that both rows
# carry it. A transaction id already journaled (a retransmission Redis no longer remembered) is
# then read back as first written (EXISTING, after the insert: a concurrent writer of the same id
# has committed by then): its outcome stands.
ROWS = db.Recordset(**OUTCOME_COLUMNS)
INSERT = f"""
WITH u AS MATERIALIZED (
  SELECT nextval('transactions_seq_seq') AS seq, r.* FROM {ROWS.source(ordinality=True, alias="r")} ORDER BY r.position
), k AS (
  INSERT INTO transaction_ids (transaction_id, received_at, seq)
  SELECT transaction_id, received_at, seq FROM u ORDER BY position
  ON CONFLICT (transaction_id) DO NOTHING
  RETURNING transaction_id
)
INSERT INTO transactions (seq, {', '.join(COLUMNS)})
SELECT u.seq, {', '.join(f'u.{column}' for column in COLUMNS)} FROM u JOIN k USING (transaction_id)
RETURNING seq, true AS inserted, {', '.join(COLUMNS)}
"""
# A journal row by transaction id: transaction_ids gives its seq and received_at, so one index
# probe in one partition (pruned at run time) finds it.
BY_ID = ("seq = (SELECT seq FROM transaction_ids WHERE transaction_id = %(id)s)"
         " AND received_at = (SELECT received_at FROM transaction_ids WHERE transaction_id = %(id)s)")
EXISTING = (f"SELECT t.seq, false AS inserted, {', '.join(f't.{c}' for c in COLUMNS)} FROM transaction_ids k"
            " JOIN transactions t ON t.received_at = k.received_at AND t.seq = k.seq"
            " WHERE k.transaction_id = ANY(%s)")


class Journal:
    def __init__(self, pool: AsyncConnectionPool, log: logging.Logger):
        self.pool = pool
        self.log = log
        self._waiting: list[tuple[Outcome, asyncio.Future]] = []  # each future gets the journaled row
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._flush_forever(), name="journal-flush")

    async def stop(self) -> None:
        if self._task:
            while self._waiting:  # let what is queued reach the table before the pool closes
                await asyncio.sleep(0.01)
            self._task.cancel()

    async def record(self, outcome: Outcome) -> dict:
        """The journaled row (with its seq, and `inserted` false when the id was already there),
        once committed; raises what the commit raised."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((outcome, future))
        self._wakeup.set()
        return await future

    async def _flush_forever(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._waiting:
                batch, self._waiting = self._waiting[:MAX_BATCH_ROWS], self._waiting[MAX_BATCH_ROWS:]
                try:
                    rows = await self._commit([entry for entry, _ in batch])
                except Exception as exc:  # every waiter learns the commit failed
                    self.log.error("journal commit failed", extra={"rows": len(batch), "error": str(exc)})
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), row in zip(batch, rows, strict=True):
                    if not future.done():
                        future.set_result(row)

    async def _commit(self, entries: list[Outcome]) -> list[dict]:
        unique = list({entry.transaction_id: entry for entry in reversed(entries)}.values())[::-1]
        # One statement on an autocommit connection: committed, durably, before execute returns.
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            assert conn.autocommit, "the journal's insert commits by itself"
            await cur.execute(INSERT, (ROWS.param(entry.row() for entry in unique),))
            by_id = {row["transaction_id"]: row for row in await cur.fetchall()}
            if len(by_id) < len(unique):
                await cur.execute(EXISTING, ([entry.transaction_id for entry in unique
                                              if entry.transaction_id not in by_id],))
                by_id.update((row["transaction_id"], row) for row in await cur.fetchall())
        assert len(by_id) == len(unique), "one journal row per transaction id"
        return [by_id[entry.transaction_id] for entry in entries]


# ---- reads ---------------------------------------------------------------------------------------

SELECT = "SELECT seq, " + ", ".join(COLUMNS) + " FROM transactions"


async def get(pool: AsyncConnectionPool, transaction_id: str) -> dict | None:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"{SELECT} WHERE {BY_ID}", {"id": transaction_id})
        return await cur.fetchone()


async def by_seq(pool: AsyncConnectionPool, seq: int) -> dict | None:
    """A transaction by its journal sequence: the RRN (field 37) a terminal printed is that number."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(SELECT + " WHERE seq = %s", (seq,))
        return await cur.fetchone()


async def followers(pool: AsyncConnectionPool, transaction_id: str) -> list[dict]:
    """Approved reversals, refunds and completions that refer to a transaction."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(SELECT + " WHERE original_transaction_id = %s AND response_code = '00' ORDER BY seq",
                          (transaction_id,))
        return await cur.fetchall()


async def page(pool: AsyncConnectionPool, terminal_id: str, merchant_id: str, after_seq: int,
               size: int, member_id: str = "", newest_first: bool = False, min_amount: int = 0,
               max_amount: int = 0) -> list[dict]:
    """A page of the journal in seq order (or newest first: `after_seq` is then the seq to page
    back from, 0 = the newest), of amounts in [min_amount, max_amount] (0 = no bound)."""
    if newest_first:
        clauses, params = (["seq < %s"], [after_seq]) if after_seq else ([], [])
    else:
        clauses, params = ["seq > %s"], [after_seq]
    if terminal_id:
        clauses.append("terminal_id = %s")
        params.append(terminal_id)
    if merchant_id:
        clauses.append("merchant_id = %s")
        params.append(merchant_id)
    if member_id:
        clauses.append("member_id = %s")
        params.append(member_id)
    if min_amount:
        clauses.append("amount >= %s")
        params.append(min_amount)
    if max_amount:
        clauses.append("amount <= %s")
        params.append(max_amount)
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    order = "seq DESC" if newest_first else "seq"
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(SELECT + where + f" ORDER BY {order} LIMIT %s", (*params, size))
        return await cur.fetchall()


async def counted_against(pool: AsyncConnectionPool, limit_key: str) -> list[dict]:
    """The transactions that still count against a card's daily-limit counter: each outcome names
    its counter, and a full reversal gives its count back."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT t.transaction_id, t.amount FROM transactions t WHERE t.limit_key = %s AND t.amount >"
            " (SELECT coalesce(sum(r.amount), 0) FROM transactions r WHERE r.original_transaction_id = t.transaction_id"
            "  AND r.kind = 'reversal' AND r.response_code = '00')", (limit_key,))
        return await cur.fetchall()


def state_of(row: dict, followers_rows: list[dict]) -> str:
    if row["response_code"] != "00":
        return "declined"
    if row["kind"] in ("reversal", "refund", "completion", "balance"):
        return "approved"
    undone = sum(f["amount"] for f in followers_rows if f["kind"] in ("reversal", "refund"))
    if any(f["kind"] == "completion" for f in followers_rows):
        return "completed"
    if undone >= row["amount"]:
        return "reversed"
    if undone:
        return "partially_reversed"
    return "approved"


# ---- compensations -------------------------------------------------------------------------------

async def add_compensation(pool: AsyncConnectionPool, transaction_id: str, participants: list[str]) -> None:
    """What an uncertain outcome leaves to undo: the participants that prepared and left work elsewhere."""
    async with pool.connection() as conn:
        await conn.execute("INSERT INTO compensations (transaction_id, participants) VALUES (%s, %s)"
                           " ON CONFLICT (transaction_id) DO NOTHING", (transaction_id, participants))


async def open_compensations(pool: AsyncConnectionPool, limit: int) -> list[dict]:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT transaction_id, participants, created_at, attempts FROM compensations"
                          " WHERE resolved_at IS NULL ORDER BY created_at LIMIT %s", (limit,))
        return await cur.fetchall()


async def finish_compensation(pool: AsyncConnectionPool, transaction_id: str, resolved: bool) -> None:
    async with pool.connection() as conn:
        await conn.execute("UPDATE compensations SET attempts = attempts + 1,"
                           " resolved_at = CASE WHEN %s THEN now() END WHERE transaction_id = %s",
                           (resolved, transaction_id))


# ---- offer releases owed --------------------------------------------------------------------------

async def owe_offer_release(pool: AsyncConnectionPool, transaction_id: str, stands: int) -> None:
    """Record a release tasheem did not confirm; what stands only ever goes down."""
    async with pool.connection() as conn:
        await conn.execute(
            "INSERT INTO offer_releases (transaction_id, stands) VALUES (%s, %s) ON CONFLICT (transaction_id)"
            " DO UPDATE SET stands = LEAST(offer_releases.stands, EXCLUDED.stands), resolved_at = NULL",
            (transaction_id, stands))


async def open_offer_releases(pool: AsyncConnectionPool, limit: int) -> list[dict]:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT transaction_id, stands FROM offer_releases WHERE resolved_at IS NULL"
                          " ORDER BY created_at LIMIT %s", (limit,))
        return await cur.fetchall()


async def finish_offer_release(pool: AsyncConnectionPool, transaction_id: str, stands: int, done: bool) -> None:
    """Resolved only if no lower `stands` was owed meanwhile (that one is still to send)."""
    async with pool.connection() as conn:
        await conn.execute("UPDATE offer_releases SET attempts = attempts + 1,"
                           " resolved_at = CASE WHEN %s AND stands = %s THEN now() END WHERE transaction_id = %s",
                           (done, stands, transaction_id))
