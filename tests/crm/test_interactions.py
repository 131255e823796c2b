"""Interactions: recorded with their channel, kind and text as given, a status history, a member
token held to its own; the agents' queue by tier then age, with response targets."""

from __future__ import annotations

import grpc

from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.crm.v1 import crm_pb2_grpc
from tests.crm.helpers import a_member, rpc_error

HOSTILE = "<script>alert('x')</script> & \u202e سلام\n\t"


def contact(member_id: str, **overrides) -> pb.RecordInteractionRequest:
    values = dict(member_id=member_id, channel=pb.INTERACTION_CHANNEL_CALL_CENTRE, kind=pb.INTERACTION_KIND_COMPLAINT,
                  subject="کارت کار نمی‌کند", body="در فروشگاه رد شد")
    values.update(overrides)
    return pb.RecordInteractionRequest(**values)


def test_recorded_as_given_with_its_status_history(crm, cards, wallet):
    member = a_member(cards, wallet, tier="gold")
    made = crm.RecordInteraction(contact(member, subject=HOSTILE, body=HOSTILE, link_kind=pb.LINK_KIND_EVENT,
                                         link_id="ev-1"))
    assert (made.subject, made.body) == (HOSTILE, HOSTILE)  # stored as given, never escaped or trimmed
    assert made.status == pb.INTERACTION_STATUS_OPEN and made.tier == "gold" and made.agent
    assert made.due_at.ToSeconds() - made.created_at.ToSeconds() == 4 * 3600  # gold's target
    crm.ChangeInteractionStatus(pb.ChangeInteractionStatusRequest(
        interaction_id=made.interaction_id, status=pb.INTERACTION_STATUS_IN_PROGRESS, note="پیگیری با بانک"))
    done = crm.ChangeInteractionStatus(pb.ChangeInteractionStatusRequest(
        interaction_id=made.interaction_id, status=pb.INTERACTION_STATUS_RESOLVED))
    assert done.status == pb.INTERACTION_STATUS_RESOLVED and done.HasField("resolved_at")
    read = crm.GetInteraction(pb.GetInteractionRequest(member_id=member, interaction_id=made.interaction_id))
    assert [(c.from_status, c.to_status) for c in read.history] == [
        (pb.INTERACTION_STATUS_UNSPECIFIED, pb.INTERACTION_STATUS_OPEN),
        (pb.INTERACTION_STATUS_OPEN, pb.INTERACTION_STATUS_IN_PROGRESS),
        (pb.INTERACTION_STATUS_IN_PROGRESS, pb.INTERACTION_STATUS_RESOLVED)]
    assert read.history[1].note == "پیگیری با بانک"
    again = rpc_error(crm.ChangeInteractionStatus, pb.ChangeInteractionStatusRequest(
        interaction_id=made.interaction_id, status=pb.INTERACTION_STATUS_RESOLVED))
    assert again.code() == grpc.StatusCode.INVALID_ARGUMENT and "status" in again.details()
    assert crm.ListInteractions(pb.ListInteractionsRequest(member_id=member, open_only=True)).interactions == []


def test_refusals_name_their_field(crm, cards, wallet):
    member = a_member(cards, wallet)
    for request, field in [
        (contact(""), "member_id"),
        (contact(member, channel=pb.INTERACTION_CHANNEL_UNSPECIFIED), "channel"),
        (contact(member, kind=99), "kind"),
        (contact(member, subject="  "), "subject"),
        (contact(member, subject="x" * 201), "subject"),
        (contact(member, body="x" * 4001), "body"),
        (contact(member, body="a\x00b"), "body"),
        (contact(member, link_kind=pb.LINK_KIND_CARD), "link_id"),
        (contact(member, link_id="tx-1"), "link_kind"),
        (contact("no-such-member"), "member_id"),
    ]:
        error = rpc_error(crm.RecordInteraction, request)
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (field, error.details())
        assert error.details().startswith(field), (field, error.details())


def test_a_member_opens_its_own_through_the_portal_and_reads_only_its_own(stack, crm, cards, wallet):
    mine, theirs = a_member(cards, wallet), a_member(cards, wallet)
    others = crm.RecordInteraction(contact(theirs))
    with stack.channel("crm", token=stack.token("member", subject=mine)) as channel:
        member = crm_pb2_grpc.CrmServiceStub(channel)
        own = member.RecordInteraction(contact(mine, channel=pb.INTERACTION_CHANNEL_PORTAL,
                                               kind=pb.INTERACTION_KIND_QUESTION))
        assert own.agent == mine
        refused = rpc_error(member.RecordInteraction, contact(mine))  # call centre: an agent's channel
        assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT and refused.details().startswith("channel")
        assert [i.interaction_id for i in member.ListInteractions(
            pb.ListInteractionsRequest(member_id=mine)).interactions] == [own.interaction_id]
        for call, request in [
            (member.ListInteractions, pb.ListInteractionsRequest(member_id=theirs)),
            (member.RecordInteraction, contact(theirs, channel=pb.INTERACTION_CHANNEL_PORTAL)),
            (member.GetInteraction, pb.GetInteractionRequest(member_id=theirs, interaction_id=others.interaction_id)),
        ]:
            assert rpc_error(call, request).code() == grpc.StatusCode.PERMISSION_DENIED
        # Its own id with another's interaction: not found, nothing told.
        hidden = rpc_error(member.GetInteraction, pb.GetInteractionRequest(member_id=mine,
                                                                           interaction_id=others.interaction_id))
        assert hidden.code() == grpc.StatusCode.NOT_FOUND
        for call, request in [
            (member.ChangeInteractionStatus, pb.ChangeInteractionStatusRequest(
                interaction_id=own.interaction_id, status=pb.INTERACTION_STATUS_RESOLVED)),
            (member.ListWorkQueue, pb.ListWorkQueueRequest()),
        ]:
            assert rpc_error(call, request).code() == grpc.StatusCode.PERMISSION_DENIED


def test_the_queue_serves_the_highest_tier_first_then_the_oldest(stack, crm, cards, wallet):
    members = {tier: a_member(cards, wallet, tier=tier) for tier in ("", "bronze", "platinum", "gold")}
    made = {tier: crm.RecordInteraction(contact(member)).interaction_id for tier, member in members.items()}
    older_gold = made["gold"]
    newer_gold = crm.RecordInteraction(contact(members["gold"])).interaction_id
    items = [i.interaction_id for i in crm.ListWorkQueue(pb.ListWorkQueueRequest(limit=1000)).items]
    mine = [i for i in items if i in (*made.values(), newer_gold)]
    assert mine == [made["platinum"], older_gold, newer_gold, made["bronze"], made[""]]
    only_gold = crm.ListWorkQueue(pb.ListWorkQueueRequest(tier="gold", limit=1000)).items
    assert {i.tier for i in only_gold} == {"gold"}
    # Past its target: overdue in the queue and in the backlog of its tier.
    with stack.pg() as conn:
        conn.execute("UPDATE crm.interactions SET due_at = now() - interval '1 minute' WHERE interaction_id = %s",
                     (made["platinum"],))
    queue = crm.ListWorkQueue(pb.ListWorkQueueRequest(tier="platinum", limit=1000))
    assert [i.overdue for i in queue.items if i.interaction_id == made["platinum"]] == [True]
    backlog = {b.tier: b for b in queue.backlog}
    assert backlog["platinum"].overdue >= 1 and backlog["platinum"].target_minutes == 60
    assert [b.tier for b in queue.backlog] == ["platinum", "gold", "silver", "bronze", "none"]
    for request, field in [(pb.ListWorkQueueRequest(limit=-1), "limit"), (pb.ListWorkQueueRequest(tier="diamond"),
                                                                          "tier")]:
        error = rpc_error(crm.ListWorkQueue, request)
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith(field)


def test_breaches_are_counted_once_and_the_overdue_gauge_follows(isolated_stack):
    import time

    from services.gen.club.cards.v1 import cards_pb2_grpc
    from services.gen.club.wallet.v1 import wallet_pb2_grpc
    from tests import harness
    from tests.deploy.test_metrics import sample, scrape

    port = harness.free_port()
    stack = isolated_stack(CLUB_CRM_QUEUE_SWEEP_SECONDS="1",
                           CLUB_CRM_RESPONSE_TARGETS="platinum:30m,gold:2h,silver:3h,bronze:4h,none:5h")
    stack.start("cards", "wallet")
    stack.extra_env["CLUB_METRICS_PORT"] = str(port)  # crm's alone
    stack.start("crm")
    with stack.channel("cards") as c, stack.channel("wallet") as w, stack.channel("crm") as r:
        crm = crm_pb2_grpc.CrmServiceStub(r)
        member = a_member(cards_pb2_grpc.CardServiceStub(c), wallet_pb2_grpc.WalletServiceStub(w), tier="platinum")
        made = crm.RecordInteraction(contact(member))
        assert made.due_at.ToSeconds() - made.created_at.ToSeconds() == 30 * 60
        queue = crm.ListWorkQueue(pb.ListWorkQueueRequest())
        assert {b.tier: b.target_minutes for b in queue.backlog}["platinum"] == 30
        with stack.pg() as conn:
            conn.execute("UPDATE crm.interactions SET due_at = now() - interval '1 second' WHERE interaction_id = %s",
                         (made.interaction_id,))

        def metric(name):
            return sample(scrape(port), name, tier="platinum")

        deadline = time.monotonic() + 15
        while metric("club_crm_response_breaches_total") < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert metric("club_crm_response_breaches_total") == 1
        assert metric("club_crm_interactions_overdue") == 1
        time.sleep(2.5)  # more sweeps: the same breach is not counted again
        assert metric("club_crm_response_breaches_total") == 1
        crm.ChangeInteractionStatus(pb.ChangeInteractionStatusRequest(interaction_id=made.interaction_id,
                                                                      status=pb.INTERACTION_STATUS_RESOLVED))
        deadline = time.monotonic() + 15
        while metric("club_crm_interactions_overdue") != 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert metric("club_crm_interactions_overdue") == 0
