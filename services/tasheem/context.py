"""What every handler works with."""

from __future__ import annotations

import logging
import pathlib
from dataclasses import dataclass
from typing import Any

from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

from services.shared.redis_scripts import Scripts

from .catalog import Catalog


@dataclass
class Deps:
    pool: AsyncConnectionPool
    redis: Redis
    scripts: Scripts
    catalog: Catalog
    data_dir: pathlib.Path
    log: logging.Logger
    time_zone: str  # the club's: limit periods and cut-offs
    rials_per_point: int
    cutoffs: tuple  # datetime.time values, local to time_zone
    wallet_addr: str
    tls_dir: str = ""
    quote_commits: Any = None  # quote.committer(deps): reserving quotes' group commit
    cards: Any = None  # cards' CardServiceStub: a member's tier, segment and cards (benefits)
