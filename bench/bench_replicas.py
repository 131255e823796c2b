"""One replica of each service against two, side by side in one run: the same seeded club and
the same load generator as the switch benchmark (bench/bench_switch.py), on a stack with one
process per service, then on one with two processes of cards, wallet, tasheem and switch (each
caller balancing over both, per call; the terminals' connections split over the two switches'
ISO ports). Closed loop (the load generator's terminals × in flight each): approvals/s, p50, p99,
CPU per approval by process; then open loop at one rate for both (half of what one replica
reached closed loop), so the latencies compare at the same load. Every approval counted is in
the ledger (checked).

On the 2-core development machine two replicas cannot be faster: the services, Postgres, Redis
and the load generator already share the two cores, and a second process per service only adds
its own event loop, connections and smaller batches. What this measures there is the cost of
replication (CPU per approval, latency); the gain shows only where replicas get cores of their own.
"""

from __future__ import annotations

import pathlib
import tempfile
import uuid

from tests import harness
from tests.switch.conftest import ALL_SERVICES, make_club

from . import cpu, loadgen
from .bench_switch import AMOUNT, CONCURRENCY, SETTLE_SECONDS, TERMINALS, _seed, sales_in_ledger

SECONDS = {True: 5, False: 20}
OPEN_LOOP_SHARE = 0.5  # of one replica's closed-loop rate, offered to both
REPLICA_COUNTS = (1, 2)


def _stack(replicas: int) -> harness.Stack:
    return harness.Stack(pathlib.Path(tempfile.mkdtemp(prefix=f"bench-replicas-{replicas}-")),
                         f"club_bench_replicas_{uuid.uuid4().hex[:8]}",
                         {"CLUB_LOG_LEVEL": "WARNING", "CLUB_MAX_IN_FLIGHT": "100000",
                          "CLUB_SHED_START_IN_FLIGHT": "100000"},
                         replicas={name: replicas for name in ALL_SERVICES})


def _measure(replicas: int, short: bool, open_rate: float | None) -> dict:
    """Closed loop, then open loop at `open_rate` (None: half of this run's closed-loop rate)."""
    stack = _stack(replicas)
    try:
        club = make_club(stack)
        templates = _seed(club)
        ports = stack.iso_ports
        loadgen.run(loadgen.drive(ports, templates[:len(ports)], 1, 1))  # warm caches and connections
        loadgen.run(loadgen.drive(ports, templates, CONCURRENCY[short], SETTLE_SECONDS[short]))
        pids = {f"{name} #{index}" if replicas > 1 else name: process.proc.pid
                for name in ALL_SERVICES for index, process in enumerate(stack.replicas_of(name))}
        meter = cpu.CpuMeter(pids | {"redis": stack.redis_server.proc.pid})
        closed = loadgen.run(loadgen.drive(ports, templates, CONCURRENCY[short], SECONDS[short], meter))
        rate = open_rate if open_rate is not None else max(10.0, OPEN_LOOP_SHARE * closed["approved_per_second"])
        open_loop = loadgen.run(loadgen.drive_rate(ports, templates, rate, SECONDS[short]))
        open_loop["offered_per_second"] = round(rate, 1)
        posted = sales_in_ledger(stack, AMOUNT)
        assert posted >= closed["approved"] + open_loop["approved"], "every approval counted is in the ledger"
    finally:
        stack.close()
    return {"replicas_of_each_service": replicas, "switch_iso_ports": len(ports), "closed_loop": closed,
            "open_loop": open_loop, "approvals_in_ledger": posted}


def _row(result: dict) -> str:
    closed, open_loop = result["closed_loop"], result["open_loop"]
    return (f"{result['replicas_of_each_service']:>8} {closed['approved_per_second']:>12,.0f} {closed['p50_ms']:>9.1f}"
            f" {closed['p99_ms']:>9.1f} {closed['cpu_ms_per_approval']['total']:>12.3f}"
            f" {open_loop['offered_per_second']:>10,.0f} {open_loop['p50_ms']:>9.1f} {open_loop['p99_ms']:>9.1f}")


def run(short: bool) -> dict:
    harness.ensure_infra()
    one = _measure(1, short, None)
    two = _measure(2, short, one["open_loop"]["offered_per_second"])
    header = (f"{'replicas':>8} {'approvals/s':>12} {'p50 ms':>9} {'p99 ms':>9} {'CPU ms/appr':>12}"
              f" {'open /s':>10} {'p50 ms':>9} {'p99 ms':>9}")
    ratio = (two["closed_loop"]["approved_per_second"] / one["closed_loop"]["approved_per_second"]
             if one["closed_loop"]["approved_per_second"] else 0.0)
    text = "\n".join((f"headline: two replicas of each service reach {ratio:.2f}x one replica's closed-loop"
                      f" approvals/s ({TERMINALS} terminals x {CONCURRENCY[short]} in flight)",
                      header, _row(one), _row(two)))
    return {"headline": {"two_to_one_closed_loop": round(ratio, 3), "text": text},
            "terminals": TERMINALS, "in_flight_per_terminal": CONCURRENCY[short], "seconds": SECONDS[short],
            "one_replica": one, "two_replicas": two}
