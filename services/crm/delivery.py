"""The outbox's delivery worker: a background task of the crm process.

Each round it (1) moves new `notifications` rows into the outbox, (2) settles messages whose
sender stopped mid-send (`sending` past its lease), and (3) claims due messages with
`FOR UPDATE SKIP LOCKED` (so replicas share the work and never take the same row), applies the
rules (quiet hours, the daily cap), marks each `sending` with a new attempt id and a lease, and
only then calls the provider. The outcome is written only by the holder of that attempt id.

At most once, after a crash mid-send (docs/crm.md, "Announcements"):
- inbox: written in the claiming transaction, so it is there once or not at all;
- SMS: the gateway gets our message id as its `localid`; a `sending` row past its lease is
  looked up by it (statuslocalmessageid): found = sent, not found = queued again (same localid);
  the gateway unreachable for UNKNOWN_AFTER = `unknown`, for an operator;
- email: SMTP cannot be asked, so a `sending` row past its lease is `unknown` (its Message-ID
  header `<outbox-N@...>` lets an operator look for it), never sent again blindly.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import grpc

from services.gen.club.cards.v1 import cards_pb2

from .context import Deps
from .mail import Smtp
from .sms import Kavenegar, ProviderError

POLL_SECONDS = 1.0  # an idle worker looks for due messages this often
CLAIM_BATCH = 50  # messages claimed per transaction
SEND_CONCURRENCY = 10  # provider calls at once
MAX_ATTEMPTS = 6  # provider errors (5xx, timeouts) retried up to this many sends, then failed
RETRY_BASE_SECONDS = 2.0  # the first retry's wait; doubled each time
RETRY_MAX_SECONDS = 600.0
UNKNOWN_AFTER = dt.timedelta(minutes=10)  # a stale SMS the gateway cannot be asked about, then unknown
NOTIFICATIONS_BATCH = 500
CARDS_TIMEOUT_SECONDS = 5.0
# The member (address, consents) is read before each send, from a short cache: a busy sender
# (receipts at the terminals' pace) asks cards once per member per this long, and a consent
# withdrawn stops messages within it.
MEMBER_CACHE_SECONDS = 10.0
MEMBER_CACHE_SIZE = 100_000
DEFAULT_QUIET_HOURS = "22:00-08:00"  # marketing SMS waits these out, in the club's time zone
CONSENTS = {"sms": "marketing_sms", "email": "marketing_email"}  # what marketing needs, by channel
# The existing notifications go to the member's inbox and by SMS (transactional: no consent).
NOTIFICATION_CHANNELS = ("inbox", "sms")
NOTIFICATION_SUBJECTS = {"promoted": "جای شما در رویداد قطعی شد", "event_cancelled": "رویداد لغو شد"}


def backoff(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed sends: 2, 4, 8, ... at most RETRY_MAX_SECONDS."""
    return min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)


Window = tuple[dt.time, dt.time]


def quiet_hours(value: str) -> Window | None:
    """"22:00-08:00" (a window may pass midnight); empty = none."""
    if not value.strip():
        return None
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ValueError("must be HH:MM-HH:MM, e.g. 22:00-08:00, or empty") from None
    if start == end:
        raise ValueError("the start and the end must differ")
    return start, end


def quiet_until(at: dt.datetime, time_zone: str, window: Window | None) -> dt.datetime | None:
    """The end of the quiet hours `at` falls in (in `time_zone`), else None."""
    if window is None:
        return None
    start, end = window
    local = at.astimezone(ZoneInfo(time_zone))
    now = local.time().replace(tzinfo=None)
    inside = (start <= now < end) if start < end else (now >= start or now < end)
    if not inside:
        return None
    day = local.date() if now < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=ZoneInfo(time_zone))


def day_start(at: dt.datetime, time_zone: str) -> dt.datetime:
    local = at.astimezone(ZoneInfo(time_zone))
    return dt.datetime.combine(local.date(), dt.time(0), tzinfo=ZoneInfo(time_zone))


def consented(member: cards_pb2.Member, purpose: str) -> bool:
    return any(consent.purpose == purpose and consent.granted for consent in member.consents)


@dataclass
class Worker:
    deps: Deps
    sms: Kavenegar | None
    mail: Smtp | None
    lease: dt.timedelta
    daily_cap: int
    quiet: Window | None = quiet_hours(DEFAULT_QUIET_HOURS)
    clock: object = None  # now(); tests of the rules give their own
    members: dict = field(default_factory=dict)  # member_id -> (monotonic time read, member or None)
    settling: list | None = None  # outcomes of the batch being sent, written together (deliver_once)

    def now(self) -> dt.datetime:
        return self.clock() if self.clock else dt.datetime.now(dt.UTC)

    async def run(self) -> None:
        log = self.deps.log
        while True:
            busy = False
            try:
                await self.queue_notifications()
                await self.wipe_expired()
                await self.recover()
                busy = await self.deliver_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the worker outlives a bad round (Postgres away, a bug in one row)
                log.warning("outbox round failed", extra={"error": type(exc).__name__})
            if not busy:
                await asyncio.sleep(POLL_SECONDS)

    # ---------- notifications into the outbox ----------
    async def queue_notifications(self) -> int:
        async with self.deps.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "SELECT * FROM notifications WHERE delivered_at IS NULL ORDER BY notification_id LIMIT %s"
                " FOR UPDATE SKIP LOCKED", (NOTIFICATIONS_BATCH,))
            rows = await cur.fetchall()
            for row in rows:
                for channel in NOTIFICATION_CHANNELS:
                    await conn.execute(
                        "INSERT INTO outbox (member_id, channel, kind, marketing, subject, body, source_key)"
                        " VALUES (%s, %s, %s, false, %s, %s, %s) ON CONFLICT (source_key) DO NOTHING",
                        (row["member_id"], channel, row["kind"], NOTIFICATION_SUBJECTS.get(row["kind"], ""),
                         row["body"], f"notification:{row['notification_id']}:{channel}"))
            if rows:
                # delivered_at: handed to the outbox, which owns the delivery from here
                await conn.execute("UPDATE notifications SET delivered_at = now() WHERE notification_id = ANY(%s)",
                                   ([row["notification_id"] for row in rows],))
        return len(rows)

    # ---------- sealed bodies past their time ----------
    async def wipe_expired(self) -> int:
        """Sealed bodies (sign-in codes) of messages not sent in their time: wiped, the message
        skipped. A message being sent is left to its sender, which wipes it when it settles."""
        async with self.deps.pool.connection() as conn:
            cur = await conn.execute(
                "UPDATE outbox SET sealed_body = NULL, state = CASE WHEN state IN ('queued', 'held') THEN 'skipped'"
                " ELSE state END, reason = CASE WHEN state IN ('queued', 'held') THEN 'expired before it could be sent'"
                " ELSE reason END WHERE sealed_body IS NOT NULL AND expires_at <= %s AND state <> 'sending'",
                (self.now(),))
            return cur.rowcount

    # ---------- claiming and sending ----------
    async def deliver_once(self) -> bool:
        now = self.now()
        claimed: list[dict] = []
        async with self.deps.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "SELECT * FROM outbox WHERE state IN ('queued', 'held') AND next_attempt_at <= %s"
                " ORDER BY next_attempt_at, message_id LIMIT %s FOR UPDATE SKIP LOCKED", (now, CLAIM_BATCH))
            rows = await cur.fetchall()
            for row in rows:
                if row["channel"] == "inbox":
                    await conn.execute("INSERT INTO inbox (message_id, member_id, subject, body) VALUES (%s, %s, %s, %s)"
                                       " ON CONFLICT DO NOTHING",
                                       (row["message_id"], row["member_id"], row["subject"], row["body"]))
                    await conn.execute("UPDATE outbox SET state = 'sent', sent_at = %s, claimed_at = %s, attempts ="
                                       " attempts + 1 WHERE message_id = %s", (now, now, row["message_id"]))
                    continue
                if row["marketing"]:
                    until = quiet_until(now, self.deps.time_zone, self.quiet) if row["channel"] == "sms" else None
                    if until is not None:
                        await conn.execute("UPDATE outbox SET state = 'held', next_attempt_at = %s,"
                                           " reason = 'quiet hours' WHERE message_id = %s", (until, row["message_id"]))
                        continue
                    # One member's marketing is counted under a lock on the member, so replicas
                    # claiming at once cannot both pass the cap.
                    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('crm.outbox.cap:' || %s))",
                                       (row["member_id"],))
                    cur = await conn.execute(
                        "SELECT count(*) AS n FROM outbox WHERE member_id = %s AND marketing AND channel <> 'inbox'"
                        " AND state IN ('sending', 'sent') AND claimed_at >= %s",
                        (row["member_id"], day_start(now, self.deps.time_zone)))
                    if (await cur.fetchone())["n"] >= self.daily_cap:
                        await conn.execute("UPDATE outbox SET state = 'skipped', reason = 'daily cap' WHERE message_id = %s",
                                           (row["message_id"],))
                        continue
                attempt = uuid.uuid4().hex
                await conn.execute(
                    "UPDATE outbox SET state = 'sending', attempt_id = %s, lease_until = %s, claimed_at = %s,"
                    " attempts = attempts + 1, reason = '' WHERE message_id = %s",
                    (attempt, now + self.lease, now, row["message_id"]))
                claimed.append({**row, "attempt_id": attempt, "attempts": row["attempts"] + 1})
        if claimed:
            gate = asyncio.Semaphore(SEND_CONCURRENCY)

            async def one(row: dict) -> None:
                async with gate:
                    await self.send(row)

            # The batch's SMS and inbox outcomes are written together, one commit for the batch
            # (receipts come at the terminals' pace); an email's is written at once (_settle).
            self.settling = []
            try:
                await asyncio.gather(*(one(row) for row in claimed))
            finally:
                settled, self.settling = self.settling, None
                await self._write_settlements(settled)
        return bool(rows)

    async def _settle(self, row: dict, state: str, reason: str = "", **values) -> None:
        """Writes a send's outcome, or, inside deliver_once's batch, adds it to the batch's.
        Until written the row stays `sending`: after a crash, recover() settles it as for any
        interrupted send (an SMS is looked up at the gateway by its localid), so an outcome
        waiting for its batch is never a second send. An email's outcome cannot be looked up, so
        it is written at once."""
        if state != "queued":
            values["sealed_body"] = None  # a sealed body lives until its one send is settled
        settlement = (row, state, reason, values)
        if self.settling is not None and row["channel"] != "email":
            self.settling.append(settlement)
        else:
            await self._write_settlements([settlement])

    async def _write_settlements(self, settlements: list[tuple]) -> None:
        if not settlements:
            return
        async with self.deps.pool.connection() as conn, conn.transaction():
            for row, state, reason, values in settlements:
                sets = ", ".join(f"{name} = %s" for name in values)
                await conn.execute(
                    f"UPDATE outbox SET state = %s, reason = %s{', ' + sets if sets else ''}"
                    " WHERE message_id = %s AND attempt_id = %s AND state = 'sending'",
                    (state, reason[:500], *values.values(), row["message_id"], row["attempt_id"]))

    async def _member(self, member_id: str) -> cards_pb2.Member | None:
        clock = time.monotonic()
        cached = self.members.get(member_id)
        if cached and clock - cached[0] < MEMBER_CACHE_SECONDS:
            return cached[1]
        try:
            member = await self.deps.cards.GetMember(cards_pb2.GetMemberRequest(member_id=member_id),
                                                     timeout=CARDS_TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                raise ProviderError(f"cards did not answer ({exc.code().name})", retryable=True) from None
            member = None
        if len(self.members) >= MEMBER_CACHE_SIZE:
            self.members.clear()
        self.members[member_id] = (clock, member)
        return member

    async def _send_sealed(self, row: dict) -> None:
        """A message to a phone with a sealed body (a sign-in code): opened only here, never after
        it expired; the body is wiped whatever the outcome (see _settle)."""
        if row["expires_at"] is not None and row["expires_at"] <= self.now():
            return await self._settle(row, "skipped", "expired before it could be sent")
        if self.sms is None:
            return await self._settle(row, "failed", "no SMS gateway configured")
        body = self.deps.vault.decrypt(bytes(row["sealed_body"]), row["to_phone"].encode()).decode()
        provider_id = await self.sms.send(row["message_id"], row["to_phone"], body)
        await self._settle(row, "sent", provider_id=provider_id, recipient=row["to_phone"], sent_at=self.now())

    async def send(self, row: dict) -> None:
        log = self.deps.log
        try:
            if row["sealed_body"] is not None:
                return await self._send_sealed(row)
            member = await self._member(row["member_id"])
            if member is None:
                return await self._settle(row, "skipped", "no such member")
            if row["consent"] and not consented(member, row["consent"]):
                return await self._settle(row, "skipped", f"no {row['consent']} consent")
            if row["channel"] == "sms":
                if not member.phone:
                    return await self._settle(row, "skipped", "no phone")
                if self.sms is None:
                    return await self._settle(row, "failed", "no SMS gateway configured")
                provider_id = await self.sms.send(row["message_id"], member.phone, row["body"])
                address = member.phone
            else:
                if not member.email:
                    return await self._settle(row, "skipped", "no email")
                if self.mail is None:
                    return await self._settle(row, "failed", "no SMTP server configured")
                provider_id = await self.mail.send(row["message_id"], member.email, row["subject"], row["body"])
                address = member.email
        except ProviderError as exc:
            if exc.retryable and row["attempts"] < MAX_ATTEMPTS:
                wait = backoff(row["attempts"])
                log.info("message send retried", extra={"message_id": row["message_id"], "error": str(exc),
                                                        "retry_in": wait})
                return await self._settle(row, "queued", str(exc),
                                          next_attempt_at=self.now() + dt.timedelta(seconds=wait))
            log.warning("message send failed", extra={"message_id": row["message_id"], "error": str(exc)})
            return await self._settle(row, "failed", str(exc))
        await self._settle(row, "sent", provider_id=provider_id, recipient=address, sent_at=self.now())

    # ---------- after a crash mid-send ----------
    async def recover(self) -> int:
        now = self.now()
        async with self.deps.pool.connection() as conn:
            cur = await conn.execute("SELECT * FROM outbox WHERE state = 'sending' AND lease_until < %s"
                                     " ORDER BY lease_until LIMIT %s", (now, CLAIM_BATCH))
            rows = await cur.fetchall()
        for row in rows:
            if row["channel"] == "sms" and self.sms is not None:
                try:
                    found = await self.sms.find(row["message_id"])
                except ProviderError as exc:
                    if now - row["lease_until"] > UNKNOWN_AFTER:
                        await self._settle(row, "unknown", f"stopped mid-send; the gateway cannot say: {exc}")
                    continue
                if found:
                    await self._settle(row, "sent", "confirmed by the gateway after an interrupted send",
                                       provider_id=found, sent_at=now)
                else:
                    # The gateway never took it: send again, with the same localid.
                    await self._settle(row, "queued", "interrupted before the gateway took it", next_attempt_at=now)
            else:
                await self._settle(row, "unknown", "stopped mid-send; the provider cannot be asked"
                                   + (f" (Message-ID <outbox-{row['message_id']}@...>)" if row["channel"] == "email" else ""))
            self.deps.log.warning("interrupted send settled", extra={"message_id": row["message_id"],
                                                                     "channel": row["channel"]})
        return len(rows)
