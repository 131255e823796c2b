"""Quote over real gRPC against a real tasheem process with a few hundred offers loaded:
p50/p99 latency (one call at a time) and calls/s (CONCURRENCY in flight), for a plain quote
(in memory only) and a reserving quote (Redis gate + one Postgres commit).
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import random
import statistics
import tempfile
import time
import uuid

import grpc

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.tasheem import iban
from tests import harness

MERCHANTS = 50
GROUPS = 5
OFFERS = 300
CONCURRENCY = 16
CALLS = {True: 600, False: 6_000}  # per phase, short / full
MCCS = ("5411", "5812", "5942", "5462", "5999")


def _setup(stub) -> list[str]:
    stub.CreateParty(pb.CreatePartyRequest(party_id="partner1", name="Partner"))
    merchants = []
    for index in range(MERCHANTS):
        merchant_id = f"BM{index:05d}"
        stub.CreateMerchant(pb.CreateMerchantRequest(
            merchant_id=merchant_id, name=f"Bench {index}", mcc=MCCS[index % len(MCCS)], group=f"g{index % GROUPS}",
            beneficiaries=[pb.Beneficiary(iban=iban.with_check_digits(f"{index:022d}"), name="owner", remainder=True)]))
        merchants.append(merchant_id)
    rng = random.Random(7)
    for index in range(OFFERS):
        kind = index % 4  # by merchant, by group, by MCC, by terminal
        scope = [pb.OfferScope(merchant_ids=[rng.choice(merchants)]), pb.OfferScope(merchant_groups=[f"g{index % GROUPS}"]),
                 pb.OfferScope(mccs=[MCCS[index % len(MCCS)]]), pb.OfferScope(terminal_ids=[f"T{index:04d}"])][kind]
        stub.CreateOffer(pb.CreateOfferRequest(offer=pb.Offer(
            offer_id=f"bench-{index}", name=f"offer {index}", scope=scope, priority=index,
            # Mostly exclusive (the best one wins), one in ten stackable: a quote applies one to a few.
            stacking=pb.STACKING_STACKABLE if index % 10 == 0 else pb.STACKING_EXCLUSIVE, discount=pb.Discount(percent_bp=rng.randint(50, 500), cap=200_000),
            budget=10**12 if index % 3 == 0 else 0,
            member_limits=[pb.MemberLimit(period=pb.LIMIT_PERIOD_DAY, max_uses=1_000)] if index % 5 == 0 else [],
            funding=[pb.FundingRule(party_id="bank", percent_bp=5000),
                     pb.FundingRule(party_id="partner1", percent_bp=3000),
                     pb.FundingRule(party_id="merchant", percent_bp=2000, remainder=True)])))
    return merchants


async def _phase(address: str, token: str, merchants: list[str], calls: int, concurrency: int, reserve: bool) -> dict:
    async with grpc.aio.insecure_channel(address) as channel:
        quote = tasheem_pb2_grpc.TasheemServiceStub(channel).Quote
        latencies: list[float] = []
        next_call = iter(range(calls))
        applied = 0

        async def worker():
            nonlocal applied
            for index in next_call:
                request = pb.QuoteRequest(merchant_id=merchants[index % len(merchants)], terminal_id=f"T{index % 400:04d}",
                                          member_id=f"member-{index % 97}", amount=1_000_000 + index, reserve=reserve,
                                          transaction_id=str(uuid.uuid4()) if reserve else "")
                started = time.perf_counter()
                reply = await quote(request, metadata=(("authorization", f"Bearer {token}"),))
                latencies.append(time.perf_counter() - started)
                applied += len(reply.offers)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"calls": calls, "concurrency": concurrency, "calls_per_second": round(calls / elapsed),
            "p50_ms": round(statistics.median(ordered) * 1000, 3),
            "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 3),
            "offers_applied_per_quote": round(applied / calls, 2)}


def run(short: bool = False) -> dict:
    harness.ensure_infra()
    with tempfile.TemporaryDirectory() as workdir:
        stack = harness.Stack(pathlib.Path(workdir), f"club_bench_quote_{os.getpid()}")
        try:
            address = stack.address("tasheem")
            with stack.channel("tasheem") as channel:
                merchants = _setup(tasheem_pb2_grpc.TasheemServiceStub(channel))
            calls, token = CALLS[short], stack.token("service")  # the switch calls with a service token
            asyncio.run(_phase(address, token, merchants, min(200, calls), 4, False))  # warm-up
            result = {}
            for name, reserve in (("quote", False), ("quote_reserve", True)):
                result[name] = {
                    "sequential": asyncio.run(_phase(address, token, merchants, calls // 2, 1, reserve)),
                    "concurrent": asyncio.run(_phase(address, token, merchants, calls, CONCURRENCY, reserve))}
            return {**result, "offers": OFFERS, "merchants": MERCHANTS}
        finally:
            stack.close()


if __name__ == "__main__":
    print(run(short=True))
