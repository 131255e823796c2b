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
    with pytest.raises(grpc.RpcError) as failed_call:
        stub.AuthorizeCard(cards_pb2.AuthorizeCardRequest(pan=VISA_TEST_PAN, processing_code="000000"), timeout=30)
    assert failed_call.value.code() == grpc.StatusCode.UNAVAILABLE  # the caller may retry; not a bug of ours
    assert failed_call.value.details() == "redis is unavailable; retry"

    text = scrape(metrics_port)
    assert sample(text, "club_dependency_errors_total", service="cards", dependency="redis") == 1
    assert sample(text, "club_dependency_errors_total", service="cards", dependency="postgres") == 0
    assert sample(text, "club_rpc_requests_total", service="cards", method="AuthorizeCard", code="UNAVAILABLE") == 1
    assert sample(text, "club_rpc_requests_total", service="cards", method="AuthorizeCard", code="INTERNAL") == 0

    # The same, as an item of a batch: its own UNAVAILABLE, the batch call itself fine.
    batch = stub.AuthorizeCards(cards_pb2.AuthorizeCardsRequest(items=[
        cards_pb2.AuthorizeCardRequest(pan=VISA_TEST_PAN, processing_code="000000")]), timeout=30)
    assert [(item.error.code, item.error.message) for item in batch.items] == [
        (grpc.StatusCode.UNAVAILABLE.value[0], "redis is unavailable; retry")]
