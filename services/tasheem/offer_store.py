"""Saving offers: every write is checked (offers.compile_offer) and refused when it would make
two exclusive offers tie (offers.ambiguous_with), under one lock so two writers cannot both pass."""

from __future__ import annotations

import uuid

from google.protobuf import json_format
from psycopg.types.json import Jsonb

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.shared.errors import AlreadyExists, FailedPrecondition, FieldError, NotFound

from . import budgets, catalog, registry
from .context import Deps
from .offers import Offer, ambiguous_with, compile_offer

OFFER_WRITE_LOCK = 0x74617368  # "tash": one offer write at a time, across replicas


def _spec(message: pb.Offer) -> Jsonb:
    stored = pb.Offer()
    stored.CopyFrom(message)
    for name in ("budget_used", "active", "created_at"):  # kept in columns or computed
        stored.ClearField(name)
    return Jsonb(json_format.MessageToDict(stored, preserving_proto_field_name=True))


async def _check_against_others(conn, offer: Offer) -> None:
    others = [other for other in await catalog.load_offers(conn, await registry.known_parties(conn))
              if other.offer_id != offer.offer_id]
    clash = ambiguous_with(offer, others)
    if clash is not None:
        raise FieldError(
            "offer.priority", f"exclusive offer {clash.offer_id!r} has the same priority {offer.priority}, an "
            "overlapping scope and an overlapping window; give one a different priority, scope or window")
    unknown = sorted(offer.stacks_with - {other.offer_id for other in others})
    if unknown:
        raise FieldError("offer.stacks_with", f"unknown offers {unknown}")


async def create(deps: Deps, message: pb.Offer) -> pb.Offer:
    if message.reward_id:
        raise FieldError("offer.reward_id", "is set by CreateReward only, on the reward's voucher campaign")
    async with deps.pool.connection() as conn, conn.transaction():
        offer_id = await insert(conn, message)
    await deps.catalog.changed()
    return await get(deps, offer_id)


def _not_a_voucher_campaign(offer_id: str, reward_id: str) -> None:
    """A reward's voucher campaign follows its reward: changed here, it would give or price
    vouchers members paid points for differently from what they bought."""
    if reward_id:
        raise FailedPrecondition(f"offer {offer_id} is the voucher campaign of reward {reward_id}; it changes"
                                 " only with its reward")


async def insert(conn, message: pb.Offer) -> str:
    """Check and insert a new live offer inside the caller's transaction (so another row can be
    written with it, as a reward's with its coupon campaign); returns its id. The caller commits,
    then calls deps.catalog.changed()."""
    wanted = pb.Offer()
    wanted.CopyFrom(message)
    wanted.offer_id = wanted.offer_id or f"offer-{uuid.uuid4()}"
    wanted.active = True  # a new offer is live (its window may still start later); SetOfferActive pauses it
    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (OFFER_WRITE_LOCK,))
    offer = compile_offer(wanted, await registry.known_parties(conn))
    cur = await conn.execute("SELECT 1 FROM offers WHERE offer_id = %s", (offer.offer_id,))
    if await cur.fetchone():
        raise AlreadyExists(f"offer {offer.offer_id} exists")
    await _check_against_others(conn, offer)
    await conn.execute("INSERT INTO offers (offer_id, spec, active) VALUES (%s, %s, true)",
                       (offer.offer_id, _spec(wanted)))
    return offer.offer_id


async def update(deps: Deps, message: pb.Offer) -> pb.Offer:
    async with deps.pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (OFFER_WRITE_LOCK,))
        cur = await conn.execute("SELECT active, coalesce((spec->>'coupon_required')::boolean, false) AS coupon_required,"
                                 " coalesce(spec->>'reward_id', '') AS reward_id"
                                 " FROM offers WHERE offer_id = %s FOR UPDATE", (message.offer_id,))
        row = await cur.fetchone()
        if row is None:
            raise NotFound(f"offer {message.offer_id} not found")
        _not_a_voucher_campaign(message.offer_id, row["reward_id"])
        if message.coupon_required != row["coupon_required"]:
            # Its coupons would apply to everyone, or its members' purchases would suddenly need one.
            raise FieldError("offer.coupon_required", "cannot change once the offer exists; make a new offer")
        wanted = pb.Offer()
        wanted.CopyFrom(message)
        wanted.active = row["active"]  # SetOfferActive is the one way to pause or resume
        offer = compile_offer(wanted, await registry.known_parties(conn))
        await _check_against_others(conn, offer)
        await conn.execute("UPDATE offers SET spec = %s, updated_at = now() WHERE offer_id = %s",
                           (_spec(wanted), offer.offer_id))
    await budgets.forget(deps, offer.offer_id)  # limits may have changed: recount under the new rules
    await deps.catalog.changed()
    return await get(deps, offer.offer_id)


async def set_active(deps: Deps, offer_id: str, active: bool) -> pb.Offer:
    async with deps.pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (OFFER_WRITE_LOCK,))
        cur = await conn.execute("SELECT offer_id, spec, active, created_at FROM offers WHERE offer_id = %s FOR UPDATE",
                                 (offer_id,))
        row = await cur.fetchone()
        if row is None:
            raise NotFound(f"offer {offer_id} not found")
        _not_a_voucher_campaign(offer_id, row["spec"].get("reward_id", ""))
        if active and not row["active"]:
            row["active"] = True
            await _check_against_others(conn, catalog.offer_from_row(row, await registry.known_parties(conn)))
        await conn.execute("UPDATE offers SET active = %s, updated_at = now() WHERE offer_id = %s", (active, offer_id))
    await deps.catalog.changed()
    return await get(deps, offer_id)


async def _budget_used(conn, offer_ids: list[str]) -> dict[str, int]:
    cur = await conn.execute("SELECT offer_id, sum(discount - released) AS used FROM reservations WHERE offer_id = ANY(%s)"
                             " AND released_at IS NULL GROUP BY offer_id", (offer_ids,))
    return {row["offer_id"]: int(row["used"]) for row in await cur.fetchall()}


def _message(row: dict, used: int) -> pb.Offer:
    message = json_format.ParseDict(row["spec"], pb.Offer())
    message.active = row["active"]
    message.budget_used = used
    message.created_at.FromDatetime(row["created_at"])
    return message


async def get(deps: Deps, offer_id: str) -> pb.Offer:
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM offers WHERE offer_id = %s", (offer_id,))
        row = await cur.fetchone()
        if row is None:
            raise NotFound(f"offer {offer_id} not found")
        used = await _budget_used(conn, [offer_id])
    return _message(row, used.get(offer_id, 0))


async def list_offers(deps: Deps, request: pb.ListOffersRequest) -> tuple[list[pb.Offer], str]:
    size, after = registry.page_size(request.page_size), registry.page_after(request.page_token)
    merchant = await deps.catalog.merchant(request.merchant_id) if request.merchant_id else None
    if request.merchant_id and merchant is None:
        raise NotFound(f"merchant {request.merchant_id} not found")
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM offers WHERE seq > %s" + (" AND active" if request.active_only else "")
                                 + " ORDER BY seq", (after,))
        rows = []
        for row in await cur.fetchall():
            if merchant is not None:
                scope = deps.catalog.snapshot.offers.get(row["offer_id"])
                if scope is None or not _could_apply_at(scope, merchant):
                    continue
            rows.append(row)
            if len(rows) > size:
                break
        more = len(rows) > size
        rows = rows[:size]
        used = await _budget_used(conn, [row["offer_id"] for row in rows])
    return [_message(row, used.get(row["offer_id"], 0)) for row in rows], (str(rows[-1]["seq"]) if more else "")


def _could_apply_at(offer: Offer, merchant: catalog.MerchantInfo) -> bool:
    scope = offer.scope
    return ((not scope.merchant_ids or merchant.merchant_id in scope.merchant_ids)
            and (not scope.merchant_groups or merchant.group in scope.merchant_groups)
            and (not scope.mccs or merchant.mcc in scope.mccs))
