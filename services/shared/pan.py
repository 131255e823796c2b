"""Primary account numbers: Luhn check digits and masking (BIN + last 4)."""

from __future__ import annotations

PAN_MIN_LENGTH = 12
PAN_MAX_LENGTH = 19


def luhn_check_digit(partial: str) -> str:
    """The digit that makes `partial` + digit pass the Luhn check."""
    total = 0
    for index, char in enumerate(reversed(partial)):
        digit = int(char)
        if index % 2 == 0:  # these are doubled once the check digit is appended
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(pan: str) -> bool:
    return pan.isdigit() and len(pan) >= 2 and luhn_check_digit(pan[:-1]) == pan[-1]


def is_pan(value: str) -> bool:
    return value.isdigit() and PAN_MIN_LENGTH <= len(value) <= PAN_MAX_LENGTH and luhn_valid(value)


def mask(pan: str) -> str:
    """BIN (first 6) + stars + last 4: 6037991234567890 -> 603799******7890."""
    if len(pan) < 10:
        return "*" * len(pan)
    return f"{pan[:6]}{'*' * (len(pan) - 10)}{pan[-4:]}"
