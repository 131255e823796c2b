"""Postgres access: an async pool per service, pinned to the service's own schema."""

from __future__ import annotations

import time

import orjson
from psycopg import AsyncConnection
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

POOL_TIMEOUT_SECONDS = 5.0
STATEMENT_TIMEOUT_MS = 5_000
# A connection handed back less than this long ago is handed out again without a ping: on the hot
# path the ping was a round trip per checkout (journal, ledger and quote commits). One that broke
# meanwhile fails its statement, is discarded when returned, and the caller answers as for any
# lost connection.
CHECK_AFTER_IDLE_SECONDS = 1.0
# Each host of the URL gets this long to accept a connection before the next is tried: libpq waits
# forever by default (psycopg: 130 s), and after a failover the first host listed may be a dead
# machine that never answers.
CONNECT_TIMEOUT_SECONDS = 3
# A server that vanished without closing its sockets (a lost machine, a partition): idle
# connections are found dead by keepalives, and a statement sent to it fails after
# TCP_USER_TIMEOUT_MS instead of the kernel's ~15 minutes of retransmissions.
KEEPALIVE_IDLE_SECONDS, KEEPALIVE_INTERVAL_SECONDS, KEEPALIVE_COUNT = 10, 5, 3
TCP_USER_TIMEOUT_MS = 10_000
# A pool whose server is gone retries each lost connection after 1, 2, 4, 8 ... s (psycopg_pool),
# doubling without a cap: after a 30 s failover the next try could be 30 s later still. Giving
# up on a connection after this long lets the pool grow again on demand from a fresh 1 s
# backoff, so a promoted standby is found within a few seconds whenever it comes.
RECONNECT_TIMEOUT_SECONDS = 8.0


class Recordset:
    """A batch of rows sent as one JSON parameter and read back by Postgres' json_to_recordset:
    one statement per batch, and cheaper on both ends than one array parameter per column
    (measured, docs/performance.md). Bytes travel as bytea's hex text, datetimes as ISO 8601,
    lists as JSON arrays (read into array columns). orjson writes the JSON: ~0.5 µs per
    21-column row against ~9 µs for the standard library's encoder.

        TRANSFERS = Recordset(transfer_id="text", amount="bigint")
        cur.execute(TRANSFERS.insert("transfers"), (TRANSFERS.param(rows),))
    """

    def __init__(self, **columns: str):
        assert columns, "a recordset has columns"
        self.names = tuple(columns)
        self.definitions = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())

    def source(self, placeholder: str = "%s", alias: str = "u", ordinality: bool = False) -> str:
        """The FROM item; with `ordinality`, a `position` column numbers the rows from 1 in order."""
        function = f"json_to_recordset({placeholder}::json)"
        if ordinality:
            return f"ROWS FROM ({function} AS ({self.definitions})) WITH ORDINALITY AS {alias}({', '.join(self.names)}, position)"
        return f"{function} AS {alias}({self.definitions})"

    def insert(self, table: str, placeholder: str = "%s") -> str:
        """`INSERT INTO table (the columns) SELECT * FROM` the recordset; clauses may follow."""
        return f"INSERT INTO {table} ({', '.join(self.names)}) SELECT * FROM {self.source(placeholder)}"

    def param(self, rows) -> str:
        names = self.names  # zip(strict): every row has one value per column
        return orjson.dumps([dict(zip(names, row, strict=True)) for row in rows], default=_json_value).decode()


def _json_value(value):
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    raise TypeError(f"{type(value).__name__} has no JSON form for a recordset")


def schema_conninfo(url: str, schema: str) -> str:
    """Connection string whose sessions use `schema` first, with a statement timeout, and the
    connect and TCP timeouts above unless the URL sets its own."""
    params = conninfo_to_dict(url)
    options = f"{params.get('options', '')} -c search_path={schema},public -c statement_timeout={STATEMENT_TIMEOUT_MS}"
    defaults = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, "keepalives_idle": KEEPALIVE_IDLE_SECONDS,
                "keepalives_interval": KEEPALIVE_INTERVAL_SECONDS, "keepalives_count": KEEPALIVE_COUNT,
                "tcp_user_timeout": TCP_USER_TIMEOUT_MS}
    return make_conninfo(url, options=options.strip(),
                         **{name: value for name, value in defaults.items() if name not in params})


async def _mark_returned(conn: AsyncConnection) -> None:
    conn.club_returned_at = time.monotonic()


async def _check_if_idle(conn: AsyncConnection) -> None:
    if time.monotonic() - getattr(conn, "club_returned_at", 0.0) >= CHECK_AFTER_IDLE_SECONDS:
        await AsyncConnectionPool.check_connection(conn)


async def open_pool(url: str, schema: str, min_size: int = 2, max_size: int = 10,
                    autocommit: bool = False) -> AsyncConnectionPool:
    """`autocommit`: for a service whose every statement is a transaction by itself (the switch):
    no BEGIN and COMMIT round trips around each one; `conn.transaction()` still groups statements."""
    pool = AsyncConnectionPool(
        schema_conninfo(url, schema),
        min_size=min_size,
        max_size=max_size,
        timeout=POOL_TIMEOUT_SECONDS,
        kwargs={"row_factory": dict_row, "autocommit": autocommit},
        # A connection Postgres (or the network) dropped while idle is replaced on checkout.
        check=_check_if_idle,
        reset=_mark_returned,
        reconnect_timeout=RECONNECT_TIMEOUT_SECONDS,
        open=False,
    )
    await pool.open(wait=True, timeout=POOL_TIMEOUT_SECONDS * 2)
    return pool


async def connect(url: str, schema: str, autocommit: bool = True) -> AsyncConnection:
    return await AsyncConnection.connect(schema_conninfo(url, schema), autocommit=autocommit, row_factory=dict_row)
