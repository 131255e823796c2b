"""Field content rules and the structured fields: 90 original data elements, 95 replacement
amounts, 54 additional amounts. Errors name the field, like pyiso8583's own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.shared.limits import PAN_MAX_LENGTH, PAN_MIN_LENGTH

from .spec import FIELD_CONTENT, REQUIRED_FIELDS, SPEC


class FieldFormatError(ValueError):
    """A field's content breaks the wire contract; the answer is 30 (format error)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"field {field}: {reason}")
        self.field = field
        self.reason = reason


def content_ok(kind: str, value: str) -> bool:
    if kind == "n":
        return value.isdigit()
    if kind == "an":
        return value.replace(" ", "").isalnum() and value.isascii()
    if kind == "ans":
        return value.isascii() and value.isprintable()
    return True  # binary: pyiso8583 already checked it is hex of the right length


def check(decoded: dict) -> None:
    """Everything the decoder let through that the contract still forbids."""
    mti = decoded.get("t", "")
    required = REQUIRED_FIELDS.get(mti)
    if required is None:
        raise FieldFormatError("t", f"message type {mti!r} is not accepted here")
    for field in required:
        if not decoded.get(field):
            raise FieldFormatError(field, "is required for " + mti)
    for field, value in decoded.items():
        kind = FIELD_CONTENT.get(field)
        if kind is None:
            continue
        if not content_ok(kind, value):
            raise FieldFormatError(field, f"must be {kind} content")
        spec = SPEC[field]
        if kind != "b" and spec["len_type"] == 0 and len(value) != spec["max_len"]:
            raise FieldFormatError(field, f"must be exactly {spec['max_len']} characters")
    pan = decoded.get("2")
    if pan is not None and len(pan) < PAN_MIN_LENGTH:
        raise FieldFormatError("2", f"must be {PAN_MIN_LENGTH} to {PAN_MAX_LENGTH} digits")
    if "7" in decoded:
        transmission_time(decoded["7"], dt.datetime.now(dt.UTC))
    if "14" in decoded and not 1 <= int(decoded["14"][2:]) <= 12:
        raise FieldFormatError("14", "must be YYMM")
    if "90" in decoded:
        OriginalData.parse(decoded["90"])


HALF_YEAR = dt.timedelta(days=182)


def transmission_time(value: str, now: dt.datetime) -> dt.datetime:
    """Field 7 (MMDDhhmmss, UTC) as an instant: the year is the one that puts it nearest `now`."""
    try:
        month, day, hour, minute, second = (int(value[i:i + 2]) for i in range(0, 10, 2))
    except ValueError:
        raise FieldFormatError("7", "must be a date and time MMDDhhmmss") from None
    best = None
    for year in (now.year, now.year - 1, now.year + 1):  # this year first: nearly always the answer
        try:
            at = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
        except ValueError:
            continue  # not a date in that year (29 February), or not a date at all
        if best is None or abs(at - now) < abs(best - now):
            best = at
        if abs(best - now) <= HALF_YEAR:
            return best  # no other year can be nearer
    if best is None:
        raise FieldFormatError("7", "must be a date and time MMDDhhmmss")
    return best


@dataclass(frozen=True)
class OriginalData:
    """Field 90: which earlier message a reversal or completion refers to."""

    mti: str
    stan: str
    transmitted: str  # the original's field 7
    acquirer: str = "0" * 11
    forwarder: str = "0" * 11

    @classmethod
    def parse(cls, value: str) -> OriginalData:
        if len(value) != 42 or not value.isdigit():
            raise FieldFormatError("90", "must be 42 digits: MTI, STAN, field 7, acquirer, forwarder")
        return cls(value[:4], value[4:10], value[10:20], value[20:31], value[31:42])

    def __str__(self) -> str:
        return f"{self.mti}{self.stan}{self.transmitted}{self.acquirer}{self.forwarder}"


def replacement_amount(value: str) -> int:
    """Field 95: the first 12 digits are the amount that stands after a partial reversal."""
    head = value[:12]
    if not head.isdigit():
        raise FieldFormatError("95", "must start with the 12-digit actual amount")
    return int(head)


# Field 54 blocks: account type (2) + amount type (2) + currency (3) + sign (C/D) + amount (12).
ACCOUNT_CREDIT = "00"
ACCOUNT_POINTS = "90"
AMOUNT_AVAILABLE = "02"
AMOUNT_DISCOUNT = "41"
AMOUNT_POINTS_EARNED = "42"
BLOCK_LENGTH = 20


@dataclass(frozen=True)
class AdditionalAmount:
    account_type: str
    amount_type: str
    currency: str
    amount: int  # signed; minor units or points

    def encode(self) -> str:
        sign = "C" if self.amount >= 0 else "D"
        return f"{self.account_type}{self.amount_type}{self.currency}{sign}{abs(self.amount):012d}"


def additional_amounts(blocks: list[AdditionalAmount]) -> str:
    return "".join(block.encode() for block in blocks)


def parse_additional_amounts(value: str) -> list[AdditionalAmount]:
    if len(value) % BLOCK_LENGTH:
        raise FieldFormatError("54", f"must be blocks of {BLOCK_LENGTH} characters")
    blocks = []
    for start in range(0, len(value), BLOCK_LENGTH):
        raw = value[start:start + BLOCK_LENGTH]
        if raw[7] not in "CD" or not raw[8:].isdigit():
            raise FieldFormatError("54", f"block {start // BLOCK_LENGTH + 1} is not type, currency, sign, amount")
        amount = int(raw[8:])
        blocks.append(AdditionalAmount(raw[:2], raw[2:4], raw[4:7], amount if raw[7] == "C" else -amount))
    return blocks
