"""Settlement batches: at each cut-off, what every merchant is owed, from the ledger.

close_batch(cutoff), idempotent (one batch per cut-off, id derived from it):
 1. under a session advisory lock, read the wallet's merchant-payable activity after the
    previous batch's to_sequence up to the cut-off (MerchantActivity) -> the sequence range;
 2. claim the merchant-borne shares of quotes recorded up to the cut-off (and take back what
    releases since gave back: the part of a partial one, the rest of a full one), add what the
    previous batch could not pay (carried_in);
 3. per merchant: gross = sales + discounts (funders' + merchant's own), net payable = sales
    + funders' shares - refunds - reversals - fees + carried_in; split across beneficiaries;
    stored with status 'closing' (committed) before any money moves;
 4. post one SETTLEMENT transfer per paid merchant, merchant:{id}:payable ->
    club:settlement_clearing, transfer id "<batch>:<merchant>" (a retried close posts once);
 5. write the files; read the same sequence range again and compare it with the stored
    totals: RECONCILED, or MISMATCH with the differences listed.
A close interrupted after step 3 resumes from step 4 on the next call for the same cut-off.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import pathlib

from google.protobuf.timestamp_pb2 import Timestamp
from psycopg.types.json import Jsonb

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from services.shared import clients, metrics
from services.shared.errors import FailedPrecondition, FieldError, NotFound, Unavailable
from services.shared.limits import QUOTE_COMMIT_SLACK_SECONDS

from . import beneficiaries as bene
from . import registry, statements, windows
from .context import Deps
from .funding import MERCHANT_PARTY

SETTLEMENT_LOCK = 0x73746C6D  # "stlm": one close at a time, across replicas
CLEARING_ACCOUNT = "club:settlement_clearing"
WALLET_TIMEOUT_SECONDS = 30.0
STATUS_TO_PROTO = {"closing": pb.BATCH_STATUS_CLOSED, "closed": pb.BATCH_STATUS_CLOSED,
                   "reconciled": pb.BATCH_STATUS_RECONCILED, "mismatch": pb.BATCH_STATUS_MISMATCH}
COMPARED = ("sales", "discount_funding", "refunds", "reversals", "fees")
POSTED = (wpb.TRANSFER_RESULT_OK, wpb.TRANSFER_RESULT_EXISTS)
QUOTE_COMMIT_SLACK = dt.timedelta(seconds=QUOTE_COMMIT_SLACK_SECONDS)
EARLIEST = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
# The merchant-borne shares a batch counts: quotes not yet counted, created up to the cut-off.
# Releases are taken back from quotes of any month (a refund may come months after its purchase);
# they are found by small partial indexes, not by the month.
CLAIM_QUOTES = ("UPDATE quotes SET batch_id = %s WHERE batch_id IS NULL AND merchant_share > 0"
                " AND created_at >= %s AND created_at <= %s RETURNING merchant_id, merchant_share")


def batch_id_for(cutoff: dt.datetime) -> str:
    return "stl-" + cutoff.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def payable_account(merchant_id: str) -> str:
    return f"merchant:{merchant_id}:payable"


def next_cutoff(now: dt.datetime, times, time_zone: str) -> dt.datetime:
    """The first scheduled cut-off after `now`."""
    local_today = now.astimezone(windows.zone(time_zone)).date()
    candidates = [dt.datetime.combine(day, at, tzinfo=windows.zone(time_zone))
                  for day in (local_today, local_today + dt.timedelta(days=1)) for at in times]
    return min(candidate for candidate in candidates if candidate > now).astimezone(dt.UTC)


def latest_cutoff(now: dt.datetime, times, time_zone: str) -> dt.datetime:
    """The latest scheduled cut-off not after `now`."""
    local_today = now.astimezone(windows.zone(time_zone)).date()
    candidates = [dt.datetime.combine(day, at, tzinfo=windows.zone(time_zone))
                  for day in (local_today - dt.timedelta(days=1), local_today) for at in times]
    return max(candidate for candidate in candidates if candidate <= now).astimezone(dt.UTC)


async def _wallet_activity(deps: Deps, **fields) -> wpb.MerchantActivityResponse:
    async with clients.channel(deps.wallet_addr, deps.tls_dir, client_name="tasheem") as channel:
        stub = wallet_pb2_grpc.WalletServiceStub(channel)
        return await stub.MerchantActivity(wpb.MerchantActivityRequest(**fields), timeout=WALLET_TIMEOUT_SECONDS)


async def close_batch(deps: Deps, cutoff: dt.datetime | None) -> pb.SettlementBatch:
    now = dt.datetime.now(dt.UTC)
    cutoff = cutoff or latest_cutoff(now, deps.cutoffs, deps.time_zone)
    if cutoff > now:
        raise FieldError("cutoff", "is in the future")
    batch_id = batch_id_for(cutoff)
    async with deps.pool.connection() as conn:
        await conn.execute("SELECT pg_advisory_lock(%s)", (SETTLEMENT_LOCK,))
        await conn.commit()
        try:
            cur = await conn.execute("SELECT status FROM batches WHERE batch_id = %s", (batch_id,))
            existing = await cur.fetchone()
            await conn.commit()
            if existing is None:
                await _compute(deps, conn, batch_id, cutoff)
            elif existing["status"] != "closing":
                return await get_batch(deps, batch_id)  # closed before: the same batch
            await _post_and_report(deps, conn, batch_id)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (SETTLEMENT_LOCK,))
            await conn.commit()
    return await get_batch(deps, batch_id)


async def _compute(deps: Deps, conn, batch_id: str, cutoff: dt.datetime) -> None:
    cur = await conn.execute("SELECT batch_id, to_sequence, cutoff FROM batches ORDER BY cutoff DESC LIMIT 1")
    previous = await cur.fetchone()
    if previous and previous["cutoff"] > cutoff:
        raise FailedPrecondition(f"cutoff: batch {previous['batch_id']} for a later cut-off is already closed")
    after = previous["to_sequence"] if previous else 0
    try:
        activity = await _wallet_activity(deps, after_sequence=after, up_to_time=_stamp(cutoff))
    except Exception as exc:  # noqa: BLE001 - grpc errors from the wallet: try the close again later
        raise Unavailable(f"wallet MerchantActivity failed: {type(exc).__name__}") from exc
    async with conn.transaction():
        # Quotes are claimed in the months from the previous cut-off (less the commit slack) to this
        # one: only those partitions are read (docs/scaling.md, "Monthly partitions").
        since = previous["cutoff"] - QUOTE_COMMIT_SLACK if previous else EARLIEST
        cur = await conn.execute(CLAIM_QUOTES, (batch_id, since, cutoff))
        borne: collections.Counter[str] = collections.Counter()
        for row in await cur.fetchall():
            borne[row["merchant_id"]] += row["merchant_share"]
        # Partial releases first: what they gave back of a counted share, not yet taken back.
        cur = await conn.execute(
            "WITH due AS (SELECT transaction_id, created_at, merchant_id, share_released - share_taken_back AS back"
            " FROM quotes WHERE share_released > share_taken_back AND release_batch_id IS NULL"
            " AND batch_id IS NOT NULL AND share_released_at <= %s FOR UPDATE)"
            " UPDATE quotes q SET share_taken_back = q.share_released FROM due"
            " WHERE q.transaction_id = due.transaction_id AND q.created_at = due.created_at"
            " RETURNING due.merchant_id, due.back", (cutoff,))
        for row in await cur.fetchall():
            borne[row["merchant_id"]] -= row["back"]
        # Full releases: the rest of the share (a partial release already took back its part).
        cur = await conn.execute(
            "UPDATE quotes SET release_batch_id = %s WHERE release_batch_id IS NULL AND batch_id IS NOT NULL"
            " AND released_at IS NOT NULL AND released_at <= %s AND merchant_share > 0"
            " RETURNING merchant_id, merchant_share - share_taken_back AS back", (batch_id, cutoff))
        for row in await cur.fetchall():
            borne[row["merchant_id"]] -= row["back"]
        carried: dict[str, int] = {}
        if previous:
            cur = await conn.execute("SELECT merchant_id, net_payable FROM batch_merchants WHERE batch_id = %s"
                                     " AND payouts = '[]'::jsonb AND net_payable <> 0", (previous["batch_id"],))
            carried = {row["merchant_id"]: row["net_payable"] for row in await cur.fetchall()}
        totals = {item.merchant_id: item for item in activity.merchants}
        ids = sorted(set(totals) | {m for m, v in borne.items() if v} | set(carried))
        merchants = {row["merchant_id"]: row for row in
                     await registry.merchants_with_beneficiaries(conn, "merchant_id = ANY(%s)", (ids,))}
        rows = []
        for merchant_id in ids:
            ledger = totals.get(merchant_id, wpb.MerchantTotals(merchant_id=merchant_id))
            merchant_borne = borne.get(merchant_id, 0)
            by_party = dict(ledger.funding_by_party)
            if merchant_borne:
                by_party[MERCHANT_PARTY] = merchant_borne
            net = (ledger.sales + ledger.discount_funding - ledger.refunds - ledger.reversals - ledger.fees
                   + carried.get(merchant_id, 0))
            known = merchants.get(merchant_id)
            payouts = []
            if net > 0 and known and known["beneficiaries"]:
                payouts = [{"iban": b.iban, "name": b.name, "amount": amount}
                           for b, amount in bene.split(net, known["beneficiaries"]) if amount]
            rows.append((batch_id, merchant_id, ledger.sales, ledger.discount_funding, merchant_borne, Jsonb(by_party),
                         ledger.refunds, ledger.reversals, ledger.fees, carried.get(merchant_id, 0), net,
                         Jsonb(payouts)))
        paid = [row for row in rows if row[11].obj]
        await conn.execute(
            "INSERT INTO batches (batch_id, cutoff, status, from_sequence, to_sequence, total_net_payable, payout_lines)"
            " VALUES (%s, %s, 'closing', %s, %s, %s, %s)",
            (batch_id, cutoff, after, activity.up_to_sequence, sum(row[10] for row in paid),
             sum(len(row[11].obj) for row in paid)))
        async with conn.cursor() as cursor:
            await cursor.executemany(
                "INSERT INTO batch_merchants (batch_id, merchant_id, sales, discount_funding, merchant_borne,"
                " funded_by_party, refunds, reversals, fees, carried_in, net_payable, payouts)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)


async def _post_and_report(deps: Deps, conn, batch_id: str) -> None:
    batch = await _batch_row(conn, batch_id)
    merchants = await _merchant_rows(conn, batch_id)
    paid = [m for m in merchants if m["payouts"]]
    problems: list[dict] = []
    if paid:
        transfers = [wpb.Transfer(transfer_id=f"{batch_id}:{m['merchant_id']}",
                                  debit_account_id=payable_account(m["merchant_id"]),
                                  credit_account_id=CLEARING_ACCOUNT, amount=m["net_payable"], unit=wpb.UNIT_IRR,
                                  code=wpb.TRANSFER_CODE_SETTLEMENT, source_ref=batch_id,
                                  reason=f"settlement {batch_id}") for m in paid]
        try:
            async with clients.channel(deps.wallet_addr, deps.tls_dir, client_name="tasheem") as channel:
                reply = await wallet_pb2_grpc.WalletServiceStub(channel).CreateTransfers(
                    wpb.CreateTransfersRequest(transfers=transfers, linked=False), timeout=WALLET_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - the batch stays 'closing'; the next call resumes here
            raise Unavailable(f"wallet CreateTransfers failed: {type(exc).__name__}") from exc
        for transfer, result in zip(transfers, reply.results, strict=True):
            if result not in POSTED:
                problems.append({"merchant_id": transfer.debit_account_id, "field": "settlement_transfer",
                                 "batch": transfer.amount, "ledger": wpb.TransferResult.Name(result)})
    report_dir = _write_files(deps, batch, merchants, await registry.party_names(conn))
    if batch["to_sequence"] > batch["from_sequence"]:
        again = await _wallet_activity(deps, after_sequence=batch["from_sequence"], up_to_sequence=batch["to_sequence"])
    else:  # an empty range; asking the wallet "up to 0" would mean "up to the latest"
        again = wpb.MerchantActivityResponse()
    problems += _differences(merchants, again)
    status = "mismatch" if problems else "reconciled"
    if problems:
        metrics.SETTLEMENT_MISMATCHES.labels("tasheem").inc()
        deps.log.error("settlement batch does not match the ledger", extra={"batch_id": batch_id,
                                                                            "mismatches": problems[:20]})
    async with conn.transaction():
        await conn.execute("UPDATE batches SET status = %s, mismatches = %s, settlement_file = %s, report_dir = %s,"
                           " closed_at = now() WHERE batch_id = %s",
                           (status, Jsonb(problems), str(report_dir / statements.SETTLEMENT_FILE), str(report_dir),
                            batch_id))


def _differences(merchants: list[dict], ledger: wpb.MerchantActivityResponse) -> list[dict]:
    """Every stored figure against a second read of the same ledger range, to the rial."""
    theirs = {item.merchant_id: item for item in ledger.merchants}
    problems = []
    for row in merchants:
        item = theirs.pop(row["merchant_id"], wpb.MerchantTotals(merchant_id=row["merchant_id"]))
        for name in COMPARED:
            if row[name] != getattr(item, name):
                problems.append({"merchant_id": row["merchant_id"], "field": name, "batch": row[name],
                                 "ledger": getattr(item, name)})
        ledger_parties = dict(item.funding_by_party)
        batch_parties = {k: v for k, v in row["funded_by_party"].items() if k != MERCHANT_PARTY}
        if batch_parties != ledger_parties:
            problems.append({"merchant_id": row["merchant_id"], "field": "funding_by_party",
                             "batch": json.dumps(batch_parties), "ledger": json.dumps(ledger_parties)})
    for merchant_id in theirs:  # activity the batch does not hold at all
        problems.append({"merchant_id": merchant_id, "field": "merchant", "batch": 0, "ledger": "missing"})
    return problems


def _figures(row: dict) -> list[tuple[str, int]]:
    discounts = row["discount_funding"] + row["merchant_borne"]
    figures = [("gross_sales", row["sales"] + discounts), ("discounts", discounts),
               ("merchant_borne", row["merchant_borne"])]
    figures += [(f"{statements.FUNDED_BY}:{party}", amount) for party, amount in sorted(row["funded_by_party"].items())]
    figures += [("refunds", row["refunds"]), ("reversals", row["reversals"]), ("fees", row["fees"]),
                ("carried_in", row["carried_in"]), ("net_payable", row["net_payable"])]
    return figures


def _write_files(deps: Deps, batch: dict, merchants: list[dict], party_names: dict[str, str]) -> pathlib.Path:
    report_dir = deps.data_dir / "settlement" / batch["batch_id"]
    names = {m["merchant_id"]: m.get("name", m["merchant_id"]) for m in merchants}
    lines = [(m["merchant_id"], names[m["merchant_id"]], p["iban"], p["name"], p["amount"])
             for m in merchants for p in m["payouts"]]
    statements.write(report_dir, statements.SETTLEMENT_FILE, statements.settlement_file(batch["batch_id"], lines))
    owed: dict[str, list[tuple[str, str, int]]] = {}
    for m in merchants:
        csv_text, page = statements.merchant_statement(
            batch["batch_id"], m["merchant_id"], names[m["merchant_id"]], _figures(m),
            [(p["iban"], p["name"], p["amount"]) for p in m["payouts"]], party_names)
        statements.write(report_dir / statements.MERCHANT_DIR, f"{m['merchant_id']}.csv", csv_text)
        statements.write(report_dir / statements.MERCHANT_DIR, f"{m['merchant_id']}.html", page)
        for party, amount in m["funded_by_party"].items():
            if amount:
                owed.setdefault(party, []).append((m["merchant_id"], names[m["merchant_id"]], amount))
    for party, items in owed.items():
        csv_text, page = statements.funder_statement(batch["batch_id"], party, items, party_names.get(party, party))
        statements.write(report_dir / statements.FUNDER_DIR, f"{party}.csv", csv_text)
        statements.write(report_dir / statements.FUNDER_DIR, f"{party}.html", page)
    return report_dir


def _stamp(value: dt.datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value.astimezone(dt.UTC))
    return stamp


async def _batch_row(conn, batch_id: str) -> dict:
    cur = await conn.execute("SELECT * FROM batches WHERE batch_id = %s", (batch_id,))
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"batch {batch_id} not found")
    return row


async def _merchant_rows(conn, batch_id: str) -> list[dict]:
    cur = await conn.execute("SELECT b.*, coalesce(m.name, b.merchant_id) AS name FROM batch_merchants b"
                             " LEFT JOIN merchants m USING (merchant_id) WHERE batch_id = %s ORDER BY merchant_id",
                             (batch_id,))
    return await cur.fetchall()


async def _with_period(deps: Deps, conn, batch: dict) -> dict:
    """The batch with its period (from the previous batch's cut-off) and its PAYA payout time."""
    cur = await conn.execute("SELECT max(cutoff) AS start FROM batches WHERE cutoff < %s", (batch["cutoff"],))
    return {**batch, "period_start": (await cur.fetchone())["start"],
            "payout_at": batch["cutoff"] + dt.timedelta(minutes=deps.payout_after_cutoff_minutes)}


def batch_proto(batch: dict, merchants: list[dict]) -> pb.SettlementBatch:
    return pb.SettlementBatch(
        period_start=_stamp(batch["period_start"]) if batch.get("period_start") else None,
        payout_at=_stamp(batch["payout_at"]) if batch.get("payout_at") else None,
        batch_id=batch["batch_id"], cutoff=_stamp(batch["cutoff"]), status=STATUS_TO_PROTO[batch["status"]],
        from_sequence=batch["from_sequence"], to_sequence=batch["to_sequence"],
        total_net_payable=batch["total_net_payable"], payout_lines=batch["payout_lines"],
        settlement_file=batch["settlement_file"], report_dir=batch["report_dir"], closed_at=_stamp(batch["closed_at"]),
        merchants=[pb.MerchantSettlement(
            merchant_id=m["merchant_id"], gross_sales=m["sales"] + m["discount_funding"] + m["merchant_borne"],
            discounts=m["discount_funding"] + m["merchant_borne"], merchant_borne=m["merchant_borne"],
            funded_by_party=m["funded_by_party"], refunds=m["refunds"], reversals=m["reversals"], fees=m["fees"],
            net_payable=m["net_payable"],
            payouts=[pb.BeneficiaryPayout(iban=p["iban"], name=p["name"], amount=p["amount"]) for p in m["payouts"]])
            for m in merchants])


def merchant_view(batch: dict, merchants: list[dict], merchant_id: str) -> pb.SettlementBatch:
    """A batch as one merchant sees it: its own settlement only, the totals its own, and no path
    of the whole batch's files."""
    own = [m for m in merchants if m["merchant_id"] == merchant_id]
    view = batch_proto(batch, own)
    view.total_net_payable = sum(m["net_payable"] for m in own if m["payouts"])
    view.payout_lines = sum(len(m["payouts"]) for m in own)
    view.settlement_file = view.report_dir = ""
    return view


async def get_batch(deps: Deps, batch_id: str, merchant_id: str = "") -> pb.SettlementBatch:
    async with deps.pool.connection() as conn:
        batch = await _with_period(deps, conn, await _batch_row(conn, batch_id))
        merchants = await _merchant_rows(conn, batch_id)
    if not merchant_id:
        return batch_proto(batch, merchants)
    if not any(m["merchant_id"] == merchant_id for m in merchants):
        raise NotFound(f"batch {batch_id} does not settle merchant {merchant_id}")
    return merchant_view(batch, merchants, merchant_id)


async def list_batches(deps: Deps, request: pb.ListBatchesRequest) -> tuple[list[pb.SettlementBatch], str]:
    size = registry.page_size(request.page_size)
    merchant_id = request.merchant_id
    clauses, params = [], []
    if request.page_token:
        clauses.append("cutoff < (SELECT cutoff FROM batches WHERE batch_id = %s)")
        params.append(request.page_token)
    if merchant_id:
        clauses.append("batch_id IN (SELECT batch_id FROM batch_merchants WHERE merchant_id = %s)")
        params.append(merchant_id)
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"SELECT * FROM batches{where} ORDER BY cutoff DESC LIMIT %s", (*params, size + 1))
        rows = await cur.fetchall()
        more = len(rows) > size
        batches = []
        for row in rows[:size]:
            merchants = await _merchant_rows(conn, row["batch_id"])
            batch = await _with_period(deps, conn, row)
            batches.append(merchant_view(batch, merchants, merchant_id) if merchant_id else batch_proto(batch, merchants))
    return batches, (rows[size - 1]["batch_id"] if more else "")


FIGURE_OF_CODE = {wpb.TRANSFER_CODE_SALE: "sales", wpb.TRANSFER_CODE_DISCOUNT_FUNDING: "discount_funding",
                  wpb.TRANSFER_CODE_REFUND: "refunds", wpb.TRANSFER_CODE_REVERSAL: "reversals",
                  wpb.TRANSFER_CODE_FEE: "fees"}
EARNED = ("sales", "discount_funding")  # count the payable's credits; the others its debits less credits


def _counted(transfer: wpb.Transfer, account: str, figure: str) -> int:
    """What one transfer adds to its figure, as the wallet's MerchantActivity counts it."""
    if transfer.flags.pending or transfer.flags.void_pending:
        return 0  # a hold, or its release, is not activity
    credit = transfer.credit_account_id == account
    if figure in EARNED:
        return transfer.amount if credit else 0  # a reversed sale is a REVERSAL debit
    return -transfer.amount if credit else transfer.amount
TRANSFERS_PAGE = 1_000


async def batch_transactions(deps: Deps, batch_id: str, merchant_id: str) -> pb.ListBatchTransactionsResponse:
    """What makes up one merchant's figures in a batch: the ledger transfers on its payable in the
    batch's sequence range (sales, funders' shares, refunds, reversals, fees) and the quotes whose
    merchant-borne share the batch counted (a share taken back after a release is listed negative).
    Per figure they add up to the batch's figure; carried_in comes from the previous batch."""
    if not registry.MERCHANT_ID_PATTERN.match(merchant_id):
        raise FieldError("merchant_id", "is required (an id this service issues)")
    async with deps.pool.connection() as conn:
        batch = await _batch_row(conn, batch_id)
        cur = await conn.execute(
            "SELECT transaction_id, merchant_share AS amount, created_at FROM quotes"
            " WHERE batch_id = %s AND merchant_id = %s AND merchant_share > 0"
            " UNION ALL SELECT transaction_id, -(merchant_share - share_taken_back), released_at FROM quotes"
            " WHERE release_batch_id = %s AND merchant_id = %s AND merchant_share > share_taken_back"
            " ORDER BY 3, 1", (batch_id, merchant_id, batch_id, merchant_id))
        borne = await cur.fetchall()
        cur = await conn.execute("SELECT funded_by_party FROM batch_merchants WHERE batch_id = %s AND merchant_id = %s",
                                 (batch_id, merchant_id))
        settled = await cur.fetchone()
        if settled is None:
            raise NotFound(f"batch {batch_id} does not settle merchant {merchant_id}")
        every_name = await registry.party_names(conn)
    items: list[pb.BatchTransaction] = []
    before = batch["to_sequence"] + 1
    while batch["to_sequence"] > batch["from_sequence"]:
        try:
            page = await deps.wallet.ListAccountTransfers(wpb.ListAccountTransfersRequest(
                account_id=payable_account(merchant_id), page_size=TRANSFERS_PAGE, page_token=str(before)),
                timeout=WALLET_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - grpc errors from the wallet
            raise Unavailable(f"wallet ListAccountTransfers failed: {type(exc).__name__}") from exc
        for transfer in page.transfers:
            if transfer.sequence <= batch["from_sequence"]:
                break
            figure = FIGURE_OF_CODE.get(transfer.code)
            amount = _counted(transfer, payable_account(merchant_id), figure) if figure else 0
            if amount:
                items.append(pb.BatchTransaction(figure=figure, transaction_id=transfer.source_ref,
                                                 party_id=transfer.party_id, amount=amount,
                                                 at=transfer.created_at, sequence=transfer.sequence))
        if not page.next_page_token or not page.transfers or page.transfers[-1].sequence <= batch["from_sequence"]:
            break
        before = int(page.next_page_token)
    items.sort(key=lambda item: item.sequence)
    items += [pb.BatchTransaction(figure="merchant_borne", transaction_id=row["transaction_id"],
                                  party_id=MERCHANT_PARTY, amount=row["amount"], at=_stamp(row["created_at"]))
              for row in borne]
    named = set(settled["funded_by_party"]) | {item.party_id for item in items if item.party_id}
    return pb.ListBatchTransactionsResponse(batch_id=batch_id, merchant_id=merchant_id, transactions=items,
                                            party_names={p: every_name.get(p, p) for p in named})


async def payouts_so_far(deps: Deps, conn, merchant_id: str) -> list[tuple[str, str, int]]:
    """What the next cut-off would pay each of the merchant's IBANs if it were now: the ledger since
    the latest batch (as close_batch reads it) and what that batch carried, split the same way."""
    cur = await conn.execute("SELECT batch_id, to_sequence FROM batches ORDER BY cutoff DESC LIMIT 1")
    previous = await cur.fetchone()
    carried = 0
    if previous:
        cur = await conn.execute("SELECT net_payable FROM batch_merchants WHERE batch_id = %s AND merchant_id = %s"
                                 " AND payouts = '[]'::jsonb", (previous["batch_id"], merchant_id))
        row = await cur.fetchone()
        carried = row["net_payable"] if row else 0
    try:
        activity = await deps.wallet.MerchantActivity(wpb.MerchantActivityRequest(
            after_sequence=previous["to_sequence"] if previous else 0, merchant_ids=[merchant_id]),
            timeout=WALLET_TIMEOUT_SECONDS)
    except Exception as exc:  # noqa: BLE001 - grpc errors from the wallet
        raise Unavailable(f"wallet MerchantActivity failed: {type(exc).__name__}") from exc
    ledger = next((m for m in activity.merchants if m.merchant_id == merchant_id), wpb.MerchantTotals())
    net = ledger.sales + ledger.discount_funding - ledger.refunds - ledger.reversals - ledger.fees + carried
    found = await registry.merchants_with_beneficiaries(conn, "merchant_id = %s", (merchant_id,))
    if net <= 0 or not found or not found[0]["beneficiaries"]:
        return []
    return [(b.iban, b.name, amount) for b, amount in bene.split(net, found[0]["beneficiaries"]) if amount]


async def statement(deps: Deps, batch_id: str, kind: str, owner_id: str) -> pb.Statement:
    field, pattern = (("party_id", registry.PARTY_ID_PATTERN) if kind == statements.FUNDER_DIR
                      else ("merchant_id", registry.MERCHANT_ID_PATTERN))
    if not pattern.match(owner_id):  # also keeps the path inside the batch's directory
        raise FieldError(field, "is required (an id this service issues)")
    async with deps.pool.connection() as conn:
        batch = await _batch_row(conn, batch_id)
    if batch["status"] == "closing":
        raise FailedPrecondition(f"batch {batch_id} is still closing")
    base = pathlib.Path(batch["report_dir"]) / kind
    csv_path, html_path = base / f"{owner_id}.csv", base / f"{owner_id}.html"
    if not csv_path.exists():
        raise NotFound(f"no statement for {owner_id} in batch {batch_id}")
    return pb.Statement(batch_id=batch_id, owner_id=owner_id, csv=csv_path.read_text(encoding="utf-8"),
                        html=html_path.read_text(encoding="utf-8"), csv_path=str(csv_path), html_path=str(html_path))
