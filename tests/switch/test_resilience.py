"""Faults on the purchase path: a dependency killed mid-load answers 91, then recovers, and
nothing is left half-done; under overload the lowest tiers are shed first."""

from __future__ import annotations

import threading
import time

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.wallet.v1 import wallet_pb2
from tests.switch.conftest import make_club
from tests.switch.helpers import transaction_id

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
