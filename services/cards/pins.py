"""PIN blocks (ISO 9564 formats 0 and 4), PIN verification values and card verification values.

Nothing here logs or returns a PIN except to the caller's local variable; a PIN block that
cannot be read is a PinBlockError, whose message never quotes the block.
"""

from __future__ import annotations

import hmac

from psec import cvv, des, pin, pinblock, tools

from services.gen.club.cards.v1 import cards_pb2 as pb

from . import keys  # noqa: F401 - installs the psec warning filter first

MAX_PIN_TRIES = 3  # wrong PINs before the card answers 75 until ResetPinTries
PIN_DIGITS = 4  # Visa PVV covers exactly four PIN digits
CVV2_SERVICE_CODE = "000"  # CVV2 (printed) uses service code 000, unlike the track's CVV1

BLOCK_BYTES = {pb.PIN_BLOCK_FORMAT_ISO_0: 8, pb.PIN_BLOCK_FORMAT_ISO_4: 16}


class PinBlockError(ValueError):
    """The block does not decrypt to a valid PIN block of its format (wrong key, PAN or format)."""


def decrypt_pin(block: bytes, block_format: int, key: bytes, pan: str) -> str:
    """The PIN inside `block`, encrypted under `key` (TDES for format 0, AES-128 for format 4)."""
    assert len(block) == BLOCK_BYTES[block_format]
    try:
        if block_format == pb.PIN_BLOCK_FORMAT_ISO_0:
            value = pinblock.decode_pinblock_iso_0(des.decrypt_tdes_ecb(key, block), pan)
        else:
            value = pinblock.decipher_pinblock_iso_4(key, block, pan)
    except ValueError:
        raise PinBlockError("not a valid PIN block under the expected key") from None
    if len(value) != PIN_DIGITS or not value.isdigit():
        raise PinBlockError(f"the PIN must be {PIN_DIGITS} digits")
    return value


def encrypt_pin(pin_value: str, block_format: int, key: bytes, pan: str) -> bytes:
    """A PIN block as a terminal or HSM would send it (used by tools and tests)."""
    if block_format == pb.PIN_BLOCK_FORMAT_ISO_0:
        return des.encrypt_tdes_ecb(key, pinblock.encode_pinblock_iso_0(pin_value, pan))
    return pinblock.encipher_pinblock_iso_4(key, pin_value, pan)


def pvv(pvk: bytes, pvki: str, pin_value: str, pan: str) -> str:
    return pin.generate_visa_pvv(pvk, pvki, pin_value, pan)


def pin_matches(pvk: bytes, pvki: str, pin_value: str, pan: str, stored_pvv: str) -> bool:
    return hmac.compare_digest(pvv(pvk, pvki, pin_value, pan), stored_pvv)


CVV_DIGITS = 3


def card_verification_value(cvk: bytes, pan: str, expiry_yymm: str, service_code: str) -> str:
    """Visa CVV / Mastercard CVC (the same algorithm); CVV1 with the track's service code.

    psec's generate_cvv does only the first decimalization pass (digits 0-9 of the result), so
    for about 1 card in 18,000 it returns fewer than 3 digits. The standard then takes the hex
    digits A-F, left to right, minus 10; we complete the value that way.
    """
    value = cvv.generate_cvv(cvk, pan, expiry_yymm, service_code)
    if len(value) == CVV_DIGITS:
        return value
    block = (pan + expiry_yymm + service_code).ljust(32, "0")
    left = des.encrypt_tdes_ecb(cvk[:8], bytes.fromhex(block[:16]))
    result = des.encrypt_tdes_ecb(cvk, tools.xor(left, bytes.fromhex(block[16:]))).hex().upper()
    second_pass = [str(int(char, 16) - 10) for char in result if not char.isdigit()]
    return (value + "".join(second_pass))[:CVV_DIGITS]


def cvv2(cvk: bytes, pan: str, expiry_yymm: str) -> str:
    return card_verification_value(cvk, pan, expiry_yymm, CVV2_SERVICE_CODE)


def cvv2_matches(cvk: bytes, pan: str, expiry_yymm: str, given: str) -> bool:
    return hmac.compare_digest(cvv2(cvk, pan, expiry_yymm), given)
