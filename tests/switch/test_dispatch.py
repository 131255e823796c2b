"""The ISO front's order of work under overload (services/switch/dispatch.py): frames held back
by tier, started highest tier first, turned away once they waited past their tier's budget; and
field 2 read from the wire before decoding. The end-to-end behaviour over TCP is in
test_resilience.py."""

from __future__ import annotations

import asyncio

import iso8583
from hypothesis import given, settings
from hypothesis import strategies as st

from services.cards import profiles
from services.shared.vault import lookup_hash
from services.switch.admission import Admission
from services.switch.dispatch import MAX_CACHED_TIERS, Dispatcher, Frame, TierCache
from services.switch.iso import codec, spec

TIERS = ("platinum", "gold", "silver", "bronze")
LOOKUP_KEY = bytes(range(32))
pans = st.text("0123456789", min_size=12, max_size=19)


def message(pan: str | None, secondary: bool) -> dict:
    fields = {"t": "0200", "3": "000000", "4": "000000001000", "7": "1201120000", "11": "000001",
              "41": "TERM0001"}
    if pan is not None:
        fields["2"] = pan
    if secondary:
        fields["90"] = "0100000001120112000000000000000000000000000"[:42]
    return fields


@given(pans, st.booleans())
def test_peek_pan_reads_field_2_as_the_decoder_does(pan, secondary):
    payload = bytes(iso8583.encode(message(pan, secondary), spec.SPEC)[0])
    assert codec.peek_pan(payload) == iso8583.decode(payload, spec.SPEC)[0]["2"]


@given(st.booleans())
def test_peek_pan_without_field_2_is_empty(secondary):
    assert codec.peek_pan(bytes(iso8583.encode(message(None, secondary), spec.SPEC)[0])) == ""


@given(st.binary(max_size=64))
def test_peek_pan_never_raises_and_returns_only_digits(garbage):
    pan = codec.peek_pan(garbage)
    assert pan == "" or (pan.isdigit() and len(pan) <= 19)


@given(st.integers(0, 2_000), st.integers(0, 2_000))
def test_wait_budgets_grow_with_the_tier(start, band):
    admission = Admission(TIERS, 0, 0, start, start + band)
    budgets = [admission.wait_budget(tier) for tier in ("bronze", "silver", "gold", "platinum")]
    assert budgets == sorted(budgets)
    assert budgets[0] == start / 1000 and budgets[-1] == (start + band) / 1000
    assert admission.wait_budget("unknown-tier") == budgets[0]
    assert [admission.tier_at(admission.rank(tier)) for tier in TIERS] == list(TIERS)


def test_tier_cache_keeps_no_pan_and_drops_the_oldest_past_capacity():
    cache = TierCache(LOOKUP_KEY, capacity=2)
    cache.remember("6037990000000001", "gold")
    cache.remember("6037990000000002", "bronze")
    cache.remember("6037990000000001", "platinum")  # a tier change, and now the newest
    cache.remember("6037990000000003", "silver")
    assert cache.get("6037990000000001") == "platinum"
    assert cache.get("6037990000000002") is None  # the oldest went
    assert cache.get("6037990000000003") == "silver"
    assert cache.get("") is None
    assert all(b"60379900" not in key for key in cache._tiers)
    assert len(cache) == 2 and TierCache(LOOKUP_KEY).capacity == MAX_CACHED_TIERS


@given(st.binary(min_size=32, max_size=32))
def test_a_profile_key_gives_back_the_pan_hash_it_was_made_from(pan_hash):
    assert profiles.pan_hash_of_profile_key(profiles.profile_key(pan_hash)) == pan_hash


@given(st.text(max_size=40))
def test_other_keys_give_no_pan_hash_and_never_raise(key):
    if not key.startswith(profiles.PROFILE_PREFIX):
        assert profiles.pan_hash_of_profile_key(key) is None
    profiles.pan_hash_of_profile_key(profiles.PROFILE_PREFIX + "{" + key + "}")


def test_the_cache_is_keyed_as_the_read_model_keys_profiles():
    pan = "6037990000000001"
    key = profiles.profile_key(lookup_hash(LOOKUP_KEY, pan))
    cache = TierCache(LOOKUP_KEY)
    cache._put(profiles.pan_hash_of_profile_key(key), "gold")
    assert cache.get(pan) == "gold"


class Recorder:
    """A dispatcher over fake work: frames are started or turned away, and finish on demand."""

    def __init__(self, admission: Admission, tiers: dict[bytes, str]):
        self.cache = TierCache(LOOKUP_KEY)
        for pan, tier in tiers.items():
            self.cache.remember(pan.decode(), tier)
        self.started: list[bytes] = []
        self.turned_away: list[tuple[bytes, float]] = []
        self.dispatcher = Dispatcher(admission, self.cache, lambda frame: self.started.append(frame.payload),
                                     lambda frame, waited: self.turned_away.append((frame.payload, waited)),
                                     lambda payload: payload.split(b":")[0].decode())

    def submit(self, payload: bytes) -> None:
        self.dispatcher.submit(Frame(payload, asyncio.get_running_loop().time(), None))


def test_below_the_band_every_frame_starts_at_once():
    async def scenario():
        recorder = Recorder(Admission(TIERS, 3, 6), {b"B": "bronze"})
        for index in range(3):
            recorder.submit(b"B:%d" % index)
        assert recorder.started == [b"B:0", b"B:1", b"B:2"] and recorder.dispatcher.waiting == 0
    asyncio.run(scenario())


def test_held_frames_start_highest_tier_first_as_work_finishes():
    async def scenario():
        recorder = Recorder(Admission(TIERS, 1, 4, 5_000, 5_000), {b"P": "platinum", b"G": "gold", b"B": "bronze"})
        recorder.submit(b"B:first")  # in progress 0: starts
        recorder.submit(b"B:held")  # bronze's threshold is 1: held
        recorder.submit(b"G:1")  # gold's is 3: starts (in progress 1)
        recorder.submit(b"G:2")  # starts (in progress 2)
        recorder.submit(b"G:held")  # in progress 3: held
        recorder.submit(b"P:1")  # platinum's is 4: starts
        recorder.submit(b"P:held")  # in progress 4: held
        recorder.submit(b"U:unknown")  # a card the cache does not know waits as the highest tier
        assert recorder.started == [b"B:first", b"G:1", b"G:2", b"P:1"]
        assert recorder.dispatcher.waiting == 4
        recorder.dispatcher.finished()  # in progress 3: platinum's threshold admits one
        assert recorder.started[4:] == [b"P:held"]
        recorder.dispatcher.finished()
        assert recorder.started[5:] == [b"U:unknown"]  # FIFO within the tier
        for _ in range(3):
            recorder.dispatcher.finished()  # in progress 1: gold, then bronze only at 0
        assert recorder.started[6:] == [b"G:held"]
        recorder.dispatcher.finished()
        recorder.dispatcher.finished()
        assert recorder.started[7:] == [b"B:held"] and recorder.dispatcher.waiting == 0
        assert recorder.turned_away == []
    asyncio.run(scenario())


def test_a_frame_that_waits_past_its_budget_is_turned_away_lowest_tier_first():
    async def scenario():
        recorder = Recorder(Admission(TIERS, 0, 1, 50, 400), {b"P": "platinum", b"B": "bronze"})
        recorder.submit(b"P:busy")  # the one frame in progress, never finished here
        recorder.submit(b"B:held")
        recorder.submit(b"P:held")
        await asyncio.sleep(0.2)
        assert [payload for payload, _ in recorder.turned_away] == [b"B:held"]  # bronze's 50 ms passed
        assert recorder.turned_away[0][1] >= 0.05
        await asyncio.sleep(0.3)
        assert [payload for payload, _ in recorder.turned_away] == [b"B:held", b"P:held"]  # platinum's 400 ms
        assert recorder.started == [b"P:busy"] and recorder.dispatcher.waiting == 0
    asyncio.run(scenario())


def test_echoes_and_reversals_start_whatever_the_load():
    async def scenario():
        recorder = Recorder(Admission(TIERS, 0, 1, 60_000, 60_000), {b"P": "platinum"})
        recorder.dispatcher._never_held = codec.never_held
        recorder.submit(b"P:busy")  # the band is full from here on
        recorder.submit(b"P:held")
        for mti in (b"0800", b"0400", b"0420", b"0200"):
            recorder.submit(mti + b"rest of the message")
        assert recorder.started == [b"P:busy", b"0800rest of the message", b"0400rest of the message",
                                    b"0420rest of the message"]
        assert recorder.dispatcher.waiting == 2  # the platinum purchase and the 0200 of no known card
        recorder.dispatcher.turn_away_all()
    asyncio.run(scenario())
    assert {mti.encode() for mti in spec.NEVER_HELD_MTIS} == {b"0800", b"0400", b"0420"}


def test_shutdown_answers_every_held_frame():
    async def scenario():
        recorder = Recorder(Admission(TIERS, 0, 0, 60_000, 60_000), {b"B": "bronze"})
        for index in range(3):
            recorder.submit(b"B:%d" % index)
        recorder.dispatcher.turn_away_all()
        assert [payload for payload, _ in recorder.turned_away] == [b"B:0", b"B:1", b"B:2"]
        assert recorder.dispatcher.waiting == 0
    asyncio.run(scenario())


# Arrivals outnumber completions, so that the frames in progress climb into the band.
arrival = st.tuples(st.just("submit"), st.sampled_from((*TIERS, "unknown")), st.booleans())
operations = st.lists(st.one_of(arrival, arrival, arrival, st.tuples(st.just("finish"), st.just(""), st.just(False)),
                                st.tuples(st.just("sweep"), st.just(""), st.just(False))), max_size=120)


@settings(max_examples=300)
@given(operations, st.integers(0, 6), st.integers(0, 6))
def test_dispatch_keeps_its_promises_whatever_arrives(ops, start, band):
    """Random arrivals (of every tier, some already past any budget), completions and sweeps:
    nothing is lost, the band is never exceeded, no frame starts while a higher tier waits, a
    tier starts first in first out, a frame is turned away only past its budget, and no frame
    waits that its tier would now admit."""
    admission = Admission(TIERS, start, start + band, 1_000, 2_000)
    rank_of = {tier: admission.rank(tier) for tier in TIERS} | {"unknown": len(TIERS) - 1}

    async def scenario():
        cache = TierCache(LOOKUP_KEY)
        for tier in TIERS:
            cache.remember(tier, tier)
        loop = asyncio.get_running_loop()
        started, turned_away, submitted = [], [], []
        dispatcher = None

        def start_frame(frame):
            rank = rank_of[frame.payload.split(b":")[0].decode()]
            assert not any(dispatcher._waiting[higher] for higher in range(rank + 1, len(TIERS)))
            started.append(frame)

        def turn_away(frame, waited):
            tier = frame.payload.split(b":")[0].decode()
            assert waited >= admission.wait_budget(tier if tier in TIERS else TIERS[0]) or frame.arrived < 0
            turned_away.append(frame)

        dispatcher = Dispatcher(admission, cache, start_frame, turn_away,
                                lambda payload: payload.split(b":")[0].decode())
        finished = 0
        for index, (op, tier, stale) in enumerate(ops):
            if op == "submit":
                frame = Frame(b"%s:%d" % (tier.encode(), index), -1e9 if stale else loop.time(), None)
                submitted.append(frame)
                dispatcher.submit(frame)
            elif op == "finish" and finished < len(started):
                finished += 1
                dispatcher.finished()
            elif op == "sweep":
                dispatcher._sweep()
            assert len(started) + len(turned_away) + dispatcher.waiting == len(submitted)
            assert dispatcher.in_progress == len(started) - finished <= max(admission.max_in_flight, 0)
            for rank, queue in enumerate(dispatcher._waiting):
                assert not queue or not admission.admit(admission.tier_at(rank), dispatcher.in_progress)
        for rank in range(len(TIERS)):
            of_rank = [frame for frame in submitted if rank_of[frame.payload.split(b":")[0].decode()] == rank]
            order = [frame for frame in of_rank if frame in started]
            assert order == sorted(order, key=of_rank.index)  # first in, first started
        if dispatcher._sweeper is not None:
            dispatcher._sweeper.cancel()
    asyncio.run(scenario())
