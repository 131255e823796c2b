"""The Quote RPC: which offers apply to a purchase, what they give, who funds it; with
reserve=true, the budgets and member limits are reserved, the coupons used and the quote recorded.

Everything before the reservation is in memory (the catalog snapshot); only a reserving
quote touches Redis (the offers with budgets or limits) and Postgres. Reserving quotes are
group-committed: every one waiting joins one transaction (its gates in one Redis pipeline, its
rows in one statement), and the next batch starts as soon as that commit ends.

Coupon campaigns are matched through the member's coupons (docs/tasheem.md, "Coupons"): when
one could apply at the purchase's merchant, the group commit's first statement locks the
available coupons of the batch's members (FOR UPDATE SKIP LOCKED, by the member index), each
attempt is priced again with the campaigns its member holds, and the statement that records the
quotes marks the coupons used, for the quotes it inserted only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared import batching, db
from services.shared.errors import FieldError, Unavailable
from services.shared.limits import TRANSACTION_ID_LENGTH
from services.shared.validate import check_amount, check_id

from . import budgets, coupons, selection, windows
from .context import Deps
from .funding import MERCHANT_PARTY
from .offers import Offer, Purchase

# Every reserving quote of a group commit, in one statement: the quotes' ids first (a retry of a
# transaction id already recorded inserts nothing and is answered from the stored row; quote_ids
# keeps an id unique across the monthly partitions of quotes), then the quotes and the
# reservation rows of the ids that were new.
QUOTE_ROWS = db.Recordset(transaction_id="text", merchant_id="text", terminal_id="text", member_id="text",
                          amount="bigint", discount="bigint", merchant_share="bigint", response="bytea")
RESERVATION_ROWS = db.Recordset(transaction_id="text", offer_id="text", member_id="text", discount="bigint",
                                day_key="text", week_key="text", month_key="text")
COUPON_USES = db.Recordset(transaction_id="text", coupon_id="text")
INSERT_QUOTES = f"""
WITH n AS MATERIALIZED (
  SELECT * FROM {QUOTE_ROWS.source("%(quotes)s")}
), k AS (
  INSERT INTO quote_ids (transaction_id, created_at)
  SELECT transaction_id, now() FROM n
  ON CONFLICT (transaction_id) DO NOTHING
  RETURNING transaction_id, created_at
), q AS (
  INSERT INTO quotes ({', '.join(QUOTE_ROWS.names)}, created_at)
  SELECT {', '.join(f'n.{name}' for name in QUOTE_ROWS.names)}, k.created_at FROM n JOIN k USING (transaction_id)
  RETURNING transaction_id
), r AS (
  INSERT INTO reservations ({', '.join(RESERVATION_ROWS.names)})
  SELECT {', '.join(f'o.{name}' for name in RESERVATION_ROWS.names)}
    FROM {RESERVATION_ROWS.source("%(reservations)s", alias="o")}
    JOIN q USING (transaction_id)
), c AS (
  {coupons.use_statement(COUPON_USES.source("%(coupons)s", alias="u"))}
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


def response_for(transaction_id: str, mcc: str, outcome: selection.Outcome,
                 coupon_ids: dict[str, str] | None = None) -> pb.QuoteResponse:
    coupon_ids = coupon_ids or {}
    return pb.QuoteResponse(
        transaction_id=transaction_id, outcome=pb.QUOTE_OUTCOME_OK,
        offers=[pb.AppliedOffer(offer_id=item.offer.offer_id, name=item.offer.name, discount=item.discount,
                                points_bonus=item.offer.bonus_points,
                                funding=[pb.FundingAmount(party_id=party, amount=amount)
                                         for party, amount in item.funding.items() if amount],
                                coupon_id=coupon_ids.get(item.offer.offer_id, ""))
                for item in outcome.applied],
        discount=outcome.discount,
        funding=[pb.FundingAmount(party_id=party, amount=amount) for party, amount in outcome.funding.items() if amount],
        points_bonus=outcome.points_bonus, points_multiplier_pct=outcome.multiplier_pct,
        net_amount=outcome.net_amount, mcc=mcc, points_earned=outcome.points_earned, decided_by=outcome.decided_by)


async def quote(deps: Deps, request: pb.QuoteRequest) -> pb.QuoteResponse:
    check_request(request)
    merchant = await deps.catalog.merchant(request.merchant_id)
    if merchant is None or not merchant.active:
        return pb.QuoteResponse(transaction_id=request.transaction_id, outcome=pb.QUOTE_OUTCOME_UNKNOWN_MERCHANT,
                                net_amount=request.amount)
    at = request.at.ToDatetime(dt.UTC) if request.HasField("at") else dt.datetime.now(dt.UTC)
    purchase = Purchase(merchant.merchant_id, merchant.group, merchant.mcc, request.terminal_id, request.product_id,
                        request.tier, request.segment, request.member_id, request.amount, at)
    snapshot = deps.catalog.snapshot
    eligible = snapshot.eligible(purchase)
    may_need_coupons = snapshot.may_need_coupons(purchase)
    if not request.reserve:
        if may_need_coupons:  # shows the campaigns the member holds coupons of; uses none
            eligible += snapshot.held_campaigns(purchase, await coupons.held(deps.pool, purchase.member_id, at))
        return response_for(request.transaction_id, merchant.mcc, _price(deps, eligible, purchase))
    # The member's coupons are looked up (and locked) in the group commit, for the whole batch at once.
    return await _reserve(deps, request.transaction_id, purchase, merchant.mcc, eligible, may_need_coupons)


def _price(deps: Deps, eligible: list[Offer], purchase: Purchase) -> selection.Outcome:
    most = selection.ceiling(purchase.amount, deps.max_discount_bp)
    return selection.price(selection.choose(eligible, purchase.amount, most), purchase.amount, deps.rials_per_point,
                           most=most)


@dataclass
class Attempt:
    """One reserving quote on its way into a group commit: priced without coupon campaigns. A
    commit that finds coupons for its member prices it again (a Plan) and leaves it unchanged, so
    the next try (after a rebuild) starts from the same place."""

    transaction_id: str
    purchase: Purchase
    mcc: str
    eligible: list[Offer]
    may_need_coupons: bool
    outcome: selection.Outcome
    gates: list[budgets.Gate]
    periods: dict[str, str]


@dataclass
class Plan:
    """What one commit reserves for an attempt: its price, its gates, the coupon per campaign."""

    outcome: selection.Outcome
    gates: list[budgets.Gate]
    coupon_ids: dict[str, str]  # offer id -> coupon id, for the campaigns applied


def committer(deps: Deps) -> batching.Batcher:
    """Reserving quotes wait here; each batch is one transaction, the next starts when it ends."""
    return batching.Batcher(lambda attempts, _timeout: _attempt_many(deps, attempts), "quote-commit",
                            max_items=MAX_COMMIT_QUOTES, max_in_flight=1)


def _gates(transaction_id: str, purchase: Purchase, periods: dict[str, str],
           outcome: selection.Outcome) -> list[budgets.Gate]:
    return [budgets.gate_for(item.offer, item.discount, transaction_id, purchase.member_id, periods)
            for item in outcome.applied if item.offer.needs_reservation]


async def _reserve(deps: Deps, transaction_id: str, purchase: Purchase, mcc: str, eligible: list[Offer],
                   may_need_coupons: bool) -> pb.QuoteResponse:
    periods = windows.period_keys(purchase.at, deps.time_zone)
    outcome = _price(deps, eligible, purchase)
    attempt = Attempt(transaction_id, purchase, mcc, eligible, may_need_coupons, outcome,
                      _gates(transaction_id, purchase, periods, outcome), periods)
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
    """One transaction for every attempt: the coupons of their members locked, shared locks on
    their offers, their gates in one Redis pipeline, their quote and reservation rows (and the
    coupons they use) in one statement. If the commit fails, every reservation made is given
    back, and the coupons stay available (the transaction rolled back)."""
    made: list[budgets.Gate] = []  # reserved here and kept: given back if the commit fails
    undo: list[budgets.Gate] = []  # reserved by attempts that cannot go on (counters missing)
    results: list = [None] * len(attempts)
    rows: list[tuple[int, pb.QuoteResponse, selection.Outcome, dict[str, str]]] = []
    try:
        async with deps.pool.connection() as conn, conn.transaction():
            plans = await _plans(deps, conn, attempts)
            all_gates = [gate for plan in plans for gate in plan.gates]
            await budgets.lock_offers_shared(conn, list({gate.offer.offer_id for gate in all_gates}))
            replies = iter(await budgets.run_gates(deps, all_gates))
            for index, (attempt, plan) in enumerate(zip(attempts, plans, strict=True)):
                answered = [(gate, next(replies)) for gate in plan.gates]
                reserved_here = [gate for gate, reply in answered if reply[0] == budgets.RESERVED]
                missing = [gate.offer for gate, reply in answered if reply[0] == budgets.NOT_LOADED]
                if missing:
                    undo += reserved_here
                    results[index] = missing
                    continue
                made += reserved_here
                final = _final_outcome(deps, attempt, plan, answered)
                used = {item.offer.offer_id: plan.coupon_ids[item.offer.offer_id] for item in final.applied
                        if item.offer.offer_id in plan.coupon_ids}
                rows.append((index, response_for(attempt.transaction_id, attempt.mcc, final, used), final, used))
            inserted = await _insert_quotes(conn, [(attempts[index], response, final, used)
                                                   for index, response, final, used in rows])
    except BaseException:
        await budgets.undo_gates(deps, made + undo)
        raise
    await budgets.undo_gates(deps, undo)
    duplicates = [index for index, _, _, _ in rows if attempts[index].transaction_id not in inserted]
    for index, response, _, _ in rows:
        results[index] = response
    if duplicates:
        # The same transaction id committed before (a retry): its answer stands, ours is undone
        # (it used no coupon: the statement marks coupons used for inserted quotes only).
        await budgets.undo_gates(deps, [gate for index in duplicates for gate in plans[index].gates
                                        if gate in made])
        async with deps.pool.connection() as conn:
            for index in duplicates:
                results[index] = await _stored(conn, attempts[index].transaction_id)
    return results


async def _plans(deps: Deps, conn, attempts: list[Attempt]) -> list[Plan]:
    """Per attempt what this commit reserves. An attempt whose member holds available coupons of
    campaigns that apply is priced again with them, each campaign taking the member's soonest-
    expiring coupon not locked by another transaction nor given to an earlier attempt of this
    batch; a retried transaction id (its quote recorded) takes none and gets its stored answer."""
    plans = [Plan(attempt.outcome, attempt.gates, {}) for attempt in attempts]
    asking = [index for index, attempt in enumerate(attempts) if attempt.may_need_coupons]
    if not asking:
        return plans
    held, retried = await coupons.lock_held(conn, [attempts[index].transaction_id for index in asking],
                                            [attempts[index].purchase.member_id for index in asking],
                                            min(attempts[index].purchase.at for index in asking))
    snapshot = deps.catalog.snapshot
    for index in asking:
        attempt = attempts[index]
        if attempt.transaction_id in retried:
            continue
        mine = held.get(attempt.purchase.member_id, {})
        usable = {offer_id: [row for row in found if coupons.usable_at(row, attempt.purchase.at)]
                  for offer_id, found in mine.items()}
        campaigns = snapshot.held_campaigns(attempt.purchase, [offer_id for offer_id, found in usable.items() if found])
        if not campaigns:
            continue
        outcome = _price(deps, attempt.eligible + campaigns, attempt.purchase)
        coupon_ids = {}
        for item in outcome.applied:
            if item.offer.coupon_required:
                row = usable[item.offer.offer_id][0]
                mine[item.offer.offer_id].remove(row)  # this batch's later attempts by the member take the next
                coupon_ids[item.offer.offer_id] = row["coupon_id"]
        plans[index] = Plan(outcome, _gates(attempt.transaction_id, attempt.purchase, attempt.periods, outcome),
                            coupon_ids)
    return plans


def _final_outcome(deps: Deps, attempt: Attempt, plan: Plan, answered: list[tuple[budgets.Gate, list]]) -> selection.Outcome:
    """The price after the gates: an offer over a limit is dropped, an earlier reservation kept."""
    reserved = {item.offer.offer_id: item.discount for item in plan.outcome.applied}
    for gate, reply in answered:
        if reply[0] == budgets.REFUSED:
            del reserved[gate.offer.offer_id]  # over a limit: the purchase goes on without it
        elif reply[0] == budgets.ALREADY:
            reserved[gate.offer.offer_id] = reply[1]
    kept = [item.offer for item in plan.outcome.applied if item.offer.offer_id in reserved]
    most = selection.ceiling(attempt.purchase.amount, deps.max_discount_bp)
    return selection.price(kept, attempt.purchase.amount, deps.rials_per_point, reserved, most)


async def _insert_quotes(conn, rows: list[tuple[Attempt, pb.QuoteResponse, selection.Outcome, dict[str, str]]]) -> set[str]:
    """Insert the quotes, their reservations and their coupons' use; the transaction ids that were new."""
    if not rows:
        return set()
    quotes = [(attempt.transaction_id, attempt.purchase.merchant_id, attempt.purchase.terminal_id,
               attempt.purchase.member_id, attempt.purchase.amount, final.discount,
               final.funding.get(MERCHANT_PARTY, 0), response.SerializeToString())
              for attempt, response, final, _ in rows]
    reservations = [(attempt.transaction_id, item.offer.offer_id, attempt.purchase.member_id, item.discount,
                     attempt.periods[windows.DAY], attempt.periods[windows.WEEK], attempt.periods[windows.MONTH])
                    for attempt, _, final, _ in rows for item in final.applied]
    uses = [(attempt.transaction_id, coupon_id) for attempt, _, _, used in rows for coupon_id in used.values()]
    params = {"quotes": QUOTE_ROWS.param(quotes), "reservations": RESERVATION_ROWS.param(reservations),
              "coupons": COUPON_USES.param(uses)}
    cur = await conn.execute(INSERT_QUOTES, params)
    return {row["transaction_id"] for row in await cur.fetchall()}


async def _stored(conn, transaction_id: str) -> pb.QuoteResponse | None:
    cur = await conn.execute(f"SELECT response FROM quotes WHERE {budgets.QUOTE_BY_ID}", (transaction_id,) * 2)
    row = await cur.fetchone()
    return pb.QuoteResponse.FromString(bytes(row["response"])) if row else None
