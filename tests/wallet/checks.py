"""Checks shared by the wallet's concurrency, crash and restart tests: what the ledger holds,
what Redis holds, and whether they agree."""

from __future__ import annotations

import threading
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from tests import harness

WAIT_SECONDS = 40
APPROVED, DECLINED = "approved", "declined"


def switch_stub(stack) -> wallet_pb2_grpc.WalletServiceStub:
    """A stub calling as the switch does (a service token): purchases are not a person's changes,
    so they are not audited one by one."""
    return wallet_pb2_grpc.WalletServiceStub(stack.channel("wallet", role="service"))


def ledger_limited(stack, account_ids: list[str] | None = None) -> dict[str, int]:
    """Available balance of every debit-limited account (or of the ones named), from Postgres."""
    query = ("SELECT account_id, credits_posted - debits_posted - debits_pending + credit_limit FROM wallet.accounts"
             " WHERE debits_must_not_exceed_credits")
    with stack.pg() as conn:
        if account_ids is None:
            rows = conn.execute(query).fetchall()
        else:
            rows = conn.execute(query + " AND account_id = ANY(%s)", (account_ids,)).fetchall()
    return {row[0]: row[1] for row in rows}


def redis_balances(stack, account_ids: list[str]) -> dict[str, int | None]:
    client = stack.redis()
    try:
        values = client.mget([f"w:{{{a}}}:a" for a in account_ids]) if account_ids else []
    finally:
        client.close()
    return {a: None if v is None else int(v) for a, v in zip(account_ids, values, strict=True)}


def drift(stack, account_ids: list[str] | None = None, loaded: bool = False) -> dict[str, tuple[int, int | None]]:
    """Accounts whose Redis balance differs from the ledger's.

    An account Redis does not hold yet is a cache miss (the wallet loads it from the ledger on first
    use), not a drift — unless `loaded`: right after a rebuild every account must be there."""
    truth = ledger_limited(stack, account_ids)
    cached = redis_balances(stack, sorted(truth))
    return {a: (truth[a], cached[a]) for a in truth
            if cached[a] != truth[a] and (loaded or cached[a] is not None)}


def overdrawn(stack) -> list[tuple[str, int]]:
    """Debit-limited accounts whose available balance is below zero in the ledger."""
    return [(a, v) for a, v in ledger_limited(stack).items() if v < 0]


def health_status(stack, name: str = "wallet") -> int | None:
    """The service's overall health status, or None when it does not answer."""
    with harness.raw_channel(stack.services[name].address) as channel:
        try:
            return health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2).status
        except grpc.RpcError:
            return None


def wait_for(condition, what: str, timeout: float = WAIT_SECONDS):
    """Poll until `condition()` is truthy and return its value; the timeout only bounds a hang."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting: {what}")


class Load:
    """Threads sending purchases; each answer (approved, declined, or the gRPC status of a failure)
    is recorded by transaction id."""

    def __init__(self, wallet, requests: list[pb.PurchaseRequest], threads: int = 8):
        self.wallet = wallet
        self.pending = iter(requests)
        self.lock = threading.Lock()
        self.answers: dict[str, str] = {}
        self.approved = 0
        self.threads = [threading.Thread(target=self._work, daemon=True) for _ in range(threads)]

    def _next(self) -> pb.PurchaseRequest | None:
        with self.lock:
            return next(self.pending, None)

    def _work(self) -> None:
        while (request := self._next()) is not None:
            try:
                reply = self.wallet.Purchase(request, timeout=30)
            except grpc.RpcError as exc:
                answer = exc.code().name
            else:
                answer = {pb.PURCHASE_OUTCOME_APPROVED: APPROVED, pb.PURCHASE_OUTCOME_INSUFFICIENT_FUNDS: DECLINED}.get(
                    reply.outcome, pb.PurchaseOutcome.Name(reply.outcome))
            with self.lock:
                self.answers[request.transaction_id] = answer
                self.approved += answer == APPROVED

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join()
