"""Counted writes answered at once against answered once their replica has them, side by side.

Every service on a local Redis Cluster (3 primaries, 3 replicas); the switch benchmark's closed
loop (8 terminals x 8 in flight), then an open loop at 60% of what it reached, with
CLUB_REDIS_WAIT_REPLICAS=0 and =1 alternating (docs/performance.md, "Counted writes waiting for
their replica"). Reported per run: approvals/s, CPU per approval, open-loop p50/p99 and the WAITs
the primaries served.
"""

from __future__ import annotations

import pathlib
import tempfile
import uuid

import redis

from tests import harness
from tests.switch.conftest import make_club

from . import cpu, loadgen
from .bench_switch import _seed

PAIRS = {True: 1, False: 3}
SECONDS = {True: 3, False: 10}
IN_FLIGHT = 8
OPEN_LOOP_SHARE = 0.6


def _waits_served(stack: harness.Stack) -> int:
    return sum(int(redis.Redis(port=port).info("commandstats").get("cmdstat_wait", {}).get("calls", 0))
               for port in stack.redis_server.cluster.ports)


def _one(wait_replicas: int, seconds: float) -> dict:
    stack = harness.Stack(pathlib.Path(tempfile.mkdtemp(prefix="bench-replicated-")),
                          f"club_bench_{uuid.uuid4().hex[:8]}",
                          {"CLUB_LOG_LEVEL": "WARNING", "CLUB_MAX_IN_FLIGHT": "100000",
                           "CLUB_SHED_START_IN_FLIGHT": "100000", "CLUB_REDIS_WAIT_REPLICAS": str(wait_replicas)},
                          redis_cluster=True)
    try:
        templates = _seed(make_club(stack))
        loadgen.run(loadgen.drive(stack.iso_port, templates[:1], 1, 1))  # warm caches and connections
        meter = cpu.CpuMeter({name: service.proc.pid for name, service in stack.services.items()}
                             | cpu.redis_processes(stack.redis_server))
        closed = loadgen.run(loadgen.drive(stack.iso_port, templates, IN_FLIGHT, seconds, meter))
        rate = max(10.0, OPEN_LOOP_SHARE * closed["approved_per_second"])
        opened = loadgen.run(loadgen.drive_rate(stack.iso_port, templates, rate, seconds))
        waits = _waits_served(stack)
    finally:
        stack.close()
    return {"wait_replicas": wait_replicas, "approved_per_second": closed["approved_per_second"],
            "cpu_ms_per_approval": closed["cpu_ms_per_approval"], "open_loop_per_second": round(rate, 1),
            "open_loop_p50_ms": opened["p50_ms"], "open_loop_p99_ms": opened["p99_ms"], "waits_served": waits}


def run(short: bool) -> dict:
    harness.ensure_infra()
    runs = [_one(wait, SECONDS[short]) for _ in range(PAIRS[short]) for wait in (0, 1)]

    def mean_cpu(wait: int) -> float:
        mine = [r["cpu_ms_per_approval"]["total"] for r in runs if r["wait_replicas"] == wait]
        return round(sum(mine) / len(mine), 3)

    assert all(r["waits_served"] == 0 for r in runs if not r["wait_replicas"]), "no WAIT unless asked for"
    assert all(r["waits_served"] > 0 for r in runs if r["wait_replicas"]), "counted writes waited for their replica"
    return {"runs": runs, "cpu_ms_per_approval_without_wait": mean_cpu(0), "cpu_ms_per_approval_with_wait": mean_cpu(1)}
