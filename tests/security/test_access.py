"""Who may call what: every refusal a caller can meet, proven against running services.

Calls that pass the access check reach the service's own handler, so "allowed" is shown
by any answer other than UNAUTHENTICATED / PERMISSION_DENIED (the handler may still say
NOT_FOUND or INVALID_ARGUMENT for the made-up ids used here)."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.crm.v1 import crm_pb2
from services.gen.club.switch.v1 import authorization_pb2
from services.gen.club.tasheem.v1 import tasheem_pb2, tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2
from services.shared import auth, auth_policy
from tests import harness

REFUSALS = (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)
JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")


def status_of(call, request) -> grpc.StatusCode:
    try:
        call(request, timeout=10)
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def cards_stub(stack, **channel_args) -> cards_pb2_grpc.CardServiceStub:
    return cards_pb2_grpc.CardServiceStub(stack.channel("cards", **channel_args))


def test_no_token_is_unauthenticated(stack):
    stub = cards_pb2_grpc.CardServiceStub(grpc.insecure_channel(stack.address("cards")))
    assert status_of(stub.GetMember, cards_pb2.GetMemberRequest(member_id="m-1")) == grpc.StatusCode.UNAUTHENTICATED
    assert status_of(stub.RegisterMember, cards_pb2.RegisterMemberRequest(phone="09120000000")) == \
        grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize("token", ["", "not-a-jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."])
def test_malformed_token_is_unauthenticated(stack, token):
    stub = cards_stub(stack, token=token)
    assert status_of(stub.GetMember, cards_pb2.GetMemberRequest(member_id="m-1")) == grpc.StatusCode.UNAUTHENTICATED


def test_expired_token_is_unauthenticated(stack):
    expired = auth.issue_token(harness.TEST_AUTH_SECRET.encode(), "operator", "old", ttl_seconds=60,
                               now=time.time() - 3600)
    stub = cards_stub(stack, token=expired)
    assert status_of(stub.GetMember, cards_pb2.GetMemberRequest(member_id="m-1")) == grpc.StatusCode.UNAUTHENTICATED


def test_token_signed_with_another_secret_is_unauthenticated(stack):
    forged = auth.issue_token(b"some-other-secret-of-32-bytes-or-more!!", "operator", "mallory")
    stub = cards_stub(stack, token=forged)
    assert status_of(stub.ListMembers, cards_pb2.ListMembersRequest()) == grpc.StatusCode.UNAUTHENTICATED


def test_health_is_open_without_token(stack):
    with grpc.insecure_channel(stack.address("cards")) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_auditor_reads_but_may_not_change(stack):
    stub = cards_stub(stack, role="auditor")
    assert status_of(stub.ListMembers, cards_pb2.ListMembersRequest()) not in REFUSALS
    assert status_of(stub.RegisterMember, cards_pb2.RegisterMemberRequest(phone="09120000001")) == \
        grpc.StatusCode.PERMISSION_DENIED
    # Key material is not "read-only everything".
    assert status_of(stub.GetTerminalKeys, cards_pb2.GetTerminalRequest(terminal_id="T0000001")) == \
        grpc.StatusCode.PERMISSION_DENIED


def test_merchant_reads_only_its_own_terminals(stack):
    stub = cards_stub(stack, role="merchant", merchant_id="M-OWN")
    assert status_of(stub.ListTerminals, cards_pb2.ListTerminalsRequest(merchant_id="M-OWN")) not in REFUSALS
    assert status_of(stub.ListTerminals, cards_pb2.ListTerminalsRequest(merchant_id="M-OTHER")) == \
        grpc.StatusCode.PERMISSION_DENIED
    # Naming no merchant would mean "all of them".
    assert status_of(stub.ListTerminals, cards_pb2.ListTerminalsRequest()) == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize("method, request_message", [
    ("ListMembers", cards_pb2.ListMembersRequest()),
    ("GetMember", cards_pb2.GetMemberRequest(member_id="m-1")),
    ("RegisterTerminal", cards_pb2.RegisterTerminalRequest(terminal_id="T0000009", merchant_id="M-OWN")),
    ("ChangeTerminalStatus", cards_pb2.ChangeTerminalStatusRequest(terminal_id="T0000009")),
    ("AuthorizeCard", cards_pb2.AuthorizeCardRequest(pan="6037990000000006")),
])
def test_merchant_may_do_nothing_else(stack, method, request_message):
    stub = cards_stub(stack, role="merchant", merchant_id="M-OWN")
    assert status_of(getattr(stub, method), request_message) == grpc.StatusCode.PERMISSION_DENIED


def test_service_token_may_authorize_but_not_manage(stack):
    stub = cards_stub(stack, role="service")
    assert status_of(stub.AuthorizeCard, cards_pb2.AuthorizeCardRequest(pan="6037990000000006")) not in REFUSALS
    # (RegisterMember and IssueCard are crm's, for a member joining through the portal.)
    assert status_of(stub.CreateProduct, cards_pb2.CreateProductRequest(name="x")) == grpc.StatusCode.PERMISSION_DENIED
    assert status_of(stub.ChangeCardStatus, cards_pb2.ChangeCardStatusRequest(card_token="ct_x")) == \
        grpc.StatusCode.PERMISSION_DENIED


def test_merchant_cannot_read_another_merchants_statement(stack):
    if "tasheem" not in harness.available_services():
        pytest.skip("tasheem service not present in this tree yet")
    stub = tasheem_pb2_grpc.TasheemServiceStub(stack.channel("tasheem", role="merchant", merchant_id="M-OWN"))
    other = tasheem_pb2.GetMerchantStatementRequest(batch_id="b-1", merchant_id="M-OTHER")
    own = tasheem_pb2.GetMerchantStatementRequest(batch_id="b-1", merchant_id="M-OWN")
    assert status_of(stub.GetMerchantStatement, other) == grpc.StatusCode.PERMISSION_DENIED
    assert status_of(stub.GetMerchantStatement, own) not in REFUSALS
    assert status_of(stub.GetFunderStatement, tasheem_pb2.GetFunderStatementRequest(batch_id="b-1", party_id="bank")) \
        == grpc.StatusCode.PERMISSION_DENIED


def test_refusals_are_logged_without_the_token(stack):
    token = stack.token("merchant", "M-LOGGED", subject="log-scan")
    stub = cards_stub(stack, token=token)
    assert status_of(stub.ListMembers, cards_pb2.ListMembersRequest()) == grpc.StatusCode.PERMISSION_DENIED
    stub = cards_stub(stack, token=token + "x")
    assert status_of(stub.ListMembers, cards_pb2.ListMembersRequest()) == grpc.StatusCode.UNAUTHENTICATED
    log = stack.services["cards"].log_text()
    refusals = [line for line in log.splitlines() if '"refused /club.cards.v1.CardService/ListMembers' in line]
    assert any('"subject": "log-scan"' in line and "PERMISSION_DENIED" in line for line in refusals)
    assert any("UNAUTHENTICATED" in line for line in refusals)
    assert token not in log


def test_no_token_ever_reaches_any_service_log(stack):
    """Every log the shared stack's services wrote, by every test so far: no JWT anywhere."""
    stub = cards_stub(stack, role="operator")
    status_of(stub.RegisterMember, cards_pb2.RegisterMemberRequest(phone="09120000003"))
    logs = {name: service.log_text() for name, service in stack.services.items()}
    assert logs["cards"]
    for name, text in logs.items():
        assert not JWT_RE.search(text), f"a token appears in the {name} log"


def test_policy_names_every_method_of_every_service():
    declared = set()
    for module, service in [(cards_pb2, "CardService"), (wallet_pb2, "WalletService"),
                            (tasheem_pb2, "TasheemService"), (authorization_pb2, "AuthorizationService"),
                            (crm_pb2, "CrmService")]:
        descriptor = module.DESCRIPTOR.services_by_name[service]
        declared |= {f"/{descriptor.full_name}/{method.name}" for method in descriptor.methods}
    assert set(auth_policy.POLICY) == declared
    for method, rule in auth_policy.POLICY.items():
        if rule.merchant_field or rule.merchant_result_field:
            assert auth_policy.MERCHANT in rule.roles, method


def test_unlisted_method_is_operator_only():
    rule = auth_policy.rule_for("/club.cards.v1.CardService/SomethingNew")
    assert rule.roles == {auth_policy.OPERATOR} and not rule.reads


@pytest.mark.parametrize("missing, env", [
    ("CLUB_TLS_DIR", {"CLUB_ENV": "production", "CLUB_AUTH_SECRET": "x" * 40}),
    ("CLUB_AUTH_SECRET", {"CLUB_ENV": "production", "CLUB_TLS_DIR": "/nonexistent"}),
    ("CLUB_AUTH_REQUIRED", {"CLUB_ENV": "production", "CLUB_AUTH_SECRET": "x" * 40, "CLUB_TLS_DIR": "/nonexistent",
                            "CLUB_AUTH_REQUIRED": "false"}),
    ("CLUB_TLS_DIR", {"CLUB_TLS_DIR": "/nonexistent"}),
])
def test_unsafe_security_configuration_refuses_to_start(stack, missing, env):
    full = {**stack.env("cards"), "CLUB_DATA_KEYS": "", "CLUB_TLS_DIR": "", "CLUB_AUTH_SECRET": "", **env}
    result = subprocess.run([sys.executable, "-m", "services.cards"], env=full, cwd=harness.ROOT,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "configuration error" in result.stderr and missing in result.stderr
    assert "x" * 40 not in result.stderr


def test_token_command_issues_a_merchant_token():
    result = subprocess.run([sys.executable, "-m", "services.shared.auth", "issue", "--role", "merchant",
                             "--merchant-id", "M1", "--subject", "ali", "--ttl", "3600"],
                            env={"CLUB_ENV": "test", "CLUB_AUTH_SECRET": harness.TEST_AUTH_SECRET, "PATH": ""},
                            cwd=harness.ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    caller = auth.Verifier(harness.TEST_AUTH_SECRET.encode()).verify(result.stdout.strip())
    assert (caller.subject, caller.role, caller.merchant_id) == ("ali", "merchant", "M1")


def test_merchant_token_needs_a_merchant_id():
    with pytest.raises(ValueError):
        auth.issue_token(b"k" * 32, "merchant", "ali")


def test_merchant_reads_its_own_terminal_but_not_anothers(stack):
    operator = cards_stub(stack)
    own = operator.RegisterTerminal(cards_pb2.RegisterTerminalRequest(terminal_id="TSECOWN1", merchant_id="MSECOWN"))
    other = operator.RegisterTerminal(cards_pb2.RegisterTerminalRequest(terminal_id="TSECOTH1", merchant_id="MSECOTHER"))
    merchant = cards_stub(stack, role="merchant", merchant_id="MSECOWN")
    assert merchant.GetTerminal(cards_pb2.GetTerminalRequest(terminal_id=own.terminal_id)).merchant_id == "MSECOWN"
    assert status_of(merchant.GetTerminal, cards_pb2.GetTerminalRequest(terminal_id=other.terminal_id)) == \
        grpc.StatusCode.PERMISSION_DENIED
    listed = merchant.ListTerminals(cards_pb2.ListTerminalsRequest(merchant_id="MSECOWN"))
    assert [t.terminal_id for t in listed.terminals] == [own.terminal_id]


def test_service_channels_carry_a_service_token_and_cli_channels_a_persons(stack, monkeypatch):
    """services.shared.clients.channel, as the services (and the CLI) build it."""
    import asyncio

    from services.shared import clients

    monkeypatch.setenv("CLUB_ENV", "test")
    monkeypatch.setenv("CLUB_AUTH_SECRET", harness.TEST_AUTH_SECRET)

    async def calls():
        async with clients.channel(stack.address("cards"), client_name="switch") as service:
            stub = cards_pb2_grpc.CardServiceStub(service)
            authorized = await stub.AuthorizeCard(cards_pb2.AuthorizeCardRequest(
                pan="6037990000000006", processing_code="000000", amount=1000), timeout=10)
            with pytest.raises(grpc.aio.AioRpcError) as denied:
                await stub.CreateProduct(cards_pb2.CreateProductRequest(name="x"), timeout=10)
        async with clients.channel(stack.address("cards"), client_name="cli", token=stack.token("operator")) as cli:
            member = await cards_pb2_grpc.CardServiceStub(cli).RegisterMember(
                cards_pb2.RegisterMemberRequest(phone="09123333334", first_name="Reza"), timeout=10)
        return authorized, denied.value.code(), member

    authorized, denied_code, member = asyncio.run(calls())
    assert authorized.response_code == "14"  # answered: an unknown card, not a refusal of the caller
    assert denied_code == grpc.StatusCode.PERMISSION_DENIED
    assert member.member_id
