"""`make replicas`: two replicas of cards, wallet, tasheem and switch under ISO 8583 load; one
replica of each is SIGKILLed in turn, and nothing the terminals were told is lost.

    python scripts/replicas.py              # kills 5 s apart
    python scripts/replicas.py --short      # the CI run: kills 2 s apart

A private stack (tests/harness.py, `replicas`) runs every service twice; each caller is given both
replicas of each service as one gRPC target and balances per call (round_robin), and the two
switches have one ISO port each, as two pods behind a load balancer. Terminals
(scripts/iso_terminal.py) are spread over both switches and move to the other when theirs refuses
connections; an unanswered purchase is reversed, as a terminal does. Then cards, tasheem, wallet
and switch lose their first replica, in that order (kill -9, no graceful stop), and nobody moves
the callers: the channels route around the dead replica by themselves. Then the killed replicas
are started again under the same load, as Kubernetes would (a wallet replica coming back rebuilds
Redis from the ledger while the other serves). Checked afterwards with the
chaos checker (scripts/chaos.py): every approval the terminals received is in the journal,
approved, and in the ledger exactly once; no idempotency key twice; no negative balance; Redis
equals the ledger; the offer budget holds; settlement equals the ledger; and no purchase answered
other than 00 (or not at all) still charges its member.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import sys
import time
from dataclasses import dataclass, field

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import harness  # noqa: E402

chaos = harness.load_script("chaos")
pg_failover = harness.load_script("pg_failover")

SERVICES = chaos.SERVICES
REPLICAS = 2
KILL_ORDER = ("cards", "tasheem", "wallet", "switch")
KILLED_REPLICA = 0  # the first: the one every caller's target names first
WARMUP_SECONDS = 3.0
BETWEEN_KILLS_SECONDS = 5.0  # 2 s in the short run
TAIL_SECONDS = 5.0  # 3 s in the short run
SHORT_SECONDS = 2.0
RECOVERY_TIMEOUT_SECONDS = 30.0


class ReplicaStack:
    """A harness stack running every service twice; `stack` and `channel` as chaos.ChaosStack has
    them, so chaos' seeding, load and invariant checker run on it unchanged."""

    def __init__(self, workdir: pathlib.Path, replicas: int = REPLICAS):
        harness.ensure_infra()
        self.stack = harness.Stack(workdir, f"club_replicas_{os.getpid()}", {
            "CLUB_COMPENSATION_INTERVAL_SECONDS": "1",
            "CLUB_COMPENSATION_GRACE_SECONDS": str(chaos.COMPENSATION_GRACE_SECONDS),
        }, replicas={name: replicas for name in SERVICES})

    def start(self) -> None:
        self.stack.start(*SERVICES)

    def channel(self, name: str):
        return self.stack.channel(name)

    def close(self) -> None:
        self.stack.close()


@dataclass
class Kill:
    service: str
    seconds_to_approval: float = float("inf")  # kill -> first approval of a purchase sent after it
    declined_unavailable: int = 0  # 91/96 answers to purchases sent from this kill to the next


@dataclass
class Result:
    sent: int = 0
    approved: int = 0
    declined_unavailable: int = 0
    unanswered: int = 0
    lost: int = 0
    declined_but_posted: int = 0
    kills: list[Kill] = field(default_factory=list)
    restarted: bool = False
    error: str = ""


def run(short: bool = False, workdir: pathlib.Path | None = None) -> Result:
    missing = [name for name in SERVICES if name not in harness.available_services()]
    if missing:
        raise SystemExit(f"the replica drill needs every service; missing: {', '.join(missing)}")
    workdir = workdir or ROOT / "var" / "replicas"
    shutil.rmtree(workdir, ignore_errors=True)  # this run's service logs only
    drill = ReplicaStack(workdir)
    result = Result()
    try:
        drill.start()
        club = chaos.seed(drill)
        load = chaos.Load(drill.stack.iso_ports, club)
        load.start()
        load.resume()
        time.sleep(SHORT_SECONDS if short else WARMUP_SECONDS)
        between = SHORT_SECONDS if short else BETWEEN_KILLS_SECONDS
        windows = []
        for name in KILL_ORDER:
            kill = Kill(name)
            killed_at = time.monotonic()
            drill.stack.replicas_of(name)[KILLED_REPLICA].kill()
            approved_at = pg_failover.first_approval_after(load.outcomes, killed_at, RECOVERY_TIMEOUT_SECONDS)
            if approved_at is not None:
                kill.seconds_to_approval = approved_at - killed_at
            time.sleep(max(0.0, between - (time.monotonic() - killed_at)))
            windows.append((kill, killed_at, time.monotonic()))
            result.kills.append(kill)
        for name in KILL_ORDER:  # as Kubernetes would: the killed pods come back while the others serve
            drill.stack.replicas_of(name)[KILLED_REPLICA].start()
        result.restarted = True
        time.sleep(SHORT_SECONDS if short else TAIL_SECONDS)

        load.drain()
        outcomes = list(load.outcomes)
        for kill, start, end in windows:
            kill.declined_unavailable = sum(o.code in chaos.DECLINED_UNAVAILABLE and start <= o.sent_at < end
                                            for o in outcomes)
        result.sent = len(outcomes)
        result.approved = sum(o.approved for o in outcomes)
        result.declined_unavailable = sum(o.code in chaos.DECLINED_UNAVAILABLE for o in outcomes)
        result.unanswered = sum(o.code == "" for o in outcomes)
        try:
            result.lost = chaos.check_invariants(drill, club, outcomes)["lost"]
        except chaos.InvariantViolation as exc:
            result.lost, result.error = max(result.lost, 1), str(exc)
        posted = pg_failover.declined_but_posted(drill, outcomes)  # after check_invariants: compensations done
        result.declined_but_posted = len(posted)
        if posted:
            result.error = "; ".join(filter(None, [result.error, f"declined but posted: {', '.join(posted[:5])}"]))
        load.stop()
    finally:
        drill.close()
    return result


def print_result(result: Result) -> None:
    print(f"purchases sent {result.sent}, approved {result.approved}, 91/96 {result.declined_unavailable},"
          f" unanswered (reversed) {result.unanswered}, lost {result.lost},"
          f" declined but posted {result.declined_but_posted}")
    print(f"{'replica killed':<16} {'first approval after':>21} {'91/96 until the next kill':>26}")
    for kill in result.kills:
        after = "never" if kill.seconds_to_approval == float("inf") else f"{kill.seconds_to_approval:.2f} s"
        print(f"{kill.service + ' #' + str(KILLED_REPLICA):<16} {after:>21} {kill.declined_unavailable:>26}")
    if result.restarted:
        print("killed replicas started again under load")
    if result.error:
        print(f"invariant violated: {result.error}")


def failed(result: Result) -> bool:
    return bool(result.lost or result.declined_but_posted or result.error
                or any(kill.seconds_to_approval == float("inf") for kill in result.kills))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="the CI run: kills 2 s apart, a shorter tail")
    args = parser.parse_args(argv)
    result = run(args.short)
    print_result(result)
    return 1 if failed(result) else 0


if __name__ == "__main__":
    sys.exit(main())
