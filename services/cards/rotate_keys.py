"""Re-encrypt every Vault ciphertext the cards service holds to the current data key version,
online: PANs, product CVKs and terminal keys.

    python -m services.cards.rotate_keys                 # rotate to CLUB_DATA_KEY_VERSION (or the highest)
    python -m services.cards.rotate_keys --dry-run       # count what is still on older versions

Procedure: add the new key to CLUB_DATA_KEYS everywhere (wrapped, with its KCV) and roll the
services so new rows are written under it; run this; when it reports nothing left on older
versions, the old key may be removed.

Online and safe while purchases flow: rows are read in `seq` order in small batches, each
batch is one short transaction, and each row is updated only if its ciphertext is still
the one we read (compare-and-set), so a concurrent writer is never overwritten. Resumable:
after every batch the last `seq` done is saved to a checkpoint file; a rerun continues from
there, and a final sweep by key version catches rows written by a service still running
with the old key during the rollout.

The Redis auth profiles carry the PAN and terminal-key ciphertexts, so each re-encrypted row
also gets `version = version + 1` (the cards service's rule for any change) and its profile
rewritten through services.cards.profiles after the batch commits: a writer racing with us
holds a lower version and cannot put the old ciphertext back.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pathlib
import sys
from dataclasses import dataclass
from types import SimpleNamespace

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from tqdm import tqdm

from services.cards import profiles
from services.shared import config as cfg
from services.shared import db, redis_scripts
from services.shared import vault as vault_module

BATCH_ROWS = 500
PAUSE_BETWEEN_BATCHES_SECONDS = 0.0
CHECKPOINT_NAME = "rotate_keys.checkpoint.json"
LUA_DIR = pathlib.Path(__file__).resolve().parent / "lua"


@dataclass(frozen=True)
class Target:
    """A table whose rows hold Vault ciphertexts sealed with the row's key as AAD."""

    table: str
    key_column: str
    ciphertext_columns: tuple[str, ...]
    version_column: str = ""  # kept equal to the PAN ciphertext's key version
    profile: str = ""  # the Redis read model to rewrite: "card", "terminal" or none


TARGETS = (
    Target("cards", "card_token", ("pan_ciphertext",), "pan_key_version", "card"),
    Target("products", "product_id", ("cvk_ciphertext",)),
    Target("terminals", "terminal_id", ("pin_key_ciphertext", "mac_key_ciphertext"), "", "terminal"),
)


def _version_sql(column: str) -> str:
    # The 2-byte big-endian version header of a Vault ciphertext.
    return f"(get_byte({column}, 0) * 256 + get_byte({column}, 1))"


def _stale_sql(target: Target) -> str:
    return " OR ".join(f"{_version_sql(column)} <> %(version)s" for column in target.ciphertext_columns)


class Checkpoint:
    def __init__(self, path: pathlib.Path, version: int):
        self.path = path
        self.version = version
        saved = json.loads(path.read_text()) if path.exists() else {}
        self.last_seq: dict[str, int] = saved.get("last_seq", {}) if saved.get("version") == version else {}

    def get(self, table: str) -> int:
        return self.last_seq.get(table, 0)

    def save(self, table: str, seq: int) -> None:
        self.last_seq[table] = seq
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"version": self.version, "last_seq": self.last_seq}))
        os.replace(temporary, self.path)  # atomic: a crash leaves the old or the new checkpoint


def reseal(vault: vault_module.Vault, target: Target, row: dict) -> dict | None:
    """New ciphertexts for the row's stale columns, or None when all are current."""
    aad = str(row[target.key_column]).encode()
    fresh = {}
    for column in target.ciphertext_columns:
        blob = bytes(row[column])
        if vault_module.Vault.key_version(blob) != vault.current_version:
            fresh[column] = vault.encrypt(vault.decrypt(blob, aad), aad)
    return fresh or None


class Rotation:
    def __init__(self, conn: AsyncConnection, vault: vault_module.Vault, redis):
        self.conn = conn
        self.vault = vault
        # What services.cards.profiles needs to write a read model: Redis and the cards' Lua scripts.
        self.deps = SimpleNamespace(redis=redis, scripts=redis_scripts.Scripts(redis, LUA_DIR))

    async def _update(self, target: Target, row: dict, fresh: dict) -> int:
        sets = [f"{column} = %({column}_new)s" for column in fresh]
        if target.version_column and "pan_ciphertext" in fresh:
            sets.append(f"{target.version_column} = %(version)s")
        if target.profile:
            sets.append("version = version + 1")
        guards = [f"{column} = %({column}_old)s" for column in fresh]
        params = {"key": row[target.key_column], "version": self.vault.current_version,
                  **{f"{c}_new": v for c, v in fresh.items()}, **{f"{c}_old": bytes(row[c]) for c in fresh}}
        cur = await self.conn.execute(f"UPDATE {target.table} SET {', '.join(sets)}"
                                      f" WHERE {target.key_column} = %(key)s AND {' AND '.join(guards)}", params)
        return cur.rowcount

    async def _reseal_rows(self, target: Target, rows: list[dict]) -> int:
        """Re-encrypt stale rows in one transaction, then rewrite their read models."""
        changed: list = []
        async with self.conn.transaction():
            for row in rows:
                fresh = reseal(self.vault, target, row)
                if fresh and await self._update(target, row, fresh):
                    changed.append(row[target.key_column])
        if changed and target.profile == "card":
            await profiles.put_cards(self.deps, await profiles.card_profiles_where(
                self.conn, "c.card_token = ANY(%s)", (changed,)))
        elif changed and target.profile == "terminal":
            cur = await self.conn.execute(f"{profiles.TERMINAL_PROFILE_SQL} WHERE terminal_id = ANY(%s)", (changed,))
            for row in await cur.fetchall():
                await profiles.put_terminal(self.deps, profiles.TerminalProfile.from_row(row))
        return len(changed)

    async def table(self, target: Target, checkpoint: Checkpoint, batch_rows: int, max_batches: int | None,
                    pause: float, progress: bool) -> tuple[int, bool]:
        """Scan in seq order from the checkpoint; returns (rows re-encrypted, finished)."""
        columns = ", ".join([target.key_column, "seq", *target.ciphertext_columns])
        cur = await self.conn.execute(f"SELECT count(*) AS n FROM {target.table} WHERE seq > %s",
                                      (checkpoint.get(target.table),))
        total = (await cur.fetchone())["n"]
        changed, batches = 0, 0
        with tqdm(total=total, desc=f"{target.table} -> v{self.vault.current_version}", unit="row",
                  disable=not progress) as bar:
            while max_batches is None or batches < max_batches:
                cur = await self.conn.execute(
                    f"SELECT {columns} FROM {target.table} WHERE seq > %s ORDER BY seq LIMIT %s",
                    (checkpoint.get(target.table), batch_rows))
                rows = await cur.fetchall()
                if not rows:
                    return changed, True
                changed += await self._reseal_rows(target, rows)
                checkpoint.save(target.table, rows[-1]["seq"])
                bar.update(len(rows))
                batches += 1
                if pause:
                    await asyncio.sleep(pause)
        return changed, False

    async def sweep(self, target: Target) -> int:
        """Rows still on older versions anywhere in the table (written during the rollout)."""
        changed = 0
        while True:
            cur = await self.conn.execute(
                f"SELECT {target.key_column}, {', '.join(target.ciphertext_columns)} FROM {target.table}"
                f" WHERE {_stale_sql(target)} LIMIT {BATCH_ROWS}", {"version": self.vault.current_version})
            rows = await cur.fetchall()
            if not rows:
                return changed
            changed += await self._reseal_rows(target, rows)

    async def stale_counts(self) -> dict[str, int]:
        counts = {}
        for target in TARGETS:
            cur = await self.conn.execute(f"SELECT count(*) AS n FROM {target.table} WHERE {_stale_sql(target)}",
                                          {"version": self.vault.current_version})
            counts[target.table] = (await cur.fetchone())["n"]
        return counts


async def rotate(database_url: str, redis_url: str, vault: vault_module.Vault, checkpoint_path: pathlib.Path,
                 batch_rows: int = BATCH_ROWS, max_batches: int | None = None,
                 pause: float = PAUSE_BETWEEN_BATCHES_SECONDS, progress: bool = True, dry_run: bool = False,
                 redis_cluster: bool = False) -> dict:
    """Rotate every target; returns {"version", "rotated": {table: rows}, "remaining": {table: rows}, "finished"}."""
    checkpoint = Checkpoint(checkpoint_path, vault.current_version)
    redis = redis_scripts.client(redis_url, cluster=redis_cluster)
    rotated, finished = {}, not dry_run
    try:
        async with await AsyncConnection.connect(db.schema_conninfo(database_url, "cards"), autocommit=True,
                                                 row_factory=dict_row) as conn:
            rotation = Rotation(conn, vault, redis)
            for target in TARGETS if not dry_run else ():
                rotated[target.table], done = await rotation.table(target, checkpoint, batch_rows, max_batches, pause,
                                                                   progress)
                if not done:
                    finished = False
                    break
            if finished:
                for target in TARGETS:
                    rotated[target.table] += await rotation.sweep(target)
            remaining = await rotation.stale_counts()
    finally:
        await redis.aclose()
    if finished and not any(remaining.values()):
        checkpoint_path.unlink(missing_ok=True)
    return {"version": vault.current_version, "rotated": rotated, "remaining": remaining, "finished": finished}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=BATCH_ROWS)
    parser.add_argument("--max-batches", type=int, default=None, help="stop after this many batches (resume later)")
    parser.add_argument("--pause", type=float, default=PAUSE_BETWEEN_BATCHES_SECONDS,
                        help="seconds between batches, to leave room for purchases")
    parser.add_argument("--checkpoint", default="", help=f"default: CLUB_DATA_DIR/{CHECKPOINT_NAME}")
    parser.add_argument("--dry-run", action="store_true", help="only count rows on older key versions")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        config = cfg.load([*cfg.COMMON, *vault_module.SETTINGS])
        vault = vault_module.Vault.from_config(config)
    except cfg.ConfigError as exc:
        sys.exit(f"configuration error: {exc}")
    kcv = vault.key_check_values()[vault.current_version]
    print(f"target data key version {vault.current_version} (kcv {kcv})")
    data_dir = pathlib.Path(config.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = pathlib.Path(args.checkpoint) if args.checkpoint else data_dir / CHECKPOINT_NAME
    result = asyncio.run(rotate(config.database_url, config.redis_url, vault, checkpoint, args.batch_size,
                                args.max_batches, args.pause, progress=not args.quiet, dry_run=args.dry_run,
                                redis_cluster=config.redis_cluster))
    print(json.dumps(result))
    if not result["finished"] and not args.dry_run:
        print(f"stopped early; rerun to resume from {checkpoint}")


if __name__ == "__main__":
    main()
