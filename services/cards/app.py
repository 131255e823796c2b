"""Process wiring for the cards service: settings, pools, the Redis read models."""

from __future__ import annotations

import pathlib

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.shared import db, redis_scripts
from services.shared.clients import DEFAULT_PORTS
from services.shared.server import Runtime
from services.shared.vault import Vault

from . import keys, profiles
from .context import Deps
from .servicer import CardServicer

REPLICATED_SCRIPTS = ("put_profile",)  # a blocked card stays blocked through a Redis failover

LUA_DIR = pathlib.Path(__file__).resolve().parent / "lua"
REDIS_RETRIES = 3  # a restarted Redis costs a reconnect, not a failed authorization


class CardsApp:
    name = "cards"
    default_port = DEFAULT_PORTS["cards"]
    settings = keys.SETTINGS

    def __init__(self) -> None:
        self.servicer = CardServicer()
        self.pool = None
        self.redis = None
        self.hot = None

    def servicers(self):
        return [(cards_pb2_grpc.add_CardServiceServicer_to_server, self.servicer,
                 cards_pb2.DESCRIPTOR.services_by_name["CardService"].full_name)]

    async def start(self, runtime: Runtime) -> None:
        config = runtime.config
        vault, key_ring = Vault.from_config(config), keys.key_ring(config)  # refuse bad keys before connecting
        self.pool = await db.open_pool(config.database_url, "cards", config.db_pool_min, config.db_pool_max)
        self.redis = redis_scripts.client(config.redis_url, retries=REDIS_RETRIES, cluster=config.redis_cluster)
        await self.redis.ping()
        self.hot = redis_scripts.hot_client(config.redis_url, retries=REDIS_RETRIES, cluster=config.redis_cluster,
                                            wait_replicas=config.redis_wait_replicas)
        deps = Deps(pool=self.pool, redis=self.redis, hot=self.hot,
                    scripts=redis_scripts.Scripts(self.redis, LUA_DIR, hot=self.hot, replicated=REPLICATED_SCRIPTS),
                    vault=vault,
                    keys=key_ring, data_dir=runtime.data_dir, log=runtime.log)
        # Health stays NOT_SERVING until the read models are whole again.
        await profiles.rebuild_if_needed(deps)
        self.servicer.deps = deps

    async def stop(self) -> None:
        if self.pool:
            await self.pool.close()
        if self.hot:
            await self.hot.close()
        if self.redis:
            await self.redis.aclose()
