"""The Quote RPC: which offers apply to a purchase, what they give, who funds it; with
reserve=true, the budgets and member limits are reserved and the quote recorded.

Everything before the reservation is in memory (the catalog snapshot); only a reserving
quote touches Redis (the offers with budgets or limits) and Postgres (one commit).
"""

from __future__ import annotations

import datetime as dt

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared.errors import FieldError, Unavailable

from . import budgets, selection, windows
from .context import Deps
from .funding import MERCHANT_PARTY
from .offers import Offer, Purchase

MAX_AMOUNT = 10**15  # rials; far above any purchase, far below int64
MAX_ID_LENGTH = 64

INSERT_QUOTE = """
WITH q AS (
  INSERT INTO quotes (transaction_id, merchant_id, terminal_id, member_id, amount, discount, merchant_share, response)
  VALUES (%(transaction_id)s, %(merchant_id)s, %(terminal_id)s, %(member_id)s, %(amount)s, %(discount)s,
          %(merchant_share)s, %(response)s)
  ON CONFLICT (transaction_id) DO NOTHING
  RETURNING transaction_id
), r AS (
  INSERT INTO reservations (transaction_id, offer_id, member_id, discount, day_key, week_key, month_key)
  SELECT q.transaction_id, o.offer_id, %(member_id)s, o.discount, %(day_key)s, %(week_key)s, %(month_key)s
    FROM q, unnest(%(offer_ids)s::text[], %(discounts)s::bigint[]) AS o(offer_id, discount)
)
SELECT count(*) AS inserted FROM q
"""


def _check(request: pb.QuoteRequest) -> None:
    if not request.merchant_id:
        raise FieldError("merchant_id", "is required")
    if not 0 < request.amount <= MAX_AMOUNT:
        raise FieldError("amount", f"must be 1..{MAX_AMOUNT} rials")
    if request.reserve and not request.transaction_id:
        raise FieldError("transaction_id", "is required when reserve is true")
    for name in ("transaction_id", "merchant_id", "terminal_id", "member_id", "product_id", "tier", "segment"):
        if len(getattr(request, name)) > MAX_ID_LENGTH:
            raise FieldError(name, f"at most {MAX_ID_LENGTH} characters")


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
    _check(request)
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


async def _reserve(deps: Deps, transaction_id: str, purchase: Purchase, mcc: str,
                   outcome: selection.Outcome) -> pb.QuoteResponse:
    periods = windows.period_keys(purchase.at, deps.time_zone)
    gates = [budgets.gate_for(item.offer, item.discount, transaction_id, purchase.member_id, periods)
             for item in outcome.applied if item.offer.needs_reservation]
    for _ in range(budgets.LOAD_ATTEMPTS):
        missing = await _attempt(deps, transaction_id, purchase, mcc, outcome, gates, periods)
        if isinstance(missing, pb.QuoteResponse):
            return missing
        for offer in missing:  # Redis lost these offers' counters: rebuild, then try again
            await budgets.load(deps, offer)
    raise Unavailable("offer counters are being rebuilt; retry")


async def _attempt(deps: Deps, transaction_id: str, purchase: Purchase, mcc: str, outcome: selection.Outcome,
                   gates: list[budgets.Gate], periods: dict[str, str]) -> pb.QuoteResponse | list[Offer]:
    made: list[budgets.Gate] = []  # reserved by this attempt: given back if the commit fails
    try:
        async with deps.pool.connection() as conn, conn.transaction():
            await budgets.lock_offers_shared(conn, [gate.offer.offer_id for gate in gates])
            replies = await budgets.run_gates(deps, gates)
            made = [gate for gate, reply in zip(gates, replies, strict=True) if reply[0] == budgets.RESERVED]
            missing = [gate.offer for gate, reply in zip(gates, replies, strict=True) if reply[0] == budgets.NOT_LOADED]
            if missing:
                raise _NotLoaded(missing)
            reserved = {item.offer.offer_id: item.discount for item in outcome.applied}
            for gate, reply in zip(gates, replies, strict=True):
                if reply[0] == budgets.REFUSED:
                    del reserved[gate.offer.offer_id]  # over a limit: the purchase goes on without it
                elif reply[0] == budgets.ALREADY:
                    reserved[gate.offer.offer_id] = reply[1]
            kept = [item.offer for item in outcome.applied if item.offer.offer_id in reserved]
            final = selection.price(kept, purchase.amount, deps.rials_per_point, reserved)
            response = response_for(transaction_id, mcc, final)
            cur = await conn.execute(INSERT_QUOTE, {
                "transaction_id": transaction_id, "merchant_id": purchase.merchant_id,
                "terminal_id": purchase.terminal_id, "member_id": purchase.member_id, "amount": purchase.amount,
                "discount": final.discount, "merchant_share": final.funding.get(MERCHANT_PARTY, 0),
                "response": response.SerializeToString(), "day_key": periods[windows.DAY],
                "week_key": periods[windows.WEEK], "month_key": periods[windows.MONTH],
                "offer_ids": [item.offer.offer_id for item in final.applied],
                "discounts": [item.discount for item in final.applied]})
            if (await cur.fetchone())["inserted"] == 0:
                raise _Duplicate()
        return response
    except _NotLoaded as exc:
        await budgets.undo_gates(deps, made)
        return exc.offers
    except _Duplicate:
        # The same transaction id committed concurrently: its answer stands, ours is undone.
        await budgets.undo_gates(deps, made)
        async with deps.pool.connection() as conn:
            return await _stored(conn, transaction_id)
    except BaseException:
        await budgets.undo_gates(deps, made)
        raise


async def _stored(conn, transaction_id: str) -> pb.QuoteResponse | None:
    cur = await conn.execute("SELECT response FROM quotes WHERE transaction_id = %s", (transaction_id,))
    row = await cur.fetchone()
    return pb.QuoteResponse.FromString(bytes(row["response"])) if row else None


class _NotLoaded(Exception):
    def __init__(self, offers: list[Offer]):
        super().__init__("offer counters not loaded")
        self.offers = offers


class _Duplicate(Exception):
    pass
