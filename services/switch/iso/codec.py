"""A message to wire bytes: pyiso8583 encoding, and for terminals with a MAC key the MAC as the
message's last field (64, or 128 when a secondary bitmap is present) over everything before it."""

from __future__ import annotations

import iso8583

from . import mac
from .spec import SPEC

BITMAP_KEYS = ("p", "s", "1")  # recomputed by the encoder from the fields present


def mac_field(message: dict) -> str:
    """Where a message's MAC goes: 128 when any secondary field (65-128) is present, else 64."""
    return "128" if any(key.isdigit() and int(key) > 64 for key in message) else "64"


def encode(message: dict, mac_key: bytes | None = None) -> bytes:
    values = {key: value for key, value in message.items() if key not in BITMAP_KEYS}
    if not mac_key:
        return bytes(iso8583.encode(values, SPEC)[0])
    values[mac_field(values)] = "00" * mac.MAC_BYTES
    body = bytes(iso8583.encode(values, SPEC)[0])[:-mac.MAC_BYTES]
    return body + mac.compute(mac_key, body)
