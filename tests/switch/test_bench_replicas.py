"""The replicas benchmark, once, in its short mode: one replica and two run end to end on the same
load, every approval counted is in the ledger, and its headline is that run's ratio. (Speed is
reported by `make bench`, never asserted here.)"""

from __future__ import annotations

import pytest

from bench import bench_replicas


@pytest.mark.slow
def test_short_replicas_benchmark_compares_one_replica_with_two():
    result = bench_replicas.run(short=True)
    one, two = result["one_replica"], result["two_replicas"]
    assert (one["replicas_of_each_service"], two["replicas_of_each_service"]) == (1, 2)
    assert (one["switch_iso_ports"], two["switch_iso_ports"]) == (1, 2)
    for measured in (one, two):
        closed, open_loop = measured["closed_loop"], measured["open_loop"]
        assert closed["approved"] > 0 and open_loop["approved"] > 0
        assert closed["codes"].get("no answer", 0) == 0
        assert measured["approvals_in_ledger"] >= closed["approved"] + open_loop["approved"]
        assert "total" in closed["cpu_ms_per_approval"]
    assert one["open_loop"]["offered_per_second"] == two["open_loop"]["offered_per_second"]  # the same load
    assert result["headline"]["two_to_one_closed_loop"] == round(
        two["closed_loop"]["approved_per_second"] / one["closed_loop"]["approved_per_second"], 3)
    assert {"wallet #0", "wallet #1", "switch #1"} <= set(two["closed_loop"]["cpu_ms_per_approval"])
