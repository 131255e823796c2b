"""What every handler works with: the pool, Redis and its scripts, the Vault, the key ring."""

from __future__ import annotations

import logging
import pathlib
from dataclasses import dataclass, field

from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

from services.shared.redis_pipeline import AutoPipeline
from services.shared.redis_scripts import Scripts
from services.shared.vault import Vault

from .keys import KeyRing


@dataclass
class Deps:
    pool: AsyncConnectionPool
    redis: Redis  # bulk work: explicit pipelines, scans
    hot: AutoPipeline  # the authorization path's reads (auto-pipelined)
    scripts: Scripts
    vault: Vault
    keys: KeyRing
    data_dir: pathlib.Path
    log: logging.Logger
    # Products never change after creation, so their decrypted CVKs may live in memory.
    cvks: dict[str, bytes] = field(default_factory=dict)
