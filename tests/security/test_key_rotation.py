"""Key rotation online: every PAN and terminal key re-encrypted to the new data key while
authorizations keep flowing, resumable, and then the old key can be removed."""

from __future__ import annotations

import asyncio
import base64
import os
import random
import threading
from types import SimpleNamespace

import grpc
import pytest

from services.cards import rotate_keys
from services.gen.club.cards.v1 import cards_pb2 as pb
from services.gen.club.cards.v1 import cards_pb2_grpc
from services.shared import vault
from tests.cards.helpers import PIN, Club, terminal_block_0

CARDS = 60


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture(autouse=True)
def _quiet_tdes_warnings():
    import warnings

    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield


class AuthorizationLoad:
    """Authorizations by card token with a terminal PIN block: each one decrypts the PAN and
    the terminal's PIN key from the Redis profiles. Issues a new card now and then."""

    def __init__(self, club: Club, cards: list, terminal_id: str):
        self.club, self.cards, self.terminal_id = club, cards, terminal_id
        self.codes: list[str] = []
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def authorize(self, issued) -> str:
        return self.club.authorize(card_token=issued.card.card_token, terminal_id=self.terminal_id,
                                   pin_block=terminal_block_0(PIN, issued.pan),
                                   pin_block_format=pb.PIN_BLOCK_FORMAT_ISO_0).response_code

    def run(self) -> None:
        rng = random.Random(7)
        while not self.stop.is_set():
            try:
                if len(self.codes) % 10 == 9:
                    self.cards.append(self.club.active_card(self.product))
                self.codes.append(self.authorize(rng.choice(self.cards)))
            except grpc.RpcError as error:
                self.errors.append(f"{error.code().name}: {error.details()}")


def card_rows(stack) -> list[tuple]:
    with stack.pg() as conn:
        return conn.execute("SELECT card_token, pan_ciphertext, pan_key_version FROM cards.cards").fetchall()


def test_rotation_under_load_loses_nothing_and_the_old_key_can_go(isolated_stack, tmp_path):
    master, old_key, new_key = os.urandom(32), os.urandom(32), os.urandom(32)
    old_entry, new_entry = vault.data_key_entry(1, old_key, master), vault.data_key_entry(2, new_key, master)
    own = isolated_stack(CLUB_MASTER_KEY=b64(master), CLUB_DATA_KEYS=old_entry)
    club = Club(cards_pb2_grpc.CardServiceStub(own.channel("cards")))
    product, terminal = club.product(), club.terminal()
    cards = [club.active_card(product) for _ in range(CARDS)]
    assert {version for _, _, version in card_rows(own)} == {1}

    # Roll the new key out: the service now writes under version 2 and reads both.
    service = own.services["cards"]
    service.env["CLUB_DATA_KEYS"] = f"{old_entry},{new_entry}"
    service.restart()
    load = AuthorizationLoad(club, cards, terminal.terminal_id)
    load.product = product
    load.thread.start()
    try:
        both = vault.Vault.from_config(SimpleNamespace(env="test", data_keys=f"{old_entry},{new_entry}",
                                                       data_key_version=0, pan_hmac_key="", master_key=b64(master)))
        checkpoint = tmp_path / "rotation.json"
        first = asyncio.run(rotate_keys.rotate(own.database_url, own.redis_url, both, checkpoint, batch_rows=10,
                                               max_batches=2, progress=False))
        assert not first["finished"] and checkpoint.exists() and first["rotated"]["cards"] == 20
        second = asyncio.run(rotate_keys.rotate(own.database_url, own.redis_url, both, checkpoint, batch_rows=10,
                                                progress=False))
        assert second["finished"] and second["remaining"] == {"cards": 0, "products": 0, "terminals": 0}
        assert not checkpoint.exists()
        while len(load.codes) < 40:  # the load really ran alongside
            load.thread.join(0.1)
    finally:
        load.stop.set()
        load.thread.join(30)
    assert load.errors == []
    assert set(load.codes) == {"00"}

    rows = card_rows(own)
    # Nothing lost, nothing duplicated: every card issued, once. That can be more than `cards`:
    # Club.issue issues again when the tests' PINs would share a PVV on a card.
    assert sorted(token for token, _, _ in rows) == sorted(club.issued_tokens)
    assert all(version == 2 and vault.Vault.key_version(bytes(blob)) == 2 for _, blob, version in rows)

    # Retire the old key: every card (and the terminal's keys) still works from its profile.
    service.env["CLUB_DATA_KEYS"] = new_entry
    service.restart()
    assert {load.authorize(issued) for issued in cards} == {"00"}
