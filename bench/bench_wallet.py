"""wallet.Purchase over real gRPC against a real wallet process: purchases/s and p50/p95/p99,
with group commit on (one Postgres transaction for every purchase waiting) and off (one
transaction per purchase).

Starts its own stack (fresh database, private Redis) in a temporary directory, funds MEMBERS
members, then for each CLUB_GROUP_COMMIT setting starts the wallet, sends purchases one at a time
(the latency floor), then CONCURRENCY at a time, each a distinct transaction at a random member, until CALLS purchases
or SECONDS have passed (the short run is bounded by time, so it stays quick on a busy machine).
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import random
import tempfile
import time
import uuid

import grpc

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from tests import harness

MEMBERS = 100
FUNDS = 10**12  # rials per member: never the limit here
CONCURRENCY = 64
CALLS = {True: 2_000, False: 20_000}  # per mode, short / full: at most this many purchases
SECONDS = {True: 3.5, False: 60.0}  # per mode: or as many as complete in this time
SEQUENTIAL_SECONDS = {True: 1.5, False: 15.0}  # one purchase at a time: the latency floor
WARM_UP = 100


def _percentile(ordered: list[float], q: float) -> float:
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 3)


def _fund(stack: harness.Stack, members: list[str]) -> None:
    with stack.channel("wallet") as channel:
        stub = wallet_pb2_grpc.WalletServiceStub(channel)
        for member in members:
            reply = stub.TopUp(pb.TopUpRequest(transfer_id=f"fund-{member}", member_id=member, amount=FUNDS,
                                               reason="bench"))
            assert reply.result in (pb.TRANSFER_RESULT_OK, pb.TRANSFER_RESULT_EXISTS), reply.result


async def _phase(address: str, token: str, members: list[str], calls: int, concurrency: int,
                 seconds: float = 3600.0) -> dict:
    metadata = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(address) as channel:
        buy = wallet_pb2_grpc.WalletServiceStub(channel).Purchase
        latencies: list[float] = []
        next_call = iter(range(calls))
        deadline = time.perf_counter() + seconds

        async def worker():
            for _ in next_call:
                if time.perf_counter() > deadline:
                    break
                request = pb.PurchaseRequest(transaction_id=f"bench-{uuid.uuid4()}", member_id=random.choice(members),
                                             merchant_id="M-bench", amount=random.randrange(10_000, 2_000_000),
                                             points_earned=random.randrange(0, 20))
                started = time.perf_counter()
                reply = await buy(request, metadata=metadata, timeout=60)
                latencies.append(time.perf_counter() - started)
                assert reply.outcome == pb.PURCHASE_OUTCOME_APPROVED, reply.outcome

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"calls": len(latencies), "concurrency": concurrency, "purchases_per_second": round(len(latencies) / elapsed),
            "p50_ms": _percentile(ordered, 0.50), "p95_ms": _percentile(ordered, 0.95),
            "p99_ms": _percentile(ordered, 0.99)}


def _mode(stack: harness.Stack, group_commit: bool, members: list[str], short: bool) -> dict:
    previous = stack.services.pop("wallet", None)
    if previous is not None:
        previous.stop()
    stack.extra_env["CLUB_GROUP_COMMIT"] = "true" if group_commit else "false"
    address, token = stack.address("wallet"), stack.token("service")  # the switch calls with a service token
    asyncio.run(_phase(address, token, members, WARM_UP, 8))
    return {"sequential": asyncio.run(_phase(address, token, members, CALLS[short], 1, SEQUENTIAL_SECONDS[short])),
            "concurrent": asyncio.run(_phase(address, token, members, CALLS[short], CONCURRENCY, SECONDS[short]))}


def run(short: bool = False) -> dict:
    harness.ensure_infra()
    with tempfile.TemporaryDirectory() as workdir:
        stack = harness.Stack(pathlib.Path(workdir), f"club_bench_wallet_{os.getpid()}")
        try:
            members = [f"bench-{n}" for n in range(MEMBERS)]
            stack.extra_env["CLUB_GROUP_COMMIT"] = "true"
            _fund(stack, members)
            return {"purchase": {"group_commit_on": _mode(stack, True, members, short),
                                 "group_commit_off": _mode(stack, False, members, short)},
                    "members": MEMBERS,
                    "purchase_shape": "credit, one merchant, points earned; reserve in Redis, commit, answer"}
        finally:
            stack.close()


if __name__ == "__main__":
    print(run(short=True))
