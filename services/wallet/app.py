"""Process wiring for the wallet service and its background jobs."""

from __future__ import annotations

import asyncio
import datetime

from services.gen.club.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from services.shared import config as cfg
from services.shared import db, partitions, redis_scripts
from services.shared.clients import ADDRESS_SETTINGS, DEFAULT_PORTS
from services.shared.server import Runtime

from . import operations, queries
from .engine import Engine, GroupCommitter
from .hot import HotBalances
from .operations import Rules
from .servicer import WalletServicer
from .tiers import Tiers, parse_thresholds


def thresholds(value: str) -> list[tuple[str, int]]:
    return parse_thresholds(value)


SETTINGS = [
    cfg.Setting("CLUB_GROUP_COMMIT", "true", cfg.boolean,
                "commit every waiting request in one transaction (false: one transaction per request)"),
    cfg.Setting("CLUB_POINT_VALUE_RIALS", "100", cfg.positive_int, "rials one point pays for"),
    cfg.Setting("CLUB_POINTS_LIFETIME_DAYS", "365", cfg.positive_int, "days before earned points expire"),
    cfg.Setting("CLUB_POINTS_EXPIRY_INTERVAL_SECONDS", "3600", cfg.positive_int, "how often expired points are swept"),
    cfg.Setting("CLUB_HOLD_SWEEP_SECONDS", "5", cfg.positive_int, "how often expired holds are voided"),
    cfg.Setting("CLUB_TIER_WINDOW_DAYS", "90", cfg.positive_int, "rolling window of qualifying spend for tiers"),
    cfg.Setting("CLUB_TIER_THRESHOLDS", "silver:5000000,gold:20000000,platinum:50000000", thresholds,
                "tier:minimum qualifying spend in rials, ascending"),
]
EXPIRE_BATCH = 500


class WalletApp:
    name = "wallet"
    default_port = DEFAULT_PORTS["wallet"]
    settings = [*SETTINGS, ADDRESS_SETTINGS[0]]  # CLUB_CARDS_ADDR: tier changes are published to cards

    def __init__(self) -> None:
        self.servicer = WalletServicer(self)
        self.pool = None
        self.redis = None
        self.hot = None
        self.engine: Engine | None = None
        self.tasks: list[asyncio.Task] = []

    def servicers(self):
        return [(wallet_pb2_grpc.add_WalletServiceServicer_to_server, self.servicer,
                 wallet_pb2.DESCRIPTOR.services_by_name["WalletService"].full_name)]

    async def start(self, runtime: Runtime) -> None:
        config = runtime.config
        self.log = runtime.log
        self.rules = Rules(config.point_value_rials, config.points_lifetime_days)
        self.pool = await db.open_pool(config.database_url, "wallet", config.db_pool_min, config.db_pool_max)
        self.redis = redis_scripts.client(config.redis_url, retries=1, cluster=config.redis_cluster)
        self.hot = redis_scripts.hot_client(config.redis_url, retries=1, cluster=config.redis_cluster,
                                            wait_replicas=config.redis_wait_replicas)
        committer = GroupCommitter(self.pool, config.group_commit, runtime.log)
        committer.start()

        async def on_serving(serving: bool) -> None:
            await runtime.set_serving(serving)

        self.engine = Engine(self.pool, HotBalances(self.redis, self.hot), committer, runtime.log, on_serving)
        self.tiers = Tiers(self.pool, config.tier_thresholds, config.tier_window_days, config.cards_addr,
                           config.tls_dir, runtime.log)
        await self.engine.rebuild()  # Redis may hold anything after a crash: start from the ledger
        self.tasks = [
            asyncio.create_task(self.engine.watch_epoch(), name="epoch"),
            asyncio.create_task(partitions.keep_made(config.database_url, "wallet", runtime.log), name="partitions"),
            asyncio.create_task(self._every(config.hold_sweep_seconds, self.expire_holds), name="holds"),
            asyncio.create_task(self._every(config.points_expiry_interval_seconds,
                                            lambda: self.expire_points(datetime.datetime.now(datetime.UTC))),
                                name="points"),
        ]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        if self.engine:
            await self.engine.committer.stop()
        if self.pool:
            await self.pool.close()
        if self.hot:
            await self.hot.close()
        if self.redis:
            await self.redis.aclose()

    async def _every(self, seconds: int, job) -> None:
        while True:
            await asyncio.sleep(seconds)
            if not self.engine.ready:
                continue
            try:
                await job()
            except Exception:  # noqa: BLE001 - a failed sweep is retried next round
                self.log.exception("background job failed")

    async def expire_holds(self) -> int:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT p.transaction_id FROM pendings d JOIN purchases p ON p.hold_id = d.pending_id AND p.state = 'held'"
                " WHERE d.state = 'pending' AND d.expires_at <= now() LIMIT %s", (EXPIRE_BATCH,))
            ids = [row["transaction_id"] for row in await cur.fetchall()]
        for transaction_id in ids:
            async with self.pool.connection() as conn:
                record = await queries.purchase(conn, transaction_id)
            try:
                await self.engine.apply(operations.expire_hold(record))
            except operations.ConcurrentChange:
                continue
        async with self.pool.connection() as conn:  # pending transfers made with CreateTransfers
            cur = await conn.execute(
                "SELECT d.pending_id FROM pendings d WHERE d.state = 'pending' AND d.expires_at <= now()"
                " AND NOT EXISTS (SELECT 1 FROM purchases p WHERE p.hold_id = d.pending_id AND p.state = 'held')"
                " LIMIT %s", (EXPIRE_BATCH,))
            pending_ids = [row["pending_id"] for row in await cur.fetchall()]
        for pending_id in pending_ids:
            async with self.pool.connection() as conn:
                pending = await queries.pending(conn, pending_id)
            try:
                await self.engine.apply(operations.expire_pending(pending_id, pending))
            except operations.ConcurrentChange:
                continue
        ids += pending_ids
        if ids:
            self.log.info("holds expired", extra={"count": len(ids)})
        return len(ids)

    async def expire_points(self, as_of: datetime.datetime) -> tuple[int, int]:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT lot_id, member_id, remaining FROM points_lots WHERE remaining > 0 AND expires_at <= %s"
                " ORDER BY member_id, lot_id LIMIT %s", (as_of, EXPIRE_BATCH * 10))
            rows = await cur.fetchall()
        lots = points = 0
        for member_id, member_lots in queries.group_lots_by_member(rows).items():
            movement = operations.expire_lots(member_id, member_lots, b"expire")
            try:
                applied = await self.engine.apply(movement)
            except operations.ConcurrentChange:
                continue
            if applied.posted and not applied.replayed:
                lots += len(member_lots)
                points += sum(lot["remaining"] for lot in member_lots)
        return lots, points

    async def reconcile(self, repair: bool) -> tuple[int, list[wallet_pb2.BalanceDrift]]:
        """Compare Redis with the ledger for every limited account; optionally repair."""
        async with self.pool.connection() as conn:
            truth = await queries.available_of_limited(conn)
        ids = sorted(truth)
        drifts = []
        hot = self.engine.hot
        for start in range(0, len(ids), 1000):
            chunk = ids[start:start + 1000]
            values = await hot.get_many(chunk)  # one MGET per slot in a cluster
            for account_id, cached in zip(chunk, values, strict=True):
                if cached is not None and cached != truth[account_id]:
                    drifts.append(wallet_pb2.BalanceDrift(account_id=account_id, ledger_available=truth[account_id],
                                                          redis_available=cached))
        if repair and drifts:
            await hot.write_balances([(d.account_id, d.ledger_available) for d in drifts])
            self.log.warning("repaired balance drift", extra={"accounts": len(drifts)})
        return len(ids), drifts

