"""500 members answer at once for 100 places, each with its own member token, over real
processes: exactly 100 accepted and charged, the other 400 waitlisted by tier (highest first)
then by time of reply, and no point taken from anyone without a place."""

from __future__ import annotations

import concurrent.futures
import random
import threading

from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.crm.v1 import crm_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.shared.tiers import LADDER
from tests import harness
from tests.crm.helpers import a_member, an_event, invite

MEMBERS = 500
PLACES = 100
PRICE = 100
POINTS = 1000


def test_500_concurrent_replies_for_100_places(stack, crm, cards, wallet):
    tiers = [random.choice(["", *LADDER]) for _ in range(MEMBERS)]
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        members = list(pool.map(lambda tier: a_member(cards, wallet, POINTS, tier), tiers))
    event = crm.CreateEvent(pb.CreateEventRequest(event=an_event(capacity=PLACES, points_price=PRICE)))
    assert invite(crm, event.event_id, member_ids=members)[-1].invited == MEMBERS

    tokens = {member: stack.token("member", subject=member) for member in members}
    start = threading.Barrier(MEMBERS)
    with harness.raw_channel(stack.address("crm")) as channel:
        stub = crm_pb2_grpc.CrmServiceStub(channel)

        def reply(member: str) -> pb.Invitation:
            start.wait()
            return stub.Rsvp(pb.RsvpRequest(event_id=event.event_id, member_id=member, accept=True),
                             metadata=(("authorization", f"Bearer {tokens[member]}"),), timeout=120)

        with concurrent.futures.ThreadPoolExecutor(MEMBERS) as pool:
            answers = list(pool.map(reply, members))

    states = [answer.state for answer in answers]
    assert states.count(pb.INVITATION_STATE_ACCEPTED) == PLACES
    assert states.count(pb.INVITATION_STATE_WAITLISTED) == MEMBERS - PLACES
    assert crm.GetEvent(pb.GetEventRequest(event_id=event.event_id)).accepted == PLACES

    # The waitlist: highest tier first, then the earliest reply.
    with stack.pg() as pg:
        rows = pg.execute("SELECT member_id, tier_rank, replied_at FROM crm.invitations"
                          " WHERE event_id = %s AND state = 'waitlisted'", (event.event_id,)).fetchall()
    expected = [member for member, _, _ in sorted(rows, key=lambda r: (-r[1], r[2], r[0]))]
    waitlist = crm.ListAttendees(pb.ListAttendeesRequest(event_id=event.event_id,
                                                         state=pb.INVITATION_STATE_WAITLISTED)).invitations
    assert [i.member_id for i in waitlist] == expected
    assert [i.waitlist_position for i in waitlist] == list(range(1, MEMBERS - PLACES + 1))
    ranks = [LADDER.index(i.tier) if i.tier in LADDER else 0 for i in waitlist]
    assert ranks == sorted(ranks, reverse=True)

    # Points charged exactly for the places.
    accepted = {a.member_id for a in answers if a.state == pb.INVITATION_STATE_ACCEPTED}
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        balances = dict(zip(members, pool.map(
            lambda m: wallet.GetMemberBalances(wpb.GetMemberBalancesRequest(member_id=m)).points_available, members),
            strict=True))
    assert {balances[m] for m in accepted} == {POINTS - PRICE}
    assert {balances[m] for m in set(members) - accepted} == {POINTS}
    assert sum(POINTS - b for b in balances.values()) == PLACES * PRICE
