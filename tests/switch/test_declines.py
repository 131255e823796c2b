"""Every decline a terminal can meet, each reached by a real cause, and none of them moves money."""

from __future__ import annotations

import pytest

from services.gen.club.cards.v1 import cards_pb2
from tests.switch.helpers import additional, pin_block


@pytest.fixture
def card(club):
    return club.card(credit=1_000_000)


@pytest.fixture
def terminal(club):
    return club.terminal()


def untouched(club, card, credit=1_000_000):
    return club.balances(card.member_id).credit_available == credit


def test_insufficient_funds_51(club, card, terminal):
    answer = terminal.purchase(card, 1_000_001)
    assert answer["39"] == "51"
    assert additional(answer)[("00", "02")] == 1_000_000
    assert untouched(club, card)


def test_wrong_pin_55_then_tries_exceeded_75(club, card, terminal):
    assert [terminal.purchase(card, 1_000, pin="9999")["39"] for _ in range(3)] == ["55", "55", "75"]
    assert terminal.purchase(card, 1_000)["39"] == "75"  # even the right PIN, until tries are reset
    assert untouched(club, card)


def test_a_retransmitted_wrong_pin_counts_one_try(club, card, terminal):
    wrong = terminal.purchase_message(card, 1_000, pin="9999")
    assert [terminal.exchange(wrong)["39"] for _ in range(3)] == ["55", "55", "55"]  # one try, answered thrice
    assert [terminal.purchase(card, 1_000, pin="9999")["39"] for _ in range(2)] == ["55", "75"]
    assert untouched(club, card)


def test_suspended_card_62(club, card, terminal):
    club.cards.ChangeCardStatus(cards_pb2.ChangeCardStatusRequest(
        card_token=card.card_token, status=cards_pb2.CARD_STATUS_SUSPENDED, reason_code="customer_request",
        channel="web"))
    assert terminal.purchase(card, 1_000)["39"] == "62"
    assert untouched(club, card)


def test_unknown_card_14(club, terminal):
    from tests.switch.helpers import Card
    stranger = Card("6037991234567893", "3012", "", "")
    assert terminal.purchase(stranger, 1_000)["39"] == "14"


def test_wrong_expiry_54(club, card, terminal):
    message = terminal.purchase_message(card, 1_000)
    message["14"] = "2001"
    assert terminal.exchange(message)["39"] == "54"
    assert untouched(club, card)


def test_processing_code_the_product_does_not_allow_57(club, terminal):
    purchases_only = club.new_product(allowed_processing=["00"])
    card = club.card(credit=1_000_000, product=purchases_only)
    assert terminal.purchase(card, 0, processing="310000")["39"] == "57"


def test_unknown_terminal_58(club, card):
    stranger = club.terminal(terminal_id="NOSUCH99")
    assert stranger.purchase(card, 1_000)["39"] == "58"
    assert untouched(club, card)


def test_terminal_of_another_merchant_58(club, card):
    other_merchant, _ = club.new_merchant()
    liar = club.terminal(merchant=other_merchant)
    assert liar.purchase(card, 1_000)["39"] == "58"
    assert untouched(club, card)


def test_over_the_per_transaction_limit_61(club, card, terminal):
    assert terminal.purchase(card, 5_000_001)["39"] == "61"
    assert untouched(club, card)


def test_over_the_daily_count_65_and_a_decline_does_not_count(club, terminal):
    twice_a_day = club.new_product(limits=cards_pb2.ProductLimits(per_transaction_amount=1_000_000, daily_count=2))
    card = club.card(credit=1_000_000, product=twice_a_day)
    assert terminal.purchase(card, 2_000_000)["39"] in ("61", "51")  # declined: counts nothing
    assert terminal.purchase(card, 1_000)["39"] == "00"
    assert terminal.purchase(card, 1_000)["39"] == "00"
    assert terminal.purchase(card, 1_000)["39"] == "65"
    assert untouched(club, card, 998_000)


def test_over_the_daily_amount_61(club, terminal):
    small_days = club.new_product(limits=cards_pb2.ProductLimits(per_transaction_amount=100_000, daily_amount=150_000))
    card = club.card(credit=1_000_000, product=small_days)
    assert terminal.purchase(card, 100_000)["39"] == "00"
    assert terminal.purchase(card, 60_000)["39"] == "61"
    assert terminal.purchase(card, 50_000)["39"] == "00"


def test_wrong_mac_63(club, card):
    forged = club.terminal(mac_key=bytes.fromhex("00112233445566778899AABBCCDDEEFF"))
    assert forged.purchase(card, 1_000)["39"] == "63"
    assert untouched(club, card)


def test_missing_mac_63(club, card):
    bare = club.terminal(mac_key=None)
    assert bare.purchase(card, 1_000)["39"] == "63"
    assert untouched(club, card)


def test_unsupported_processing_code_12(club, card, terminal):
    assert terminal.purchase(card, 1_000, processing="400000")["39"] == "12"
    assert untouched(club, card)


def test_pin_block_under_another_key_is_a_wrong_pin(club, card, terminal):
    message = terminal.purchase_message(card, 1_000)
    message["52"] = pin_block(card.pin, card.pan, key=bytes.fromhex("11" * 16))
    assert terminal.exchange(message)["39"] == "55"
    assert untouched(club, card)
