from __future__ import annotations

import warnings

import pytest
from cryptography.utils import CryptographyDeprecationWarning

from services.gen.club.cards.v1 import cards_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2, tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from tests.switch.helpers import Club

ALL_SERVICES = ("cards", "wallet", "tasheem", "switch")


def make_club(stack) -> Club:
    stack.start(*ALL_SERVICES)
    club = Club(cards_pb2_grpc.CardServiceStub(stack.channel("cards")),
                wallet_pb2_grpc.WalletServiceStub(stack.channel("wallet")),
                tasheem_pb2_grpc.TasheemServiceStub(stack.channel("tasheem")), stack.iso_port, stack)
    existing = {p.party_id for p in club.tasheem.ListParties(tasheem_pb2.ListPartiesRequest()).parties}
    for party_id, name in (("bank", "بانک"), ("club", "باشگاه"), ("snapp", "اسنپ")):
        if party_id not in existing:
            club.tasheem.CreateParty(tasheem_pb2.CreatePartyRequest(party_id=party_id, name=name))
    club.product = club.new_product()
    club.merchant_id, club.terminal_id = club.new_merchant()
    return club


@pytest.fixture(scope="session")
def club(stack) -> Club:
    return make_club(stack)


@pytest.fixture(autouse=True)
def _quiet_tdes_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield
