"""Process wiring for tasheem: settings, pools, the catalog and the budget counters."""

from __future__ import annotations

import asyncio
import datetime as dt
import pathlib

from services.gen.club.cards.v1 import cards_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2, tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from services.shared import audit, auth, clients, db, partitions, redis_scripts, vault
from services.shared import config as cfg
from services.shared.clients import ADDRESS_SETTINGS, DEFAULT_PORTS
from services.shared.server import Runtime

from . import budgets, coupon_codes, quote, rewards, windows
from .catalog import Catalog
from .context import Deps
from .offers import MAX_DISCOUNT_BP
from .servicer import TasheemServicer

REPLICATED_SCRIPTS = ("reserve",)  # a budget counted stays counted through a Redis failover

LUA_DIR = pathlib.Path(__file__).resolve().parent / "lua"
REDIS_RETRIES = 3  # a restarted Redis costs a reconnect, not a failed quote


def cutoff_times(value: str) -> tuple[dt.time, ...]:
    times = []
    for item in value.split(","):
        hours, _, minutes = item.strip().partition(":")
        if not (len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit()):
            raise ValueError(f"{item.strip()!r} is not HH:MM")
        times.append(dt.time(int(hours), int(minutes)))
    if not times:
        raise ValueError("at least one cut-off")
    return tuple(sorted(set(times)))


def time_zone(value: str) -> str:
    windows.zone(value)  # raises on an unknown zone
    return value


def basis_points(value: str) -> int:
    number = int(value)
    if not 0 <= number <= MAX_DISCOUNT_BP:
        raise ValueError(f"must be 0..{MAX_DISCOUNT_BP} basis points")
    return number


def merchant_token_ttl(value: str) -> int:
    seconds = int(value)
    if not 0 < seconds <= auth.MAX_TTL_SECONDS:
        raise ValueError(f"must be 1..{auth.MAX_TTL_SECONDS} seconds")
    return seconds


SETTINGS = [
    cfg.Setting("CLUB_TIME_ZONE", windows.DEFAULT_TIME_ZONE, time_zone,
                "the club's time zone: offer windows by default, member limit periods, cut-offs"),
    cfg.Setting("CLUB_POINTS_EARN_RIALS_PER_POINT", "10000", cfg.positive_int,
                "base earn: one point per this many rials of the net amount"),
    cfg.Setting("CLUB_SETTLEMENT_CUTOFFS", "03:45,09:45,12:45,18:45", cutoff_times,
                "settlement cut-offs, local times in CLUB_TIME_ZONE (default the PAYA cycles)"),
    cfg.Setting("CLUB_MAX_DISCOUNT_BP", "3000", basis_points,
                "the club's cap on the total discount of one purchase, basis points of its amount (10000 = none)"),
    coupon_codes.KEY_SETTING,
    cfg.Setting("CLUB_MERCHANT_TOKEN_TTL_SECONDS", "28800", merchant_token_ttl,
                "how long the merchant tokens MerchantSignIn gives stay valid (seconds)"),
    cfg.Setting("CLUB_PAYOUT_AFTER_CUTOFF_MINUTES", "60", cfg.non_negative_int,
                "the PAYA cycle a cut-off's file goes to credits the IBANs this many minutes after it"),
    *vault.SEALING_SETTINGS,  # TOTP secrets
    *[setting for setting in ADDRESS_SETTINGS if setting.name in ("CLUB_WALLET_ADDR", "CLUB_CARDS_ADDR")],
]


class TasheemApp:
    name = "tasheem"
    default_port = DEFAULT_PORTS["tasheem"]
    settings = SETTINGS

    def __init__(self) -> None:
        self.servicer = TasheemServicer()
        self.pool = None
        self.redis = None
        self.hot = None
        self.catalog: Catalog | None = None
        self.cards_channel = None  # members' tiers and segments (benefits)
        self.wallet_channel = None  # points spent and given back (rewards)
        self.tasks: list[asyncio.Task] = []
        self.audit = None  # coupon claims refused to a service caller (people are audited by the interceptor)

    def servicers(self):
        return [(tasheem_pb2_grpc.add_TasheemServiceServicer_to_server, self.servicer,
                 tasheem_pb2.DESCRIPTOR.services_by_name["TasheemService"].full_name)]

    async def start(self, runtime: Runtime) -> None:
        config = runtime.config
        secrets = vault.Vault.from_config(config, pan_lookups=False)  # refuse bad keys before connecting
        self.pool = await db.open_pool(config.database_url, "tasheem", config.db_pool_min, config.db_pool_max)
        self.redis = redis_scripts.client(config.redis_url, retries=REDIS_RETRIES, cluster=config.redis_cluster)
        await self.redis.ping()
        self.hot = redis_scripts.hot_client(config.redis_url, retries=REDIS_RETRIES, cluster=config.redis_cluster,
                                            wait_replicas=config.redis_wait_replicas)
        self.catalog = Catalog(self.pool, self.redis, runtime.log)
        await self.catalog.reload()
        scripts = redis_scripts.Scripts(self.redis, LUA_DIR, hot=self.hot, replicated=REPLICATED_SCRIPTS)
        deps = Deps(pool=self.pool, redis=self.redis, scripts=scripts,
                    catalog=self.catalog, data_dir=runtime.data_dir, log=runtime.log, time_zone=config.time_zone,
                    rials_per_point=config.points_earn_rials_per_point, cutoffs=config.settlement_cutoffs,
                    wallet_addr=config.wallet_addr, tls_dir=config.tls_dir)
        deps.quote_commits = quote.committer(deps)
        deps.max_discount_bp = config.max_discount_bp
        deps.coupon_code_key = coupon_codes.code_key(config)
        deps.vault, deps.merchant_token_ttl = secrets, config.merchant_token_ttl_seconds
        deps.payout_after_cutoff_minutes = config.payout_after_cutoff_minutes
        deps.auth_secret = auth.secret_from(config.env, config.auth_secret)
        self.audit = deps.audit = audit.AuditLog(config.database_url)
        self.cards_channel = clients.channel(config.cards_addr, config.tls_dir, "tasheem")
        deps.cards = cards_pb2_grpc.CardServiceStub(self.cards_channel)
        self.wallet_channel = clients.channel(config.wallet_addr, config.tls_dir, "tasheem")
        deps.wallet = wallet_pb2_grpc.WalletServiceStub(self.wallet_channel)
        # Health stays NOT_SERVING until every budgeted offer has its counters in Redis.
        rebuilt = await budgets.load_all(deps)
        runtime.log.info("catalog loaded", extra={"offers": len(self.catalog.snapshot.offers),
                                                  "merchants": len(self.catalog.snapshot.merchants),
                                                  "counters_rebuilt": rebuilt})
        self.catalog.start()
        self.servicer.deps = deps
        self.tasks = [asyncio.create_task(rewards.run_sweeps(deps, rewards.SWEEP_SECONDS), name="vouchers"),
                      asyncio.create_task(partitions.keep_made(config.database_url, "tasheem", runtime.log),
                                          name="partitions")]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        if self.catalog:
            await self.catalog.stop()
        if self.cards_channel:
            await self.cards_channel.close()
        if self.wallet_channel:
            await self.wallet_channel.close()
        if self.audit:
            await self.audit.close()
        if self.pool:
            await self.pool.close()
        if self.hot:
            await self.hot.close()
        if self.redis:
            await self.redis.aclose()
