"""Coupons at the terminal: a purchase over ISO 8583 uses the member's coupon, the journal names
the campaign, a reversal gives the coupon back (in full only), concurrent purchases by one member
use one coupon once, and the coupon's funders reach their statement at the cut-off."""

from __future__ import annotations

import csv
import datetime as dt
import io
import pathlib
import time
from concurrent.futures import ThreadPoolExecutor

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from tests.redis_modes import on_single_and_cluster
from tests.switch.helpers import additional, transaction_id
from tests.tasheem.helpers import share, stamp, uid

DISCOUNT = ("00", "41")  # field 54: the discount applied
CONCURRENT_PURCHASES = 50


def coupon_campaign(club, merchant: str, **fields) -> pb.Offer:
    values = dict(coupon_required=True, discount=pb.Discount(fixed_amount=7_000),
                  funding=[share("snapp", 6000), share("club", 4000, remainder=True)])
    values.update(fields)
    return club.new_offer(merchant, **values)


def give_coupon(club, offer_id: str, member_id: str) -> None:
    assert club.tasheem.AssignCoupons(pb.AssignCouponsRequest(offer_id=offer_id, member_ids=[member_id],
                                                              assignment_id=uid("as-"))).assigned == 1


def coupons_of(club, member_id: str) -> list[pb.Coupon]:
    return list(club.tasheem.ListCoupons(pb.ListCouponsRequest(member_id=member_id)).coupons)


@on_single_and_cluster
def test_a_purchase_with_a_coupon_is_discounted_once_and_the_journal_names_the_campaign(club):
    merchant, terminal_id = club.new_merchant()
    item = coupon_campaign(club, merchant)
    card = club.card(credit=1_000_000)
    give_coupon(club, item.offer_id, card.member_id)
    terminal = club.terminal(merchant, terminal_id)
    message = terminal.purchase_message(card, 100_000)
    answer = terminal.exchange(message)
    assert answer["39"] == "00" and additional(answer)[DISCOUNT] == 7_000
    assert club.balances(card.member_id).credit_available == 1_000_000 - 93_000
    with club.stack.pg() as conn:
        journaled = conn.execute("SELECT offers, discount FROM switch.transactions WHERE transaction_id = %s",
                                 (transaction_id(message),)).fetchone()
    assert journaled == ([item.offer_id], 7_000)
    [coupon] = coupons_of(club, card.member_id)
    assert (coupon.state, coupon.transaction_id) == (pb.COUPON_STATE_USED, transaction_id(message))
    funded = {party: amount for tid, party, amount in club.ledger_rows(transaction_id(message)) if ":fund:" in tid}
    assert funded == {"snapp": 4_200, "club": 2_800}
    again = terminal.purchase(card, 100_000)
    assert again["39"] == "00" and DISCOUNT not in additional(again)  # no coupon left


@on_single_and_cluster
def test_a_full_reversal_gives_the_coupon_back_and_a_partial_one_does_not(club):
    merchant, terminal_id = club.new_merchant()
    item = coupon_campaign(club, merchant)
    card = club.card(credit=1_000_000)
    give_coupon(club, item.offer_id, card.member_id)
    terminal = club.terminal(merchant, terminal_id)
    first = terminal.purchase_message(card, 100_000)
    assert additional(terminal.exchange(first))[DISCOUNT] == 7_000
    assert terminal.exchange(terminal.reversal_message(first, stands=60_000))["39"] == "00"
    assert [c.state for c in coupons_of(club, card.member_id)] == [pb.COUPON_STATE_USED]  # part still stands
    assert terminal.exchange(terminal.reversal_message(first))["39"] == "00"  # the rest: undone in full
    [back] = coupons_of(club, card.member_id)
    assert (back.state, back.transaction_id) == (pb.COUPON_STATE_AVAILABLE, "")
    assert terminal.exchange(terminal.reversal_message(first, mti="0420"))["39"] == "00"  # a repeat: nothing
    second = terminal.purchase_message(card, 100_000)
    assert additional(terminal.exchange(second))[DISCOUNT] == 7_000  # used again
    assert coupons_of(club, card.member_id)[0].transaction_id == transaction_id(second)


def test_a_coupon_that_expired_while_used_does_not_come_back_usable(club):
    merchant, terminal_id = club.new_merchant()
    item = coupon_campaign(club, merchant)
    card = club.card(credit=1_000_000)
    give_coupon(club, item.offer_id, card.member_id)
    terminal = club.terminal(merchant, terminal_id)
    purchase = terminal.purchase_message(card, 100_000)
    assert additional(terminal.exchange(purchase))[DISCOUNT] == 7_000
    [coupon] = coupons_of(club, card.member_id)
    with club.stack.pg() as conn:  # its validity ends while the purchase stands
        conn.execute("UPDATE tasheem.coupons SET expires_at = now() WHERE coupon_id = %s", (coupon.coupon_id,))
    assert terminal.exchange(terminal.reversal_message(purchase))["39"] == "00"
    assert [c.state for c in coupons_of(club, card.member_id)] == [pb.COUPON_STATE_EXPIRED]
    assert DISCOUNT not in additional(terminal.purchase(card, 100_000))


@on_single_and_cluster
def test_fifty_concurrent_purchases_by_one_member_use_one_coupon_once(club):
    merchant, terminal_id = club.new_merchant()
    item = coupon_campaign(club, merchant)
    unlimited = club.new_product(limits=cards_pb2.ProductLimits(per_transaction_amount=5_000_000))
    card = club.card(credit=10_000_000, product=unlimited)
    give_coupon(club, item.offer_id, card.member_id)
    connections = [club.terminal(merchant, terminal_id) for _ in range(10)]
    batches = [[terminal.purchase_message(card, 20_000) for _ in range(CONCURRENT_PURCHASES // len(connections))]
               for terminal in connections]

    def send_all(terminal, messages) -> list[dict]:
        for message in messages:
            terminal.send(message)
        return [terminal.receive() for _ in messages]

    with ThreadPoolExecutor(len(connections)) as pool:
        answers = [answer for done in pool.map(send_all, connections, batches) for answer in done]
    assert len(answers) == CONCURRENT_PURCHASES and {a["39"] for a in answers} == {"00"}
    discounted = [a for a in answers if DISCOUNT in additional(a)]
    assert len(discounted) == 1 and additional(discounted[0])[DISCOUNT] == 7_000
    assert club.balances(card.member_id).credit_available == 10_000_000 - CONCURRENT_PURCHASES * 20_000 + 7_000
    [coupon] = coupons_of(club, card.member_id)
    assert coupon.state == pb.COUPON_STATE_USED
    with club.stack.pg() as conn:
        assert conn.execute("SELECT count(*) FROM tasheem.reservations WHERE offer_id = %s",
                            (item.offer_id,)).fetchone()[0] == 1
    for terminal in connections:
        terminal.close()


@on_single_and_cluster
def test_a_coupons_funders_appear_in_their_statement_after_the_cut_off(club):
    merchant, terminal_id = club.new_merchant()
    partner = uid("partner-").lower()
    club.tasheem.CreateParty(pb.CreatePartyRequest(party_id=partner, name="شریک کوپن"))
    item = coupon_campaign(club, merchant, discount=pb.Discount(fixed_amount=9_001),
                           funding=[share(partner, 5000), share("club", 5000, remainder=True)])
    card = club.card(credit=1_000_000)
    give_coupon(club, item.offer_id, card.member_id)
    terminal = club.terminal(merchant, terminal_id)
    assert additional(terminal.purchase(card, 100_000))[DISCOUNT] == 9_001
    time.sleep(1.05 - time.time() % 1)  # a batch is named after its cut-off's second
    batch = club.tasheem.CloseBatch(pb.CloseBatchRequest(cutoff=stamp(dt.datetime.now(dt.UTC))))
    [ours] = [m for m in batch.merchants if m.merchant_id == merchant]
    assert ours.funded_by_party[partner] == 4_500 and ours.funded_by_party["club"] == 4_501
    statement = club.tasheem.GetFunderStatement(pb.GetFunderStatementRequest(batch_id=batch.batch_id,
                                                                            party_id=partner))
    rows = list(csv.reader(io.StringIO(pathlib.Path(statement.csv_path).read_text(encoding="utf-8"))))
    assert [row for row in rows if merchant in row] and int(rows[-1][2]) == 4_500
