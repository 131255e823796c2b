"""The chaos proxy really fails: 'down' cuts live connections and refuses new ones."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.security.conftest import load_script

faultproxy = load_script("faultproxy")


@pytest.fixture
def pg_proxy(stack):
    params = conninfo_to_dict(stack.database_url)
    proxy = faultproxy.FaultProxy(params.get("host", "127.0.0.1"), int(params.get("port", 5432)), "postgres").start()
    yield proxy, make_conninfo(stack.database_url, host="127.0.0.1", port=str(proxy.port), connect_timeout="3")
    proxy.close()


def test_postgres_through_the_proxy_goes_down_and_comes_back(pg_proxy):
    proxy, url = pg_proxy
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT 41 + 1").fetchone() == (42,)
        proxy.set_down(True)
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url)
    proxy.set_down(False)
    proxy.set_latency(0.01)
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        proxy.cut()
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
