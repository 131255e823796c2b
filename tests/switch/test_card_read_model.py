"""Card checks the switch decides from cards' Redis read model (no PIN block, no CVV2): the same
answers the cards service gives, as fresh as its last change, and the service asked whenever the
read model cannot answer."""

from __future__ import annotations

import time
from types import SimpleNamespace

from services.cards import profiles
from services.gen.club.cards.v1 import cards_pb2
from services.shared import vault
from tests.switch.conftest import make_club
from tests.switch.helpers import Card, transaction_id

RECOVERY_SECONDS = 15
PAN_LOOKUP_KEY = vault.pan_lookup_key(SimpleNamespace(pan_hmac_key="", env="test"))  # the stacks' demo key


def pinless(terminal, card: Card, amount: int, **kwargs) -> dict:
    message = terminal.purchase_message(card, amount, **kwargs)
    del message["52"]
    return message


def test_a_pinless_purchase_is_approved_and_posted(club):
    card = club.card(credit=1_000_000, product=club.new_product(pin_required=False))
    terminal = club.terminal()
    message = pinless(terminal, card, 40_000)
    assert terminal.exchange(message)["39"] == "00"
    assert club.balances(card.member_id).credit_available == 960_000
    assert [r for r in club.ledger_rows(transaction_id(message)) if r[0].endswith(":sale")]


def test_declines_from_the_read_model_are_the_services_own(club):
    terminal = club.terminal()
    no_pin = club.new_product(pin_required=False, allowed_processing=["00"],
                              limits=cards_pb2.ProductLimits(per_transaction_amount=50_000))
    card = club.card(credit=1_000_000, product=no_pin)
    assert terminal.exchange(pinless(terminal, card, 50_001))["39"] == "61"
    assert terminal.exchange(pinless(terminal, card, 0, processing="310000"))["39"] == "57"
    expired = pinless(terminal, card, 1_000)
    expired["14"] = "2001"
    assert terminal.exchange(expired)["39"] == "54"
    needs_pin = club.card(credit=1_000_000)  # the default product requires a PIN
    assert terminal.exchange(pinless(terminal, needs_pin, 1_000))["39"] == "55"
    stranger = Card("6037991234567893", "3012", "", "")  # in no read model: the service says 14
    assert terminal.exchange(pinless(terminal, stranger, 1_000))["39"] == "14"
    assert club.balances(card.member_id).credit_available == 1_000_000


def test_a_card_suspended_a_moment_ago_is_refused_at_once(club):
    card = club.card(credit=1_000_000, product=club.new_product(pin_required=False))
    terminal = club.terminal()
    assert terminal.exchange(pinless(terminal, card, 1_000))["39"] == "00"
    club.cards.ChangeCardStatus(cards_pb2.ChangeCardStatusRequest(
        card_token=card.card_token, status=cards_pb2.CARD_STATUS_SUSPENDED, reason_code="customer_request",
        channel="web"))
    assert terminal.exchange(pinless(terminal, card, 1_000))["39"] == "62"
    assert club.balances(card.member_id).credit_available == 999_000


def test_a_profile_missing_from_redis_is_asked_of_cards_which_restores_it(club, stack):
    card = club.card(credit=1_000_000, product=club.new_product(pin_required=False))
    key = profiles.profile_key(vault.lookup_hash(PAN_LOOKUP_KEY, card.pan))
    redis = stack.redis()
    assert redis.delete(key) == 1
    terminal = club.terminal()
    assert terminal.exchange(pinless(terminal, card, 1_000))["39"] == "00"
    assert redis.exists(key)


def test_with_cards_down_pinless_checks_go_on_and_pin_checks_answer_91(isolated_stack):
    stack = isolated_stack(CLUB_AUTHORIZATION_TIMEOUT_MS="1000")
    club = make_club(stack)
    card = club.card(credit=1_000_000, product=club.new_product(pin_required=False))
    with_pin = club.card(credit=1_000_000)
    terminal = club.terminal()
    assert terminal.purchase(with_pin, 1_000)["39"] == "00"  # the terminal's keys are known to the switch now
    stack.services["cards"].stop()
    assert terminal.exchange(pinless(terminal, card, 1_000))["39"] == "00"
    assert terminal.purchase(with_pin, 1_000)["39"] == "91"
    stack.services["cards"].start()
    deadline = time.monotonic() + RECOVERY_SECONDS  # the switch's channel reconnects with backoff
    while (code := terminal.purchase(with_pin, 1_000)["39"]) == "91" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert code == "00"
    assert club.balances(card.member_id).credit_available == 999_000
    assert club.balances(with_pin.member_id).credit_available == 998_000


def test_with_the_read_model_off_every_check_asks_cards(isolated_stack):
    stack = isolated_stack(CLUB_AUTHORIZATION_TIMEOUT_MS="1000", CLUB_CARD_READ_MODEL="false")
    club = make_club(stack)
    card = club.card(credit=1_000_000, product=club.new_product(pin_required=False))
    terminal = club.terminal()
    assert terminal.exchange(pinless(terminal, card, 1_000))["39"] == "00"
    stack.services["cards"].stop()
    assert terminal.exchange(pinless(terminal, card, 1_000))["39"] == "91"
    assert club.balances(card.member_id).credit_available == 999_000
