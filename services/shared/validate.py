"""Checks of request fields every service shares, against the limits in services/shared/limits.py.

Each returns the value or raises FieldError naming the field (INVALID_ARGUMENT), without quoting
the value back. They live here, not in limits.py, because they raise FieldError (whose module
imports gRPC) and limits.py stays constants only, importable by anything (the ISO codec, pan.py).
Checks only one service makes stay with it (services/cards/validate.py: codes, terminal ids).
"""

from __future__ import annotations

from services.shared.errors import FieldError
from services.shared.limits import AMOUNT_MAX, ID_LENGTH, PAN_MAX_LENGTH, PAN_MIN_LENGTH, REASON_LENGTH
from services.shared.persian import ascii_digits

MOBILE_DIGITS = 11  # 09xxxxxxxxx
NATIONAL_ID_DIGITS = 10


def check_id(value: str, field: str, limit: int = ID_LENGTH, *, required: bool = True,
             ascii_only: bool = False) -> str:
    """An id: 1..limit printable characters without spaces (ASCII only where the caller says).
    Empty is refused unless not `required`."""
    if not value:
        if required:
            raise FieldError(field, "is required")
        return value
    if len(value) > limit or not value.isprintable() or " " in value or (ascii_only and not value.isascii()):
        kind = "printable ASCII characters" if ascii_only else "printable characters"
        raise FieldError(field, f"must be 1..{limit} {kind} without spaces")
    return value


def check_text(value: str, field: str, limit: int = REASON_LENGTH) -> str:
    """Free text a person reads later (reasons): required, printable, bounded."""
    if not value.strip():
        raise FieldError(field, "is required")
    if len(value) > limit or not value.isprintable():
        raise FieldError(field, f"must be 1..{limit} printable characters")
    return value


def check_free_text(value: str, field: str, limit: int, required: bool = True) -> str:
    """Free text a member or an agent wrote, kept as given (never trimmed or normalized, line
    breaks allowed): bounded, no NUL (Postgres text cannot hold one), required unless not."""
    if required and not value.strip():
        raise FieldError(field, "is required")
    if len(value) > limit:
        raise FieldError(field, f"must be at most {limit} characters")
    if "\x00" in value:
        raise FieldError(field, "must not contain NUL characters")
    return value


def check_amount(value: int, field: str, *, allow_zero: bool = False) -> int:
    """A whole amount in minor units (rials), 1..AMOUNT_MAX (0..AMOUNT_MAX when `allow_zero`)."""
    if value < 0 or value > AMOUNT_MAX or (value == 0 and not allow_zero):
        raise FieldError(field, f"must be a whole number of minor units, {0 if allow_zero else 1}..{AMOUNT_MAX}")
    return value


def check_pan(value: str, field: str = "pan") -> str:
    """Digits of a length a card number can have. No Luhn check: a PAN that fails it is an
    unknown card (response 14), decided where the card is looked up, not a malformed field."""
    if not value:
        raise FieldError(field, "is required")
    if not (value.isascii() and value.isdigit()) or not PAN_MIN_LENGTH <= len(value) <= PAN_MAX_LENGTH:
        raise FieldError(field, f"must be {PAN_MIN_LENGTH} to {PAN_MAX_LENGTH} digits")
    return value


def check_mobile(value: str, field: str = "phone") -> str:
    """An Iranian mobile number as 09xxxxxxxxx, however it was typed: Persian digits, spaces,
    dashes, +98, 0098 or 98 in front, or the leading 0 left out."""
    text = ascii_digits(value).strip().replace(" ", "").replace("-", "")
    if not text:
        raise FieldError(field, "is required")
    for prefix in ("+98", "0098", "98"):
        if text.startswith(prefix) and len(text) == len(prefix) + MOBILE_DIGITS - 1:
            text = "0" + text[len(prefix):]
            break
    if len(text) == MOBILE_DIGITS - 1 and text.startswith("9"):
        text = "0" + text
    if not (text.isascii() and text.isdigit() and len(text) == MOBILE_DIGITS and text.startswith("09")):
        raise FieldError(field, "must be a mobile number, 09 and 9 more digits")
    return text


def check_national_id(value: str, field: str = "national_id", *, required: bool = False) -> str:
    """An Iranian national id (کد ملی): 10 digits (Persian digits accepted) whose last is the check
    digit: s = sum of the first nine times 10..2; s mod 11 < 2 ? it : 11 - it. A number of one
    repeated digit passes the sum but is not issued, so it is refused too. Empty unless `required`."""
    text = ascii_digits(value).strip().replace(" ", "").replace("-", "")
    if not text:
        if required:
            raise FieldError(field, "is required")
        return ""
    if not (text.isascii() and text.isdigit() and len(text) == NATIONAL_ID_DIGITS):
        raise FieldError(field, f"must be {NATIONAL_ID_DIGITS} digits")
    remainder = sum(int(digit) * weight for digit, weight in zip(text[:9], range(10, 1, -1), strict=True)) % 11
    check = remainder if remainder < 2 else 11 - remainder
    if int(text[9]) != check or len(set(text)) == 1:
        raise FieldError(field, "is not a valid national id (check digit)")
    return text
