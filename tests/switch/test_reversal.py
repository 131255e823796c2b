"""Reversals (0400/0420 with field 90): undo exactly what the original posted, once."""

from __future__ import annotations

from tests.redis_modes import on_single_and_cluster
from tests.switch.helpers import transaction_id


@on_single_and_cluster
def test_full_reversal_restores_the_balance_and_points(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    purchase = terminal.purchase_message(card, 400_000)
    assert terminal.exchange(purchase)["39"] == "00"
    reversal = terminal.reversal_message(purchase)
    answer = terminal.exchange(reversal)
    assert (answer["t"], answer["39"]) == ("0410", "00")
    assert answer["90"] == reversal["90"]
    balances = club.balances(card.member_id)
    assert (balances.credit_available, balances.points_available) == (1_000_000, 0)


@on_single_and_cluster
def test_repeated_reversal_changes_nothing(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    purchase = terminal.purchase_message(card, 400_000)
    terminal.exchange(purchase)
    first = terminal.reversal_message(purchase)
    assert terminal.exchange(first)["39"] == "00"
    repeat = terminal.reversal_message(purchase, mti="0420")  # a new STAN: a second reversal, as advice
    answer = terminal.exchange(repeat)
    assert (answer["t"], answer["39"]) == ("0430", "00")
    assert terminal.exchange(first)["39"] == "00"  # the first reversal retransmitted
    assert club.balances(card.member_id).credit_available == 1_000_000
    undo = [row for row in club.ledger_rows(transaction_id(first)) if row[0].endswith(":sale")]
    assert len(undo) == 1
    assert club.ledger_rows(transaction_id(repeat)) == []


@on_single_and_cluster
def test_partial_reversal_keeps_the_amount_that_stands(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    purchase = terminal.purchase_message(card, 400_000)
    terminal.exchange(purchase)
    answer = terminal.exchange(terminal.reversal_message(purchase, stands=300_000))
    assert answer["39"] == "00"
    assert club.balances(card.member_id).credit_available == 700_000
    rest = terminal.exchange(terminal.reversal_message(purchase))
    assert rest["39"] == "00"
    assert club.balances(card.member_id).credit_available == 1_000_000


def test_a_replacement_amount_above_the_original_is_a_format_error(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    purchase = terminal.purchase_message(card, 400_000)
    terminal.exchange(purchase)
    assert terminal.exchange(terminal.reversal_message(purchase, stands=500_000))["39"] == "30"
    assert club.balances(card.member_id).credit_available == 600_000


def test_reversal_of_a_declined_purchase_changes_nothing(club):
    card = club.card(credit=1_000)
    terminal = club.terminal()
    purchase = terminal.purchase_message(card, 400_000)
    assert terminal.exchange(purchase)["39"] == "51"
    assert terminal.exchange(terminal.reversal_message(purchase))["39"] == "00"
    assert club.balances(card.member_id).credit_available == 1_000


def test_reversal_before_its_original_refuses_the_late_original(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    never_seen = terminal.purchase_message(card, 400_000)
    assert terminal.exchange(terminal.reversal_message(never_seen))["39"] == "00"
    late = terminal.exchange(never_seen)
    assert late["39"] == "12"
    assert club.balances(card.member_id).credit_available == 1_000_000
    assert club.ledger_rows(transaction_id(never_seen)) == []


def test_reversal_of_a_preauthorization_releases_the_hold(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    hold = terminal.purchase_message(card, 300_000, mti="0100")
    assert terminal.exchange(hold)["39"] == "00"
    assert club.balances(card.member_id).credit_available == 700_000
    assert terminal.exchange(terminal.reversal_message(hold))["39"] == "00"
    assert club.balances(card.member_id).credit_available == 1_000_000


def test_reversal_restores_the_daily_count(club):
    from services.gen.club.cards.v1 import cards_pb2
    once_a_day = club.new_product(limits=cards_pb2.ProductLimits(per_transaction_amount=1_000_000, daily_count=1))
    card = club.card(credit=1_000_000, product=once_a_day)
    terminal = club.terminal()
    purchase = terminal.purchase_message(card, 1_000)
    assert terminal.exchange(purchase)["39"] == "00"
    assert terminal.purchase(card, 1_000)["39"] == "65"
    assert terminal.exchange(terminal.reversal_message(purchase))["39"] == "00"
    assert terminal.purchase(card, 1_000)["39"] == "00"


def test_partial_reversal_of_a_preauthorization_cuts_the_hold_down(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    hold = terminal.purchase_message(card, 300_000, mti="0100")
    assert terminal.exchange(hold)["39"] == "00"
    cut = terminal.reversal_message(hold, stands=100_000)
    answer = terminal.exchange(cut)
    assert (answer["t"], answer["39"]) == ("0410", "00")
    assert club.balances(card.member_id).credit_available == 900_000
    assert terminal.exchange(terminal.reversal_message(hold, stands=100_000))["39"] == "00"  # already there
    assert club.balances(card.member_id).credit_available == 900_000
    completion = terminal.base("0220", 150_000, **{"2": card.pan})
    completion["90"] = cut["90"]
    assert terminal.exchange(completion)["39"] == "13"  # more than still held
    assert club.balances(card.member_id).credit_available == 900_000
    done = terminal.exchange({**completion, "4": f"{80_000:012d}", "11": "777777"})
    assert done["39"] == "00"
    assert club.balances(card.member_id).credit_available == 920_000
    holds = [row for row in club.ledger_rows(transaction_id(cut)) if row[0].endswith(":hold")]
    assert [row[2] for row in holds] == [100_000]  # the smaller hold is a new transfer


def test_a_second_partial_reversal_moves_only_the_difference(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    purchase = terminal.purchase_message(card, 400_000)
    assert terminal.exchange(purchase)["39"] == "00"
    assert terminal.exchange(terminal.reversal_message(purchase, stands=300_000))["39"] == "00"
    assert terminal.exchange(terminal.reversal_message(purchase, stands=300_000))["39"] == "00"  # a repeat
    assert club.balances(card.member_id).credit_available == 700_000
    lower = terminal.exchange(terminal.reversal_message(purchase, stands=250_000))
    assert lower["39"] == "00"
    assert club.balances(card.member_id).credit_available == 750_000


def test_a_hold_cut_down_and_completed_for_less_keeps_only_its_part_of_the_offer_budget(club):
    merchant, terminal_id = club.new_merchant()
    tenth = club.new_offer(merchant, budget=1_000_000)
    card = club.card(credit=1_000_000)
    terminal = club.terminal(merchant, terminal_id)

    def budget_used() -> int:
        return club.budget_used(tenth.offer_id)

    hold = terminal.purchase_message(card, 300_000, mti="0100")
    assert terminal.exchange(hold)["39"] == "00"
    assert budget_used() == 30_000
    assert terminal.exchange(terminal.reversal_message(hold, stands=200_000))["39"] == "00"
    assert budget_used() == 20_000
    completion = terminal.base("0220", 150_000, **{"2": card.pan})
    completion["90"] = terminal.reversal_message(hold)["90"]
    assert terminal.exchange(completion)["39"] == "00"
    assert budget_used() == 15_000
    assert club.balances(card.member_id).credit_available == 1_000_000 - 135_000


def test_a_retransmitted_partial_reversal_with_another_standing_amount_is_a_94(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    purchase = terminal.purchase_message(card, 400_000)
    assert terminal.exchange(purchase)["39"] == "00"
    reversal = terminal.reversal_message(purchase, stands=300_000)
    assert terminal.exchange(reversal)["39"] == "00"
    assert terminal.exchange(reversal)["39"] == "00"  # the same retransmitted: the first answer
    changed = {**reversal, "95": f"{100_000:012d}" + "0" * 30}
    assert terminal.exchange(changed)["39"] == "94"
    assert club.balances(card.member_id).credit_available == 700_000
