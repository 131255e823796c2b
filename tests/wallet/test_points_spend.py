"""SpendPoints and ReturnPoints: points bought something (a reward) and, once, come back into the
lots they came from. A service token may call both; only an operator may grant points."""

from __future__ import annotations

import concurrent.futures
import datetime

import grpc
import pytest
from google.protobuf import timestamp_pb2

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from tests.wallet.helpers import ledger_available, new_id, redis_available, stub

LIABILITY = "club:points_liability"


@pytest.fixture
def wallet(stack):
    return stub(stack)


def grant(wallet, member: str, points: int, days: int) -> None:
    reply = wallet.AdjustPoints(pb.AdjustPointsRequest(transfer_id=new_id("adj"), member_id=member, points=points,
                                                       reason="gift", expires_in_days=days))
    assert reply.result == pb.TRANSFER_RESULT_OK


def lots(wallet, member: str) -> list[tuple[int, int, int]]:
    """(points, remaining, days to expiry) of every lot, soonest-expiring first."""
    now = datetime.datetime.now(datetime.UTC)
    found = wallet.ListPointsLots(pb.ListPointsLotsRequest(member_id=member, include_spent=True)).lots
    return [(lot.points, lot.remaining, round((lot.expires_at.ToDatetime(datetime.UTC) - now).total_seconds() / 86400))
            for lot in found]


def spend(wallet, member: str, points: int, spend_id: str = "") -> pb.MoneyMovementResponse:
    return wallet.SpendPoints(pb.SpendPointsRequest(spend_id=spend_id or new_id("spend"), member_id=member,
                                                    points=points, reason="reward"))


def test_a_spend_takes_soonest_expiring_lots_first_and_a_return_puts_them_back(stack, wallet):
    member = new_id("mem")
    grant(wallet, member, 100, days=300)
    grant(wallet, member, 30, days=10)
    grant(wallet, member, 50, days=100)
    spend_id = new_id("spend")
    reply = spend(wallet, member, 60, spend_id)
    assert reply.result == pb.TRANSFER_RESULT_OK and reply.balances.points_available == 120
    assert lots(wallet, member) == [(30, 0, 10), (50, 20, 100), (100, 100, 300)]
    [spent] = [t for t in wallet.ListAccountTransfers(pb.ListAccountTransfersRequest(
        account_id=f"member:{member}:points")).transfers if t.transfer_id == spend_id]
    assert (spent.credit_account_id, spent.amount, spent.code) == (LIABILITY, 60, pb.TRANSFER_CODE_POINTS_REDEEMED)

    again = spend(wallet, member, 60, spend_id)  # the same spend: posts nothing more
    assert again.result == pb.TRANSFER_RESULT_EXISTS and again.balances.points_available == 120

    back = wallet.ReturnPoints(pb.ReturnPointsRequest(spend_id=spend_id, reason="voucher cancelled"))
    assert back.result == pb.TRANSFER_RESULT_OK and back.balances.points_available == 180
    assert lots(wallet, member) == [(30, 30, 10), (50, 50, 100), (100, 100, 300)]  # the same lots, the same expiry
    repeat = wallet.ReturnPoints(pb.ReturnPointsRequest(spend_id=spend_id, reason="asked again"))
    assert repeat.result == pb.TRANSFER_RESULT_EXISTS and repeat.balances.points_available == 180
    assert ledger_available(stack, f"member:{member}:points") == 180
    assert redis_available(stack, f"member:{member}:points") == 180


def test_without_enough_points_nothing_moves(stack, wallet):
    member = new_id("mem")
    grant(wallet, member, 40, days=30)
    reply = spend(wallet, member, 41)
    assert reply.result == pb.TRANSFER_RESULT_EXCEEDS_CREDITS and reply.balances.points_available == 40
    assert lots(wallet, member) == [(40, 40, 30)]
    assert ledger_available(stack, f"member:{member}:points") == 40
    nobody = spend(wallet, new_id("mem"), 1)  # a member who never had points
    assert nobody.result == pb.TRANSFER_RESULT_EXCEEDS_CREDITS


def test_returning_an_unknown_spend_is_not_found(wallet):
    with pytest.raises(grpc.RpcError) as info:
        wallet.ReturnPoints(pb.ReturnPointsRequest(spend_id=new_id("spend"), reason="cancel"))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("field, request_", [
    ("spend_id", pb.SpendPointsRequest(member_id="m", points=1, reason="r")),
    ("member_id", pb.SpendPointsRequest(spend_id="s", points=1, reason="r")),
    ("points", pb.SpendPointsRequest(spend_id="s", member_id="m", points=-5, reason="r")),
    ("reason", pb.SpendPointsRequest(spend_id="s", member_id="m", points=5)),
])
def test_a_bad_spend_names_the_field(wallet, field, request_):
    with pytest.raises(grpc.RpcError) as info:
        wallet.SpendPoints(request_)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and info.value.details().startswith(field)


def test_points_returned_to_a_lot_past_its_expiry_expire_at_the_next_sweep(stack, wallet):
    """A spend and a return never lengthen a point's life: what comes back keeps its lot's expiry."""
    member = new_id("mem")
    grant(wallet, member, 70, days=1)
    spend_id = new_id("spend")
    assert spend(wallet, member, 70, spend_id).result == pb.TRANSFER_RESULT_OK
    as_of = timestamp_pb2.Timestamp()
    as_of.FromDatetime(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2))
    wallet.ExpirePoints(pb.ExpirePointsRequest(as_of=as_of))  # nothing left in the lot to expire
    assert wallet.ReturnPoints(pb.ReturnPointsRequest(spend_id=spend_id, reason="r")).balances.points_available == 70
    wallet.ExpirePoints(pb.ExpirePointsRequest(as_of=as_of))
    assert ledger_available(stack, f"member:{member}:points") == 0


def test_concurrent_spends_never_overdraw(stack, wallet):
    member = new_id("mem")
    grant(wallet, member, 100, days=30)
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        results = list(pool.map(lambda _: spend(wallet, member, 10).result, range(50)))
    assert results.count(pb.TRANSFER_RESULT_OK) == 10
    assert results.count(pb.TRANSFER_RESULT_EXCEEDS_CREDITS) == 40
    assert ledger_available(stack, f"member:{member}:points") == 0
    with stack.pg() as conn:
        assert conn.execute("SELECT sum(points) FROM wallet.points_spends WHERE member_id = %s",
                            (member,)).fetchone()[0] == 100


def test_a_service_token_may_spend_and_return_but_not_grant(stack):
    member = new_id("mem")
    grant(stub(stack), member, 10, days=30)
    with stack.channel("wallet", role="service") as channel:
        service = wallet_pb2_grpc.WalletServiceStub(channel)
        spend_id = new_id("spend")
        assert spend(service, member, 10, spend_id).result == pb.TRANSFER_RESULT_OK
        assert service.ReturnPoints(pb.ReturnPointsRequest(spend_id=spend_id, reason="r")).result == \
            pb.TRANSFER_RESULT_OK
        with pytest.raises(grpc.RpcError) as info:
            grant(service, member, 10, days=30)
        assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED
