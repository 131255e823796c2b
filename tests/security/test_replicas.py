"""The replica drill, short (CI): two replicas of cards, wallet, tasheem and switch under ISO 8583
load, the first replica of each SIGKILLed in turn and started again (scripts/replicas.py); the
callers route around each dead replica by themselves, and the chaos checker finds nothing lost."""

from __future__ import annotations

import pytest

from tests import harness
from tests.security.conftest import load_script

replicas = load_script("replicas")


@pytest.mark.slow
def test_a_killed_replica_of_each_service_loses_nothing(tmp_path):
    missing = [name for name in replicas.SERVICES if name not in harness.available_services()]
    if missing:
        pytest.skip(f"the drill needs every service; not in this tree yet: {', '.join(missing)}")
    result = replicas.run(short=True, workdir=tmp_path / "replicas")
    replicas.print_result(result)
    assert result.error == "", result.error
    assert (result.lost, result.declined_but_posted) == (0, 0)
    assert [kill.service for kill in result.kills] == list(replicas.KILL_ORDER)
    # Each kill is followed by an approval of a purchase sent after it, through the surviving replica.
    assert all(kill.seconds_to_approval < replicas.RECOVERY_TIMEOUT_SECONDS for kill in result.kills)
    assert result.approved > 0.9 * result.sent
    assert result.restarted


def test_the_result_names_each_killed_replica(capsys):
    replicas.print_result(replicas.Result(sent=100, approved=97, declined_unavailable=2, kills=[
        replicas.Kill("wallet", 0.08, 2), replicas.Kill("switch")], error="approval x not in the ledger"))
    out = capsys.readouterr().out
    assert "wallet #0" in out and "0.08 s" in out and "never" in out and "invariant violated: approval x" in out
    assert replicas.failed(replicas.Result(kills=[replicas.Kill("switch")]))
    assert not replicas.failed(replicas.Result(kills=[replicas.Kill("switch", 0.1)]))
