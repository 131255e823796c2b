"""A full day against the real wallet: purchases with offers funded by three parties, a refund,
a reversal, the cut-off; the files' totals equal the ledger to the rial."""

from __future__ import annotations

import csv
import datetime as dt
import io
import pathlib
import time

import grpc
import pytest

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from tests import harness
from tests.redis_modes import on_single_and_cluster
from tests.tasheem.helpers import an_iban, offer, quote, share, stamp, uid

needs_wallet = pytest.mark.skipif("wallet" not in harness.available_services(),
                                  reason="needs the wallet service (services/wallet/__main__.py), built separately")


def open_account(wallet, account_id: str, kind, owner: str) -> None:
    try:
        wallet.OpenAccount(wpb.OpenAccountRequest(account_id=account_id, unit=wpb.UNIT_IRR, kind=kind, owner_id=owner))
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.ALREADY_EXISTS:
            raise


@pytest.fixture(scope="module")
def wallet(stack):
    stack.start("wallet")
    with stack.channel("wallet") as channel:
        yield wallet_pb2_grpc.WalletServiceStub(channel)


def purchase(tasheem, wallet, merchant_id: str, member_id: str, amount: int) -> tuple[str, pb.QuoteResponse]:
    """What the switch does: reserve the offers, then post the purchase with the quoted funding."""
    transaction_id = uid("tx-")
    quoted = tasheem.Quote(quote(merchant_id, amount, reserve=True, transaction_id=transaction_id,
                                 member_id=member_id, terminal_id="T0001"))
    reply = wallet.Purchase(wpb.PurchaseRequest(
        transaction_id=transaction_id, member_id=member_id, merchant_id=merchant_id, amount=amount,
        discount=quoted.discount, points_earned=quoted.points_earned,
        funding=[wpb.FundingShare(party_id=f.party_id, amount=f.amount) for f in quoted.funding]))
    assert reply.outcome == wpb.PURCHASE_OUTCOME_APPROVED, reply
    return transaction_id, quoted


def read_csv(path: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(pathlib.Path(path).read_text(encoding="utf-8"))))


@on_single_and_cluster
@needs_wallet
@pytest.mark.slow
def test_a_full_day_settles_to_the_rial(stack, tasheem, wallet, partner):
    beneficiaries_a = [pb.Beneficiary(iban=an_iban(), name="مالک", ratio_bp=7000, remainder=True),
                       pb.Beneficiary(iban=an_iban(), name="شریک", ratio_bp=3000)]
    a = tasheem.CreateMerchant(pb.CreateMerchantRequest(merchant_id=uid("M"), name="نان سنگک برکت", mcc="5462",
                                                        beneficiaries=beneficiaries_a))
    b = tasheem.CreateMerchant(pb.CreateMerchantRequest(merchant_id=uid("M"), name="کتاب‌فروشی", mcc="5942",
                                                        beneficiaries=[pb.Beneficiary(iban=an_iban(), name="اجاره",
                                                                                      fixed_amount=100_000),
                                                                       pb.Beneficiary(iban=an_iban(), name="مالک",
                                                                                      remainder=True)]))
    for m in (a, b):
        open_account(wallet, f"merchant:{m.merchant_id}:payable", wpb.ACCOUNT_KIND_MERCHANT_PAYABLE, m.merchant_id)
    for party in ("bank", partner, "club"):
        open_account(wallet, f"funder:{party}:discount", wpb.ACCOUNT_KIND_FUNDER_DISCOUNT, party)
    open_account(wallet, "club:settlement_clearing", wpb.ACCOUNT_KIND_SETTLEMENT_CLEARING, "club")
    tasheem.CreateOffer(pb.CreateOfferRequest(offer=offer(
        scope=pb.OfferScope(merchant_ids=[a.merchant_id, b.merchant_id]), discount=pb.Discount(percent_bp=1500),
        funding=[share("bank", 4000), share(partner, 3333), share("merchant", 2667, remainder=True)])))
    members = [uid("member-") for _ in range(3)]
    for member in members:
        wallet.OpenMemberAccounts(wpb.OpenMemberAccountsRequest(member_id=member))
        wallet.TopUp(wpb.TopUpRequest(transfer_id=uid("topup-"), member_id=member, amount=50_000_000))

    done = []
    for index, amount in enumerate([1_000_003, 2_345_677, 999_999, 3_000_000, 1_234_567, 777_777]):
        merchant = (a, b)[index % 2]
        done.append((merchant, *purchase(tasheem, wallet, merchant.merchant_id, members[index % 3], amount)))
    refunded = wallet.Refund(wpb.RefundRequest(refund_id=uid("rf-"), original_transaction_id=done[0][1],
                                               amount=400_000))
    assert refunded.outcome == wpb.REVERSE_OUTCOME_REVERSED
    # What the switch does after a partial refund: the offers keep what still stands.
    refunded_share = next(f.amount for f in done[0][2].funding if f.party_id == "merchant") * 400_000 // 1_000_003
    assert tasheem.ReleasePart(pb.ReleasePartRequest(transaction_id=done[0][1], stands=1_000_003 - 400_000)).discount_released
    reversed_ = wallet.Reverse(wpb.ReverseRequest(reversal_id=uid("rv-"), original_transaction_id=done[1][1]))
    assert reversed_.outcome == wpb.REVERSE_OUTCOME_REVERSED
    assert tasheem.Release(pb.ReleaseRequest(transaction_id=done[1][1])).released

    time.sleep(1.05 - time.time() % 1)  # a batch is named after its cut-off's second: not an earlier test's
    cutoff = dt.datetime.now(dt.UTC)
    batch = tasheem.CloseBatch(pb.CloseBatchRequest(cutoff=stamp(cutoff)))
    assert batch.status == pb.BATCH_STATUS_RECONCILED
    again = tasheem.CloseBatch(pb.CloseBatchRequest(cutoff=stamp(cutoff)))
    assert again.batch_id == batch.batch_id and again.to_sequence == batch.to_sequence

    ledger = {m.merchant_id: m for m in wallet.MerchantActivity(wpb.MerchantActivityRequest(
        after_sequence=batch.from_sequence, up_to_sequence=batch.to_sequence)).merchants}
    ours = {m.merchant_id: m for m in batch.merchants}
    for merchant in (a, b):
        settled, posted = ours[merchant.merchant_id], ledger[merchant.merchant_id]
        assert settled.net_payable == posted.net_change  # nothing settled inside the range yet
        assert settled.gross_sales == posted.sales + settled.discounts
        assert sum(p.amount for p in settled.payouts) == settled.net_payable
        # Paid out: the payable is back to zero once the settlement transfer is posted.
        account = wallet.GetAccount(wpb.GetAccountRequest(account_id=f"merchant:{merchant.merchant_id}:payable"))
        assert account.credits_posted - account.debits_posted == 0

    # The merchant-borne share: its part of every standing purchase's discount at that merchant,
    # less the part the partial refund gave back.
    standing = [q for m, t, q in done if t != done[1][1] and m.merchant_id == a.merchant_id]
    expected_borne = sum(f.amount for q in standing for f in q.funding if f.party_id == "merchant") - refunded_share
    assert refunded_share > 0 and ours[a.merchant_id].merchant_borne == expected_borne > 0

    rows = read_csv(batch.settlement_file)
    body, control = rows[1:-1], rows[-1]
    assert control[0] == "TOTAL" and int(control[1]) == len(body) == batch.payout_lines
    assert int(control[5]) == sum(int(row[5]) for row in body) == batch.total_net_payable
    assert {row[3] for row in body} >= {x.iban for x in beneficiaries_a}

    statement = tasheem.GetMerchantStatement(pb.GetMerchantStatementRequest(batch_id=batch.batch_id,
                                                                            merchant_id=a.merchant_id))
    assert 'dir="rtl"' in statement.html and "نان سنگک برکت" in statement.html
    funder = tasheem.GetFunderStatement(pb.GetFunderStatementRequest(batch_id=batch.batch_id, party_id=partner))
    partner_total = int(read_csv(funder.csv_path)[-1][2])
    assert partner_total == sum(m.funded_by_party.get(partner, 0) for m in batch.merchants)


def test_the_merchant_share_given_back_is_taken_back_once_across_batches(tasheem, partner):
    """Partial releases after a cut-off land in the next batch; a full release after them takes
    back only the rest; over the batches the released purchase's merchant-borne share nets to 0."""
    merchant = tasheem.CreateMerchant(pb.CreateMerchantRequest(merchant_id=uid("M"), name="لوازم التحریر",
                                                               mcc="5943"))
    tasheem.CreateOffer(pb.CreateOfferRequest(offer=offer(
        scope=pb.OfferScope(merchant_ids=[merchant.merchant_id]), discount=pb.Discount(percent_bp=1000),
        funding=[share(partner, 5000), share("merchant", 5000, remainder=True)])))
    transaction_id, amount = uid("tx-"), 1_000_001
    quoted = tasheem.Quote(quote(merchant.merchant_id, amount, reserve=True, transaction_id=transaction_id,
                                 terminal_id="T0001"))
    full_share = next(f.amount for f in quoted.funding if f.party_id == "merchant")
    assert full_share > 0

    def borne_in_next_batch() -> int:
        time.sleep(1.05 - time.time() % 1)  # a batch is named after its cut-off's second
        batch = tasheem.CloseBatch(pb.CloseBatchRequest(cutoff=stamp(dt.datetime.now(dt.UTC))))
        return next((m.merchant_borne for m in batch.merchants if m.merchant_id == merchant.merchant_id), 0)

    tasheem.ReleasePart(pb.ReleasePartRequest(transaction_id=transaction_id, stands=600_000))
    first = borne_in_next_batch()
    assert first == full_share - full_share * (amount - 600_000) // amount
    tasheem.ReleasePart(pb.ReleasePartRequest(transaction_id=transaction_id, stands=600_000))  # a repeat
    tasheem.ReleasePart(pb.ReleasePartRequest(transaction_id=transaction_id, stands=250_000))
    second = borne_in_next_batch()
    assert second == -(full_share * (amount - 250_000) // amount - full_share * (amount - 600_000) // amount) < 0
    assert borne_in_next_batch() == 0  # nothing new: nothing taken back twice
    assert tasheem.Release(pb.ReleaseRequest(transaction_id=transaction_id)).released
    third = borne_in_next_batch()
    assert third < 0 and first + second + third == 0


def test_terminal_totals_compared_with_our_records(tasheem, merchant):
    terminal = uid("T")
    ids = []
    for amount in (100_000, 250_000, 50_000):
        ids.append(uid("tx-"))
        tasheem.Quote(quote(merchant.merchant_id, amount, reserve=True, transaction_id=ids[-1],
                            terminal_id=terminal))
    tasheem.Release(pb.ReleaseRequest(transaction_id=ids[2]))  # reversed
    ok = tasheem.ReconcileTerminalTotals(pb.ReconcileTerminalTotalsRequest(
        terminal_id=terminal, merchant_id=merchant.merchant_id, purchase_count=2, purchase_amount=350_000))
    assert ok.in_balance and not ok.mismatches
    tasheem.Quote(quote(merchant.merchant_id, 70_000, reserve=True, transaction_id=uid("tx-"), terminal_id=terminal))
    off = tasheem.ReconcileTerminalTotals(pb.ReconcileTerminalTotalsRequest(
        terminal_id=terminal, merchant_id=merchant.merchant_id, purchase_count=1, purchase_amount=75_000))
    assert not off.in_balance  # since the last reconciliation: one purchase of 70,000
    assert [(m.field, m.terminal_value, m.our_value) for m in off.mismatches] == [("purchase_amount", 75_000, 70_000)]


def test_closing_without_a_reachable_wallet_is_unavailable_and_closes_nothing(isolated_stack):
    stack = isolated_stack()
    stack.start("tasheem")  # the wallet's address points at nothing
    tasheem = tasheem_pb2_grpc.TasheemServiceStub(stack.channel("tasheem"))
    with pytest.raises(grpc.RpcError) as info:
        tasheem.CloseBatch(pb.CloseBatchRequest(cutoff=stamp(dt.datetime.now(dt.UTC))))
    error = info.value
    assert error.code() == grpc.StatusCode.UNAVAILABLE, error.details()
    assert not tasheem.ListBatches(pb.ListBatchesRequest()).batches


def test_a_future_cutoff_is_refused(tasheem):
    with pytest.raises(grpc.RpcError) as info:
        tasheem.CloseBatch(pb.CloseBatchRequest(cutoff=stamp(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and info.value.details().startswith("cutoff:")


def test_a_batch_with_nothing_in_it_reconciles(isolated_stack):
    """The first cut-off of a club that has not sold anything yet: an empty range, not a mismatch."""
    stack = isolated_stack()
    stack.start("cards", "wallet", "tasheem")
    with stack.channel("tasheem") as channel:
        fresh = tasheem_pb2_grpc.TasheemServiceStub(channel)
        wallet = wallet_pb2_grpc.WalletServiceStub(stack.channel("wallet"))
        member = uid("member-")
        wallet.TopUp(wpb.TopUpRequest(transfer_id=uid("topup-"), member_id=member, amount=5_000, reason="test"))
        sold = wallet.Purchase(wpb.PurchaseRequest(transaction_id=uid("tx-"), member_id=member, merchant_id=uid("M"),
                                                   amount=1_000))  # merchant activity after the cut-off
        assert sold.outcome == wpb.PURCHASE_OUTCOME_APPROVED
        batch = fresh.CloseBatch(pb.CloseBatchRequest(cutoff=stamp(dt.datetime.now(dt.UTC) - dt.timedelta(days=1))))
    assert batch.status == pb.BATCH_STATUS_RECONCILED
    assert (batch.from_sequence, batch.to_sequence, batch.total_net_payable) == (0, 0, 0)


@needs_wallet
def test_a_new_clubs_first_cut_off_pays_without_anyone_opening_the_clearing_account(isolated_stack):
    """The club's own accounts exist from the start: the first settlement posts to the clearing
    account though no operator ever opened it."""
    stack = isolated_stack()
    with stack.channel("tasheem") as tasheem_channel, stack.channel("wallet") as wallet_channel:
        tasheem = tasheem_pb2_grpc.TasheemServiceStub(tasheem_channel)
        wallet = wallet_pb2_grpc.WalletServiceStub(wallet_channel)
        merchant = tasheem.CreateMerchant(pb.CreateMerchantRequest(
            merchant_id=uid("M"), name="نانوایی تازه", mcc="5462",
            beneficiaries=[pb.Beneficiary(iban=an_iban(), name="مالک", remainder=True)]))
        member = uid("member-")
        wallet.OpenMemberAccounts(wpb.OpenMemberAccountsRequest(member_id=member))
        wallet.TopUp(wpb.TopUpRequest(transfer_id=uid("topup-"), member_id=member, amount=1_000_000))
        purchase(tasheem, wallet, merchant.merchant_id, member, 250_000)

        batch = tasheem.CloseBatch(pb.CloseBatchRequest(cutoff=stamp(dt.datetime.now(dt.UTC))))
        assert batch.status == pb.BATCH_STATUS_RECONCILED
        [ours] = [m for m in batch.merchants if m.merchant_id == merchant.merchant_id]
        assert ours.net_payable == 250_000
        clearing = wallet.GetAccount(wpb.GetAccountRequest(account_id="club:settlement_clearing"))
        assert clearing.credits_posted == 250_000
