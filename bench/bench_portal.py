"""Members browsing the portal at once: each member signs in the way a phone does (the one-time
code read from the development SMS sink), then loads home, transactions and coupons (benefits,
coupons and rewards) in turn until the time is up, every member with her own session and her own
address (X-Forwarded-For, as the proxy in front of the portal sends it). Prints, per page, the
p50/p95/p99 time and the gRPC calls the page made (the portal's X-Grpc-Calls header): the home
page's promise is at most HOME_CALLS_MAX.

One portal process (uvicorn, one event loop) in front of every service, all on this machine.
"""

from __future__ import annotations

import asyncio
import pathlib
import statistics
import tempfile
import time
import uuid

import httpx

from services.gen.club.cards.v1 import cards_pb2
from services.portal.backends import HOME_CALLS_MAX
from tests import harness
from tests.portal.support import DEV_API_KEY, PortalProcess, Sink, SmsSink, http_sign_in
from tests.switch.conftest import make_club

MEMBERS = {True: 50, False: 200}
SECONDS = {True: 10, False: 30}
PURCHASES_PER_MEMBER = {True: 1, False: 3}
PAGES = ("/home", "/transactions", "/coupons")
SIGN_IN_AT_ONCE = 20
REQUEST_TIMEOUT_SECONDS = 30


def _seed(club, members: int, purchases: int) -> list[str]:
    """Members with cards, credit and a few purchases over ISO 8583; their phones."""
    phones = []
    terminal = club.terminal()
    try:
        for _ in range(members):
            card = club.card(credit=10_000_000)
            for index in range(purchases):
                assert terminal.purchase(card, 10_000 * (index + 1))["39"] == "00"
            phones.append(club.cards.GetMember(cards_pb2.GetMemberRequest(member_id=card.member_id)).phone)
    finally:
        terminal.close()
    return phones


async def _browse(client: httpx.AsyncClient, until: float, seen: list[tuple[str, float, int, int]]) -> None:
    index = 0
    while time.monotonic() < until:
        path = PAGES[index % len(PAGES)]
        index += 1
        started = time.perf_counter()
        answer = await client.get(path)
        seen.append((path, (time.perf_counter() - started) * 1000, int(answer.headers.get("x-grpc-calls", -1)),
                     answer.status_code))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1) if ordered else 0.0


async def _drive(portal_url: str, sink: Sink, phones: list[str], seconds: float) -> list[tuple[str, float, int, int]]:
    clients = [httpx.AsyncClient(base_url=portal_url, timeout=REQUEST_TIMEOUT_SECONDS,
                                 headers={"x-forwarded-for": f"10.{index // 250}.{index % 250}.1"})
               for index in range(len(phones))]
    try:
        for start in range(0, len(phones), SIGN_IN_AT_ONCE):
            await asyncio.gather(*(http_sign_in(client, sink, phone) for client, phone in
                                   zip(clients[start:start + SIGN_IN_AT_ONCE], phones[start:start + SIGN_IN_AT_ONCE],
                                       strict=True)))
        seen: list[tuple[str, float, int, int]] = []
        until = time.monotonic() + seconds
        await asyncio.gather(*(_browse(client, until, seen) for client in clients))
        return seen
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


def run(short: bool) -> dict:
    harness.ensure_infra()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="bench-portal-"))
    server = SmsSink(harness.free_port(), workdir / "sms-sink.jsonl").start()
    sink = Sink(server)
    stack = harness.Stack(workdir, f"club_bench_{uuid.uuid4().hex[:8]}", {
        "CLUB_LOG_LEVEL": "WARNING", "CLUB_SMS_BASE_URL": sink.url, "CLUB_SMS_API_KEY": DEV_API_KEY})
    portal = None
    try:
        club = make_club(stack)
        stack.start("crm")
        phones = _seed(club, MEMBERS[short], PURCHASES_PER_MEMBER[short])
        portal = PortalProcess(stack, workdir, CLUB_LOG_LEVEL="WARNING").start()
        seen = asyncio.run(_drive(portal.url, sink, phones, SECONDS[short]))
    finally:
        if portal:
            portal.stop()
        stack.close()
        server.close()
    pages = {}
    for path in PAGES:
        rows = [row for row in seen if row[0] == path]
        times = [row[1] for row in rows]
        calls = [row[2] for row in rows]
        pages[path] = {"requests": len(rows), "errors": sum(1 for row in rows if row[3] != 200),
                       "p50_ms": _percentile(times, 0.50), "p95_ms": _percentile(times, 0.95),
                       "p99_ms": _percentile(times, 0.99),
                       "grpc_calls_per_page": statistics.mean(calls) if calls else 0, "grpc_calls_max": max(calls, default=0)}
    every = [row[1] for row in seen]
    return {"members": MEMBERS[short], "seconds": SECONDS[short], "pages": pages,
            "pages_per_second": round(len(seen) / SECONDS[short], 1), "p95_ms": _percentile(every, 0.95),
            "home_grpc_calls_max": pages["/home"]["grpc_calls_max"],
            "home_within_call_budget": pages["/home"]["grpc_calls_max"] <= HOME_CALLS_MAX}
