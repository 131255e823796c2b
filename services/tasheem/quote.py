"""The Quote RPC: which offers apply to a purchase, what they give, who funds it; with
reserve=true, the budgets and member limits are reserved and the quote recorded.

Everything before the reservation is in memory (the catalog snapshot); only a reserving
quote touches Redis (the offers with budgets or limits) and Postgres. Reserving quotes are
group-committed: every one waiting joins one transaction (its gates in one Redis pipeline, its
rows in one statement), and the next batch starts as soon as that commit ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared import batching, db
from services.shared.errors import FieldError, Unavailable
from services.shared.limits import TRANSACTION_ID_LENGTH
from services.shared.validate import check_amount, check_id

from . import budgets, selection, windows
from .context import Deps
from .funding import MERCHANT_PARTY
from .offers import Offer, Purchase

# Every reserving quote of a group commit, in one statement: the quotes first (a retry of a
# transaction id already recorded inserts nothing and is answered from the stored row), then the
# reservation rows of the quotes that were inserted.
QUOTE_ROWS = db.Recordset(transaction_id="text", merchant_id="text", terminal_id="text", member_id="text",
                          amount="bigint", discount="bigint", merchant_share="bigint", response="bytea")
RESERVATION_ROWS = db.Recordset(transaction_id="text", offer_id="text", member_id="text", discount="bigint",
                                day_key="text", week_key="text", month_key="text")
INSERT_QUOTES = f"""
WITH q AS (
  {QUOTE_ROWS.insert("quotes", "%(quotes)s")}
  ON CONFLICT (transaction_id) DO NOTHING
  RETURNING transaction_id
), r AS (
  INSERT INTO reservations ({', '.join(RESERVATION_ROWS.names)})
  SELECT {', '.join(f'o.{name}' for name in RESERVATION_ROWS.names)}
    FROM {RESERVATION_ROWS.source("%(reservations)s", alias="o")}
    JOIN q USING (transaction_id)
)
SELECT transaction_id FROM q
"""
MAX_COMMIT_QUOTES = 512  # reserving quotes per group commit


def check_request(request: pb.QuoteRequest) -> None:
    check_id(request.merchant_id, "merchant_id")
    check_amount(request.amount, "amount")
    if request.reserve and not request.transaction_id:
        raise FieldError("transaction_id", "is required when reserve is true")
    check_id(request.transaction_id, "transaction_id", TRANSACTION_ID_LENGTH, required=False)
    for name in ("terminal_id", "member_id", "product_id", "tier", "segment"):
        check_id(getattr(request, name), name, required=False)


def response_for(transaction_id: str, mcc: str, outcome: selection.Outcome) -> pb.QuoteResponse:
    return pb.QuoteResponse(
        transaction_id=transaction_id, outcome=pb.QUOTE_OUTCOME_OK,
        offers=[pb.AppliedOffer(offer_id=item.offer.offer_id, name=item.offer.name, discount=item.discount,
                                points_bonus=item.offer.bonus_points,
                                funding=[pb.FundingAmount(party_id=party, amount=amount)
                                         for party, amount in item.funding.items() if amount])
                for item in outcome.applied],
        discount=outcome.discount,
        funding=[pb.FundingAmount(party_id=party, amount=amount) for party, amount in outcome.funding.items() if amount],
        points_bonus=outcome.points_bonus, points_multiplier_pct=outcome.multiplier_pct,
        net_amount=outcome.net_amount, mcc=mcc, points_earned=outcome.points_earned)


async def quote(deps: Deps, request: pb.QuoteRequest) -> pb.QuoteResponse:
    check_request(request)
    merchant = await deps.catalog.merchant(request.merchant_id)
    if merchant is None or not merchant.active:
        return pb.QuoteResponse(transaction_id=request.transaction_id, outcome=pb.QUOTE_OUTCOME_UNKNOWN_MERCHANT,
                                net_amount=request.amount)
    at = request.at.ToDatetime(dt.UTC) if request.HasField("at") else dt.datetime.now(dt.UTC)
    purchase = Purchase(merchant.merchant_id, merchant.group, merchant.mcc, request.terminal_id, request.product_id,
                        request.tier, request.segment, request.member_id, request.amount, at)
    chosen = selection.choose(deps.catalog.snapshot.eligible(purchase), purchase.amount)
    outcome = selection.price(chosen, purchase.amount, deps.rials_per_point)
    if not request.reserve:
        return response_for(request.transaction_id, merchant.mcc, outcome)
    return await _reserve(deps, request.transaction_id, purchase, merchant.mcc, outcome)


@dataclass
class Attempt:
    """One reserving quote on its way into a group commit."""

    transaction_id: str
    purchase: Purchase
    mcc: str
    outcome: selection.Outcome
    gates: list[budgets.Gate]
    periods: dict[str, str]


def committer(deps: Deps) -> batching.Batcher:
    """Reserving quotes wait here; each batch is one transaction, the next starts when it ends."""
    return batching.Batcher(lambda attempts, _timeout: _attempt_many(deps, attempts), "quote-commit",
                            max_items=MAX_COMMIT_QUOTES, max_in_flight=1)


async def _reserve(deps: Deps, transaction_id: str, purchase: Purchase, mcc: str,
                   outcome: selection.Outcome) -> pb.QuoteResponse:
    periods = windows.period_keys(purchase.at, deps.time_zone)
    gates = [budgets.gate_for(item.offer, item.discount, transaction_id, purchase.member_id, periods)
             for item in outcome.applied if item.offer.needs_reservation]
    attempt = Attempt(transaction_id, purchase, mcc, outcome, gates, periods)
    for _ in range(budgets.LOAD_ATTEMPTS):
        result = await deps.quote_commits.call(attempt)
        if isinstance(result, pb.QuoteResponse):
            return result
        for offer in result:  # Redis lost these offers' counters: rebuild, then try again
            await budgets.load(deps, offer)
    raise Unavailable("offer counters are being rebuilt; retry")


async def _attempt_many(deps: Deps, attempts: list[Attempt]) -> list[pb.QuoteResponse | list[Offer]]:
    """Per attempt the answer, or the offers whose counters Redis lost. The same transaction id
    twice in one batch (two callers at once) is attempted once; both get its answer."""
    first: dict[str, int] = {}
    unique = [first.setdefault(attempt.transaction_id, index) == index for index, attempt in enumerate(attempts)]
    answers = iter(await _commit_attempts(deps, [a for a, keep in zip(attempts, unique, strict=True) if keep]))
    results: list = [next(answers) if keep else None for keep in unique]
    return [result if keep else results[first[attempt.transaction_id]]
            for attempt, keep, result in zip(attempts, unique, results, strict=True)]


async def _commit_attempts(deps: Deps, attempts: list[Attempt]) -> list[pb.QuoteResponse | list[Offer]]:
    """One transaction for every attempt: shared locks on their offers, their gates in one Redis
    pipeline, their quote and reservation rows in one statement. If the commit fails, every
    reservation made is given back."""
    made: list[budgets.Gate] = []  # reserved here and kept: given back if the commit fails
    undo: list[budgets.Gate] = []  # reserved by attempts that cannot go on (counters missing)
    results: list = [None] * len(attempts)
    rows: list[tuple[int, pb.QuoteResponse, selection.Outcome]] = []
    try:
        async with deps.pool.connection() as conn, conn.transaction():
            all_gates = [gate for attempt in attempts for gate in attempt.gates]
            await budgets.lock_offers_shared(conn, list({gate.offer.offer_id for gate in all_gates}))
            replies = iter(await budgets.run_gates(deps, all_gates))
            for index, attempt in enumerate(attempts):
                answered = [(gate, next(replies)) for gate in attempt.gates]
                reserved_here = [gate for gate, reply in answered if reply[0] == budgets.RESERVED]
                missing = [gate.offer for gate, reply in answered if reply[0] == budgets.NOT_LOADED]
                if missing:
                    undo += reserved_here
                    results[index] = missing
                    continue
                made += reserved_here
                final = _final_outcome(deps, attempt, answered)
                rows.append((index, response_for(attempt.transaction_id, attempt.mcc, final), final))
            inserted = await _insert_quotes(conn, [(attempts[index], response, final) for index, response, final in rows])
    except BaseException:
        await budgets.undo_gates(deps, made + undo)
        raise
    await budgets.undo_gates(deps, undo)
    duplicates = [index for index, _, _ in rows if attempts[index].transaction_id not in inserted]
    for index, response, _ in rows:
        results[index] = response
    if duplicates:
        # The same transaction id committed before (a retry): its answer stands, ours is undone.
        await budgets.undo_gates(deps, [gate for index in duplicates for gate in attempts[index].gates
                                        if gate in made])
        async with deps.pool.connection() as conn:
            for index in duplicates:
                results[index] = await _stored(conn, attempts[index].transaction_id)
    return results


def _final_outcome(deps: Deps, attempt: Attempt, answered: list[tuple[budgets.Gate, list]]) -> selection.Outcome:
    """The price after the gates: an offer over a limit is dropped, an earlier reservation kept."""
    reserved = {item.offer.offer_id: item.discount for item in attempt.outcome.applied}
    for gate, reply in answered:
        if reply[0] == budgets.REFUSED:
            del reserved[gate.offer.offer_id]  # over a limit: the purchase goes on without it
        elif reply[0] == budgets.ALREADY:
            reserved[gate.offer.offer_id] = reply[1]
    kept = [item.offer for item in attempt.outcome.applied if item.offer.offer_id in reserved]
    return selection.price(kept, attempt.purchase.amount, deps.rials_per_point, reserved)


async def _insert_quotes(conn, rows: list[tuple[Attempt, pb.QuoteResponse, selection.Outcome]]) -> set[str]:
    """Insert the quotes and their reservations; the transaction ids that were new."""
    if not rows:
        return set()
    quotes = [(attempt.transaction_id, attempt.purchase.merchant_id, attempt.purchase.terminal_id,
               attempt.purchase.member_id, attempt.purchase.amount, final.discount,
               final.funding.get(MERCHANT_PARTY, 0), response.SerializeToString())
              for attempt, response, final in rows]
    reservations = [(attempt.transaction_id, item.offer.offer_id, attempt.purchase.member_id, item.discount,
                     attempt.periods[windows.DAY], attempt.periods[windows.WEEK], attempt.periods[windows.MONTH])
                    for attempt, _, final in rows for item in final.applied]
    params = {"quotes": QUOTE_ROWS.param(quotes), "reservations": RESERVATION_ROWS.param(reservations)}
    cur = await conn.execute(INSERT_QUOTES, params)
    return {row["transaction_id"] for row in await cur.fetchall()}


async def _stored(conn, transaction_id: str) -> pb.QuoteResponse | None:
    cur = await conn.execute("SELECT response FROM quotes WHERE transaction_id = %s", (transaction_id,))
    row = await cur.fetchone()
    return pb.QuoteResponse.FromString(bytes(row["response"])) if row else None
