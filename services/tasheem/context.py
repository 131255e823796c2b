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
    max_discount_bp: int = 10_000  # the club's cap on the total discount of one purchase (CLUB_MAX_DISCOUNT_BP)
    coupon_code_key: bytes = b""  # keys the hashes coupon codes are kept as (CLUB_COUPON_CODE_KEY)
    audit: Any = None  # services.shared.audit.AuditLog: claims refused to a service caller
    cards: Any = None  # cards' CardServiceStub: a member's tier, segment and cards (benefits)
    wallet: Any = None  # the wallet's WalletServiceStub: points spent on rewards and given back
    vault: Any = None  # services.shared.vault.Vault: merchant users' TOTP secrets, encrypted
    auth_secret: bytes = b""  # signs the merchant tokens MerchantSignIn answers with
    merchant_token_ttl: int = 8 * 3600  # CLUB_MERCHANT_TOKEN_TTL_SECONDS
    payout_after_cutoff_minutes: int = 60  # CLUB_PAYOUT_AFTER_CUTOFF_MINUTES: the PAYA cycle's credit
