"""Which frame the ISO front works on next, so that under overload the work goes to loyal members.

Normally a frame starts as soon as it is read. When the frames in progress reach a tier's
threshold (the same band as admission.py's), frames of that tier wait instead of starting, and
they start highest tier first as others finish. A frame that has waited past its tier's budget
is turned away (91) without being worked on: no card check, no hop, no hold. Turning one away
costs a decode and an encode, a fraction of an authorization, which is what keeps the highest
tiers served when the switch itself, not a dependency, is what is short (docs/performance.md,
"Shedding").

The tier is known before decoding from a cache of each card's tier, filled at start from cards'
read model and by the card checks of authorizations since. A card the cache does not know
starts as the highest tier would: a cold cache never costs a loyal member, and the admission
after its card check still sheds it by its real tier.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis.asyncio as aioredis

from services.cards import profiles
from services.shared.vault import lookup_hash

from .admission import Admission

MAX_WAITING_FRAMES = 50_000  # past this, a frame that would wait is turned away at once
MAX_CACHED_TIERS = 200_000  # cards whose tier the front knows before decoding (~30 MB at most)
SWEEP_SECONDS = 0.005  # how often waiting frames are checked against their budget
WARM_SCAN_COUNT = 1_000  # profile keys per SCAN step and per pipelined read at start
WARM_LOG_EVERY = 100_000  # profiles read between progress lines while the cache warms


@dataclass(slots=True)
class Frame:
    """One request frame, from when it was read to when its answer is sent."""

    payload: bytes
    arrived: float  # the event loop's clock when the frame was read
    connection: object  # the front's per-connection state, opaque here
    tier: str | None = None  # the card's tier as the cache knew it, once looked up


class TierCache:
    """Card tier by the card's PAN lookup hash (HMAC-SHA256 under CLUB_PAN_HMAC_KEY, as cards'
    read model keys its profiles): what the front needs to order frames before it decodes them,
    and nothing from which a PAN could be read. Filled by every card check, and at start from
    the read model's profiles (`warm`), so that a switch started under load already knows the
    tiers of the cards it has not seen yet. A tier changed since is corrected by the card's next
    check; until then it only decides an order under overload."""

    def __init__(self, pan_lookup_key: bytes, capacity: int = MAX_CACHED_TIERS):
        assert capacity > 0 and pan_lookup_key
        self.capacity = capacity
        self._key = pan_lookup_key
        self._tiers: dict[bytes, str] = {}

    def get(self, pan: str) -> str | None:
        return self._tiers.get(lookup_hash(self._key, pan)) if pan else None

    def remember(self, pan: str, tier: str) -> None:
        if pan:
            self._put(lookup_hash(self._key, pan), tier)

    def _put(self, pan_hash: bytes, tier: str) -> None:
        self._tiers.pop(pan_hash, None)  # re-inserted last: the oldest entries are the ones dropped
        self._tiers[pan_hash] = tier
        if len(self._tiers) > self.capacity:
            del self._tiers[next(iter(self._tiers))]

    def __len__(self) -> int:
        return len(self._tiers)

    async def warm(self, redis: aioredis.Redis, log: logging.Logger) -> int:
        """Every card profile's tier from the read model, until the cache is full; the cards
        learned. Progress is logged every WARM_LOG_EVERY profiles."""
        started, scanned, learned = time.monotonic(), 0, 0
        keys: list[bytes] = []
        async for key in redis.scan_iter(match=profiles.profile_key_pattern(), count=WARM_SCAN_COUNT):
            keys.append(key)
            scanned += 1
            if len(keys) >= WARM_SCAN_COUNT:
                learned += await self._warm_batch(redis, keys)
                keys = []
            if scanned % WARM_LOG_EVERY == 0:
                log.info("tier cache warming", extra={"profiles": scanned, "cards": learned})
            if learned >= self.capacity:
                break
        if keys:
            learned += await self._warm_batch(redis, keys)
        log.info("tier cache warmed", extra={"cards": learned, "seconds": round(time.monotonic() - started, 1)})
        return learned

    async def _warm_batch(self, redis: aioredis.Redis, keys: list[bytes]) -> int:
        async with redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.hget(key, "tier")
            tiers = await pipe.execute()
        learned = 0
        for key, tier in zip(keys, tiers, strict=True):
            pan_hash = profiles.pan_hash_of_profile_key(key.decode())
            if tier is not None and pan_hash is not None and pan_hash not in self._tiers:  # a check knows better
                self._put(pan_hash, tier.decode())
                learned += 1
        return learned


class Dispatcher:
    """Starts frames, or holds them by tier while the frames in progress are too many for it.

    `start(frame)` begins the work on a frame (it must call `finished()` once the answer is out);
    `turn_away(frame, waited)` answers it at once without the work (91, or what a bad frame gets);
    `never_held(payload)` names frames that start at once whatever the load."""

    def __init__(self, admission: Admission, tiers: TierCache, start: Callable[[Frame], None],
                 turn_away: Callable[[Frame, float], None], pan_of: Callable[[bytes], str],
                 never_held: Callable[[bytes], bool] = lambda payload: False):
        self.admission = admission
        self.tiers = tiers
        self._start, self._turn_away, self._pan_of, self._never_held = start, turn_away, pan_of, never_held
        self.in_progress = 0
        ranks = len(admission.tiers_high_first)
        self._waiting = [collections.deque() for _ in range(max(ranks, 1))]  # by rank: 0 the lowest tier
        self._tier_names = [admission.tier_at(rank) for rank in range(max(ranks, 1))]
        self.waiting = 0
        self._sweeper: asyncio.TimerHandle | None = None

    def submit(self, frame: Frame) -> None:
        if self.in_progress < self.admission.shed_start and not self.waiting:
            self._begin(frame)  # the common case: no tier can be held yet, nothing decoded here
            return
        if self._never_held(frame.payload):
            self._begin(frame)
            return
        frame.tier = tier = self.tiers.get(self._pan_of(frame.payload))
        rank = self.admission.rank(tier) if tier is not None else len(self._waiting) - 1
        # Admitted means none of its tier waits: frames wait only while their tier is not admitted
        # (each finish releases what it admits), so a tier starts first in, first out.
        if self.admission.admit(self._tier_names[rank], self.in_progress):
            self._begin(frame)
            return
        if self.waiting >= MAX_WAITING_FRAMES:
            self._turn_away(frame, 0.0)
            return
        self._waiting[rank].append(frame)
        self.waiting += 1
        if self._sweeper is None:
            self._sweeper = asyncio.get_running_loop().call_later(SWEEP_SECONDS, self._sweep)

    def finished(self) -> None:
        self.in_progress -= 1
        assert self.in_progress >= 0, "finished more frames than were started"
        if self.waiting:
            self._release()

    def _begin(self, frame: Frame) -> None:
        self.in_progress += 1
        self._start(frame)

    def _release(self) -> None:
        """Start waiting frames, highest tier first, while their tier is admitted."""
        for rank in range(len(self._waiting) - 1, -1, -1):
            queue = self._waiting[rank]
            while queue and self.admission.admit(self._tier_names[rank], self.in_progress):
                self.waiting -= 1
                self._begin(queue.popleft())
            if queue:
                return  # the tiers below have lower thresholds: none of them is admitted either

    def _sweep(self) -> None:
        self._sweeper = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        for rank, queue in enumerate(self._waiting):
            budget = self.admission.wait_budget(self._tier_names[rank])
            while queue and now - queue[0].arrived >= budget:
                self.waiting -= 1
                frame = queue.popleft()
                self._turn_away(frame, now - frame.arrived)
        if self.waiting:
            self._sweeper = loop.call_later(SWEEP_SECONDS, self._sweep)

    def turn_away_all(self) -> None:
        """Every waiting frame answered 91 (at shutdown)."""
        now = asyncio.get_running_loop().time()
        for queue in self._waiting:
            while queue:
                self.waiting -= 1
                frame = queue.popleft()
                self._turn_away(frame, now - frame.arrived)
