"""CLUB_DATABASE_URL with several hosts (a primary and its standbys) and CLUB_DATABASE_HOSTS: what is
accepted, what is refused by name without quoting a password, and that a pool on such a URL
really skips a host that is down or never answers. The failover itself (a standby promoted
under load) is tests/security/test_failover.py."""

from __future__ import annotations

import asyncio
import socket
import time

import psycopg
import pytest

from services.shared import config as cfg
from services.shared import db

PASSWORD = "s3cret-pw"
LOCAL_POSTGRES = "127.0.0.1:5432"


def database_url(**env: str) -> str:
    return cfg.load(cfg.COMMON, env).database_url


def refusal(**env: str) -> cfg.ConfigError:
    with pytest.raises(cfg.ConfigError) as info:
        cfg.load(cfg.COMMON, env)
    assert PASSWORD not in str(info.value)
    return info.value


def params(conninfo: str) -> dict:
    from psycopg.conninfo import conninfo_to_dict

    return conninfo_to_dict(conninfo)


def test_a_single_host_url_is_used_as_written():
    url = f"postgresql://club:{PASSWORD}@pg.internal:5432/club"
    assert database_url(CLUB_DATABASE_URL=url) == url


def test_several_hosts_take_the_writable_one_by_default():
    got = params(database_url(CLUB_DATABASE_URL=f"postgresql://club:{PASSWORD}@pg-a:5432,pg-b:5433/club"))
    assert (got["host"], got["port"], got["target_session_attrs"]) == ("pg-a,pg-b", "5432,5433", "read-write")
    got = params(database_url(CLUB_DATABASE_URL="postgresql://club@pg-a,pg-b/club?target_session_attrs=primary"))
    assert got["target_session_attrs"] == "primary"


@pytest.mark.parametrize(("url", "why"), [
    (f"postgresql://club:{PASSWORD}@pg-a:5432,pg-b:5432/club?target_session_attrs=any", "may send writes to a standby"),
    (f"postgresql://club:{PASSWORD}@pg-a,pg-b/club?target_session_attrs=prefer-standby", "may send writes to a standby"),
    (f"postgresql://club:{PASSWORD}@pg-a:99999/club", "port '99999' is not a TCP port"),
    (f"postgresql://club:{PASSWORD}@pg-a/club?no_such_option=1", "not a Postgres URL"),
    (f"host=pg-a password={PASSWORD} port", "not a Postgres URL"),
])
def test_a_bad_url_is_refused_by_name_without_its_password(url, why):
    error = refusal(CLUB_DATABASE_URL=url)
    assert error.name == "CLUB_DATABASE_URL" and why in str(error)


def test_hosts_and_ports_must_pair_up():
    error = refusal(CLUB_DATABASE_URL=f"host=pg-a,pg-b,pg-c port=5432,5433 password={PASSWORD}")
    assert "names 3 hosts and 2 ports" in str(error)


def test_database_hosts_replace_the_urls_and_keep_its_credentials():
    got = params(database_url(CLUB_DATABASE_URL=f"postgresql://club:{PASSWORD}@/club",
                              CLUB_DATABASE_HOSTS="pg-0.pg:5432, pg-1.pg:5432"))
    assert (got["host"], got["port"], got["target_session_attrs"]) == ("pg-0.pg,pg-1.pg", "5432,5432", "read-write")
    assert (got["user"], got["password"], got["dbname"]) == ("club", PASSWORD, "club")


@pytest.mark.parametrize(("hosts", "why"), [
    ("pg-0.pg,pg-1.pg:5432", "'pg-0.pg' is not host:port"),
    ("pg-0.pg:5432,pg-1.pg:http", "'pg-1.pg:http' is not host:port"),
    ("pg-0.pg:0", "port 0"),
])
def test_bad_database_hosts_are_refused_by_name(hosts, why):
    error = refusal(CLUB_DATABASE_HOSTS=hosts)
    assert error.name == "CLUB_DATABASE_HOSTS" and why in str(error)


def test_database_hosts_with_a_url_asking_for_a_standby_are_refused():
    error = refusal(CLUB_DATABASE_URL=f"postgresql://club:{PASSWORD}@/club?target_session_attrs=read-only",
                    CLUB_DATABASE_HOSTS="pg-0.pg:5432,pg-1.pg:5432")
    assert error.name == "CLUB_DATABASE_HOSTS" and "may send writes to a standby" in str(error)


def test_connections_get_connect_and_tcp_timeouts_unless_the_url_sets_them():
    got = params(db.schema_conninfo("postgresql://club@pg-a,pg-b/club?connect_timeout=7", "wallet"))
    assert got["connect_timeout"] == "7"
    assert got["tcp_user_timeout"] == str(db.TCP_USER_TIMEOUT_MS)
    assert "search_path=wallet,public" in got["options"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _pool_port(url: str) -> tuple[int, float]:
    started = time.monotonic()
    pool = await db.open_pool(url, "public", min_size=1, max_size=1)
    try:
        async with pool.connection() as conn:
            return conn.info.port, time.monotonic() - started
    finally:
        await pool.close()


def test_a_pool_skips_a_host_that_refuses_connections():
    url = database_url(CLUB_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{closed_port()},{LOCAL_POSTGRES}/postgres")
    port, _ = asyncio.run(_pool_port(url))
    assert port == 5432


def test_a_pool_skips_a_host_that_accepts_and_never_answers_after_the_connect_timeout():
    with socket.socket() as silent:  # the kernel completes the handshake; nobody ever speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = database_url(CLUB_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{silent.getsockname()[1]},"
                                             f"{LOCAL_POSTGRES}/postgres")
        port, seconds = asyncio.run(_pool_port(url))
    assert port == 5432
    assert db.CONNECT_TIMEOUT_SECONDS <= seconds < db.CONNECT_TIMEOUT_SECONDS * 2 + 2


OUTAGE_SECONDS = 20.0
FOUND_AGAIN_WITHIN_SECONDS = 6.0


async def _seconds_to_find_the_server_again(proxy) -> float:
    """Callers keep asking for connections through an outage, as a service under load does."""
    from psycopg_pool import PoolTimeout

    pool = await db.open_pool(f"postgresql://postgres@127.0.0.1:{proxy.port}/postgres", "public",
                              min_size=1, max_size=2)

    async def select_one() -> bool:
        try:
            async with pool.connection(timeout=1.0) as conn:
                await conn.execute("SELECT 1")
            return True
        except (PoolTimeout, psycopg.OperationalError):
            return False

    try:
        proxy.set_down(True)
        outage_ends = time.monotonic() + OUTAGE_SECONDS
        while time.monotonic() < outage_ends:
            await select_one()
            await asyncio.sleep(0.5)
        proxy.set_down(False)
        back = time.monotonic()
        while not await select_one():
            await asyncio.sleep(0.2)
        return time.monotonic() - back
    finally:
        await pool.close()


def test_a_pool_finds_its_server_again_within_seconds_after_a_long_outage():
    """psycopg_pool alone doubles its retry delay without a cap (1, 2, 4, 8, 16 s ...): after
    20 s down its next try may come 10 s after the server is back. RECONNECT_TIMEOUT_SECONDS
    starts the backoff afresh."""
    from tests.security.conftest import load_script

    proxy = load_script("faultproxy").FaultProxy("127.0.0.1", 5432, "postgres").start()
    try:
        seconds = asyncio.run(_seconds_to_find_the_server_again(proxy))
    finally:
        proxy.close()
    print(f"found again {seconds:.1f} s after the outage")
    assert seconds < FOUND_AGAIN_WITHIN_SECONDS
