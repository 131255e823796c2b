"""Development mTLS material: a CA and one certificate per process.

    python scripts/make_certs.py certs                    # `make certs`
    python scripts/make_certs.py certs --namespace club --san club.example.org

Writes <dir>/ca.pem, ca-key.pem, and <name>.pem + <name>-key.pem for every service and
the `cli` client. Each certificate's common name is the process's name (the servers use it
to tell services from the CLI) and its SANs cover localhost, 127.0.0.1, the bare service
name (docker compose) and the Kubernetes service names. Keys are ECDSA P-256, files 0600.
Existing files are kept unless --force: re-running must not silently invalidate a CA that
certificates were already issued from.
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import os
import pathlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SERVICES = ("cards", "wallet", "tasheem", "switch", "crm")
CLIENTS = ("cli", "portal")  # the portal presents its own certificate, but carries people's tokens
CA_DAYS = 3650
LEAF_DAYS = 825
DEFAULT_NAMESPACE = "club"
ORGANIZATION = "Club development"


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_ca(common_name: str = "Club development CA") -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(_name(common_name)).issuer_name(_name(common_name))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def sans_for(name: str, namespace: str, extra: list[str]) -> list[x509.GeneralName]:
    dns = ["localhost", name, f"{name}.{namespace}", f"{name}.{namespace}.svc", f"{name}.{namespace}.svc.cluster.local",
           *extra]
    return [*(x509.DNSName(d) for d in dict.fromkeys(dns)), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1"))]


def make_leaf(name: str, ca_cert: x509.Certificate, ca_key, namespace: str = DEFAULT_NAMESPACE,
              extra_sans: list[str] | None = None) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(_name(name)).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=LEAF_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, content_commitment=False,
                                         data_encipherment=False, key_agreement=True, key_cert_sign=False, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            # Every process is a server to its callers and a client of the others.
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectAlternativeName(sans_for(name, namespace, extra_sans or [])), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert, key


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _write(path: pathlib.Path, data: bytes, secret: bool) -> None:
    path.write_bytes(data)
    os.chmod(path, 0o600 if secret else 0o644)


def write_bundle(out: pathlib.Path, names: tuple[str, ...] = SERVICES + CLIENTS, namespace: str = DEFAULT_NAMESPACE,
                 extra_sans: list[str] | None = None, ca_name: str = "Club development CA") -> None:
    """A fresh CA and a certificate per name in `out` (created)."""
    out.mkdir(parents=True, exist_ok=True)
    ca_cert, ca_key = make_ca(ca_name)
    _write(out / "ca.pem", _cert_pem(ca_cert), secret=False)
    _write(out / "ca-key.pem", _key_pem(ca_key), secret=True)
    for name in names:
        cert, key = make_leaf(name, ca_cert, ca_key, namespace, extra_sans)
        _write(out / f"{name}.pem", _cert_pem(cert), secret=False)
        _write(out / f"{name}-key.pem", _key_pem(key), secret=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", nargs="?", default="certs")
    parser.add_argument("--namespace", default=DEFAULT_NAMESPACE, help="Kubernetes namespace for the SANs")
    parser.add_argument("--san", action="append", default=[], help="extra DNS name for every certificate")
    parser.add_argument("--force", action="store_true", help="replace an existing CA and certificates")
    args = parser.parse_args(argv)
    out = pathlib.Path(args.directory)
    if (out / "ca.pem").exists() and not args.force:
        print(f"{out}/ca.pem exists; keeping it (use --force to make a new CA and certificates)")
        return
    write_bundle(out, namespace=args.namespace, extra_sans=args.san)
    names = ", ".join(SERVICES + CLIENTS)
    print(f"wrote {out}/ca.pem and certificates for {names}; set CLUB_TLS_DIR={out.resolve()}", file=sys.stdout)


if __name__ == "__main__":
    main()
