"""What monthly partitioning costs the purchase path's three inserts, measured alone: the
ledger's transfers (wallet group commit), the switch's journal and tasheem's quote records, each
as the statement the service sends, in batches of BATCH rows, one commit per batch. Two
databases side by side: one migrated up to the partitioning migrations (the tables plain, the
statements as they were before) and one fully migrated (partitioned tables with their DEFAULT
partition and the unpartitioned id tables). Rounds alternate between the two, so a busy period of
the machine lands on both. Reported: microseconds of wall time per row of the statement itself
(the commit's WAL flush, the same for both, is left out), the median of the rounds, with Postgres
on the same machine (its CPU is most of that time).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import statistics
import time
import uuid

import psycopg

from services.shared import migrate
from services.switch import journal
from services.tasheem import quote
from services.wallet import ledger
from tests import harness

BATCH = 20
ROUNDS = {True: 15, False: 60}
BATCHES_PER_ROUND = {True: 10, False: 25}
PARTITIONING = {"wallet": "0004_partitioned_transfers.sql", "switch": "0005_partitioned_journal.sql",
                "tasheem": "0008_partitioned_quotes.sql"}

# The statements as they were on the plain tables (before the partitioning migrations).
PLAIN_TRANSFERS = ledger.TRANSFERS.insert("transfers") + " RETURNING transfer_id, sequence"
PLAIN_JOURNAL = (f"INSERT INTO transactions ({', '.join(journal.COLUMNS)})"
                 f" SELECT {', '.join(f'u.{c}' for c in journal.COLUMNS)} FROM {journal.ROWS.source(ordinality=True)}"
                 " ORDER BY u.position"
                 " ON CONFLICT (transaction_id) DO UPDATE SET transaction_id = EXCLUDED.transaction_id"
                 " RETURNING seq, (xmax = 0) AS inserted, " + ", ".join(journal.COLUMNS))
PLAIN_QUOTES = f"""WITH q AS (
  {quote.QUOTE_ROWS.insert("quotes", "%(quotes)s")}
  ON CONFLICT (transaction_id) DO NOTHING
  RETURNING transaction_id
)
SELECT transaction_id FROM q
"""
# The quotes' statement without the reservation and coupon parts (the same in both).
PARTITIONED_QUOTES = quote.INSERT_QUOTES.split("), r AS (", 1)[0] + ")\nSELECT transaction_id FROM q\n"
assert "quote_ids" in PARTITIONED_QUOTES and "reservations" not in PARTITIONED_QUOTES


def _database(name: str, partitioned: bool) -> str:
    with psycopg.connect(f"{harness.PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{harness.PG_URL}/{name}"
    every = migrate.migration_files
    if not partitioned:
        migrate.migration_files = lambda s: [p for p in every(s) if p.name != PARTITIONING.get(s)]
    try:
        asyncio.run(migrate.migrate(url, list(migrate.SERVICES), echo=lambda *_: None))
    finally:
        migrate.migration_files = every
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO wallet.accounts (account_id, unit, kind) VALUES ('member:b:credit', 1, 1),"
                     " ('merchant:b:payable', 1, 2)")
    return url


def _batches(ids):
    now = dt.datetime.now(dt.UTC).isoformat()
    names = [next(ids) for _ in range(BATCH)]
    transfers = ledger.TRANSFERS.param(
        (n, "member:b:credit", "merchant:b:payable", 1000, 1, 1, 0, "", None, "", n, "") for n in names)
    rows = journal.ROWS.param(
        (n, "purchase", "iso", "0200", "000000", "T1", "M1", "000001", "603799******1234", "tok", "mem", 1000, 0, 10,
         None, None, "00", "A1", "", [], "", "", "", now, now) for n in names)
    quotes = {"quotes": quote.QUOTE_ROWS.param((n, "M1", "T1", "mem", 1000, 100, 50, b"\x01") for n in names),
              "reservations": quote.RESERVATION_ROWS.param([]), "coupons": quote.COUPON_USES.param([])}
    return transfers, rows, quotes


def _round(conn, statements, ids, batches: int) -> dict[str, float]:
    """Seconds per row of each statement over `batches` batches, each committed."""
    spent = {"transfers": 0.0, "journal": 0.0, "quotes": 0.0}
    for _ in range(batches):
        transfers, rows, quotes = _batches(ids)
        for name, (schema, statement, params) in {
                "transfers": ("wallet", statements["transfers"], (transfers,)),
                "journal": ("switch", statements["journal"], (rows,)),
                "quotes": ("tasheem", statements["quotes"], quotes)}.items():
            conn.execute(f"SET search_path = {schema}")
            with conn.transaction():  # the commit (a WAL flush, the same for both) is not counted
                started = time.perf_counter()
                assert len(conn.execute(statement, params).fetchall()) == BATCH
                spent[name] += time.perf_counter() - started
    return {name: seconds / (batches * BATCH) for name, seconds in spent.items()}


def run(short: bool = False) -> dict:
    harness.ensure_infra()
    tag = uuid.uuid4().hex[:6]
    plain_url = _database(f"club_bench_plain_{tag}", partitioned=False)
    partitioned_url = _database(f"club_bench_part_{tag}", partitioned=True)
    statements = {
        "plain": {"transfers": PLAIN_TRANSFERS, "journal": PLAIN_JOURNAL, "quotes": PLAIN_QUOTES},
        "partitioned": {"transfers": ledger.INSERT_TRANSFERS, "journal": journal.INSERT, "quotes": PARTITIONED_QUOTES},
    }
    ids = (f"b-{n}" for n in itertools.count())
    rounds: dict[str, list[dict[str, float]]] = {"plain": [], "partitioned": []}
    try:
        with psycopg.connect(plain_url, autocommit=True) as plain, \
                psycopg.connect(partitioned_url, autocommit=True) as partitioned:
            connections = {"plain": plain, "partitioned": partitioned}
            for kind, conn in connections.items():  # warm-up: plans, caches
                _round(conn, statements[kind], ids, 3)
            for index in range(ROUNDS[short]):
                order = ("plain", "partitioned") if index % 2 == 0 else ("partitioned", "plain")
                for kind in order:
                    rounds[kind].append(_round(connections[kind], statements[kind], ids, BATCHES_PER_ROUND[short]))
    finally:
        for url in (plain_url, partitioned_url):
            harness.drop_database(url.rsplit("/", 1)[1])
    result = {"rows_per_commit": BATCH, "rounds": ROUNDS[short], "commits_per_round": BATCHES_PER_ROUND[short]}
    for kind, found in rounds.items():
        result[kind] = {name: round(statistics.median(r[name] for r in found) * 1e6, 1) for name in found[0]}
    result["unit"] = "microseconds of wall time per row of the statement (median of rounds), commit excluded"
    return result


if __name__ == "__main__":
    print(run(short=True))
