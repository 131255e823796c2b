"""The switch benchmark, once, in its short mode: it runs end to end, every approval it counts
is in the ledger, and its headline is computed from that same run's figures. (Speed is reported
by `make bench`, never asserted here.)"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench import bench_overload, bench_switch, cpu


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
    _assert_headline_from_the_same_run(result)


def _assert_headline_from_the_same_run(result: dict) -> None:
    """The headline comes first and is recomputed here from the JSON's own figures: the platform
    against the reference keeping the contract, throughput and CPU per approval."""
    assert next(iter(result)) == "headline"
    headline, target = result["headline"], result["target"]
    platform, contract = result["platform"], result["reference_keeping_the_contract"]
    assert headline["platform_approved_per_second"] == platform["approved_per_second"]
    assert headline["contract_reference_approved_per_second"] == contract["approved_per_second"]
    assert headline["platform_cpu_ms_per_approval"] == platform["cpu_ms_per_approval"]["total"]
    assert headline["contract_reference_cpu_ms_per_approval"] == contract["cpu_ms_per_approval"]["total"]
    ratio = platform["approved_per_second"] / contract["approved_per_second"]
    multiple = platform["cpu_ms_per_approval"]["total"] / contract["cpu_ms_per_approval"]["total"]
    assert headline["throughput_ratio_to_contract_reference"] == pytest.approx(ratio, abs=0.0005)
    assert headline["cpu_multiple_of_contract_reference"] == pytest.approx(multiple, abs=0.005)
    assert headline["p99_ms_at_target_rate"] is None  # the run at the target rate is not in short mode
    assert headline["text"].startswith(f"headline: {ratio:.2f} of the contract reference's throughput")
    assert f"{multiple:.2f}x its CPU per approval" in headline["text"]
    assert target["against"] == "reference_keeping_the_contract"
    assert (target["cpu_multiple"], target["approved_per_second"], target["p99_ms"]) == (
        bench_switch.TARGET_CPU_MULTIPLE, bench_switch.TARGET_APPROVED_PER_SECOND, bench_switch.TARGET_P99_MS)
    assert target["met"] == {"cpu_multiple": multiple <= bench_switch.TARGET_CPU_MULTIPLE, "p99_at_target_rate": None}
    assert target["all_met"] is (False if multiple > bench_switch.TARGET_CPU_MULTIPLE else None)



def test_the_headline_of_a_full_run_states_the_p99_at_the_target_rate():
    """Full mode's extra figure, on made-up numbers (no run): the p99 of the open loop at the target rate."""
    platform = {"approved_per_second": 2_400.0, "cpu_ms_per_approval": {"total": 0.5}}
    contract = {"approved_per_second": 12_000.0, "cpu_ms_per_approval": {"total": 0.2}}
    at_target_rate = {"approved_per_second": 1_999.0, "p99_ms": 41.0}
    target = bench_switch._target(bench_switch._cpu_multiple(platform, contract), at_target_rate)
    headline = bench_switch._headline(platform, contract, at_target_rate, target)
    assert target["met"] == {"cpu_multiple": True, "p99_at_target_rate": True} and target["all_met"] is True
    assert (headline["throughput_ratio_to_contract_reference"], headline["cpu_multiple_of_contract_reference"],
            headline["p99_ms_at_target_rate"]) == (0.2, 2.5, 41.0)
    assert headline["text"].splitlines() == [
        "headline: 0.20 of the contract reference's throughput (2,400 against 12,000 approvals/s)",
        "  2.50x its CPU per approval (0.5 against 0.2 ms; target <= 3.0): met",
        "  p99 at 2,000/s offered: 41 ms (1,999/s approved) (target < 50 ms): met"]
    slower = bench_switch._target(3.01, at_target_rate | {"p99_ms": 50.0})
    assert slower["met"] == {"cpu_multiple": False, "p99_at_target_rate": False} and slower["all_met"] is False



def test_a_process_that_exits_keeps_its_cpu_in_its_parents_reaped_children():
    """What keeps the Postgres figure from going negative when a backend exits within the window."""
    before = cpu.process_seconds(os.getpid(), reaped_children=True)
    subprocess.run([sys.executable, "-c", "import time\nend = time.process_time() + 0.3\n"
                    "while time.process_time() < end: pass"], check=True)
    assert cpu.process_seconds(os.getpid(), reaped_children=True) - before >= 0.25


@pytest.mark.slow
def test_short_overload_benchmark_answers_every_request_and_its_approvals_are_durable():
    result = bench_overload.run(short=True)
    assert result["offered_per_second"] > result["closed_loop"]["approved_per_second"]
    assert set(result["by_tier"]) == set(bench_overload.TIERS)
    for tier in result["by_tier"].values():
        assert tier["requests"] > 0 and tier["codes"].get("no answer", 0) == 0
        assert set(tier["codes"]) <= {"00", "91", "no answer"}  # shed or served, nothing else
    assert result["approvals_in_ledger"] >= result["approvals_counted"] > 0
