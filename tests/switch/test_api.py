"""The Authorization API over gRPC for channels that are not terminals: the same flows, declines
as answers, bad arguments as INVALID_ARGUMENT naming the field."""

from __future__ import annotations

import grpc
import pytest

from services.gen.club.switch.v1 import authorization_pb2 as pb
from services.gen.club.switch.v1 import authorization_pb2_grpc
from tests.switch.helpers import new_id


@pytest.fixture(scope="module")
def api(club):
    return authorization_pb2_grpc.AuthorizationServiceStub(club.stack.channel("switch"))


@pytest.fixture(scope="module")
def online(club):
    """A product for card-not-present use: CVV2 instead of a PIN."""
    return club.new_product(pin_required=False)


@pytest.fixture
def card(club, online):
    return club.card(credit=1_000_000, product=online)


def purchase(club, card, amount=1_000, **fields):
    values = dict(request_id=new_id(), channel="mobile", type=pb.TRANSACTION_TYPE_PURCHASE, pan=card.pan,
                  expiry=card.expiry, cvv2=card.cvv2, merchant_id=club.merchant_id, amount=amount)
    values.update(fields)
    return pb.AuthorizeRequest(**values)


def test_purchase_with_cvv2_over_the_api(club, api, card):
    answer = api.Authorize(purchase(club, card, 200_000))
    assert answer.response_code == "00" and answer.approval_code
    assert (answer.amount, answer.credit_available) == (200_000, 800_000)
    assert answer.masked_pan.endswith(card.pan[-4:]) and card.pan not in str(answer)


def test_wrong_cvv2_is_05(club, api, card):
    wrong = "000" if card.cvv2 != "000" else "111"
    assert api.Authorize(purchase(club, card, 1_000, cvv2=wrong)).response_code == "05"
    assert club.balances(card.member_id).credit_available == 1_000_000


def test_the_same_request_id_answers_once(club, api, card):
    request = purchase(club, card, 100_000)
    first, second = api.Authorize(request), api.Authorize(request)
    assert first.transaction_id == second.transaction_id and second.response_code == "00"
    assert club.balances(card.member_id).credit_available == 900_000


def test_refund_reverse_and_transaction_state(club, api, card):
    bought = api.Authorize(purchase(club, card, 300_000))
    refund = api.Authorize(purchase(club, card, 100_000, type=pb.TRANSACTION_TYPE_REFUND,
                                    original_transaction_id=bought.transaction_id))
    assert refund.response_code == "00"
    state = api.GetTransaction(pb.GetTransactionRequest(transaction_id=bought.transaction_id)).state
    assert state == "partially_reversed"
    reversed_ = api.Reverse(pb.ReverseRequest(request_id=new_id(), original_transaction_id=bought.transaction_id))
    assert reversed_.response_code == "00"
    assert api.GetTransaction(pb.GetTransactionRequest(transaction_id=bought.transaction_id)).state == "reversed"
    assert club.balances(card.member_id).credit_available == 1_000_000


def test_preauth_and_complete(club, api, card):
    hold = api.Authorize(purchase(club, card, 500_000, type=pb.TRANSACTION_TYPE_PREAUTH))
    assert hold.response_code == "00"
    done = api.Complete(pb.CompleteRequest(request_id=new_id(), preauth_transaction_id=hold.transaction_id,
                                           amount=450_000))
    assert done.response_code == "00"
    assert club.balances(card.member_id).credit_available == 550_000


@pytest.mark.parametrize("change, field", [
    ({"request_id": ""}, "request_id"),
    ({"amount": -5}, "amount"),
    ({"amount": 0}, "amount"),
    ({"pan": "12ab"}, "pan"),
    ({"expiry": "13"}, "expiry"),
    ({"type": pb.TRANSACTION_TYPE_UNSPECIFIED}, "type"),
    ({"cvv2": "12345"}, "cvv2"),
    ({"merchant_id": "", "terminal_id": ""}, "merchant_id"),
])
def test_bad_arguments_name_the_field(club, api, card, change, field):
    with pytest.raises(grpc.RpcError) as info:
        api.Authorize(purchase(club, card, **{"amount": 1_000, **change}))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in info.value.details()


def test_unknown_transaction_is_not_found(api):
    with pytest.raises(grpc.RpcError) as info:
        api.GetTransaction(pb.GetTransactionRequest(transaction_id="nothing-here"))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


def test_a_merchant_reads_only_its_own_transactions(club):
    own = authorization_pb2_grpc.AuthorizationServiceStub(club.stack.channel("switch", role="merchant",
                                                                             merchant_id=club.merchant_id))
    listed = own.ListTransactions(pb.ListTransactionsRequest(merchant_id=club.merchant_id))
    assert all(t.merchant_id == club.merchant_id for t in listed.transactions)
    with pytest.raises(grpc.RpcError) as info:
        own.ListTransactions(pb.ListTransactionsRequest(merchant_id="MOTHER"))
    assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_members_transactions_newest_first_and_paged(club, api, online):
    card = club.card(credit=1_000_000, product=online)
    other = club.card(credit=1_000_000, product=online)
    ids = [api.Authorize(purchase(club, card, amount)).transaction_id for amount in (1_000, 2_000, 3_000)]
    api.Authorize(purchase(club, other, 4_000))
    first = api.ListTransactions(pb.ListTransactionsRequest(member_id=card.member_id, newest_first=True,
                                                            page_size=2))
    assert [t.transaction_id for t in first.transactions] == ids[::-1][:2]
    assert all(t.amount != 4_000 for t in first.transactions)
    rest = api.ListTransactions(pb.ListTransactionsRequest(member_id=card.member_id, newest_first=True,
                                                           page_size=2, page_token=first.next_page_token))
    assert [t.transaction_id for t in rest.transactions] == [ids[0]]
    oldest = api.ListTransactions(pb.ListTransactionsRequest(member_id=card.member_id))
    assert [t.transaction_id for t in oldest.transactions] == ids
    with pytest.raises(grpc.RpcError) as info:
        api.ListTransactions(pb.ListTransactionsRequest(member_id="has space"))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "member_id" in info.value.details()


def test_a_member_searches_her_own_transactions_and_no_one_elses(club, api, online):
    card = club.card(credit=1_000_000, product=online)
    other = club.card(credit=1_000_000, product=online)
    shop, _ = club.new_merchant()  # its own merchant: the offer below must not touch other tests
    club.new_offer(shop)  # a discount, so each transaction carries one
    bought = {amount: api.Authorize(purchase(club, card, amount, merchant_id=shop))
              for amount in (10_000, 20_000, 30_000, 40_000)}
    assert all(answer.response_code == "00" and answer.discount > 0 for answer in bought.values())
    api.Authorize(purchase(club, other, 25_000, merchant_id=shop))
    mine = authorization_pb2_grpc.AuthorizationServiceStub(club.stack.channel(
        "switch", token=club.stack.token("member", subject=card.member_id)))
    first = mine.ListTransactions(pb.ListTransactionsRequest(member_id=card.member_id, newest_first=True,
                                                             min_amount=15_000, max_amount=35_000, page_size=1))
    rest = mine.ListTransactions(pb.ListTransactionsRequest(member_id=card.member_id, newest_first=True,
                                                            min_amount=15_000, max_amount=35_000, page_size=1,
                                                            page_token=first.next_page_token))
    found = [*first.transactions, *rest.transactions]
    assert [t.transaction_id for t in found] == [bought[30_000].transaction_id, bought[20_000].transaction_id]
    for listed in found:
        answered = bought[listed.amount]
        assert (listed.discount, listed.points_earned) == (answered.discount, answered.points_earned)
        assert listed.merchant_id == shop and listed.merchant_name == "فروشگاه آزمون"
        assert listed.received_at.seconds > 0 and listed.member_id == card.member_id
    for request in (pb.ListTransactionsRequest(member_id=other.member_id),
                    pb.ListTransactionsRequest(merchant_id=shop),
                    pb.ListTransactionsRequest()):
        with pytest.raises(grpc.RpcError) as info:
            mine.ListTransactions(request)
        assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as info:
        mine.ListTransactions(pb.ListTransactionsRequest(member_id=card.member_id, min_amount=5, max_amount=4))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and info.value.details().startswith("max_amount")
