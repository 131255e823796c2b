"""Protection of card data at rest.

- PANs (and terminal keys) are encrypted with AES-256-GCM under a versioned data key;
  the version travels in the ciphertext so old rows stay readable after rotation.
- Lookups use a keyed HMAC-SHA256 of the PAN, never the PAN.
- Data keys are wrapped under a master key (envelope encryption) where configured.

Ciphertext layout: 2-byte key version | 12-byte nonce | AES-GCM ciphertext+tag.

CLUB_DATA_KEYS entries, comma separated:
    <version>:<base64 key>[:<kcv>]          a plain data key (development, tests)
    <version>:w:<base64 wrapped>[:<kcv>]    a data key wrapped under CLUB_MASTER_KEY (AES key wrap,
                                            RFC 3394); required in production
The optional KCV (key check value: first 3 bytes of AES(key, 0^128), 6 hex digits) is
verified at start, so a wrong master key or a mistyped entry fails loudly instead of
writing undecryptable data. Key management:

    python -m services.shared.vault new-master-key
    python -m services.shared.vault new-data-key --version 2     # wrapped under CLUB_MASTER_KEY
    python -m services.shared.vault check                        # versions and KCVs in use
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives import keywrap
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .config import ConfigError, Setting, non_negative_int, text

NONCE_BYTES = 12
VERSION_HEADER = struct.Struct(">H")
DATA_KEY_BYTES = 32

# Also read by the switch, which finds cards in the read model by their PAN's lookup hash.
PAN_LOOKUP_KEY_SETTING = Setting("CLUB_PAN_HMAC_KEY", "", text, "base64 key for PAN lookup hashes", secret=True)
SETTINGS = [
    Setting("CLUB_DATA_KEYS", "", text,
            "versioned AES-256 data keys, 'version:base64,...'; empty in development = built-in demo key",
            secret=True),
    Setting("CLUB_DATA_KEY_VERSION", "0", non_negative_int, "version used for new encryptions; 0 = highest"),
    PAN_LOOKUP_KEY_SETTING,
    Setting("CLUB_MASTER_KEY", "", text,
            "base64 AES-256 key-encryption key that unwraps 'version:w:...' data keys; required in production",
            secret=True),
]
# What a process that only seals and opens data needs (crm's sign-in SMS bodies): no PAN lookups.
SEALING_SETTINGS = [setting for setting in SETTINGS if setting is not PAN_LOOKUP_KEY_SETTING]
WRAPPED_MARK = "w"
KCV_HEX_DIGITS = 6

# Demo keys: derived from fixed labels, usable only when CLUB_ENV is development or test.
_DEMO_DATA_KEY = hashlib.sha256(b"club-demo-data-key-v1").digest()
_DEMO_HMAC_KEY = hashlib.sha256(b"club-demo-pan-hmac-key-v1").digest()


class VaultError(Exception):
    pass


def key_check_value(key: bytes) -> str:
    """KCV: the first 3 bytes of the key's AES encryption of a zero block, in hex (not secret)."""
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305 - one block, KCV by definition
    return (encryptor.update(bytes(16)) + encryptor.finalize())[:KCV_HEX_DIGITS // 2].hex().upper()


def wrap_key(master_key: bytes, data_key: bytes) -> str:
    return base64.b64encode(keywrap.aes_key_wrap(master_key, data_key)).decode()


def data_key_entry(version: int, data_key: bytes, master_key: bytes | None) -> str:
    """The CLUB_DATA_KEYS entry for a key: wrapped when a master key is given, with its KCV."""
    if master_key:
        return f"{version}:{WRAPPED_MARK}:{wrap_key(master_key, data_key)}:{key_check_value(data_key)}"
    return f"{version}:{base64.b64encode(data_key).decode()}:{key_check_value(data_key)}"


def parse_master_key(encoded: str) -> bytes | None:
    if not encoded:
        return None
    try:
        key = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise ConfigError("CLUB_MASTER_KEY", "must be base64") from None
    if len(key) != DATA_KEY_BYTES:
        raise ConfigError("CLUB_MASTER_KEY", "must be a 32-byte key")
    return key


def parse_keys(spec: str, master_key: bytes | None = None, require_wrapped: bool = False) -> dict[int, bytes]:
    keys: dict[int, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        parts = item.split(":")
        wrapped = len(parts) > 2 and parts[1] == WRAPPED_MARK
        if wrapped:
            del parts[1]
        if len(parts) not in (2, 3):
            raise ConfigError("CLUB_DATA_KEYS", "each entry must be version:base64[:kcv] or version:w:base64[:kcv]")
        version_text, encoded, kcv = parts[0], parts[1], (parts[2] if len(parts) == 3 else "")
        try:
            version = int(version_text)
            material = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise ConfigError("CLUB_DATA_KEYS", "each entry must be version:base64[:kcv] or version:w:base64[:kcv]") from None
        if require_wrapped and not wrapped:
            raise ConfigError("CLUB_DATA_KEYS", f"version {version_text}: data keys must be wrapped (version:w:...)")
        if wrapped:
            if master_key is None:
                raise ConfigError("CLUB_MASTER_KEY", f"is required to unwrap data key version {version_text}")
            try:
                material = keywrap.aes_key_unwrap(master_key, material)
            except (keywrap.InvalidUnwrap, ValueError):
                raise ConfigError("CLUB_DATA_KEYS", f"version {version_text}: does not unwrap under CLUB_MASTER_KEY") from None
        if not 0 < version < 65536 or len(material) != DATA_KEY_BYTES:
            raise ConfigError("CLUB_DATA_KEYS", f"version {version_text}: need 1..65535 and a 32-byte key")
        if kcv and kcv.upper() != key_check_value(material):
            raise ConfigError("CLUB_DATA_KEYS", f"version {version_text}: key check value does not match")
        keys[version] = material
    return keys


class Vault:
    def __init__(self, keys: dict[int, bytes], current_version: int, hmac_key: bytes):
        if current_version not in keys:
            raise VaultError(f"data key version {current_version} is not configured")
        self._keys = dict(keys)
        self._aeads = {version: AESGCM(key) for version, key in keys.items()}
        self.current_version = current_version
        self._hmac_key = hmac_key

    @classmethod
    def from_config(cls, config, pan_lookups: bool = True) -> Vault:
        """The vault of CLUB_DATA_KEYS; `pan_lookups=False` for a service that encrypts other
        secrets and never looks a card up (tasheem, crm: SEALING_SETTINGS), so it is not given
        the PAN lookup key."""
        master_key = parse_master_key(getattr(config, "master_key", ""))
        production = config.env == "production"
        if production and master_key is None:
            raise ConfigError("CLUB_MASTER_KEY", "is required in production (data keys are stored wrapped)")
        keys = parse_keys(config.data_keys, master_key, require_wrapped=production)
        if not keys:
            if production:
                raise ConfigError("CLUB_DATA_KEYS", "is required in production")
            keys = {1: _DEMO_DATA_KEY}
        hmac_key = pan_lookup_key(config) if pan_lookups else b""
        version = config.data_key_version or max(keys)
        if version not in keys:
            raise ConfigError("CLUB_DATA_KEY_VERSION", f"version {version} is not in CLUB_DATA_KEYS")
        return cls(keys, version, hmac_key)

    def encrypt(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aeads[self.current_version].encrypt(nonce, plaintext, aad)
        return VERSION_HEADER.pack(self.current_version) + nonce + sealed

    def decrypt(self, blob: bytes, aad: bytes = b"") -> bytes:
        (version,) = VERSION_HEADER.unpack_from(blob)
        aead = self._aeads.get(version)
        if aead is None:
            raise VaultError(f"data key version {version} is not configured")
        start = VERSION_HEADER.size
        return aead.decrypt(bytes(blob[start:start + NONCE_BYTES]), bytes(blob[start + NONCE_BYTES:]), aad)

    def key_check_values(self) -> dict[int, str]:
        return {version: key_check_value(key) for version, key in self._keys.items()}

    @staticmethod
    def key_version(blob: bytes) -> int:
        return VERSION_HEADER.unpack_from(blob)[0]

    def lookup_hash(self, pan: str) -> bytes:
        assert self._hmac_key, "this vault was made without a PAN lookup key"
        return lookup_hash(self._hmac_key, pan)


def pan_lookup_key(config) -> bytes:
    """The key of PAN lookup hashes (CLUB_PAN_HMAC_KEY); in development and test, when unset, the
    demo key. It finds a card by its PAN and decrypts nothing."""
    key = base64.b64decode(config.pan_hmac_key) if config.pan_hmac_key else b""
    if not key:
        if config.env == "production":
            raise ConfigError("CLUB_PAN_HMAC_KEY", "is required in production")
        key = _DEMO_HMAC_KEY
    return key


def lookup_hash(key: bytes, pan: str) -> bytes:
    return hmac.new(key, pan.encode(), hashlib.sha256).digest()


def main(argv: list[str] | None = None) -> None:
    import argparse
    import sys

    from .config import COMMON, load

    parser = argparse.ArgumentParser(prog="python -m services.shared.vault", description="Data key management.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("new-master-key", help="print a new base64 master key (store it in a Secret / KMS)")
    new_key = commands.add_parser("new-data-key", help="print a new CLUB_DATA_KEYS entry, wrapped under CLUB_MASTER_KEY")
    new_key.add_argument("--version", type=int, required=True)
    commands.add_parser("check", help="print each configured key version and its KCV")
    args = parser.parse_args(argv)
    try:
        config = load([*(s for s in COMMON if s.name == "CLUB_ENV"), *SETTINGS])
        if args.command == "new-master-key":
            print(base64.b64encode(os.urandom(DATA_KEY_BYTES)).decode())
        elif args.command == "new-data-key":
            if not 0 < args.version < 65536:
                parser.error("--version must be 1..65535")
            master_key = parse_master_key(config.master_key)
            if master_key is None and config.env == "production":
                raise ConfigError("CLUB_MASTER_KEY", "is required in production")
            print(data_key_entry(args.version, os.urandom(DATA_KEY_BYTES), master_key))
        else:
            vault = Vault.from_config(config)
            for version, kcv in sorted(vault.key_check_values().items()):
                print(f"version {version}  kcv {kcv}{'  (current)' if version == vault.current_version else ''}")
    except ConfigError as exc:
        sys.exit(f"configuration error: {exc}")


if __name__ == "__main__":
    main()
