"""Coupon codes people type: an alphabet without look-alike characters, a fixed length, and a
check character that catches every single mistyped character and every swap of two adjacent
ones. Pure functions.

The alphabet has a prime number of characters (23), so a weighted sum modulo 23 can be the check
(ISO 7064's "pure system" idea): character i (from 1) weighs i, the check character weighs
LENGTH, and a valid code sums to 0. Weights 1..LENGTH are all non-zero and distinct modulo 23,
so changing one character changes the sum by weight * difference (both non-zero, below 23:
never 0 mod 23), and swapping neighbours i, i+1 changes it by (a - b) * 1 (non-zero). Luhn mod N
misses one pair of adjacent swaps; this misses none.
"""

from __future__ import annotations

import secrets

# No 0/O/Q/D (round), 1/I/L (strokes), 8/B, S (5 kept), Z (2 kept), G (6 kept), U (V kept).
ALPHABET = "2345679ACEFHJKMNPRTVWXY"
MODULUS = len(ALPHABET)
LENGTH = 12  # 11 random characters (23^11, about 2^50) and the check character
VALUE = {character: value for value, character in enumerate(ALPHABET)}
SEPARATORS = " -"  # people type codes in groups; these are dropped before anything else

assert MODULUS == 23 and all(MODULUS % d for d in range(2, MODULUS)), "the check needs a prime alphabet size"
assert len(set(ALPHABET)) == MODULUS and LENGTH < MODULUS, "weights 1..LENGTH must be distinct and non-zero"


def normalize(text: str) -> str:
    """A code as typed: upper case, without spaces and dashes."""
    return "".join(character for character in text.upper() if character not in SEPARATORS)


def _weighted(body: str) -> int:
    return sum(position * VALUE[character] for position, character in enumerate(body, start=1))


def check_character(body: str) -> str:
    """The character that makes `body` (LENGTH - 1 characters of the alphabet) a valid code."""
    assert len(body) == LENGTH - 1 and all(character in VALUE for character in body), body
    # LENGTH * c = -sum (mod 23); LENGTH is invertible modulo a prime it is smaller than.
    return ALPHABET[(-_weighted(body) * pow(LENGTH, -1, MODULUS)) % MODULUS]


def generate() -> str:
    """A new random code (from the operating system's randomness)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return body + check_character(body)


def looks_generated(code: str) -> bool:
    """Of the generated shape: LENGTH characters of the alphabet (the check may still fail)."""
    return len(code) == LENGTH and all(character in VALUE for character in code)


def is_valid(code: str) -> bool:
    """A well-formed generated code (normalized): the right shape and a check that holds."""
    return looks_generated(code) and (_weighted(code[:-1]) + LENGTH * VALUE[code[-1]]) % MODULUS == 0


def grouped(code: str, size: int = 4) -> str:
    """For printing: ABCD-EFGH-JKMN."""
    return "-".join(code[start:start + size] for start in range(0, len(code), size))
