"""The service runtime every process shares: health, reflection, graceful shutdown,
configuration errors, metrics, log masking."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.shared import config as cfg
from services.shared import logs, money
from services.shared.pan import luhn_check_digit, luhn_valid, mask
from tests import harness


def test_service_reports_serving_and_lists_its_api_through_reflection(stack):
    with stack.channel("cards") as channel:
        status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="club.cards.v1.CardService"))
        assert status.status == health_pb2.HealthCheckResponse.SERVING
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        names = {s.name for reply in replies for s in reply.list_services_response.service}
    assert {"club.cards.v1.CardService", "grpc.health.v1.Health"} <= names


def test_sigterm_drains_and_exits_cleanly(isolated_stack):
    own = isolated_stack()
    own.start("cards")
    service = own.services["cards"]
    assert service.stop() == 0
    assert "stopped" in service.log_text()


def test_bad_setting_is_refused_with_the_variable_named(stack):
    env = {**stack.env("cards"), "CLUB_GRPC_PORT": "99999"}
    result = subprocess.run([sys.executable, "-m", "services.cards"], env=env, cwd=harness.ROOT,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "CLUB_GRPC_PORT" in result.stderr and "99999" in result.stderr


def test_a_second_process_on_a_port_in_use_fails_to_start_instead_of_sharing_it(stack):
    result = subprocess.run([sys.executable, "-m", "services.cards"], env=stack.env("cards"), cwd=harness.ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "cannot listen" in result.stdout + result.stderr
    with stack.channel("cards") as channel:  # the first one keeps serving
        status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
    assert status.status == health_pb2.HealthCheckResponse.SERVING


def test_secret_settings_are_not_echoed_in_errors():
    setting = cfg.Setting("CLUB_X_KEY", "", cfg.positive_int, "", secret=True)
    with pytest.raises(cfg.ConfigError) as info:
        cfg.load([setting], {"CLUB_X_KEY": "s3cr3t"})
    assert "CLUB_X_KEY" in str(info.value) and "s3cr3t" not in str(info.value)


def test_metrics_endpoint_counts_rpcs_by_status(isolated_stack):
    port = harness.free_port()
    own = isolated_stack(CLUB_METRICS_PORT=str(port))
    with own.channel("cards") as channel:
        with pytest.raises(grpc.RpcError) as info:
            cards_pb2_grpc.CardServiceStub(channel).GetMember(cards_pb2.GetMemberRequest(member_id=""))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "member_id" in info.value.details()
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    assert 'club_rpc_requests_total{code="INVALID_ARGUMENT",method="GetMember",service="cards"} 1.0' in body


@pytest.mark.parametrize("line", [
    "pan 6037997712345678 declined",
    "track2=6037997712345678=2812101",
])
def test_log_masking_leaves_bin_and_last_four(line):
    masked = logs.mask_text(line)
    assert "6037997712345678" not in masked and "603799******5678" in masked


def test_log_masking_redacts_hex_secrets_and_drops_secret_fields(capsys):
    log = logs.setup("t", fmt="json")
    log.info("block 0412AC89ABCDEF67 key 0123456789ABCDEFFEDCBA9876543210",
             extra={"pin_block": "0412AC89ABCDEF67", "terminal_id": "T1000001"})
    err = capsys.readouterr().err
    assert "0412AC89ABCDEF67" not in err and "0123456789ABCDEF" not in err
    assert "pin_block" not in err and "T1000001" in err


def test_luhn_known_vectors():
    assert luhn_check_digit("7992739871") == "3"
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert mask("6037991234567893") == "603799******7893"


def test_allocation_known_split_puts_remainder_on_named_party():
    assert money.allocate(1001, remainder_to="club", weights={"bank": 5000, "club": 3000, "merchant": 2000}) == {
        "bank": 500, "club": 301, "merchant": 200}
