"""Iranian IBANs (شبا): "IR" + 2 check digits + 22 digits (bank code and account), ISO 13616.

The check is ISO 7064 mod 97-10: move the first four characters to the end, replace
letters by numbers (A=10 ... Z=35), and the resulting integer mod 97 must be 1.
"""

from __future__ import annotations

import string

COUNTRY = "IR"
LENGTH = 26  # IR + 24 digits
_LETTER_VALUES = {letter: str(index) for index, letter in enumerate(string.ascii_uppercase, start=10)}


class IbanError(ValueError):
    pass


def normalize(text: str) -> str:
    """Upper case, spaces removed (IBANs are often printed in groups of four)."""
    return text.replace(" ", "").upper()


def _as_number(iban: str) -> int:
    rearranged = iban[4:] + iban[:4]
    return int("".join(_LETTER_VALUES.get(char, char) for char in rearranged))


def validate(text: str) -> str:
    """The normalized IBAN, or IbanError saying what is wrong with it."""
    iban = normalize(text)
    if not iban.startswith(COUNTRY):
        raise IbanError(f"must start with {COUNTRY}")
    if len(iban) != LENGTH:
        raise IbanError(f"must be {COUNTRY} followed by 24 digits ({LENGTH} characters), got {len(iban)}")
    if not iban[2:].isdigit() or not iban[2:].isascii():
        raise IbanError(f"must be {COUNTRY} followed by 24 digits")
    if _as_number(iban) % 97 != 1:
        raise IbanError("check digits do not match (ISO 13616 mod-97)")
    return iban


def with_check_digits(bban: str) -> str:
    """The IR IBAN for a 22-digit bank code + account number (for fixtures and tools)."""
    if len(bban) != LENGTH - 4 or not bban.isdigit():
        raise IbanError("the account part must be 22 digits")
    check = 98 - _as_number(f"{COUNTRY}00{bban}") % 97
    return f"{COUNTRY}{check:02d}{bban}"
