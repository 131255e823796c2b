"""Primary account numbers: Luhn check digits and masking (BIN + last 4)."""

from __future__ import annotations

from services.shared.limits import PAN_MAX_LENGTH, PAN_MIN_LENGTH

# A digit's contribution once doubled (doubling 5-9 gives two digits, summed: 2*7=14 -> 5).
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_check_digit(partial: str) -> str:
    """The digit that makes `partial` + digit pass the Luhn check."""
    # From the right, every other digit starting with the last is doubled once the check digit is
    # appended. Slices and map instead of a loop per digit: this runs on every card check.
    reversed_digits = partial[::-1]
    doubled = sum(_DOUBLED[digit] for digit in map(int, reversed_digits[0::2]))
    total = doubled + sum(map(int, reversed_digits[1::2]))
    return str(-total % 10)


def luhn_valid(pan: str) -> bool:
    # isascii: str.isdigit() also admits digits such as "²" that int() refuses.
    return pan.isascii() and pan.isdigit() and len(pan) >= 2 and luhn_check_digit(pan[:-1]) == pan[-1]


def is_pan(value: str) -> bool:
    return value.isdigit() and PAN_MIN_LENGTH <= len(value) <= PAN_MAX_LENGTH and luhn_valid(value)


def mask(pan: str) -> str:
    """BIN (first 6) + stars + last 4: 6037991234567890 -> 603799******7890."""
    if len(pan) < 10:
        return "*" * len(pan)
    return f"{pan[:6]}{'*' * (len(pan) - 10)}{pan[-4:]}"
