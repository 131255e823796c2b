"""A message to wire bytes: pyiso8583 encoding, and for terminals with a MAC key the MAC as the
message's last field (64, or 128 when a secondary bitmap is present) over everything before it."""

from __future__ import annotations

import iso8583

from services.shared.limits import PAN_MAX_LENGTH

from . import mac, spec
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


# Field 2 read straight from the wire, before (and without) decoding: the ISO front orders frames
# by the card's tier before it spends a decode on them. The offsets come from the spec.
_MTI_BYTES = SPEC["t"]["max_len"]
_BITMAP_BYTES = SPEC["p"]["max_len"]
_PAN_LENGTH_DIGITS = SPEC["2"]["len_type"]
assert SPEC["p"]["data_enc"] == "b" and SPEC["1"]["data_enc"] == "b" and SPEC["2"]["data_enc"] == "ascii"
_FIELD_1_BIT, _FIELD_2_BIT = 0x80, 0x40  # in the primary bitmap's first byte
_NEVER_HELD = frozenset(mti.encode() for mti in spec.NEVER_HELD_MTIS)


def never_held(payload: bytes) -> bool:
    """Whether the message's MTI is one the front never holds back (spec.NEVER_HELD_MTIS)."""
    return payload[:_MTI_BYTES] in _NEVER_HELD


def peek_pan(payload: bytes) -> str:
    """Field 2 as the decoder would give it, or "" when the message has none or it cannot be
    read this way (the full decode that follows reports what is wrong)."""
    if len(payload) <= _MTI_BYTES:
        return ""
    first = payload[_MTI_BYTES]
    if not first & _FIELD_2_BIT:
        return ""
    start = _MTI_BYTES + _BITMAP_BYTES * (2 if first & _FIELD_1_BIT else 1)
    length = payload[start:start + _PAN_LENGTH_DIGITS]
    if len(length) != _PAN_LENGTH_DIGITS or not length.isdigit() or int(length) > PAN_MAX_LENGTH:
        return ""
    pan = payload[start + _PAN_LENGTH_DIGITS:start + _PAN_LENGTH_DIGITS + int(length)]
    return pan.decode() if len(pan) == int(length) and pan.isdigit() else ""
