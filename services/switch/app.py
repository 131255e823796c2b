"""Process wiring for the switch: settings, channels to the other services, Redis, the journal,
the ISO 8583 front and the compensation loop."""

from __future__ import annotations

import asyncio
import contextlib
import pathlib
import zoneinfo

from services.cards.read_model import ReadModel
from services.gen.club.cards.v1 import cards_pb2_grpc
from services.gen.club.switch.v1 import authorization_pb2, authorization_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from services.shared import batching, clients, db, partitions, redis_scripts, vault
from services.shared import config as cfg
from services.shared.clients import ADDRESS_SETTINGS, DEFAULT_PORTS
from services.shared.server import Runtime
from services.shared.tiers import LADDER

from .admission import WAIT_MAX_MS, WAIT_START_MS, Admission
from .context import Services, Settings
from .dedupe import Dedupe
from .dispatch import TierCache
from .iso import framing
from .iso_front import IsoFront
from .journal import Journal
from .manager import TransactionManager
from .servicer import AuthorizationServicer
from .terminals import TerminalDirectory

REPLICATED_SCRIPTS = ("limit_reserve",)  # a daily limit counted stays counted through a Redis failover

LUA_DIR = pathlib.Path(__file__).resolve().parent / "lua"
REDIS_RETRIES = 2


def tier_list(value: str) -> tuple[str, ...]:
    tiers = tuple(item.strip() for item in value.split(",") if item.strip())
    if not tiers or len(set(tiers)) != len(tiers):
        raise ValueError("a comma-separated list of distinct tiers, highest first")
    return tiers


def time_zone(value: str) -> str:
    zoneinfo.ZoneInfo(value)
    return value


def batch_items(value: str) -> int:
    items = cfg.positive_int(value)
    if items > batching.MAX_BATCH_ITEMS:
        raise ValueError(f"at most {batching.MAX_BATCH_ITEMS} (items per batched call)")
    return items


SETTINGS = [
    cfg.Setting("CLUB_ISO_HOST", "0.0.0.0", cfg.text, "address the ISO 8583 TCP server binds"),
    cfg.Setting("CLUB_ISO_PORT", "8583", cfg.port, "ISO 8583 TCP port for terminals"),
    cfg.Setting("CLUB_ISO_LENGTH_HEADER", framing.BINARY_HEADER, cfg.one_of(*framing.HEADER_KINDS),
                "frame length header: binary (2 bytes, big-endian) or ascii (4 digits)"),
    cfg.Setting("CLUB_AUTHORIZATION_TIMEOUT_MS", "2000", cfg.positive_int,
                "deadline for one authorization across cards, tasheem and wallet"),
    cfg.Setting("CLUB_PREAUTH_HOLD_SECONDS", "604800", cfg.positive_int,
                "how long a pre-authorization hold lives before it expires"),
    cfg.Setting("CLUB_MAC_FAILURES_TO_BLOCK", "5", cfg.positive_int,
                "MAC failures within an hour after which a terminal is blocked"),
    cfg.Setting("CLUB_TIER_PRIORITY", ",".join(reversed(LADDER)), tier_list,
                "tiers from most to least protected when the switch sheds load"),
    # Sized so that a stall of a few hundred ms declines no one while what is admitted still
    # finishes inside the 2 s deadline: at 2,000/s a 0.3 s wallet stall shed 305 requests at
    # 400..800 and none at these, a 0.6 s one 971 and 275; 2,000 in flight is ~0.6 s of work
    # at 3,500/s and ~1.3 s at 1,500/s, the capacities measured (docs/performance.md, "Shedding").
    cfg.Setting("CLUB_SHED_START_IN_FLIGHT", "1000", cfg.non_negative_int,
                "authorizations in progress at which the lowest tier starts being shed"),
    cfg.Setting("CLUB_MAX_IN_FLIGHT", "2000", cfg.positive_int,
                "authorizations in progress at which every tier is shed (answer 91)"),
    cfg.Setting("CLUB_SHED_WAIT_START_MS", str(WAIT_START_MS), cfg.non_negative_int,
                "how long a frame of the lowest tier may wait to start, held back under load, before it is answered 91"),
    cfg.Setting("CLUB_SHED_WAIT_MAX_MS", str(WAIT_MAX_MS), cfg.non_negative_int,
                "the same for the highest tier (at most CLUB_AUTHORIZATION_TIMEOUT_MS: the deadline counts from arrival)"),
    cfg.Setting("CLUB_COMPENSATION_INTERVAL_SECONDS", "2", cfg.positive_int,
                "how often open compensations (after 91/96 answers) are retried"),
    cfg.Setting("CLUB_COMPENSATION_GRACE_SECONDS", "30", cfg.positive_int,
                "after an uncertain answer, how long the wallet may still commit before \"unknown\" means never"),
    cfg.Setting("CLUB_TIME_ZONE", "Asia/Tehran", time_zone, "the club's time zone: the day of daily card limits"),
    cfg.Setting("CLUB_BATCH_LINGER_MS", str(round(batching.BUSY_LINGER_SECONDS * 1000)), cfg.non_negative_int,
                "how long a busy hop's next batch waits for more items (0: never waits)"),
    cfg.Setting("CLUB_BATCH_ENOUGH_ITEMS", str(batching.ENOUGH_ITEMS), batch_items,
                "items waiting at which a busy hop's next batch leaves without lingering"),
    cfg.Setting("CLUB_CARD_READ_MODEL", "true", cfg.boolean,
                "decide card checks without PIN or CVV2 from cards' Redis read model (false: always call cards)"),
    vault.PAN_LOOKUP_KEY_SETTING,
    *[setting for setting in ADDRESS_SETTINGS if setting.name not in ("CLUB_SWITCH_ADDR", "CLUB_CRM_ADDR")],
]


class SwitchApp:
    name = "switch"
    default_port = DEFAULT_PORTS["switch"]
    settings = SETTINGS

    def __init__(self) -> None:
        self.servicer = AuthorizationServicer()
        self.pool = None
        self.redis = None
        self.hot = None
        self.channels = []
        self.journal: Journal | None = None
        self.front: IsoFront | None = None
        self.compensator: asyncio.Task | None = None
        self.tier_warmer: asyncio.Task | None = None
        self.partition_maker: asyncio.Task | None = None

    def servicers(self):
        return [(authorization_pb2_grpc.add_AuthorizationServiceServicer_to_server, self.servicer,
                 authorization_pb2.DESCRIPTOR.services_by_name["AuthorizationService"].full_name)]

    async def start(self, runtime: Runtime) -> None:
        config = runtime.config
        if config.shed_start_in_flight > config.max_in_flight:
            raise cfg.ConfigError("CLUB_SHED_START_IN_FLIGHT", "must not exceed CLUB_MAX_IN_FLIGHT")
        if config.shed_wait_start_ms > config.shed_wait_max_ms:
            raise cfg.ConfigError("CLUB_SHED_WAIT_START_MS", "must not exceed CLUB_SHED_WAIT_MAX_MS")
        if config.shed_wait_max_ms > config.authorization_timeout_ms:  # the deadline counts from arrival
            raise cfg.ConfigError("CLUB_SHED_WAIT_MAX_MS", "must not exceed CLUB_AUTHORIZATION_TIMEOUT_MS")
        # Every statement the switch sends stands alone (journal inserts, lookups, owed work): in
        # autocommit a journal commit is one round trip instead of three (BEGIN, INSERT, COMMIT),
        # half the client CPU per commit (measured, docs/performance.md).
        self.pool = await db.open_pool(config.database_url, "switch", config.db_pool_min, config.db_pool_max,
                                       autocommit=True)
        self.redis = redis_scripts.client(config.redis_url, retries=REDIS_RETRIES, cluster=config.redis_cluster)
        await self.redis.ping()
        self.hot = redis_scripts.hot_client(config.redis_url, retries=REDIS_RETRIES, cluster=config.redis_cluster,
                                            wait_replicas=config.redis_wait_replicas)
        self.channels = [clients.channel(address, config.tls_dir, "switch")
                         for address in (config.cards_addr, config.tasheem_addr, config.wallet_addr)]
        cards = cards_pb2_grpc.CardServiceStub(self.channels[0])
        self.journal = Journal(self.pool, runtime.log)
        self.journal.start()
        pan_lookup_key = vault.pan_lookup_key(config)
        read_model = ReadModel(self.hot, pan_lookup_key) if config.card_read_model else None
        tiers = TierCache(pan_lookup_key)
        admission = Admission(config.tier_priority, config.shed_start_in_flight, config.max_in_flight,
                              config.shed_wait_start_ms, config.shed_wait_max_ms)
        manager = TransactionManager(Services(
            cards, read_model, tasheem_pb2_grpc.TasheemServiceStub(self.channels[1]),
            wallet_pb2_grpc.WalletServiceStub(self.channels[2]), self.pool, self.journal, Dedupe(self.hot),
            redis_scripts.Scripts(self.redis, LUA_DIR, hot=self.hot, replicated=REPLICATED_SCRIPTS),
            admission, tiers,
            Settings(config.authorization_timeout_ms / 1000, config.preauth_hold_seconds, config.time_zone,
                     config.compensation_grace_seconds, config.batch_linger_ms / 1000, config.batch_enough_items),
            runtime.log))
        self.servicer.manager = manager
        self.servicer.merchant_names.tasheem = manager.services.tasheem
        self.front = IsoFront(manager, admission, tiers,
                              TerminalDirectory(cards, self.redis, runtime.log, config.mac_failures_to_block),
                              config.iso_length_header, runtime.log)
        await self.front.start(config.iso_host, config.iso_port)
        self.compensator = asyncio.create_task(self._compensate_forever(manager, config, runtime))
        self.tier_warmer = asyncio.create_task(self._warm_tiers(tiers, runtime))
        self.partition_maker = asyncio.create_task(partitions.keep_made(config.database_url, "switch", runtime.log))
        runtime.log.info("ISO 8583 front listening", extra={"port": config.iso_port,
                                                             "length_header": config.iso_length_header})

    async def _warm_tiers(self, tiers: TierCache, runtime: Runtime) -> None:
        """The cards' tiers from the read model, in the background: the front serves meanwhile,
        starting the cards it does not know yet as the highest tier would."""
        try:
            await tiers.warm(self.redis, runtime.log)
        except Exception as exc:  # Redis away: the card checks fill the cache instead
            runtime.log.warning("tier cache not warmed", extra={"error": str(exc)})

    async def _compensate_forever(self, manager: TransactionManager, config, runtime: Runtime) -> None:
        while True:
            try:
                await manager.compensate_open()
            except Exception as exc:  # Postgres down: try again next round
                runtime.log.warning("compensation pass failed", extra={"error": str(exc)})
            await asyncio.sleep(config.compensation_interval_seconds)

    async def stop(self) -> None:
        if self.front:
            await self.front.stop()
        if self.servicer.manager:
            await self.servicer.manager.drain()  # answers sent but not yet stored in Redis
        for task in (self.compensator, self.tier_warmer, self.partition_maker):
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.journal:
            await self.journal.stop()
        for channel in self.channels:
            await channel.close()
        if self.pool:
            await self.pool.close()
        if self.hot:
            await self.hot.close()
        if self.redis:
            await self.redis.aclose()
