"""The member at a glance: every part from its owner for one member; a member reads only its own;
an owner that is down makes its part unavailable, not the view. And crm keeps serving under
oversized and malformed requests."""

from __future__ import annotations

import time

import grpc
import pytest

from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.crm.v1 import crm_pb2_grpc
from services.gen.club.switch.v1 import authorization_pb2 as spb
from services.gen.club.switch.v1 import authorization_pb2_grpc
from tests import harness
from tests.crm.helpers import a_member, an_event, invite, rpc_error
from tests.switch.conftest import make_club
from tests.switch.helpers import new_id


@pytest.fixture(scope="module")
def club(stack):
    made = make_club(stack)
    stack.start("crm")
    return made


CONNECT_SECONDS = 30


def parts(view: pb.Member360) -> dict[str, bool]:
    return {part.part: part.available for part in view.parts}


def test_the_whole_member_from_its_owners(stack, club, crm):
    online = club.new_product(pin_required=False)
    card = club.card(credit=1_000_000, product=online)
    api = authorization_pb2_grpc.AuthorizationServiceStub(stack.channel("switch"))
    bought = [api.Authorize(spb.AuthorizeRequest(
        request_id=new_id(), channel="mobile", type=spb.TRANSACTION_TYPE_PURCHASE, pan=card.pan, expiry=card.expiry,
        cvv2=card.cvv2, merchant_id=club.merchant_id, amount=amount)).transaction_id for amount in (10_000, 20_000)]
    event = crm.CreateEvent(pb.CreateEventRequest(event=an_event()))
    invite(crm, event.event_id, member_ids=[card.member_id])
    opened = crm.RecordInteraction(pb.RecordInteractionRequest(
        member_id=card.member_id, channel=pb.INTERACTION_CHANNEL_BRANCH, kind=pb.INTERACTION_KIND_REQUEST,
        subject="افزایش سقف", link_kind=pb.LINK_KIND_TRANSACTION, link_id=bought[0]))
    crm.SetInterests(pb.SetInterestsRequest(member_id=card.member_id, categories=["travel"]))

    view = crm.GetMember360(pb.GetMember360Request(member_id=card.member_id))
    deadline = time.monotonic() + CONNECT_SECONDS
    while not all(parts(view).values()) and time.monotonic() < deadline:
        # crm may have started before an owner did: its channel reconnects with a backoff
        time.sleep(0.5)
        view = crm.GetMember360(pb.GetMember360Request(member_id=card.member_id))
    assert all(parts(view).values()) and set(parts(view)) == {
        "profile", "cards", "balances", "tier_progress", "transactions", "coupons", "events", "interactions",
        "interests"}
    assert view.tier_progress.qualifying_spend == 30_000 and view.tier_progress.next_tier
    assert view.profile.member_id == card.member_id
    assert [c.masked_pan[-4:] for c in view.cards] == [card.pan[-4:]] and card.pan not in str(view)
    assert view.balances.credit_available == 970_000
    assert view.tier == (view.profile.tier or "") and (view.next_tier or view.tier == "platinum")
    assert [t.transaction_id for t in view.transactions] == bought[::-1]  # newest first
    assert [i.event_id for i in view.invitations] == [event.event_id]
    assert [i.interaction_id for i in view.open_interactions] == [opened.interaction_id]
    assert list(view.interests) == ["travel"]

    other = card.member_id
    mine = club.card(credit=0, product=online).member_id
    with stack.channel("crm", token=stack.token("member", subject=mine)) as channel:
        member = crm_pb2_grpc.CrmServiceStub(channel)
        assert member.GetMember360(pb.GetMember360Request(member_id=mine)).member_id == mine
        denied = rpc_error(member.GetMember360, pb.GetMember360Request(member_id=other))
        assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
    unknown = rpc_error(crm.GetMember360, pb.GetMember360Request(member_id="no-such-member"))
    assert unknown.code() == grpc.StatusCode.NOT_FOUND and "member_id" in unknown.details()


def test_an_owner_down_makes_only_its_part_unavailable(isolated_stack):
    stack = isolated_stack()
    stack.start("cards", "wallet", "crm")  # tasheem and the switch are not running
    from services.gen.club.cards.v1 import cards_pb2_grpc
    from services.gen.club.wallet.v1 import wallet_pb2_grpc
    with stack.channel("cards") as c, stack.channel("wallet") as w, stack.channel("crm") as r:
        member = a_member(cards_pb2_grpc.CardServiceStub(c), wallet_pb2_grpc.WalletServiceStub(w), tier="silver")
        view = crm_pb2_grpc.CrmServiceStub(r).GetMember360(pb.GetMember360Request(member_id=member), timeout=20)
    available = parts(view)
    assert available == {"profile": True, "cards": True, "balances": True, "tier_progress": True,
                         "transactions": False, "coupons": False, "events": True, "interactions": True,
                         "interests": True}
    reasons = {p.part: p.reason for p in view.parts}
    assert "switch" in reasons["transactions"] and "tasheem" in reasons["coupons"]
    assert (view.tier, view.next_tier) == ("silver", "gold")


def test_crm_keeps_serving_under_oversized_and_malformed_requests(stack, crm, cards, wallet):
    member = a_member(cards, wallet)
    huge = "ب" * 3_000_000  # about 6 MB of UTF-8: past the server's message limit or the field's
    for call, request in [
        (crm.RecordInteraction, pb.RecordInteractionRequest(member_id=member, channel=pb.INTERACTION_CHANNEL_SMS,
                                                            kind=pb.INTERACTION_KIND_FEEDBACK, subject="s", body=huge)),
        (crm.RecordInteraction, pb.RecordInteractionRequest(member_id=member, channel=pb.INTERACTION_CHANNEL_SMS,
                                                            kind=pb.INTERACTION_KIND_FEEDBACK, subject="s",
                                                            body="x" * 5000)),
        (crm.SetInterests, pb.SetInterestsRequest(member_id=member, categories=["c"] * 10_000)),
        (crm.GetMember360, pb.GetMember360Request(member_id="x" * 10_000)),
    ]:
        assert rpc_error(call, request, timeout=30).code() in (grpc.StatusCode.INVALID_ARGUMENT,
                                                               grpc.StatusCode.RESOURCE_EXHAUSTED)
    # Bytes that are no protobuf message at all.
    with harness.raw_channel(stack.address("crm")) as channel:
        garbage = channel.unary_unary("/club.crm.v1.CrmService/RecordInteraction",
                                      request_serializer=lambda raw: raw, response_deserializer=lambda raw: raw)
        with pytest.raises(grpc.RpcError) as info:
            garbage(b"\xff\xfe\x00garbage\x80\x80\x80", metadata=[("authorization", f"Bearer {stack.token()}")],
                    timeout=10)
        # grpc refuses it before any handler runs (UNKNOWN: the request did not parse)
        assert info.value.code() in (grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL, grpc.StatusCode.INVALID_ARGUMENT)
    made = crm.RecordInteraction(pb.RecordInteractionRequest(
        member_id=member, channel=pb.INTERACTION_CHANNEL_EMAIL, kind=pb.INTERACTION_KIND_QUESTION, subject="بعد"))
    assert made.status == pb.INTERACTION_STATUS_OPEN
