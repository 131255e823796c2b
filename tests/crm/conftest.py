from __future__ import annotations

import pytest

from services.gen.club.cards.v1 import cards_pb2_grpc
from services.gen.club.crm.v1 import crm_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2_grpc


@pytest.fixture(scope="module", autouse=True)
def _services(stack):
    stack.start("cards", "wallet", "crm")


@pytest.fixture(scope="module")
def cards(stack):
    with stack.channel("cards") as channel:
        yield cards_pb2_grpc.CardServiceStub(channel)


@pytest.fixture(scope="module")
def wallet(stack):
    with stack.channel("wallet") as channel:
        yield wallet_pb2_grpc.WalletServiceStub(channel)


@pytest.fixture(scope="module")
def crm(stack):
    with stack.channel("crm") as channel:
        yield crm_pb2_grpc.CrmServiceStub(channel)
