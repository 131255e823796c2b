"""What follows an approved purchase: an SMS receipt for members who opted in (consent
`receipt_sms`), and the surveys set to be asked after a purchase (each member once per survey).

Off the authorization's path: crm reads the switch's journal through its gRPC ListTransactions,
from a saved cursor (the last seq done, in `receipt_cursor`), never the switch's tables, and
queues one outbox message per purchase (source_key receipt:<transaction id>, so a transaction
read twice is queued once). The worker sends it like any other SMS, checking the consent again.

Journal rows are numbered when written, and two switch replicas may commit out of seq order, so
the saved cursor only passes rows older than SETTLE_SECONDS. Each poll reads on from the highest
seq seen (in memory); every SETTLE_SECONDS a catch-up poll reads again from the saved cursor, to
find a row that committed late, and moves the cursor. Rows already handled are remembered, and
the source_key makes a repeat harmless. Members' consents are cached for MEMBER_CACHE_SECONDS,
so a busy terminal costs cards one lookup per member, not per purchase; the worker reads the
consent again before sending.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import grpc

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.switch.v1 import authorization_pb2 as spb
from services.shared import persian

from . import surveys, templates
from .context import Deps
from .delivery import consented
from .times import now

CONSENT = "receipt_sms"
POLL_SECONDS = 1.0
PAGE_SIZE = 500  # the switch's largest page
SETTLE_SECONDS = 10.0  # rows younger than this may still have lower-seq rows committing
MEMBER_CACHE_SECONDS = 60.0
MAX_AGE = dt.timedelta(hours=1)  # an older purchase gets no receipt (a first start, a long outage)
MAX_BACKOFF_SECONDS = 30.0  # the switch or cards away: polls slow down to this
CALL_TIMEOUT_SECONDS = 5.0
RECEIPT_TYPES = (spb.TRANSACTION_TYPE_PURCHASE, spb.TRANSACTION_TYPE_POINTS_PURCHASE, spb.TRANSACTION_TYPE_COMPLETION)
APPROVED = "00"
TEMPLATE = ("{name} عزیز، خرید {amount} در {date} تأیید شد. تخفیف: {discount}. امتیاز این خرید: {points}."
            " مانده‌ی اعتبار: {balance}.")
TEMPLATE_NO_BALANCE = ("{name} عزیز، خرید {amount} در {date} تأیید شد. تخفیف: {discount}."
                       " امتیاز این خرید: {points}.")


def text(member: cards_pb2.Member, txn: spb.Transaction, time_zone: str) -> str:
    at = txn.answered_at.ToDatetime(dt.UTC)
    values = templates.member_values(member) | {
        "amount": persian.rials(txn.amount), "discount": persian.rials(txn.discount),
        "points": persian.number(txn.points_earned), "date": persian.date(at, now(), time_zone)}
    if txn.HasField("credit_available"):
        return templates.render(TEMPLATE, values | {"balance": persian.rials(txn.credit_available)})
    return templates.render(TEMPLATE_NO_BALANCE, values)


class Receipts:
    def __init__(self, deps: Deps, switch, send_receipts: bool = True):
        self.deps, self.switch, self.send_receipts = deps, switch, send_receipts
        self.seen: set[int] = set()  # seqs above the cursor already handled
        self.high = 0  # the highest seq read
        self.last_catch_up = 0.0
        self.members: dict[str, tuple[float, cards_pb2.Member | None]] = {}

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                await self.poll()
                failures = 0
                await asyncio.sleep(POLL_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                if failures == 1:
                    self.deps.log.warning("receipts poll failed", extra={"error": type(exc).__name__})
                await asyncio.sleep(min(POLL_SECONDS * 2 ** failures, MAX_BACKOFF_SECONDS))

    async def cursor(self) -> int:
        async with self.deps.pool.connection() as conn:
            cur = await conn.execute("SELECT seq FROM receipt_cursor")
            row = await cur.fetchone()
        return row["seq"] if row else 0

    async def poll(self) -> int:
        """One poll: on from the highest seq seen, or, every SETTLE_SECONDS, a catch-up from the
        saved cursor that then moves it. The number of receipts queued."""
        loop = asyncio.get_running_loop()
        catch_up = loop.time() - self.last_catch_up >= SETTLE_SECONDS
        start = await self.cursor()
        token = str(start if catch_up else max(start, self.high))
        settled, contiguous, queued = start, True, 0
        horizon = now() - dt.timedelta(seconds=SETTLE_SECONDS)
        while True:
            page = await self.switch.ListTransactions(spb.ListTransactionsRequest(page_size=PAGE_SIZE, page_token=token),
                                                      timeout=CALL_TIMEOUT_SECONDS)
            fresh = [txn for txn in page.transactions if txn.seq not in self.seen and self.followed(txn)]
            await surveys.after_purchase(self.deps, [(txn.member_id, txn.answered_at.ToDatetime(dt.UTC))
                                                     for txn in fresh])
            rows = [row for row in [await self.handle(txn) for txn in fresh] if row is not None]
            for txn in page.transactions:
                self.high = max(self.high, txn.seq)
                if contiguous and txn.answered_at.ToDatetime(dt.UTC) <= horizon:
                    settled = txn.seq
                else:
                    contiguous = False
            queued += await self.queue(rows)
            # Handled once queued: a failed insert leaves the page to be read again.
            self.seen.update(txn.seq for txn in page.transactions)
            token = page.next_page_token
            if not token:
                break
        if catch_up:
            self.last_catch_up = loop.time()
            if settled != start:
                async with self.deps.pool.connection() as conn:
                    await conn.execute("INSERT INTO receipt_cursor (seq) VALUES (%s) ON CONFLICT (only_row)"
                                       " DO UPDATE SET seq = EXCLUDED.seq, updated_at = now()", (settled,))
                    await conn.commit()
                self.seen = {seq for seq in self.seen if seq > settled}
        return queued

    async def member(self, member_id: str) -> cards_pb2.Member | None:
        clock = asyncio.get_running_loop().time()
        cached = self.members.get(member_id)
        if cached and clock - cached[0] < MEMBER_CACHE_SECONDS:
            return cached[1]
        try:
            member = await self.deps.cards.GetMember(cards_pb2.GetMemberRequest(member_id=member_id),
                                                     timeout=CALL_TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
            member = None
        if len(self.members) > 100_000:
            self.members.clear()
        self.members[member_id] = (clock, member)
        return member

    @staticmethod
    def followed(txn: spb.Transaction) -> bool:
        """An approved purchase of a member, recent enough to be followed up."""
        return (txn.type in RECEIPT_TYPES and txn.response_code == APPROVED and bool(txn.member_id)
                and txn.answered_at.ToDatetime(dt.UTC) >= now() - MAX_AGE)

    async def handle(self, txn: spb.Transaction) -> tuple | None:
        """The receipt row to queue for a followed purchase, if any."""
        if not self.send_receipts:
            return None
        member = await self.member(txn.member_id)
        if member is None or not consented(member, CONSENT) or not member.phone:
            return None
        return txn.member_id, text(member, txn, self.deps.time_zone), f"receipt:{txn.transaction_id}"

    async def queue(self, rows: list[tuple]) -> int:
        """One statement and one commit for a page's receipts (a busy journal, not one per purchase)."""
        if not rows:
            return 0
        async with self.deps.pool.connection() as conn:
            cur = await conn.execute(
                "INSERT INTO outbox (member_id, channel, kind, marketing, consent, body, source_key)"
                " SELECT m, 'sms', 'receipt', false, %s, b, k FROM unnest(%s::text[], %s::text[], %s::text[])"
                " AS u(m, b, k) ON CONFLICT (source_key) DO NOTHING RETURNING message_id",
                (CONSENT, *([row[i] for row in rows] for i in range(3))))
            made = len(await cur.fetchall())
            await conn.commit()
        return made
