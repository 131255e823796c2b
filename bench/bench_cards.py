"""AuthorizeCard over real gRPC against a real cards process: calls/s and p50/p99 latency.

Starts its own stack (fresh database, private Redis) in a temporary directory, issues and
activates cards, registers a terminal with known keys, then sends purchases with an ISO
format 0 PIN block, first one at a time (latency) and then CONCURRENCY at once (throughput).
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import statistics
import tempfile
import time

import grpc
from psec import des, pinblock

from services.cards.keys import DEV_ZONE_PIN_KEY
from services.gen.club.cards.v1 import cards_pb2 as pb
from services.gen.club.cards.v1 import cards_pb2_grpc
from tests import harness

CARDS = 50
CONCURRENCY = 16
CALLS = {True: 1_000, False: 10_000}  # per phase, short / full
PIN = "1234"
TERMINAL_PIN_KEY = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")


def _setup(channel: grpc.Channel) -> list[pb.AuthorizeCardRequest]:
    stub = cards_pb2_grpc.CardServiceStub(channel)
    product = stub.CreateProduct(pb.CreateProductRequest(
        name="bench", bin="99887766", kind=pb.CARD_KIND_LOYALTY, currency="364", validity_months=24,
        service_code="101", pin_required=True, limits=pb.ProductLimits(per_transaction_amount=10_000_000)))
    terminal = stub.RegisterTerminal(pb.RegisterTerminalRequest(terminal_id="BENCH001", merchant_id="M1",
                                                                pin_key=TERMINAL_PIN_KEY.hex()))
    requests = []
    for index in range(CARDS):
        member = stub.RegisterMember(pb.RegisterMemberRequest(phone=f"0935{index:07d}", first_name="Bench"))
        issued = stub.IssueCard(pb.IssueCardRequest(member_id=member.member_id, product_id=product.product_id))
        zone = des.encrypt_tdes_ecb(DEV_ZONE_PIN_KEY, pinblock.encode_pinblock_iso_0(PIN, issued.pan))
        stub.ActivateCard(pb.ActivateCardRequest(card_token=issued.card.card_token,
                                                 pin=pb.PinBlock(block=zone, format=pb.PIN_BLOCK_FORMAT_ISO_0)))
        block = des.encrypt_tdes_ecb(TERMINAL_PIN_KEY, pinblock.encode_pinblock_iso_0(PIN, issued.pan))
        requests.append(pb.AuthorizeCardRequest(pan=issued.pan, terminal_id=terminal.terminal_id, amount=250_000,
                                                processing_code="000000", pin_block=block,
                                                pin_block_format=pb.PIN_BLOCK_FORMAT_ISO_0))
    return requests


async def _phase(address: str, token: str, requests: list, calls: int, concurrency: int) -> dict:
    async with grpc.aio.insecure_channel(address) as channel:
        authorize = cards_pb2_grpc.CardServiceStub(channel).AuthorizeCard
        latencies: list[float] = []
        next_call = iter(range(calls))

        async def worker():
            for index in next_call:
                started = time.perf_counter()
                reply = await authorize(requests[index % len(requests)], metadata=(("authorization", f"Bearer {token}"),))
                latencies.append(time.perf_counter() - started)
                assert reply.response_code == "00", reply.response_code

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"calls": calls, "concurrency": concurrency, "calls_per_second": round(calls / elapsed),
            "p50_ms": round(statistics.median(ordered) * 1000, 3),
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 3)}


def run(short: bool = False) -> dict:
    harness.ensure_infra()
    with tempfile.TemporaryDirectory() as workdir:
        stack = harness.Stack(pathlib.Path(workdir), f"club_bench_cards_{os.getpid()}")
        try:
            address = stack.address("cards")
            with stack.channel("cards") as channel:
                requests = _setup(channel)
            calls, token = CALLS[short], stack.token("service")  # the switch calls with a service token
            asyncio.run(_phase(address, token, requests, min(200, calls), 4))  # warm-up
            return {"authorize_card": {"sequential": asyncio.run(_phase(address, token, requests, calls // 2, 1)),
                                       "concurrent": asyncio.run(_phase(address, token, requests, calls, CONCURRENCY))},
                    "cards": CARDS, "pin_block": "ISO 9564 format 0 under the terminal PIN key"}
        finally:
            stack.close()


if __name__ == "__main__":
    print(run(short=True))
