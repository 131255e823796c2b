"""Many purchases at once at one member account: exactly as many succeed as the money covers,
the rest decline cleanly, nothing goes below zero, and the ledger and Redis agree afterwards."""

from __future__ import annotations

import collections
import threading

import pytest

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from tests.wallet.checks import drift, ledger_limited, switch_stub
from tests.wallet.helpers import fund, new_id, stub

pytestmark = pytest.mark.slow

AMOUNT = 7_000
POINTS_EACH = 3
COVERED = 300
ATTEMPTS = 1_000
CALL_TIMEOUT_SECONDS = 120


def sales_of(stack, credit_account: str) -> list[str]:
    """The source transaction of every SALE transfer that took money from the account."""
    with stack.pg() as conn:
        rows = conn.execute("SELECT source_ref FROM wallet.transfers WHERE debit_account_id = %s AND code = %s",
                            (credit_account, pb.TRANSFER_CODE_SALE)).fetchall()
    return [row[0] for row in rows]


class RedisWatcher:
    """Reads the account's Redis balance over and over while the purchases are in flight."""

    def __init__(self, stack, account_id: str):
        self.client = stack.redis()
        self.key = f"w:{{{account_id}}}:a"
        self.seen: list[int] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self.stop.is_set():
            value = self.client.get(self.key)
            if value is not None:
                self.seen.append(int(value))

    def __enter__(self) -> RedisWatcher:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        self.client.close()


def all_at_once(stack, attempts: int = ATTEMPTS, covered: int = COVERED) -> None:
    wallet, switch = stub(stack), switch_stub(stack)
    member, merchant = new_id("mem"), new_id("mer")
    credit, points = f"member:{member}:credit", f"member:{member}:points"
    fund(wallet, member, covered * AMOUNT)
    requests = [pb.PurchaseRequest(transaction_id=new_id("tx"), member_id=member, merchant_id=merchant, amount=AMOUNT,
                                   points_earned=POINTS_EACH) for _ in range(attempts)]

    with RedisWatcher(stack, credit) as watcher:
        futures = [switch.Purchase.future(request, timeout=CALL_TIMEOUT_SECONDS) for request in requests]
        replies = [future.result() for future in futures]

    outcomes = collections.Counter(reply.outcome for reply in replies)
    assert outcomes == {pb.PURCHASE_OUTCOME_APPROVED: covered, pb.PURCHASE_OUTCOME_INSUFFICIENT_FUNDS: attempts - covered}
    approved = {reply.transaction_id for reply in replies if reply.outcome == pb.PURCHASE_OUTCOME_APPROVED}
    assert all(reply.charged == AMOUNT for reply in replies if reply.transaction_id in approved)
    assert min(reply.credit_available for reply in replies) >= 0
    assert min(watcher.seen, default=0) >= 0  # Redis never showed the account below zero

    assert ledger_limited(stack, [credit, points]) == {credit: 0, points: covered * POINTS_EACH}
    assert drift(stack, [credit], loaded=True) == drift(stack, [points]) == {}
    sales = sales_of(stack, credit)
    assert len(sales) == covered and set(sales) == approved  # each approval posted once, no decline posted
    with stack.pg() as conn:
        earned = conn.execute("SELECT count(*), sum(amount) FROM wallet.transfers WHERE credit_account_id = %s"
                              " AND code = %s", (points, pb.TRANSFER_CODE_POINTS_EARNED)).fetchone()
        recorded = conn.execute("SELECT count(*) FROM wallet.purchases WHERE member_id = %s", (member,)).fetchone()[0]
    assert tuple(earned) == (covered, covered * POINTS_EACH) and recorded == covered
    payable = wallet.GetAccount(pb.GetAccountRequest(account_id=f"merchant:{merchant}:payable"))
    assert (payable.credits_posted, payable.debits_posted) == (covered * AMOUNT, 0)


def test_thousand_purchases_at_once_with_group_commit(stack):
    all_at_once(stack)


def test_purchases_at_once_one_transaction_each(isolated_stack):
    # Half the burst: one transaction per purchase, each holding a pooled connection while it waits
    # for the ledger lock, is what group commit exists to avoid; 500 at once stay within the pool's wait.
    all_at_once(isolated_stack(CLUB_GROUP_COMMIT="false"), attempts=500, covered=150)


def test_the_same_purchase_sent_many_times_at_once_posts_once(stack):
    wallet, switch = stub(stack), switch_stub(stack)
    member = new_id("mem")
    fund(wallet, member, 100_000)
    request = pb.PurchaseRequest(transaction_id=new_id("tx"), member_id=member, merchant_id="M-1", amount=12_345,
                                 points_earned=5)
    replies = [f.result() for f in [switch.Purchase.future(request, timeout=CALL_TIMEOUT_SECONDS) for _ in range(50)]]
    assert {reply.outcome for reply in replies} == {pb.PURCHASE_OUTCOME_APPROVED}
    assert {reply.charged for reply in replies} == {12_345}
    assert sum(not reply.replayed for reply in replies) == 1
    credit, points = f"member:{member}:credit", f"member:{member}:points"
    assert sales_of(stack, credit) == [request.transaction_id]
    assert ledger_limited(stack, [credit, points]) == {credit: 100_000 - 12_345, points: 5}
    assert drift(stack, [credit], loaded=True) == drift(stack, [points]) == {}


def test_purchases_and_withdrawals_racing_for_the_same_money(stack):
    """Two kinds of movement compete for one balance; together they never take more than is there."""
    wallet, switch = stub(stack), switch_stub(stack)  # an operator pays out while the switch sells
    member = new_id("mem")
    credit = f"member:{member}:credit"
    fund(wallet, member, 60 * 1_000)
    purchases = [switch.Purchase.future(pb.PurchaseRequest(transaction_id=new_id("tx"), member_id=member,
                                                           merchant_id="M-1", amount=1_000),
                                        timeout=CALL_TIMEOUT_SECONDS) for _ in range(100)]
    withdrawals = [wallet.Withdraw.future(pb.WithdrawRequest(transfer_id=new_id("wd"), member_id=member, amount=1_000,
                                                             reason="cash out"), timeout=CALL_TIMEOUT_SECONDS)
                   for _ in range(100)]
    bought = sum(f.result().outcome == pb.PURCHASE_OUTCOME_APPROVED for f in purchases)
    withdrawn = sum(f.result().result == pb.TRANSFER_RESULT_OK for f in withdrawals)
    refused = sum(f.result().result == pb.TRANSFER_RESULT_EXCEEDS_CREDITS for f in withdrawals)
    assert bought + withdrawn == 60 and withdrawn + refused == 100
    assert ledger_limited(stack, [credit]) == {credit: 0}
    assert drift(stack, [credit], loaded=True) == {}
