"""PIN blocks and terminal keys as a terminal or PIN pad makes them (psec), for activation,
the demo seed and the terminal simulator. Nothing here is ever printed."""

from __future__ import annotations

import os
import secrets
import warnings

from cryptography.utils import CryptographyDeprecationWarning
from psec import des, pinblock

from .core import CliError

KEY_BYTES = 16  # double-length TDES


def parse_key(hex_text: str, option: str) -> bytes:
    """A double-length TDES key from 32 hex digits (parity adjusted); CliError names `option`."""
    try:
        key = bytes.fromhex(hex_text or "")
    except ValueError:
        raise CliError(f"{option}: must be 32 hex digits") from None
    if len(key) != KEY_BYTES:
        raise CliError(f"{option}: must be 32 hex digits (a double-length TDES key)")
    if key[:8] == key[8:]:
        raise CliError(f"{option}: both halves are equal (single DES is not allowed)")
    return des.adjust_key_parity(key)


def new_key() -> bytes:
    """A random double-length TDES key with odd parity and two different halves."""
    while True:
        key = des.adjust_key_parity(os.urandom(KEY_BYTES))
        if key[:8] != key[8:]:
            return key


def new_pin(digits: int = 4) -> str:
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(digits))
        if len(set(pin)) > 1:  # no 0000, 1111, ...
            return pin


def check_pin(pin: str, option: str = "--pin") -> str:
    if not pin.isdigit() or not pin.isascii() or not 4 <= len(pin) <= 12:
        raise CliError(f"{option}: a PIN is 4 to 12 digits")
    return pin


def iso0_block(pin: str, pan: str, pin_key: bytes) -> bytes:
    """ISO 9564 format 0 PIN block encrypted with TDES under a terminal PIN key (field 52)."""
    clear = pinblock.encode_pinblock_iso_0(check_pin(pin), pan)
    with warnings.catch_warnings():
        # psec drives two-key TDES, which cryptography flags on every call; the card schemes mandate it.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return des.encrypt_tdes_ecb(pin_key, clear)
