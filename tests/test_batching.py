"""The micro-batcher on the purchase path: calls queued in one loop iteration share a batch,
results go back to their own callers in order, one item's failure stays its own, a batch's
failure reaches every item, and callers that gave up are left out of the next batch."""

from __future__ import annotations

import asyncio
import logging

import grpc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.gen.club.cards.v1 import cards_pb2
from services.shared import batching
from services.shared.errors import FieldError, Unavailable


class Recorder:
    """A send function that records the batches it was given and answers item * 10."""

    def __init__(self, delay: float = 0.0, fail_on: frozenset = frozenset(), error: Exception | None = None):
        self.batches: list[list] = []
        self.delay = delay
        self.fail_on = fail_on
        self.error = error

    async def __call__(self, items: list, timeout: float | None) -> list:
        self.batches.append(list(items))
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return [ValueError(f"item {item}") if item in self.fail_on else item * 10 for item in items]


async def test_calls_made_together_share_one_batch_and_get_their_own_answers():
    send = Recorder()
    batcher = batching.Batcher(send, "test")
    answers = await asyncio.gather(*(batcher.call(n, 1.0) for n in range(50)))
    assert answers == [n * 10 for n in range(50)]
    assert send.batches == [list(range(50))]


async def test_while_batches_are_in_flight_the_rest_wait_and_go_together():
    send = Recorder(delay=0.05)
    batcher = batching.Batcher(send, "test", max_in_flight=1)
    first = asyncio.ensure_future(batcher.call(0, 1.0))
    await asyncio.sleep(0.01)  # the first batch is in flight
    later = await asyncio.gather(*(batcher.call(n, 1.0) for n in range(1, 20)))
    assert await first == 0 and later == [n * 10 for n in range(1, 20)]
    assert send.batches == [[0], list(range(1, 20))]


async def test_an_idle_hop_with_a_linger_sends_at_once():
    send = Recorder()
    batcher = batching.Batcher(send, "test", linger=30.0, enough=8)
    assert await asyncio.wait_for(batcher.call(1, 1.0), 5) == 10  # nothing in flight: no waiting
    assert send.batches == [[1]]


async def test_a_busy_hop_lingers_for_more_items_after_a_batch_returns():
    send = Recorder(delay=0.05)
    batcher = batching.Batcher(send, "test", max_in_flight=1, linger=0.2, enough=8)
    first = asyncio.ensure_future(batcher.call(0, 1.0))
    await asyncio.sleep(0.01)
    waiting = asyncio.ensure_future(batcher.call(1, 1.0))  # queued behind the batch in flight
    await first
    await asyncio.sleep(0.1)  # the first batch is back; the hop lingers, so this one joins the next batch
    late = await batcher.call(2, 1.0)
    assert await waiting == 10 and late == 20
    assert send.batches == [[0], [1, 2]]


async def test_enough_items_end_the_linger_at_once():
    send = Recorder(delay=0.05)
    batcher = batching.Batcher(send, "test", max_in_flight=1, linger=30.0, enough=4)
    first = asyncio.ensure_future(batcher.call(0, 1.0))
    await asyncio.sleep(0.01)
    waiting = [asyncio.ensure_future(batcher.call(n, 1.0)) for n in (1, 2)]
    await first  # back with two waiting: fewer than enough, so the hop lingers
    more = await asyncio.wait_for(asyncio.gather(batcher.call(3, 1.0), batcher.call(4, 1.0)), 5)
    assert [await w for w in waiting] + more == [10, 20, 30, 40]
    assert send.batches == [[0], [1, 2, 3, 4]]


async def test_batches_are_cut_at_max_items():
    send = Recorder()
    batcher = batching.Batcher(send, "test", max_items=8)
    await asyncio.gather(*(batcher.call(n, 1.0) for n in range(20)))
    assert [len(batch) for batch in send.batches] == [8, 8, 4]


async def test_one_items_failure_is_raised_to_that_caller_only():
    batcher = batching.Batcher(Recorder(fail_on=frozenset({3})), "test")
    outcomes = await asyncio.gather(*(batcher.call(n, 1.0) for n in range(6)), return_exceptions=True)
    assert [type(o).__name__ for o in outcomes] == ["int", "int", "int", "ValueError", "int", "int"]
    assert str(outcomes[3]) == "item 3"


async def test_a_failed_batch_fails_every_item_and_the_next_batch_goes_on():
    send = Recorder(error=batching.rpc_error(grpc.StatusCode.UNAVAILABLE, "down"))
    batcher = batching.Batcher(send, "test")
    outcomes = await asyncio.gather(*(batcher.call(n, 1.0) for n in range(4)), return_exceptions=True)
    assert all(isinstance(o, grpc.aio.AioRpcError) and o.code() == grpc.StatusCode.UNAVAILABLE for o in outcomes)
    send.error = None
    assert await batcher.call(7, 1.0) == 70


async def test_callers_that_gave_up_are_not_sent():
    send = Recorder(delay=0.05)
    batcher = batching.Batcher(send, "test", max_in_flight=1)
    busy = asyncio.ensure_future(batcher.call(0, 1.0))
    await asyncio.sleep(0.01)
    gave_up = asyncio.ensure_future(batcher.call(1, 1.0))
    await asyncio.sleep(0)
    gave_up.cancel()
    kept = asyncio.ensure_future(batcher.call(2, 1.0))
    assert await busy == 0 and await kept == 20
    assert send.batches == [[0], [2]]


async def test_the_batch_timeout_is_the_longest_of_its_items():
    seen: list = []

    async def send(items, timeout):
        seen.append(timeout)
        return items

    batcher = batching.Batcher(send, "test")
    await asyncio.gather(batcher.call(1, 0.5), batcher.call(2, 2.0), batcher.call(3, 1.0))
    await batcher.call(4)
    assert 1.9 < seen[0] <= 2.0 and seen[1] is None


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=1000), max_size=300), st.integers(1, 64), st.integers(1, 4))
def test_every_caller_gets_its_own_answer_whatever_the_batch_shape(items, max_items, max_in_flight):
    async def scenario():
        send = Recorder()
        batcher = batching.Batcher(send, "test", max_items=max_items, max_in_flight=max_in_flight)
        answers = await asyncio.gather(*(batcher.call(n, 1.0) for n in items))
        assert answers == [n * 10 for n in items]
        assert all(len(batch) <= max_items for batch in send.batches)
        assert [n for batch in send.batches for n in batch] == items

    asyncio.run(scenario())


async def test_answer_items_keeps_order_and_maps_errors_like_the_unary_call():
    async def handle(item):
        if item.terminal_id == "bad":
            raise FieldError("terminal_id", "is not a terminal id")
        if item.terminal_id == "down":
            raise Unavailable("try again")
        return cards_pb2.AuthorizeCardResponse(response_code="00", merchant_id=item.terminal_id)

    items = [cards_pb2.AuthorizeCardRequest(terminal_id=name) for name in ("t1", "bad", "t2", "down")]
    results = await batching.answer_items(items, handle, cards_pb2.AuthorizeCardResult, logging.getLogger("t"), "X")
    assert [r.WhichOneof("result") for r in results] == ["response", "error", "response", "error"]
    assert results[0].response.merchant_id == "t1" and results[2].response.merchant_id == "t2"
    assert results[1].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert results[1].error.message == "terminal_id: is not a terminal id"
    assert results[3].error.code == grpc.StatusCode.UNAVAILABLE.value[0]
    with pytest.raises(Exception, match="items: at most"):
        await batching.answer_items(items * batching.MAX_BATCH_ITEMS, handle, cards_pb2.AuthorizeCardResult,
                                    logging.getLogger("t"), "X")
