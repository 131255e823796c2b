"""Every contact with a member: recorded with its channel, kind and free text (stored as given),
a status (open, in progress, resolved) and the history of its changes.

A member token opens interactions for itself through the portal only and reads only its own
(auth_policy names member_id; a read by id also checks the row's member). Every refusal names
its field.
"""

from __future__ import annotations

import uuid

import grpc

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.shared import auth, auth_policy
from services.shared.errors import FieldError, NotFound, Unavailable
from services.shared.limits import REASON_LENGTH
from services.shared.tiers import LADDER
from services.shared.validate import check_free_text, check_id

from .context import Deps
from .times import now, stamp

SUBJECT_LENGTH = 200
BODY_LENGTH = 4000
CARDS_TIMEOUT_SECONDS = 5.0
CHANNELS = {"branch": pb.INTERACTION_CHANNEL_BRANCH, "call_centre": pb.INTERACTION_CHANNEL_CALL_CENTRE,
            "sms": pb.INTERACTION_CHANNEL_SMS, "portal": pb.INTERACTION_CHANNEL_PORTAL,
            "email": pb.INTERACTION_CHANNEL_EMAIL}
KINDS = {"request": pb.INTERACTION_KIND_REQUEST, "complaint": pb.INTERACTION_KIND_COMPLAINT,
         "question": pb.INTERACTION_KIND_QUESTION, "feedback": pb.INTERACTION_KIND_FEEDBACK,
         "suggestion": pb.INTERACTION_KIND_SUGGESTION}
STATUSES = {"open": pb.INTERACTION_STATUS_OPEN, "in_progress": pb.INTERACTION_STATUS_IN_PROGRESS,
            "resolved": pb.INTERACTION_STATUS_RESOLVED}
LINKS = {"": pb.LINK_KIND_UNSPECIFIED, "transaction": pb.LINK_KIND_TRANSACTION, "card": pb.LINK_KIND_CARD,
         "event": pb.LINK_KIND_EVENT}


def _name(mapping: dict[str, int], value: int, field: str) -> str:
    for name, number in mapping.items():
        if number == value and (name or field == "link_kind"):
            return name
    raise FieldError(field, f"must be one of {', '.join(name for name in mapping if name)}")


def tier_rank(tier: str) -> int:
    """Rung on the ladder, highest served first; -1 = no tier (served after every tier)."""
    return LADDER.index(tier) if tier in LADDER else -1


def to_proto(row: dict, history: list[dict] | None = None) -> pb.Interaction:
    overdue = row.get("overdue")
    if overdue is None:
        overdue = row["status"] != "resolved" and row["due_at"] < now()
    return pb.Interaction(
        interaction_id=row["interaction_id"], member_id=row["member_id"], channel=CHANNELS[row["channel"]],
        kind=KINDS[row["kind"]], subject=row["subject"], body=row["body"], agent=row["agent"],
        link_kind=LINKS[row["link_kind"]], link_id=row["link_id"], status=STATUSES[row["status"]], tier=row["tier"],
        created_at=stamp(row["created_at"]), updated_at=stamp(row["updated_at"]), due_at=stamp(row["due_at"]),
        resolved_at=stamp(row["resolved_at"]), overdue=bool(overdue),
        history=[pb.InteractionStatusChange(
            from_status=STATUSES.get(change["from_status"], pb.INTERACTION_STATUS_UNSPECIFIED),
            to_status=STATUSES[change["to_status"]], note=change["note"], actor=change["actor"],
            changed_at=stamp(change["changed_at"])) for change in history or []])


async def member_tier(deps: Deps, member_id: str, field: str = "member_id") -> str:
    """The member's tier from cards; FieldError when there is no such member."""
    try:
        member = await deps.cards.GetMember(cards_pb2.GetMemberRequest(member_id=member_id),
                                            timeout=CARDS_TIMEOUT_SECONDS)
    except grpc.aio.AioRpcError as exc:
        if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
            raise FieldError(field, "no such member") from None
        raise Unavailable("cards did not answer; retry") from None
    return member.tier


def _actor() -> tuple[str, str]:
    caller = auth.current_caller()
    return (caller.subject, caller.role) if caller and caller.authenticated else ("", "")


async def record(deps: Deps, request: pb.RecordInteractionRequest) -> pb.Interaction:
    from . import queue  # the queue reads this module's rows

    member_id = check_id(request.member_id, "member_id")
    channel = _name(CHANNELS, request.channel, "channel")
    kind = _name(KINDS, request.kind, "kind")
    subject = check_free_text(request.subject, "subject", SUBJECT_LENGTH)
    body = check_free_text(request.body, "body", BODY_LENGTH, required=False)
    link_kind = _name(LINKS, request.link_kind, "link_kind")
    link_id = check_id(request.link_id, "link_id", required=bool(link_kind))
    if link_id and not link_kind:
        raise FieldError("link_kind", "is required with link_id")
    agent, role = _actor()
    if role == auth_policy.MEMBER and channel != "portal":
        raise FieldError("channel", "a member opens interactions through the portal only")
    tier = await member_tier(deps, member_id)
    created = now()
    interaction_id = f"in-{uuid.uuid4().hex[:16]}"
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            cur = await conn.execute(
                "INSERT INTO interactions (interaction_id, member_id, channel, kind, subject, body, agent, link_kind,"
                " link_id, tier, tier_rank, due_at, created_at, updated_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING *",
                (interaction_id, member_id, channel, kind, subject, body, agent, link_kind, link_id, tier,
                 tier_rank(tier), created + queue.target_for(deps, tier), created, created))
            row = await cur.fetchone()
            await conn.execute("INSERT INTO interaction_status_changes (interaction_id, from_status, to_status, actor)"
                               " VALUES (%s, '', 'open', %s)", (interaction_id, agent))
            history = await _history(conn, interaction_id)
    return to_proto(row, history)


async def _history(conn, interaction_id: str) -> list[dict]:
    cur = await conn.execute("SELECT * FROM interaction_status_changes WHERE interaction_id = %s ORDER BY change_id",
                             (interaction_id,))
    return await cur.fetchall()


async def get(deps: Deps, request: pb.GetInteractionRequest) -> pb.Interaction:
    member_id = check_id(request.member_id, "member_id")
    interaction_id = check_id(request.interaction_id, "interaction_id")
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM interactions WHERE interaction_id = %s AND member_id = %s",
                                 (interaction_id, member_id))
        row = await cur.fetchone()
        if row is None:  # another member's is not found either: nothing is told about it
            raise NotFound(f"member {member_id} has no interaction {interaction_id}")
        return to_proto(row, await _history(conn, interaction_id))


async def list_for_member(deps: Deps, member_id: str, open_only: bool = False, limit: int = 500) -> list[pb.Interaction]:
    check_id(member_id, "member_id")
    where = "member_id = %s" + (" AND status <> 'resolved'" if open_only else "")
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"SELECT * FROM interactions WHERE {where} ORDER BY created_at DESC, interaction_id"
                                 " LIMIT %s", (member_id, limit))
        rows = await cur.fetchall()
    return [to_proto(row) for row in rows]


async def change_status(deps: Deps, request: pb.ChangeInteractionStatusRequest) -> pb.Interaction:
    interaction_id = check_id(request.interaction_id, "interaction_id")
    status = _name(STATUSES, request.status, "status")
    note = check_free_text(request.note, "note", REASON_LENGTH, required=False)
    actor, _ = _actor()
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            cur = await conn.execute("SELECT * FROM interactions WHERE interaction_id = %s FOR UPDATE",
                                     (interaction_id,))
            row = await cur.fetchone()
            if row is None:
                raise NotFound(f"interaction {interaction_id} not found")
            prior = row["status"]
            if prior == status:
                raise FieldError("status", f"is already {status}")
            cur = await conn.execute(
                "UPDATE interactions SET status = %s, updated_at = now(),"
                " resolved_at = CASE WHEN %s = 'resolved' THEN now() END WHERE interaction_id = %s RETURNING *",
                (status, status, interaction_id))
            row = await cur.fetchone()
            await conn.execute("INSERT INTO interaction_status_changes (interaction_id, from_status, to_status, note,"
                               " actor) VALUES (%s, %s, %s, %s, %s)",
                               (interaction_id, prior, status, note, actor))
            history = await _history(conn, interaction_id)
    return to_proto(row, history)
