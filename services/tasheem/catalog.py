"""The in-memory catalog the quote path reads: every offer, compiled, indexed by scope, and
every merchant's MCC and group. Never a database call per quote.

Freshness across replicas: a change commits in Postgres, then bumps VERSION_KEY and publishes
the new version on CHANNEL. Each replica reloads on the notice and also polls VERSION_KEY every
POLL_SECONDS, so a lost notice (or a restarted Redis) costs at most one poll interval. The
replica that made the change reloads before answering it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from google.protobuf import json_format

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb

from . import offers as offers_mod
from .offers import Offer, Purchase

VERSION_KEY = "tasheem:catalog:version"
CHANNEL = "tasheem:catalog"
POLL_SECONDS = 2.0
# The scope dimension an offer is indexed under: the first one it restricts, most selective first.
INDEX_DIMENSIONS = ("merchant_ids", "terminal_ids", "merchant_groups", "mccs")


@dataclass(frozen=True)
class MerchantInfo:
    merchant_id: str
    name: str
    mcc: str
    group: str
    active: bool


@dataclass
class ScopeIndex:
    """Active offers under the first scope dimension they restrict, or "anywhere"."""

    by: dict[str, dict[str, list[Offer]]] = field(default_factory=dict)
    anywhere: list[Offer] = field(default_factory=list)

    @classmethod
    def build(cls, offers: list[Offer]) -> ScopeIndex:
        by: dict[str, dict[str, list[Offer]]] = {name: defaultdict(list) for name in INDEX_DIMENSIONS}
        anywhere: list[Offer] = []
        for offer in offers:
            dimension = next((name for name in INDEX_DIMENSIONS if getattr(offer.scope, name)), None)
            if dimension is None:
                anywhere.append(offer)
                continue
            for value in getattr(offer.scope, dimension):
                by[dimension][value].append(offer)
        return cls({name: dict(values) for name, values in by.items()}, anywhere)

    def candidates(self, purchase: Purchase) -> list[Offer]:
        found = list(self.anywhere)
        for dimension, value in _index_keys(purchase):
            found += self.by[dimension].get(value, ())
        return found

    def any_candidate(self, purchase: Purchase) -> bool:
        return bool(self.anywhere) or any(self.by[dimension].get(value) for dimension, value in _index_keys(purchase))


def _index_keys(purchase: Purchase) -> tuple[tuple[str, str], ...]:
    return (("merchant_ids", purchase.merchant_id), ("terminal_ids", purchase.terminal_id),
            ("merchant_groups", purchase.merchant_group), ("mccs", purchase.mcc))


@dataclass
class Snapshot:
    offers: dict[str, Offer] = field(default_factory=dict)
    merchants: dict[str, MerchantInfo] = field(default_factory=dict)
    index: ScopeIndex = field(default_factory=ScopeIndex)
    # Coupon campaigns are reached through the member's coupons, not through the scope index: a
    # purchase matches only the few campaigns its member holds coupons of, however many are live
    # at the merchant. Their own scope index only says whether any could apply here at all.
    campaigns: ScopeIndex = field(default_factory=ScopeIndex)

    @classmethod
    def build(cls, offers: list[Offer], merchants: list[MerchantInfo]) -> Snapshot:
        active = [offer for offer in offers if offer.active]
        return cls({offer.offer_id: offer for offer in offers}, {m.merchant_id: m for m in merchants},
                   ScopeIndex.build([offer for offer in active if not offer.coupon_required]),
                   ScopeIndex.build([offer for offer in active if offer.coupon_required]))

    def eligible(self, purchase: Purchase) -> list[Offer]:
        """The offers that apply, coupon campaigns aside (see held_campaigns)."""
        return [offer for offer in self.index.candidates(purchase) if offer.applies_to(purchase)]

    def may_need_coupons(self, purchase: Purchase) -> bool:
        """Could a coupon campaign apply here? Only then are the member's coupons looked up."""
        return bool(purchase.member_id) and self.campaigns.any_candidate(purchase)

    def held_campaigns(self, purchase: Purchase, offer_ids) -> list[Offer]:
        """The coupon campaigns among `offer_ids` (those the member holds coupons of) that apply."""
        found = (self.offers.get(offer_id) for offer_id in offer_ids)
        return [offer for offer in found if offer is not None and offer.coupon_required and offer.applies_to(purchase)]


def offer_from_row(row: dict, known_parties: set[str]) -> Offer:
    message = json_format.ParseDict(row["spec"], pb.Offer())
    message.active = row["active"]
    message.created_at.FromDatetime(row["created_at"])
    return offers_mod.compile_offer(message, known_parties)


async def load_parties(conn) -> set[str]:
    cur = await conn.execute("SELECT party_id FROM parties")
    return {row["party_id"] for row in await cur.fetchall()}


async def load_offers(conn, known_parties: set[str] | None = None, log: logging.Logger | None = None) -> list[Offer]:
    known = known_parties if known_parties is not None else await load_parties(conn)
    cur = await conn.execute("SELECT offer_id, spec, active, created_at FROM offers ORDER BY seq")
    result = []
    for row in await cur.fetchall():
        try:
            result.append(offer_from_row(row, known))
        except Exception as exc:  # noqa: BLE001 - one bad row must not take every offer down
            if log:
                log.error("stored offer does not compile", extra={"offer_id": row["offer_id"], "error": str(exc)})
    return result


async def load_merchants(conn) -> list[MerchantInfo]:
    cur = await conn.execute("SELECT merchant_id, name, mcc, grp, active FROM merchants")
    return [MerchantInfo(r["merchant_id"], r["name"], r["mcc"], r["grp"], r["active"]) for r in await cur.fetchall()]


class Catalog:
    def __init__(self, pool, redis, log: logging.Logger):
        self.pool, self.redis, self.log = pool, redis, log
        self.snapshot = Snapshot.build([], [])
        self.version: bytes | None = None
        self._reload_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []

    async def reload(self) -> None:
        async with self._reload_lock:
            version = await self._read_version()
            async with self.pool.connection() as conn:
                offers = await load_offers(conn, log=self.log)
                merchants = await load_merchants(conn)
            self.snapshot = Snapshot.build(offers, merchants)  # swapped whole: readers never see half
            self.version = version

    async def changed(self) -> None:
        """Call after a change committed: reload here, tell the other replicas."""
        try:
            version = await self.redis.incr(VERSION_KEY)
            await self.redis.publish(CHANNEL, str(version))
        except Exception as exc:  # noqa: BLE001 - replicas still poll; this one reloads below
            self.log.warning("catalog change notice failed", extra={"error": type(exc).__name__})
        await self.reload()

    async def merchant(self, merchant_id: str) -> MerchantInfo | None:
        """From memory; a miss (created on another replica a moment ago) is checked in Postgres."""
        found = self.snapshot.merchants.get(merchant_id)
        if found is not None:
            return found
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT 1 FROM merchants WHERE merchant_id = %s", (merchant_id,))
            exists = await cur.fetchone() is not None
        if not exists:
            return None
        await self.reload()
        return self.snapshot.merchants.get(merchant_id)

    async def _read_version(self) -> bytes | None:
        try:
            return await self.redis.get(VERSION_KEY)
        except Exception:  # noqa: BLE001
            return self.version

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._poll())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                if await self.redis.get(VERSION_KEY) != self.version:
                    await self.reload()
            except Exception as exc:  # noqa: BLE001 - keep serving the last snapshot
                self.log.warning("catalog poll failed", extra={"error": type(exc).__name__})

    async def _listen(self) -> None:
        while True:
            try:
                pubsub = self.redis.pubsub()
                await pubsub.subscribe(CHANNEL)
                async for message in pubsub.listen():
                    if message.get("type") == "message" and message.get("data") != self.version:
                        await self.reload()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis restarted: subscribe again
                self.log.warning("catalog listener reconnecting", extra={"error": type(exc).__name__})
                await asyncio.sleep(POLL_SECONDS)
