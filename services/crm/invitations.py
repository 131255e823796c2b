"""Invitations, replies, the waitlist and the points an event costs.

Places are counted under the event row's lock (SELECT ... FOR UPDATE): every change of places
(an acceptance, a place given back, a promotion, a change of capacity) runs in one transaction
holding it, so `events.accepted` and the invitations' states move together and can never pass
the capacity (a CHECK constraint is the last word). In front of the lock, each process queues the
requests of one event (an asyncio lock), so waiters hold no pooled connection. The points price
is spent through the wallet inside that transaction (the wallet's spend is idempotent by its id,
kept on the invitation); points given back are written as owed in the transaction that decides
it and returned through the wallet's ReturnPoints after the commit, and by the sweep until the
wallet confirms. Why this design and not a Redis gate: docs/crm.md, "Counting places".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator

import grpc

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.shared import persian
from services.shared.errors import FailedPrecondition, FieldError, NotFound, Unavailable
from services.shared.tiers import LADDER
from services.shared.validate import check_id

from . import templates
from .context import Deps
from .times import local, now, stamp

WALLET_TIMEOUT_SECONDS = 5.0
CARDS_TIMEOUT_SECONDS = 5.0
INVITE_BATCH = 500  # invitations written per statement (and per progress message)
MEMBERS_PAGE = 500  # cards' largest ListMembers page
MAX_NAMED_MEMBERS = 10_000
# A spend whose outcome was unknown and that the wallet does not know yet may still be on its way;
# only after this long is "no such spend" taken to mean it never happened.
UNKNOWN_SPEND_GRACE = dt.timedelta(seconds=60)
SWEEP_SECONDS = 10
STATES = {"invited": pb.INVITATION_STATE_INVITED, "accepted": pb.INVITATION_STATE_ACCEPTED,
          "waitlisted": pb.INVITATION_STATE_WAITLISTED, "declined": pb.INVITATION_STATE_DECLINED,
          "cancelled": pb.INVITATION_STATE_CANCELLED}
STATE_NAMES = {value: key for key, value in STATES.items()}
CHARGED = (wpb.TRANSFER_RESULT_OK, wpb.TRANSFER_RESULT_EXISTS)
TOO_FEW_POINTS = (wpb.TRANSFER_RESULT_EXCEEDS_CREDITS, wpb.TRANSFER_RESULT_ACCOUNT_NOT_FOUND)


def tier_rank(tier: str) -> int:
    """The member's rung on the ladder: higher is promoted first; no tier (or an unknown one) is the lowest."""
    return LADDER.index(tier) if tier in LADDER else 0


class Uncertain(Exception):
    """The wallet did not answer a spend: it may have taken the points, so they are owed back."""

    def __init__(self, spend_id: str, member_id: str, event_id: str):
        super().__init__(spend_id)
        self.spend_id, self.member_id, self.event_id = spend_id, member_id, event_id


# ---------- reading ----------

def to_proto(row: dict, zone: str) -> pb.Invitation:
    return pb.Invitation(
        event_id=row["event_id"], member_id=row["member_id"], state=STATES[row["state"]], tier=row["tier"],
        waitlist_position=row.get("position") or 0, points_charged=row["points_charged"],
        replied_at=stamp(row["replied_at"]), checked_in_at=stamp(row["checked_in_at"]),
        event_title=row["title"], starts_local=local(row["starts_at"], zone), venue=row["venue"],
        description=row["description"], ends_local=local(row["ends_at"], zone),
        rsvp_deadline_local=local(row["rsvp_deadline"], zone), points_price=row["points_price"],
        event_cancelled=row["event_state"] == "cancelled", cancel_reason=row["cancel_reason"])


async def select(conn, where: str, params: tuple, order: str = "e.starts_at, i.event_id") -> list[dict]:
    """Invitations matching `where` (over alias i), with their event's title and their waitlist position."""
    cur = await conn.execute(
        f"WITH w AS (SELECT event_id, member_id, row_number() OVER (PARTITION BY event_id"
        f" ORDER BY tier_rank DESC, replied_at, member_id) AS position FROM invitations"
        f" WHERE state = 'waitlisted' AND event_id IN (SELECT i.event_id FROM invitations i WHERE {where}))"
        f" SELECT i.*, e.title, e.starts_at, e.ends_at, e.venue, e.description, e.rsvp_deadline, e.points_price,"
        f" e.state AS event_state, e.cancel_reason, coalesce(w.position, 0) AS position"
        f" FROM invitations i JOIN events e USING (event_id) LEFT JOIN w USING (event_id, member_id)"
        f" WHERE {where} ORDER BY {order}", (*params, *params))
    return await cur.fetchall()


async def one(deps: Deps, conn, event_id: str, member_id: str) -> pb.Invitation:
    rows = await select(conn, "i.event_id = %s AND i.member_id = %s", (event_id, member_id))
    return to_proto(rows[0], deps.time_zone)


# What "upcoming" shows a member: invitations still open to her, to events that have not ended.
# (Over alias i only: select() also runs the condition where events are not joined.)
UPCOMING = ("i.state IN ('invited', 'accepted', 'waitlisted') AND i.event_id IN"
            " (SELECT event_id FROM events WHERE state = 'scheduled' AND ends_at > now())")


async def list_for_member(deps: Deps, member_id: str, upcoming_only: bool = False) -> list[pb.Invitation]:
    check_id(member_id, "member_id")
    async with deps.pool.connection() as conn:
        rows = await select(conn, "i.member_id = %s" + (f" AND {UPCOMING}" if upcoming_only else ""), (member_id,))
    return [to_proto(row, deps.time_zone) for row in rows]


async def list_attended(deps: Deps, member_id: str) -> list[pb.Invitation]:
    check_id(member_id, "member_id")
    async with deps.pool.connection() as conn:
        rows = await select(conn, "i.member_id = %s AND i.checked_in_at IS NOT NULL", (member_id,),
                            order="i.checked_in_at DESC")
    return [to_proto(row, deps.time_zone) for row in rows]


async def list_for_event(deps: Deps, event_id: str, state: int) -> list[pb.Invitation]:
    check_id(event_id, "event_id")
    where, params = "i.event_id = %s", (event_id,)
    if state:
        if state not in STATE_NAMES:
            raise FieldError("state", "unknown invitation state")
        where, params = where + " AND i.state = %s", (event_id, STATE_NAMES[state])
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT 1 FROM events WHERE event_id = %s", (event_id,))
        if await cur.fetchone() is None:
            raise NotFound(f"event {event_id} not found")
        rows = await select(conn, where, params,
                            order="array_position(ARRAY['accepted','waitlisted','invited','declined','cancelled'],"
                                  " i.state), position, i.replied_at, i.member_id")
    return [to_proto(row, deps.time_zone) for row in rows]


# ---------- the audience ----------

async def _member(deps: Deps, member_id: str, field: str) -> cards_pb2.Member:
    try:
        return await deps.cards.GetMember(cards_pb2.GetMemberRequest(member_id=member_id),
                                          timeout=CARDS_TIMEOUT_SECONDS)
    except grpc.aio.AioRpcError as exc:
        if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
            raise FieldError(field, "no such member") from None
        raise Unavailable("cards did not answer; retry") from None


async def audience_members(deps: Deps, request) -> dict[str, cards_pb2.Member]:
    """member_id -> member: the named members, and those of the tiers, segments and interests asked
    (a member must match each of these lists that is given). `request` names member_ids, tiers,
    segments and interests (InviteAudienceRequest, SendSurveyRequest, AnnounceRequest)."""
    from . import interests as member_interests

    found: dict[str, cards_pb2.Member] = {}
    check_audience(request)
    wanted = member_interests.check_categories(request.interests, "interests")
    for index, member_id in enumerate(request.member_ids):
        found[member_id] = await _member(deps, member_id, f"member_ids[{index}]")
    interested = await member_interests.members_with(deps, wanted) if wanted else None
    if not (request.tiers or request.segments):
        for member_id in sorted(interested or ()):
            if member_id not in found:
                found[member_id] = await _member(deps, member_id, "interests")
        return found
    async for member in members_of(deps, request.tiers, request.segments):
        if interested is None or member.member_id in interested:
            found[member.member_id] = member
    return found


async def _audience(deps: Deps, request) -> dict[str, str]:
    """member_id -> tier, of audience_members."""
    return {member_id: member.tier for member_id, member in (await audience_members(deps, request)).items()}


def check_audience(request) -> None:
    """The named members, tiers and segments of an audience (invitations, surveys, announcements)."""
    if len(request.member_ids) > MAX_NAMED_MEMBERS:
        raise FieldError("member_ids", f"at most {MAX_NAMED_MEMBERS} per call")
    for index, member_id in enumerate(request.member_ids):
        check_id(member_id, f"member_ids[{index}]")
    for index, tier in enumerate(request.tiers):
        if tier not in LADDER:
            raise FieldError(f"tiers[{index}]", f"must be one of {', '.join(LADDER)}")
    for index, segment in enumerate(request.segments):
        check_id(segment, f"segments[{index}]", 64)


async def members_of(deps: Deps, tiers, segments) -> AsyncIterator[cards_pb2.Member]:
    """The members of any of `tiers` (none: any tier) in any of `segments` (none: any segment),
    from cards a page at a time; Unavailable when cards does not answer."""
    for tier in tiers or [""]:
        for segment in segments or [""]:
            token = ""
            while True:
                try:
                    page = await deps.cards.ListMembers(cards_pb2.ListMembersRequest(
                        page_size=MEMBERS_PAGE, page_token=token, tier=tier, segment=segment),
                        timeout=CARDS_TIMEOUT_SECONDS)
                except grpc.aio.AioRpcError:
                    raise Unavailable("cards did not answer; retry") from None
                for member in page.members:
                    yield member
                token = page.next_page_token
                if not token:
                    break


audience = _audience  # surveys are sent to the same audiences


INVITATION_TEMPLATE = "{name} عزیز، به «{title}» در {when} دعوت شده‌اید. پاسخ‌تان را در پورتال باشگاه بدهید."
INVITATION_SUBJECT = "دعوت به رویداد باشگاه"
# The invitation is announced in the member's inbox, and by SMS to those who consented to
# marketing SMS (quiet hours and the daily cap apply, as for any marketing message).
INVITATION_CHANNELS = (("inbox", False, ""), ("sms", True, "marketing_sms"))


async def invite(deps: Deps, request: pb.InviteAudienceRequest) -> AsyncIterator[pb.InviteProgress]:
    event_id = check_id(request.event_id, "event_id")
    if not (request.tiers or request.segments or request.member_ids or request.interests):
        raise FieldError("audience", "name tiers, segments, interests or member_ids")
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT state, title, starts_at, ends_at FROM events WHERE event_id = %s", (event_id,))
        event = await cur.fetchone()
    if event is None:
        raise NotFound(f"event {event_id} not found")
    if event["state"] != "scheduled" or event["ends_at"] <= now():
        raise FailedPrecondition(f"event {event_id} is {'cancelled' if event['state'] != 'scheduled' else 'over'}")
    audience = sorted((await audience_members(deps, request)).items())
    progress = pb.InviteProgress(total=len(audience))
    yield progress
    when = persian.date(event["starts_at"], now(), deps.time_zone)
    for start in range(0, len(audience), INVITE_BATCH):
        batch = dict(audience[start:start + INVITE_BATCH])
        async with deps.pool.connection() as conn:
            cur = await conn.execute(
                "INSERT INTO invitations (event_id, member_id, tier, tier_rank)"
                " SELECT %s, m, t, r FROM unnest(%s::text[], %s::text[], %s::int[]) AS u(m, t, r)"
                " ON CONFLICT (event_id, member_id) DO NOTHING RETURNING member_id",
                (event_id, list(batch), [m.tier for m in batch.values()], [tier_rank(m.tier) for m in batch.values()]))
            made = [row["member_id"] for row in await cur.fetchall()]
            # Announced in the same transaction: an invitation is never made without its message.
            rows = [(member_id, channel, marketing, consent,
                     templates.render(INVITATION_TEMPLATE, templates.member_values(batch[member_id])
                                      | {"title": event["title"], "when": when}),
                     f"invitation:{event_id}:{member_id}:{channel}")
                    for member_id in made for channel, marketing, consent in INVITATION_CHANNELS]
            if rows:
                cur = await conn.execute(
                    "INSERT INTO outbox (member_id, channel, kind, marketing, consent, subject, body, source_key)"
                    " SELECT m, c, 'invitation', k, n, %s, b, s FROM unnest(%s::text[], %s::text[], %s::bool[],"
                    " %s::text[], %s::text[], %s::text[]) AS u(m, c, k, n, b, s)"
                    " ON CONFLICT (source_key) DO NOTHING RETURNING message_id",
                    (INVITATION_SUBJECT, *([row[i] for row in rows] for i in range(6))))
                progress.announced += len(await cur.fetchall())
            await conn.commit()
        progress.processed += len(batch)
        progress.invited += len(made)
        progress.already_invited += len(batch) - len(made)
        yield progress
    progress.done = True
    deps.log.info("audience invited", extra={"event_id": event_id, "total": progress.total,
                                             "invited": progress.invited, "announced": progress.announced})
    yield progress


# ---------- charging and giving back ----------

async def _charge(deps: Deps, event: dict, member_id: str) -> str:
    """Spends the event's points price; the spend id, or FailedPrecondition (too few points), or Uncertain."""
    spend_id = f"crm.{uuid.uuid4().hex}"
    try:
        answer = await deps.wallet.SpendPoints(wpb.SpendPointsRequest(
            spend_id=spend_id, member_id=member_id, points=event["points_price"], reason=f"event {event['event_id']}"),
            timeout=WALLET_TIMEOUT_SECONDS)
    except grpc.aio.AioRpcError as exc:
        deps.log.warning("wallet SpendPoints failed", extra={"spend_id": spend_id, "code": exc.code().name})
        raise Uncertain(spend_id, member_id, event["event_id"]) from None
    if answer.result in CHARGED:
        return spend_id
    if answer.result in TOO_FEW_POINTS:
        raise FailedPrecondition(f"member {member_id} has fewer than the {event['points_price']} points the event costs")
    raise FailedPrecondition(f"the wallet refused the charge ({wpb.TransferResult.Name(answer.result)})")


async def owe_uncertain(deps: Deps, uncertain: list[Uncertain]) -> None:
    """Spends the wallet did not answer: owed back (if they happened), returned by the sweep."""
    if not uncertain:
        return
    async with deps.pool.connection() as conn:
        for item in uncertain:
            await conn.execute("INSERT INTO points_returns (spend_id, member_id, event_id, reason)"
                               " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                               (item.spend_id, item.member_id, item.event_id, "charge without answer"))
        await conn.commit()


async def return_owed(deps: Deps, event_id: str = "", spend_ids: tuple[str, ...] = ()) -> int:
    """Returns owed points through the wallet (once per spend); what fails stays owed for the sweep."""
    where, params = "returned_at IS NULL", ()
    if event_id:
        where, params = where + " AND event_id = %s", (event_id,)
    if spend_ids:
        where, params = where + " AND spend_id = ANY(%s)", (*params, list(spend_ids))
    async with deps.pool.connection() as conn:
        cur = await conn.execute(f"SELECT * FROM points_returns WHERE {where} ORDER BY created_at LIMIT 1000", params)
        rows = await cur.fetchall()
        await conn.commit()
    returned = 0
    for row in rows:
        try:
            answer = await deps.wallet.ReturnPoints(wpb.ReturnPointsRequest(spend_id=row["spend_id"],
                                                                             reason=row["reason"][:200]),
                                                    timeout=WALLET_TIMEOUT_SECONDS)
            done = answer.result in CHARGED
        except grpc.aio.AioRpcError as exc:
            # Never spent: nothing to give back, once the spend can no longer be on its way.
            done = exc.code() == grpc.StatusCode.NOT_FOUND and now() - row["created_at"] > UNKNOWN_SPEND_GRACE
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                deps.log.warning("wallet ReturnPoints failed; stays owed",
                                 extra={"spend_id": row["spend_id"], "code": exc.code().name})
        if done:
            async with deps.pool.connection() as conn:
                await conn.execute("UPDATE points_returns SET returned_at = now() WHERE spend_id = %s",
                                   (row["spend_id"],))
                await conn.commit()
            returned += 1
    return returned


async def run_sweeps(deps: Deps, interval: float = SWEEP_SECONDS) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await return_owed(deps)
        except Exception as exc:  # noqa: BLE001 - the next round tries again
            deps.log.warning("points return sweep failed", extra={"error": type(exc).__name__})


# ---------- replies ----------

def _open_for_replies(event: dict) -> None:
    if event["state"] != "scheduled":
        raise FailedPrecondition(f"event {event['event_id']} is cancelled")
    if now() > event["rsvp_deadline"]:
        raise FailedPrecondition(f"the RSVP deadline of event {event['event_id']} has passed")


async def locked(conn, event_id: str) -> dict:
    """The event row, locked until the transaction ends: every change of places goes through it."""
    cur = await conn.execute("SELECT * FROM events WHERE event_id = %s FOR UPDATE", (event_id,))
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"event {event_id} not found")
    return row


async def _invitation(conn, event_id: str, member_id: str) -> dict:
    cur = await conn.execute("SELECT * FROM invitations WHERE event_id = %s AND member_id = %s FOR UPDATE",
                             (event_id, member_id))
    row = await cur.fetchone()
    if row is None:
        raise FailedPrecondition(f"member {member_id} is not invited to event {event_id}")
    return row


async def promote(deps: Deps, conn, event: dict, uncertain: list[Uncertain]) -> list[str]:
    """Fills free places from the waitlist (highest tier, then earliest reply), charging each
    promoted member; one who cannot pay stays waitlisted and the next is tried. Runs under the
    event's lock, in its transaction."""
    promoted, skipped = [], []
    cur = await conn.execute("SELECT * FROM events WHERE event_id = %s", (event["event_id"],))
    event = await cur.fetchone()
    free = event["capacity"] - event["accepted"]
    while free > 0:
        cur = await conn.execute(
            "SELECT * FROM invitations WHERE event_id = %s AND state = 'waitlisted' AND NOT member_id = ANY(%s)"
            " ORDER BY tier_rank DESC, replied_at, member_id LIMIT 1", (event["event_id"], skipped))
        row = await cur.fetchone()
        if row is None:
            break
        spend_id = None
        if event["points_price"]:
            try:
                spend_id = await _charge(deps, event, row["member_id"])
            except FailedPrecondition as exc:
                deps.log.info("not promoted", extra={"member_id": row["member_id"], "reason": exc.message})
                skipped.append(row["member_id"])
                continue
            except Uncertain as exc:
                uncertain.append(exc)
                skipped.append(row["member_id"])
                continue
        await _take_place(conn, event, row["member_id"], spend_id, replied=False)
        await conn.execute("INSERT INTO notifications (member_id, event_id, kind, body) VALUES (%s, %s, 'promoted', %s)",
                           (row["member_id"], event["event_id"], f"جای شما در «{event['title']}» قطعی شد. منتظرتان هستیم."))
        promoted.append(row["member_id"])
        free -= 1
    if promoted:
        deps.log.info("waitlist promoted", extra={"event_id": event["event_id"], "members": len(promoted)})
    return promoted


async def _take_place(conn, event: dict, member_id: str, spend_id: str | None, replied: bool = True) -> None:
    await conn.execute(
        "UPDATE invitations SET state = 'accepted', spend_id = %s, points_charged = %s"
        + (", replied_at = now()" if replied else "") + " WHERE event_id = %s AND member_id = %s",
        (spend_id, event["points_price"] if spend_id else 0, event["event_id"], member_id))
    await conn.execute("UPDATE events SET accepted = accepted + 1 WHERE event_id = %s", (event["event_id"],))


async def _give_back(conn, event: dict, row: dict, state: str) -> str | None:
    """An accepted member's place goes back (state cancelled or declined); its points are owed back.
    Returns the spend to return after the commit."""
    await conn.execute("UPDATE invitations SET state = %s, replied_at = now(), spend_id = NULL, points_charged = 0"
                       " WHERE event_id = %s AND member_id = %s", (state, event["event_id"], row["member_id"]))
    await conn.execute("UPDATE events SET accepted = accepted - 1 WHERE event_id = %s", (event["event_id"],))
    if not row["spend_id"]:
        return None
    await conn.execute("INSERT INTO points_returns (spend_id, member_id, event_id, reason) VALUES (%s, %s, %s, %s)"
                       " ON CONFLICT DO NOTHING",
                       (row["spend_id"], row["member_id"], event["event_id"], f"place given back: event {event['event_id']}"))
    return row["spend_id"]


async def rsvp(deps: Deps, request: pb.RsvpRequest) -> pb.Invitation:
    event_id = check_id(request.event_id, "event_id")
    member_id = check_id(request.member_id, "member_id")
    tier = (await _member(deps, member_id, "member_id")).tier if request.accept else ""
    uncertain: list[Uncertain] = []
    returning: list[str] = []
    async with deps.event_queues[event_id]:
        async with deps.pool.connection() as conn:
            try:
                async with conn.transaction():
                    event = await locked(conn, event_id)
                    _open_for_replies(event)
                    row = await _invitation(conn, event_id, member_id)
                    if request.accept and row["state"] not in ("accepted", "waitlisted"):
                        if event["accepted"] < event["capacity"]:
                            spend_id = None
                            if event["points_price"]:
                                try:
                                    spend_id = await _charge(deps, event, member_id)
                                except Uncertain as exc:
                                    uncertain.append(exc)
                                    raise Unavailable("the wallet did not answer; nothing was charged for good:"
                                                      " retry") from None
                            await conn.execute("UPDATE invitations SET tier = %s, tier_rank = %s"
                                               " WHERE event_id = %s AND member_id = %s",
                                               (tier, tier_rank(tier), event_id, member_id))
                            await _take_place(conn, event, member_id, spend_id)
                        else:
                            await conn.execute(
                                "UPDATE invitations SET state = 'waitlisted', tier = %s, tier_rank = %s,"
                                " replied_at = now() WHERE event_id = %s AND member_id = %s",
                                (tier, tier_rank(tier), event_id, member_id))
                    elif not request.accept and row["state"] != "declined":
                        if row["state"] == "accepted":
                            spend = await _give_back(conn, event, row, "declined")
                            returning += [spend] if spend else []
                            await promote(deps, conn, event, uncertain)
                        else:
                            await conn.execute("UPDATE invitations SET state = 'declined', replied_at = now()"
                                               " WHERE event_id = %s AND member_id = %s", (event_id, member_id))
            finally:
                await owe_uncertain(deps, uncertain)
            answer = await one(deps, conn, event_id, member_id)
    if returning:
        await return_owed(deps, spend_ids=tuple(returning))
    return answer


async def cancel_rsvp(deps: Deps, request: pb.CancelRsvpRequest) -> pb.CancelRsvpResponse:
    event_id = check_id(request.event_id, "event_id")
    member_id = check_id(request.member_id, "member_id")
    uncertain: list[Uncertain] = []
    returning: list[str] = []
    promoted: list[str] = []
    async with deps.event_queues[event_id]:
        async with deps.pool.connection() as conn:
            try:
                async with conn.transaction():
                    event = await locked(conn, event_id)
                    _open_for_replies(event)
                    row = await _invitation(conn, event_id, member_id)
                    if row["state"] == "accepted":
                        spend = await _give_back(conn, event, row, "cancelled")
                        returning += [spend] if spend else []
                        promoted = await promote(deps, conn, event, uncertain)
                    elif row["state"] == "waitlisted":
                        await conn.execute("UPDATE invitations SET state = 'cancelled', replied_at = now()"
                                           " WHERE event_id = %s AND member_id = %s", (event_id, member_id))
                    elif row["state"] != "cancelled":
                        raise FailedPrecondition(f"member {member_id} has no place or waitlist entry at event {event_id}")
            finally:
                await owe_uncertain(deps, uncertain)
            answer = await one(deps, conn, event_id, member_id)
    if returning:
        await return_owed(deps, spend_ids=tuple(returning))
    return pb.CancelRsvpResponse(invitation=answer, promoted_member_id=promoted[0] if promoted else "")

