"""Micro-batched RPCs on the purchase path.

A unary gRPC call costs ~0.5 ms of CPU (client and server, measured; docs/performance.md), more
than the work behind most hot-path calls. So the switch sends every authorization that is
waiting for the same hop in one batched call (AuthorizeCards, QuoteBatch, PurchaseBatch), and
the service answers each item exactly as its unary twin would, concurrently, so that the
items' Redis commands share pipelines and their ledger rows share a group commit.

    client: Batcher.call(item, timeout)  -> queued; flushed at the end of the loop iteration,
            or as soon as a batch in flight returns (at most MAX_IN_FLIGHT batches per hop);
            a Batcher with a linger waits, after a batch returns, until `enough` items are
            queued or `linger` has passed (below)
    server: answer_items(items, handle)  -> one result per item, in order; an item that fails
            carries the status its unary call would have failed with (ItemError)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import grpc
from prometheus_client import Histogram

from services.gen.club.common.v1 import batch_pb2

from . import metrics
from .errors import FieldError, ServiceError

MAX_BATCH_ITEMS = 256  # per call; bounds one call's size and the latency of its last item
MAX_IN_FLIGHT = 1  # batches in flight per hop: as group commit, the next leaves when one returns (measured best)
# A batch's fixed cost (the call on both sides, the commit behind it) is ~0.5 ms of CPU per
# service whatever its size, so under load a hop that sends every few items spends the machine
# on calls. When a batch returns and fewer than ENOUGH_ITEMS are waiting, the next one waits for
# them up to BUSY_LINGER_SECONDS. An idle hop still sends at once (nothing is waiting when its
# batch returns), and a saturated one has enough at once: only the middle waits. Measured at
# 2,000 purchases/s: CPU per approval 0.86 -> 0.65 ms, p50 and p99 no higher (docs/performance.md).
BUSY_LINGER_SECONDS = 0.008
ENOUGH_ITEMS = 24

_STATUS_BY_NUMBER = {status.value[0]: status for status in grpc.StatusCode}
BATCH_ITEMS = Histogram("club_batch_items", "items per micro-batch (batched RPC or group commit)", ["batch"],
                        buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512))


# ---- server ----------------------------------------------------------------------------------


def item_error(exc: BaseException, log: logging.Logger, method: str) -> batch_pb2.ItemError:
    """The status a unary call would have failed with: ServiceError as declared, UNAVAILABLE when
    Postgres or Redis is away, else INTERNAL."""
    if isinstance(exc, ServiceError):
        return batch_pb2.ItemError(code=exc.code.value[0], message=exc.message)
    if unavailable := metrics.unavailable_message(exc):
        log.warning("%s item: %s (%s)", method, unavailable, type(exc).__name__)
        return batch_pb2.ItemError(code=grpc.StatusCode.UNAVAILABLE.value[0], message=unavailable)
    log.error("unhandled error in %s item: %s", method, type(exc).__name__, exc_info=exc)
    return batch_pb2.ItemError(code=grpc.StatusCode.INTERNAL.value[0], message="internal error")


async def answer_items(items: Sequence, handle: Callable[[Any], Awaitable[Any]], result_type,
                       log: logging.Logger, method: str) -> list:
    """Run `handle` on every item concurrently; one `result_type(response=...)` or
    `result_type(error=...)` per item, in order."""
    if len(items) > MAX_BATCH_ITEMS:
        raise FieldError("items", f"at most {MAX_BATCH_ITEMS} per call")
    outcomes = await asyncio.gather(*(handle(item) for item in items), return_exceptions=True)
    results = []
    for outcome in outcomes:
        if isinstance(outcome, asyncio.CancelledError):
            raise outcome
        if isinstance(outcome, BaseException):
            results.append(result_type(error=item_error(outcome, log, method)))
        else:
            results.append(result_type(response=outcome))
    return results


# ---- client ----------------------------------------------------------------------------------


def rpc_error(code: grpc.StatusCode, details: str) -> grpc.aio.AioRpcError:
    """An item's failure as the same exception its unary call would have raised."""
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details=details)


async def rpc_items(call) -> list:
    """A batched call's results as outcomes: each item's response, or the exception its unary
    twin would have raised."""
    outcomes = []
    for result in (await call).items:
        if result.HasField("error"):
            code = _STATUS_BY_NUMBER.get(result.error.code, grpc.StatusCode.UNKNOWN)
            outcomes.append(rpc_error(code, result.error.message))
        else:
            outcomes.append(result.response)
    return outcomes


def rpc_batcher(method, request_type, name: str, linger: float = 0.0, enough: int = ENOUGH_ITEMS) -> Batcher:
    """A Batcher over a batched RPC: `method(request_type(items=...), timeout=...)`."""
    return Batcher(lambda items, timeout: rpc_items(method(request_type(items=items), timeout=timeout)), name,
                   linger=linger, enough=enough)


class Batcher:
    """Collects calls and hands them over together: to a batched RPC, or to a group commit.

    `send(items, timeout)` returns one outcome per item, in order: a value for that item's
    caller, or an exception to raise to it. `timeout` is the longest of the items' (None when
    no item has one). An exception from `send` itself fails every item of the batch. Items whose
    callers gave up before their batch was sent are left out of it.
    """

    def __init__(self, send: Callable[[list, float | None], Awaitable[Sequence]], name: str,
                 max_items: int = MAX_BATCH_ITEMS, max_in_flight: int = MAX_IN_FLIGHT, linger: float = 0.0,
                 enough: int = ENOUGH_ITEMS):
        assert max_items > 0 and max_in_flight > 0 and linger >= 0 and enough > 0
        self._send = send
        self.name = name
        self.max_items = max_items
        self.max_in_flight = max_in_flight
        self.linger = linger
        self.enough = min(enough, max_items)  # a full batch is always enough
        self._queue: list[tuple[Any, float | None, asyncio.Future]] = []
        self._in_flight = 0
        self._flush_scheduled = False
        self._lingering: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task] = set()

    async def call(self, item, timeout: float | None = None):
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.append((item, None if timeout is None else loop.time() + timeout, future))
        if self._lingering is not None:
            if len(self._queue) >= self.enough:
                self._lingering.cancel()
                self._lingering = None
                self._schedule_flush(loop)
        elif not self._flush_scheduled:
            self._schedule_flush(loop)
        return await future

    def _schedule_flush(self, loop: asyncio.AbstractEventLoop) -> None:
        # At the end of this loop iteration: everything queued meanwhile goes in the same batch.
        self._flush_scheduled = True
        loop.call_soon(self._flush)

    def _linger_over(self) -> None:
        self._lingering = None
        self._flush()

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._lingering is not None:
            return  # waiting for more; _linger_over or call() flushes
        while self._queue and self._in_flight < self.max_in_flight:
            batch, self._queue = self._queue[:self.max_items], self._queue[self.max_items:]
            batch = [entry for entry in batch if not entry[2].done()]
            if not batch:
                continue
            self._in_flight += 1
            BATCH_ITEMS.labels(self.name).observe(len(batch))
            task = asyncio.get_running_loop().create_task(self._run(batch), name=f"batch-{self.name}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: list[tuple[Any, float | None, asyncio.Future]]) -> None:
        try:
            deadlines = [deadline for _, deadline, _ in batch if deadline is not None]
            timeout = max(max(deadlines) - asyncio.get_running_loop().time(), 0.001) if deadlines else None
            try:
                outcomes = await self._send([item for item, _, _ in batch], timeout)
                assert len(outcomes) == len(batch), f"{self.name}: {len(outcomes)} outcomes for {len(batch)} items"
            except Exception as exc:  # noqa: BLE001 - the whole batch failed: every item fails the same way
                outcomes = [exc] * len(batch)
            for (_, _, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
        finally:
            self._in_flight -= 1
            if self._queue and self._lingering is None:
                if self.linger and len(self._queue) < self.enough:
                    self._lingering = asyncio.get_running_loop().call_later(self.linger, self._linger_over)
                else:
                    self._flush()
