"""Two replicas of cards, wallet, tasheem and switch, each switch with its own ISO 8583 port (as two
pods behind a load balancer): a terminal's retransmission or reversal that reaches the other
switch is answered as the first switch would, because duplicate claims, stored answers and the
journal are in Redis and Postgres, not in a switch process."""

from __future__ import annotations

import os
import signal
import time

import pytest

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2, tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from tests import harness
from tests.security.conftest import load_script
from tests.switch.conftest import ALL_SERVICES, make_club
from tests.switch.helpers import Club, Terminal, transaction_id

REPLICAS = {name: 2 for name in ALL_SERVICES}
SLOW_LINK_SECONDS = 0.6  # each way: a wallet call takes 1.2 s of the switch's 2 s deadline


@pytest.fixture(scope="module")
def replicated(infra, tmp_path_factory):
    stack = harness.Stack(tmp_path_factory.mktemp("replicas"), f"club_replicas_{os.getpid()}", replicas=REPLICAS)
    try:
        stack.start(*ALL_SERVICES)
        club = Club(cards_pb2_grpc.CardServiceStub(stack.channel("cards")),
                    wallet_pb2_grpc.WalletServiceStub(stack.channel("wallet")),
                    tasheem_pb2_grpc.TasheemServiceStub(stack.channel("tasheem")), stack.iso_ports[0], stack)
        for party_id in ("bank", "club"):
            club.tasheem.CreateParty(tasheem_pb2.CreatePartyRequest(party_id=party_id, name=party_id))
        club.product = club.new_product()
        club.merchant_id, club.terminal_id = club.new_merchant()
        yield club
    finally:
        stack.close()


def terminals(club: Club) -> tuple[Terminal, Terminal]:
    """The same terminal's connections to switch A and to switch B."""
    a, b = club.stack.iso_ports
    return (Terminal(a, club.terminal_id, club.merchant_id, club.terminal().mac_key),
            Terminal(b, club.terminal_id, club.merchant_id, club.terminal().mac_key))


def sales(club: Club, message: dict) -> list[tuple]:
    return [row for row in club.ledger_rows(transaction_id(message)) if row[0].endswith(":sale")]


def test_every_caller_is_given_both_replicas(replicated):
    stack = replicated.stack
    for name in ALL_SERVICES:
        ports = stack.replica_ports[name]
        assert len(ports) == 2 and all(replica.running() for replica in stack.replicas_of(name))
        assert stack.env("switch")[f"CLUB_{name.upper()}_ADDR"] == f"ipv4:127.0.0.1:{ports[0]},127.0.0.1:{ports[1]}"
    assert stack.env("switch", 0)["CLUB_ISO_PORT"] != stack.env("switch", 1)["CLUB_ISO_PORT"]


def test_a_retransmission_to_the_other_switch_is_answered_the_same(replicated):
    card = replicated.card(credit=1_000_000)
    to_a, to_b = terminals(replicated)
    purchase = to_a.purchase_message(card, 300_000)
    first = to_a.exchange(purchase)
    again = to_b.exchange(purchase)  # the terminal reconnected, and its balancer chose the other switch
    assert first["39"] == "00"
    assert (again["39"], again["38"], again["37"]) == (first["39"], first["38"], first["37"])
    assert len(sales(replicated, purchase)) == 1
    assert replicated.balances(card.member_id).credit_available == 700_000


def test_a_retransmission_racing_its_original_on_the_other_switch_posts_once(replicated):
    card = replicated.card(credit=1_000_000)
    to_a, to_b = terminals(replicated)
    purchase = to_a.purchase_message(card, 250_000)
    to_a.send(purchase)
    to_b.send(purchase)  # before A answered: B finds A's claim in flight and waits for its outcome
    first, again = to_a.receive(), to_b.receive()
    assert first["39"] == "00"
    assert (again["39"], again["38"], again["37"]) == (first["39"], first["38"], first["37"])
    assert len(sales(replicated, purchase)) == 1
    assert replicated.balances(card.member_id).credit_available == 750_000


def test_a_retransmission_with_other_content_on_the_other_switch_is_94(replicated):
    card = replicated.card(credit=1_000_000)
    to_a, to_b = terminals(replicated)
    purchase = to_a.purchase_message(card, 100_000)
    assert to_a.exchange(purchase)["39"] == "00"
    assert to_b.exchange({**purchase, "4": f"{200_000:012d}"})["39"] == "94"
    assert replicated.balances(card.member_id).credit_available == 900_000


def test_a_reversal_on_the_other_switch_finds_its_original(replicated):
    card = replicated.card(credit=1_000_000)
    to_a, to_b = terminals(replicated)
    purchase = to_a.purchase_message(card, 400_000)
    assert to_a.exchange(purchase)["39"] == "00"
    assert replicated.balances(card.member_id).credit_available == 600_000
    reversal = to_b.reversal_message(purchase)
    answer = to_b.exchange(reversal)
    assert (answer["t"], answer["39"]) == ("0410", "00")
    assert replicated.balances(card.member_id).credit_available == 1_000_000
    assert to_a.exchange(reversal)["39"] == "00"  # the reversal's own retransmission, back on A
    assert replicated.balances(card.member_id).credit_available == 1_000_000
    undone = [row for row in replicated.ledger_rows(transaction_id(reversal)) if row[0].endswith(":sale")]
    assert len(undone) == 1


def test_a_reversal_on_the_other_switch_before_its_original_leaves_a_tombstone(replicated):
    """The reversal overtook its purchase (sent to B first): the purchase arriving at A later is not posted."""
    card = replicated.card(credit=1_000_000)
    to_a, to_b = terminals(replicated)
    purchase = to_a.purchase_message(card, 400_000)
    assert to_b.exchange(to_b.reversal_message(purchase))["39"] == "00"
    assert to_a.exchange(purchase)["39"] == "12"
    assert sales(replicated, purchase) == []
    assert replicated.balances(card.member_id).credit_available == 1_000_000


def test_a_purchase_whose_wallet_replica_dies_mid_call_is_posted_once_through_the_other(infra, tmp_path):
    """The switch's wallet call is in flight on replica A (behind a slow link) when A's connections
    are cut and it refuses new ones: the call is sent again to replica B (PurchaseBatch carries its
    transaction ids, the wallet posts each once), and the terminal gets its approval, not a 91."""
    faultproxy = load_script("faultproxy")
    stack = harness.Stack(tmp_path, f"club_replica_retry_{os.getpid()}", replicas={"wallet": 2})
    link = faultproxy.FaultProxy("127.0.0.1", stack.replica_ports["wallet"][0], "wallet-a").start()
    try:
        stack.extra_env["CLUB_WALLET_ADDR"] = f"ipv4:{link.address},127.0.0.1:{stack.replica_ports['wallet'][1]}"
        club = make_club(stack)
        card = club.card(credit=10_000_000)
        terminal = club.terminal()
        assert terminal.purchase(card, 10_000)["39"] == "00"  # both replicas connected
        link.set_latency(SLOW_LINK_SECONDS)
        spent, cut = 10_000, None
        for _ in range(4):  # round_robin alternates: within two purchases one is on the slow link
            purchase = terminal.purchase_message(card, 20_000)
            terminal.send(purchase)
            terminal.sock.settimeout(SLOW_LINK_SECONDS / 2)
            try:
                answer = terminal.receive()  # answered through replica B at once
            except TimeoutError:
                link.set_down(True)  # replica A gone mid-call
                terminal.sock.settimeout(15)
                answer, cut = terminal.receive(), purchase
            assert answer["39"] == "00"
            spent += 20_000
            if cut:
                break
        assert cut is not None, "no purchase went through replica A"
        assert len(sales(club, cut)) == 1
        assert club.balances(card.member_id).credit_available == 10_000_000 - spent
    finally:
        stack.close()
        link.close()


HUNG_LEFT_OUT_WITHIN_SECONDS = 25  # a ping unanswered for 3 s (services/shared/clients.py), and slack
COMPENSATED_WITHIN_SECONDS = 60  # the switch's compensation pass, after its grace period
IN_A_ROW = 12  # approvals in a row: round_robin would have sent half of them to the hung replica


def test_a_hung_wallet_replica_is_left_out_and_purchases_go_on_through_the_other(infra, tmp_path):
    """A replica that hangs (SIGSTOP: its connections stay open, nothing answers) is found by the
    callers' keepalive pings and left out of their round robin; purchases meanwhile get 91 at worst,
    and none is lost or posted twice."""
    stack = harness.Stack(tmp_path, f"club_replica_hung_{os.getpid()}", replicas={"wallet": 2})
    try:
        club = make_club(stack)
        club.product = club.new_product(limits=cards_pb2.ProductLimits())  # no daily count to run into
        card = club.card(credit=10_000_000)
        terminal = club.terminal()
        for _ in range(4):
            assert terminal.purchase(card, 10_000)["39"] == "00"  # both replicas in use
        hung = stack.replicas_of("wallet")[1].proc.pid
        os.kill(hung, signal.SIGSTOP)
        try:
            started, in_a_row, answers = time.monotonic(), 0, []
            while in_a_row < IN_A_ROW:
                assert time.monotonic() - started < HUNG_LEFT_OUT_WITHIN_SECONDS, answers
                purchase = terminal.purchase_message(card, 1_000)
                code = terminal.exchange(purchase)["39"]
                answers.append((round(time.monotonic() - started, 1), code))
                assert code in ("00", "91"), answers
                in_a_row = in_a_row + 1 if code == "00" else 0
        finally:
            os.kill(hung, signal.SIGCONT)
        print(f"left out after {time.monotonic() - started:.1f} s: {answers}")
        # What reached the hung replica and was answered 91 is undone once it wakes: the member has
        # paid for exactly the approvals.
        expected = 10_000_000 - 4 * 10_000 - 1_000 * sum(code == "00" for _, code in answers)
        deadline = time.monotonic() + COMPENSATED_WITHIN_SECONDS
        while club.balances(card.member_id).credit_available != expected and time.monotonic() < deadline:
            time.sleep(0.5)
        assert club.balances(card.member_id).credit_available == expected
    finally:
        stack.close()
