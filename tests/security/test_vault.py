"""Envelope encryption of data keys, key check values, and the old unwrapped format."""

from __future__ import annotations

import base64
import os
from types import SimpleNamespace

import pytest

from services.shared import vault
from services.shared.config import ConfigError

MASTER = os.urandom(32)
OLD_KEY, NEW_KEY, HMAC_KEY = os.urandom(32), os.urandom(32), os.urandom(32)


def config(data_keys: str, master: bytes | None = MASTER, env: str = "test", version: int = 0) -> SimpleNamespace:
    return SimpleNamespace(env=env, data_keys=data_keys, data_key_version=version,
                           pan_hmac_key=base64.b64encode(HMAC_KEY).decode(),
                           master_key=base64.b64encode(master).decode() if master else "")


def test_kcv_of_the_all_zero_aes256_key_is_the_published_vector():
    # FIPS-197 / NIST AESAVS: AES-256, zero key, zero block -> DC95C078...
    assert vault.key_check_value(bytes(32)) == "DC95C0"


def test_wrapped_keys_unwrap_and_old_ciphertexts_stay_readable_after_rotation():
    one = vault.Vault.from_config(config(vault.data_key_entry(1, OLD_KEY, MASTER)))
    sealed_under_one = one.encrypt(b"6037991234567893", b"aad")
    both = vault.Vault.from_config(config(",".join([vault.data_key_entry(1, OLD_KEY, MASTER),
                                                    vault.data_key_entry(2, NEW_KEY, MASTER)])))
    assert both.current_version == 2
    assert both.decrypt(sealed_under_one, b"aad") == b"6037991234567893"
    assert vault.Vault.key_version(both.encrypt(b"x")) == 2
    assert both.key_check_values() == {1: vault.key_check_value(OLD_KEY), 2: vault.key_check_value(NEW_KEY)}


def test_the_unwrapped_format_of_today_still_works_outside_production():
    plain = f"1:{base64.b64encode(OLD_KEY).decode()}"
    sealed = vault.Vault.from_config(config(plain, master=None)).encrypt(b"p")
    assert vault.Vault.from_config(config(vault.data_key_entry(1, OLD_KEY, MASTER))).decrypt(sealed) == b"p"


def test_a_wrong_master_key_is_refused_at_start():
    with pytest.raises(ConfigError, match="CLUB_DATA_KEYS.*unwrap"):
        vault.Vault.from_config(config(vault.data_key_entry(1, OLD_KEY, MASTER), master=os.urandom(32)))


def test_a_mismatched_kcv_is_refused_at_start():
    entry = vault.data_key_entry(1, OLD_KEY, MASTER).rsplit(":", 1)[0] + ":000000"
    with pytest.raises(ConfigError, match="key check value"):
        vault.Vault.from_config(config(entry))


def test_production_requires_a_master_key_and_wrapped_keys():
    plain = f"1:{base64.b64encode(OLD_KEY).decode()}"
    with pytest.raises(ConfigError, match="CLUB_MASTER_KEY"):
        vault.Vault.from_config(config(vault.data_key_entry(1, OLD_KEY, MASTER), master=None, env="production"))
    with pytest.raises(ConfigError, match="wrapped"):
        vault.Vault.from_config(config(plain, env="production"))
    assert vault.Vault.from_config(config(vault.data_key_entry(1, OLD_KEY, MASTER), env="production")).current_version == 1


def test_errors_never_quote_key_material():
    entry = vault.data_key_entry(1, OLD_KEY, MASTER)
    with pytest.raises(ConfigError) as info:
        vault.Vault.from_config(config(entry, master=os.urandom(32)))
    assert entry.split(":")[2] not in str(info.value)
