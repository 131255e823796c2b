"""Versioned migrations, one schema per service.

Each service keeps numbered SQL files in services/<name>/migrations/ (0001_init.sql, ...).
Applied files are recorded in <schema>.schema_migrations; each file runs in its own
transaction under an advisory lock, so concurrent runs (several replicas, a compose
job) apply each file once. Then the monthly partitions of the partitioned tables are made
(services/shared/partitions.py), so a fresh database takes rows for this month and the next ones.

    python -m services.shared.migrate                 # every service
    python -m services.shared.migrate cards wallet    # some
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import pathlib
import sys

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from . import config as cfg
from . import partitions

SERVICES = ("cards", "wallet", "tasheem", "switch", "crm", "audit")  # audit: the shared audit log (services/shared/audit.py)
SERVICES_ROOT = pathlib.Path(__file__).resolve().parent.parent
MIGRATION_LOCK_ID = 0x636C7562  # "club"


def migration_files(service: str) -> list[pathlib.Path]:
    return sorted((SERVICES_ROOT / service / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql"))


async def ensure_database(url: str) -> None:
    """Create the target database when it does not exist (fresh machines, CI)."""
    params = conninfo_to_dict(url)
    name = params.get("dbname", "postgres")
    admin = make_conninfo(url, dbname="postgres")
    async with await psycopg.AsyncConnection.connect(admin, autocommit=True) as conn:
        cur = await conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if await cur.fetchone() is None:
            await conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


async def migrate(url: str, services: list[str], echo=print) -> int:
    await ensure_database(url)
    applied_count = 0
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_ID,))
        try:
            for service in services:
                schema = sql.Identifier(service)
                await conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
                await conn.execute(sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {}.schema_migrations (version text PRIMARY KEY,"
                    " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())").format(schema))
                cur = await conn.execute(sql.SQL("SELECT version, checksum FROM {}.schema_migrations").format(schema))
                done = {row[0]: row[1] for row in await cur.fetchall()}
                for path in migration_files(service):
                    body = path.read_text()
                    checksum = hashlib.sha256(body.encode()).hexdigest()
                    if path.name in done:
                        if done[path.name] != checksum:
                            raise SystemExit(f"{service}/{path.name}: applied migration was edited; add a new file instead")
                        continue
                    async with conn.transaction():
                        await conn.execute(sql.SQL("SET LOCAL search_path TO {}, public").format(schema))
                        await conn.execute(body)
                        await conn.execute(sql.SQL("INSERT INTO {}.schema_migrations (version, checksum) VALUES (%s, %s)")
                                           .format(schema), (path.name, checksum))
                    applied_count += 1
                    echo(f"migrated {service}: {path.name}")
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_ID,))
    for service in services:  # this month's partitions and the next ones, and rows a migration moved
        for report in await partitions.maintain_service(url, service):
            if report.made:
                echo(f"partitions {service}: made {', '.join(report.made)}, moved {report.moved} rows")
    return applied_count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("services", nargs="*", help=f"any of {', '.join(SERVICES)}; none = all")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    unknown = sorted(set(args.services) - set(SERVICES))
    if unknown:
        parser.error(f"unknown service(s): {', '.join(unknown)}")
    try:
        url = args.database_url or cfg.load(cfg.COMMON).database_url
    except cfg.ConfigError as exc:
        sys.exit(f"configuration error: {exc}")
    count = asyncio.run(migrate(url, list(args.services) or list(SERVICES)))
    print(f"migrations up to date ({count} applied)")


if __name__ == "__main__":
    main()
