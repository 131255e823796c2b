"""Holds that nobody completes give the money back on their own once their timeout passes, and
cannot be completed after that, even before the sweep reaches them."""

from __future__ import annotations

import time

import pytest

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from tests.wallet.checks import drift, wait_for
from tests.wallet.helpers import fund, ledger_available, new_id, purchase, stub

pytestmark = pytest.mark.slow


def funded_member(wallet, amount: int) -> tuple[str, str]:
    """A new member with `amount` of credit: its id and its credit account."""
    member = new_id("mem")
    fund(wallet, member, amount)
    return member, f"member:{member}:credit"


def capture(wallet, hold: pb.PurchaseResponse) -> pb.PurchaseResponse:
    return wallet.Capture(pb.CaptureRequest(transaction_id=new_id("cap"), hold_transaction_id=hold.transaction_id))


@pytest.fixture
def swept(isolated_stack):
    stack = isolated_stack(CLUB_HOLD_SWEEP_SECONDS="1")
    return stack, stub(stack)


def test_an_expired_pre_authorization_is_released_and_cannot_be_captured(swept):
    stack, wallet = swept
    member, credit = funded_member(wallet, 10_000)
    hold = purchase(wallet, member, 8_000, hold=True, hold_timeout_seconds=1)
    assert hold.outcome == pb.PURCHASE_OUTCOME_APPROVED and hold.credit_available == 2_000
    wait_for(lambda: ledger_available(stack, credit) == 10_000, "the expired hold released")
    assert capture(wallet, hold).outcome == pb.PURCHASE_OUTCOME_HOLD_RESOLVED
    assert ledger_available(stack, credit) == 10_000 and drift(stack, [credit], loaded=True) == {}
    assert purchase(wallet, member, 10_000).outcome == pb.PURCHASE_OUTCOME_APPROVED


def test_a_hold_cut_down_expires_when_the_first_would_have(swept):
    stack, wallet = swept
    member, credit = funded_member(wallet, 10_000)
    hold = purchase(wallet, member, 8_000, hold=True, hold_timeout_seconds=2)
    cut = wallet.Reverse(pb.ReverseRequest(reversal_id=new_id("rv"), original_transaction_id=hold.transaction_id,
                                           stands=3_000))
    assert cut.outcome == pb.REVERSE_OUTCOME_REVERSED and cut.credit_available == 7_000
    wait_for(lambda: ledger_available(stack, credit) == 10_000, "the smaller hold expired and released")
    assert capture(wallet, hold).outcome == pb.PURCHASE_OUTCOME_HOLD_RESOLVED
    assert drift(stack, [credit], loaded=True) == {}


def test_an_expired_pending_transfer_is_voided_and_cannot_be_posted(swept):
    stack, wallet = swept
    member, credit = funded_member(wallet, 1_000)
    hold = pb.Transfer(transfer_id=new_id("p"), debit_account_id=credit, credit_account_id="club:topup_clearing",
                       amount=700, unit=pb.UNIT_IRR, code=pb.TRANSFER_CODE_ADJUSTMENT,
                       flags=pb.TransferFlags(pending=True), timeout_seconds=1)
    assert list(wallet.CreateTransfers(pb.CreateTransfersRequest(transfers=[hold])).results) == [pb.TRANSFER_RESULT_OK]
    assert ledger_available(stack, credit) == 300
    wait_for(lambda: ledger_available(stack, credit) == 1_000, "the expired pending transfer voided")
    post = pb.Transfer(transfer_id=new_id("post"), pending_id=hold.transfer_id, flags=pb.TransferFlags(post_pending=True))
    assert list(wallet.CreateTransfers(pb.CreateTransfersRequest(transfers=[post])).results) == [
        pb.TRANSFER_RESULT_PENDING_EXPIRED]
    assert ledger_available(stack, credit) == 1_000 and drift(stack, [credit], loaded=True) == {}


def test_a_capture_after_the_timeout_but_before_the_sweep_is_refused_and_releases(isolated_stack):
    stack = isolated_stack(CLUB_HOLD_SWEEP_SECONDS="3600")  # the sweep never runs during the test
    wallet = stub(stack)
    member, credit = funded_member(wallet, 10_000)
    hold = purchase(wallet, member, 8_000, hold=True, hold_timeout_seconds=1)
    assert hold.outcome == pb.PURCHASE_OUTCOME_APPROVED
    time.sleep(1.5)
    assert capture(wallet, hold).outcome == pb.PURCHASE_OUTCOME_HOLD_RESOLVED
    assert ledger_available(stack, credit) == 10_000 and drift(stack, [credit], loaded=True) == {}
