"""Certificates and an mTLS stack for the security tests."""

from __future__ import annotations

import os

import pytest

from tests import harness

load_script = harness.load_script
make_certs = load_script("make_certs")


@pytest.fixture(scope="session")
def cert_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("certs")
    make_certs.write_bundle(path)
    return path


@pytest.fixture(scope="session")
def foreign_cert_dir(tmp_path_factory):
    """A complete bundle from another CA: valid-looking certificates the club never issued."""
    path = tmp_path_factory.mktemp("foreign-certs")
    make_certs.write_bundle(path, ca_name="Another CA")
    return path


@pytest.fixture(scope="module")
def tls_stack(infra, cert_dir, tmp_path_factory):
    stack = harness.Stack(tmp_path_factory.mktemp("tls-stack"), f"club_tls_{os.getpid()}",
                          {"CLUB_TLS_DIR": str(cert_dir)})
    yield stack
    stack.close()
