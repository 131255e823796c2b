"""0500: a terminal's batch totals compared with what the club recorded for it."""

from __future__ import annotations


def reconciliation(terminal, purchases: int, amount: int) -> dict:
    return terminal.base("0500", **{"76": f"{purchases:010d}", "88": f"{amount:016d}"})


def test_terminal_totals_in_balance_then_out_of_balance(club):
    merchant, terminal_id = club.new_merchant()
    terminal = club.terminal(merchant, terminal_id)
    card = club.card(credit=1_000_000)
    assert terminal.purchase(card, 100_000)["39"] == "00"
    assert terminal.purchase(card, 250_000)["39"] == "00"
    assert terminal.purchase(card, 5_000_000)["39"] in ("51", "61")  # declined: not in the totals
    answer = terminal.exchange(reconciliation(terminal, 2, 350_000))
    assert (answer["t"], answer["39"]) == ("0510", "00")
    assert terminal.purchase(card, 10_000)["39"] == "00"
    wrong = terminal.exchange(reconciliation(terminal, 2, 20_000))  # since the last one: 1 purchase of 10,000
    assert wrong["39"] == "95"
