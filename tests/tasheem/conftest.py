from __future__ import annotations

import pytest

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from tests.tasheem.helpers import an_iban, merchant_id


@pytest.fixture(scope="session")
def tasheem(stack):
    with stack.channel("tasheem") as channel:
        yield tasheem_pb2_grpc.TasheemServiceStub(channel)


@pytest.fixture(scope="session")
def partner(tasheem) -> str:
    """A partner funding party shared by the tests (parties are global)."""
    existing = {p.party_id for p in tasheem.ListParties(pb.ListPartiesRequest()).parties}
    if "digikala" not in existing:
        tasheem.CreateParty(pb.CreatePartyRequest(party_id="digikala", name="دیجی‌کالا"))
    return "digikala"


@pytest.fixture
def merchant(tasheem) -> pb.Merchant:
    """A fresh merchant (its own id, so offers scoped to it touch no other test)."""
    return tasheem.CreateMerchant(pb.CreateMerchantRequest(
        merchant_id=merchant_id(), name="فروشگاه نمونه", mcc="5411", group="",
        beneficiaries=[pb.Beneficiary(iban=an_iban(), name="حساب اصلی", remainder=True)]))
