"""Postgres access every service shares: batch rows as a recordset arrive exactly as sent; a
pooled connection Postgres dropped is not handed out twice."""

from __future__ import annotations

import datetime as dt
import decimal

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.shared import db

URL = "postgresql://postgres@127.0.0.1:5432/test"


ROWS = db.Recordset(name="text", amount="bigint", flags="smallint", blob="bytea", at="timestamptz", tags="text[]",
                    note="text")
# What a Postgres text can hold: any Unicode but NUL (and no lone surrogates, which no valid string has).
text = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)))
rows = st.lists(st.tuples(text, st.integers(-2**63, 2**63 - 1), st.integers(-2**15, 2**15 - 1), st.binary(),
                          st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2200, 1, 1),
                                       timezones=st.just(dt.UTC)),
                          st.lists(text, max_size=3), st.none() | text), max_size=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows)
def test_rows_sent_as_a_recordset_come_back_unchanged(batch):
    with psycopg.connect(URL) as conn:  # rolled back on leaving: the test changes nothing
        got = conn.execute(f"SELECT {', '.join('u.' + name for name in ROWS.names)}, u.position"
                           f" FROM {ROWS.source(ordinality=True)} ORDER BY u.position",
                           (ROWS.param(batch),)).fetchall()
    assert [row[:-1] for row in got] == batch
    assert [row[-1] for row in got] == list(range(1, len(batch) + 1))


def test_a_value_without_a_json_form_is_refused_by_name():
    with pytest.raises(TypeError, match="Decimal"):
        ROWS.param([("a", decimal.Decimal(1), 0, b"", None, [], None)])


async def _backend_pid(pool) -> int:
    async with pool.connection() as conn:
        return (await (await conn.execute("SELECT pg_backend_pid() AS pid")).fetchone())["pid"]


async def _terminate(pid: int) -> None:
    async with await psycopg.AsyncConnection.connect(URL, autocommit=True) as admin:
        await admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


async def test_a_connection_dropped_while_idle_is_replaced_on_checkout(monkeypatch):
    monkeypatch.setattr(db, "CHECK_AFTER_IDLE_SECONDS", 0.0)  # every checkout counts as after idle
    pool = await db.open_pool(URL, "public", min_size=1, max_size=1)
    try:
        first = await _backend_pid(pool)
        await _terminate(first)
        assert await _backend_pid(pool) != first  # no error: the ping found it dead and a new one came
    finally:
        await pool.close()


async def test_a_connection_dropped_right_after_use_fails_once_then_is_replaced():
    pool = await db.open_pool(URL, "public", min_size=1, max_size=1)
    try:
        first = await _backend_pid(pool)
        await _terminate(first)
        with pytest.raises(psycopg.OperationalError):  # not pinged: returned moments ago
            await _backend_pid(pool)
        assert await _backend_pid(pool) != first  # the broken one was discarded on return
    finally:
        await pool.close()
