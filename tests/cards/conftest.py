from __future__ import annotations

import warnings

import pytest
from cryptography.utils import CryptographyDeprecationWarning

from services.gen.club.cards.v1 import cards_pb2_grpc
from tests.cards.helpers import Club


@pytest.fixture(scope="session")
def cards_channel(stack):
    with stack.channel("cards") as channel:
        yield channel


@pytest.fixture(scope="session")
def club(cards_channel) -> Club:
    return Club(cards_pb2_grpc.CardServiceStub(cards_channel))


@pytest.fixture(scope="session")
def stub(club):
    return club.stub


@pytest.fixture(scope="session")
def product(club):
    """A PIN-required loyalty product shared by the tests that do not care about its details."""
    return club.product()


@pytest.fixture(scope="session")
def terminal(club):
    return club.terminal()


@pytest.fixture(autouse=True)
def _quiet_tdes_warnings():
    """psec drives two-key TDES, which cryptography flags on every call; the schemes require it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield
