"""What a merchant token reads, against real tasheem, wallet, cards and switch processes: its
dashboard (today's sales, discounts by funder name, points, the next cut-off and what it would pay
each IBAN), its batches, the transactions behind its statement, its terminals' transactions and
reconciliations, its offers; and PERMISSION_DENIED for anything of another merchant. Then the
statement as one document: CSV sums equal the batch, HTML in Jalali with funder names and text
escaped, a real PDF whose text holds the merchant's name and total."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import grpc
import pypdf
import pytest

from services.documents import statement as documents
from services.gen.club.switch.v1 import authorization_pb2 as spb
from services.gen.club.switch.v1 import authorization_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.shared import persian
from services.tasheem.funding import BUILT_IN_PARTY_NAMES
from tests.tasheem.helpers import an_iban, offer, share, stamp, uid
from tests.tasheem.test_settlement import needs_wallet, open_account, purchase

AMOUNTS = (1_000_003, 2_345_677, 777_777)
HOSTILE_NAME = 'نان <b>"برکت"</b> & پسران'


def denied(call, request) -> bool:
    try:
        call(request, timeout=10)
    except grpc.RpcError as error:
        return error.code() == grpc.StatusCode.PERMISSION_DENIED
    return False


@pytest.fixture(scope="module")
def day(stack, tasheem, partner):
    """A merchant's day: three purchases with an offer funded by the bank, a partner and the
    merchant, one reversed; a second merchant beside it. Then the wallet and switch are running."""
    stack.start("wallet")
    from services.gen.club.wallet.v1 import wallet_pb2_grpc

    with stack.channel("wallet") as channel:
        wallet = wallet_pb2_grpc.WalletServiceStub(channel)
        shop = tasheem.CreateMerchant(pb.CreateMerchantRequest(
            merchant_id=uid("M"), name=HOSTILE_NAME, mcc="5462",
            beneficiaries=[pb.Beneficiary(iban=an_iban(), name="مالک", ratio_bp=7000, remainder=True),
                           pb.Beneficiary(iban=an_iban(), name="شریک", ratio_bp=3000)]))
        other = tasheem.CreateMerchant(pb.CreateMerchantRequest(
            merchant_id=uid("M"), name="همسایه", mcc="5462",
            beneficiaries=[pb.Beneficiary(iban=an_iban(), name="مالک", remainder=True)]))
        for m in (shop, other):
            open_account(wallet, f"merchant:{m.merchant_id}:payable", wpb.ACCOUNT_KIND_MERCHANT_PAYABLE, m.merchant_id)
        for party in ("bank", partner, "club"):
            open_account(wallet, f"funder:{party}:discount", wpb.ACCOUNT_KIND_FUNDER_DISCOUNT, party)
        open_account(wallet, "club:settlement_clearing", wpb.ACCOUNT_KIND_SETTLEMENT_CLEARING, "club")
        deal = tasheem.CreateOffer(pb.CreateOfferRequest(offer=offer(
            scope=pb.OfferScope(merchant_ids=[shop.merchant_id]), discount=pb.Discount(percent_bp=1500),
            budget=50_000_000, points=pb.PointsRule(bonus_points=7),
            funding=[share("bank", 4000), share(partner, 3333), share("merchant", 2667, remainder=True)])))
        member = uid("member-")
        wallet.OpenMemberAccounts(wpb.OpenMemberAccountsRequest(member_id=member))
        wallet.TopUp(wpb.TopUpRequest(transfer_id=uid("topup-"), member_id=member, amount=50_000_000))
        done = [purchase(tasheem, wallet, shop.merchant_id, member, amount) for amount in AMOUNTS]
        purchase(tasheem, wallet, other.merchant_id, member, 500_000)
        refund = wallet.Refund(wpb.RefundRequest(refund_id=uid("rf-"), original_transaction_id=done[0][0],
                                                 amount=400_000))
        assert refund.outcome == wpb.REVERSE_OUTCOME_REVERSED
        reversed_id = done[1][0]
        assert wallet.Reverse(wpb.ReverseRequest(reversal_id=uid("rv-"), original_transaction_id=reversed_id)
                              ).outcome == wpb.REVERSE_OUTCOME_REVERSED
        assert tasheem.Release(pb.ReleaseRequest(transaction_id=reversed_id)).released
        yield {"shop": shop, "other": other, "offer": deal, "done": done, "reversed": reversed_id, "wallet": wallet}


@pytest.fixture(scope="module")
def batch(tasheem, day) -> pb.SettlementBatch:
    """The day closed at a cut-off now (after the dashboard has read it open)."""
    closed = tasheem.CloseBatch(pb.CloseBatchRequest(cutoff=stamp(dt.datetime.now(dt.UTC))))
    assert closed.status == pb.BATCH_STATUS_RECONCILED
    return closed


def merchant_stub(stack, merchant_id: str) -> tasheem_pb2_grpc.TasheemServiceStub:
    return tasheem_pb2_grpc.TasheemServiceStub(stack.channel("tasheem", role="merchant", merchant_id=merchant_id))


@needs_wallet
def test_the_dashboard_shows_today_by_funder_name_and_the_next_payouts(stack, tasheem, day, partner):
    shop = day["shop"]
    own = merchant_stub(stack, shop.merchant_id)
    board = own.GetMerchantDashboard(pb.GetMerchantDashboardRequest(merchant_id=shop.merchant_id))
    standing = [quoted for transaction, quoted in day["done"] if transaction != day["reversed"]]
    assert board.merchant_name == HOSTILE_NAME
    assert board.business_date == dt.datetime.now(ZoneInfo("Asia/Tehran")).date().isoformat()
    assert (board.sales_count, board.sales_amount) == (2, AMOUNTS[0] + AMOUNTS[2])
    assert board.discount_amount == sum(q.discount for q in standing) > 0
    # Named as CreateParty named them (another test may have named "bank"), else the built-in name.
    names = BUILT_IN_PARTY_NAMES | {p.party_id: p.name for p in tasheem.ListParties(pb.ListPartiesRequest()).parties}
    funders = {f.name: f.amount for f in board.discount_funders}
    assert set(funders) == {names["bank"], "دیجی‌کالا", "سهم خود پذیرنده"}
    assert funders[names["bank"]] == sum(f.amount for q in standing for f in q.funding if f.party_id == "bank")
    assert sum(funders.values()) == board.discount_amount
    assert board.points_given == sum(q.points_earned for q in standing) > 0
    now = dt.datetime.now(dt.UTC).timestamp()
    assert now < board.next_cutoff_at.seconds <= now + 24 * 3600
    assert board.next_payout_at.seconds > board.next_cutoff_at.seconds
    # What the next cut-off would pay: everything on the payable since the latest batch, 70/30.
    ledger = day["wallet"].GetAccount(wpb.GetAccountRequest(account_id=f"merchant:{shop.merchant_id}:payable"))
    owed = ledger.credits_posted - ledger.debits_posted
    payouts = {p.beneficiary_name: p.amount for p in board.next_payouts}
    assert sum(payouts.values()) == owed > 0 and payouts["شریک"] == owed * 3000 // 10000
    assert denied(own.GetMerchantDashboard, pb.GetMerchantDashboardRequest(merchant_id=day["other"].merchant_id))


@needs_wallet
def test_a_merchant_reads_its_own_batches_transactions_offers_and_terminals_only(stack, tasheem, day, batch):
    shop, other = day["shop"], day["other"]
    own = merchant_stub(stack, shop.merchant_id)

    listed = own.ListBatches(pb.ListBatchesRequest(merchant_id=shop.merchant_id)).batches
    mine = next(b for b in listed if b.batch_id == batch.batch_id)
    assert [m.merchant_id for m in mine.merchants] == [shop.merchant_id] and mine.settlement_file == ""
    single = own.GetBatch(pb.GetBatchRequest(batch_id=batch.batch_id, merchant_id=shop.merchant_id))
    assert single.merchants == mine.merchants and single.total_net_payable == single.merchants[0].net_payable
    items = own.ListBatchTransactions(pb.ListBatchTransactionsRequest(batch_id=batch.batch_id,
                                                                      merchant_id=shop.merchant_id))
    sales = [t for t in items.transactions if t.figure == "sales"]
    assert sum(t.amount for t in sales) == single.merchants[0].gross_sales - single.merchants[0].discounts
    assert {t.transaction_id for t in sales} >= {transaction for transaction, _ in day["done"]}

    kept = own.GetMerchantStatement(pb.GetMerchantStatementRequest(batch_id=batch.batch_id,
                                                                   merchant_id=shop.merchant_id))
    assert "سهم دیجی‌کالا" in kept.html and "funded_by" not in kept.html and "funded_by:digikala" in kept.csv

    offers = own.ListOffers(pb.ListOffersRequest(merchant_id=shop.merchant_id)).offers
    mine_offer = next(o for o in offers if o.offer_id == day["offer"].offer_id)
    assert mine_offer.budget == 50_000_000 and mine_offer.budget_used > 0

    assert tasheem.ReconcileTerminalTotals(pb.ReconcileTerminalTotalsRequest(
        terminal_id="T0001", merchant_id=shop.merchant_id, purchase_count=99, purchase_amount=1)).in_balance is False
    results = own.ListTerminalReconciliations(pb.ListTerminalReconciliationsRequest(
        merchant_id=shop.merchant_id, terminal_id="T0001")).reconciliations
    assert results[0].terminal_id == "T0001" and not results[0].in_balance
    assert {m.field for m in results[0].mismatches} == {"purchase_count", "purchase_amount"}

    switch = authorization_pb2_grpc.AuthorizationServiceStub(
        stack.channel("switch", role="merchant", merchant_id=shop.merchant_id))
    assert switch.ListTransactions(spb.ListTransactionsRequest(merchant_id=shop.merchant_id, terminal_id="T0001"),
                                   timeout=30) is not None

    other_id = other.merchant_id
    for call, request in [
        (own.ListBatches, pb.ListBatchesRequest()),  # every merchant's: not for a merchant
        (own.ListBatches, pb.ListBatchesRequest(merchant_id=other_id)),
        (own.GetBatch, pb.GetBatchRequest(batch_id=batch.batch_id)),
        (own.GetBatch, pb.GetBatchRequest(batch_id=batch.batch_id, merchant_id=other_id)),
        (own.ListBatchTransactions, pb.ListBatchTransactionsRequest(batch_id=batch.batch_id, merchant_id=other_id)),
        (own.GetMerchantStatement, pb.GetMerchantStatementRequest(batch_id=batch.batch_id, merchant_id=other_id)),
        (own.ListOffers, pb.ListOffersRequest()),
        (own.ListOffers, pb.ListOffersRequest(merchant_id=other_id)),
        (own.GetOffer, pb.GetOfferRequest(offer_id=day["offer"].offer_id)),
        (own.ListTerminalReconciliations, pb.ListTerminalReconciliationsRequest(merchant_id=other_id)),
        (own.GetMerchant, pb.GetMerchantRequest(merchant_id=other_id)),
        (own.ListMerchantUsers, pb.ListMerchantUsersRequest(merchant_id=shop.merchant_id)),
        (switch.ListTransactions, spb.ListTransactionsRequest(merchant_id=other_id)),
        (switch.ListTransactions, spb.ListTransactionsRequest(terminal_id="T0001")),
    ]:
        assert denied(call, request), (call, request)


@needs_wallet
def test_the_statement_is_one_document_in_three_formats(stack, tasheem, day, batch, tmp_path):
    shop, batch_id = day["shop"], batch.batch_id
    # The portal's way: the merchant's own token, the same function as clubctl's.
    made = documents.gather(merchant_stub(stack, shop.merchant_id), batch_id, shop.merchant_id)
    batch = tasheem.GetBatch(pb.GetBatchRequest(batch_id=batch_id))
    settled = next(m for m in batch.merchants if m.merchant_id == shop.merchant_id)
    files = documents.write(made, tmp_path)

    rows = list(csv.DictReader(io.StringIO(files["csv"].read_text(encoding="utf-8"))))
    figures = {(r["key"], r["party_id"]): int(r["amount_rials"]) for r in rows if r["record"] == "figure"}
    assert figures[("net_payable", "")] == settled.net_payable
    assert figures[("gross_sales", "")] == settled.gross_sales and figures[("discounts", "")] == settled.discounts
    assert figures[("merchant_borne", "")] == settled.merchant_borne
    for party, amount in settled.funded_by_party.items():
        if party != "merchant":
            assert figures[("discount_funding", party)] == amount
    for (key, party), amount in figures.items():
        if key in documents.ITEMIZED:
            behind = [r for r in rows if r["record"] == "transaction" and r["key"] == key
                      and (not party or r["party_id"] == party)]
            assert sum(int(r["amount_rials"]) for r in behind) == amount, key
    assert sum(int(r["amount_rials"]) for r in rows if r["record"] == "payout") == settled.net_payable
    assert 0 < figures[("refunds", "")] == settled.refunds <= 400_000 and figures[("reversals", "")] == settled.reversals > 0
    facts = {r["key"]: r["text"] for r in rows if r["record"] == "statement"}
    assert facts["merchant_name"] == HOSTILE_NAME and facts["batch_id"] == batch_id
    assert facts["period_end"] == batch.cutoff.ToDatetime(dt.UTC).isoformat().replace("+00:00", "Z")
    assert all(r["amount_rials"].lstrip("-").isdigit() for r in rows if r["amount_rials"])  # ASCII digits

    page = files["html"].read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl">' in page
    cutoff = batch.cutoff.ToDatetime(dt.UTC)
    assert persian.full_date(cutoff) in page and persian.MONTHS[persian.jalali(cutoff).month - 1] in page
    assert "دیجی‌کالا" in page and "سهم پذیرنده از تخفیف" in page and "funded_by" not in page
    assert "&lt;b&gt;&#34;برکت&#34;&lt;/b&gt; &amp; پسران" in page and "<b>" not in page
    assert f"{persian.number(settled.net_payable)}</span> {persian.RIAL}" in page
    assert all(transaction in page for transaction, _ in day["done"] if transaction != day["reversed"])

    pdf = files["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(files["pdf"]).pages)
    flat = re.sub(r"\s+", "", text)
    total = persian.number(settled.net_payable)
    # pypdf gives a run of digits inside right-to-left text in the order it is drawn (reversed).
    assert total in flat or total[::-1] in flat, (total, flat[:500])
    for word in ("برکت", "پسران", "صورتحساب"):  # shaped text extracts back as its letters
        assert word in text, text[:500]
