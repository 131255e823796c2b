"""One outcome record per transaction: what was answered and why, written to the journal
(Postgres) and to the duplicate key (Redis) from this one definition, and read back from either
into the same record. A retransmission, a reversal and a refund all read the first outcome this
way, whichever store still has it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from services.shared import response_codes as codes

from .flows import rrn

MAX_MESSAGE_LENGTH = 200  # a reason for people reading the journal, not a log

# Each journaled field and its column type. `rrn` is not a column: it is the row's seq.
COLUMNS: dict[str, str] = {
    "transaction_id": "text", "kind": "text", "channel": "text", "mti": "text", "processing_code": "text",
    "terminal_id": "text", "merchant_id": "text", "stan": "text", "masked_pan": "text", "card_token": "text",
    "member_id": "text", "amount": "bigint", "discount": "bigint", "points_earned": "bigint",
    "credit_available": "bigint", "points_available": "bigint", "response_code": "text", "approval_code": "text",
    "original_transaction_id": "text", "offers": "text[]", "limit_key": "text", "fingerprint": "text",
    "message": "text", "received_at": "timestamptz", "answered_at": "timestamptz",
}
_TIMES = tuple(name for name, sql_type in COLUMNS.items() if sql_type == "timestamptz")


@dataclass(slots=True)
class Outcome:
    response_code: str
    transaction_id: str = ""
    kind: str = ""
    channel: str = ""
    mti: str = ""
    processing_code: str = ""
    terminal_id: str = ""
    merchant_id: str = ""  # the merchant the transaction was made at, as decided (the request may not name it)
    stan: str = ""
    masked_pan: str = ""
    card_token: str = ""
    member_id: str = ""
    amount: int = 0
    discount: int = 0
    points_earned: int = 0
    credit_available: int | None = None
    points_available: int | None = None
    approval_code: str = ""
    rrn: str = ""
    original_transaction_id: str = ""  # the transaction this one undoes or completes, as found
    offers: list[str] = field(default_factory=list)
    limit_key: str = ""  # the card's daily-limit counter this transaction still counts against
    fingerprint: str = ""  # of the request answered (Request.fingerprint): a retransmission must match it
    message: str = ""
    received_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None

    @property
    def approved(self) -> bool:
        return self.response_code == codes.APPROVED

    # ---- the journal ---------------------------------------------------------------------------

    def row(self) -> tuple:
        return tuple(getattr(self, name) for name in COLUMNS)

    @classmethod
    def from_row(cls, row: dict) -> Outcome:
        """A journal row (with its seq) as the record it was written from."""
        outcome = cls(**{name: row[name] for name in COLUMNS})
        outcome.offers = list(outcome.offers)
        if outcome.approved:
            outcome.rrn = rrn(row["seq"])
        return outcome

    # ---- Redis ---------------------------------------------------------------------------------

    def stored(self) -> dict:
        # Not dataclasses.asdict: it deep-copies every value, a measurable cost on every answer.
        values = {name: getattr(self, name) for name in _STORED}
        for name in _TIMES:
            moment = values[name]
            values[name] = moment.isoformat() if moment is not None else None
        return values

    @classmethod
    def from_stored(cls, values: dict) -> Outcome:
        known = {name: value for name, value in values.items() if name in _STORED}
        for name in _TIMES:
            if known.get(name):
                known[name] = dt.datetime.fromisoformat(known[name])
        return cls(**known)


_STORED = tuple(f.name for f in dataclasses.fields(Outcome))
assert set(COLUMNS) == set(_STORED) - {"rrn"}, "every field but rrn is a journal column"

