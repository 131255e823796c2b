"""What a transaction asks, whatever channel it came on (ISO 8583 or gRPC), and the ids derived
from it. The request is never changed once made: what the flow decides goes into its outcome."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

PURCHASE = "purchase"
POINTS_PURCHASE = "points_purchase"
PREAUTH = "preauth"
REFUND = "refund"
BALANCE = "balance"
COMPLETION = "completion"
REVERSAL = "reversal"
RECONCILIATION = "reconciliation"  # 0500: a terminal's batch totals against ours; moves no money
KINDS = (PURCHASE, POINTS_PURCHASE, PREAUTH, REFUND, BALANCE, COMPLETION, REVERSAL, RECONCILIATION)
MONEY_IN = (PURCHASE, POINTS_PURCHASE, PREAUTH)  # kinds that reserve budgets and post to the wallet


@dataclass(frozen=True, slots=True)
class Request:
    kind: str
    transaction_id: str  # deterministic: the idempotency key everywhere downstream
    channel: str
    received_at: dt.datetime
    terminal_id: str = ""
    merchant_id: str = ""
    stan: str = ""
    mti: str = ""
    processing_code: str = "000000"
    pan: str = ""
    card_token: str = ""
    expiry: str = ""
    pin_block: bytes = b""
    cvv2: str = ""
    amount: int = 0
    original_transaction_id: str = ""
    original_rrn: str = ""  # refunds from terminals name their purchase by its RRN (field 37)
    reverse_amount: int = 0  # reversals: the part to reverse; 0 = all of it
    stands: int | None = None  # reversals from terminals: the amount that stands afterwards (field 95)
    arrived: float | None = None  # the event loop's clock when it was read; the deadline counts from it
    totals: dict[str, int] = field(default_factory=dict)  # reconciliations: the terminal's batch totals

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind
        assert self.amount >= 0 and self.reverse_amount >= 0
        assert self.stands is None or (self.stands >= 0 and not self.reverse_amount), "stands replaces reverse_amount"

    def fingerprint(self) -> str:
        """What a retransmission must repeat exactly; the same keys with other content is a 94."""
        card = hashlib.sha256(self.pan.encode()).hexdigest() if self.pan else self.card_token
        content = "|".join((self.kind, self.processing_code, str(self.amount), card, self.original_transaction_id,
                            self.original_rrn, str(self.reverse_amount)))
        if self.stands is not None:  # only then: answers stored before the field existed still match
            content += f"|stands={self.stands}"
        return hashlib.sha256(content.encode()).hexdigest()[:32]


def iso_transaction_id(terminal_id: str, transmitted_at: dt.datetime, stan: str) -> str:
    """Terminal (41) + transmission instant (7, with its year) + STAN (11): the wire contract's
    duplicate key, and reproducible from a reversal's field 90."""
    return f"{terminal_id}.{transmitted_at:%Y%m%d.%H%M%S}.{stan}"  # no long digit run: logs mask those


def approval_code(transaction_id: str) -> str:
    """Six digits derived from the transaction id: a retransmission gets the same code."""
    return f"{int.from_bytes(hashlib.sha256(transaction_id.encode()).digest()[:8], 'big') % 1_000_000:06d}"


def rrn(journal_seq: int) -> str:
    """The retrieval reference number (field 37): the transaction's journal sequence, 12 digits."""
    assert 0 < journal_seq < 10**12
    return f"{journal_seq:012d}"
