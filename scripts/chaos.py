"""`make chaos`: faults under a steady ISO 8583 purchase load, and proof that nothing was lost.

    python scripts/chaos.py                  # every fault, default durations
    python scripts/chaos.py --short          # the CI run (fewer, shorter faults)
    python scripts/chaos.py --faults kill-wallet,postgres-down
    python scripts/chaos.py --redis-cluster   # a Redis Cluster primary killed (make chaos-cluster)

A private stack (own database, own redis-server, every service as a process) is wired
through fault proxies (scripts/faultproxy.py): each service reaches Postgres, Redis and its
peers through a proxy, so "Postgres down" is the proxy cutting and refusing connections,
never the shared Postgres stopping. Terminals (scripts/iso_terminal.py) send purchases at a
steady rate; an unanswered purchase is reversed, as a terminal does.

Faults, in turn: SIGKILL each service and restart it; restart Redis empty; Postgres down for
10 s; 300 ms latency on every hop; every connection cut. With --redis-cluster the services use a
Redis Cluster (3 primaries, 3 replicas; scripts/redis_cluster.py), reached directly (a cluster's
nodes announce their own addresses), and the fault is SIGKILL of a primary: its replica takes over. After each, the invariant checker
proves: every approval the terminals received is in the ledger exactly once; no idempotency
key twice; no negative balance; Redis equals the ledger; offer budgets never exceeded;
settlement totals equal the ledger. The table: fault, requests sent, approved, declined
91/96, lost (must be 0), time to recover.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import pathlib
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import grpc

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc  # noqa: E402
from services.gen.club.switch.v1 import authorization_pb2, authorization_pb2_grpc  # noqa: E402
from services.gen.club.tasheem.v1 import tasheem_pb2, tasheem_pb2_grpc  # noqa: E402
from services.gen.club.wallet.v1 import wallet_pb2, wallet_pb2_grpc  # noqa: E402
from tests import harness  # noqa: E402

faultproxy = harness.load_script("faultproxy")
iso_terminal = harness.load_script("iso_terminal")

from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402
from psec import des, pinblock  # noqa: E402

from services.cards.keys import DEV_ZONE_PIN_KEY  # noqa: E402

SERVICES = ("cards", "wallet", "tasheem", "switch")
TERMINALS = 4
MEMBERS = 40
TOP_UP = 50_000_000
PURCHASE_MIN, PURCHASE_MAX = 10_000, 200_000
OFFER_BUDGET = 2_000_000  # small enough that the load exhausts it: the budget must hold
REQUESTS_PER_SECOND = 40
WARMUP_SECONDS = 3.0
TAIL_SECONDS = 3.0
POSTGRES_DOWN_SECONDS = 10.0
LATENCY_SECONDS = 0.3
LATENCY_WINDOW_SECONDS = 8.0
RECOVERY_TIMEOUT_SECONDS = 60.0
DRAIN_SECONDS = 15.0
RPC_TIMEOUT_SECONDS = 30.0
MERCHANT_ID = "MCHAOS000000001"
CHAOS_PIN = "1357"  # the product needs no PIN at the terminal; activation still sets one
TERMINAL_MAC_KEY = bytes.fromhex("89ABCDEF01234567FEDCBA9876543210")  # chaos terminals MAC every request
BENEFICIARY_BBAN = "0170000000100324200001"  # 22 digits after IR + check digits
DECLINED_UNAVAILABLE = ("91", "96")
COMPENSATION_GRACE_SECONDS = 5  # the switch's wait before "unknown to the wallet" means "never posted"


# ---------- the stack behind proxies ----------


class ChaosStack:
    """A harness stack whose services reach Postgres, Redis and each other through fault proxies."""

    def __init__(self, workdir: pathlib.Path, redis_cluster: bool = False):
        harness.ensure_infra()
        self.stack = harness.Stack(workdir, f"club_chaos_{os.getpid()}", redis_cluster=redis_cluster)
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        pg = conninfo_to_dict(self.stack.database_url)
        self.proxies = {
            "postgres": faultproxy.FaultProxy(pg.get("host", "127.0.0.1"), int(pg.get("port", 5432)), "postgres").start(),
        }
        redis_url = self.stack.redis_url
        if not redis_cluster:
            self.proxies["redis"] = faultproxy.FaultProxy("127.0.0.1", self.stack.redis_server.port, "redis").start()
            redis_url = f"redis://127.0.0.1:{self.proxies['redis'].port}/0"
        for name in SERVICES:
            self.proxies[name] = faultproxy.FaultProxy("127.0.0.1", self.stack.ports[name], name).start()
        self.stack.extra_env.update({
            "CLUB_DATABASE_URL": make_conninfo(self.stack.database_url, host="127.0.0.1",
                                               port=str(self.proxies["postgres"].port)),
            "CLUB_REDIS_URL": redis_url,
            **{f"CLUB_{name.upper()}_ADDR": self.proxies[name].address for name in SERVICES},
            "CLUB_COMPENSATION_INTERVAL_SECONDS": "1",
            "CLUB_COMPENSATION_GRACE_SECONDS": str(COMPENSATION_GRACE_SECONDS),
        })

    def start(self) -> None:
        self.stack.start(*SERVICES)

    def channel(self, name: str) -> grpc.Channel:
        return self.stack.channel(name)

    def close(self) -> None:
        for proxy in self.proxies.values():
            proxy.close()
        self.stack.close()


# ---------- seeding, through the public APIs ----------


def iban(country: str, bban: str) -> str:
    """An IBAN with correct ISO 13616 mod-97 check digits."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"



@dataclass
class Club:
    terminals: list[str]
    cards: list[tuple[str, str]]  # (pan, expiry)
    members: list[str]
    offer_id: str
    mac_keys: dict[str, bytes] = field(default_factory=dict)


def seed(chaos: ChaosStack) -> Club:
    cards = cards_pb2_grpc.CardServiceStub(chaos.channel("cards"))
    wallet = wallet_pb2_grpc.WalletServiceStub(chaos.channel("wallet"))
    tasheem = tasheem_pb2_grpc.TasheemServiceStub(chaos.channel("tasheem"))
    timeout = RPC_TIMEOUT_SECONDS
    for party in ("bank", "club"):
        with contextlib.suppress(grpc.RpcError):
            tasheem.CreateParty(tasheem_pb2.CreatePartyRequest(party_id=party, name=party), timeout=timeout)
    tasheem.CreateMerchant(tasheem_pb2.CreateMerchantRequest(
        merchant_id=MERCHANT_ID, name="Chaos Store", mcc="5411",
        beneficiaries=[tasheem_pb2.Beneficiary(iban=iban("IR", BENEFICIARY_BBAN), name="Chaos Store", ratio_bp=10_000,
                                               remainder=True)]), timeout=timeout)
    offer = tasheem.CreateOffer(tasheem_pb2.CreateOfferRequest(offer=tasheem_pb2.Offer(
        name="chaos 10%", campaign="chaos", discount=tasheem_pb2.Discount(percent_bp=1_000), budget=OFFER_BUDGET,
        priority=1, stacking=tasheem_pb2.STACKING_EXCLUSIVE, active=True,
        funding=[tasheem_pb2.FundingRule(party_id="bank", percent_bp=5_000),
                 tasheem_pb2.FundingRule(party_id="club", percent_bp=5_000, remainder=True)])), timeout=timeout)
    product = cards.CreateProduct(cards_pb2.CreateProductRequest(
        name="chaos prepaid", bin=f"9{random.randrange(10**7):07d}", pan_length=16, kind=cards_pb2.CARD_KIND_PREPAID,
        currency="364", validity_months=36, service_code="101", pin_required=False,
        allowed_processing=["00", "20", "31"]), timeout=timeout)
    terminals = []
    for index in range(TERMINALS):
        terminal_id = f"TC{index:06d}"
        cards.RegisterTerminal(cards_pb2.RegisterTerminalRequest(terminal_id=terminal_id, merchant_id=MERCHANT_ID,
                                                                 mac_key=TERMINAL_MAC_KEY.hex()), timeout=timeout)
        terminals.append(terminal_id)
    issued, members = [], []
    for index in range(MEMBERS):
        member = cards.RegisterMember(cards_pb2.RegisterMemberRequest(phone=f"0912{index:07d}", first_name="Chaos",
                                                                      last_name=f"Member {index}"), timeout=timeout)
        members.append(member.member_id)
        card = cards.IssueCard(cards_pb2.IssueCardRequest(member_id=member.member_id, product_id=product.product_id,
                                                          channel="chaos"), timeout=timeout)
        zone_block = des.encrypt_tdes_ecb(DEV_ZONE_PIN_KEY, pinblock.encode_pinblock_iso_0(CHAOS_PIN, card.pan))
        cards.ActivateCard(cards_pb2.ActivateCardRequest(
            card_token=card.card.card_token, channel="chaos",
            pin=cards_pb2.PinBlock(block=zone_block, format=cards_pb2.PIN_BLOCK_FORMAT_ISO_0)), timeout=timeout)
        with contextlib.suppress(grpc.RpcError):
            wallet.OpenMemberAccounts(wallet_pb2.OpenMemberAccountsRequest(member_id=member.member_id), timeout=timeout)
        wallet.TopUp(wallet_pb2.TopUpRequest(transfer_id=f"chaos-topup-{member.member_id}", member_id=member.member_id,
                                             amount=TOP_UP, reason="chaos seed"), timeout=timeout)
        issued.append((card.pan, card.card.expiry))
    return Club(terminals, issued, members, offer.offer_id)


# ---------- steady load ----------


class Load:
    """Terminals sending purchases at a steady rate from a background asyncio loop."""

    def __init__(self, port: int | list[int], club: Club, rate: float = REQUESTS_PER_SECOND,
                 mac_key_for: Callable[[str], bytes | None] = lambda _terminal: TERMINAL_MAC_KEY):
        """`port`: the switch's ISO port, or several switches' (terminal i starts on port i mod n
        and moves to the next when its switch refuses connections)."""
        ports = [port] if isinstance(port, int) else list(port)
        self.club = club
        self.rate = rate
        self.outcomes: list = []
        self.in_flight = 0
        self.running = threading.Event()
        self._stop = threading.Event()
        self._rng = random.Random(8583)
        self._terminals = [iso_terminal.Terminal("127.0.0.1", ports[index % len(ports)], terminal_id, MERCHANT_ID,
                                                 mac_key_for(terminal_id),
                                                 tuple(ports[(index + k) % len(ports)] for k in range(1, len(ports))))
                           for index, terminal_id in enumerate(club.terminals)]
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="load", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def pause(self) -> None:
        self.running.clear()

    def resume(self) -> None:
        self.running.set()

    def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Stop sending and wait for every request in flight (answers, timeouts and reversals)."""
        self.pause()
        # the purchase's wait, then its reversal repeated until settled (each try waits for an answer)
        deadline = (time.monotonic() + timeout + iso_terminal.RESPONSE_TIMEOUT_SECONDS * 2
                    + iso_terminal.REVERSAL_RETRY_SECONDS)
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop(self) -> None:
        self.drain()
        self._stop.set()
        self._thread.join(30)

    async def _one(self, terminal) -> None:
        self.in_flight += 1
        try:
            pan, expiry = self._rng.choice(self.club.cards)
            amount = self._rng.randrange(PURCHASE_MIN, PURCHASE_MAX) // 10 * 10
            self.outcomes.append(await terminal.purchase(pan, expiry, amount))
        finally:
            self.in_flight -= 1

    async def _main(self) -> None:
        interval = 1.0 / self.rate
        tasks: set[asyncio.Task] = set()
        while not self._stop.is_set():
            if not self.running.is_set():
                await asyncio.sleep(0.05)
                continue
            task = asyncio.create_task(self._one(self._rng.choice(self._terminals)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            await asyncio.sleep(interval)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for terminal in self._terminals:
            await terminal.close()


# ---------- faults ----------


@dataclass
class Fault:
    name: str
    inject: Callable[[ChaosStack], None]  # returns when the fault is over and healing has begun


def kill_and_restart(name: str) -> Fault:
    def inject(chaos: ChaosStack) -> None:
        chaos.stack.services[name].kill()
        chaos.stack.services[name].start()

    return Fault(f"kill -9 {name}", inject)


def redis_restart_empty() -> Fault:
    return Fault("redis restart empty", lambda chaos: chaos.stack.redis_server.restart_empty())


def kill_redis_primary() -> Fault:
    """SIGKILL the Redis Cluster primary that serves the most member balances; over when its
    replica has taken its slots over."""
    def inject(chaos: ChaosStack) -> None:
        cluster = chaos.stack.redis_server.cluster
        client = chaos.stack.redis()
        primaries = cluster.primaries()
        counts = dict.fromkeys(primaries, 0)
        for key in client.scan_iter(match="w:{member:*"):
            counts[client.get_node_from_key(key).port] += 1
        client.close()
        victim = max(primaries, key=counts.__getitem__)
        cluster.kill_primary(victim)
        cluster.wait_failover(victim)

    return Fault("kill -9 a redis cluster primary", inject)


def postgres_down(seconds: float = POSTGRES_DOWN_SECONDS) -> Fault:
    def inject(chaos: ChaosStack) -> None:
        chaos.proxies["postgres"].set_down(True)
        time.sleep(seconds)
        chaos.proxies["postgres"].set_down(False)

    return Fault(f"postgres down {seconds:.0f}s", inject)


def latency(seconds: float = LATENCY_SECONDS, window: float = LATENCY_WINDOW_SECONDS) -> Fault:
    def inject(chaos: ChaosStack) -> None:
        for name in SERVICES:
            chaos.proxies[name].set_latency(seconds)
        time.sleep(window)
        for name in SERVICES:
            chaos.proxies[name].set_latency(0)

    return Fault(f"latency {seconds * 1000:.0f}ms on every hop", inject)


def cut_connections() -> Fault:
    def inject(chaos: ChaosStack) -> None:
        for proxy in chaos.proxies.values():
            proxy.cut()

    return Fault("cut every connection", inject)


def all_faults(short: bool, redis_cluster: bool = False) -> list[Fault]:
    if redis_cluster:
        return [kill_redis_primary()]
    if short:
        return [kill_and_restart("wallet"), redis_restart_empty(), postgres_down(3.0), cut_connections()]
    return [*(kill_and_restart(name) for name in SERVICES), redis_restart_empty(), postgres_down(),
            latency(), cut_connections()]


# ---------- invariants ----------


class InvariantViolation(AssertionError):
    pass


def check_invariants(chaos: ChaosStack, club: Club, outcomes: list) -> dict[str, int]:
    """Every invariant (docs/architecture.md, "Invariants") that a fault could break; numbers
    below are that section's. Raises InvariantViolation."""
    switch = authorization_pb2_grpc.AuthorizationServiceStub(chaos.channel("switch"))
    wallet = wallet_pb2_grpc.WalletServiceStub(chaos.channel("wallet"))
    tasheem = tasheem_pb2_grpc.TasheemServiceStub(chaos.channel("tasheem"))
    problems: list[str] = []

    # 1 and 4. Every approval the terminals received is in the journal, approved, and in the ledger once.
    journal: dict[tuple[str, str], object] = {}
    for terminal_id in club.terminals:
        token = ""
        while True:
            page = switch.ListTransactions(authorization_pb2.ListTransactionsRequest(
                terminal_id=terminal_id, page_size=500, page_token=token), timeout=RPC_TIMEOUT_SECONDS)
            for transaction in page.transactions:
                journal.setdefault((transaction.terminal_id, transaction.stan), transaction)
            token = page.next_page_token
            if not token:
                break
    lost = 0
    ledger_counts = ledger_postings_by_transaction(chaos)
    for outcome in outcomes:
        if not outcome.approved:
            continue
        transaction = journal.get((outcome.terminal_id, outcome.stan))
        if transaction is None or transaction.response_code != "00":
            lost += 1
            problems.append(f"approval {outcome.terminal_id}/{outcome.stan} not approved in the journal")
        elif ledger_counts.get(transaction.transaction_id, 0) != 1 or transaction.transaction_id + ".void" in ledger_counts:
            lost += 1
            problems.append(f"approval {transaction.transaction_id} is in the ledger "
                            f"{ledger_counts.get(transaction.transaction_id, 0)} times or was voided")

    # The switch is still undoing what its 91/96 answers left uncertain: let it finish first, or
    # Redis and the ledger are compared while reversals are landing.
    wait_for_compensations(chaos)

    # 3 and 4. No negative balance, no idempotency key twice (the ledger's own tables).
    problems += ledger_integrity_problems(chaos)

    # 5. Redis equals the ledger.
    reconciled = wallet.Reconcile(wallet_pb2.ReconcileRequest(repair=False), timeout=RPC_TIMEOUT_SECONDS)
    if reconciled.drifts:
        sample = ", ".join(f"{d.account_id} ledger {d.ledger_available} redis {d.redis_available}"
                           for d in reconciled.drifts[:3])
        problems.append(f"{len(reconciled.drifts)} Redis balances differ from the ledger ({sample})")

    # 9. Offer budgets never exceeded.
    offer = tasheem.GetOffer(tasheem_pb2.GetOfferRequest(offer_id=club.offer_id), timeout=RPC_TIMEOUT_SECONDS)
    if offer.budget and offer.budget_used > offer.budget:
        problems.append(f"offer budget exceeded: used {offer.budget_used} of {offer.budget}")

    # 7. Settlement totals equal the ledger.
    cutoff = Timestamp()
    cutoff.GetCurrentTime()
    batch = tasheem.CloseBatch(tasheem_pb2.CloseBatchRequest(cutoff=cutoff), timeout=RPC_TIMEOUT_SECONDS)
    activity = wallet.MerchantActivity(wallet_pb2.MerchantActivityRequest(
        after_sequence=batch.from_sequence, up_to_sequence=batch.to_sequence), timeout=RPC_TIMEOUT_SECONDS)
    # Earlier batches' payouts are posted inside this range; they are not this batch's business.
    ledger_net = sum(m.net_change + m.settled for m in activity.merchants)
    if batch.total_net_payable != ledger_net:
        problems.append(f"settlement batch {batch.batch_id} pays {batch.total_net_payable}, ledger says {ledger_net}")

    if problems:
        raise InvariantViolation("; ".join(problems[:20]))
    return {"lost": lost}


def wait_for_compensations(chaos: ChaosStack, timeout: float = RECOVERY_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with chaos.stack.pg() as conn:
            if not conn.execute("SELECT count(*) FROM switch.compensations WHERE resolved_at IS NULL").fetchone()[0]:
                return
        time.sleep(0.5)
    raise InvariantViolation("the switch's compensations did not finish")


def ledger_postings_by_transaction(chaos: ChaosStack) -> dict[str, int]:
    """How many sale postings the ledger holds per transaction id (a purchase posts one "<id>:sale";
    a compensation of an uncertain answer posts "<id>.void:sale")."""
    with chaos.stack.pg() as conn:
        rows = conn.execute(LEDGER_SETS_BY_TRANSACTION_SQL).fetchall()
    return {transaction_id: count for transaction_id, count in rows}


def ledger_integrity_problems(chaos: ChaosStack) -> list[str]:
    problems = []
    with chaos.stack.pg() as conn:
        for label, query in LEDGER_INTEGRITY_SQL.items():
            count = conn.execute(query).fetchone()[0]
            if count:
                problems.append(f"{label}: {count}")
    return problems


# The wallet schema's shape, read-only (the wallet service owns it).
LEDGER_SETS_BY_TRANSACTION_SQL = (
    "SELECT split_part(transfer_id, ':', 1), count(*) FROM wallet.transfers WHERE transfer_id LIKE '%:sale'"
    " GROUP BY 1")
LEDGER_INTEGRITY_SQL = {
    "idempotency keys used twice": "SELECT count(*) FROM (SELECT transfer_id FROM wallet.transfers"
                                   " GROUP BY transfer_id HAVING count(*) > 1) twice",
    "accounts below zero": "SELECT count(*) FROM wallet.accounts WHERE debits_must_not_exceed_credits"
                           " AND credits_posted - debits_posted < 0",
}


# ---------- the run ----------


@dataclass
class Row:
    fault: str
    sent: int
    approved: int
    declined_unavailable: int
    lost: int
    recover_seconds: float
    error: str = ""


def run_fault(chaos: ChaosStack, club: Club, load: Load, fault: Fault) -> Row:
    start_index = len(load.outcomes)
    load.resume()
    time.sleep(WARMUP_SECONDS)
    fault.inject(chaos)
    healed_at = time.monotonic()
    recovered_at = None
    while time.monotonic() - healed_at < RECOVERY_TIMEOUT_SECONDS:
        if any(o.approved and o.sent_at >= healed_at for o in load.outcomes[start_index:]):
            recovered_at = min(o.answered_at for o in load.outcomes[start_index:]
                               if o.approved and o.sent_at >= healed_at)
            break
        time.sleep(0.1)
    time.sleep(TAIL_SECONDS)
    load.drain()
    window = load.outcomes[start_index:]
    row = Row(fault.name, len(window), sum(o.approved for o in window),
              sum(o.code in DECLINED_UNAVAILABLE for o in window), 0,
              (recovered_at - healed_at) if recovered_at else float("inf"))
    try:
        row.lost = check_invariants(chaos, club, load.outcomes)["lost"]
    except InvariantViolation as exc:
        row.lost, row.error = max(row.lost, 1), str(exc)
    return row


def print_table(rows: list[Row]) -> None:
    header = f"{'fault':<34} {'sent':>6} {'approved':>9} {'91/96':>6} {'lost':>5} {'recover s':>10}"
    print(header)
    print("-" * len(header))
    for row in rows:
        recover = "never" if row.recover_seconds == float("inf") else f"{row.recover_seconds:.1f}"
        print(f"{row.fault:<34} {row.sent:>6} {row.approved:>9} {row.declined_unavailable:>6} {row.lost:>5} {recover:>10}")
        if row.error:
            print(f"    invariant violated: {row.error}")


def run(short: bool = False, only: list[str] | None = None, workdir: pathlib.Path | None = None,
        redis_cluster: bool = False) -> list[Row]:
    missing = [name for name in SERVICES if name not in harness.available_services()]
    if missing:
        raise SystemExit(f"chaos needs every service; missing: {', '.join(missing)}")
    chaos = ChaosStack(workdir or ROOT / "var" / "chaos", redis_cluster)
    rows: list[Row] = []
    try:
        chaos.start()
        club = seed(chaos)
        load = Load(chaos.stack.iso_port, club)
        load.start()
        for fault in all_faults(short, redis_cluster):
            if only and not any(key in fault.name for key in only):
                continue
            rows.append(run_fault(chaos, club, load, fault))
        load.stop()
    finally:
        chaos.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="the CI run: fewer and shorter faults")
    parser.add_argument("--faults", default="", help="comma-separated substrings of fault names to run")
    parser.add_argument("--redis-cluster", action="store_true",
                        help="the services on a Redis Cluster; the fault: a primary killed")
    args = parser.parse_args(argv)
    rows = run(args.short, [f for f in args.faults.split(",") if f], redis_cluster=args.redis_cluster)
    print_table(rows)
    return 1 if any(row.lost or row.error for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
