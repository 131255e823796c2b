"""One outcome record per transaction, in the journal and in Redis: with Redis emptied, what the
journal keeps answers a reversal and a retransmission as Redis would have."""

from __future__ import annotations

import os
import time

import pytest

from services.gen.club.cards.v1 import cards_pb2
from tests import harness
from tests.switch.conftest import make_club
from tests.switch.helpers import transaction_id

pytestmark = pytest.mark.slow
WALLET_EPOCH_KEY = "w:epoch"
REBUILD_SECONDS = 30


@pytest.fixture(scope="module")
def own(infra, tmp_path_factory):
    """A stack of its own: these tests empty its Redis."""
    stack = harness.Stack(tmp_path_factory.mktemp("outcome"), f"club_outcome_{os.getpid()}")
    yield stack, make_club(stack)
    stack.close()


def empty_redis(stack) -> None:
    """Redis emptied, then back in service: the wallet moves money again once it has rebuilt its
    balances from the ledger (it marks that with its epoch key)."""
    client = stack.redis()
    try:
        client.flushall()
        deadline = time.monotonic() + REBUILD_SECONDS
        while not client.exists(WALLET_EPOCH_KEY):
            assert time.monotonic() < deadline, "the wallet did not rebuild its balances"
            time.sleep(0.05)
    finally:
        client.close()


def once_a_day_card(club):
    product = club.new_product(limits=cards_pb2.ProductLimits(per_transaction_amount=1_000_000, daily_count=1))
    return club.card(credit=1_000_000, product=product)


def test_emptying_redis_lets_no_card_past_its_daily_limit(own):
    stack, club = own
    card, terminal = once_a_day_card(club), club.terminal()
    assert terminal.purchase(card, 100_000)["39"] == "00"
    empty_redis(stack)
    assert terminal.purchase(card, 1_000)["39"] == "65"  # the counter comes back from the journal


def test_a_full_reversal_after_redis_emptied_gives_the_daily_limit_back(own):
    stack, club = own
    card, terminal = once_a_day_card(club), club.terminal()
    purchase = terminal.purchase_message(card, 100_000)
    assert terminal.exchange(purchase)["39"] == "00"
    assert terminal.purchase(card, 1_000)["39"] == "65"
    empty_redis(stack)
    assert terminal.exchange(terminal.reversal_message(purchase))["39"] == "00"
    assert club.balances(card.member_id).credit_available == 1_000_000
    assert terminal.purchase(card, 2_000)["39"] == "00"  # the day's one purchase was given back


def test_a_reversal_after_redis_emptied_then_a_counted_purchase_releases_its_own_count(own):
    """The counter is seeded (by a decline) before the reversal: the reversal finds its original's
    counter in the journal's record and gives its count back there."""
    stack, club = own
    card, terminal = once_a_day_card(club), club.terminal()
    purchase = terminal.purchase_message(card, 100_000)
    assert terminal.exchange(purchase)["39"] == "00"
    empty_redis(stack)
    assert terminal.purchase(card, 1_000)["39"] == "65"  # seeded from the journal
    assert terminal.exchange(terminal.reversal_message(purchase))["39"] == "00"
    assert terminal.purchase(card, 2_000)["39"] == "00"


def test_a_retransmission_with_another_amount_gets_94_after_redis_emptied(own):
    stack, club = own
    card, terminal = once_a_day_card(club), club.terminal()
    purchase = terminal.purchase_message(card, 100_000)
    first = terminal.exchange(purchase)
    assert first["39"] == "00"
    empty_redis(stack)
    assert terminal.exchange({**purchase, "4": f"{200_000:012d}"})["39"] == "94"
    again = terminal.exchange(purchase)  # the same content: the first answer, as first given
    assert (again["39"], again["38"], again["37"]) == ("00", first["38"], first["37"])
    assert club.balances(card.member_id).credit_available == 900_000


def test_a_retransmission_with_another_amount_gets_94_after_a_reversal_that_found_redis_empty(own):
    stack, club = own
    card, terminal = once_a_day_card(club), club.terminal()
    purchase = terminal.purchase_message(card, 100_000)
    assert terminal.exchange(purchase)["39"] == "00"
    empty_redis(stack)
    assert terminal.exchange(terminal.reversal_message(purchase))["39"] == "00"
    assert terminal.exchange({**purchase, "4": f"{200_000:012d}"})["39"] == "94"
    with stack.pg() as conn:
        journaled = conn.execute("SELECT count(*) FROM switch.transactions WHERE transaction_id = %s",
                                 (transaction_id(purchase),)).fetchone()[0]
    assert journaled == 1
    assert club.balances(card.member_id).credit_available == 1_000_000
