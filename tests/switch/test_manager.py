"""The transaction manager's one rule for a flow (services/switch/manager.py `prepare`): steps in
order; a decline undoes every prepared step, last first, unless it says the reservations are
another transmission's; an exception leaves the prepared steps for compensation. Steps here are
participants that only record what they were asked, and the flow table is checked as data."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from services.shared import response_codes as codes
from services.switch import flow_table, flows
from services.switch.context import Context
from services.switch.flows import Request
from services.switch.manager import prepare
from services.switch.outcome import Outcome
from services.switch.participants.base import Declined, Participant


def context() -> Context:
    request = Request(kind=flows.PURCHASE, transaction_id="T1.20261202.101010.000001", channel="test",
                      received_at=dt.datetime.now(dt.UTC), amount=1_000)
    return Context(request, Outcome("", request.transaction_id), deadline=0.0)


def step(name: str, log: list[str], answer: Declined | None = None, fails: bool = False,
         compensates: bool = False) -> Participant:
    class Step(Participant):
        async def prepare(self, context):
            log.append(f"prepare {name}")
            if fails:
                raise TimeoutError
            return answer

        async def undo(self, context):
            log.append(f"undo {name}")

    Step.name, Step.compensates = name, compensates
    return Step(services=None)


def run(participants, ctx: Context) -> None:
    asyncio.run(prepare(participants, ctx))


def test_every_step_prepared_is_approved():
    log: list[str] = []
    ctx = context()
    run([step("a", log), step("b", log), step("c", log)], ctx)
    assert log == ["prepare a", "prepare b", "prepare c"]
    assert ctx.outcome.response_code == codes.APPROVED


def test_a_decline_undoes_the_prepared_steps_last_first_and_stops_the_flow():
    log: list[str] = []
    ctx = context()
    run([step("a", log), step("b", log), step("c", log, Declined(codes.INSUFFICIENT_FUNDS, "no money")),
         step("d", log)], ctx)
    assert log == ["prepare a", "prepare b", "prepare c", "undo c", "undo b", "undo a"]
    assert (ctx.outcome.response_code, ctx.outcome.message) == (codes.INSUFFICIENT_FUNDS, "no money")
    assert [p.name for p in ctx.prepared] == ["a", "b", "c"]


def test_a_decline_that_is_not_ours_to_undo_undoes_nothing():
    log: list[str] = []
    ctx = context()
    run([step("a", log), step("b", log, Declined(codes.DUPLICATE_TRANSMISSION, "conflict", undo=False))], ctx)
    assert log == ["prepare a", "prepare b"]
    assert ctx.outcome.response_code == codes.DUPLICATE_TRANSMISSION


def test_a_failure_leaves_the_prepared_steps_for_compensation_and_undoes_nothing():
    log: list[str] = []
    ctx = context()
    with pytest.raises(TimeoutError):
        run([step("a", log), step("b", log, compensates=True), step("c", log, fails=True, compensates=True),
             step("d", log)], ctx)
    assert log == ["prepare a", "prepare b", "prepare c"]
    assert [p.name for p in ctx.prepared if p.compensates] == ["b", "c"]


def test_the_purchase_flow_is_the_steps_in_their_order():
    names = [p.name for p in flow_table.FLOWS[flows.PURCHASE].participants]
    assert names == ["card_check", "merchant_check", "tier_admission", "daily_limit", "quote", "payment"]
    assert [p.name for p in flow_table.PARTICIPANTS.values() if p.compensates] == ["quote", "payment"]


def test_every_kind_has_a_flow_and_only_reconciliation_is_not_journaled():
    assert set(flow_table.FLOWS) == set(flows.KINDS)
    assert [kind for kind, flow in flow_table.FLOWS.items() if not flow.journaled] == [flows.RECONCILIATION]
