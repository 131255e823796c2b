"""What a page costs the services: the portal counts the gRPC calls each page makes and says so
(X-Grpc-Calls). The home page gathers everything in one aggregate call (crm GetMemberHome), within
the budget of three."""

from __future__ import annotations

import asyncio

import httpx

from services.portal.backends import HOME_CALLS_MAX
from tests.portal.support import http_sign_in


def test_the_home_page_makes_at_most_three_grpc_calls(portal, sms_sink, club):
    member = club.member(points=500)

    async def visit() -> dict[str, int]:
        async with httpx.AsyncClient(base_url=portal.url, timeout=30) as client:
            await http_sign_in(client, sms_sink, member["phone"])
            calls = {}
            for path in ("/home", "/transactions", "/coupons"):
                answer = await client.get(path)
                assert answer.status_code == 200, path
                calls[path] = int(answer.headers["x-grpc-calls"])
            return calls

    calls = asyncio.run(visit())
    assert 1 <= calls["/home"] <= HOME_CALLS_MAX
    assert all(count >= 1 for count in calls.values())  # every page is counted, none served from nowhere
