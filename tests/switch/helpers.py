"""A terminal for the tests (plain sockets speaking the wire contract), and a seeded club: a
product, members with active cards and credit, a merchant with a terminal, parties and offers."""

from __future__ import annotations

import datetime as dt
import itertools
import socket
import time
import uuid
from dataclasses import dataclass, field

import iso8583
from psec import des, pinblock

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2, tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from services.switch.iso import codec, fields, framing, spec
from tests.cards.helpers import PIN, product_request, unique_terminal_id
from tests.cards.helpers import Club as CardsClub
from tests.tasheem.helpers import an_iban, merchant_id, offer, uid

PIN_KEY = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
MAC_KEY = bytes.fromhex("89ABCDEF01234567FEDCBA9876543210")
SOCKET_TIMEOUT_SECONDS = 15
CATALOG_RELOAD_SECONDS = 1.5  # tasheem reloads its offer catalog within a second
_stans = itertools.count(1)


def next_stan() -> str:
    return f"{next(_stans) % 1_000_000:06d}"


def now_field7() -> str:
    return dt.datetime.now(dt.UTC).strftime("%m%d%H%M%S")


def pin_block(pin: str, pan: str, key: bytes = PIN_KEY) -> str:
    return des.encrypt_tdes_ecb(key, pinblock.encode_pinblock_iso_0(pin, pan)).hex().upper()


class Terminal:
    """One TCP connection to the switch, as a terminal holds it."""

    def __init__(self, port: int, terminal_id: str = "", merchant_id: str = "", mac_key: bytes | None = None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=SOCKET_TIMEOUT_SECONDS)
        self.terminal_id, self.merchant_id, self.mac_key = terminal_id, merchant_id, mac_key
        self._buffer = b""

    def close(self) -> None:
        self.sock.close()

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send(self, message: dict) -> None:
        self.send_raw(framing.frame(codec.encode(message, self.mac_key)))

    def receive_frame(self) -> bytes:
        header = self._read(2)
        return self._read(int.from_bytes(header, "big"))

    def receive(self) -> dict:
        return iso8583.decode(self.receive_frame(), spec.SPEC)[0]

    def _read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the switch closed the connection")
            self._buffer += chunk
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def exchange(self, message: dict) -> dict:
        self.send(message)
        return self.receive()

    def base(self, mti: str, amount: int = 0, processing: str = "000000", **extra) -> dict:
        message = {"t": mti, "3": processing, "4": f"{amount:012d}", "7": now_field7(), "11": next_stan(),
                   "41": self.terminal_id, "42": self.merchant_id.ljust(15), "49": "364"}
        message.update(extra)
        return message

    def purchase_message(self, card: Card, amount: int, pin: str | None = None, processing: str = "000000",
                         mti: str = "0200") -> dict:
        return self.base(mti, amount, processing, **{"2": card.pan, "14": card.expiry, "22": "021",
                                                    "52": pin_block(pin or card.pin, card.pan)})

    def purchase(self, card: Card, amount: int, **kwargs) -> dict:
        return self.exchange(self.purchase_message(card, amount, **kwargs))

    def reversal_message(self, original: dict, stands: int | None = None, mti: str = "0400") -> dict:
        message = self.base(mti, int(original["4"]), original["3"], **{"2": original["2"]})
        message["90"] = str(fields.OriginalData(original["t"], original["11"], original["7"]))
        if stands is not None:
            message["95"] = f"{stands:012d}" + "0" * 30
        return message


def additional(response: dict) -> dict[tuple[str, str], int]:
    return {(b.account_type, b.amount_type): b.amount
            for b in fields.parse_additional_amounts(response.get("54", ""))}


@dataclass
class Card:
    pan: str
    expiry: str
    card_token: str
    member_id: str
    pin: str = PIN
    cvv2: str = ""


@dataclass
class Club:
    """Stubs to every service and what the tests share."""

    cards: cards_pb2_grpc.CardServiceStub
    wallet: wallet_pb2_grpc.WalletServiceStub
    tasheem: tasheem_pb2_grpc.TasheemServiceStub
    iso_port: int
    stack: object
    product: cards_pb2.Product | None = None
    merchant_id: str = ""
    terminal_id: str = ""
    extra: dict = field(default_factory=dict)

    def new_product(self, **overrides) -> cards_pb2.Product:
        return self.cards.CreateProduct(product_request(**overrides))

    def card(self, credit: int = 10_000_000, product: cards_pb2.Product | None = None, tier: str = "") -> Card:
        issued = CardsClub(self.cards).active_card(product or self.product)  # a new member, PIN set
        member_id = issued.card.member_id
        self.wallet.OpenMemberAccounts(wallet_pb2.OpenMemberAccountsRequest(member_id=member_id))
        if credit:
            self.wallet.TopUp(wallet_pb2.TopUpRequest(transfer_id=uid("topup-"), member_id=member_id,
                                                      amount=credit, reason="test"))
        if tier:
            self.cards.SetMemberTier(cards_pb2.SetMemberTierRequest(member_id=member_id, tier=tier, reason="test"))
        return Card(issued.pan, issued.card.expiry, issued.card.card_token, member_id, cvv2=issued.cvv2)

    def new_merchant(self, with_mac: bool = True) -> tuple[str, str]:
        merchant = self.tasheem.CreateMerchant(tasheem_pb2.CreateMerchantRequest(
            merchant_id=merchant_id(), name="فروشگاه آزمون", mcc="5411",
            beneficiaries=[tasheem_pb2.Beneficiary(iban=an_iban(), name="حساب اصلی", remainder=True)]))
        terminal = self.cards.RegisterTerminal(cards_pb2.RegisterTerminalRequest(
            terminal_id=unique_terminal_id(), merchant_id=merchant.merchant_id, pin_key=PIN_KEY.hex(),
            mac_key=MAC_KEY.hex() if with_mac else ""))
        return merchant.merchant_id, terminal.terminal_id

    def new_offer(self, merchant: str, **fields) -> tasheem_pb2.Offer:
        """An offer at `merchant` (tests.tasheem.helpers.offer's 10% unless `fields` say otherwise),
        returned once quotes can see it."""
        created = self.tasheem.CreateOffer(tasheem_pb2.CreateOfferRequest(offer=offer(
            scope=tasheem_pb2.OfferScope(merchant_ids=[merchant]), **fields)))
        time.sleep(CATALOG_RELOAD_SECONDS)
        return created

    def budget_used(self, offer_id: str) -> int:
        return self.tasheem.GetOffer(tasheem_pb2.GetOfferRequest(offer_id=offer_id)).budget_used

    def terminal(self, merchant: str = "", terminal_id: str = "", mac_key: bytes | None = MAC_KEY) -> Terminal:
        return Terminal(self.iso_port, terminal_id or self.terminal_id, merchant or self.merchant_id, mac_key)

    def balances(self, member_id: str) -> wallet_pb2.MemberBalances:
        return self.wallet.GetMemberBalances(wallet_pb2.GetMemberBalancesRequest(member_id=member_id))

    def ledger_rows(self, prefix: str) -> list[tuple]:
        """(transfer_id, party_id, amount) of every transfer whose id starts with `prefix`."""
        with self.stack.pg() as conn:
            return conn.execute("SELECT transfer_id, party_id, amount FROM wallet.transfers"
                                " WHERE transfer_id LIKE %s ORDER BY sequence", (prefix + "%",)).fetchall()


def transaction_id(message: dict) -> str:
    """The id the switch derives from 41 + 7 + 11 (see services/switch/flows.py)."""
    from services.switch import flows
    at = fields.transmission_time(message["7"], dt.datetime.now(dt.UTC))
    return flows.iso_transaction_id(message["41"], at, message["11"])


def new_id() -> str:
    return uuid.uuid4().hex
