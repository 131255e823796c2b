"""A primary and a synchronous standby of our own (scripts/pg_standby.py): a commit waits for the
standby; the multi-host URL reaches only the primary; the standby is promoted only once the
primary is gone. Then the drill (scripts/pg_failover.py, short): the primary SIGKILLed under ISO
8583 load, the standby promoted, every approval on the new primary once, no declined purchase
posted, and the services back by themselves."""

from __future__ import annotations

import pathlib
import shutil
import tempfile
import threading
import time

import psycopg
import pytest

from tests import harness
from tests.security.conftest import load_script

pg_standby = load_script("pg_standby")
pg_failover = load_script("pg_failover")

# kill -> first approval after, with DETECT_SECONDS of it spent deciding to promote: the pools
# find the new primary within a few seconds (services/shared/db.py, RECONNECT_TIMEOUT_SECONDS).
DETECT_SECONDS = 3.0
FAILOVER_BUDGET_SECONDS = DETECT_SECONDS + 20.0
WAIT_SECONDS = 2.0


@pytest.fixture(scope="module")
def pair():
    base = pathlib.Path(tempfile.mkdtemp(prefix="club-pg-pair-"))  # the postgres user must reach it
    made = pg_standby.Pair.create(base)
    yield made
    made.destroy()
    shutil.rmtree(base, ignore_errors=True)


def test_a_commit_returns_only_once_the_standby_has_it(pair):
    primary, standby = pair.primary(), pair.standby()
    with primary.connect() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS sync_probe (n int)")
    standby.stop()
    committed = threading.Event()

    def commit():
        with primary.connect() as conn:
            conn.execute("INSERT INTO sync_probe VALUES (1)")
        committed.set()

    writer = threading.Thread(target=commit, daemon=True)
    writer.start()
    try:
        assert not committed.wait(WAIT_SECONDS), "the commit returned with its standby down"
    finally:
        standby.start()
    assert committed.wait(pg_standby.SYNC_TIMEOUT_SECONDS)
    with standby.connect() as conn:
        assert conn.execute("SELECT count(*) FROM sync_probe").fetchone()[0] == 1


def test_the_multi_host_url_reaches_the_primary_and_never_the_standby(pair):
    with psycopg.connect(pair.url(), connect_timeout=3) as conn:
        assert conn.info.port == pair.primary().port
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0] is False
    standby_only = f"postgresql://postgres@127.0.0.1:{pair.standby().port}/postgres?target_session_attrs=read-write"
    with pytest.raises(psycopg.OperationalError, match="read-only"):
        psycopg.connect(standby_only, connect_timeout=3)


def test_the_standby_is_not_promoted_while_the_primary_runs(pair):
    with pytest.raises(SystemExit, match="still running"):
        pair.promote()
    assert [row["role"] for row in pair.status()] == ["primary", "standby"]


@pytest.mark.slow
def test_a_killed_primary_loses_no_approval_and_the_services_find_the_promoted_standby(tmp_path):
    missing = [name for name in pg_failover.SERVICES if name not in harness.available_services()]
    if missing:
        pytest.skip(f"the drill needs every service; not in this tree yet: {', '.join(missing)}")
    started = time.monotonic()
    result = pg_failover.run(short=True, detect_seconds=DETECT_SECONDS, workdir=tmp_path / "failover")
    pg_failover.print_result(result, DETECT_SECONDS)
    print(f"drill took {time.monotonic() - started:.0f} s")
    assert result.error == ""
    assert (result.lost, result.declined_but_posted) == (0, 0)
    assert result.services_restarted == []
    assert result.approved > 0 and result.declined_unavailable > 0  # the outage was real, and answered
    assert result.failover_seconds < FAILOVER_BUDGET_SECONDS
