"""The whole purchase path under load: every service a separate process (cards, wallet,
tasheem, switch) on Postgres and Redis, driven over TCP by many terminals with pre-encoded
messages; then the single-process reference (bench/reference.py) driven the same way, and the
ratio; the platform also runs open loop at 80% of its closed-loop rate, to show latency without
the load generator throttling itself. Every approval counted is durable in the ledger (checked
at the end).
"""

from __future__ import annotations

import asyncio
import pathlib
import subprocess
import sys
import tempfile
import uuid

from services.gen.club.cards.v1 import cards_pb2
from tests import harness
from tests.switch.conftest import make_club
from tests.switch.helpers import MAC_KEY

from . import cpu, loadgen

TERMINALS = 8
CARDS = 64
CONCURRENCY = {True: 8, False: 16}  # in flight per terminal connection
SECONDS = {True: 5, False: 30}
AMOUNT = 1_000
CREDIT = 10**12


def _seed(club) -> list[loadgen.Template]:
    product = club.new_product(pin_required=False, limits=cards_pb2.ProductLimits())
    cards = [club.card(credit=CREDIT, product=product) for _ in range(CARDS)]
    templates = []
    for index in range(TERMINALS):
        merchant, terminal_id = club.new_merchant() if index else (club.merchant_id, club.terminal_id)
        card = cards[index % CARDS]
        templates.append(loadgen.Template.purchase(card.pan, card.expiry, AMOUNT, terminal_id, merchant, MAC_KEY))
    return templates


def _reference(stack: harness.Stack, short: bool, templates) -> dict:
    port = harness.free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.reference", "--port", str(port), "--redis",
                                stack.redis_url, "--database", stack.database_url],
                               cwd=harness.ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        return asyncio.run(loadgen.drive(port, templates, CONCURRENCY[short], SECONDS[short]))
    finally:
        process.terminate()
        process.wait(10)


def run(short: bool) -> dict:
    harness.ensure_infra()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="bench-switch-"))
    stack = harness.Stack(workdir, f"club_bench_{uuid.uuid4().hex[:8]}",
                          {"CLUB_LOG_LEVEL": "WARNING", "CLUB_MAX_IN_FLIGHT": "100000",
                           "CLUB_SHED_START_IN_FLIGHT": "100000"})
    try:
        club = make_club(stack)
        templates = _seed(club)
        asyncio.run(loadgen.drive(stack.iso_port, templates[:1], 1, 1))  # warm caches and connections
        meter = cpu.CpuMeter({name: service.proc.pid for name, service in stack.services.items()}
                             | {"redis": stack.redis_server.proc.pid})
        platform = asyncio.run(loadgen.drive(stack.iso_port, templates, CONCURRENCY[short], SECONDS[short], meter))
        # Open loop at 80% of what the closed loop reached: latency without self-throttling.
        open_rate = max(10.0, 0.8 * platform["approved_per_second"])
        open_loop = asyncio.run(loadgen.drive_rate(stack.iso_port, templates, open_rate, SECONDS[short]))
        open_loop["offered_per_second"] = round(open_rate, 1)
        with stack.pg() as conn:
            posted = conn.execute("SELECT count(*) FROM wallet.transfers WHERE transfer_id LIKE '%%:sale'"
                                  " AND amount = %s", (AMOUNT,)).fetchone()[0]
        assert posted >= platform["approved"] + open_loop["approved"], "every approval counted is in the ledger"
        reference = _reference(stack, short, templates)
    finally:
        stack.close()
    ratio = platform["approved_per_second"] / reference["approved_per_second"] if reference["approved_per_second"] else 0
    return {"terminals": TERMINALS, "in_flight_per_terminal": CONCURRENCY[short], "seconds": SECONDS[short],
            "platform": platform, "platform_open_loop": open_loop, "approvals_in_ledger": posted,
            "reference": reference,
            "platform_to_reference": round(ratio, 3)}
