"""PINs: ISO 9564 format 0 and 4 blocks under the zone key or a terminal's PIN key, the try
counter (3 wrong -> 75 until reset), PIN change, and tries surviving a Redis loss."""

from __future__ import annotations

import grpc
import pytest

from services.gen.club.cards.v1 import cards_pb2 as pb
from services.gen.club.cards.v1 import cards_pb2_grpc
from tests.cards.helpers import (
    OTHER_PIN,
    PIN,
    Club,
    rpc_error,
    terminal_block_0,
    terminal_block_4,
    zone_block_0,
    zone_block_4,
)

FORMAT_0, FORMAT_4 = pb.PIN_BLOCK_FORMAT_ISO_0, pb.PIN_BLOCK_FORMAT_ISO_4
TERMINAL_BLOCKS = {FORMAT_0: terminal_block_0, FORMAT_4: terminal_block_4}


def purchase(club, issued, terminal, pin_value, block_format=FORMAT_0):
    return club.authorize(pan=issued.pan, terminal_id=terminal.terminal_id, pin_block_format=block_format,
                          pin_block=TERMINAL_BLOCKS[block_format](pin_value, issued.pan)).response_code


@pytest.mark.parametrize("zone_block", [zone_block_0, zone_block_4], ids=["format0", "format4"])
def test_activation_reads_zone_pin_blocks_of_both_formats(club, product, terminal, zone_block):
    issued = club.issue(product)
    club.stub.ActivateCard(pb.ActivateCardRequest(card_token=issued.card.card_token, pin=zone_block(PIN, issued.pan)))
    assert purchase(club, issued, terminal, PIN) == "00"
    assert purchase(club, issued, terminal, OTHER_PIN) == "55"


@pytest.mark.parametrize("block_format", [FORMAT_0, FORMAT_4], ids=["format0", "format4"])
def test_activation_under_a_terminal_pin_key(club, product, terminal, block_format):
    issued = club.issue(product)
    block = pb.PinBlock(block=TERMINAL_BLOCKS[block_format](PIN, issued.pan), format=block_format,
                        terminal_id=terminal.terminal_id)
    club.stub.ActivateCard(pb.ActivateCardRequest(card_token=issued.card.card_token, pin=block))
    assert purchase(club, issued, terminal, PIN, block_format) == "00"


def test_a_block_under_the_wrong_key_is_refused_and_changes_nothing(club, product):
    issued = club.issue(product)
    block = pb.PinBlock(block=terminal_block_4(PIN, issued.pan), format=FORMAT_4)  # not under the zone key
    error = rpc_error(club.stub.ActivateCard, pb.ActivateCardRequest(card_token=issued.card.card_token, pin=block))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith("pin.block")
    assert club.stub.GetCard(pb.GetCardRequest(card_token=issued.card.card_token)).status == pb.CARD_STATUS_ISSUED


def test_three_wrong_pins_answer_75_until_reset(club, product, terminal):
    issued = club.active_card(product)
    token = issued.card.card_token
    assert [purchase(club, issued, terminal, OTHER_PIN) for _ in range(3)] == ["55", "55", "75"]
    assert purchase(club, issued, terminal, PIN) == "75"  # even the right PIN
    assert club.stub.GetCard(pb.GetCardRequest(card_token=token)).pin_tries == 3
    card = club.stub.ResetPinTries(pb.ResetPinTriesRequest(card_token=token, reason_code="customer_verified",
                                                           channel="branch"))
    assert card.pin_tries == 0
    assert purchase(club, issued, terminal, PIN) == "00"
    assert club.stub.ListCardEvents(pb.ListCardEventsRequest(card_token=token)).events[-1].event == "pin_tries_reset"


def test_a_right_pin_clears_earlier_wrong_tries(club, product, terminal):
    issued = club.active_card(product)
    assert purchase(club, issued, terminal, OTHER_PIN) == "55"
    assert purchase(club, issued, terminal, PIN) == "00"
    assert club.stub.GetCard(pb.GetCardRequest(card_token=issued.card.card_token)).pin_tries == 0


def test_change_pin(club, product, terminal):
    issued = club.active_card(product)
    token = issued.card.card_token
    wrong = rpc_error(club.stub.ChangePin, pb.ChangePinRequest(card_token=token, old_pin=zone_block_0(OTHER_PIN, issued.pan),
                                                               new_pin=zone_block_4("9999", issued.pan)))
    assert wrong.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert club.stub.GetCard(pb.GetCardRequest(card_token=token)).pin_tries == 1
    club.stub.ChangePin(pb.ChangePinRequest(card_token=token, old_pin=zone_block_0(PIN, issued.pan),
                                            new_pin=zone_block_4("9999", issued.pan), channel="mobile"))
    assert purchase(club, issued, terminal, "9999") == "00"
    assert purchase(club, issued, terminal, PIN) == "55"


def test_pin_tries_survive_a_redis_loss(isolated_stack):
    own = isolated_stack()
    with own.channel("cards") as channel:
        club = Club(cards_pb2_grpc.CardServiceStub(channel))
        issued, terminal = club.active_card(club.product()), club.terminal()
        assert [purchase(club, issued, terminal, OTHER_PIN) for _ in range(2)] == ["55", "55"]
        own.redis_server.restart_empty()
        assert purchase(club, issued, terminal, OTHER_PIN) == "75"
        assert purchase(club, issued, terminal, PIN) == "75"
