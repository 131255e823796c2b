"""Two wallet replicas share one Redis: a replica's rebuild clears Redis only once every other
replica has stopped moving money and finished what it had in flight, so a restarted replica never
wipes a reservation the other is about to commit (Redis stays equal to the ledger)."""

from __future__ import annotations

import itertools
import os
import threading
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from services.wallet import hot
from tests import harness
from tests.wallet.checks import APPROVED, DECLINED, Load, drift, health_status, overdrawn, wait_for
from tests.wallet.helpers import fund, new_id, purchase, stub

pytestmark = pytest.mark.slow

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
HELD_SECONDS = 2.0  # how long the test's pretend replica keeps saying it serves


def serving(replica: harness.ServiceProcess) -> bool:
    with harness.raw_channel(replica.address) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
        except grpc.RpcError:
            return False
    return reply.status == SERVING


class PretendReplica:
    """Another wallet replica, as Redis sees it: its state key, renewed until stopped."""

    def __init__(self, stack, state: str):
        self.client = stack.redis()
        self.state = state
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, daemon=True)

    def _renew(self) -> None:
        while not self._stop.is_set():
            self.client.set(hot.REPLICA_KEY_PREFIX + "pretend", self.state, px=int(hot.REPLICA_STATE_SECONDS * 1000))
            time.sleep(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.client.close()


def test_a_rebuild_waits_for_a_replica_that_still_serves(isolated_stack):
    stack = isolated_stack()
    wallet = stub(stack)
    member = new_id("mem")
    fund(wallet, member, 50_000)
    client = stack.redis()
    try:
        with PretendReplica(stack, hot.SERVING) as other:
            client.delete(hot.EPOCH_KEY)  # Redis lost its copy: the wallet must rebuild
            wait_for(lambda: health_status(stack) == NOT_SERVING, "the wallet stops moving money")
            time.sleep(HELD_SECONDS)
            # Still waiting: the other replica may have a reservation in flight that a clear would wipe.
            assert not client.exists(hot.EPOCH_KEY) and health_status(stack) == NOT_SERVING
            other.state = hot.DRAINED
            wait_for(lambda: health_status(stack) == SERVING, "rebuilt once the other replica drained")
        assert client.exists(hot.EPOCH_KEY) and not client.exists(hot.REBUILD_LOCK_KEY)
    finally:
        client.close()
    assert purchase(wallet, member, 10_000).outcome == pb.PURCHASE_OUTCOME_APPROVED
    assert drift(stack, loaded=True) == {}


def test_a_replica_restarted_under_load_leaves_redis_equal_to_the_ledger(infra, tmp_path):
    stack = harness.Stack(tmp_path, f"club_wallet_replicas_{os.getpid()}", replicas={"wallet": 2})
    try:
        stack.start("wallet")
        first, second = stack.replicas_of("wallet")
        token = stack.token("service")
        stubs = [wallet_pb2_grpc.WalletServiceStub(harness.authed_channel(replica.address, token=token))
                 for replica in (first, second)]
        members = [new_id("mem") for _ in range(8)]
        amount = 1_000
        for member in members:
            fund(stub(stack), member, 10**9)
        requests = [pb.PurchaseRequest(transaction_id=f"tx-{member}-{n}", member_id=member, merchant_id="M-replicas",
                                       amount=amount, points_earned=1)
                    for n, member in itertools.product(range(150), members)]
        loads = [Load(stubs[0], requests[0::2], threads=6), Load(stubs[1], requests[1::2], threads=6)]
        for load in loads:
            load.start()
        for _ in range(3):  # the second replica dies and comes back while the first serves
            time.sleep(1.0)
            second.kill()
            second.start()
        for load in loads:
            load.join()
        answered = {tx: answer for load in loads for tx, answer in load.answers.items()}
        assert set(answered.values()) <= {APPROVED, DECLINED, "UNAVAILABLE"}
        assert all(load.approved for load in loads)  # both replicas moved money between the restarts
        wait_for(lambda: serving(first) and serving(second), "both replicas serving")
        with stack.pg() as conn:
            posted = dict(conn.execute(
                "SELECT source_ref, count(*) FROM wallet.transfers WHERE code = %s AND source_ref LIKE 'tx-%%'"
                " GROUP BY source_ref", (pb.TRANSFER_CODE_SALE,)).fetchall())
        assert set(posted.values()) <= {1}
        assert {tx for tx, answer in answered.items() if answer == APPROVED} <= set(posted)
        assert drift(stack) == {} and overdrawn(stack) == []
    finally:
        stack.close()
