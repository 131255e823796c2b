"""What participants work with: the switch's services (built once per process) and one
transaction's context (built once per request, dropped with its answer)."""

from __future__ import annotations

import asyncio
import logging
import zoneinfo
from dataclasses import dataclass, field

from psycopg_pool import AsyncConnectionPool

from services.cards.read_model import ReadModel
from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2, tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from services.shared import batching
from services.shared.redis_scripts import Scripts

from .admission import Admission
from .dedupe import Dedupe
from .dispatch import TierCache
from .flows import Request
from .journal import Journal
from .outcome import Outcome

MIN_CALL_TIMEOUT_SECONDS = 0.001


@dataclass
class Settings:
    authorization_timeout: float
    hold_timeout_seconds: int
    time_zone: str
    compensation_grace_seconds: int  # a late wallet commit lands within this; "unknown" after it means never
    batch_linger: float = batching.BUSY_LINGER_SECONDS  # the hops' wait for more items when busy
    batch_enough: int = batching.ENOUGH_ITEMS


class Services:
    """The switch's dependencies, shared by every participant. The three hot-path hops go through
    micro-batchers (services/shared/batching.py): every transaction waiting for the same hop
    shares one batched call, answered item by item as the unary call would be."""

    def __init__(self, cards: cards_pb2_grpc.CardServiceStub, read_model: ReadModel | None,
                 tasheem: tasheem_pb2_grpc.TasheemServiceStub, wallet: wallet_pb2_grpc.WalletServiceStub,
                 pool: AsyncConnectionPool, journal: Journal, dedupe: Dedupe, scripts: Scripts,
                 admission: Admission, tiers: TierCache, settings: Settings, log: logging.Logger):
        self.cards, self.read_model, self.tasheem, self.wallet = cards, read_model, tasheem, wallet
        gathering = {"linger": settings.batch_linger, "enough": settings.batch_enough}
        self.card_checks = batching.rpc_batcher(cards.AuthorizeCards, cards_pb2.AuthorizeCardsRequest,
                                                "authorize-cards", **gathering)
        self.quotes = batching.rpc_batcher(tasheem.QuoteBatch, tasheem_pb2.QuoteBatchRequest, "quotes", **gathering)
        self.purchases = batching.rpc_batcher(wallet.PurchaseBatch, wallet_pb2.PurchaseBatchRequest, "purchases",
                                              **gathering)
        self.pool, self.journal, self.dedupe, self.scripts = pool, journal, dedupe, scripts
        self.admission = admission
        self.tiers = tiers  # filled by card checks; read by the ISO front before decoding
        self.settings = settings
        self.zone = zoneinfo.ZoneInfo(settings.time_zone)
        self.log = log
        self.in_flight = 0  # transactions being worked now (the shedding band counts these)
        self.working: dict[str, asyncio.Future] = {}  # transaction id -> its outcome, until Redis has it


@dataclass(slots=True)
class Context:
    """One transaction on its way through its flow. Participants read the request, which never
    changes, and write what they decide into the outcome; `prepared` lists, in order, the
    participants that began their step (what a decline undoes and an uncertain end compensates)."""

    request: Request
    outcome: Outcome
    deadline: float  # the event loop's clock
    card: cards_pb2.AuthorizeCardResponse | None = None
    card_check: asyncio.Task | None = None  # begun before the duplicate claim (participants/card_check.py)
    quote: tasheem_pb2.QuoteResponse | None = None
    original: Outcome | None = None  # the transaction a refund or reversal undoes, as first answered
    prepared: list = field(default_factory=list)

    def remaining(self) -> float:
        """What is left of this transaction's deadline, for the next downstream call."""
        return max(self.deadline - asyncio.get_running_loop().time(), MIN_CALL_TIMEOUT_SECONDS)

    def card_fields(self) -> None:
        """The card's identity goes on the outcome as soon as the card is known, whatever follows."""
        card = self.card
        self.outcome.masked_pan, self.outcome.card_token, self.outcome.member_id = (
            card.masked_pan, card.card_token, card.member_id)
