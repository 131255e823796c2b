"""SIGKILL the wallet in the middle of a purchase load, start it again, and check what a
terminal was told against what the ledger holds: every approval is there exactly once,
retrying every request posts nothing twice, and Redis is rebuilt to the ledger."""

from __future__ import annotations

import collections
import itertools

import pytest

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from tests.wallet.checks import (
    APPROVED,
    DECLINED,
    Load,
    drift,
    ledger_limited,
    overdrawn,
    switch_stub,
    wait_for,
)
from tests.wallet.helpers import fund, new_id, stub

pytestmark = pytest.mark.slow

MEMBERS = 4
COVERED_EACH = 60  # purchases each member's credit covers
REQUESTS_EACH = 100
AMOUNT = 1_000
POINTS_EACH = 2
KILL_AFTER_APPROVALS = 80


def sales_by_transaction(stack) -> collections.Counter:
    """How many SALE transfers each purchase posted (whatever their transfer ids)."""
    with stack.pg() as conn:
        rows = conn.execute("SELECT source_ref, count(*) FROM wallet.transfers WHERE code = %s GROUP BY source_ref",
                            (pb.TRANSFER_CODE_SALE,)).fetchall()
    return collections.Counter({row[0]: row[1] for row in rows})


def transfer_count(stack) -> int:
    with stack.pg() as conn:
        return conn.execute("SELECT count(*) FROM wallet.transfers").fetchone()[0]


def check_ledger(stack, members: list[str], funded: int) -> collections.Counter:
    sales = sales_by_transaction(stack)
    assert max(sales.values()) == 1  # no purchase posted twice, under any transfer id
    with stack.pg() as conn:
        repeated = conn.execute("SELECT source_ref, code FROM wallet.transfers WHERE source_ref <> ''"
                                " GROUP BY source_ref, code, debit_account_id, credit_account_id, flags"
                                " HAVING count(*) > 1").fetchall()
        posted_by_member = dict(conn.execute("SELECT member_id, count(*) FROM wallet.purchases GROUP BY member_id")
                                .fetchall())
    assert repeated == []
    balances = ledger_limited(stack)
    for member in members:
        posted = posted_by_member.get(member, 0)
        assert posted <= COVERED_EACH
        assert balances[f"member:{member}:credit"] == funded - posted * AMOUNT
        assert balances.get(f"member:{member}:points", 0) == posted * POINTS_EACH
    assert overdrawn(stack) == []
    assert drift(stack, loaded=True) == {}  # the rebuild put every balance back, equal to the ledger
    return sales


def test_sigkill_mid_load_loses_no_approval_and_posts_nothing_twice(isolated_stack):
    stack = isolated_stack()
    wallet = stub(stack)
    members = [new_id("mem") for _ in range(MEMBERS)]
    funded = COVERED_EACH * AMOUNT
    for member in members:
        fund(wallet, member, funded)
    # Interleave the members so every one of them is mid-load when the process dies.
    requests = [pb.PurchaseRequest(transaction_id=f"tx-{member}-{n}", member_id=member, merchant_id="M-crash",
                                   amount=AMOUNT, points_earned=POINTS_EACH)
                for n, member in itertools.product(range(REQUESTS_EACH), members)]

    load = Load(switch_stub(stack), requests)
    load.start()
    wait_for(lambda: load.approved >= KILL_AFTER_APPROVALS, "enough approvals before the kill")
    stack.services["wallet"].kill()
    load.join()
    answered = dict(load.answers)
    # A dead process answers with transport errors; nothing else may come back.
    assert {a for a in answered.values() if a not in (APPROVED, DECLINED)} <= {"UNAVAILABLE", "CANCELLED", "UNKNOWN"}
    approved_before = {tx for tx, answer in answered.items() if answer == APPROVED}
    assert len(approved_before) >= KILL_AFTER_APPROVALS

    stack.services["wallet"].restart()
    wallet = stub(stack)  # a fresh channel: the old one is backing off from the dead process
    sales = check_ledger(stack, members, funded)
    assert approved_before <= set(sales)  # invariant 1: nothing answered approved is missing
    assert not {tx for tx, answer in answered.items() if answer == DECLINED} & set(sales)
    posted_before = set(sales)
    transfers_before = transfer_count(stack)

    # Newest first: the money runs out before the already-posted ones are repeated.
    replies = {request.transaction_id: wallet.Purchase(request, timeout=30) for request in reversed(requests)}
    for tx in posted_before:  # already posted: the stored answer, nothing new
        assert replies[tx].outcome == pb.PURCHASE_OUTCOME_APPROVED and replies[tx].replayed
        assert replies[tx].charged == AMOUNT
    fresh = [tx for tx in replies if tx not in posted_before]
    sales_after = check_ledger(stack, members, funded)
    approved_now = {tx for tx, reply in replies.items() if reply.outcome == pb.PURCHASE_OUTCOME_APPROVED}
    assert approved_now == set(sales_after)
    assert sum(sales_after.values()) == MEMBERS * COVERED_EACH  # the retries used the money that was left
    # Each newly posted purchase adds its sale and its points; the already posted added nothing.
    newly_posted = set(sales_after) - posted_before
    assert transfer_count(stack) - transfers_before == 2 * len(newly_posted)
    assert all(replies[tx].outcome == pb.PURCHASE_OUTCOME_INSUFFICIENT_FUNDS for tx in fresh if tx not in newly_posted)


def test_repeat_after_restart_of_a_purchase_that_spent_everything_answers_its_approval(isolated_stack):
    stack = isolated_stack()
    wallet = stub(stack)
    member = new_id("mem")
    fund(wallet, member, 5_000)
    request = pb.PurchaseRequest(transaction_id=new_id("tx"), member_id=member, merchant_id="M-1", amount=5_000)
    assert wallet.Purchase(request).outcome == pb.PURCHASE_OUTCOME_APPROVED
    stack.services["wallet"].kill()
    stack.services["wallet"].restart()  # the restart rebuilds Redis: no trace of the request is left there
    repeat = stub(stack).Purchase(request)
    assert repeat.outcome == pb.PURCHASE_OUTCOME_APPROVED and repeat.replayed and repeat.charged == 5_000
    assert ledger_limited(stack, [f"member:{member}:credit"]) == {f"member:{member}:credit": 0}
