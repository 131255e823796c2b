"""Monthly partitions of the append-only tables, made ahead of time.

The ledger's transfers (wallet), the switch's journal and tasheem's quote records are
partitioned by month on their time column (PARTITION BY RANGE, months in UTC), each with a
DEFAULT partition so that a row for a month nobody made a partition for is kept, never refused.
`maintain` makes the current month and the next PARTITION_MONTHS_AHEAD ones, and moves any rows
that reached the DEFAULT partition into partitions of their own months. Every service runs it
for its tables at start and every PARTITION_CHECK_SECONDS, and `python -m services.shared.migrate`
runs it after the migrations; the gauges below feed the ClubPartitionMissing alert.

A partition is made as a table of its own and then attached (SHARE UPDATE EXCLUSIVE on the
parent: inserts go on meanwhile), never with CREATE TABLE ... PARTITION OF (ACCESS EXCLUSIVE:
every insert would wait). Replicas doing this at once take turns on an advisory lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging

from prometheus_client import Gauge
from psycopg import AsyncConnection, sql

from .limits import PARTITION_CHECK_SECONDS, PARTITION_LOCK_TIMEOUT_MS, PARTITION_MONTHS_AHEAD

PARTITION_LOCK_ID = 0x70617274  # "part"

MONTHS_AHEAD = Gauge("club_partition_months_ahead",
                     "months after the current one that already have a partition (the next missing one minus one)",
                     ["schema", "table"])
DEFAULT_ROWS = Gauge("club_partition_default_rows",
                     "rows in the DEFAULT partition: months without a partition of their own", ["schema", "table"])


@dataclasses.dataclass(frozen=True)
class Partitioned:
    schema: str
    table: str
    column: str  # the timestamptz partition key

    @property
    def default(self) -> str:
        return f"{self.table}_default"

    def partition(self, month: dt.date) -> str:
        return f"{self.table}_{month:%Y_%m}"


# The partitioned tables, by the service (schema) that owns them.
TABLES = {
    "wallet": (Partitioned("wallet", "transfers", "committed_at"),),
    "switch": (Partitioned("switch", "transactions", "received_at"),),
    "tasheem": (Partitioned("tasheem", "quotes", "created_at"),),
}


def month_of(moment: dt.datetime | dt.date) -> dt.date:
    """The first day of the UTC month `moment` falls in."""
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(dt.UTC).date()
    return moment.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def bound(month: dt.date) -> dt.datetime:
    return dt.datetime(month.year, month.month, 1, tzinfo=dt.UTC)


@dataclasses.dataclass
class Report:
    made: list[str]           # partitions made by this run
    moved: int                # rows moved out of the DEFAULT partition
    months_ahead: int         # months after the current one with a partition (-1: not even the current one)
    default_rows: int         # rows left in the DEFAULT partition (0 after a run that could move them)


async def existing_months(conn: AsyncConnection, table: Partitioned) -> set[dt.date]:
    """The months that have a partition of their own (by name: only `maintain` makes them)."""
    cur = await conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace"
        " WHERE n.nspname = %s AND p.relname = %s", (table.schema, table.table))
    months = set()
    prefix = table.table + "_"
    for (name,) in await cur.fetchall():
        suffix = name[len(prefix):] if name.startswith(prefix) else ""
        if len(suffix) == 7 and suffix[4] == "_" and suffix.replace("_", "").isdigit():
            months.add(dt.date(int(suffix[:4]), int(suffix[5:]), 1))
    return months


async def _default_months(conn: AsyncConnection, table: Partitioned) -> list[dt.date]:
    cur = await conn.execute(sql.SQL("SELECT DISTINCT date_trunc('month', {c} AT TIME ZONE 'UTC')::date FROM {t}")
                             .format(c=sql.Identifier(table.column), t=sql.Identifier(table.schema, table.default)))
    return sorted(row[0] for row in await cur.fetchall())


async def _default_count(conn: AsyncConnection, table: Partitioned) -> int:
    cur = await conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table.schema, table.default)))
    return (await cur.fetchone())[0]


async def _make(conn: AsyncConnection, table: Partitioned, month: dt.date) -> int:
    """Make `month`'s partition, moving its rows out of the DEFAULT partition; rows moved.
    One transaction: the rows are in exactly one of the two partitions whatever happens."""
    name = sql.Identifier(table.schema, table.partition(month))
    parent = sql.Identifier(table.schema, table.table)
    default = sql.Identifier(table.schema, table.default)
    column = sql.Identifier(table.column)
    low, high = bound(month), bound(next_month(month))
    async with conn.transaction():
        await conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(PARTITION_LOCK_TIMEOUT_MS)))
        await conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                           .format(name, parent))
        # The bound as a CHECK lets ATTACH skip its scan of the new table.
        await conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({c} >= {lo} AND {c} < {hi})").format(
            name, sql.Identifier(table.partition(month) + "_bound"), c=column, lo=sql.Literal(low),
            hi=sql.Literal(high)))
        cur = await conn.execute(sql.SQL("WITH moved AS (DELETE FROM {d} WHERE {c} >= %s AND {c} < %s RETURNING *)"
                                         " INSERT INTO {n} SELECT * FROM moved").format(d=default, c=column, n=name),
                                 (low, high))
        moved = cur.rowcount
        await conn.execute(sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES FROM ({}) TO ({})").format(
            parent, name, sql.Literal(low), sql.Literal(high)))
        await conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
            name, sql.Identifier(table.partition(month) + "_bound")))
    return moved


async def maintain(conn: AsyncConnection, table: Partitioned, now: dt.datetime,
                   months_ahead: int = PARTITION_MONTHS_AHEAD) -> Report:
    """Make the partitions of this month and the next `months_ahead`, and of every month that has
    rows in the DEFAULT partition. `conn` must be in autocommit mode (each partition is its own
    transaction); safe to run from several replicas at once."""
    assert conn.autocommit, "each partition is made in a transaction of its own"
    await conn.execute("SELECT pg_advisory_lock(%s)", (PARTITION_LOCK_ID,))
    try:
        have = await existing_months(conn, table)
        current = month_of(now)
        wanted = [current]
        for _ in range(months_ahead):
            wanted.append(next_month(wanted[-1]))
        wanted += await _default_months(conn, table)
        made, moved = [], 0
        for month in sorted(set(wanted) - have):
            moved += await _make(conn, table, month)
            made.append(table.partition(month))
            have.add(month)
    finally:
        await conn.execute("SELECT pg_advisory_unlock(%s)", (PARTITION_LOCK_ID,))
    months_ahead, default_rows = await measure(conn, table, now)
    return Report(made, moved, months_ahead, default_rows)


async def measure(conn: AsyncConnection, table: Partitioned, now: dt.datetime) -> tuple[int, int]:
    """Months ahead of `now`'s with a partition, and rows in DEFAULT; also set as the gauges."""
    months_ahead = _ahead(await existing_months(conn, table), month_of(now))
    default_rows = await _default_count(conn, table)
    MONTHS_AHEAD.labels(table.schema, table.table).set(months_ahead)
    DEFAULT_ROWS.labels(table.schema, table.table).set(default_rows)
    return months_ahead, default_rows


def _ahead(have: set[dt.date], current: dt.date) -> int:
    """Months after `current` covered without a gap; -1 when the current month itself has none."""
    if current not in have:
        return -1
    count, month = 0, next_month(current)
    while month in have:
        count, month = count + 1, next_month(month)
    return count


async def maintain_service(url: str, schema: str, now: dt.datetime | None = None) -> list[Report]:
    """`maintain` for every partitioned table of one service, on a connection of its own."""
    now = now or dt.datetime.now(dt.UTC)
    async with await AsyncConnection.connect(url, autocommit=True) as conn:
        return [await maintain(conn, table, now) for table in TABLES.get(schema, ()) if await _partitioned(conn, table)]


async def _partitioned(conn: AsyncConnection, table: Partitioned) -> bool:
    """False before the migration that partitions the table has run."""
    cur = await conn.execute("SELECT c.relkind = 'p' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                             " WHERE n.nspname = %s AND c.relname = %s", (table.schema, table.table))
    row = await cur.fetchone()
    return bool(row and row[0])


async def keep_made(url: str, schema: str, log: logging.Logger) -> None:
    """A service's task: `maintain_service` now and every PARTITION_CHECK_SECONDS. A failure is
    logged and retried next round; the gauges keep the last values, and ClubPartitionMissing fires
    if months run out."""
    while True:
        try:
            for report in await maintain_service(url, schema):
                if report.made:
                    log.info("partitions made", extra={"partitions": report.made, "moved_rows": report.moved})
        except Exception as exc:  # noqa: BLE001 - a lock timeout or a lost connection: next round
            log.error("making partitions failed", extra={"error": str(exc)})
            with contextlib.suppress(Exception):  # the gauges say what is there, for the alert
                async with await AsyncConnection.connect(url, autocommit=True) as conn:
                    for table in TABLES.get(schema, ()):
                        await measure(conn, table, dt.datetime.now(dt.UTC))
        await asyncio.sleep(PARTITION_CHECK_SECONDS)
