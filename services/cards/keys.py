"""Key material the cards service holds: the zone PIN key, the PIN verification key, per-product
CVKs and per-terminal keys. Keys are bytes in memory only; at rest they are Vault ciphertexts.

Development and test derive fixed keys from public labels (so a test can build PIN blocks under
the zone key); production refuses to start without real ones.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass

from cryptography.utils import CryptographyDeprecationWarning

# psec drives two-key TDES through cryptography, which warns on every call; the algorithm is
# what the card schemes mandate, so the warning is noise in our logs.
warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)

from psec import des  # noqa: E402 - after the warning filter

from services.shared import vault  # noqa: E402
from services.shared.config import ConfigError, Setting, text  # noqa: E402

TDES_KEY_BYTES = 16  # double-length TDES (also read as AES-128 for ISO 9564 format 4)
MAC_KEY_BYTES = 16  # ISO 9797-1 algorithm 3: key1 | key2
KCV_BYTES = 3
PVKI_DIGITS = "0123456789"


def _dev_key(label: str) -> bytes:
    return des.adjust_key_parity(hashlib.sha256(label.encode()).digest()[:TDES_KEY_BYTES])


DEV_ZONE_PIN_KEY = _dev_key("club-dev-zone-pin-key-v1")
DEV_PVK = _dev_key("club-dev-pvk-v1")

SETTINGS = [
    *vault.SETTINGS,
    Setting("CLUB_ZONE_PIN_KEY", "", text,
            "zone PIN key (ZPK), 32 hex: TDES for ISO 9564 format 0, AES-128 for format 4; "
            "empty outside production = development key", secret=True),
    Setting("CLUB_PVK", "", text, "PIN verification key for Visa PVV, 32 hex; empty outside production = development key",
            secret=True),
    Setting("CLUB_PVKI", "1", text, "PIN verification key index stored with each PVV (one digit)"),
]


@dataclass(frozen=True)
class KeyRing:
    zone_pin_key: bytes
    pvk: bytes
    pvki: str


def parse_tdes_key(hex_text: str, field: str) -> bytes:
    """A double-length TDES key from 32 hex digits, parity adjusted; ValueError names `field`."""
    try:
        key = bytes.fromhex(hex_text)
    except ValueError:
        raise ValueError(f"{field}: must be 32 hex digits") from None
    if len(key) != TDES_KEY_BYTES:
        raise ValueError(f"{field}: must be 32 hex digits (a double-length key)")
    if key[:8] == key[8:]:
        raise ValueError(f"{field}: both halves are equal (single DES is not allowed)")
    return des.adjust_key_parity(key)


def _config_key(config, attr: str, name: str, dev_key: bytes) -> bytes:
    value = getattr(config, attr)
    if not value:
        if config.env == "production":
            raise ConfigError(name, "is required in production")
        return dev_key
    try:
        return parse_tdes_key(value, name)
    except ValueError:
        raise ConfigError(name, "must be 32 hex digits, a double-length TDES key") from None


def key_ring(config) -> KeyRing:
    if len(config.pvki) != 1 or config.pvki not in PVKI_DIGITS:
        raise ConfigError("CLUB_PVKI", "must be one digit 0-9")
    return KeyRing(_config_key(config, "zone_pin_key", "CLUB_ZONE_PIN_KEY", DEV_ZONE_PIN_KEY),
                   _config_key(config, "pvk", "CLUB_PVK", DEV_PVK), config.pvki)


def new_tdes_key() -> bytes:
    """A random double-length TDES key with odd parity (halves differ by overwhelming odds)."""
    key = des.adjust_key_parity(os.urandom(TDES_KEY_BYTES))
    assert key[:8] != key[8:]
    return key


def new_mac_key() -> bytes:
    return new_tdes_key()


def kcv(key: bytes) -> str:
    """Key check value: the first 3 bytes of TDES-encrypting zeros, as 6 hex digits."""
    return des.generate_kcv(key, KCV_BYTES).hex().upper()
