"""mTLS files and peers.

CLUB_TLS_DIR holds ca.pem (the club's CA) and, per process, <name>.pem and <name>-key.pem
(made by `make certs`, mounted from a Secret in Kubernetes). Servers require a client
certificate signed by that CA; a certificate's common name is the process's name.
"""

from __future__ import annotations

import pathlib

from .config import ConfigError

# The processes that may present a `service` token (the `cli` certificate may not).
SERVICE_NAMES = ("cards", "wallet", "tasheem", "switch", "crm")
CA_FILE = "ca.pem"


def cert_file(tls_dir: str, name: str) -> pathlib.Path:
    return pathlib.Path(tls_dir) / f"{name}.pem"


def key_file(tls_dir: str, name: str) -> pathlib.Path:
    return pathlib.Path(tls_dir) / f"{name}-key.pem"


def check_dir(tls_dir: str, name: str) -> None:
    """ConfigError naming the first missing file, so a bad mount fails at start, not at first call."""
    for path in (pathlib.Path(tls_dir) / CA_FILE, cert_file(tls_dir, name), key_file(tls_dir, name)):
        if not path.is_file():
            raise ConfigError("CLUB_TLS_DIR", f"{path} is missing (run `make certs` or mount the Secret)")


def peer_common_name(context) -> str | None:
    """The common name of the peer's verified certificate; None on a plaintext connection."""
    names = context.auth_context().get("x509_common_name")
    return names[0].decode() if names else None
