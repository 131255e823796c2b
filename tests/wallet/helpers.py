"""Helpers for wallet tests: stubs and ids."""

from __future__ import annotations

import uuid

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from services.gen.club.wallet.v1 import wallet_pb2_grpc


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4()}"


def stub(stack) -> wallet_pb2_grpc.WalletServiceStub:
    return wallet_pb2_grpc.WalletServiceStub(stack.channel("wallet"))


def fund(wallet, member_id: str, amount: int) -> None:
    reply = wallet.TopUp(pb.TopUpRequest(transfer_id=new_id("topup"), member_id=member_id, amount=amount,
                                         reason="test"))
    assert reply.result == pb.TRANSFER_RESULT_OK


def purchase(wallet, member_id: str, amount: int, merchant_id: str = "M-1", **fields) -> pb.PurchaseResponse:
    fields.setdefault("transaction_id", new_id("tx"))
    return wallet.Purchase(pb.PurchaseRequest(member_id=member_id, merchant_id=merchant_id, amount=amount, **fields))


def ledger_available(stack, account_id: str) -> int:
    with stack.pg() as conn:
        row = conn.execute("SELECT credits_posted - debits_posted - debits_pending + credit_limit FROM wallet.accounts"
                           " WHERE account_id = %s", (account_id,)).fetchone()
    return row[0] if row else 0


def redis_available(stack, account_id: str) -> int | None:
    value = stack.redis().get(f"w:{{{account_id}}}:a")
    return None if value is None else int(value)
