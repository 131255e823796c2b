"""mTLS between services and from the CLI: only certificates from the club's CA get in."""

from __future__ import annotations

import pathlib

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from tests import harness

REFUSALS = (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)


def call_status(channel: grpc.Channel) -> grpc.StatusCode:
    try:
        cards_pb2_grpc.CardServiceStub(channel).ListMembers(cards_pb2.ListMembersRequest(), timeout=5)
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def secure(address: str, ca: pathlib.Path, client: pathlib.Path, name: str) -> grpc.Channel:
    credentials = grpc.ssl_channel_credentials(root_certificates=(ca / "ca.pem").read_bytes(),
                                               private_key=(client / f"{name}-key.pem").read_bytes(),
                                               certificate_chain=(client / f"{name}.pem").read_bytes())
    return grpc.secure_channel(address, credentials)


def test_club_certificate_and_token_get_in(tls_stack):
    with tls_stack.channel("cards") as channel:
        assert call_status(channel) not in REFUSALS + (grpc.StatusCode.UNAVAILABLE,)
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_plaintext_client_is_refused_by_a_tls_server(tls_stack):
    with harness.authed_channel(tls_stack.address("cards")) as channel:
        assert call_status(channel) == grpc.StatusCode.UNAVAILABLE


def test_client_certificate_from_another_ca_is_refused(tls_stack, cert_dir, foreign_cert_dir):
    # Trusts the club's server, but presents a certificate the club's CA never signed.
    channel = harness.auth.with_token(secure(tls_stack.address("cards"), cert_dir, foreign_cert_dir, "cli"),
                                      tls_stack.token())
    with channel:
        assert call_status(channel) == grpc.StatusCode.UNAVAILABLE


def test_client_without_certificate_is_refused(tls_stack, cert_dir):
    credentials = grpc.ssl_channel_credentials(root_certificates=(cert_dir / "ca.pem").read_bytes())
    with harness.auth.with_token(grpc.secure_channel(tls_stack.address("cards"), credentials),
                                 tls_stack.token()) as channel:
        assert call_status(channel) == grpc.StatusCode.UNAVAILABLE


def test_cli_certificate_cannot_present_a_service_token(tls_stack):
    with tls_stack.channel("cards", role="service") as channel:
        try:
            cards_pb2_grpc.CardServiceStub(channel).AuthorizeCard(cards_pb2.AuthorizeCardRequest(pan="6037990000000006"),
                                                                  timeout=5)
            code = grpc.StatusCode.OK
        except grpc.RpcError as error:
            code = error.code()
    assert code == grpc.StatusCode.PERMISSION_DENIED


def test_service_certificate_may_present_a_service_token(tls_stack, cert_dir):
    channel = harness.auth.with_token(secure(tls_stack.address("cards"), cert_dir, cert_dir, "switch"),
                                      tls_stack.token("service", subject="switch"))
    with channel:
        try:
            cards_pb2_grpc.CardServiceStub(channel).AuthorizeCard(cards_pb2.AuthorizeCardRequest(pan="6037990000000006"),
                                                                  timeout=5)
            code = grpc.StatusCode.OK
        except grpc.RpcError as error:
            code = error.code()
    assert code not in REFUSALS + (grpc.StatusCode.UNAVAILABLE,)


@pytest.mark.parametrize("name", ["cards", "wallet", "tasheem", "switch", "cli"])
def test_certificates_name_their_process_and_cover_local_and_cluster_names(cert_dir, name):
    from cryptography import x509

    cert = x509.load_pem_x509_certificate((cert_dir / f"{name}.pem").read_bytes())
    assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == name
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns = sans.get_values_for_type(x509.DNSName)
    assert {"localhost", name, f"{name}.club.svc.cluster.local"} <= set(dns)
    assert [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)][0] == "127.0.0.1"
    assert oct((cert_dir / f"{name}-key.pem").stat().st_mode & 0o777) == "0o600"
