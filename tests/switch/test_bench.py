"""The switch benchmark, once, in its short mode: it runs end to end and every approval it counts
is in the ledger. (Speed is reported by `make bench`, never asserted here.)"""

from __future__ import annotations

import pytest

from bench import bench_overload, bench_switch


@pytest.mark.slow
def test_short_benchmark_runs_and_its_approvals_are_durable():
    result = bench_switch.run(short=True)
    platform, reference = result["platform"], result["reference"]
    assert platform["approved"] > 0 and reference["approved"] > 0
    assert platform["codes"].get("no answer", 0) == 0
    keeping_the_contract = result["reference_keeping_the_contract"]
    assert keeping_the_contract["approved"] > 0  # its MAC checks passed the generator's MACs, no STAN repeated
    assert set(keeping_the_contract["codes"]) == {"00", "no answer"} and keeping_the_contract["codes"]["no answer"] == 0
    sweep = result["within_latency_target"]["runs"]
    assert sweep and all(run["approved"] > 0 for run in sweep)
    assert result["approvals_counted"] == (platform["approved"] + result["platform_open_loop"]["approved"]
                                           + sum(run["approved"] + run["settling_approved"] for run in sweep))
    assert result["approvals_in_ledger"] >= result["approvals_counted"]
    assert set(platform) >= {"approved_per_second", "p50_ms", "p95_ms", "p99_ms"}
    assert set(result["target"]["met"]) == {"approved_per_second_with_p99_under_target", "ratio_to_reference"}


@pytest.mark.slow
def test_short_overload_benchmark_answers_every_request_and_its_approvals_are_durable():
    result = bench_overload.run(short=True)
    assert result["offered_per_second"] > result["closed_loop"]["approved_per_second"]
    assert set(result["by_tier"]) == set(bench_overload.TIERS)
    for tier in result["by_tier"].values():
        assert tier["requests"] > 0 and tier["codes"].get("no answer", 0) == 0
        assert set(tier["codes"]) <= {"00", "91", "no answer"}  # shed or served, nothing else
    assert result["approvals_in_ledger"] >= result["approvals_counted"] > 0
