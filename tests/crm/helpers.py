"""Events, members and replies as a client of crm would make them."""

from __future__ import annotations

import datetime as dt
import uuid

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from tests.cards.helpers import member_request


def stamp(value: dt.datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(value.astimezone(dt.UTC))
    return result


def an_event(**overrides) -> pb.Event:
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=7)
    values = dict(title="جشن یلدای اعضا", description="شب یلدا با موسیقی سنتی", venue="باغ ایرانی، تهران",
                  starts_at=stamp(start), ends_at=stamp(start + dt.timedelta(hours=3)), capacity=10,
                  points_price=0, rsvp_deadline=stamp(start - dt.timedelta(days=1)))
    values.update(overrides)
    return pb.Event(**values)


def a_member(cards, wallet, points: int = 0, tier: str = "") -> str:
    member_id = cards.RegisterMember(member_request()).member_id
    if tier:
        cards.SetMemberTier(cards_pb2.SetMemberTierRequest(member_id=member_id, tier=tier, reason="test"))
    if points:
        reply = wallet.AdjustPoints(wpb.AdjustPointsRequest(transfer_id=f"adj-{uuid.uuid4().hex}", member_id=member_id,
                                                            points=points, reason="test", expires_in_days=365))
        assert reply.result == wpb.TRANSFER_RESULT_OK
    return member_id


def points_of(wallet, member_id: str) -> int:
    return wallet.GetMemberBalances(wpb.GetMemberBalancesRequest(member_id=member_id)).points_available


def invite(crm, event_id: str, member_ids=(), tiers=(), segments=()) -> list[pb.InviteProgress]:
    return list(crm.InviteAudience(pb.InviteAudienceRequest(event_id=event_id, member_ids=list(member_ids),
                                                            tiers=list(tiers), segments=list(segments))))


def rsvp(crm, event_id: str, member_id: str, accept: bool = True, **kwargs) -> pb.Invitation:
    return crm.Rsvp(pb.RsvpRequest(event_id=event_id, member_id=member_id, accept=accept), **kwargs)


def rpc_error(call, *args, **kwargs) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call(*args, **kwargs)
    return info.value
