"""The ledger's rules as a client sees them: balanced sets, idempotency, holds, linked sets,
reversals and refunds that undo exactly what was posted, and clear refusals of bad input."""

from __future__ import annotations

import grpc
import pytest

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from tests.wallet.helpers import fund, ledger_available, new_id, purchase, redis_available, stub

THREE_FUNDERS = [pb.FundingShare(party_id="bank", amount=1500), pb.FundingShare(party_id="club", amount=900),
                 pb.FundingShare(party_id="merchant", amount=600)]


@pytest.fixture
def wallet(stack):
    return stub(stack)


def sums_by_unit(stack) -> dict[int, tuple[int, int]]:
    with stack.pg() as conn:
        rows = conn.execute("SELECT unit, sum(debits_posted), sum(credits_posted), sum(debits_pending),"
                            " sum(credits_pending) FROM wallet.accounts GROUP BY unit").fetchall()
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def test_purchase_posts_a_balanced_set_with_each_funders_share(stack, wallet):
    member, merchant = new_id("mem"), new_id("mer")
    fund(wallet, member, 100_000)
    reply = purchase(wallet, member, 30_000, merchant, discount=3_000, funding=THREE_FUNDERS, points_earned=7)
    assert reply.outcome == pb.PURCHASE_OUTCOME_APPROVED and reply.charged == 27_000
    assert reply.credit_available == 73_000 and reply.points_available == 7
    payable = wallet.GetAccount(pb.GetAccountRequest(account_id=f"merchant:{merchant}:payable"))
    assert payable.credits_posted == 27_000 + 1_500 + 900  # the merchant's own 600 is simply not paid
    bank = wallet.GetAccount(pb.GetAccountRequest(account_id="funder:bank:discount"))
    assert bank.debits_posted >= 1_500
    for debits, credits, debits_pending, credits_pending in sums_by_unit(stack).values():
        assert debits == credits and debits_pending == credits_pending  # invariant 2, per unit


def test_same_transaction_twice_posts_once_and_answers_the_same(stack, wallet):
    member = new_id("mem")
    fund(wallet, member, 50_000)
    request = pb.PurchaseRequest(transaction_id=new_id("tx"), member_id=member, merchant_id="M-1", amount=10_000)
    first, second = wallet.Purchase(request), wallet.Purchase(request)
    assert first.outcome == second.outcome == pb.PURCHASE_OUTCOME_APPROVED
    assert not first.replayed and second.replayed and second.charged == first.charged
    assert ledger_available(stack, f"member:{member}:credit") == 40_000
    changed = pb.PurchaseRequest(transaction_id=request.transaction_id, member_id=member, merchant_id="M-1", amount=9)
    assert wallet.Purchase(changed).outcome == pb.PURCHASE_OUTCOME_CONFLICT
    assert ledger_available(stack, f"member:{member}:credit") == 40_000


def test_insufficient_funds_declines_and_changes_nothing(stack, wallet):
    member = new_id("mem")
    fund(wallet, member, 5_000)
    reply = purchase(wallet, member, 5_001)
    assert reply.outcome == pb.PURCHASE_OUTCOME_INSUFFICIENT_FUNDS and reply.credit_available == 5_000
    assert ledger_available(stack, f"member:{member}:credit") == 5_000 == redis_available(stack, f"member:{member}:credit")


def test_partial_refunds_then_reversal_undo_exactly_the_original(stack, wallet):
    member, merchant = new_id("mem"), new_id("mer")
    fund(wallet, member, 100_000)
    original = purchase(wallet, member, 30_001, merchant, discount=3_000, funding=THREE_FUNDERS, points_earned=7)
    first = wallet.Refund(pb.RefundRequest(refund_id=new_id("rf"), original_transaction_id=original.transaction_id,
                                           amount=10_000))
    assert first.outcome == pb.REVERSE_OUTCOME_REVERSED and first.points_taken_back == 2
    rest = wallet.Reverse(pb.ReverseRequest(reversal_id=new_id("rv"), original_transaction_id=original.transaction_id))
    assert rest.amount_reversed == 20_001
    assert first.charged_returned + rest.charged_returned == 27_001
    assert first.discount_reversed + rest.discount_reversed == 3_000
    assert ledger_available(stack, f"member:{member}:credit") == 100_000
    assert ledger_available(stack, f"member:{member}:points") == 0
    payable = wallet.GetAccount(pb.GetAccountRequest(account_id=f"merchant:{merchant}:payable"))
    assert payable.credits_posted == payable.debits_posted  # the merchant keeps nothing of an undone sale
    again = wallet.Reverse(pb.ReverseRequest(reversal_id=new_id("rv"), original_transaction_id=original.transaction_id))
    assert again.outcome == pb.REVERSE_OUTCOME_ALREADY_REVERSED
    unknown = wallet.Reverse(pb.ReverseRequest(reversal_id=new_id("rv"), original_transaction_id="no-such-tx"))
    assert unknown.outcome == pb.REVERSE_OUTCOME_UNKNOWN_ORIGINAL


def test_refund_of_points_already_spent_recovers_their_value_in_rials(stack, wallet):
    member = new_id("mem")
    fund(wallet, member, 100_000)
    original = purchase(wallet, member, 50_000, points_earned=100)
    spend = wallet.AdjustPoints(pb.AdjustPointsRequest(transfer_id=new_id("adj"), member_id=member, points=-80,
                                                       reason="spent elsewhere"))
    assert spend.result == pb.TRANSFER_RESULT_OK
    refund = wallet.Refund(pb.RefundRequest(refund_id=new_id("rf"), original_transaction_id=original.transaction_id))
    # 20 points are still there to take back; the 80 spent (100 rials each) come out of the refund.
    assert refund.points_taken_back == 20 and refund.charged_returned == 50_000 - 80 * 100
    assert ledger_available(stack, f"member:{member}:points") == 0


def test_points_pay_rounded_up_and_come_back_on_reversal(stack, wallet):
    member = new_id("mem")
    wallet.AdjustPoints(pb.AdjustPointsRequest(transfer_id=new_id("adj"), member_id=member, points=1_000, reason="gift"))
    reply = purchase(wallet, member, 10_050, source=pb.PAYMENT_SOURCE_POINTS)
    assert reply.outcome == pb.PURCHASE_OUTCOME_APPROVED and reply.charged == 101  # ceil(10,050 / 100)
    assert reply.points_available == 899
    wallet.Reverse(pb.ReverseRequest(reversal_id=new_id("rv"), original_transaction_id=reply.transaction_id))
    assert ledger_available(stack, f"member:{member}:points") == 1_000


def test_hold_capture_partial_releases_the_rest_once(stack, wallet):
    member = new_id("mem")
    fund(wallet, member, 50_000)
    hold = purchase(wallet, member, 20_000, hold=True)
    assert hold.outcome == pb.PURCHASE_OUTCOME_APPROVED and hold.credit_available == 30_000
    capture = wallet.Capture(pb.CaptureRequest(transaction_id=new_id("cap"), hold_transaction_id=hold.transaction_id,
                                               amount=15_000))
    assert capture.outcome == pb.PURCHASE_OUTCOME_APPROVED and capture.credit_available == 35_000
    again = wallet.Capture(pb.CaptureRequest(transaction_id=new_id("cap"), hold_transaction_id=hold.transaction_id))
    assert again.outcome == pb.PURCHASE_OUTCOME_HOLD_RESOLVED
    release = wallet.ReleaseHold(pb.ReleaseHoldRequest(transaction_id=new_id("rel"), hold_transaction_id=hold.transaction_id))
    assert release.outcome == pb.PURCHASE_OUTCOME_HOLD_RESOLVED
    assert ledger_available(stack, f"member:{member}:credit") == 35_000


def test_reversal_of_a_hold_releases_it(stack, wallet):
    member = new_id("mem")
    fund(wallet, member, 10_000)
    hold = purchase(wallet, member, 8_000, hold=True)
    reply = wallet.Reverse(pb.ReverseRequest(reversal_id=new_id("rv"), original_transaction_id=hold.transaction_id))
    assert reply.outcome == pb.REVERSE_OUTCOME_REVERSED and reply.credit_available == 10_000


def test_a_partial_reversal_of_a_hold_cuts_it_down_in_proportion(stack, wallet):
    member, merchant = new_id("mem"), new_id("mer")
    fund(wallet, member, 50_000)
    hold = purchase(wallet, member, 30_000, merchant, discount=3_000, funding=THREE_FUNDERS, points_earned=9,
                    hold=True)
    assert hold.credit_available == 23_000  # 27,000 held
    cut = wallet.Reverse(pb.ReverseRequest(reversal_id=new_id("rv"), original_transaction_id=hold.transaction_id,
                                           stands=10_000))
    assert cut.outcome == pb.REVERSE_OUTCOME_REVERSED and not cut.fully_undone
    assert (cut.amount_reversed, cut.discount_reversed, cut.charged_returned) == (20_000, 2_000, 18_000)
    assert cut.credit_available == 41_000 == ledger_available(stack, f"member:{member}:credit")
    repeat = wallet.Reverse(pb.ReverseRequest(reversal_id=new_id("rv"), original_transaction_id=hold.transaction_id,
                                              stands=10_000))
    assert repeat.outcome == pb.REVERSE_OUTCOME_ALREADY_REVERSED
    over = wallet.Capture(pb.CaptureRequest(transaction_id=new_id("cap"), hold_transaction_id=hold.transaction_id,
                                            amount=10_001))
    assert over.outcome == pb.PURCHASE_OUTCOME_EXCEEDS_HOLD
    done = wallet.Capture(pb.CaptureRequest(transaction_id=new_id("cap"), hold_transaction_id=hold.transaction_id))
    assert (done.outcome, done.charged, done.points_earned) == (pb.PURCHASE_OUTCOME_APPROVED, 9_000, 3)
    assert done.credit_available == 41_000
    bank = wallet.GetAccount(pb.GetAccountRequest(account_id=f"merchant:{merchant}:payable"))
    assert bank.credits_posted == 9_000 + 500 + 300 and bank.credits_pending == 0  # bank's and club's thirds
    for debits, credits, debits_pending, credits_pending in sums_by_unit(stack).values():
        assert debits == credits and debits_pending == credits_pending


def test_reverse_takes_an_amount_or_what_stands_not_both(stack, wallet):
    member = new_id("mem")
    fund(wallet, member, 10_000)
    hold = purchase(wallet, member, 8_000, hold=True)
    with pytest.raises(grpc.RpcError) as refused:
        wallet.Reverse(pb.ReverseRequest(reversal_id=new_id("rv"), original_transaction_id=hold.transaction_id,
                                         amount=1_000, stands=5_000))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "stands" in refused.value.details()
    assert ledger_available(stack, f"member:{member}:credit") == 2_000


def test_linked_set_posts_all_or_nothing(stack, wallet):
    member = new_id("mem")
    fund(wallet, member, 1_000)
    credit, clearing = f"member:{member}:credit", "club:topup_clearing"
    ok = pb.Transfer(transfer_id=new_id("t"), debit_account_id=credit, credit_account_id=clearing, amount=600,
                     unit=pb.UNIT_IRR, code=pb.TRANSFER_CODE_ADJUSTMENT)
    too_much = pb.Transfer(transfer_id=new_id("t"), debit_account_id=credit, credit_account_id=clearing, amount=600,
                           unit=pb.UNIT_IRR, code=pb.TRANSFER_CODE_ADJUSTMENT)
    reply = wallet.CreateTransfers(pb.CreateTransfersRequest(transfers=[ok, too_much], linked=True))
    assert pb.TRANSFER_RESULT_OK not in reply.results
    assert ledger_available(stack, credit) == 1_000 == redis_available(stack, credit)
    single = wallet.CreateTransfers(pb.CreateTransfersRequest(transfers=[ok]))
    assert list(single.results) == [pb.TRANSFER_RESULT_OK]
    repeat = wallet.CreateTransfers(pb.CreateTransfersRequest(transfers=[ok]))
    assert list(repeat.results) == [pb.TRANSFER_RESULT_EXISTS]
    ok.amount = 1
    assert list(wallet.CreateTransfers(pb.CreateTransfersRequest(transfers=[ok])).results) == [
        pb.TRANSFER_RESULT_EXISTS_WITH_DIFFERENT_CONTENT]


def test_pending_transfer_posts_partially_or_voids_once(stack, wallet):
    member = new_id("mem")
    fund(wallet, member, 1_000)
    credit = f"member:{member}:credit"
    hold = pb.Transfer(transfer_id=new_id("p"), debit_account_id=credit, credit_account_id="club:topup_clearing",
                       amount=700, unit=pb.UNIT_IRR, code=pb.TRANSFER_CODE_ADJUSTMENT,
                       flags=pb.TransferFlags(pending=True))
    assert list(wallet.CreateTransfers(pb.CreateTransfersRequest(transfers=[hold])).results) == [pb.TRANSFER_RESULT_OK]
    assert redis_available(stack, credit) == 300 == ledger_available(stack, credit)
    post = pb.Transfer(transfer_id=new_id("post"), pending_id=hold.transfer_id, amount=500,
                       flags=pb.TransferFlags(post_pending=True))
    assert list(wallet.CreateTransfers(pb.CreateTransfersRequest(transfers=[post])).results) == [pb.TRANSFER_RESULT_OK]
    assert redis_available(stack, credit) == 500 == ledger_available(stack, credit)
    void = pb.Transfer(transfer_id=new_id("void"), pending_id=hold.transfer_id, flags=pb.TransferFlags(void_pending=True))
    assert list(wallet.CreateTransfers(pb.CreateTransfersRequest(transfers=[void])).results) == [
        pb.TRANSFER_RESULT_PENDING_ALREADY_RESOLVED]


def test_closed_account_refuses_money(stack, wallet):
    member = new_id("mem")
    fund(wallet, member, 1_000)
    wallet.CloseAccount(pb.CloseAccountRequest(account_id=f"member:{member}:credit", reason="member left"))
    assert purchase(wallet, member, 100).outcome == pb.PURCHASE_OUTCOME_ACCOUNT_CLOSED
    assert ledger_available(stack, f"member:{member}:credit") == 1_000


def test_credit_limit_lets_the_account_go_that_far_below_zero(stack, wallet):
    member = new_id("mem")
    wallet.SetCreditLimit(pb.SetCreditLimitRequest(member_id=member, credit_limit=5_000))
    assert purchase(wallet, member, 5_000).outcome == pb.PURCHASE_OUTCOME_APPROVED
    assert purchase(wallet, member, 1).outcome == pb.PURCHASE_OUTCOME_INSUFFICIENT_FUNDS
    with pytest.raises(grpc.RpcError) as info:
        wallet.SetCreditLimit(pb.SetCreditLimitRequest(member_id=member, credit_limit=1_000))
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION


BAD_INPUT = [
    ("Purchase", pb.PurchaseRequest(member_id="m", merchant_id="x", amount=1), "transaction_id"),
    ("Purchase", pb.PurchaseRequest(transaction_id="t", merchant_id="x", amount=1), "member_id"),
    ("Purchase", pb.PurchaseRequest(transaction_id="t", member_id="m", merchant_id="x", amount=0), "amount"),
    ("Purchase", pb.PurchaseRequest(transaction_id="t", member_id="m", merchant_id="x", amount=5, discount=6), "discount"),
    ("Purchase", pb.PurchaseRequest(transaction_id="t", member_id="m", merchant_id="x", amount=5, discount=2,
                                    funding=[pb.FundingShare(party_id="bank", amount=1)]), "funding"),
    ("Purchase", pb.PurchaseRequest(transaction_id="t", member_id="m", merchant_id="x", amount=5, hold=True,
                                    source=pb.PAYMENT_SOURCE_POINTS), "hold"),
    ("TopUp", pb.TopUpRequest(transfer_id="t", member_id="m", amount=-5), "amount"),
    ("TopUp", pb.TopUpRequest(member_id="m", amount=5), "transfer_id"),
    ("Withdraw", pb.WithdrawRequest(transfer_id="t", amount=5), "member_id"),
    ("Reverse", pb.ReverseRequest(reversal_id="r"), "original_transaction_id"),
    ("Refund", pb.RefundRequest(original_transaction_id="o", amount=1), "refund_id"),
    ("Capture", pb.CaptureRequest(transaction_id="c"), "hold_transaction_id"),
    ("ReleaseHold", pb.ReleaseHoldRequest(hold_transaction_id="h"), "transaction_id"),
    ("AdjustPoints", pb.AdjustPointsRequest(transfer_id="t", member_id="m", points=0, reason="x"), "points"),
    ("SetCreditLimit", pb.SetCreditLimitRequest(member_id="m", credit_limit=-1), "credit_limit"),
    ("OpenAccount", pb.OpenAccountRequest(account_id="a", kind=pb.ACCOUNT_KIND_FEES), "unit"),
    ("GetAccount", pb.GetAccountRequest(), "account_id"),
    ("ListAccountTransfers", pb.ListAccountTransfersRequest(account_id="a", page_token="zz"), "page_token"),
    ("CreateTransfers", pb.CreateTransfersRequest(), "transfers"),
    ("CreateTransfers", pb.CreateTransfersRequest(transfers=[pb.Transfer(transfer_id="t", debit_account_id="a",
                                                  credit_account_id="a", amount=1, unit=pb.UNIT_IRR)]),
     "transfers[0].credit_account_id"),
    ("GetMemberBalances", pb.GetMemberBalancesRequest(), "member_id"),
    ("MerchantActivity", pb.MerchantActivityRequest(after_sequence=5, up_to_sequence=2), "up_to_sequence"),
]


@pytest.mark.parametrize(("method", "request_message", "field"), BAD_INPUT,
                         ids=[f"{m}-{f}" for m, _, f in BAD_INPUT])
def test_bad_input_names_the_field_and_changes_nothing(stack, wallet, method, request_message, field):
    before = sums_by_unit(stack)
    with pytest.raises(grpc.RpcError) as info:
        getattr(wallet, method)(request_message)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details().startswith(field)
    assert sums_by_unit(stack) == before
