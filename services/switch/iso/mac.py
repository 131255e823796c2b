"""Field 64/128 MAC: ISO 9797-1 algorithm 3 (retail MAC) with padding method 2 under the
terminal's double-length TDES MAC key, over the encoded message up to (not including) the MAC.

The MAC is the last field of a message (64 without a secondary bitmap, 128 with one), so the
MACed data is the encoded frame minus its last 8 bytes.

Algorithm 3 with key K1|K2: single-DES CBC under K1 over the padded data (zero IV), then the last
ciphertext block c becomes E_K1(D_K2(c)). psec.mac.generate_retail_mac computes exactly this, but
builds three cipher contexts (three key schedules) on every call, about 60 µs; the switch MACs
twice per message and the load generator once per request. So this module keeps, per key, cipher
contexts that live across calls and only feeds them data: the cost is the cipher update itself.
psec stays the reference: tests/switch/test_codec.py checks this module against it (the oracle).
"""

from __future__ import annotations

import hmac
import threading

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

MAC_BYTES = 8
PADDING_METHOD = 2  # ISO 9797-1 method 2: 0x80, then zeros to a whole block
KEY_BYTES = 16
BLOCK = 8
ZERO_BLOCK = bytes(BLOCK)
MAX_CACHED_KEYS = 1024  # one entry per terminal key in use; a miss costs a key setup (~35 µs)


def _single_des(key: bytes) -> TripleDES:
    # cryptography has no plain DES; TDES with K|K|K is single DES (24 bytes: no deprecation warning).
    return TripleDES(key * 3)


class _KeyState:
    """The contexts for one MAC key. The CBC encryptor is never finalized: its chaining value
    carries over from the previous call, so each call first XORs its first block with that value
    (`chain`) to start from a zero IV again, which saves building a context per call."""

    __slots__ = ("cbc", "chain", "decrypt_k2", "encrypt_k1")

    def __init__(self, mac_key: bytes) -> None:
        k1, k2 = _single_des(mac_key[:8]), _single_des(mac_key[8:])
        self.cbc = Cipher(k1, modes.CBC(ZERO_BLOCK)).encryptor()
        self.chain = 0  # the encryptor's current IV, as an int
        self.decrypt_k2 = Cipher(k2, modes.ECB()).decryptor()  # ECB keeps no state between blocks
        self.encrypt_k1 = Cipher(k1, modes.ECB()).encryptor()


_STATES: dict[bytes, _KeyState] = {}
_LOCK = threading.Lock()  # the chaining value is shared state: one call at a time per process


def _state(mac_key: bytes) -> _KeyState:
    state = _STATES.get(mac_key)
    if state is None:
        if len(_STATES) >= MAX_CACHED_KEYS:
            del _STATES[next(iter(_STATES))]  # the oldest entry; keys in steady use come straight back
        state = _STATES[mac_key] = _KeyState(mac_key)
    return state


def compute(mac_key: bytes, data: bytes) -> bytes:
    if len(mac_key) != KEY_BYTES:
        raise ValueError("a MAC key is 16 bytes (double-length TDES)")
    padded = data + b"\x80" + bytes(-(len(data) + 1) % BLOCK)
    with _LOCK:
        state = _state(bytes(mac_key))
        first = int.from_bytes(padded[:BLOCK], "big") ^ state.chain
        last = state.cbc.update(first.to_bytes(BLOCK, "big") + padded[BLOCK:])[-BLOCK:]
        state.chain = int.from_bytes(last, "big")
        return state.encrypt_k1.update(state.decrypt_k2.update(last))


def verify(mac_key: bytes, frame_bytes: bytes) -> bool:
    """True when the frame's trailing 8 bytes are the MAC of everything before them."""
    if len(frame_bytes) <= MAC_BYTES:
        return False
    return hmac.compare_digest(compute(mac_key, frame_bytes[:-MAC_BYTES]), frame_bytes[-MAC_BYTES:])
