"""Announcements into the outbox, previews, delivery status, and the member's inbox.

Queueing is separate from delivery: Announce writes one outbox row per member and channel (in
batches, streaming progress) and the worker (delivery.py) sends them. Each row's source_key
(announcement:<id>:<member>:<channel>) makes a repeated or resumed Announce queue nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import grpc
from psycopg.types.json import Jsonb

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.shared.errors import AlreadyExists, FieldError, NotFound, Unavailable
from services.shared.validate import check_id

from . import invitations, templates
from .context import Deps
from .delivery import CONSENTS, consented
from .times import now, stamp

CARDS_TIMEOUT_SECONDS = 5.0
QUEUE_BATCH = 500  # members per statement and per progress message
MAX_SUBJECT_CHARS = 200
LIST_DEFAULT, LIST_MAX = 100, 1000
CHANNELS = {pb.CHANNEL_SMS: "sms", pb.CHANNEL_EMAIL: "email", pb.CHANNEL_INBOX: "inbox"}
CHANNEL_VALUES = {name: value for value, name in CHANNELS.items()}
STATES = {"queued": pb.DELIVERY_STATE_QUEUED, "held": pb.DELIVERY_STATE_HELD, "sending": pb.DELIVERY_STATE_SENDING,
          "sent": pb.DELIVERY_STATE_SENT, "failed": pb.DELIVERY_STATE_FAILED, "unknown": pb.DELIVERY_STATE_UNKNOWN,
          "skipped": pb.DELIVERY_STATE_SKIPPED}
STATE_NAMES = {value: name for name, value in STATES.items()}


async def _get_member(deps: Deps, member_id: str, field: str) -> cards_pb2.Member:
    try:
        return await deps.cards.GetMember(cards_pb2.GetMemberRequest(member_id=member_id),
                                          timeout=CARDS_TIMEOUT_SECONDS)
    except grpc.aio.AioRpcError as exc:
        if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
            raise FieldError(field, "no such member") from None
        raise Unavailable("cards did not answer; retry") from None


# ---------- preview ----------

async def preview(deps: Deps, request: pb.PreviewMessageRequest) -> pb.PreviewMessageResponse:
    values = templates.given(request.variables, now(), deps.time_zone)
    if request.member_id:
        check_id(request.member_id, "member_id")
        values |= templates.member_values(await _get_member(deps, request.member_id, "member_id"))
    text = templates.render(request.template, values)
    return pb.PreviewMessageResponse(text=text, characters=len(text), sms_parts=templates.sms_parts(text))


# ---------- announce ----------

def _check_audience(request: pb.AnnounceRequest) -> None:
    if not (request.tiers or request.segments or request.member_ids):
        raise FieldError("audience", "name tiers, segments or member_ids")
    invitations.check_audience(request)


async def _audience(deps: Deps, request: pb.AnnounceRequest) -> list[cards_pb2.Member]:
    found: dict[str, cards_pb2.Member] = {}
    for index, member_id in enumerate(request.member_ids):
        found[member_id] = await _get_member(deps, member_id, f"member_ids[{index}]")
    if request.tiers or request.segments:
        async for member in invitations.members_of(deps, request.tiers, request.segments):
            found[member.member_id] = member
    return [found[key] for key in sorted(found)]


async def announce(deps: Deps, request: pb.AnnounceRequest, actor: str = "") -> AsyncIterator[pb.AnnounceProgress]:
    if not request.channels:
        raise FieldError("channels", "name at least one channel")
    channels: list[str] = []
    for index, channel in enumerate(request.channels):
        if channel not in CHANNELS:
            raise FieldError(f"channels[{index}]", "must be SMS, EMAIL or INBOX")
        if CHANNELS[channel] not in channels:
            channels.append(CHANNELS[channel])
    if len(request.subject) > MAX_SUBJECT_CHARS:
        raise FieldError("subject", f"at most {MAX_SUBJECT_CHARS} characters")
    if "email" in channels and not request.subject.strip():
        raise FieldError("subject", "an email needs a subject")
    shared = templates.given(request.variables, now(), deps.time_zone)
    templates.check(request.template, set(shared) | set(templates.MEMBER_VARIABLES))
    _check_audience(request)
    announcement_id = check_id(request.announcement_id, "announcement_id", required=False) \
        or f"ann-{uuid.uuid4().hex[:16]}"
    async with deps.pool.connection() as conn:
        cur = await conn.execute(
            "INSERT INTO announcements (announcement_id, template, subject, channels, marketing, audience, created_by)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (announcement_id) DO NOTHING RETURNING 1",
            (announcement_id, request.template, request.subject, channels, request.marketing,
             Jsonb({"tiers": list(request.tiers), "segments": list(request.segments),
                    "member_ids": list(request.member_ids)}), actor))
        if await cur.fetchone() is None:
            cur = await conn.execute("SELECT template, channels, marketing FROM announcements"
                                     " WHERE announcement_id = %s", (announcement_id,))
            existing = await cur.fetchone()
            if (existing["template"], existing["channels"], existing["marketing"]) != \
                    (request.template, channels, request.marketing):
                raise AlreadyExists(f"announcement {announcement_id} exists with another template or channels")
        await conn.commit()
    members = await _audience(deps, request)
    progress = pb.AnnounceProgress(announcement_id=announcement_id, total=len(members))
    yield progress
    for start in range(0, len(members), QUEUE_BATCH):
        batch = members[start:start + QUEUE_BATCH]
        rows: list[tuple] = []
        for member in batch:
            body = None
            for channel in channels:
                if request.marketing and channel in CONSENTS and not consented(member, CONSENTS[channel]):
                    progress.skipped_consent += 1
                    continue
                if (channel == "sms" and not member.phone) or (channel == "email" and not member.email):
                    progress.skipped_address += 1
                    continue
                if body is None:
                    body = templates.render(request.template, shared | templates.member_values(member))
                rows.append((member.member_id, channel, body,
                             f"announcement:{announcement_id}:{member.member_id}:{channel}",
                             CONSENTS.get(channel, "") if request.marketing else ""))
        if rows:
            async with deps.pool.connection() as conn:
                cur = await conn.execute(
                    "INSERT INTO outbox (member_id, channel, kind, marketing, subject, body, announcement_id,"
                    " source_key, consent) SELECT m, c, 'announcement', %s, %s, b, %s, k, n"
                    " FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) AS u(m, c, b, k, n)"
                    " ON CONFLICT (source_key) DO NOTHING RETURNING message_id",
                    (request.marketing, request.subject, announcement_id, *([r[i] for r in rows] for i in range(5))))
                progress.queued += len(await cur.fetchall())
                await conn.commit()
        progress.processed += len(batch)
        yield progress
    async with deps.pool.connection() as conn:
        await conn.execute("UPDATE announcements SET total = %s, skipped_consent = %s, skipped_address = %s,"
                           " finished_at = now() WHERE announcement_id = %s",
                           (progress.total, progress.skipped_consent, progress.skipped_address, announcement_id))
        await conn.commit()
    progress.done = True
    deps.log.info("announcement queued", extra={"announcement_id": announcement_id, "total": progress.total,
                                                "queued": progress.queued})
    yield progress


# ---------- status ----------

async def get_announcement(deps: Deps, announcement_id: str) -> pb.Announcement:
    check_id(announcement_id, "announcement_id")
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM announcements WHERE announcement_id = %s", (announcement_id,))
        row = await cur.fetchone()
        if row is None:
            raise NotFound(f"announcement {announcement_id} not found")
        cur = await conn.execute("SELECT state, count(*) AS n FROM outbox WHERE announcement_id = %s GROUP BY state",
                                 (announcement_id,))
        counts = {r["state"]: r["n"] for r in await cur.fetchall()}
    return pb.Announcement(
        announcement_id=announcement_id, template=row["template"], marketing=row["marketing"],
        channels=[CHANNEL_VALUES[c] for c in row["channels"]], total=row["total"],
        skipped_consent=row["skipped_consent"], skipped_address=row["skipped_address"],
        messages=[pb.StateCount(state=value, count=counts[name]) for name, value in STATES.items() if name in counts],
        created_at=stamp(row["created_at"]), queued=row["finished_at"] is not None)


def message_proto(row: dict) -> pb.Message:
    return pb.Message(
        message_id=row["message_id"], member_id=row["member_id"], channel=CHANNEL_VALUES[row["channel"]],
        kind=row["kind"], marketing=row["marketing"], state=STATES[row["state"]], reason=row["reason"],
        attempts=row["attempts"], body=row["body"], provider_id=row["provider_id"],
        created_at=stamp(row["created_at"]), sent_at=stamp(row["sent_at"]),
        next_attempt_at=stamp(row["next_attempt_at"]), announcement_id=row["announcement_id"] or "")


async def list_messages(deps: Deps, request: pb.ListMessagesRequest) -> list[pb.Message]:
    if bool(request.member_id) == bool(request.announcement_id):
        raise FieldError("member_id", "give one of member_id or announcement_id")
    if request.member_id:
        where, params = "member_id = %s", [check_id(request.member_id, "member_id")]
    else:
        where, params = "announcement_id = %s", [check_id(request.announcement_id, "announcement_id")]
    if request.state:
        if request.state not in STATE_NAMES:
            raise FieldError("state", "unknown delivery state")
        where, params = where + " AND state = %s", [*params, STATE_NAMES[request.state]]
    if request.limit < 0 or request.limit > LIST_MAX:
        raise FieldError("limit", f"must be 0..{LIST_MAX}")
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"SELECT * FROM outbox WHERE {where} ORDER BY message_id LIMIT %s",
                                 (*params, request.limit or LIST_DEFAULT))
        return [message_proto(row) for row in await cur.fetchall()]


# ---------- the inbox ----------

def inbox_proto(row: dict) -> pb.InboxMessage:
    return pb.InboxMessage(message_id=row["message_id"], subject=row["subject"], body=row["body"],
                           created_at=stamp(row["created_at"]), read_at=stamp(row["read_at"]))


async def list_inbox(deps: Deps, request: pb.ListInboxRequest) -> pb.ListInboxResponse:
    member_id = check_id(request.member_id, "member_id")
    where = "member_id = %s" + (" AND read_at IS NULL" if request.unread_only else "")
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"SELECT * FROM inbox WHERE {where} ORDER BY created_at DESC, message_id DESC"
                                 f" LIMIT {LIST_MAX}", (member_id,))
        rows = await cur.fetchall()
    return pb.ListInboxResponse(messages=[inbox_proto(row) for row in rows], unread=await unread_count(deps, member_id))


async def unread_count(deps: Deps, member_id: str) -> int:
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM inbox WHERE member_id = %s AND read_at IS NULL",
                                 (member_id,))
        return (await cur.fetchone())["n"]


async def mark_read(deps: Deps, request: pb.MarkReadRequest) -> pb.InboxMessage:
    member_id = check_id(request.member_id, "member_id")
    if request.message_id <= 0:
        raise FieldError("message_id", "is required")
    async with deps.pool.connection() as conn:
        # Only the member's own message: another member's id is simply not found.
        cur = await conn.execute("UPDATE inbox SET read_at = coalesce(read_at, %s) WHERE message_id = %s"
                                 " AND member_id = %s RETURNING *", (now(), request.message_id, member_id))
        row = await cur.fetchone()
        await conn.commit()
    if row is None:
        raise NotFound(f"message {request.message_id} is not in member {member_id}'s inbox")
    return inbox_proto(row)


