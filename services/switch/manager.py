"""The transaction manager: every request the switch answers, from the ISO front or the gRPC API,
runs here through its flow (services/switch/flow_table.py), one participant after another, under
one deadline counted from its arrival.

What is decided here and nowhere else:
- Once per transaction id. A retransmission gets the first outcome (from this process while it is
  being stored, else from Redis, else from the journal); the same id with other content gets 94.
- Undo. A participant that declines ends the flow, and every prepared participant is undone, last
  first, before the answer goes out.
- Compensation. An uncertain end (91 or 96: a deadline passed, a dependency failed) cannot be
  undone now: the prepared participants that left work in another service are journaled, and
  `compensate_open` runs their `compensate` until each confirms.
- Commit. The outcome is journaled before it is answered (an approval that cannot be journaled is
  compensated and answered 96), then stored in Redis off the answer's path.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import grpc
from prometheus_client import Counter, Histogram
from redis import exceptions as redis_errors

from services.shared import response_codes as codes
from services.shared.metrics import LATENCY_BUCKETS

from . import flows, journal
from .context import Context, Services
from .flow_table import FLOWS, PARTICIPANTS, Flow
from .flows import Request
from .outcome import MAX_MESSAGE_LENGTH, Outcome
from .participants.base import Participant
from .participants.offer_release import send as send_offer_release
from .participants.reversal import SETTLE_WAIT_MARGIN_SECONDS

AUTHORIZATIONS = Counter("club_authorizations_total", "authorizations answered, by response code", ["response_code"])
AUTHORIZATION_LATENCY = Histogram("club_authorization_latency_seconds", "time from request to answer",
                                  ["kind"], buckets=LATENCY_BUCKETS)
COMPENSATIONS = Counter("club_compensations_total", "compensations run after uncertain answers", ["result"])

COMPENSATION_BATCH = 100
UNCERTAIN_CODES = frozenset({codes.ISSUER_UNAVAILABLE, codes.SYSTEM_MALFUNCTION})
# Errors from a dependency that mean "not now": the answer is 91 and the terminal may try again.
UNAVAILABLE_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                               grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.CANCELLED,
                               grpc.StatusCode.ABORTED})


def code_for(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return codes.ISSUER_UNAVAILABLE
    if isinstance(exc, grpc.aio.AioRpcError):
        if exc.code() in UNAVAILABLE_CODES:
            return codes.ISSUER_UNAVAILABLE
        if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
            return codes.FORMAT_ERROR
    return codes.SYSTEM_MALFUNCTION


def _discard(task: asyncio.Task | None) -> None:
    """Cancel a task nobody will await, its outcome retrieved (no "never retrieved" warning)."""
    if task is not None:
        task.cancel()  # nothing when it is done already
        task.add_done_callback(lambda done: done.cancelled() or done.exception())


async def prepare(participants, context: Context) -> None:
    """Each participant in turn; the first decline answers, after every prepared one is undone,
    last first. All prepared: approved. An exception leaves `context.prepared` as it was, for the
    caller to compensate."""
    for participant in participants:
        context.prepared.append(participant)  # before: a step may leave something even when it fails
        declined = await participant.prepare(context)
        if declined is not None:
            context.outcome.response_code, context.outcome.message = declined.response_code, declined.message
            if declined.undo:
                for prepared in reversed(context.prepared):
                    await prepared.undo(context)
            return
    context.outcome.response_code = codes.APPROVED


class TransactionManager:
    def __init__(self, services: Services, flow_table: dict[str, Flow] = FLOWS):
        self.services = services
        self.participants = {name: kind(services) for name, kind in PARTICIPANTS.items()}
        self.flows = {kind: tuple(self.participants[p.name] for p in flow.participants)
                      for kind, flow in flow_table.items()}
        self.journaled = {kind: flow.journaled for kind, flow in flow_table.items()}
        self.log = services.log
        self._storing: set[asyncio.Task] = set()

    # ---- entry point -------------------------------------------------------------------------

    async def run(self, request: Request) -> Outcome:
        started = time.perf_counter()
        if self.journaled[request.kind]:
            outcome = await self._once(request)
        else:
            context = self._context(request)
            outcome = await self._work(context)
        AUTHORIZATIONS.labels(outcome.response_code).inc()
        AUTHORIZATION_LATENCY.labels(request.kind).observe(time.perf_counter() - started)
        return outcome

    def _context(self, request: Request) -> Context:
        loop_time = asyncio.get_running_loop().time()
        arrived = loop_time if request.arrived is None else request.arrived
        outcome = Outcome(
            "", request.transaction_id, request.kind, request.channel, request.mti, request.processing_code,
            request.terminal_id, request.merchant_id, request.stan, amount=request.amount,
            original_transaction_id=request.original_transaction_id, received_at=request.received_at)
        return Context(request, outcome, arrived + self.services.settings.authorization_timeout)

    async def _once(self, request: Request) -> Outcome:
        """At most one run per transaction id: retransmissions get the first outcome."""
        txn, working = request.transaction_id, self.services.working
        local = working.get(txn)
        if local is not None:
            return self._replayed(request, await asyncio.shield(local))
        context = self._context(request)
        for participant in self.flows[request.kind]:
            participant.begin(context)
        try:
            claim = await self._claim(txn)
        except BaseException:
            _discard(context.card_check)
            raise
        if claim is not None and not claim.ours:
            _discard(context.card_check)  # not ours to run
            return await self._claimed_elsewhere(request, claim)
        future = asyncio.get_running_loop().create_future()
        working[txn] = future
        try:
            stands = await self._work_and_journal(context)
        except BaseException as exc:
            del working[txn]
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        future.set_result(stands)
        # The answer goes out now, journaled; Redis learns it just after, off the answer's path.
        # Until then a retransmission here is answered from `working`, and one that reached another
        # replica waits on the claim (dedupe.settled) as for any transaction in flight.
        storing = asyncio.create_task(self._store_and_forget(txn, stands))
        self._storing.add(storing)
        storing.add_done_callback(self._storing.discard)
        return stands if stands is context.outcome else self._replayed(request, stands)

    async def _claim(self, txn: str):
        try:
            return await self.services.dedupe.claim(txn)
        except redis_errors.RedisError as exc:
            # Without Redis the wallet's idempotency still posts once, and the journal keeps the
            # first outcome (`_journal`); only the fast path is lost.
            self.log.warning("duplicate check unavailable", extra={"error": str(exc)})
            return None

    async def _claimed_elsewhere(self, request: Request, claim) -> Outcome:
        """A transaction id seen before: its first outcome, or why there is none."""
        txn = request.transaction_id
        if claim.answer is not None:
            return self._replayed(request, Outcome.from_stored(claim.answer))
        if claim.tombstone:
            return Outcome(codes.INVALID_TRANSACTION, txn, message="reversed before it arrived; nothing posted")
        # in flight: another replica (or a crashed one) holds it
        wait = self.services.settings.authorization_timeout + SETTLE_WAIT_MARGIN_SECONDS
        settled = await self.services.dedupe.settled(txn, wait)
        if settled.answer is not None:
            return self._replayed(request, Outcome.from_stored(settled.answer))
        return Outcome(codes.ISSUER_UNAVAILABLE, txn, message="the first transmission is still in progress")

    def _replayed(self, request: Request, first: Outcome) -> Outcome:
        if first.fingerprint and first.fingerprint != request.fingerprint():
            return Outcome(codes.DUPLICATE_TRANSMISSION, request.transaction_id,
                           message="the same 41 + 11 + 7 with different content")
        return Outcome.from_stored(first.stored())  # a copy: the caller may not change the first

    async def _store_and_forget(self, txn: str, outcome: Outcome) -> None:
        try:
            await self.services.dedupe.store(txn, outcome.stored())
        except redis_errors.RedisError as exc:
            self.log.warning("duplicate store unavailable", extra={"error": str(exc)})
        finally:
            del self.services.working[txn]

    async def drain(self) -> None:
        """Wait for the outcomes still being stored in Redis (at shutdown, before Redis closes)."""
        while self._storing:
            await asyncio.gather(*self._storing, return_exceptions=True)

    # ---- the flow ----------------------------------------------------------------------------

    async def _work(self, context: Context) -> Outcome:
        """The flow's participants in order under the deadline; always an outcome, never silence."""
        request, outcome = context.request, context.outcome
        self.services.in_flight += 1
        try:
            try:
                async with asyncio.timeout_at(context.deadline):
                    await prepare(self.flows[request.kind], context)
            except (TimeoutError, grpc.aio.AioRpcError) as exc:
                outcome.response_code = code_for(exc)
                detail = exc.details() if isinstance(exc, grpc.aio.AioRpcError) else "deadline passed"
                outcome.message = detail or ""
                self.log.warning("authorization failed on a dependency", extra={
                    "transaction_id": request.transaction_id, "response_code": outcome.response_code,
                    "error": detail})
            except Exception:  # a bug or an unexpected dependency error: still an answer
                self.log.exception("authorization failed", extra={"transaction_id": request.transaction_id})
                outcome.response_code, outcome.message = codes.SYSTEM_MALFUNCTION, "internal error"
        finally:
            self.services.in_flight -= 1
            _discard(context.card_check)  # a flow that ended before using it
        outcome.message = outcome.message[:MAX_MESSAGE_LENGTH]
        outcome.fingerprint = request.fingerprint()
        outcome.answered_at = dt.datetime.now(dt.UTC)
        return outcome

    async def _work_and_journal(self, context: Context) -> Outcome:
        """The outcome that stands for this transaction id: this one, journaled, or the first one
        journaled under the id (Redis had forgotten it), which this request's answer replays."""
        outcome = await self._work(context)
        if outcome.response_code in UNCERTAIN_CODES:
            await self._plan_compensation(context)
        try:
            row = await self.services.journal.record(outcome)
        except Exception as exc:
            self.log.error("journal unavailable", extra={"transaction_id": outcome.transaction_id, "error": str(exc)})
            if outcome.approved and context.request.kind in flows.MONEY_IN:
                # Not journaled means no RRN to refund by: undo and decline rather than approve blind.
                await self._plan_compensation(context)
            return Outcome(codes.SYSTEM_MALFUNCTION, outcome.transaction_id, message="journal unavailable")
        if not row["inserted"]:
            return Outcome.from_row(row)
        if outcome.approved:
            outcome.rrn = flows.rrn(row["seq"])
        return outcome

    # ---- compensation ------------------------------------------------------------------------

    async def _plan_compensation(self, context: Context) -> None:
        owing = [p.name for p in context.prepared if p.compensates]
        if not owing:
            return
        txn = context.request.transaction_id
        try:
            await journal.add_compensation(self.services.pool, txn, owing)
        except Exception as exc:  # Postgres down too: try now, in the background
            self.log.error("compensation not journaled", extra={"transaction_id": txn, "error": str(exc)})
            asyncio.get_running_loop().create_task(self._compensate(txn, owing, final=False))

    async def compensate_open(self) -> int:
        """One pass over open compensations and owed offer releases; returns how many were resolved."""
        resolved = 0
        services = self.services
        now = dt.datetime.now(dt.UTC)
        for row in await journal.open_compensations(services.pool, COMPENSATION_BATCH):
            final = (now - row["created_at"]).total_seconds() > services.settings.compensation_grace_seconds
            done = await self._compensate(row["transaction_id"], row["participants"], final)
            await journal.finish_compensation(services.pool, row["transaction_id"], done)
            resolved += done
        for row in await journal.open_offer_releases(services.pool, COMPENSATION_BATCH):
            done = await send_offer_release(services, row["transaction_id"], row["stands"],
                                            services.settings.authorization_timeout)
            await journal.finish_offer_release(services.pool, row["transaction_id"], row["stands"], done)
            resolved += done
        return resolved

    async def _compensate(self, transaction_id: str, owing: list[str], final: bool) -> bool:
        """Each owing participant's compensation, last prepared first; True when all are settled."""
        participants: list[Participant] = [self.participants[name] for name in owing]
        try:
            settled = [await participant.compensate(transaction_id, final) for participant in reversed(participants)]
        except grpc.aio.AioRpcError as exc:
            COMPENSATIONS.labels("retry").inc()
            self.log.info("compensation will be retried", extra={"transaction_id": transaction_id,
                                                                  "error": exc.details()})
            return False
        COMPENSATIONS.labels("done" if all(settled) else "waiting").inc()
        return all(settled)

    # ---- reads for the API -------------------------------------------------------------------

    async def transaction(self, transaction_id: str) -> dict | None:
        return await journal.get(self.services.pool, transaction_id)

    async def transactions(self, terminal_id: str, merchant_id: str, after_seq: int, size: int,
                           member_id: str = "", newest_first: bool = False, min_amount: int = 0,
                           max_amount: int = 0) -> list[dict]:
        return await journal.page(self.services.pool, terminal_id, merchant_id, after_seq, size, member_id,
                                  newest_first, min_amount, max_amount)

    async def followers(self, transaction_id: str) -> list[dict]:
        return await journal.followers(self.services.pool, transaction_id)
