"""`make failover`: the Postgres primary dies under ISO 8583 load, its synchronous standby is
promoted, and nothing the terminals were told is lost.

    python scripts/pg_failover.py              # the drill, then a rebuilt standby and a second run
    python scripts/pg_failover.py --short      # the CI run: no rebuild
    python scripts/pg_failover.py --detect-seconds 10

A primary and a synchronous standby of our own (scripts/pg_standby.py) hold the stack's database;
every service (cards, wallet, tasheem, switch, as processes) connects with the pair's multi-host
URL (`target_session_attrs=read-write`). Terminals (scripts/iso_terminal.py) send purchases at a
steady rate. Then: the primary's postmaster and backends are SIGKILLed at once (a lost machine);
after `--detect-seconds` (what a failover manager or the on-call needs to decide) the standby is
promoted; nobody restarts a service. Then the chaos invariants (scripts/chaos.py) are checked on
the new primary: every approval the terminals received is in the switch's journal, approved,
and in the ledger exactly once; no idempotency key twice; Redis equals the ledger; budgets and
settlement hold. Failover time: kill -> first approval of a purchase sent after the kill.
Without --short, a new standby is then built from the new primary (pg_standby.py rebuild), it
becomes synchronous, and a second window of load must be approved.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import harness  # noqa: E402

chaos = harness.load_script("chaos")
pg_standby = harness.load_script("pg_standby")

SERVICES = chaos.SERVICES
WARMUP_SECONDS = 5.0  # load before the kill (3 s in the short run)
DETECT_SECONDS = 5.0  # kill -> promote: a failover manager's check, or the on-call's decision
TAIL_SECONDS = 5.0  # load after the first approval, and after the rebuild (3 s in the short run)
SHORT_SECONDS = 3.0
RECOVERY_TIMEOUT_SECONDS = 60.0


class PairStack:
    """A harness stack on a primary + synchronous standby; `stack` and `channel` as chaos.ChaosStack
    has them, so chaos' seeding, load and invariant checker run on it unchanged."""

    def __init__(self, workdir: pathlib.Path):
        harness.ensure_infra()
        # The postgres user must reach the pair's directories: a directory of its own under /tmp,
        # not the caller's (pytest's tmp_path is private to root).
        self.pair_dir = pathlib.Path(tempfile.mkdtemp(prefix="club-pg-pair-"))
        self.pair = pg_standby.Pair.create(self.pair_dir)
        self.stack = None
        try:
            self.stack = harness.Stack(workdir, f"club_failover_{os.getpid()}", {
                "CLUB_COMPENSATION_INTERVAL_SECONDS": "1",
                "CLUB_COMPENSATION_GRACE_SECONDS": str(chaos.COMPENSATION_GRACE_SECONDS),
            }, pg_server=self.pair.server_url())
        except BaseException:
            self.pair.destroy()
            raise

    def start(self) -> None:
        self.stack.start(*SERVICES)

    def channel(self, name: str):
        return self.stack.channel(name)

    def service_pids(self) -> dict[str, int]:
        return {name: service.proc.pid for name, service in self.stack.services.items() if service.running()}

    def close(self) -> None:
        try:
            if self.stack is not None:
                for service in self.stack.services.values():
                    service.stop()
                self.stack.redis_server.stop()
        finally:
            self.pair.destroy()


@dataclass
class Result:
    sent: int = 0
    approved: int = 0
    declined_unavailable: int = 0
    unanswered: int = 0
    lost: int = 0
    declined_but_posted: int = 0  # a purchase the terminal saw declined whose sale stands in the ledger
    promote_seconds: float = float("inf")  # kill -> the standby accepts writes
    failover_seconds: float = float("inf")  # kill -> first approval of a purchase sent after the kill
    rebuilt_standby_synchronous: bool | None = None  # None: not rebuilt (--short)
    approved_after_rebuild: int = 0
    declined_during_rebuild: int = 0  # purchases sent while the new standby was being built
    services_restarted: list[str] = field(default_factory=list)
    error: str = ""


def first_approval_after(outcomes: list, since: float, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answered = [o.answered_at for o in list(outcomes) if o.approved and o.sent_at >= since]
        if answered:
            return min(answered)
        time.sleep(0.1)
    return None


# The wallet schema's shape, read-only (the wallet service owns it): a purchase record still
# charging the member, whether undone by the switch's compensation or by the terminal's reversal.
STILL_CHARGED_SQL = ("SELECT transaction_id FROM wallet.purchases WHERE transaction_id = ANY(%s)"
                     " AND state <> 'released' AND undone_amount < amount")


def declined_but_posted(drill: PairStack, outcomes: list) -> list[str]:
    """Transaction ids of purchases answered other than 00 (or not at all, then reversed by the
    terminal) that still charge the member: money taken from someone who was told no. The id is
    the switch's (terminal, field 7 with its year, STAN: services/switch/flows.iso_transaction_id)."""
    year = time.gmtime().tm_year
    declined = [f"{o.terminal_id}.{year}{o.transmitted[:4]}.{o.transmitted[4:]}.{o.stan}"  # 7 is MMDDhhmmss
                for o in outcomes if not o.approved]
    with drill.stack.pg() as conn:
        return [row[0] for row in conn.execute(STILL_CHARGED_SQL, (declined,)).fetchall()]


def run(short: bool = False, detect_seconds: float = DETECT_SECONDS, workdir: pathlib.Path | None = None) -> Result:
    missing = [name for name in SERVICES if name not in harness.available_services()]
    if missing:
        raise SystemExit(f"the failover drill needs every service; missing: {', '.join(missing)}")
    workdir = workdir or ROOT / "var" / "failover"
    shutil.rmtree(workdir, ignore_errors=True)  # this run's service logs only
    drill = PairStack(workdir)
    result = Result()
    try:
        drill.start()
        club = chaos.seed(drill)
        load = chaos.Load(drill.stack.iso_port, club)
        load.start()
        load.resume()
        time.sleep(SHORT_SECONDS if short else WARMUP_SECONDS)
        drill.pair.wait_synchronous(drill.pair.primary())  # every commit so far is on both
        pids = drill.service_pids()

        killed_at = time.monotonic()
        drill.pair.primary().kill()
        time.sleep(detect_seconds)
        drill.pair.promote()
        result.promote_seconds = time.monotonic() - killed_at
        approved_at = first_approval_after(load.outcomes, killed_at, RECOVERY_TIMEOUT_SECONDS)
        if approved_at is not None:
            result.failover_seconds = approved_at - killed_at
        time.sleep(SHORT_SECONDS if short else TAIL_SECONDS)

        if not short:
            rebuild_started = time.monotonic()
            drill.pair.rebuild()  # under load: the base backup copies a live primary
            result.rebuilt_standby_synchronous = any(
                row["sync_state"].endswith(":sync") for row in drill.pair.status() if row["role"] == "primary")
            rebuilt_at = time.monotonic()
            time.sleep(TAIL_SECONDS)
            result.approved_after_rebuild = sum(o.approved and o.sent_at >= rebuilt_at for o in load.outcomes)

        load.drain()
        outcomes = list(load.outcomes)
        result.sent = len(outcomes)
        result.approved = sum(o.approved for o in outcomes)
        result.declined_unavailable = sum(o.code in chaos.DECLINED_UNAVAILABLE for o in outcomes)
        result.unanswered = sum(o.code == "" for o in outcomes)
        if not short:
            result.declined_during_rebuild = sum(not o.approved and rebuild_started <= o.sent_at < rebuilt_at
                                                 for o in outcomes)
        result.services_restarted = sorted(name for name, pid in pids.items() if drill.service_pids().get(name) != pid)
        try:
            result.lost = chaos.check_invariants(drill, club, outcomes)["lost"]
        except chaos.InvariantViolation as exc:
            result.lost, result.error = max(result.lost, 1), str(exc)
        posted = declined_but_posted(drill, outcomes)  # after check_invariants: compensations are done
        result.declined_but_posted = len(posted)
        if posted:
            result.error = "; ".join(filter(None, [result.error, f"declined but posted: {', '.join(posted[:5])}"]))
        load.stop()
    finally:
        drill.close()
    return result


def print_result(result: Result, detect_seconds: float) -> None:
    def seconds(value: float) -> str:
        return "never" if value == float("inf") else f"{value:.1f} s"

    print(f"purchases sent {result.sent}, approved {result.approved}, 91/96 {result.declined_unavailable},"
          f" unanswered (reversed) {result.unanswered}, lost {result.lost},"
          f" declined but posted {result.declined_but_posted}")
    print(f"kill -> standby promoted      {seconds(result.promote_seconds)} (of which {detect_seconds:.1f} s to decide)")
    print(f"kill -> first approval after  {seconds(result.failover_seconds)}")
    print(f"services restarted            {', '.join(result.services_restarted) or 'none'}")
    if result.rebuilt_standby_synchronous is not None:
        print(f"rebuilt standby synchronous   {'yes' if result.rebuilt_standby_synchronous else 'NO'},"
              f" declined while it was built {result.declined_during_rebuild},"
              f" approvals after {result.approved_after_rebuild}")
    if result.error:
        print(f"invariant violated: {result.error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="the CI run: no rebuilt standby afterwards")
    parser.add_argument("--detect-seconds", type=float, default=DETECT_SECONDS, help="kill -> promote")
    args = parser.parse_args(argv)
    result = run(args.short, args.detect_seconds)
    print_result(result, args.detect_seconds)
    failed = (result.lost or result.declined_but_posted or result.error or result.services_restarted or result.failover_seconds == float("inf")
              or result.rebuilt_standby_synchronous is False
              or (result.rebuilt_standby_synchronous and not result.approved_after_rebuild))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
