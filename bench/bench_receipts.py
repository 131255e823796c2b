"""Does the SMS receipt cost the terminal anything? The whole purchase path under a steady open-loop
load, in alternating phases with crm stopped (no receipts) and running (every card's member has
opted in to receipts, so each approval is read back from the journal, queued in the outbox and
sent to a local SMS gateway). The receipt is queued off the authorization's path
(services/crm/receipts.py), so the 0210's latency should be the same in both; this prints each
phase's percentiles side by side, phases alternating so the machine's drift lands on both.

On two cores every process shares the CPU the switch needs, so crm's work (reading the journal,
sending a few hundred SMS a second) slows the 0210 by contention alone. In production crm runs in
pods of its own; here it runs at a lower CPU priority (CRM_NICE) to stand in for that, and
`python -m bench receipts` measures both ways: `same_priority` and `crm_niced`.
"""

from __future__ import annotations

import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from services.gen.club.cards.v1 import cards_pb2
from tests import harness
from tests.switch.conftest import make_club
from tests.switch.helpers import MAC_KEY

from . import cpu, loadgen

DEV_API_KEY = harness.load_script("sms_sink").DEV_API_KEY  # the development sink's own key

TERMINALS = 8
CARDS = 32
RATE = {True: 200, False: 500}  # requests per second offered, well inside what the stack serves
PHASE_SECONDS = {True: 4, False: 15}
ROUNDS = {True: 2, False: 3}  # each round: one phase without receipts, one with
DRAIN_SECONDS = {True: 5, False: 20}  # after the last phase: how long crm gets to send what is queued
AMOUNT = 1_000
CREDIT = 10**12
RECEIPT_CONSENT = "receipt_sms"
CRM_NICE = 10
START_SETTLE_SECONDS = 2  # crm's own start (imports, pools, the first catch-up) is not measured


def _seed(club) -> tuple[list[loadgen.Template], list[str]]:
    product = club.new_product(pin_required=False, limits=cards_pb2.ProductLimits())
    cards, phones = [], []
    for _ in range(CARDS):
        card = club.card(credit=CREDIT, product=product)
        club.cards.UpdateMember(cards_pb2.UpdateMemberRequest(
            member_id=card.member_id, update_fields=["consents"],
            values=cards_pb2.RegisterMemberRequest(consents=[cards_pb2.Consent(purpose=RECEIPT_CONSENT,
                                                                              granted=True)])))
        phones.append(club.cards.GetMember(cards_pb2.GetMemberRequest(member_id=card.member_id)).phone)
        cards.append(card)
    templates = []
    for index in range(TERMINALS):
        merchant, terminal_id = club.new_merchant() if index else (club.merchant_id, club.terminal_id)
        card = cards[index % CARDS]
        templates.append(loadgen.Template.purchase(card.pan, card.expiry, AMOUNT, terminal_id, merchant, MAC_KEY))
    return templates, phones


def _phase(stack, templates, short: bool) -> dict:
    meter = cpu.CpuMeter({name: service.proc.pid for name, service in stack.services.items() if service.running()}
                         | {"redis": stack.redis_server.proc.pid})
    result = loadgen.run(loadgen.drive_rate(stack.iso_port, templates, RATE[short], PHASE_SECONDS[short], meter))
    return {key: result[key] for key in ("requests", "approved", "p50_ms", "p95_ms", "p99_ms", "codes",
                                         "cpu_ms_per_approval")}


def _sms_sink(workdir: pathlib.Path) -> tuple[subprocess.Popen, str, pathlib.Path]:
    """The development SMS sink as a process of its own, so its HTTP work is not the load generator's."""
    port, output = harness.free_port(), workdir / "sms.jsonl"
    process = subprocess.Popen([sys.executable, "scripts/sms_sink.py", "--port", str(port), "--output", str(output)],
                               cwd=harness.ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().startswith("SMS sink at")
    return process, f"http://127.0.0.1:{port}", output


def _sent(output: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in output.read_text().splitlines()] if output.exists() else []


def _measure(short: bool, crm_nice: int) -> dict:
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="bench-receipts-"))
    sink, sink_url, sink_output = _sms_sink(workdir)
    stack = harness.Stack(workdir, f"club_bench_{uuid.uuid4().hex[:8]}", {
        "CLUB_LOG_LEVEL": "WARNING", "CLUB_SMS_BASE_URL": sink_url, "CLUB_SMS_API_KEY": DEV_API_KEY,
        "CLUB_SMS_QUIET_HOURS": ""})
    phases: dict[str, list[dict]] = {"without_receipts": [], "with_receipts": []}
    try:
        club = make_club(stack)
        templates, phones = _seed(club)
        loadgen.run(loadgen.drive(stack.iso_port, templates, 1, 1))  # warm: every card and terminal seen once
        stack.start("crm")
        crm = stack.services["crm"]
        for _ in range(ROUNDS[short]):
            crm.stop()
            phases["without_receipts"].append(_phase(stack, templates, short))
            crm.start()
            if crm_nice:
                os.setpriority(os.PRIO_PROCESS, crm.proc.pid, crm_nice)
            loadgen.run(loadgen.drive_rate(stack.iso_port, templates, RATE[short], START_SETTLE_SECONDS))
            phases["with_receipts"].append(_phase(stack, templates, short))
        deadline = time.monotonic() + DRAIN_SECONDS[short]
        wanted = set(phones)
        while time.monotonic() < deadline and len(_sent(sink_output)) < sum(p["approved"]
                                                                              for p in phases["with_receipts"]):
            time.sleep(0.5)
        receipts_sent = sum(1 for sms in _sent(sink_output) if sms["receptor"] in wanted)
    finally:
        stack.close()
        sink.terminate()
        sink.wait(10)
    median = {mode: {key: round(statistics.median(p[key] for p in runs), 2) for key in ("p50_ms", "p95_ms", "p99_ms")}
              for mode, runs in phases.items()}
    return {"crm_nice": crm_nice, "phases": phases, "median_of_phases": median,
            "p99_difference_ms": round(median["with_receipts"]["p99_ms"] - median["without_receipts"]["p99_ms"], 2),
            "approvals": sum(p["approved"] for runs in phases.values() for p in runs),
            "receipts_sent": receipts_sent}


def run(short: bool) -> dict:
    harness.ensure_infra()
    return {"offered_per_second": RATE[short], "phase_seconds": PHASE_SECONDS[short],
            "same_priority": _measure(short, 0), "crm_niced": _measure(short, CRM_NICE),
            "note": "receipts of approvals made while crm was stopped are sent after it starts (its catch-up)"}
