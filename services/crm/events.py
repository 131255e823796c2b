"""Events: create, change, cancel, read. Free text is stored as given; every refusal names its field."""

from __future__ import annotations

import datetime as dt
import uuid

from services.gen.club.crm.v1 import crm_pb2 as pb
from services.shared import auth
from services.shared.errors import FailedPrecondition, FieldError, NotFound
from services.shared.limits import AMOUNT_MAX, REASON_LENGTH
from services.shared.validate import check_free_text, check_id, check_text

from . import invitations
from .context import Deps
from .invitations import locked
from .times import local, now, stamp

TITLE_LENGTH = 200
VENUE_LENGTH = 300
DESCRIPTION_LENGTH = 4000
MAX_CAPACITY = 100_000
STATES = {"scheduled": pb.EVENT_STATE_SCHEDULED, "cancelled": pb.EVENT_STATE_CANCELLED}


def _instant(event: pb.Event, name: str) -> dt.datetime:
    if not event.HasField(name):
        raise FieldError(f"event.{name}", "is required")
    return getattr(event, name).ToDatetime(dt.UTC)


def checked(event: pb.Event) -> dict:
    """The stored columns of a valid event, or FieldError naming the first bad field."""
    values = {
        "title": check_free_text(event.title, "event.title", TITLE_LENGTH),
        "description": check_free_text(event.description, "event.description", DESCRIPTION_LENGTH, required=False),
        "venue": check_free_text(event.venue, "event.venue", VENUE_LENGTH),
        "starts_at": _instant(event, "starts_at"),
        "ends_at": _instant(event, "ends_at"),
        "rsvp_deadline": _instant(event, "rsvp_deadline"),
    }
    if values["ends_at"] <= values["starts_at"]:
        raise FieldError("event.ends_at", "must be after starts_at")
    if values["rsvp_deadline"] > values["starts_at"]:
        raise FieldError("event.rsvp_deadline", "must be at or before starts_at")
    if not 0 < event.capacity <= MAX_CAPACITY:
        raise FieldError("event.capacity", f"must be 1..{MAX_CAPACITY} places")
    if not 0 <= event.points_price <= AMOUNT_MAX:
        raise FieldError("event.points_price", f"must be 0..{AMOUNT_MAX} points (0 = free)")
    values["capacity"] = event.capacity
    values["points_price"] = event.points_price
    return values


def to_proto(row: dict, zone: str, counts: dict | None = None) -> pb.Event:
    counts = counts or {}
    return pb.Event(
        event_id=row["event_id"], title=row["title"], description=row["description"], venue=row["venue"],
        starts_at=stamp(row["starts_at"]), ends_at=stamp(row["ends_at"]), capacity=row["capacity"],
        points_price=row["points_price"], rsvp_deadline=stamp(row["rsvp_deadline"]), state=STATES[row["state"]],
        time_zone=zone, starts_local=local(row["starts_at"], zone), ends_local=local(row["ends_at"], zone),
        rsvp_deadline_local=local(row["rsvp_deadline"], zone), accepted=row["accepted"],
        waitlisted=counts.get("waitlisted", 0), invited=counts.get("invited", 0), cancel_reason=row["cancel_reason"],
        created_at=stamp(row["created_at"]))


async def _counts(conn, event_ids: list[str]) -> dict[str, dict]:
    cur = await conn.execute(
        "SELECT event_id, count(*) AS invited, count(*) FILTER (WHERE state = 'waitlisted') AS waitlisted"
        " FROM invitations WHERE event_id = ANY(%s) GROUP BY event_id", (event_ids,))
    return {row["event_id"]: row for row in await cur.fetchall()}


async def answer(deps: Deps, conn, row: dict) -> pb.Event:
    """The event as it stands now (a promotion may have moved its counts since `row` was read)."""
    cur = await conn.execute("SELECT * FROM events WHERE event_id = %s", (row["event_id"],))
    row = await cur.fetchone()
    counts = await _counts(conn, [row["event_id"]])
    return to_proto(row, deps.time_zone, counts.get(row["event_id"]))


async def create(deps: Deps, event: pb.Event) -> pb.Event:
    event_id = check_id(event.event_id, "event.event_id", required=False) or f"ev-{uuid.uuid4().hex[:12]}"
    values = checked(event)
    if values["rsvp_deadline"] <= now():
        raise FieldError("event.rsvp_deadline", "must be in the future")
    caller = auth.current_caller()
    async with deps.pool.connection() as conn:
        cur = await conn.execute(
            "INSERT INTO events (event_id, title, description, venue, starts_at, ends_at, capacity, points_price,"
            " rsvp_deadline, created_by) VALUES (%(event_id)s, %(title)s, %(description)s, %(venue)s, %(starts_at)s,"
            " %(ends_at)s, %(capacity)s, %(points_price)s, %(rsvp_deadline)s, %(created_by)s)"
            " ON CONFLICT (event_id) DO NOTHING RETURNING *",
            {**values, "event_id": event_id, "created_by": caller.subject if caller else ""})
        row = await cur.fetchone()
        if row is None:
            raise FieldError("event.event_id", "an event with this id exists")
        await conn.commit()
        return await answer(deps, conn, row)


async def update(deps: Deps, event: pb.Event) -> pb.Event:
    event_id = check_id(event.event_id, "event.event_id")
    values = checked(event)
    async with deps.event_queues[event_id]:
        async with deps.pool.connection() as conn:
            async with conn.transaction():
                row = await locked(conn, event_id)
                if row["state"] != "scheduled":
                    raise FailedPrecondition(f"event {event_id} is cancelled")
                if values["capacity"] < row["accepted"]:
                    raise FieldError("event.capacity", f"must be at least the {row['accepted']} places already taken")
                cur = await conn.execute("SELECT 1 FROM invitations WHERE event_id = %s AND points_charged > 0 LIMIT 1",
                                         (event_id,))
                if values["points_price"] != row["points_price"] and await cur.fetchone():
                    raise FieldError("event.points_price", "cannot change once members were charged")
                cur = await conn.execute(
                    "UPDATE events SET title = %(title)s, description = %(description)s, venue = %(venue)s,"
                    " starts_at = %(starts_at)s, ends_at = %(ends_at)s, capacity = %(capacity)s,"
                    " points_price = %(points_price)s, rsvp_deadline = %(rsvp_deadline)s, updated_at = now()"
                    " WHERE event_id = %(event_id)s RETURNING *", {**values, "event_id": event_id})
                row = await cur.fetchone()
                # More places: the waitlist moves up now.
                uncertain: list[invitations.Uncertain] = []
                try:
                    await invitations.promote(deps, conn, row, uncertain)
                finally:
                    await invitations.owe_uncertain(deps, uncertain)
            return await answer(deps, conn, row)


async def cancel(deps: Deps, event_id: str, reason: str) -> pb.Event:
    check_id(event_id, "event_id")
    check_text(reason, "reason", REASON_LENGTH)
    async with deps.event_queues[event_id]:
        async with deps.pool.connection() as conn:
            async with conn.transaction():
                row = await locked(conn, event_id)
                if row["state"] == "cancelled":
                    return await answer(deps, conn, row)
                cur = await conn.execute("UPDATE events SET state = 'cancelled', cancel_reason = %s, updated_at = now()"
                                         " WHERE event_id = %s RETURNING *", (reason, event_id))
                row = await cur.fetchone()
                await conn.execute(
                    "INSERT INTO points_returns (spend_id, member_id, event_id, reason)"
                    " SELECT spend_id, member_id, event_id, %s FROM invitations"
                    " WHERE event_id = %s AND state = 'accepted' AND spend_id IS NOT NULL ON CONFLICT DO NOTHING",
                    (f"event {event_id} cancelled", event_id))
                await conn.execute(
                    "INSERT INTO notifications (member_id, event_id, kind, body)"
                    " SELECT member_id, event_id, 'event_cancelled', %s FROM invitations"
                    " WHERE event_id = %s AND state IN ('accepted', 'waitlisted')",
                    (f"«{row['title']}» لغو شد. {reason}".strip(), event_id))
            await invitations.return_owed(deps, event_id=event_id)
            return await answer(deps, conn, row)


async def get(deps: Deps, event_id: str) -> pb.Event:
    check_id(event_id, "event_id")
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM events WHERE event_id = %s", (event_id,))
        row = await cur.fetchone()
        if row is None:
            raise NotFound(f"event {event_id} not found")
        return to_proto(row, deps.time_zone, (await _counts(conn, [event_id])).get(event_id))


async def list_events(deps: Deps, request: pb.ListEventsRequest) -> list[pb.Event]:
    conditions = ["true"]
    if request.upcoming_only:
        conditions.append("ends_at > now()")
    if not request.include_cancelled:
        conditions.append("state = 'scheduled'")
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"SELECT * FROM events WHERE {' AND '.join(conditions)} ORDER BY starts_at, event_id"
                                 " LIMIT 1000")
        rows = await cur.fetchall()
        counts = await _counts(conn, [row["event_id"] for row in rows])
    return [to_proto(row, deps.time_zone, counts.get(row["event_id"])) for row in rows]
