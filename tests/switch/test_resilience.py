"""Faults on the purchase path: a dependency killed mid-load answers 91, then recovers, and
nothing is left half-done; under overload the lowest tiers are shed first."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.wallet.v1 import wallet_pb2
from tests.switch.conftest import make_club
from tests.switch.helpers import Terminal, next_stan, transaction_id

CREDIT = 50_000_000
WORKERS = 4
LOAD_SECONDS = 9


def run_load(club, cards, stop: threading.Event) -> list[tuple[dict, dict | None]]:
    results: list[tuple[dict, dict | None]] = []

    def worker(card):
        terminal = club.terminal()
        amount = 1_000
        while not stop.is_set():
            message = terminal.purchase_message(card, amount)
            amount += 1
            try:
                answer = terminal.exchange(message)
            except OSError:
                answer = None
            results.append((message, answer))

    threads = [threading.Thread(target=worker, args=(card,)) for card in cards]
    for thread in threads:
        thread.start()
    return results, threads


def wait_for_compensations(stack, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while True:
        with stack.pg() as conn:
            open_ = conn.execute("SELECT count(*) FROM switch.compensations WHERE resolved_at IS NULL").fetchone()[0]
        if open_ == 0 or time.monotonic() > deadline:
            return open_
        time.sleep(0.5)


def test_wallet_killed_mid_load_then_recovery_with_nothing_half_done(isolated_stack):
    stack = isolated_stack(CLUB_AUTHORIZATION_TIMEOUT_MS="1500", CLUB_COMPENSATION_INTERVAL_SECONDS="1",
                           CLUB_COMPENSATION_GRACE_SECONDS="3")
    club = make_club(stack)
    unlimited = club.new_product(limits=cards_pb2.ProductLimits(per_transaction_amount=10_000_000))
    cards = [club.card(credit=CREDIT, product=unlimited) for _ in range(WORKERS)]
    stop = threading.Event()
    results, threads = run_load(club, cards, stop)
    time.sleep(2)
    stack.services["wallet"].kill()
    time.sleep(2)
    stack.services["wallet"].restart()
    time.sleep(LOAD_SECONDS - 4)
    stop.set()
    for thread in threads:
        thread.join(30)

    codes = [answer["39"] if answer else "none" for _, answer in results]
    assert "00" in codes and "91" in codes, sorted(set(codes))
    assert set(codes) <= {"00", "91", "96"}, sorted(set(codes))
    assert codes[-WORKERS:] == ["00"] * WORKERS or codes.count("00") > codes.index("91")  # served again after
    assert wait_for_compensations(stack) == 0

    approved = {transaction_id(m): int(m["4"]) for m, a in results if a and a["39"] == "00"}
    declined = {transaction_id(m) for m, a in results if not a or a["39"] != "00"}
    with stack.pg() as conn:
        sales = dict(conn.execute("SELECT split_part(transfer_id, ':', 1), amount FROM wallet.transfers"
                                  " WHERE transfer_id LIKE '%:sale'").fetchall())
    net_posted = {}
    for txn, amount in sales.items():
        original = txn.removesuffix(".void")
        net_posted[original] = net_posted.get(original, 0) + (-amount if txn.endswith(".void") else amount)
    for txn, amount in approved.items():
        assert net_posted.get(txn) == amount, txn  # every approval is in the ledger, exactly once
    for txn in declined:
        assert net_posted.get(txn, 0) == 0, txn  # nothing half-done behind a 91
    spent = sum(approved.values())
    total = sum(club.balances(card.member_id).credit_available for card in cards)
    assert total == WORKERS * CREDIT - spent
    reconcile = club.wallet.Reconcile(wallet_pb2.ReconcileRequest())
    assert list(reconcile.drifts) == []


def test_under_overload_the_lowest_tier_is_shed_and_the_highest_served(isolated_stack):
    stack = isolated_stack(CLUB_SHED_START_IN_FLIGHT="0", CLUB_MAX_IN_FLIGHT="1000")
    club = make_club(stack)
    bronze = club.card(credit=1_000_000, tier="bronze")
    platinum = club.card(credit=1_000_000, tier="platinum")
    terminal = club.terminal()
    assert terminal.purchase(bronze, 1_000)["39"] == "91"
    assert terminal.purchase(platinum, 1_000)["39"] == "00"
    assert club.balances(bronze.member_id).credit_available == 1_000_000
    assert club.balances(platinum.member_id).credit_available == 999_000


def wait_for_log(service, message: str, timeout: float = 30) -> dict:
    """The fields of the last log line with this message written since the service last started."""
    deadline = time.monotonic() + timeout
    while True:
        lines = service.log_text().splitlines()
        started = max((i for i, line in enumerate(lines) if '"msg": "serving"' in line), default=0)
        found = [json.loads(line) for line in lines[started:] if f'"msg": "{message}"' in line]
        if found or time.monotonic() > deadline:
            assert found, f"no {message!r} in the log"
            return found[-1]
        time.sleep(0.1)


def answers_by_stan(terminal: Terminal, count: int) -> dict[str, tuple[str, float]]:
    """The next `count` answers on a connection: code and arrival time, by field 11."""
    answers = {}
    for _ in range(count):
        answer = terminal.receive()
        answers[answer["11"]] = (answer["39"], time.monotonic())
    return answers


def test_under_overload_frames_wait_by_tier_and_the_lowest_is_turned_away_after_its_budget(isolated_stack):
    stack = isolated_stack(CLUB_AUTHORIZATION_TIMEOUT_MS="5000", CLUB_SHED_START_IN_FLIGHT="1",
                           CLUB_MAX_IN_FLIGHT="2", CLUB_SHED_WAIT_START_MS="1000", CLUB_SHED_WAIT_MAX_MS="4000")
    club = make_club(stack)
    bronze = club.card(credit=1_000_000, tier="bronze")
    platinum = club.card(credit=1_000_000, tier="platinum")
    # A switch started after the cards were issued learns their tiers from cards' read model,
    # before either card has been used.
    stack.services["switch"].restart()
    warmed = wait_for_log(stack.services["switch"], "tier cache warmed")
    assert warmed["cards"] >= 2
    terminal = club.terminal()
    wallet = stack.services["wallet"].proc.pid

    # A long wallet stall: one platinum purchase in progress holds bronze back (its threshold is
    # 1), while platinum still starts (its threshold is 2). Bronze is answered 91 once it has
    # waited its 1 s, with the wallet still stopped: it was never worked on. With two in progress
    # even platinum would wait, but an echo is answered at once.
    os.kill(wallet, signal.SIGSTOP)
    try:
        first, held, second = (terminal.purchase_message(card, 2_000) for card in (platinum, bronze, platinum))
        forged = club.terminal(mac_key=bytes(16))  # the same terminal id, the wrong MAC key
        terminal.send(first)
        time.sleep(0.2)
        sent = time.monotonic()
        terminal.send(held)
        terminal.send(second)
        forged.send(forged.purchase_message(bronze, 2_000))
        echo = {"t": "0800", "7": held["7"], "11": next_stan(), "41": held["41"], "70": "301"}
        asked = time.monotonic()
        answered = terminal.exchange(echo)
        assert answered["11"] == echo["11"] and answered["39"] == "00" and time.monotonic() - asked < 0.9
        code, at = answers_by_stan(terminal, 1)[held["11"]]
        assert code == "91" and 1.0 <= at - sent < 2.5
        refused = forged.receive()  # held and turned away too, but never signed: its MAC was wrong
        assert refused["39"] == "63" and "64" not in refused
        forged.close()
    finally:
        os.kill(wallet, signal.SIGCONT)
    answers = answers_by_stan(terminal, 2)
    assert answers[first["11"]][0] == "00" and answers[second["11"]][0] == "00"
    with stack.pg() as conn:  # turned away at the front, as a 30 or a 63 would be: not journaled
        journaled = conn.execute("SELECT count(*) FROM switch.transactions WHERE stan = %s AND terminal_id = %s",
                                 (held["11"], held["41"])).fetchone()[0]
    assert journaled == 0
    assert "frames turned away under load" in stack.services["switch"].log_text()  # for the operator
    # Nothing was claimed or journaled for it: the same message sent again is worked as new.
    assert terminal.exchange(held)["39"] == "00"

    # A short stall: the bronze purchase waits instead of being declined, and is served after it.
    os.kill(wallet, signal.SIGSTOP)
    try:
        first, held = terminal.purchase_message(platinum, 3_000), terminal.purchase_message(bronze, 3_000)
        terminal.send(first)
        time.sleep(0.2)
        terminal.send(held)
        time.sleep(0.3)
    finally:
        os.kill(wallet, signal.SIGCONT)
    answers = answers_by_stan(terminal, 2)
    assert answers[first["11"]][0] == "00" and answers[held["11"]][0] == "00"
    assert answers[first["11"]][1] <= answers[held["11"]][1]  # held until platinum's was done
    assert club.balances(bronze.member_id).credit_available == 1_000_000 - 2_000 - 3_000
    assert club.balances(platinum.member_id).credit_available == 1_000_000 - 2 * 2_000 - 3_000


def test_an_approval_the_journal_cannot_record_becomes_96_and_is_undone(isolated_stack):
    stack = isolated_stack(CLUB_COMPENSATION_INTERVAL_SECONDS="1", CLUB_COMPENSATION_GRACE_SECONDS="2")
    club = make_club(stack)
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    with stack.pg() as conn:  # the journal refuses every new row: a real commit failure
        conn.execute("ALTER TABLE switch.transactions ADD CONSTRAINT journal_closed CHECK (seq < 0) NOT VALID")
    message = terminal.purchase_message(card, 250_000)
    assert terminal.exchange(message)["39"] == "96"
    assert terminal.exchange(message)["39"] == "96"  # a retransmission gets the same answer
    deadline = time.monotonic() + 30
    while club.balances(card.member_id).credit_available != 1_000_000 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert club.balances(card.member_id).credit_available == 1_000_000  # the posting was reversed
    assert wait_for_compensations(stack) == 0
    with stack.pg() as conn:
        conn.execute("ALTER TABLE switch.transactions DROP CONSTRAINT journal_closed")
    assert terminal.purchase(card, 1_000)["39"] == "00"


def test_refunds_with_tasheem_down_still_pay_back_and_the_offers_are_released_later(isolated_stack):
    stack = isolated_stack(CLUB_AUTHORIZATION_TIMEOUT_MS="1500", CLUB_COMPENSATION_INTERVAL_SECONDS="1")
    club = make_club(stack)
    merchant, terminal_id = club.new_merchant()
    tenth = club.new_offer(merchant, budget=1_000_000)
    card = club.card(credit=1_000_000)
    terminal = club.terminal(merchant, terminal_id)
    kept, undone = terminal.purchase(card, 100_000), terminal.purchase(card, 200_000)
    assert (kept["39"], undone["39"]) == ("00", "00") and club.budget_used(tenth.offer_id) == 30_000

    def refund(bought: dict, amount: int) -> str:
        message = terminal.purchase_message(card, amount, processing="200000")
        message["37"] = bought["37"]
        return terminal.exchange(message)["39"]

    stack.services["tasheem"].stop()
    assert refund(kept, 40_000) == "00"  # the money went back; the budget waits for tasheem
    assert refund(kept, 20_000) == "00"  # a second part: what stands is lower still
    assert refund(undone, 200_000) == "00"
    assert club.balances(card.member_id).credit_available == 1_000_000 - 36_000  # 40,000 of 100,000 stands
    with stack.pg() as conn:
        owed = dict(conn.execute("SELECT transaction_id, stands FROM switch.offer_releases").fetchall())
    assert sorted(owed.values()) == [0, 40_000]
    stack.services["tasheem"].start()
    deadline = time.monotonic() + 30
    while club.budget_used(tenth.offer_id) != 4_000 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert club.budget_used(tenth.offer_id) == 4_000  # the tenth of what still stands
    with stack.pg() as conn:
        open_ = conn.execute("SELECT count(*) FROM switch.offer_releases WHERE resolved_at IS NULL").fetchone()[0]
    assert open_ == 0


@pytest.mark.parametrize(("settings", "named"), [
    ({"CLUB_SHED_WAIT_START_MS": "900", "CLUB_SHED_WAIT_MAX_MS": "800"}, "CLUB_SHED_WAIT_START_MS"),
    ({"CLUB_SHED_WAIT_MAX_MS": "2500", "CLUB_AUTHORIZATION_TIMEOUT_MS": "2000"}, "CLUB_SHED_WAIT_MAX_MS"),
])
def test_the_switch_refuses_wait_budgets_that_cannot_hold(isolated_stack, settings, named):
    stack = isolated_stack(**settings)
    stack.start("cards", "tasheem", "wallet")
    with pytest.raises(RuntimeError, match="exited"):
        stack.start("switch")
    assert named in stack.services["switch"].log_text()


def test_a_compensation_postgres_refused_is_journaled_once_it_takes_it_and_then_finished(isolated_stack):
    """As when the primary dies mid-purchase: the 91's compensation cannot be journaled and its
    one immediate try finds the wallet unable to answer. It must not be forgotten."""
    stack = isolated_stack(CLUB_AUTHORIZATION_TIMEOUT_MS="1500", CLUB_COMPENSATION_INTERVAL_SECONDS="1",
                           CLUB_COMPENSATION_GRACE_SECONDS="2")
    club = make_club(stack)
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    with stack.pg() as conn:  # compensations refused: a real commit failure
        conn.execute("ALTER TABLE switch.compensations ADD CONSTRAINT compensations_closed CHECK (false) NOT VALID")
    wallet = stack.services["wallet"].proc
    wallet.send_signal(signal.SIGSTOP)
    try:
        message = terminal.purchase_message(card, 250_000)
        assert terminal.exchange(message)["39"] == "91"
        time.sleep(3)  # the immediate compensation times out on the stopped wallet
    finally:
        wallet.send_signal(signal.SIGCONT)
    txn = transaction_id(message)
    with stack.pg() as conn:
        assert conn.execute("SELECT 1 FROM switch.compensations WHERE transaction_id = %s", (txn,)).fetchone() is None
        conn.execute("ALTER TABLE switch.compensations DROP CONSTRAINT compensations_closed")
    deadline = time.monotonic() + 30
    resolved = None
    while resolved is None and time.monotonic() < deadline:
        with stack.pg() as conn:
            row = conn.execute("SELECT resolved_at FROM switch.compensations WHERE transaction_id = %s", (txn,)).fetchone()
        resolved = row[0] if row else None
        time.sleep(0.5)
    assert resolved is not None, "the compensation was never journaled, or never finished"
    assert club.balances(card.member_id).credit_available == 1_000_000
    assert terminal.purchase(card, 1_000)["39"] == "00"
