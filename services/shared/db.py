"""Postgres access: an async pool per service, pinned to the service's own schema."""

from __future__ import annotations

from psycopg import AsyncConnection
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

POOL_TIMEOUT_SECONDS = 5.0
STATEMENT_TIMEOUT_MS = 5_000


def unnest_columns(rows: list[tuple], width: int) -> list[list]:
    """Rows as one list per column: the parameters of an `INSERT ... SELECT FROM unnest(...)`,
    which inserts a whole batch in one statement."""
    assert all(len(row) == width for row in rows), "every row has one value per column"
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def schema_conninfo(url: str, schema: str) -> str:
    """Connection string whose sessions use `schema` first, with a statement timeout."""
    options = conninfo_to_dict(url).get("options", "")
    options = f"{options} -c search_path={schema},public -c statement_timeout={STATEMENT_TIMEOUT_MS}".strip()
    return make_conninfo(url, options=options)


async def open_pool(url: str, schema: str, min_size: int = 2, max_size: int = 10) -> AsyncConnectionPool:
    pool = AsyncConnectionPool(
        schema_conninfo(url, schema),
        min_size=min_size,
        max_size=max_size,
        timeout=POOL_TIMEOUT_SECONDS,
        kwargs={"row_factory": dict_row, "autocommit": False},
        # A connection Postgres (or the network) dropped is replaced on checkout, not handed out.
        check=AsyncConnectionPool.check_connection,
        open=False,
    )
    await pool.open(wait=True, timeout=POOL_TIMEOUT_SECONDS * 2)
    return pool


async def connect(url: str, schema: str, autocommit: bool = True) -> AsyncConnection:
    return await AsyncConnection.connect(schema_conninfo(url, schema), autocommit=autocommit, row_factory=dict_row)
