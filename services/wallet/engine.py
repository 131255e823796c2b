"""Applying movements: reserve in Redis, group-commit to Postgres, then answer.

Invariants kept here:
- an answer that says "posted" is given only after the Postgres commit returned;
- a reservation whose commit failed is released before the error is answered;
- the same request id posts once: a repeat gets the stored answer;
- while Redis does not hold a complete copy (no epoch), money does not move;
- Redis is cleared only while no replica has a movement in flight (several replicas: hot.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass

import psycopg
import redis.exceptions
from prometheus_client import Histogram
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from services.shared import redis_scripts
from services.shared.errors import Unavailable
from services.shared.metrics import DEPENDENCY_ERRORS

from . import ledger
from .hot import ALREADY_RESERVED, DRAINED, DRAINING, INSUFFICIENT, NOT_LOADED, SERVING, HotBalances
from .movement import Movement
from .operations import ConcurrentChange

MAX_BATCH = 512  # movements per group commit
EPOCH_CHECK_SECONDS = 0.5
REBUILD_DRAIN_SECONDS = 10.0
# How long a rebuild waits for the other replicas to drain: theirs, plus noticing the epoch gone.
OTHERS_DRAIN_SECONDS = REBUILD_DRAIN_SECONDS + 2.0
REBUILD_POLL_SECONDS = 0.05
REDIS_UNAVAILABLE = (*redis_scripts.UNAVAILABLE, OSError)  # OSError: a socket failing before redis-py wraps it
COMMIT_BATCH_SIZE = Histogram("club_ledger_commit_batch_size", "movements per ledger commit",
                              buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512))
COMMIT_LATENCY = Histogram("club_ledger_commit_seconds", "ledger commit latency",
                           buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0))


@dataclass
class Applied:
    """The outcome of applying a movement."""

    posted: bool
    replayed: bool = False
    insufficient_account: str = ""
    conflict: bool = False
    closed_account: str = ""
    sequence: int = 0
    stored_response: bytes = b""
    reserved: dict[str, int] | None = None


class GroupCommitter:
    """One transaction for every movement waiting, flushed as soon as the previous commit ends."""

    def __init__(self, pool: AsyncConnectionPool, enabled: bool, log: logging.Logger):
        self.pool = pool
        self.enabled = enabled
        self.log = log
        self.known_accounts: set[str] = set()
        self._queue: list[tuple[Movement, asyncio.Future]] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self.enabled:
            self._task = asyncio.create_task(self._run(), name="group-commit")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()

    async def submit(self, movement: Movement) -> int:
        if not self.enabled:
            return (await self._commit([movement]))[0]
        future = asyncio.get_running_loop().create_future()
        self._queue.append((movement, future))
        self._wakeup.set()
        return await future

    async def _commit(self, movements: list[Movement]) -> list[int]:
        started = time.perf_counter()
        async with self.pool.connection() as conn:
            sequences = await ledger.commit(conn, movements, self.known_accounts)
        COMMIT_BATCH_SIZE.observe(len(movements))
        COMMIT_LATENCY.observe(time.perf_counter() - started)
        return sequences

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                try:
                    sequences = await self._commit([m for m, _ in batch])
                except Exception as exc:  # noqa: BLE001 - one bad movement must not fail the others
                    # A lost connection may have lost only the acknowledgement: the batch may be in.
                    await self._commit_one_by_one(batch, uncertain=isinstance(exc, psycopg.OperationalError))
                    continue
                for (_, future), sequence in zip(batch, sequences, strict=True):
                    if not future.done():
                        future.set_result(sequence)

    async def _commit_one_by_one(self, batch: list[tuple[Movement, asyncio.Future]], uncertain: bool) -> None:
        for movement, future in batch:
            try:
                sequence = (await self._commit([movement]))[0]
            except Exception as exc:  # noqa: BLE001 - handed to the waiting request
                if isinstance(exc, ledger.Duplicate):
                    exc.after_lost_commit = uncertain  # possibly this very movement, committed unacknowledged
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(sequence)


class Engine:
    def __init__(self, pool: AsyncConnectionPool, hot: HotBalances, committer: GroupCommitter, log: logging.Logger,
                 on_serving=None):
        self.pool = pool
        self.hot = hot
        self.committer = committer
        self.log = log
        self.on_serving = on_serving
        self.ready = False
        self._rebuilding: asyncio.Task | None = None
        self._in_flight = 0
        self._local: dict[str, asyncio.Future] = {}
        self.replica = uuid.uuid4().hex[:12]  # this process, among the wallet replicas sharing Redis
        self._says_serving = False  # said "serving" and about to serve: the heartbeat must not say otherwise

    # ---- readiness -------------------------------------------------------------------------

    async def ensure_ready(self) -> None:
        if not self.ready:
            raise Unavailable("wallet is rebuilding balances from the ledger; try again shortly")

    def trigger_rebuild(self) -> None:
        if self._rebuilding is None or self._rebuilding.done():
            self.ready = False
            self._rebuilding = asyncio.create_task(self.rebuild(), name="rebuild")

    async def rebuild(self) -> None:
        """Make every Redis balance equal to the ledger's; refuse money movements meanwhile."""
        self.ready = self._says_serving = False
        if self.on_serving:
            await self.on_serving(False)
        deadline = time.monotonic() + REBUILD_DRAIN_SECONDS
        while self._in_flight and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        while True:
            try:
                await self._announce()
                if not await self._rebuild_or_wait():
                    continue  # another replica was rebuilding; Redis changed under us: look again
                break
            except REDIS_UNAVAILABLE as exc:
                DEPENDENCY_ERRORS.labels("wallet", "redis").inc()
                self.log.warning("rebuild waiting for redis: %s", type(exc).__name__)
                await asyncio.sleep(0.5)
            except (psycopg.OperationalError, PoolTimeout) as exc:
                DEPENDENCY_ERRORS.labels("wallet", "postgres").inc()
                self.log.warning("rebuild waiting for postgres: %s", type(exc).__name__)
                await asyncio.sleep(0.5)
            except Exception:
                # Whatever went wrong, the rebuild must not end here: this replica would refuse
                # money for good (nothing else starts a rebuild while the epoch is in Redis).
                self.log.exception("rebuild failed; trying again")
                await asyncio.sleep(0.5)
        if self.on_serving:
            await self.on_serving(True)

    async def _rebuild_or_wait(self) -> bool:
        """Rebuild Redis, or let the replica that holds the lock do it; True once this replica may
        move money again (it has said "serving" and Redis is complete with no rebuild under way).
        Each side writes before it reads — the rebuilder drops the epoch, then reads who is still
        serving; a replica says "serving", then checks the epoch and the lock — so one of them
        always sees the other."""
        if await self.hot.take_rebuild_lock(self.replica):
            await self.hot.drop_epoch()  # the others stop moving money when they notice
            await self._wait_for_others_to_drain()
            await self._rewrite_balances()
            await self.hot.set_epoch()
            await self.hot.release_rebuild_lock(self.replica)
        else:
            while await self.hot.rebuild_locked():  # another replica is rebuilding
                await asyncio.sleep(REBUILD_POLL_SECONDS)
            if not await self.hot.has_epoch():
                return False  # its rebuild did not finish: take the lock ourselves
        self._says_serving = True
        await self._announce()
        if await self.hot.rebuild_locked() or not await self.hot.has_epoch():
            self._says_serving = False
            await self._announce()
            return False
        self.ready = True
        return True

    async def _wait_for_others_to_drain(self) -> None:
        deadline = time.monotonic() + OTHERS_DRAIN_SECONDS
        while waiting := await self.hot.others_not_drained(self.replica):
            if time.monotonic() >= deadline:
                self.log.warning("rebuilding while other wallet replicas still say they serve",
                                 extra={"replicas": waiting})
                return
            await asyncio.sleep(REBUILD_POLL_SECONDS)
            await self.hot.renew_rebuild_lock(self.replica)

    async def _rewrite_balances(self) -> None:
        started = time.monotonic()
        await self.hot.clear(self.replica)
        async with self.pool.connection() as conn:
            cur = await conn.execute(ledger.AVAILABLE_OF_LIMITED)
            total = 0
            while rows := await cur.fetchmany(ledger_batch := 5000):
                await self.hot.write_balances([(r["account_id"], r["available"]) for r in rows])
                await self.hot.renew_rebuild_lock(self.replica)
                total += len(rows)
                if total % (ledger_batch * 10) == 0:
                    self.log.info("rebuilding balances", extra={"accounts": total})
        self.log.info("balances rebuilt from the ledger",
                      extra={"accounts": total, "seconds": round(time.monotonic() - started, 3)})

    async def _announce(self) -> None:
        """This replica's state for a rebuilding one: drained once it refuses money movements and
        has none in flight."""
        serving = self.ready or self._says_serving
        await self.hot.announce(self.replica, SERVING if serving else DRAINED if not self._in_flight else DRAINING)

    async def watch_epoch(self) -> None:
        """Notice Redis losing its data even when no money moves."""
        while True:
            await asyncio.sleep(EPOCH_CHECK_SECONDS)
            with contextlib.suppress(redis.exceptions.RedisError, *REDIS_UNAVAILABLE):
                await self._announce()
            if self._rebuilding and not self._rebuilding.done():
                continue
            try:
                if not await self.hot.has_epoch():
                    self.log.warning("redis has no balances epoch; rebuilding from the ledger")
                    self.trigger_rebuild()
            except REDIS_UNAVAILABLE:
                DEPENDENCY_ERRORS.labels("wallet", "redis").inc()
                if self.ready:
                    self.log.warning("redis unreachable; refusing money movements until it is back")
                    self.trigger_rebuild()

    # ---- applying ----------------------------------------------------------------------------

    async def apply(self, movement: Movement) -> Applied:
        await self.ensure_ready()
        earlier = self._local.get(movement.request_id)
        if earlier is not None:  # the same request is in flight here: answer what it answers
            await asyncio.shield(earlier)
            return await self.replay(movement)
        future = asyncio.get_running_loop().create_future()
        self._local[movement.request_id] = future
        self._in_flight += 1
        # Shielded: a caller that gives up (deadline passed, RPC cancelled) must not stop a movement
        # between its Redis reservation and its ledger commit; it finishes, and a repeat replays it.
        return await asyncio.shield(asyncio.ensure_future(self._apply_and_forget(movement, future)))

    async def _apply_and_forget(self, movement: Movement, future: asyncio.Future) -> Applied:
        try:
            return await self._apply(movement)
        finally:
            self._in_flight -= 1
            del self._local[movement.request_id]
            future.set_result(None)

    async def _apply(self, movement: Movement) -> Applied:
        reserved: list[str] = []
        try:
            for reservation in movement.reserve:
                outcome = await self._reserve(movement, reservation)
                if outcome is not None:
                    await self._release(reserved, movement.request_id)
                    return outcome
                reserved.append(reservation.account.account_id)
        except REDIS_UNAVAILABLE as exc:
            DEPENDENCY_ERRORS.labels("wallet", "redis").inc()
            self.trigger_rebuild()
            raise Unavailable("balances are unavailable (redis)") from exc
        except Unavailable:
            await self._release(reserved, movement.request_id)
            raise
        if movement.after_reserve:
            movement.after_reserve(movement)
        try:
            sequence = await self.committer.submit(movement)
        except ledger.Duplicate as exc:
            if exc.after_lost_commit:
                # Maybe our own commit whose acknowledgement was lost with the connection: whether our
                # reservation is part of it cannot be told, so Redis is rebuilt rather than guessed.
                self.trigger_rebuild()
            else:  # an earlier request with this id is in the ledger; this reservation was extra
                await self._release(reserved, movement.request_id)
            return await self.replay(movement)
        except ledger.AccountClosed as exc:
            await self._release(reserved, movement.request_id)
            return Applied(posted=False, closed_account=exc.account_id)
        except ConcurrentChange:
            await self._release(reserved, movement.request_id)
            raise
        except ledger.LimitViolated:
            await self._release(reserved, movement.request_id)
            self.log.warning("ledger refused a movement Redis allowed; Redis will be reconciled",
                             extra={"request_id": movement.request_id})
            return Applied(posted=False, insufficient_account=movement.reserve[0].account.account_id
                           if movement.reserve else "")
        except PoolTimeout as exc:
            # No connection was free in time: nothing was sent, so the reservation is simply given back.
            DEPENDENCY_ERRORS.labels("wallet", "postgres").inc()
            await self._release(reserved, movement.request_id)
            raise Unavailable("the ledger is busy; nothing was posted, try again") from exc
        except Exception as exc:
            # The commit may have landed before the connection broke: its outcome is unknown, so the
            # reservation is not given back by guess; Redis is rebuilt from the ledger instead.
            DEPENDENCY_ERRORS.labels("wallet", "postgres").inc()
            self.log.warning("ledger commit outcome unknown; rebuilding balances", extra={
                "request_id": movement.request_id, "error": type(exc).__name__})
            self.trigger_rebuild()
            raise Unavailable("the ledger commit did not confirm; try again") from exc
        for account_id, amount in movement.credit_after.items():
            if amount:
                try:
                    await self.hot.credit(account_id, movement.request_id, amount)
                except REDIS_UNAVAILABLE:
                    # Posted already; the rebuild that follows brings Redis back to the ledger.
                    DEPENDENCY_ERRORS.labels("wallet", "redis").inc()
                    self.trigger_rebuild()
        return Applied(posted=True, sequence=sequence, stored_response=movement.response,
                       reserved=dict(movement.reserved))

    async def _reserve(self, movement: Movement, reservation) -> Applied | None:
        account_id = reservation.account.account_id
        for _ in range(3):
            status, value, amount = await self.hot.reserve(account_id, movement.request_id, reservation.amount,
                                                            reservation.up_to)
            if status == NOT_LOADED:
                if not await self.hot.has_epoch():
                    self.trigger_rebuild()
                    raise Unavailable("wallet is rebuilding balances from the ledger; try again shortly")
                async with self.pool.connection() as conn:
                    balance = await ledger.available(conn, account_id)
                await self.hot.load(account_id, balance or 0)
                continue
            if status == INSUFFICIENT:
                # A repeat of a request that already posted (its marker gone with a rebuild or its ttl)
                # must get the stored answer, not a decline: the ledger decides.
                replay = await self.replay(movement, missing_ok=True)
                return replay if replay is not None else Applied(posted=False, insufficient_account=account_id)
            if status == ALREADY_RESERVED:
                # A crash left this request's marker, or another replica is applying it: the ledger decides.
                replay = await self.replay(movement, missing_ok=True)
                if replay is not None:
                    return replay
                await self.hot.release(account_id, movement.request_id)
                continue
            movement.reserved[account_id] = amount if reservation.up_to else reservation.amount
            return None
        raise Unavailable("could not reserve the balance; try again")

    async def _release(self, account_ids: list[str], request_id: str) -> None:
        for account_id in account_ids:
            try:
                await self.hot.release(account_id, request_id)
            except REDIS_UNAVAILABLE:
                self.trigger_rebuild()

    async def replay(self, movement: Movement, missing_ok: bool = False) -> Applied | None:
        try:
            async with self.pool.connection() as conn:
                stored = await ledger.stored_request(conn, movement.request_id)
        except psycopg.Error as exc:  # PoolTimeout included: what was posted cannot be told now
            DEPENDENCY_ERRORS.labels("wallet", "postgres").inc()
            raise Unavailable("the ledger could not be read; try again") from exc
        if stored is None:
            if missing_ok:
                return None
            raise Unavailable("a repeat of this request arrived while it was not yet recorded; try again")
        if bytes(stored["fingerprint"]) != movement.fingerprint:
            return Applied(posted=False, conflict=True)
        return Applied(posted=True, replayed=True, stored_response=bytes(stored["response"]))
