"""Monthly partitions (services/shared/partitions.py and the migrations that made the tables
partitioned), on a real Postgres:
- months are made ahead, and again do nothing; a row for a month without a partition is kept
  in the DEFAULT partition, counted by the gauge, and moved into a month of its own by the job;
- the migrations move every existing row (counts and sums equal before and after) into month
  partitions, and keep ids unique across months and the foreign keys to them;
- a settlement's queries (the ledger's merchant activity, the claim of quotes) read only the
  partitions of their range (EXPLAIN), and count only the range's rows;
- the hot-path writers (ledger, journal, quotes) treat an id recorded in an earlier month as a
  repeat, as they did when the tables were not partitioned.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid

import psycopg
import pytest
from psycopg.rows import dict_row

from services.shared import db, migrate, partitions
from services.switch import journal
from services.switch.outcome import Outcome
from services.tasheem import quote, settlement
from services.wallet import ledger, queries
from tests import harness

UTC = dt.UTC
# The migrations that turned the three tables into partitioned ones.
PARTITIONING = {"wallet": "0004_partitioned_transfers.sql", "switch": "0005_partitioned_journal.sql",
                "tasheem": "0008_partitioned_quotes.sql"}
# Months well before the current one: they get partitions only because rows are in them.
MONTHS = (dt.date(2025, 3, 1), dt.date(2025, 4, 1), dt.date(2025, 5, 1))
TRANSFERS = partitions.TABLES["wallet"][0]
JOURNAL = partitions.TABLES["switch"][0]
QUOTES = partitions.TABLES["tasheem"][0]


@pytest.fixture
def database(infra):
    name = f"club_part_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{harness.PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{harness.PG_URL}/{name}"
    harness.drop_database(name)


def _migrate(url: str) -> None:
    asyncio.run(migrate.migrate(url, list(migrate.SERVICES), echo=lambda *_: None))


def _maintain(url: str, table: partitions.Partitioned, now: dt.datetime, months_ahead: int = 3):
    async def run():
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            return await partitions.maintain(conn, table, now, months_ahead)
    return asyncio.run(run())


def _partitions_of(conn, table: partitions.Partitioned) -> list[str]:
    return [row[0] for row in conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = %s::regclass ORDER BY 1", (f"{table.schema}.{table.table}",)).fetchall()]


def _gauge(gauge, table: partitions.Partitioned) -> float:
    return gauge.labels(table.schema, table.table)._value.get()


def _at(month: dt.date, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(month.year, month.month, day, hour, tzinfo=UTC)


def test_months_are_made_ahead_once_and_a_row_without_its_month_is_kept_and_moved(database):
    _migrate(database)
    now = dt.datetime.now(UTC)
    current = partitions.month_of(now)
    ahead = [current]
    for _ in range(3):
        ahead.append(partitions.next_month(ahead[-1]))
    with psycopg.connect(database, autocommit=True) as conn:
        assert _partitions_of(conn, QUOTES) == sorted([QUOTES.partition(m) for m in ahead] + [QUOTES.default])
    again = _maintain(database, QUOTES, now)
    assert (again.made, again.moved, again.months_ahead, again.default_rows) == ([], 0, 3, 0)
    assert _gauge(partitions.MONTHS_AHEAD, QUOTES) == 3

    # A quote dated in a month nobody made: kept in DEFAULT, visible, and counted.
    far = partitions.next_month(ahead[-1])
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("INSERT INTO tasheem.quote_ids VALUES ('far-1', %s)", (_at(far, 10),))
        conn.execute("INSERT INTO tasheem.quotes (transaction_id, merchant_id, amount, discount, merchant_share,"
                     " response, created_at) VALUES ('far-1', 'm1', 1000, 100, 50, '', %s)", (_at(far, 10),))
        assert conn.execute("SELECT count(*) FROM tasheem.quotes_default").fetchone()[0] == 1
    # A job that makes fewer months ahead than the row needs still moves it into its month.
    report = _maintain(database, QUOTES, now, months_ahead=1)
    assert report.made == [QUOTES.partition(far)] and report.moved == 1 and report.default_rows == 0
    assert _gauge(partitions.DEFAULT_ROWS, QUOTES) == 0
    assert report.months_ahead == 4  # the current month's next four now have partitions, without a gap
    with psycopg.connect(database, autocommit=True) as conn:
        row = conn.execute(f"SELECT transaction_id, amount, merchant_share FROM tasheem.{QUOTES.partition(far)}")
        assert row.fetchall() == [("far-1", 1000, 50)]
        assert conn.execute("SELECT count(*) FROM tasheem.quotes_default").fetchone()[0] == 0


def test_the_gauges_show_a_missing_month_and_rows_in_default_until_the_job_runs(database):
    _migrate(database)
    later = dt.datetime.now(UTC) + dt.timedelta(days=200)  # a clock past the months made
    with psycopg.connect(database, autocommit=True) as conn:
        seq = conn.execute("INSERT INTO switch.transactions (transaction_id, kind, channel, response_code,"
                           " received_at, answered_at) VALUES ('t-late', 'purchase', 'iso', '00', %s, %s)"
                           " RETURNING seq", (later, later)).fetchone()[0]
        conn.execute("INSERT INTO switch.transaction_ids VALUES ('t-late', %s, %s)", (later, seq))
        assert conn.execute("SELECT count(*) FROM switch.transactions WHERE transaction_id = 't-late'").fetchone()[0] == 1
    assert _measure(database, JOURNAL, later) == (-1, 1)  # what ClubPartitionMissing fires on
    assert (_gauge(partitions.MONTHS_AHEAD, JOURNAL), _gauge(partitions.DEFAULT_ROWS, JOURNAL)) == (-1, 1)
    report = _maintain(database, JOURNAL, later, months_ahead=1)
    assert report.moved == 1 and (report.months_ahead, report.default_rows) == (1, 0)
    assert (_gauge(partitions.MONTHS_AHEAD, JOURNAL), _gauge(partitions.DEFAULT_ROWS, JOURNAL)) == (1, 0)
    assert partitions.month_of(later) in _existing(database, JOURNAL)


def _measure(url: str, table: partitions.Partitioned, now: dt.datetime):
    async def run():
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            return await partitions.measure(conn, table, now)
    return asyncio.run(run())


def _existing(url: str, table: partitions.Partitioned) -> set[dt.date]:
    async def run():
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            return await partitions.existing_months(conn, table)
    return asyncio.run(run())


# ---- the migrations move existing rows -------------------------------------------------------------

def _seed_unpartitioned(conn) -> None:
    """Rows in three months in the three tables as they were before the partitioning migrations."""
    conn.execute("INSERT INTO wallet.accounts (account_id, unit, kind) VALUES ('member:1:credit', 1, 1),"
                 " ('merchant:m1:payable', 1, 2)")
    for index, month in enumerate(MONTHS):
        for n in range(1, 4):
            at = _at(month, n * 5)
            conn.execute("INSERT INTO wallet.transfers (transfer_id, debit_account_id, credit_account_id, amount,"
                         " unit, code, flags, committed_at) VALUES (%s, 'member:1:credit', 'merchant:m1:payable',"
                         " %s, 1, 1, %s, %s)", (f"tr-{index}-{n}", 1000 * n + index, 1 if n == 1 else 0, at))
            conn.execute("INSERT INTO switch.transactions (transaction_id, kind, channel, amount, response_code,"
                         " received_at, answered_at) VALUES (%s, 'purchase', 'iso', %s, '00', %s, %s)",
                         (f"tx-{index}-{n}", 500 * n + index, at, at))
            conn.execute("INSERT INTO tasheem.quotes (transaction_id, merchant_id, amount, discount, merchant_share,"
                         " response, created_at) VALUES (%s, 'm1', %s, %s, %s, '\\x00', %s)",
                         (f"tx-{index}-{n}", 2000 * n, 100 * n, 10 * n + index, at))
        conn.execute("INSERT INTO wallet.pendings (pending_id, expires_at) VALUES (%s, %s)",
                     (f"tr-{index}-1", _at(month, 28)))
    conn.execute("INSERT INTO tasheem.offers (offer_id, spec, active) VALUES ('o1', '{}', true)")
    conn.execute("INSERT INTO tasheem.reservations (transaction_id, offer_id, discount, day_key, week_key, month_key)"
                 " VALUES ('tx-0-1', 'o1', 100, 'd', 'w', 'm')")


TOTALS = {
    "wallet.transfers": "count(*), sum(amount), sum(flags), count(DISTINCT transfer_id), max(sequence),"
                        " sum(extract(epoch FROM committed_at))::bigint",
    "switch.transactions": "count(*), sum(amount), count(DISTINCT transaction_id), max(seq),"
                           " sum(extract(epoch FROM received_at))::bigint",
    "tasheem.quotes": "count(*), sum(amount), sum(discount), sum(merchant_share),"
                      " sum(extract(epoch FROM created_at))::bigint",
}


def _totals(conn) -> dict[str, tuple]:
    return {table: conn.execute(f"SELECT {columns} FROM {table}").fetchone() for table, columns in TOTALS.items()}


def test_the_migrations_move_every_row_into_its_month_and_keep_ids_unique(database, monkeypatch):
    every = migrate.migration_files
    monkeypatch.setattr(migrate, "migration_files",
                        lambda service: [p for p in every(service) if p.name != PARTITIONING.get(service)])
    _migrate(database)
    with psycopg.connect(database, autocommit=True) as conn:
        assert conn.execute("SELECT relkind FROM pg_class WHERE oid = 'wallet.transfers'::regclass").fetchone()[0] == "r"
        _seed_unpartitioned(conn)
        before = _totals(conn)
    monkeypatch.setattr(migrate, "migration_files", every)
    _migrate(database)
    with psycopg.connect(database, autocommit=True) as conn:
        assert _totals(conn) == before
        for table in (TRANSFERS, JOURNAL, QUOTES):
            names = _partitions_of(conn, table)
            assert {table.partition(m) for m in MONTHS} <= set(names)
            assert conn.execute(f"SELECT count(*) FROM {table.schema}.{table.default}").fetchone()[0] == 0
            for month in MONTHS:  # each month's three rows, in its own partition
                assert conn.execute(f"SELECT count(*) FROM {table.schema}.{table.partition(month)}").fetchone()[0] == 3
        # Sequences carry on after the moved rows.
        conn.execute("INSERT INTO wallet.transfer_ids VALUES ('tr-new', now())")
        seq = conn.execute("INSERT INTO wallet.transfers (transfer_id, debit_account_id, credit_account_id, amount,"
                           " unit, code) VALUES ('tr-new', 'member:1:credit', 'merchant:m1:payable', 1, 1, 1)"
                           " RETURNING sequence").fetchone()[0]
        assert seq == before["wallet.transfers"][4] + 1
        # An id recorded in one month is refused in another.
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO wallet.transfer_ids VALUES ('tr-0-2', now())")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO switch.transaction_ids VALUES ('tx-1-1', now(), 0)")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO tasheem.quote_ids VALUES ('tx-2-3', now())")
        # The foreign keys that pointed at the old tables still hold.
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("INSERT INTO wallet.pendings (pending_id) VALUES ('no-such-transfer')")
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("INSERT INTO tasheem.reservations (transaction_id, offer_id, discount, day_key, week_key,"
                         " month_key) VALUES ('no-such-quote', 'o1', 1, 'd', 'w', 'm')")
        assert conn.execute("SELECT count(*) FROM wallet.pendings").fetchone()[0] == len(MONTHS)


# ---- a settlement reads only the partitions of its range -------------------------------------------

def _relations(plan) -> set[str]:
    """The tables a plan reads (scan nodes; an UPDATE's target node names the parent)."""
    found = set()
    if isinstance(plan, dict):
        if "Relation Name" in plan and "Scan" in plan.get("Node Type", ""):
            found.add(plan["Relation Name"])
        for value in plan.values():
            found |= _relations(value)
    elif isinstance(plan, list):
        for value in plan:
            found |= _relations(value)
    return found


def _explain(conn, statement: str, params) -> set[str]:
    row = conn.execute("EXPLAIN (FORMAT JSON) " + statement, params).fetchone()
    plan = row[0] if isinstance(row, tuple) else next(iter(row.values()))
    return _relations(plan if not isinstance(plan, str) else json.loads(plan))


def _seed_months(conn) -> dict[dt.date, list[int]]:
    """Ledger sales and quotes on the 5th, 15th and 25th of each month; each month's sequences."""
    conn.execute("INSERT INTO wallet.accounts (account_id, unit, kind) VALUES ('member:1:credit', 1, 1),"
                 " ('merchant:m1:payable', 1, 2)")
    sequences = {}
    for index, month in enumerate(MONTHS):
        sequences[month] = []
        for day in (5, 15, 25):
            at, transfer_id = _at(month, day), f"sale-{index}-{day}"
            conn.execute("INSERT INTO wallet.transfer_ids VALUES (%s, %s)", (transfer_id, at))
            sequences[month].append(conn.execute(
                "INSERT INTO wallet.transfers (transfer_id, debit_account_id, credit_account_id, amount, unit, code,"
                " committed_at) VALUES (%s, 'member:1:credit', 'merchant:m1:payable', %s, 1, 1, %s)"
                " RETURNING sequence", (transfer_id, 1000 * (index + 1) + day, at)).fetchone()[0])
            conn.execute("INSERT INTO tasheem.quote_ids VALUES (%s, %s)", (transfer_id, at))
            conn.execute("INSERT INTO tasheem.quotes (transaction_id, merchant_id, amount, discount, merchant_share,"
                         " response, created_at) VALUES (%s, 'm1', 10000, 100, %s, '\\x00', %s)",
                         (transfer_id, 10 * (index + 1), at))
    return sequences


async def _activity_params(url: str, after: int, up_to: int = 0, up_to_time: dt.datetime | None = None):
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row,
                                                     options="-c search_path=wallet") as conn:
        params = await queries.activity_range(conn, after, up_to, up_to_time)
        totals = await queries.merchant_activity(conn, after, up_to, up_to_time, [])
    return params, totals


def test_a_settlement_reads_only_the_partitions_of_its_range(database):
    _migrate(database)
    with psycopg.connect(database, autocommit=True) as conn:
        sequences = _seed_months(conn)
    for table in (TRANSFERS, QUOTES):  # the months the rows are in get partitions of their own
        assert _maintain(database, table, dt.datetime.now(UTC)).default_rows == 0
    april = MONTHS[1]
    # A batch after the March batch (the last March sale) up to a cut-off in late April.
    cutoff = _at(april, 27)
    params, activity = asyncio.run(_activity_params(database, sequences[MONTHS[0]][-1], up_to_time=cutoff))
    assert params["upto"] == sequences[april][-1]
    [merchant] = activity.merchants
    assert merchant.merchant_id == "m1" and merchant.sales == sum(2000 + day for day in (5, 15, 25))
    assert merchant.transfer_count == 3
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("SET search_path = wallet")
        touched = _explain(conn, queries.MERCHANT_ACTIVITY, params)
    # The range starts at the end of March (less the clock slack): March and April, not May.
    assert touched == {TRANSFERS.partition(MONTHS[0]), TRANSFERS.partition(april)}

    # A range inside one month reads that month only; the same totals as the sequence range says.
    params, activity = asyncio.run(_activity_params(database, sequences[april][0], sequences[april][2]))
    assert activity.merchants[0].sales == 2015 + 2025
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("SET search_path = wallet")
        assert _explain(conn, queries.MERCHANT_ACTIVITY, params) == {TRANSFERS.partition(april)}

    # The claim of quotes: from the previous cut-off (less the commit slack) to this one.
    previous_cutoff = _at(april, 10)
    since = previous_cutoff - settlement.QUOTE_COMMIT_SLACK
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("SET search_path = tasheem")
        assert _explain(conn, settlement.CLAIM_QUOTES, ("stl-x", since, cutoff)) == {QUOTES.partition(april)}
        claimed = conn.execute(settlement.CLAIM_QUOTES, ("stl-x", since, cutoff)).fetchall()
        assert sorted(share for _, share in claimed) == [20, 20]  # April's 15th and 25th


# ---- an id recorded in an earlier month is still a repeat ------------------------------------------

def test_an_id_first_recorded_in_an_earlier_month_is_a_repeat_for_each_writer(database):
    """The hot-path statements themselves (the ledger's group commit, the journal, the quotes'
    group commit), each given an id whose row is in an earlier month's partition."""
    _migrate(database)
    march = _at(MONTHS[0], 10)
    with psycopg.connect(database, autocommit=True) as conn:
        _seed_months(conn)  # sale-0-5 ... in the ledger and the quotes, March to May
        seq = conn.execute("INSERT INTO switch.transactions (transaction_id, kind, channel, amount, response_code,"
                           " approval_code, received_at, answered_at) VALUES ('iso-1', 'purchase', 'iso', 700, '00',"
                           " 'A1', %s, %s) RETURNING seq", (march, march)).fetchone()[0]
        conn.execute("INSERT INTO switch.transaction_ids VALUES ('iso-1', %s, %s)", (march, seq))
    for table in (TRANSFERS, QUOTES, JOURNAL):
        _maintain(database, table, dt.datetime.now(UTC))

    # The ledger: a transfer id used in March fails today's commit, as any duplicate does.
    with psycopg.connect(database) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("SET search_path = wallet")
        conn.execute(ledger.INSERT_TRANSFERS, (ledger.TRANSFERS.param([
            ("sale-0-5", "member:1:credit", "merchant:m1:payable", 1, 1, 1, 0, "", None, "", "", "")]),))

    # The quotes: a retried March transaction id inserts nothing (and no second row).
    with psycopg.connect(database, autocommit=True, row_factory=dict_row) as conn:
        conn.execute("SET search_path = tasheem")
        rows = conn.execute(quote.INSERT_QUOTES, {
            "quotes": quote.QUOTE_ROWS.param([("sale-0-5", "m1", "", "", 10000, 100, 10, b"\x01"),
                                              ("fresh-1", "m1", "", "", 5000, 0, 0, b"\x02")]),
            "reservations": quote.RESERVATION_ROWS.param([]), "coupons": quote.COUPON_USES.param([])}).fetchall()
        assert [row["transaction_id"] for row in rows] == ["fresh-1"]
        assert conn.execute("SELECT count(*) AS n FROM quotes WHERE transaction_id = 'sale-0-5'").fetchone()["n"] == 1

    # The journal: a retransmission of a March transaction is answered with the March row.
    async def journal_twice():
        pool = await db.open_pool(database, "switch", 1, 2, autocommit=True)
        book = journal.Journal(pool, logging.getLogger("test"))
        book.start()
        try:
            now = dt.datetime.now(UTC)
            again = await book.record(Outcome("05", transaction_id="iso-1", kind="purchase", channel="iso",
                                              amount=700, received_at=now, answered_at=now))
            new = await book.record(Outcome("00", transaction_id="iso-2", kind="purchase", channel="iso",
                                            amount=800, received_at=now, answered_at=now))
            stored = await journal.get(pool, "iso-1")
        finally:
            await book.stop()
            await pool.close()
        return again, new, stored

    again, new, stored = asyncio.run(journal_twice())
    assert (again["inserted"], again["response_code"], again["approval_code"], again["received_at"]) == \
        (False, "00", "A1", march)
    assert new["inserted"] and new["seq"] > again["seq"]
    assert stored["response_code"] == "00" and stored["received_at"] == march
