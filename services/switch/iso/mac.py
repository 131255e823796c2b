"""Field 64/128 MAC: ISO 9797-1 algorithm 3 (retail MAC) with padding method 2 under the
terminal's double-length TDES MAC key, over the encoded message up to (not including) the MAC.

The MAC is the last field of a message (64 without a secondary bitmap, 128 with one), so the
MACed data is the encoded frame minus its last 8 bytes.
"""

from __future__ import annotations

import hmac
import warnings

import psec.mac
from cryptography.utils import CryptographyDeprecationWarning

# The retail MAC is two-key TDES by definition; cryptography flags every such call.
warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning, module=r"psec\.")

MAC_BYTES = 8
PADDING_METHOD = 2


def compute(mac_key: bytes, data: bytes) -> bytes:
    if len(mac_key) != 16:
        raise ValueError("a MAC key is 16 bytes (double-length TDES)")
    return psec.mac.generate_retail_mac(mac_key[:8], mac_key[8:], data, PADDING_METHOD)[:MAC_BYTES]


def verify(mac_key: bytes, frame_bytes: bytes) -> bool:
    """True when the frame's trailing 8 bytes are the MAC of everything before them."""
    if len(frame_bytes) <= MAC_BYTES:
        return False
    return hmac.compare_digest(compute(mac_key, frame_bytes[:-MAC_BYTES]), frame_bytes[-MAC_BYTES:])
