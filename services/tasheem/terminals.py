"""ISO 8583 0500: a terminal's own batch totals compared with ours.

Ours come from the quote records (every authorization quote is recorded with its terminal):
purchases are the quotes still standing (not released by a decline or a reversal) since the
terminal's previous reconciliation (or `since`). Terminals report purchase totals net of
reversed items, so those are compared. Refund and reversal totals are echoed back as
mismatches only when the terminal reports them and we hold a value to compare: tasheem does
not see refunds (they go from the switch to the wallet), so those fields are not compared.
"""

from __future__ import annotations

import datetime as dt

from psycopg.types.json import Jsonb

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared.errors import FieldError

from .context import Deps

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


async def reconcile(deps: Deps, request: pb.ReconcileTerminalTotalsRequest) -> pb.ReconcileTerminalTotalsResponse:
    if not request.terminal_id:
        raise FieldError("terminal_id", "is required")
    for name in ("purchase_count", "purchase_amount", "refund_count", "refund_amount", "reversal_count",
                 "reversal_amount"):
        if getattr(request, name) < 0:
            raise FieldError(name, "must not be negative")
    until = dt.datetime.now(dt.UTC)
    async with deps.pool.connection() as conn, conn.transaction():
        since = request.since.ToDatetime(dt.UTC) if request.HasField("since") else None
        if since is None:
            cur = await conn.execute("SELECT max(until) AS last FROM terminal_reconciliations WHERE terminal_id = %s",
                                     (request.terminal_id,))
            since = (await cur.fetchone())["last"] or EPOCH
        cur = await conn.execute(
            "SELECT count(*) AS n, coalesce(sum(amount), 0) AS total FROM quotes WHERE terminal_id = %s"
            " AND created_at >= %s AND created_at < %s AND released_at IS NULL"
            + (" AND merchant_id = %s" if request.merchant_id else ""),
            (request.terminal_id, since, until, *([request.merchant_id] if request.merchant_id else [])))
        ours = await cur.fetchone()
        compared = [("purchase_count", request.purchase_count, int(ours["n"])),
                    ("purchase_amount", request.purchase_amount, int(ours["total"]))]
        mismatches = [pb.TotalsMismatch(field=name, terminal_value=theirs, our_value=mine)
                      for name, theirs, mine in compared if theirs != mine]
        await conn.execute(
            "INSERT INTO terminal_reconciliations (terminal_id, merchant_id, since, until, in_balance, mismatches)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (request.terminal_id, request.merchant_id, since, until, not mismatches,
             Jsonb([{"field": m.field, "terminal": m.terminal_value, "ours": m.our_value} for m in mismatches])))
    return pb.ReconcileTerminalTotalsResponse(in_balance=not mismatches, mismatches=mismatches)


async def list_results(deps: Deps, request: pb.ListTerminalReconciliationsRequest
                       ) -> pb.ListTerminalReconciliationsResponse:
    """A merchant's terminals' recorded results, newest first (the page token is the last id)."""
    from . import registry
    from .servicer import timestamp

    if not registry.MERCHANT_ID_PATTERN.match(request.merchant_id):
        raise FieldError("merchant_id", "is required (an id this service issues)")
    size = registry.page_size(request.page_size)
    before = registry.page_after(request.page_token)
    clauses, params = ["merchant_id = %s"], [request.merchant_id]
    if request.terminal_id:
        clauses.append("terminal_id = %s")
        params.append(request.terminal_id)
    if before:
        clauses.append("id < %s")
        params.append(before)
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"SELECT * FROM terminal_reconciliations WHERE {' AND '.join(clauses)}"
                                 " ORDER BY id DESC LIMIT %s", (*params, size + 1))
        rows = await cur.fetchall()
    results = [pb.TerminalReconciliation(
        reconciliation_id=row["id"], terminal_id=row["terminal_id"], merchant_id=row["merchant_id"],
        since=timestamp(row["since"]), until=timestamp(row["until"]), in_balance=row["in_balance"],
        mismatches=[pb.TotalsMismatch(field=m["field"], terminal_value=m["terminal"], our_value=m["ours"])
                    for m in row["mismatches"]]) for row in rows[:size]]
    return pb.ListTerminalReconciliationsResponse(
        reconciliations=results, next_page_token=str(rows[size - 1]["id"]) if len(rows) > size else "")
