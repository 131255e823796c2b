"""Random sequences of money operations against a plain in-memory model of one member's
balances: top-ups, purchases (credit and points), pre-authorizations captured in full or in part
or released, pending transfers posted in full or in part or voided, partial refunds and reversals
(with their points take-back), short-lived points and their expiry. After every step the
service's balances, Redis's balances and the points lots equal the model's."""

from __future__ import annotations

import datetime

from google.protobuf import timestamp_pb2
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from tests.wallet.helpers import new_id, redis_available, stub

POINT_VALUE = 100  # CLUB_POINT_VALUE_RIALS default
APPROVED, DECLINED = pb.PURCHASE_OUTCOME_APPROVED, pb.PURCHASE_OUTCOME_INSUFFICIENT_FUNDS
CLEARING = "club:topup_clearing"
amounts = st.integers(1, 40_000)


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def part(total: int, undone: int, amount: int) -> int:
    """The share of `total` undone once `undone` of `amount` is undone: floor, exact at the end."""
    return total * undone // amount


def in_two_days() -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2))
    return ts


class MemberModel(RuleBasedStateMachine):
    stack = None

    def __init__(self):
        super().__init__()
        self.wallet = stub(self.stack)
        self.member = new_id("mem")
        self.credit = 0  # available rials
        self.held = 0  # rials held by pre-authorizations and pending transfers
        self.short = 0  # points in lots that expire tomorrow
        self.long = 0  # points in lots that expire in a year
        self.posted: dict[str, dict] = {}  # purchases that can still be refunded
        self.holds: dict[str, tuple[int, int]] = {}  # pre-authorization -> (amount, points it would earn)
        self.pendings: dict[str, int] = {}  # pending transfer -> amount

    # ---- helpers ----------------------------------------------------------------------------

    def take_points(self, points: int) -> None:
        """Lots are spent soonest-expiring first."""
        from_short = min(points, self.short)
        self.short -= from_short
        self.long -= points - from_short
        assert self.long >= 0

    def record(self, tx: str, amount: int, net: int, charged: int, points_earned: int, source: int) -> None:
        self.posted[tx] = {"amount": amount, "net": net, "charged": charged, "points": points_earned,
                           "source": source, "undone": 0, "charged_back": 0, "points_back": 0}

    # ---- credit -------------------------------------------------------------------------------

    @initialize(amount=amounts)
    def open_with_top_up(self, amount):
        self.top_up(amount)

    @rule(amount=amounts)
    def top_up(self, amount):
        reply = self.wallet.TopUp(pb.TopUpRequest(transfer_id=new_id("top"), member_id=self.member, amount=amount,
                                                  reason="model"))
        assert reply.result == pb.TRANSFER_RESULT_OK
        self.credit += amount

    @rule(amount=amounts, discount_percent=st.sampled_from([0, 10, 100]), points=st.integers(0, 40))
    def buy_with_credit(self, amount, discount_percent, points):
        discount = amount * discount_percent // 100
        funding = [pb.FundingShare(party_id="bank", amount=discount)] if discount else []
        tx = new_id("tx")
        reply = self.wallet.Purchase(pb.PurchaseRequest(transaction_id=tx, member_id=self.member, merchant_id="M-model",
                                                        amount=amount, discount=discount, funding=funding,
                                                        points_earned=points))
        net = amount - discount
        if net <= self.credit:
            assert reply.outcome == APPROVED and reply.charged == net
            self.credit -= net
            self.long += points
            self.record(tx, amount, net, net, points, pb.PAYMENT_SOURCE_CREDIT)
        else:
            assert reply.outcome == DECLINED

    @rule(amount=st.integers(1, 5_000))
    def buy_with_points(self, amount):
        tx = new_id("tx")
        reply = self.wallet.Purchase(pb.PurchaseRequest(transaction_id=tx, member_id=self.member, merchant_id="M-model",
                                                        amount=amount, source=pb.PAYMENT_SOURCE_POINTS))
        charged = ceil_div(amount, POINT_VALUE)
        if charged <= self.short + self.long:
            assert reply.outcome == APPROVED and reply.charged == charged
            self.take_points(charged)
            self.record(tx, amount, amount, charged, 0, pb.PAYMENT_SOURCE_POINTS)
        else:
            assert reply.outcome == DECLINED

    # ---- pre-authorizations -----------------------------------------------------------------

    @rule(amount=amounts, points=st.integers(0, 40))
    def hold(self, amount, points):
        tx = new_id("hold")
        reply = self.wallet.Purchase(pb.PurchaseRequest(transaction_id=tx, member_id=self.member, merchant_id="M-model",
                                                        amount=amount, points_earned=points, hold=True))
        if amount <= self.credit:
            assert reply.outcome == APPROVED
            self.credit -= amount
            self.held += amount
            self.holds[tx] = (amount, points)
        else:
            assert reply.outcome == DECLINED

    @precondition(lambda self: self.holds)
    @rule(data=st.data())
    def capture(self, data):
        tx = data.draw(st.sampled_from(list(self.holds)))
        amount, points = self.holds.pop(tx)
        gross = data.draw(st.integers(0, amount), label="captured (0 = all)")
        reply = self.wallet.Capture(pb.CaptureRequest(transaction_id=new_id("cap"), hold_transaction_id=tx,
                                                      amount=gross))
        gross = gross or amount
        assert reply.outcome == APPROVED and reply.charged == gross
        self.held -= amount
        self.credit += amount - gross
        earned = part(points, gross, amount)
        self.long += earned
        self.record(tx, gross, gross, gross, earned, pb.PAYMENT_SOURCE_CREDIT)

    @precondition(lambda self: self.holds)
    @rule(data=st.data(), by_reversal=st.booleans())
    def release(self, data, by_reversal):
        tx = data.draw(st.sampled_from(list(self.holds)))
        amount, _ = self.holds.pop(tx)
        if by_reversal:
            reply = self.wallet.Reverse(pb.ReverseRequest(reversal_id=new_id("rv"), original_transaction_id=tx))
            assert reply.outcome == pb.REVERSE_OUTCOME_REVERSED
        else:
            reply = self.wallet.ReleaseHold(pb.ReleaseHoldRequest(transaction_id=new_id("rel"), hold_transaction_id=tx))
            assert reply.outcome == APPROVED
        self.held -= amount
        self.credit += amount

    @precondition(lambda self: self.holds)
    @rule(data=st.data())
    def cut_down(self, data):
        tx = data.draw(st.sampled_from(list(self.holds)))
        amount, points = self.holds[tx]
        stands = data.draw(st.integers(0, amount), label="stands")
        reply = self.wallet.Reverse(pb.ReverseRequest(reversal_id=new_id("rv"), original_transaction_id=tx,
                                                      stands=stands))
        if stands == amount:
            assert reply.outcome == pb.REVERSE_OUTCOME_ALREADY_REVERSED
            return
        assert reply.outcome == pb.REVERSE_OUTCOME_REVERSED and reply.fully_undone == (stands == 0)
        self.held -= amount - stands
        self.credit += amount - stands
        if stands:
            self.holds[tx] = (stands, part(points, stands, amount))
        else:
            del self.holds[tx]

    # ---- pending transfers --------------------------------------------------------------------

    @rule(amount=amounts)
    def pending(self, amount):
        transfer = pb.Transfer(transfer_id=new_id("p"), debit_account_id=f"member:{self.member}:credit",
                               credit_account_id=CLEARING, amount=amount, unit=pb.UNIT_IRR,
                               code=pb.TRANSFER_CODE_ADJUSTMENT, flags=pb.TransferFlags(pending=True))
        [result] = self.wallet.CreateTransfers(pb.CreateTransfersRequest(transfers=[transfer])).results
        if amount <= self.credit:
            assert result == pb.TRANSFER_RESULT_OK
            self.credit -= amount
            self.held += amount
            self.pendings[transfer.transfer_id] = amount
        else:
            assert result == pb.TRANSFER_RESULT_EXCEEDS_CREDITS

    @precondition(lambda self: self.pendings)
    @rule(data=st.data())
    def post_pending(self, data):
        pending_id = data.draw(st.sampled_from(list(self.pendings)))
        held = self.pendings.pop(pending_id)
        amount = data.draw(st.integers(0, held), label="posted (0 = all)")
        post = pb.Transfer(transfer_id=new_id("post"), pending_id=pending_id, amount=amount,
                           flags=pb.TransferFlags(post_pending=True))
        assert list(self.wallet.CreateTransfers(pb.CreateTransfersRequest(transfers=[post])).results) == [
            pb.TRANSFER_RESULT_OK]
        self.held -= held
        self.credit += held - (amount or held)

    @precondition(lambda self: self.pendings)
    @rule(data=st.data())
    def void_pending(self, data):
        pending_id = data.draw(st.sampled_from(list(self.pendings)))
        held = self.pendings.pop(pending_id)
        void = pb.Transfer(transfer_id=new_id("void"), pending_id=pending_id, flags=pb.TransferFlags(void_pending=True))
        assert list(self.wallet.CreateTransfers(pb.CreateTransfersRequest(transfers=[void])).results) == [
            pb.TRANSFER_RESULT_OK]
        self.held -= held
        self.credit += held

    # ---- refunds and reversals ----------------------------------------------------------------

    @precondition(lambda self: self.posted)
    @rule(data=st.data(), whole_rest=st.booleans())
    def refund(self, data, whole_rest):
        tx = data.draw(st.sampled_from(list(self.posted)))
        p = self.posted[tx]
        remaining = p["amount"] - p["undone"]
        amount = remaining if whole_rest else data.draw(st.integers(1, remaining), label="refunded")
        if whole_rest:
            reply = self.wallet.Reverse(pb.ReverseRequest(reversal_id=new_id("rv"), original_transaction_id=tx))
        else:
            reply = self.wallet.Refund(pb.RefundRequest(refund_id=new_id("rf"), original_transaction_id=tx,
                                                        amount=amount))
        assert reply.outcome == pb.REVERSE_OUTCOME_REVERSED and reply.amount_reversed == amount
        undone = p["undone"] + amount
        net_now = part(p["net"], undone, p["amount"]) - part(p["net"], p["undone"], p["amount"])
        charged_now = part(p["charged"], undone, p["amount"]) - p["charged_back"]
        points_now = part(p["points"], undone, p["amount"]) - p["points_back"]
        taken = min(points_now, self.short + self.long)  # what earned points are left to take back
        self.take_points(taken)
        if p["source"] == pb.PAYMENT_SOURCE_POINTS:
            returned = charged_now
            self.long += returned
        else:
            # Earned points already spent are recovered in rials from what goes back to the member.
            returned = net_now - min((points_now - taken) * POINT_VALUE, net_now)
            self.credit += returned
        assert (reply.charged_returned, reply.points_taken_back) == (returned, taken)
        p.update(undone=undone, charged_back=p["charged_back"] + charged_now, points_back=p["points_back"] + points_now)
        if undone == p["amount"]:
            del self.posted[tx]

    # ---- points -------------------------------------------------------------------------------

    @rule(points=st.integers(1, 300))
    def grant_short_lived_points(self, points):
        reply = self.wallet.AdjustPoints(pb.AdjustPointsRequest(transfer_id=new_id("adj"), member_id=self.member,
                                                                points=points, reason="model", expires_in_days=1))
        assert reply.result == pb.TRANSFER_RESULT_OK
        self.short += points

    @rule()
    def expire_points(self):
        self.wallet.ExpirePoints(pb.ExpirePointsRequest(as_of=in_two_days()))
        self.short = 0

    # ---- the comparison -----------------------------------------------------------------------

    @invariant()
    def balances_equal_the_model(self):
        balances = self.wallet.GetMemberBalances(pb.GetMemberBalancesRequest(member_id=self.member))
        assert (balances.credit_available, balances.credit_held) == (self.credit, self.held)
        assert balances.points_available == self.short + self.long
        credit = redis_available(self.stack, f"member:{self.member}:credit")
        points = redis_available(self.stack, f"member:{self.member}:points")
        assert credit in (None, self.credit) and points in (None, self.short + self.long)
        lots = self.wallet.ListPointsLots(pb.ListPointsLotsRequest(member_id=self.member)).lots
        cutoff = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)
        short = sum(lot.remaining for lot in lots if lot.expires_at.ToDatetime(datetime.UTC) < cutoff)
        assert (short, sum(lot.remaining for lot in lots)) == (self.short, self.short + self.long)


def test_random_operations_keep_the_service_equal_to_the_model(stack):
    MemberModel.stack = stack
    run_state_machine_as_test(MemberModel, settings=settings(
        max_examples=25, stateful_step_count=20, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
