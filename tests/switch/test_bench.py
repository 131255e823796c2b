"""The switch benchmark, once, in its short mode: it runs end to end and every approval it counts
is in the ledger. (Speed is reported by `make bench`, never asserted here.)"""

from __future__ import annotations

import pytest

from bench import bench_switch


@pytest.mark.slow
def test_short_benchmark_runs_and_its_approvals_are_durable():
    result = bench_switch.run(short=True)
    platform, reference = result["platform"], result["reference"]
    assert platform["approved"] > 0 and reference["approved"] > 0
    assert platform["codes"].get("no answer", 0) == 0
    assert result["approvals_in_ledger"] >= platform["approved"] + result["platform_open_loop"]["approved"]
    assert set(platform) >= {"approved_per_second", "p50_ms", "p95_ms", "p99_ms"}
