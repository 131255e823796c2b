"""Purchases over ISO 8583 end to end: every service a real process, the answer a terminal sees,
and the ledger behind it."""

from __future__ import annotations

import time

import pytest

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.tasheem.v1 import tasheem_pb2
from services.switch.iso import mac
from tests.redis_modes import on_single_and_cluster
from tests.switch.helpers import MAC_KEY, additional, transaction_id
from tests.tasheem.helpers import share


@on_single_and_cluster
def test_purchase_is_approved_and_posted_once(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    message = terminal.purchase_message(card, 250_000)
    answer = terminal.exchange(message)
    assert answer["t"] == "0210" and answer["39"] == "00"
    assert answer["11"] == message["11"] and answer["41"] == message["41"]
    assert len(answer["38"]) == 6 and answer["37"].isdigit()
    assert additional(answer)[("00", "02")] == 750_000
    assert club.balances(card.member_id).credit_available == 750_000
    txn = transaction_id(message)
    sale = [row for row in club.ledger_rows(txn) if row[0].endswith(":sale")]
    assert sale == [(f"{txn}:sale", "", 250_000)]


def test_the_response_carries_a_valid_mac(club):
    card = club.card()
    answer_frame = None
    terminal = club.terminal()
    terminal.send(terminal.purchase_message(card, 10_000))
    answer_frame = terminal.receive_frame()
    assert mac.verify(MAC_KEY, answer_frame)


@on_single_and_cluster
def test_retransmission_answers_the_first_answer_and_posts_nothing(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    message = terminal.purchase_message(card, 100_000)
    first = terminal.exchange(message)
    again = terminal.exchange(message)
    assert first["39"] == again["39"] == "00"
    assert (first["38"], first["37"]) == (again["38"], again["37"])
    assert club.balances(card.member_id).credit_available == 900_000
    assert len([r for r in club.ledger_rows(transaction_id(message)) if r[0].endswith(":sale")]) == 1


def test_same_keys_with_different_content_is_a_duplicate_transmission(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    message = terminal.purchase_message(card, 100_000)
    assert terminal.exchange(message)["39"] == "00"
    assert terminal.exchange({**message, "4": f"{200_000:012d}"})["39"] == "94"
    assert club.balances(card.member_id).credit_available == 900_000


def test_a_retransmission_redis_forgot_is_answered_from_the_journal(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    message = terminal.purchase_message(card, 100_000)
    assert terminal.exchange(message)["39"] == "00"
    club.stack.redis().delete(f"sw:{{{transaction_id(message)}}}")  # the switch forgot the answer; the journal did not
    changed = {**message, "4": f"{200_000:012d}"}
    assert terminal.exchange(changed)["39"] == "94"  # the journal keeps the first request's fingerprint
    assert terminal.exchange(message)["39"] == "00"  # answered from the journal: the first answer
    assert club.balances(card.member_id).credit_available == 900_000


@on_single_and_cluster
def test_offer_funded_by_three_parties_shows_discount_and_each_share(club):
    merchant, terminal_id = club.new_merchant()
    club.new_offer(merchant, discount=tasheem_pb2.Discount(percent_bp=1000),
                   funding=[share("bank", 4000), share("club", 3000), share("snapp", 3000, remainder=True)])
    card = club.card(credit=1_000_000)
    terminal = club.terminal(merchant, terminal_id)
    message = terminal.purchase_message(card, 333_333)
    answer = terminal.exchange(message)
    assert answer["39"] == "00"
    amounts = additional(answer)
    assert amounts[("00", "41")] == 33_333  # the discount applied
    assert amounts[("00", "02")] == 1_000_000 - 300_000  # the member paid the net amount
    funded = {party: amount for tid, party, amount in club.ledger_rows(transaction_id(message)) if ":fund:" in tid}
    assert funded == {"bank": 13_333, "club": 9_999, "snapp": 10_001}
    assert sum(funded.values()) == 33_333


@pytest.mark.parametrize("amount", [1, 999_999])
def test_amounts_post_to_the_rial(club, amount):
    card = club.card(credit=1_000_000)
    assert club.terminal().purchase(card, amount)["39"] == "00"
    assert club.balances(card.member_id).credit_available == 1_000_000 - amount


def test_many_requests_in_flight_on_one_connection_are_matched_by_stan(club):
    unlimited = club.new_product(limits=cards_pb2.ProductLimits(per_transaction_amount=5_000_000))
    card = club.card(credit=10_000_000, product=unlimited)
    terminal = club.terminal()
    messages = [terminal.purchase_message(card, 1_000 + i) for i in range(30)]
    for message in messages:
        terminal.send(message)
    answers = {}
    for _ in messages:
        answer = terminal.receive()
        answers[answer["11"]] = answer
    assert set(answers) == {m["11"] for m in messages}
    assert [(answers[m["11"]]["39"], answers[m["11"]]["4"]) for m in messages] == [("00", m["4"]) for m in messages]
    assert club.balances(card.member_id).credit_available == 10_000_000 - sum(1_000 + i for i in range(30))


def test_balance_inquiry_returns_credit_and_points(club):
    card = club.card(credit=500_000)
    terminal = club.terminal()
    answer = terminal.exchange(terminal.purchase_message(card, 0, processing="310000"))
    assert answer["39"] == "00"
    assert additional(answer)[("00", "02")] == 500_000
    assert ("90", "02") in additional(answer)


@on_single_and_cluster
def test_paying_with_points(club):
    card = club.card(credit=2_000_000)
    terminal = club.terminal()
    earned = additional(terminal.purchase(card, 1_000_000))[("90", "42")]
    assert earned > 0
    before = club.balances(card.member_id)
    answer = terminal.purchase(card, 100 * earned // 2 or 100, processing="009000")
    assert answer["39"] == "00"
    after = club.balances(card.member_id)
    assert after.points_available < before.points_available
    assert after.credit_available == before.credit_available


@on_single_and_cluster
def test_preauthorization_then_completion(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    hold = terminal.purchase_message(card, 300_000, mti="0100")
    answer = terminal.exchange(hold)
    assert answer["t"] == "0110" and answer["39"] == "00"
    assert club.balances(card.member_id).credit_available == 700_000
    completion = terminal.base("0220", 250_000, **{"2": card.pan})
    completion["90"] = terminal.reversal_message(hold)["90"]
    done = terminal.exchange(completion)
    assert done["t"] == "0230" and done["39"] == "00"
    assert club.balances(card.member_id).credit_available == 750_000
    again = terminal.exchange({**completion, "11": "999999"})  # a second completion of the same hold
    assert again["39"] == "12"
    assert club.balances(card.member_id).credit_available == 750_000


@on_single_and_cluster
def test_refund_by_rrn(club):
    card = club.card(credit=1_000_000)
    terminal = club.terminal()
    bought = terminal.purchase(card, 400_000)
    refund = terminal.purchase_message(card, 150_000, processing="200000")
    refund["37"] = bought["37"]
    answer = terminal.exchange(refund)
    assert answer["39"] == "00"
    assert club.balances(card.member_id).credit_available == 750_000
    too_much = terminal.purchase_message(card, 300_000, processing="200000")
    too_much["37"] = bought["37"]
    assert terminal.exchange(too_much)["39"] == "13"
    unknown = terminal.purchase_message(card, 1_000, processing="200000")
    unknown["37"] = "999999999999"
    assert terminal.exchange(unknown)["39"] == "12"
    assert club.balances(card.member_id).credit_available == 750_000


def test_echo_sign_on_and_sign_off(club):
    terminal = club.terminal()
    for code in ("001", "301", "002"):
        answer = terminal.exchange({"t": "0800", "7": "1123120000", "11": "000777", "41": club.terminal_id,
                                    "70": code})
        assert (answer["t"], answer["39"], answer["70"]) == ("0810", "00", code)
    stranger = terminal.exchange({"t": "0800", "7": "1123120000", "11": "000778", "41": "NOSUCH01", "70": "001"})
    assert stranger["39"] == "58"


def test_the_journal_records_the_purchase(club):
    from services.gen.club.switch.v1 import authorization_pb2, authorization_pb2_grpc
    card = club.card()
    terminal = club.terminal()
    message = terminal.purchase_message(card, 12_345)
    assert terminal.exchange(message)["39"] == "00"
    api = authorization_pb2_grpc.AuthorizationServiceStub(club.stack.channel("switch"))
    record = api.GetTransaction(authorization_pb2.GetTransactionRequest(transaction_id=transaction_id(message)))
    assert (record.amount, record.response_code, record.state) == (12_345, "00", "approved")
    assert record.masked_pan.startswith(card.pan[:6]) and card.pan not in str(record)
    listed = api.ListTransactions(authorization_pb2.ListTransactionsRequest(terminal_id=club.terminal_id,
                                                                            page_size=500))
    assert transaction_id(message) in {t.transaction_id for t in listed.transactions}


def test_terminal_blocked_after_repeated_mac_failures(club):
    merchant, terminal_id = club.new_merchant()
    card = club.card()
    forger = club.terminal(merchant, terminal_id, mac_key=bytes(16))
    codes = [forger.purchase(card, 1_000)["39"] for _ in range(5)]
    assert codes == ["63"] * 5
    status = club.cards.GetTerminal(cards_pb2.GetTerminalRequest(terminal_id=terminal_id)).status
    assert status == cards_pb2.TERMINAL_STATUS_BLOCKED
    honest = club.terminal(merchant, terminal_id)
    time.sleep(0.1)
    assert honest.purchase(card, 1_000)["39"] == "58"  # blocked (the switch's cache was dropped)
    assert club.balances(card.member_id).credit_available == 10_000_000


def test_a_retransmission_sent_while_the_first_is_in_flight_posts_once(club):
    """Without a PIN block the card check starts beside the duplicate claim; the copy that loses
    the claim must still get the first answer and move nothing."""
    card = club.card(credit=1_000_000, product=club.new_product(pin_required=False))
    terminal = club.terminal()
    message = terminal.purchase_message(card, 100_000)
    del message["52"]
    terminal.send(message)
    terminal.send(message)
    first, again = terminal.receive(), terminal.receive()
    assert first["39"] == again["39"] == "00"
    assert (first["38"], first["37"]) == (again["38"], again["37"])
    assert club.balances(card.member_id).credit_available == 900_000
    assert len([r for r in club.ledger_rows(transaction_id(message)) if r[0].endswith(":sale")]) == 1


def test_a_purchase_refunded_gives_its_offer_back_what_no_longer_stands(club):
    merchant, terminal_id = club.new_merchant()
    once = club.new_offer(merchant, budget=1_000_000, member_limits=[
        tasheem_pb2.MemberLimit(period=tasheem_pb2.LIMIT_PERIOD_CAMPAIGN, max_uses=1)])
    card = club.card(credit=10_000_000)
    terminal = club.terminal(merchant, terminal_id)

    def budget_used() -> int:
        return club.budget_used(once.offer_id)

    def refund(amount: int) -> dict:
        message = terminal.purchase_message(card, amount, processing="200000")
        message["37"] = bought["37"]
        return terminal.exchange(message)

    bought = terminal.purchase(card, 100_000)
    assert additional(bought)[("00", "41")] == 10_000 and budget_used() == 10_000
    assert refund(40_000)["39"] == "00"
    assert budget_used() == 6_000  # the budget in proportion; the member's use stays spent
    assert ("00", "41") not in additional(terminal.purchase(card, 50_000))  # once per member: used
    assert refund(60_000)["39"] == "00"  # the rest: the purchase is undone in full
    assert budget_used() == 0
    again = terminal.purchase(card, 200_000)
    assert additional(again)[("00", "41")] == 20_000
