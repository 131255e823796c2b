"""The batched hops of the purchase path, called directly over gRPC against the real services:
each item is answered as its unary twin would be, in order; a bad item gets INVALID_ARGUMENT
naming its field and changes nothing, while the items beside it are answered; many concurrent
ISO 8583 purchases (which the switch batches) each post exactly once."""

from __future__ import annotations

import concurrent.futures

import grpc
import pytest

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.tasheem.v1 import tasheem_pb2
from services.gen.club.wallet.v1 import wallet_pb2
from tests.switch.helpers import PIN, new_id, pin_block, transaction_id


def _card_check(card, terminal_id: str, amount: int = 1_000) -> cards_pb2.AuthorizeCardRequest:
    return cards_pb2.AuthorizeCardRequest(pan=card.pan, expiry=card.expiry, terminal_id=terminal_id, amount=amount,
                                          processing_code="000000", pin_block=bytes.fromhex(pin_block(PIN, card.pan)),
                                          pin_block_format=cards_pb2.PIN_BLOCK_FORMAT_ISO_0)


def test_authorize_cards_answers_each_item_in_order(club):
    good, suspended = club.card(), club.card()
    club.cards.ChangeCardStatus(cards_pb2.ChangeCardStatusRequest(
        card_token=suspended.card_token, status=cards_pb2.CARD_STATUS_SUSPENDED, reason_code="customer_request",
        channel="web"))
    bad = cards_pb2.AuthorizeCardRequest(pan=good.pan, terminal_id=club.terminal_id, processing_code="00")
    reply = club.cards.AuthorizeCards(cards_pb2.AuthorizeCardsRequest(items=[
        _card_check(good, club.terminal_id), bad, _card_check(suspended, club.terminal_id)]))
    assert [item.WhichOneof("result") for item in reply.items] == ["response", "error", "response"]
    assert reply.items[0].response.response_code == "00" and reply.items[0].response.member_id == good.member_id
    assert reply.items[1].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert reply.items[1].error.message.startswith("processing_code:")
    assert reply.items[2].response.response_code == "62"
    unary = club.cards.AuthorizeCard(_card_check(good, club.terminal_id))
    assert unary == reply.items[0].response


def test_purchase_batch_posts_the_good_items_and_refuses_the_bad_one(club):
    rich, poor = club.card(credit=100_000), club.card(credit=500)
    items = [wallet_pb2.PurchaseRequest(transaction_id=new_id(), member_id=rich.member_id,
                                        merchant_id=club.merchant_id, amount=40_000),
             wallet_pb2.PurchaseRequest(transaction_id=new_id(), member_id=rich.member_id,
                                        merchant_id=club.merchant_id, amount=1_000, discount=2_000),
             wallet_pb2.PurchaseRequest(transaction_id=new_id(), member_id=poor.member_id,
                                        merchant_id=club.merchant_id, amount=1_000)]
    reply = club.wallet.PurchaseBatch(wallet_pb2.PurchaseBatchRequest(items=items))
    assert [item.WhichOneof("result") for item in reply.items] == ["response", "error", "response"]
    assert reply.items[0].response.outcome == wallet_pb2.PURCHASE_OUTCOME_APPROVED
    assert reply.items[1].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert reply.items[1].error.message.startswith("discount:")
    assert reply.items[2].response.outcome == wallet_pb2.PURCHASE_OUTCOME_INSUFFICIENT_FUNDS
    assert club.balances(rich.member_id).credit_available == 60_000
    assert club.balances(poor.member_id).credit_available == 500
    assert club.ledger_rows(items[1].transaction_id) == []
    again = club.wallet.PurchaseBatch(wallet_pb2.PurchaseBatchRequest(items=[items[0]]))
    assert again.items[0].response.replayed and club.balances(rich.member_id).credit_available == 60_000


def test_quote_batch_records_each_reserving_quote_once(club):
    ids = [new_id() for _ in range(3)]
    items = [tasheem_pb2.QuoteRequest(transaction_id=txn, merchant_id=club.merchant_id, amount=10_000, reserve=True)
             for txn in ids]
    items.append(tasheem_pb2.QuoteRequest(transaction_id=ids[0], merchant_id=club.merchant_id, amount=10_000,
                                          reserve=True))  # the same id twice in one batch
    items.append(tasheem_pb2.QuoteRequest(transaction_id=new_id(), merchant_id="", amount=10_000, reserve=True))
    reply = club.tasheem.QuoteBatch(tasheem_pb2.QuoteBatchRequest(items=items))
    assert [item.WhichOneof("result") for item in reply.items] == ["response"] * 4 + ["error"]
    assert reply.items[0].response == reply.items[3].response
    assert reply.items[4].error.message.startswith("merchant_id:")
    with club.stack.pg() as conn:
        counts = conn.execute("SELECT transaction_id, count(*) FROM tasheem.quotes WHERE transaction_id = ANY(%s)"
                              " GROUP BY transaction_id", (ids,)).fetchall()
    assert sorted(counts) == sorted((txn, 1) for txn in ids)


def test_concurrent_terminals_each_purchase_posts_once(club):
    cards = [club.card(credit=1_000_000) for _ in range(8)]
    terminals = [club.terminal() for _ in cards]
    messages = [[terminal.purchase_message(card, 1_000 + n) for n in range(5)]
                for terminal, card in zip(terminals, cards, strict=True)]

    def run(terminal, batch):
        for message in batch:
            terminal.send(message)
        return [terminal.receive() for _ in batch]

    with concurrent.futures.ThreadPoolExecutor(len(terminals)) as pool:
        answers = list(pool.map(run, terminals, messages))
    for card, batch, replies in zip(cards, messages, answers, strict=True):
        assert sorted(reply["11"] for reply in replies) == sorted(message["11"] for message in batch)
        assert {reply["39"] for reply in replies} == {"00"}
        for message in batch:
            sale = [row for row in club.ledger_rows(transaction_id(message)) if row[0].endswith(":sale")]
            assert [row[2] for row in sale] == [int(message["4"])]
        assert club.balances(card.member_id).credit_available == 1_000_000 - sum(1_000 + n for n in range(5))


def test_the_hops_gathering_settings_are_checked():
    from services.shared import config as cfg
    from services.switch import app
    loaded = cfg.load(app.SETTINGS, {"CLUB_BATCH_LINGER_MS": "0", "CLUB_BATCH_ENOUGH_ITEMS": "256"})
    assert (loaded.batch_linger_ms, loaded.batch_enough_items) == (0, 256)
    for name, value in (("CLUB_BATCH_ENOUGH_ITEMS", "257"), ("CLUB_BATCH_ENOUGH_ITEMS", "0"),
                        ("CLUB_BATCH_LINGER_MS", "-1")):
        with pytest.raises(cfg.ConfigError) as info:
            cfg.load(app.SETTINGS, {name: value})
        assert name in str(info.value)
