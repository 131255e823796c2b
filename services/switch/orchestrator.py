"""The authorization flows: cards.AuthorizeCard -> tasheem.Quote -> wallet.Purchase, each
under what is left of one deadline, then the journal, then the answer. The three hot-path hops
go through micro-batchers (services/shared/batching.py): every authorization waiting for the
same hop shares one batched call, answered item by item as the unary call would be.

Nothing is left half-done: a decline after the quote releases the offer budget and the daily
limit; an answer of 91/96 after the wallet was called is followed by a compensation (wallet
reversal + budget release) that is journaled and retried until both services confirm it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import logging
import time
import zoneinfo
from dataclasses import dataclass, field

import grpc
from prometheus_client import Counter, Histogram
from psycopg_pool import AsyncConnectionPool
from redis import exceptions as redis_errors

from services.cards.read_model import ReadModel, ReadModelMiss
from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2, tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from services.shared import batching
from services.shared import response_codes as codes
from services.shared.metrics import LATENCY_BUCKETS
from services.shared.redis_scripts import Scripts

from . import flows, journal
from .admission import Admission
from .dedupe import Dedupe
from .dispatch import TierCache
from .flows import Answer, Request

AUTHORIZATIONS = Counter("club_authorizations_total", "authorizations answered, by response code", ["response_code"])
AUTHORIZATION_LATENCY = Histogram("club_authorization_latency_seconds", "time from request to answer",
                                  ["kind"], buckets=LATENCY_BUCKETS)
SHED = Counter("club_authorizations_shed_total", "authorizations turned away under load, by tier", ["tier"])
CARD_CHECKS = Counter("club_card_checks_total", "card checks, by who answered: the read model or the cards service",
                      ["source"])
COMPENSATIONS = Counter("club_compensations_total", "compensations run after uncertain answers", ["result"])
OFFER_RELEASES = Counter("club_offer_releases_total", "offer reservations given back after money went back to the"
                         " member, in full or in part", ["extent", "result"])

_DEADLINE: contextvars.ContextVar[float] = contextvars.ContextVar("authorization_deadline")
MIN_CALL_TIMEOUT_SECONDS = 0.001
LIMIT_TTL_SECONDS = 2 * 24 * 3600
SETTLE_WAIT_MARGIN_SECONDS = 1.0  # a reversal waits this long past the deadline for its in-flight original
COMPENSATION_BATCH = 100
CARD_FIRST_KINDS = frozenset({*flows.MONEY_IN, flows.REFUND, flows.BALANCE})  # flows that begin with the card check

# Errors from a dependency that mean "not now": the answer is 91 and the terminal may try again.
UNAVAILABLE_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                               grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.CANCELLED,
                               grpc.StatusCode.ABORTED})

PURCHASE_CODES = {
    wallet_pb2.PURCHASE_OUTCOME_INSUFFICIENT_FUNDS: codes.INSUFFICIENT_FUNDS,
    wallet_pb2.PURCHASE_OUTCOME_ACCOUNT_NOT_FOUND: codes.UNKNOWN_CARD,
    wallet_pb2.PURCHASE_OUTCOME_ACCOUNT_CLOSED: codes.RESTRICTED_CARD,
    wallet_pb2.PURCHASE_OUTCOME_CONFLICT: codes.DUPLICATE_TRANSMISSION,
    wallet_pb2.PURCHASE_OUTCOME_HOLD_NOT_FOUND: codes.INVALID_TRANSACTION,
    wallet_pb2.PURCHASE_OUTCOME_HOLD_RESOLVED: codes.INVALID_TRANSACTION,
    wallet_pb2.PURCHASE_OUTCOME_EXCEEDS_HOLD: codes.INVALID_AMOUNT,
}


def _card_message(request: Request) -> cards_pb2.AuthorizeCardRequest:
    message = cards_pb2.AuthorizeCardRequest(
        expiry=request.expiry, pin_block=request.pin_block, cvv2=request.cvv2, terminal_id=request.terminal_id,
        amount=request.amount, processing_code=request.processing_code,
        pin_block_format=cards_pb2.PIN_BLOCK_FORMAT_ISO_0 if request.pin_block else 0)
    if request.pan:
        message.pan = request.pan
    else:
        message.card_token = request.card_token
    return message


def _discard(task: asyncio.Task | None) -> None:
    """Cancel a task nobody will await, its outcome retrieved (no "never retrieved" warning)."""
    if task is not None:
        task.cancel()  # nothing when it is done already
        task.add_done_callback(lambda done: done.cancelled() or done.exception())


def code_for(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return codes.ISSUER_UNAVAILABLE
    if isinstance(exc, grpc.aio.AioRpcError):
        if exc.code() in UNAVAILABLE_CODES:
            return codes.ISSUER_UNAVAILABLE
        if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
            return codes.FORMAT_ERROR
    return codes.SYSTEM_MALFUNCTION


@dataclass
class Settings:
    authorization_timeout: float
    hold_timeout_seconds: int
    time_zone: str
    compensation_grace_seconds: int  # a late wallet commit lands within this; "unknown" after it means never
    batch_linger: float = batching.BUSY_LINGER_SECONDS  # the hops' wait for more items when busy
    batch_enough: int = batching.ENOUGH_ITEMS


@dataclass
class Progress:
    """How far a flow got: what a failure must undo."""

    limit_key: str = ""
    card_check: asyncio.Task | None = None  # started before the duplicate claim (see _early_card_check)
    quoted: bool = False
    wallet_called: bool = False
    answer_fields: dict = field(default_factory=dict)


class Switch:
    def __init__(self, cards: cards_pb2_grpc.CardServiceStub, read_model: ReadModel | None,
                 tasheem: tasheem_pb2_grpc.TasheemServiceStub,
                 wallet: wallet_pb2_grpc.WalletServiceStub, pool: AsyncConnectionPool, journal_writer: journal.Journal,
                 dedupe: Dedupe, scripts: Scripts, admission: Admission, tiers: TierCache, settings: Settings,
                 log: logging.Logger):
        self.cards, self.tasheem, self.wallet = cards, tasheem, wallet
        self.read_model = read_model
        gathering = {"linger": settings.batch_linger, "enough": settings.batch_enough}
        self.card_checks = batching.rpc_batcher(cards.AuthorizeCards, cards_pb2.AuthorizeCardsRequest, "authorize-cards",
                                                **gathering)
        self.quotes = batching.rpc_batcher(tasheem.QuoteBatch, tasheem_pb2.QuoteBatchRequest, "quotes", **gathering)
        self.purchases = batching.rpc_batcher(wallet.PurchaseBatch, wallet_pb2.PurchaseBatchRequest, "purchases",
                                              **gathering)
        self.pool = pool
        self.journal = journal_writer
        self.dedupe = dedupe
        self.scripts = scripts
        self.admission = admission
        self.tiers = tiers  # filled by card checks; read by the ISO front before decoding
        self.settings = settings
        self.log = log
        self.zone = zoneinfo.ZoneInfo(settings.time_zone)
        self.in_flight = 0
        self._local: dict[str, asyncio.Future] = {}  # transaction id -> its answer, until Redis has it
        self._storing: set[asyncio.Task] = set()

    # ---- entry point -------------------------------------------------------------------------

    async def authorize(self, request: Request) -> Answer:
        started = time.perf_counter()
        answer = await self._once(request)
        AUTHORIZATIONS.labels(answer.code).inc()
        AUTHORIZATION_LATENCY.labels(request.kind).observe(time.perf_counter() - started)
        return answer

    async def _once(self, request: Request) -> Answer:
        """At most one run per transaction id: retransmissions get the first answer."""
        txn = request.transaction_id
        local = self._local.get(txn)
        if local is not None:
            return self._replayed(request, _replay(await asyncio.shield(local)))
        card_check = self._early_card_check(request)
        try:
            claim = await self._claim(txn)
        except BaseException:
            _discard(card_check)
            raise
        if claim is not None and (claim.answer is not None or claim.tombstone or claim.in_flight):
            _discard(card_check)  # not ours to run
            return await self._claimed_elsewhere(request, claim)
        future = asyncio.get_running_loop().create_future()
        self._local[txn] = future
        try:
            answer = await self._run_and_journal(request, card_check)
        except BaseException as exc:
            del self._local[txn]
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        future.set_result(answer)
        # The answer goes out now, journaled; Redis learns it just after, off the answer's path.
        # Until then a retransmission here is answered from _local, and one that reached another
        # replica waits on the claim (dedupe.settled) as for any transaction in flight.
        storing = asyncio.create_task(self._store_and_forget(txn, answer))
        self._storing.add(storing)
        storing.add_done_callback(self._storing.discard)
        return answer

    async def _store_and_forget(self, txn: str, answer: Answer) -> None:
        try:
            await self._store(txn, answer)
        finally:
            del self._local[txn]

    async def drain(self) -> None:
        """Wait for the answers still being stored in Redis (at shutdown, before Redis closes)."""
        while self._storing:
            await asyncio.gather(*self._storing, return_exceptions=True)

    async def _claimed_elsewhere(self, request: Request, claim) -> Answer:
        """A transaction id seen before: its first answer, or why there is none."""
        txn = request.transaction_id
        if claim.answer is not None:
            return self._replayed(request, Answer.from_stored(claim.answer))
        if claim.tombstone:
            return Answer(codes.INVALID_TRANSACTION, txn, message="reversed before it arrived; nothing posted")
        # in flight: another replica (or a crashed one) holds it
        settled = await self.dedupe.settled(txn, self.settings.authorization_timeout + SETTLE_WAIT_MARGIN_SECONDS)
        if settled.answer is not None:
            return self._replayed(request, Answer.from_stored(settled.answer))
        return Answer(codes.ISSUER_UNAVAILABLE, txn, message="the first transmission is still in progress")

    def _replayed(self, request: Request, first: Answer) -> Answer:
        if first.fingerprint and first.fingerprint != request.fingerprint():
            return Answer(codes.DUPLICATE_TRANSMISSION, request.transaction_id,
                          message="the same 41 + 11 + 7 with different content")
        return first

    async def _claim(self, txn: str):
        try:
            return await self.dedupe.claim(txn)
        except redis_errors.RedisError as exc:
            # Without Redis the wallet's idempotency still posts once; only the fast path is lost.
            self.log.warning("duplicate check unavailable", extra={"error": str(exc)})
            return None

    def _early_card_check(self, request: Request) -> asyncio.Task | None:
        """The card check, sent at once beside the duplicate claim instead of after it: one round
        trip less on the answer's path. Only where it changes nothing: without a PIN block (whose
        wrong tries are counted) and for the flows that begin with it; a retransmission's check is
        simply dropped."""
        if request.pin_block or request.kind not in CARD_FIRST_KINDS:
            return None
        return asyncio.ensure_future(self._card_check(_card_message(request), self.settings.authorization_timeout))

    async def _card_check(self, message: cards_pb2.AuthorizeCardRequest, timeout: float) -> cards_pb2.AuthorizeCardResponse:
        """From cards' read model in Redis when it can answer (no secret to verify, profiles
        present), else from the cards service: the same decision either way (authorize.decide)."""
        if self.read_model is not None and not (message.pin_block or message.cvv2):
            try:
                card = await self.read_model.authorize(message)
            except (ReadModelMiss, redis_errors.RedisError):
                pass
            else:
                CARD_CHECKS.labels("read_model").inc()
                return card
        CARD_CHECKS.labels("cards").inc()
        return await self.card_checks.call(message, timeout)

    async def _run_and_journal(self, request: Request, card_check: asyncio.Task | None = None) -> Answer:
        progress = Progress(card_check=card_check)
        self.in_flight += 1
        try:
            try:
                loop = asyncio.get_running_loop()
                arrived = loop.time() if request.arrived is None else request.arrived
                deadline = arrived + self.settings.authorization_timeout
                _DEADLINE.set(deadline)
                async with asyncio.timeout_at(deadline):
                    answer = await self._run(request, progress)
            except (TimeoutError, grpc.aio.AioRpcError) as exc:
                answer = self._failed(request, progress, exc)
            except Exception:  # a bug or an unexpected dependency error: still an answer, never silence
                self.log.exception("authorization failed", extra={"transaction_id": request.transaction_id})
                answer = Answer(codes.SYSTEM_MALFUNCTION, request.transaction_id, message="internal error",
                                **progress.answer_fields)
        finally:
            self.in_flight -= 1
            _discard(progress.card_check)  # a flow that ended before using it
        answer.transaction_id = request.transaction_id
        answer.limit_key = progress.limit_key
        answer.fingerprint = request.fingerprint()
        compensate = answer.code in (codes.ISSUER_UNAVAILABLE, codes.SYSTEM_MALFUNCTION) and progress.quoted
        if compensate:
            await self._plan_compensation(request.transaction_id, progress.wallet_called)
        try:
            row = await self.journal.record(self._entry(request, answer))
        except Exception as exc:
            self.log.error("journal unavailable", extra={"transaction_id": request.transaction_id, "error": str(exc)})
            if answer.code == codes.APPROVED and request.kind in flows.MONEY_IN:
                # Not journaled means no RRN to refund by: undo and decline rather than approve blind.
                await self._plan_compensation(request.transaction_id, True)
            return Answer(codes.SYSTEM_MALFUNCTION, request.transaction_id, message="journal unavailable")
        if not row["inserted"]:
            answer = _from_journal(row)  # journaled before (Redis forgot): the first answer stands
        elif answer.code == codes.APPROVED:
            answer.rrn = flows.rrn(row["seq"])
        return answer

    async def _store(self, txn: str, answer: Answer) -> None:
        try:
            await self.dedupe.store(txn, answer.stored())
        except redis_errors.RedisError as exc:
            self.log.warning("duplicate store unavailable", extra={"error": str(exc)})

    def _failed(self, request: Request, progress: Progress, exc: BaseException) -> Answer:
        code = code_for(exc)
        detail = exc.details() if isinstance(exc, grpc.aio.AioRpcError) else "deadline passed"
        self.log.warning("authorization failed on a dependency", extra={
            "transaction_id": request.transaction_id, "response_code": code, "error": detail})
        return Answer(code, request.transaction_id, message=detail or "", **progress.answer_fields)

    def _entry(self, request: Request, answer: Answer) -> journal.Entry:
        return journal.Entry(
            transaction_id=request.transaction_id, kind=request.kind, channel=request.channel,
            response_code=answer.code, received_at=request.received_at, answered_at=dt.datetime.now(dt.UTC),
            mti=request.mti, processing_code=request.processing_code, terminal_id=request.terminal_id,
            merchant_id=request.merchant_id, stan=request.stan, masked_pan=answer.masked_pan,
            card_token=answer.card_token, member_id=answer.member_id, amount=answer.amount or request.amount,
            discount=answer.discount, points_earned=answer.points_earned, approval_code=answer.approval_code,
            original_transaction_id=request.original_transaction_id, offers=answer.offers,
            message=answer.message[:200])

    def remaining(self) -> float:
        """What is left of this authorization's deadline, for the next downstream call."""
        return max(_DEADLINE.get() - asyncio.get_running_loop().time(), MIN_CALL_TIMEOUT_SECONDS)

    # ---- flows -------------------------------------------------------------------------------

    async def _run(self, request: Request, progress: Progress) -> Answer:
        if request.kind in flows.MONEY_IN:
            return await self._purchase(request, progress)
        if request.kind == flows.REFUND:
            return await self._refund(request, progress)
        if request.kind == flows.BALANCE:
            return await self._balance(request, progress)
        if request.kind == flows.COMPLETION:
            return await self._completion(request)
        return await self._reversal(request)

    async def _authorize_card(self, request: Request, progress: Progress) -> cards_pb2.AuthorizeCardResponse:
        early, progress.card_check = progress.card_check, None
        card = await early if early is not None else await self._card_check(_card_message(request), self.remaining())
        progress.answer_fields = {"masked_pan": card.masked_pan, "card_token": card.card_token,
                                  "member_id": card.member_id}
        return card

    async def _purchase(self, request: Request, progress: Progress) -> Answer:
        card = await self._authorize_card(request, progress)
        if card.response_code != codes.APPROVED:
            return Answer(card.response_code, **progress.answer_fields, message="refused by the card")
        merchant_id = card.merchant_id or request.merchant_id
        if not merchant_id or (request.merchant_id and card.merchant_id and request.merchant_id != card.merchant_id):
            return Answer(codes.NOT_PERMITTED_TO_TERMINAL, **progress.answer_fields,
                          message="the terminal does not belong to this merchant")
        request.merchant_id = merchant_id
        self.tiers.remember(request.pan, card.tier)
        if not self.admission.admit(card.tier, self.in_flight - 1):
            SHED.labels(card.tier or "none").inc()
            return Answer(codes.ISSUER_UNAVAILABLE, **progress.answer_fields, message="shed under load")
        limit_code = await self._count_daily(request, card, progress)
        if limit_code != codes.APPROVED:
            return Answer(limit_code, **progress.answer_fields, message="over the card's daily limit")
        progress.quoted = True
        quote = await self.quotes.call(tasheem_pb2.QuoteRequest(
            transaction_id=request.transaction_id, merchant_id=merchant_id, terminal_id=request.terminal_id,
            product_id=card.product_id, tier=card.tier, segment=card.segment, member_id=card.member_id,
            amount=request.amount, reserve=True), self.remaining())
        if quote.outcome != tasheem_pb2.QUOTE_OUTCOME_OK:
            await self._undo_quote(request, progress)
            return Answer(codes.NOT_PERMITTED_TO_TERMINAL, **progress.answer_fields, message="unknown merchant")
        points = request.kind == flows.POINTS_PURCHASE
        progress.wallet_called = True
        paid = await self.purchases.call(wallet_pb2.PurchaseRequest(
            transaction_id=request.transaction_id, member_id=card.member_id, merchant_id=merchant_id,
            amount=request.amount, discount=quote.discount,
            funding=[wallet_pb2.FundingShare(party_id=f.party_id, amount=f.amount) for f in quote.funding],
            points_earned=0 if points else quote.points_earned,
            source=wallet_pb2.PAYMENT_SOURCE_POINTS if points else wallet_pb2.PAYMENT_SOURCE_CREDIT,
            hold=request.kind == flows.PREAUTH, hold_timeout_seconds=self.settings.hold_timeout_seconds,
            card_token=card.card_token), self.remaining())
        if paid.outcome != wallet_pb2.PURCHASE_OUTCOME_APPROVED:
            if paid.outcome != wallet_pb2.PURCHASE_OUTCOME_CONFLICT:  # a conflict's reservations are the first's
                await self._undo_quote(request, progress)
            return Answer(PURCHASE_CODES.get(paid.outcome, codes.SYSTEM_MALFUNCTION), **progress.answer_fields,
                          credit_available=paid.credit_available, points_available=paid.points_available,
                          message=wallet_pb2.PurchaseOutcome.Name(paid.outcome).lower())
        return Answer(codes.APPROVED, approval_code=flows.approval_code(request.transaction_id),
                      amount=request.amount, discount=quote.discount, points_earned=paid.points_earned,
                      credit_available=paid.credit_available, points_available=paid.points_available,
                      offers=[offer.offer_id for offer in quote.offers], **progress.answer_fields)

    async def _count_daily(self, request: Request, card: cards_pb2.AuthorizeCardResponse, progress: Progress) -> str:
        limits = card.limits
        if not (limits.daily_amount or limits.daily_count):
            return codes.APPROVED
        day = request.received_at.astimezone(self.zone).strftime("%Y%m%d")
        limit_key = f"sw:day:{{{card.card_token}}}:{day}"
        result = await self.scripts.limit_reserve(keys=[limit_key], args=[
            request.transaction_id, request.amount, limits.daily_amount, limits.daily_count, LIMIT_TTL_SECONDS])
        if result == -1:
            return codes.OVER_AMOUNT_LIMIT
        if result == -2:
            return codes.OVER_COUNT_LIMIT
        progress.limit_key = limit_key
        return codes.APPROVED

    async def _release_daily(self, limit_key: str, transaction_id: str) -> None:
        if limit_key:
            await self.scripts.limit_release(keys=[limit_key], args=[transaction_id])

    async def _undo_quote(self, request: Request, progress: Progress) -> None:
        await self.tasheem.Release(tasheem_pb2.ReleaseRequest(transaction_id=request.transaction_id),
                                   timeout=self.remaining())
        await self._release_daily(progress.limit_key, request.transaction_id)
        progress.limit_key = ""

    async def _refund(self, request: Request, progress: Progress) -> Answer:
        original = await self._original(request)
        if original is None:
            return Answer(codes.INVALID_TRANSACTION, message="no approved purchase with that reference")
        card = await self._authorize_card(request, progress)
        if card.response_code != codes.APPROVED:
            return Answer(card.response_code, **progress.answer_fields, message="refused by the card")
        if card.card_token != original["card_token"] or (request.merchant_id and
                                                         request.merchant_id != original["merchant_id"]):
            return Answer(codes.INVALID_TRANSACTION, **progress.answer_fields,
                          message="the purchase was made with another card or at another merchant")
        request.merchant_id = original["merchant_id"]
        request.original_transaction_id = original["transaction_id"]
        refund = await self.wallet.Refund(wallet_pb2.RefundRequest(
            refund_id=request.transaction_id, original_transaction_id=original["transaction_id"],
            amount=request.amount, reason="refund at " + (request.terminal_id or request.channel)),
            timeout=self.remaining())
        if refund.outcome == wallet_pb2.REVERSE_OUTCOME_REVERSED:
            await self._release_offers(original["transaction_id"], refund.stands)  # card limits stay spent
        return self._undo_answer(refund, progress, nothing_code=codes.INVALID_TRANSACTION)

    async def _release_offers(self, original: str, stands: int) -> None:
        """Money went back to the member: the purchase's offers give back what no longer stands,
        budget in proportion and, once nothing stands, the member's use too. The money has moved
        whatever happens here, so a failure does not change the answer: the release is owed
        (journal) and retried with the compensations; until then the budget counts more spent
        than it is, never less."""
        if await self._send_offer_release(original, stands, self.remaining()):
            return
        try:
            await journal.owe_offer_release(self.pool, original, stands)
        except Exception as exc:  # Postgres down as well: the budget stays counted as spent
            self.log.error("offer release not recorded", extra={"transaction_id": original, "error": str(exc)})

    async def _send_offer_release(self, original: str, stands: int, timeout: float) -> bool:
        extent = "part" if stands else "full"
        try:
            if stands:
                await self.tasheem.ReleasePart(tasheem_pb2.ReleasePartRequest(transaction_id=original, stands=stands),
                                               timeout=timeout)
            else:
                await self.tasheem.Release(tasheem_pb2.ReleaseRequest(transaction_id=original), timeout=timeout)
        except (TimeoutError, grpc.aio.AioRpcError) as exc:
            OFFER_RELEASES.labels(extent, "failed").inc()
            error = exc.code().name if isinstance(exc, grpc.aio.AioRpcError) else "deadline passed"
            self.log.warning("offer release failed", extra={"transaction_id": original, "extent": extent,
                                                            "error": error})
            return False
        OFFER_RELEASES.labels(extent, "done").inc()
        return True

    async def _original(self, request: Request) -> dict | None:
        if request.original_transaction_id:
            row = await journal.get(self.pool, request.original_transaction_id)
        elif request.original_rrn.isdigit() and int(request.original_rrn):
            row = await journal.by_seq(self.pool, int(request.original_rrn))
        else:
            row = None
        if row is None or row["response_code"] != codes.APPROVED or row["kind"] not in (flows.PURCHASE,
                                                                                       flows.POINTS_PURCHASE):
            return None
        return row

    def _undo_answer(self, undone: wallet_pb2.ReverseResponse, progress: Progress, nothing_code: str) -> Answer:
        if undone.outcome == wallet_pb2.REVERSE_OUTCOME_REVERSED:
            return Answer(codes.APPROVED, amount=undone.amount_reversed, discount=undone.discount_reversed,
                          points_earned=-undone.points_taken_back, credit_available=undone.credit_available,
                          points_available=undone.points_available, **progress.answer_fields)
        if undone.outcome == wallet_pb2.REVERSE_OUTCOME_EXCEEDS_ORIGINAL:
            return Answer(codes.INVALID_AMOUNT, **progress.answer_fields, message="more than the original left")
        message = wallet_pb2.ReverseOutcome.Name(undone.outcome).lower()
        return Answer(nothing_code, **progress.answer_fields, message=message)

    async def _balance(self, request: Request, progress: Progress) -> Answer:
        card = await self._authorize_card(request, progress)
        if card.response_code != codes.APPROVED:
            return Answer(card.response_code, **progress.answer_fields, message="refused by the card")
        balances = await self.wallet.GetMemberBalances(wallet_pb2.GetMemberBalancesRequest(member_id=card.member_id),
                                                       timeout=self.remaining())
        return Answer(codes.APPROVED, credit_available=balances.credit_available,
                      points_available=balances.points_available, **progress.answer_fields)

    async def _completion(self, request: Request) -> Answer:
        captured = await self.wallet.Capture(wallet_pb2.CaptureRequest(
            transaction_id=request.transaction_id, hold_transaction_id=request.original_transaction_id,
            amount=request.amount), timeout=self.remaining())
        if captured.outcome != wallet_pb2.PURCHASE_OUTCOME_APPROVED:
            return Answer(PURCHASE_CODES.get(captured.outcome, codes.SYSTEM_MALFUNCTION),
                          message=wallet_pb2.PurchaseOutcome.Name(captured.outcome).lower())
        if request.amount:  # completed for less than was held, perhaps
            await self._release_offers(request.original_transaction_id, request.amount)
        return Answer(codes.APPROVED, approval_code=flows.approval_code(request.transaction_id),
                      amount=captured.charged, points_earned=captured.points_earned,
                      credit_available=captured.credit_available, points_available=captured.points_available)

    async def _reversal(self, request: Request) -> Answer:
        """Undo exactly what the original posted, once. Unknown, declined or already reversed
        originals change nothing and are acknowledged (00) so the terminal stops repeating."""
        original = request.original_transaction_id
        first = await self._settle_original(original)
        undone = await self.wallet.Reverse(wallet_pb2.ReverseRequest(
            reversal_id=request.transaction_id, original_transaction_id=original, amount=request.reverse_amount,
            stands=request.stands, reason="reversal from " + (request.terminal_id or request.channel)),
            timeout=self.remaining())
        answer = self._undo_answer(undone, Progress(), nothing_code=codes.APPROVED)
        if undone.outcome == wallet_pb2.REVERSE_OUTCOME_REVERSED:
            await self._release_offers(original, undone.stands)
            if undone.fully_undone and first is not None:
                await self._release_daily(first.get("limit_key", ""), original)
        if first is not None:
            answer.masked_pan, answer.card_token = first.get("masked_pan", ""), first.get("card_token", "")
            answer.member_id = first.get("member_id", "")
        if answer.code == codes.APPROVED and undone.outcome != wallet_pb2.REVERSE_OUTCOME_REVERSED:
            answer.amount = 0  # acknowledged; nothing moved
        return answer

    async def _settle_original(self, original: str) -> dict | None:
        """The original's stored answer, after waiting out its processing if it is in flight; a
        tombstone when it was never seen, so that a late original is refused."""
        local = self._local.get(original)
        if local is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(local)
        try:
            claim = await self.dedupe.tombstone(original)
            if claim.in_flight:
                claim = await self.dedupe.settled(original, self.settings.authorization_timeout + SETTLE_WAIT_MARGIN_SECONDS)
        except redis_errors.RedisError:
            return None
        return claim.answer

    # ---- compensation ------------------------------------------------------------------------

    async def _plan_compensation(self, transaction_id: str, wallet_called: bool) -> None:
        try:
            await journal.add_compensation(self.pool, transaction_id, wallet_called)
        except Exception as exc:  # Postgres down too: try now, in the background
            self.log.error("compensation not journaled", extra={"transaction_id": transaction_id, "error": str(exc)})
            asyncio.get_running_loop().create_task(self._compensate(transaction_id, wallet_called, final=False))

    async def compensate_open(self) -> int:
        """One pass over open compensations and owed offer releases; returns how many were resolved."""
        resolved = 0
        now = dt.datetime.now(dt.UTC)
        for row in await journal.open_compensations(self.pool, COMPENSATION_BATCH):
            final = (now - row["created_at"]).total_seconds() > self.settings.compensation_grace_seconds
            done = await self._compensate(row["transaction_id"], row["wallet_called"], final)
            await journal.finish_compensation(self.pool, row["transaction_id"], done)
            resolved += done
        for row in await journal.open_offer_releases(self.pool, COMPENSATION_BATCH):
            done = await self._send_offer_release(row["transaction_id"], row["stands"],
                                                  self.settings.authorization_timeout)
            await journal.finish_offer_release(self.pool, row["transaction_id"], row["stands"], done)
            resolved += done
        return resolved

    async def _compensate(self, transaction_id: str, wallet_called: bool, final: bool) -> bool:
        """Reverse whatever the wallet may have posted and release the budget; True when settled."""
        try:
            settled = True
            if wallet_called:
                undone = await self.wallet.Reverse(wallet_pb2.ReverseRequest(
                    reversal_id=transaction_id + ".void", original_transaction_id=transaction_id,
                    reason="no definite answer reached the terminal"), timeout=self.settings.authorization_timeout)
                # "unknown" may still mean "not committed yet": only final after the grace period
                settled = undone.outcome != wallet_pb2.REVERSE_OUTCOME_UNKNOWN_ORIGINAL or final
            await self.tasheem.Release(tasheem_pb2.ReleaseRequest(transaction_id=transaction_id),
                                       timeout=self.settings.authorization_timeout)
        except grpc.aio.AioRpcError as exc:
            COMPENSATIONS.labels("retry").inc()
            self.log.info("compensation will be retried", extra={"transaction_id": transaction_id,
                                                                  "error": exc.details()})
            return False
        COMPENSATIONS.labels("done" if settled else "waiting").inc()
        return settled


def _replay(answer: Answer) -> Answer:
    return Answer.from_stored(answer.stored())


def _from_journal(row: dict) -> Answer:
    answer = Answer(row["response_code"], row["transaction_id"], approval_code=row["approval_code"],
                    amount=row["amount"], discount=row["discount"], points_earned=row["points_earned"],
                    offers=list(row["offers"]), masked_pan=row["masked_pan"], card_token=row["card_token"],
                    member_id=row["member_id"], message=row["message"], replayed=True)
    if answer.code == codes.APPROVED:
        answer.rrn = flows.rrn(row["seq"])
    return answer
