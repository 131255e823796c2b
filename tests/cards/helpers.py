"""Helpers for the cards tests: requests a client would send, PIN blocks built with psec
directly (as a terminal or HSM would), and a few literal assertions."""

from __future__ import annotations

import random
import uuid

import grpc
import pytest
from psec import des, pinblock

from services.cards import pins
from services.cards.keys import DEV_PVK, DEV_ZONE_PIN_KEY
from services.gen.club.cards.v1 import cards_pb2 as pb

PIN = "1234"
OTHER_PIN = "8642"
# The PINs tests send. A PVV has four digits, so on a given card about one other PIN in 10,000
# verifies as the right one (Visa PVV, by design); test cards are issued again rather than meet it.
TEST_PINS = (PIN, OTHER_PIN, "0000", "9999")
TEST_PVKI = "1"  # CLUB_PVKI's default, which the test stacks run with


def pins_tell_apart(pan: str) -> bool:
    """True when every PIN in TEST_PINS has its own PVV on this card under the development PVK."""
    return len({pins.pvv(DEV_PVK, TEST_PVKI, value, pan) for value in TEST_PINS}) == len(TEST_PINS)
# Terminal keys we choose ourselves, so the tests can build PIN blocks under them.
TERMINAL_PIN_KEY = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
TERMINAL_MAC_KEY = bytes.fromhex("89ABCDEF01234567FEDCBA9876543210")


def unique_bin() -> str:
    """An 8-digit BIN no other test (or team) uses: 9 + 7 random digits."""
    return "9" + "".join(random.choice("0123456789") for _ in range(7))


def unique_phone() -> str:
    return "0912" + "".join(random.choice("0123456789") for _ in range(7))


def unique_terminal_id() -> str:
    return "T" + uuid.uuid4().hex[:7].upper()


def product_request(**overrides) -> pb.CreateProductRequest:
    values = dict(name="Club gold", bin=unique_bin(), kind=pb.CARD_KIND_LOYALTY, currency="364", validity_months=36,
                  service_code="101", pin_required=True,
                  limits=pb.ProductLimits(per_transaction_amount=5_000_000, daily_amount=20_000_000, daily_count=10),
                  allowed_processing=["00", "20", "31"])
    values.update(overrides)
    return pb.CreateProductRequest(**values)


def member_request(**overrides) -> pb.RegisterMemberRequest:
    values = dict(phone=unique_phone(), first_name="Sara", last_name="Ahmadi")
    values.update(overrides)
    return pb.RegisterMemberRequest(**values)


def zone_block_0(pin: str, pan: str) -> pb.PinBlock:
    block = des.encrypt_tdes_ecb(DEV_ZONE_PIN_KEY, pinblock.encode_pinblock_iso_0(pin, pan))
    return pb.PinBlock(block=block, format=pb.PIN_BLOCK_FORMAT_ISO_0)


def zone_block_4(pin: str, pan: str) -> pb.PinBlock:
    return pb.PinBlock(block=pinblock.encipher_pinblock_iso_4(DEV_ZONE_PIN_KEY, pin, pan),
                       format=pb.PIN_BLOCK_FORMAT_ISO_4)


def terminal_block_0(pin: str, pan: str) -> bytes:
    return des.encrypt_tdes_ecb(TERMINAL_PIN_KEY, pinblock.encode_pinblock_iso_0(pin, pan))


def terminal_block_4(pin: str, pan: str) -> bytes:
    return pinblock.encipher_pinblock_iso_4(TERMINAL_PIN_KEY, pin, pan)


def rpc_error(call, *args, **kwargs) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call(*args, **kwargs)
    return info.value


class Club:
    """A client of the cards service with the steps the tests repeat."""

    def __init__(self, stub):
        self.stub = stub
        self.issued_tokens: list[str] = []  # every card issued through this client, reissues' first cards too

    def member(self, **overrides) -> pb.Member:
        return self.stub.RegisterMember(member_request(**overrides))

    def product(self, **overrides) -> pb.Product:
        return self.stub.CreateProduct(product_request(**overrides))

    def issue(self, product: pb.Product | None = None, member: pb.Member | None = None) -> pb.IssueCardResponse:
        product = product or self.product()
        member = member or self.member()
        while True:
            issued = self.stub.IssueCard(pb.IssueCardRequest(member_id=member.member_id, product_id=product.product_id,
                                                             channel="branch"))
            self.issued_tokens.append(issued.card.card_token)
            if pins_tell_apart(issued.pan):
                return issued

    def active_card(self, product: pb.Product | None = None, pin: str = PIN) -> pb.IssueCardResponse:
        issued = self.issue(product)
        self.stub.ActivateCard(pb.ActivateCardRequest(card_token=issued.card.card_token,
                                                      pin=zone_block_0(pin, issued.pan), channel="branch"))
        return issued

    def terminal(self, merchant_id: str = "M100200300") -> pb.Terminal:
        return self.stub.RegisterTerminal(pb.RegisterTerminalRequest(
            terminal_id=unique_terminal_id(), merchant_id=merchant_id, pin_key=TERMINAL_PIN_KEY.hex(),
            mac_key=TERMINAL_MAC_KEY.hex()))

    def status(self, card_token: str, status: int, reason: str = "customer_request") -> pb.Card:
        return self.stub.ChangeCardStatus(pb.ChangeCardStatusRequest(card_token=card_token, status=status,
                                                                     reason_code=reason, channel="web"))

    def authorize(self, **fields) -> pb.AuthorizeCardResponse:
        fields.setdefault("processing_code", "000000")
        fields.setdefault("amount", 100_000)
        return self.stub.AuthorizeCard(pb.AuthorizeCardRequest(**fields))
