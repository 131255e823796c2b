"""What every handler works with."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from psycopg_pool import AsyncConnectionPool


@dataclass
class Deps:
    pool: AsyncConnectionPool
    log: logging.Logger
    time_zone: str  # the club's: the times events are shown in
    checkin_key: bytes  # signs check-in codes (CLUB_CHECKIN_CODE_KEY)
    cards: Any = None  # cards' CardServiceStub: members, their tiers and segments
    wallet: Any = None  # the wallet's WalletServiceStub: points charged and given back
    # Member care: the member view's other owners, and each tier's response target (queue.py).
    tasheem: Any = None  # tasheem's TasheemServiceStub: coupons and vouchers
    switch: Any = None  # the switch's AuthorizationServiceStub: recent transactions
    response_targets: dict = field(default_factory=dict)
    # The portal's sign-in (signin.py): keys, the vault that seals code SMS bodies, member tokens.
    signin_key: bytes = b""  # keys sign-in code hashes and signs join tickets (CLUB_SIGNIN_CODE_KEY)
    vault: Any = None  # services.shared.vault.Vault
    auth_secret: bytes = b""  # signs the member tokens sign-in answers with
    member_token_ttl: int = 12 * 3600
    join_card_product_id: str = ""  # the virtual card's product on joining; "" = the first loyalty product
    # One queue per event in this process, in front of the event row's lock: waiters hold no
    # pooled connection while they wait (docs/crm.md, "Counting places").
    event_queues: defaultdict = field(default_factory=lambda: defaultdict(asyncio.Lock))
