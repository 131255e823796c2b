"""Redis is only a cache of the ledger: when it goes away or comes back empty while the wallet
runs, the wallet refuses to move money (UNAVAILABLE, health NOT_SERVING), rebuilds every balance
from the ledger, and then serves again with Redis equal to the ledger."""

from __future__ import annotations

import itertools
import time

import grpc
import pytest
import redis
from grpc_health.v1 import health_pb2

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from services.shared.redis_pipeline import slot_of
from services.wallet.engine import EPOCH_CHECK_SECONDS
from tests.wallet.checks import (
    APPROVED,
    DECLINED,
    Load,
    drift,
    health_status,
    ledger_limited,
    overdrawn,
    switch_stub,
    wait_for,
)
from tests.wallet.helpers import fund, new_id, purchase, stub

pytestmark = pytest.mark.slow

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
EPOCH_KEY = "w:epoch"


def has_epoch(stack) -> bool:
    client = stack.redis()
    try:
        return bool(client.exists(EPOCH_KEY))
    finally:
        client.close()


@pytest.fixture
def running(isolated_stack):
    stack = isolated_stack()
    wallet = stub(stack)
    members = [new_id("mem") for _ in range(3)]
    for member in members:
        fund(wallet, member, 50_000)
        assert purchase(wallet, member, 10_000, points_earned=4).outcome == pb.PURCHASE_OUTCOME_APPROVED
    return stack, wallet, members


def test_redis_gone_refuses_money_and_health_says_not_serving_until_rebuilt(running):
    stack, wallet, members = running
    before = ledger_limited(stack)
    stack.redis_server.stop(kill=True)

    wait_for(lambda: health_status(stack) == NOT_SERVING, "health NOT_SERVING while Redis is down")
    with pytest.raises(grpc.RpcError) as refused:
        purchase(wallet, members[0], 1_000)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    with pytest.raises(grpc.RpcError) as refused_topup:
        fund(wallet, members[1], 1_000)
    assert refused_topup.value.code() == grpc.StatusCode.UNAVAILABLE
    assert ledger_limited(stack) == before  # nothing moved while the balances could not be checked

    stack.redis_server.start()  # back, and empty
    wait_for(lambda: health_status(stack) == SERVING, "health SERVING after the rebuild")
    assert has_epoch(stack) and drift(stack, loaded=True) == {}
    reply = purchase(wallet, members[0], 1_000)
    assert reply.outcome == pb.PURCHASE_OUTCOME_APPROVED and reply.credit_available == 50_000 - 10_000 - 1_000
    assert ledger_limited(stack)[f"member:{members[0]}:credit"] == 39_000
    assert drift(stack) == {}


def test_redis_restarted_empty_is_rebuilt_without_any_request(running):
    stack, wallet, members = running
    truth = ledger_limited(stack)
    stack.redis_server.restart_empty()
    # No request touches these accounts: only the wallet's own rebuild can put them back.
    wait_for(lambda: has_epoch(stack) and drift(stack, loaded=True) == {}, "every balance rebuilt from the ledger")
    assert ledger_limited(stack) == truth
    wait_for(lambda: health_status(stack) == SERVING, "health SERVING after the rebuild")
    for member in members:
        reply = purchase(wallet, member, 40_000)
        assert reply.outcome == pb.PURCHASE_OUTCOME_APPROVED and reply.credit_available == 0
        assert purchase(wallet, member, 1).outcome == pb.PURCHASE_OUTCOME_INSUFFICIENT_FUNDS
    assert drift(stack, loaded=True) == {} and overdrawn(stack) == []


def test_redis_restarted_empty_under_load_loses_and_doubles_nothing(isolated_stack):
    stack = isolated_stack()
    wallet = stub(stack)
    members = [new_id("mem") for _ in range(4)]
    covered, amount = 50, 1_000
    for member in members:
        fund(wallet, member, covered * amount)
    requests = [pb.PurchaseRequest(transaction_id=f"tx-{member}-{n}", member_id=member, merchant_id="M-redis",
                                   amount=amount, points_earned=1)
                for n, member in itertools.product(range(80), members)]
    load = Load(switch_stub(stack), requests, threads=6)
    load.start()
    wait_for(lambda: load.approved >= 40, "load under way")
    stack.redis_server.restart_empty()
    load.join()
    answered = dict(load.answers)
    # While Redis is empty the wallet refuses with UNAVAILABLE (retry), never with a wrong answer.
    assert set(answered.values()) <= {APPROVED, DECLINED, "UNAVAILABLE"}

    wait_for(lambda: health_status(stack) == SERVING, "health SERVING after the rebuild")
    with stack.pg() as conn:
        posted = {row[0]: row[1] for row in conn.execute(
            "SELECT source_ref, count(*) FROM wallet.transfers WHERE code = %s AND source_ref LIKE 'tx-%%'"
            " GROUP BY source_ref", (pb.TRANSFER_CODE_SALE,)).fetchall()}
    assert set(posted.values()) <= {1}
    assert {tx for tx, answer in answered.items() if answer == APPROVED} <= set(posted)
    assert not {tx for tx, answer in answered.items() if answer == DECLINED} & set(posted)

    # Retry everything: what was posted answers its stored approval, the rest spends what is left.
    replies = {request.transaction_id: wallet.Purchase(request, timeout=30) for request in requests}
    assert all(replies[tx].replayed and replies[tx].outcome == pb.PURCHASE_OUTCOME_APPROVED for tx in posted)
    balances = ledger_limited(stack)
    for member in members:
        assert balances[f"member:{member}:credit"] == 0
        assert balances[f"member:{member}:points"] == covered
        approved = [tx for tx, reply in replies.items()
                    if tx.startswith(f"tx-{member}-") and reply.outcome == pb.PURCHASE_OUTCOME_APPROVED]
        assert len(approved) == covered
    assert drift(stack) == {} and overdrawn(stack) == []


def test_a_redis_cluster_that_says_it_is_down_is_waited_out_and_the_wallet_serves_again(isolated_stack):
    """A failing-over cluster answers CLUSTERDOWN (redis-py raises its own errors for it, not a
    ConnectionError): the wallet refuses money meanwhile, its rebuild waits the outage out, and it
    serves again once every slot is served."""
    stack = isolated_stack(redis_cluster=True)
    wallet = stub(stack)
    member = new_id("mem")
    fund(wallet, member, 50_000)
    assert purchase(wallet, member, 10_000).outcome == pb.PURCHASE_OUTCOME_APPROVED
    cluster = stack.redis_server.cluster
    slot = slot_of(EPOCH_KEY)
    owner = next(int(primary[1]) for start, end, primary, *_ in
                 redis.Redis(port=cluster.ports[0]).execute_command("CLUSTER SLOTS") if start <= slot <= end)

    # Nobody serves one slot: every node says the cluster is down, for every key.
    for port in cluster.ports:
        redis.Redis(port=port).execute_command("CLUSTER DELSLOTS", slot)
    wait_for(lambda: cluster._not_ok() is not None, "the cluster says it is down")
    with pytest.raises(grpc.RpcError) as refused:
        purchase(wallet, member, 1_000)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    wait_for(lambda: health_status(stack) == NOT_SERVING, "health NOT_SERVING while the cluster is down")
    time.sleep(2 * EPOCH_CHECK_SECONDS + 1)  # the epoch watch and the rebuild both meet CLUSTERDOWN

    redis.Redis(port=owner).execute_command("CLUSTER ADDSLOTS", slot)
    cluster.wait_ok()
    wait_for(lambda: health_status(stack) == SERVING, "health SERVING once the cluster serves every slot")
    reply = purchase(wallet, member, 1_000)
    assert reply.outcome == pb.PURCHASE_OUTCOME_APPROVED and reply.credit_available == 50_000 - 10_000 - 1_000
    assert drift(stack) == {}
