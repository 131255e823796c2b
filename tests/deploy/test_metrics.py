"""The metrics the alerts stand on, from a real process: losing Redis shows up as
club_dependency_errors_total{dependency="redis"}, next to the failed call's status code."""

from __future__ import annotations

import re
import urllib.request

import grpc
import pytest

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from tests import harness

VISA_TEST_PAN = "4111111111111111"


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        return reply.read().decode()


def sample(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"^{name}\{{(.*)\}} (\S+)$", line)
        if match and all(f'{k}="{v}"' in match.group(1) for k, v in labels.items()):
            total += float(match.group(2))
    return total


def test_a_lost_redis_is_counted_as_a_dependency_error(isolated_stack):
    metrics_port = harness.free_port()
    stack = isolated_stack(CLUB_METRICS_PORT=str(metrics_port))
    stack.start("cards")
    assert sample(scrape(metrics_port), "club_dependency_errors_total", service="cards", dependency="redis") == 0

    stack.redis_server.stop()
    stub = cards_pb2_grpc.CardServiceStub(stack.channel("cards"))
    with pytest.raises(grpc.RpcError):
        stub.AuthorizeCard(cards_pb2.AuthorizeCardRequest(pan=VISA_TEST_PAN, processing_code="000000"), timeout=30)

    text = scrape(metrics_port)
    assert sample(text, "club_dependency_errors_total", service="cards", dependency="redis") == 1
    assert sample(text, "club_dependency_errors_total", service="cards", dependency="postgres") == 0
    failed = sum(sample(text, "club_rpc_requests_total", service="cards", method="AuthorizeCard", code=code)
                 for code in ("INTERNAL", "UNAVAILABLE"))
    assert failed == 1
