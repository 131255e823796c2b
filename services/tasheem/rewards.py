"""Rewards bought with points ("free products") and their vouchers.

A reward names a partner merchant, a value in rials and the party that pays it. Creating one also
creates its coupon campaign, in the same transaction: an offer with coupon_required, scoped to the
merchant, a fixed discount of the value funded 100% by `funded_by`, stackable, its window the
reward's stretched by the vouchers' validity. Redeeming spends the member's points in the wallet
(SpendPoints: soonest-expiring lots first) and issues a coupon of that campaign, the voucher; the
quote applies it by itself when the member pays at the merchant with the card, and the funder pays.

Stock and points move together, or not at all. A redemption is a row (redemptions) that goes
pending -> issued; at each point that can fail:

1. The pending row and the stock it takes commit together, or neither (out of stock, not eligible:
   refused, no row).
2. The wallet spends the points under spend id `redeem:<redemption_id>`, once whatever the retries.
   Only the holder of the row's lease (LEASE, taken in Postgres) sends it and acts on the answer;
   a repeat of the same redemption meanwhile waits for the row to be finished.
   - Refused (not enough points, a closed account): the row is deleted and its stock given back in
     one transaction, once, while the lease still holds (so no other finisher can have got a spend
     through), and the caller told why.
   - No answer (wallet down, deadline): the row stays pending and the caller gets UNAVAILABLE. The
     lease is kept until it runs out, so a spend still landing in the wallet is not raced. A retry
     with the same redemption_id, or the sweep once the row is PENDING_GRACE old, sends the same
     spend again and goes on from that answer.
3. The voucher is issued and the row marked issued in one transaction, under the row's lock
   (coupons.redemption_id is unique besides).
A crash after step 1, before or after the spend, leaves the row pending with its stock taken: the
sweep sends the spend again (EXISTS when it had posted) and issues the voucher, or undoes the row
when the points are refused now.

So a redemption once started is finished forward, by the wallet's answer to the same spend id,
never undone by guess: undoing a spend whose outcome is unknown could race that spend still in
flight; repeating it cannot. A member who gave up on an UNAVAILABLE answer may thus find the
voucher issued; cancelling it gives the points back.

Cancelling an unused voucher, and expiry with on_expiry = refund, give the points back with the
wallet's ReturnPoints (once per spend, into the lots they came from, their expiry unchanged): the
row goes to returning in the transaction that ends the voucher, and to returned once the wallet
confirms; until then a repeat of the cancel, or the sweep, asks again. A cancelled voucher gives
its stock back (its item was never taken); an expired one does not (the item was held for its
member until the end, usually past the reward's own window).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import grpc
from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp
from psycopg.types.json import Jsonb

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.shared.errors import AlreadyExists, FailedPrecondition, FieldError, NotFound, Unavailable
from services.shared.limits import AMOUNT_MAX, CODE_LENGTH, TRANSACTION_ID_LENGTH
from services.shared.tiers import BASE_TIER
from services.shared.validate import check_id

from . import coupons, offer_store, offers, registry, windows
from .context import Deps
from .funding import FULL_BP

MAX_REWARD_ID_LENGTH = 48  # its campaign's offer id, CAMPAIGN_PREFIX + reward id, stays within offers' 64
CAMPAIGN_PREFIX = "reward-"
MAX_STOCK = 1_000_000
MAX_VOUCHER_VALID_DAYS = 730
MAX_SEGMENTS_OR_TIERS = 100
REDEMPTION_ID_LENGTH = 64
SPEND_PREFIX = "redeem:"  # the wallet spend of a redemption: SPEND_PREFIX + redemption_id
LIST_LIMIT = 1_000  # rewards answered by ListRewards (a catalog of hundreds, not millions)
# A voucher is an ordinary stackable offer at priority 0: it combines with the merchant's other
# stackable offers, and against an exclusive one the larger discount wins as for any offer (a
# voucher not used that time stays available). It is not made exclusive, which would take away
# the member's other offers at that merchant, nor given a top priority, which would make an
# exclusive offer worth more than the voucher lose to it.
VOUCHER_PRIORITY = 0
# Calls to wallet and cards wait for a channel that is reconnecting (wait_for_ready), within these:
# a redemption is not on a terminal's clock, and a dependency just restarted is not a refusal.
WALLET_TIMEOUT_SECONDS = 5.0
CARDS_TIMEOUT_SECONDS = 3.0
# One finisher at a time per pending redemption; longer than its wallet call can take, with room
# for a spend the wallet accepted just before the call's deadline to be posted.
LEASE = dt.timedelta(seconds=15)
LEASE_POLL_SECONDS = 0.05  # a repeat waiting for the finisher looks again this often
# The sweep finishes a pending redemption only once its own call has long given up, so it does not
# wait on the lease of a live request.
PENDING_GRACE = dt.timedelta(seconds=60)
REDEEM_ATTEMPTS = 2  # a row undone by a concurrent repeat is started again once, for its own answer
SWEEP_BATCH = 500
SWEEP_SECONDS = 60  # how often the app expires due vouchers and finishes what was left unfinished

PENDING, ISSUED, RETURNING, RETURNED, FORFEITED = "pending", "issued", "returning", "returned", "forfeited"
BY_CANCEL, BY_EXPIRY = "cancel", "expiry"
FORFEIT, REFUND = "forfeit", "refund"
ON_EXPIRY = {pb.VOUCHER_EXPIRY_FORFEIT: FORFEIT, pb.VOUCHER_EXPIRY_REFUND: REFUND}
ON_EXPIRY_MESSAGE = {value: key for key, value in ON_EXPIRY.items()}

assert len(CAMPAIGN_PREFIX) + MAX_REWARD_ID_LENGTH <= offers.MAX_OFFER_ID_LENGTH
assert len(SPEND_PREFIX) + REDEMPTION_ID_LENGTH <= TRANSACTION_ID_LENGTH  # the wallet's spend_id


def campaign_id(reward_id: str) -> str:
    return CAMPAIGN_PREFIX + reward_id


def spend_id(redemption_id: str) -> str:
    return SPEND_PREFIX + redemption_id


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(value: dt.datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value.astimezone(dt.UTC))
    return stamp


# ---------- the catalog ----------

def _window(message: pb.OfferWindow) -> windows.Window:
    starts = message.starts_at.ToDatetime(dt.UTC) if message.HasField("starts_at") else None
    ends = message.ends_at.ToDatetime(dt.UTC) if message.HasField("ends_at") else None
    try:
        return windows.build(starts, ends, list(message.days_of_week), message.from_time, message.to_time,
                             message.time_zone, "reward.window")
    except windows.WindowError as exc:
        raise FieldError(exc.field, str(exc).split(": ", 1)[1]) from None


def _codes(values, field: str) -> list[str]:
    items = [value.strip() for value in values]
    if len(items) > MAX_SEGMENTS_OR_TIERS:
        raise FieldError(field, f"at most {MAX_SEGMENTS_OR_TIERS} values")
    for item in items:
        check_id(item, field, CODE_LENGTH)
    if len(set(items)) != len(items):
        raise FieldError(field, "a value is listed twice")
    return items


def _checked(message: pb.Reward, now: dt.datetime) -> dict:
    """The reward's fields, checked, or FieldError naming the first that is wrong (the merchant and
    the funding party are checked against the database by `create`)."""
    reward_id = message.reward_id.strip() or f"rw-{uuid.uuid4().hex}"
    if len(reward_id) > MAX_REWARD_ID_LENGTH or not offers.OFFER_ID_PATTERN.match(reward_id):
        raise FieldError("reward.reward_id", f"letters, digits and _.:- (at most {MAX_REWARD_ID_LENGTH})")
    name = message.name.strip()
    if not name or len(name) > offers.MAX_NAME_LENGTH:
        raise FieldError("reward.name", f"is required (at most {offers.MAX_NAME_LENGTH} characters)")
    if not 0 < message.points_price <= AMOUNT_MAX:
        raise FieldError("reward.points_price", f"must be a whole number of points, 1..{AMOUNT_MAX}")
    if not 0 < message.stock <= MAX_STOCK:
        raise FieldError("reward.stock", f"must be 1..{MAX_STOCK}")
    if not registry.MERCHANT_ID_PATTERN.match(message.merchant_id):
        raise FieldError("reward.merchant_id", "is required: 1..15 letters, digits or ._- (ISO 8583 field 42)")
    if not 0 < message.value <= AMOUNT_MAX:
        raise FieldError("reward.value", f"must be a whole number of rials, 1..{AMOUNT_MAX}")
    funded_by = message.funded_by.strip()
    if not funded_by:
        raise FieldError("reward.funded_by", "is required: the party that pays the voucher's value")
    tiers = _codes(message.tiers, "reward.tiers")
    segments = _codes(message.segments, "reward.segments")
    window = _window(message.window)
    if window.ends_at is not None and window.ends_at <= now:
        raise FieldError("reward.window.ends_at", "is in the past: nobody could redeem it")
    if not 0 < message.voucher_valid_days <= MAX_VOUCHER_VALID_DAYS:
        raise FieldError("reward.voucher_valid_days", f"must be 1..{MAX_VOUCHER_VALID_DAYS}")
    if message.on_expiry not in ON_EXPIRY:
        raise FieldError("reward.on_expiry", "must be FORFEIT or REFUND")
    stored_window = pb.OfferWindow()
    stored_window.CopyFrom(message.window)
    stored_window.time_zone = window.time_zone
    return dict(reward_id=reward_id, name=name, points_price=message.points_price, stock=message.stock,
                merchant_id=message.merchant_id, value=message.value, funded_by=funded_by, tiers=tiers,
                segments=segments, window=window, stored_window=stored_window,
                voucher_valid_days=message.voucher_valid_days, on_expiry=ON_EXPIRY[message.on_expiry])


def _campaign(reward: dict) -> pb.Offer:
    """The reward's coupon campaign: its vouchers are coupons of this offer."""
    window: windows.Window = reward["window"]
    offer_window = pb.OfferWindow(time_zone=window.time_zone)  # any day, any hour while a voucher is valid
    if window.starts_at is not None:
        offer_window.starts_at.CopyFrom(_stamp(window.starts_at))
    if window.ends_at is not None:  # the last voucher redeemed stays valid its days after the window
        offer_window.ends_at.CopyFrom(_stamp(window.ends_at + dt.timedelta(days=reward["voucher_valid_days"])))
    return pb.Offer(
        offer_id=campaign_id(reward["reward_id"]), name=reward["name"], campaign=f"reward:{reward['reward_id']}",
        scope=pb.OfferScope(merchant_ids=[reward["merchant_id"]]), window=offer_window,
        discount=pb.Discount(fixed_amount=reward["value"]),
        funding=[pb.FundingRule(party_id=reward["funded_by"], percent_bp=FULL_BP, remainder=True)],
        stacking=pb.STACKING_STACKABLE, priority=VOUCHER_PRIORITY, coupon_required=True,
        reward_id=reward["reward_id"])


async def create(deps: Deps, message: pb.Reward) -> pb.Reward:
    reward = _checked(message, _now())
    async with deps.pool.connection() as conn, conn.transaction():
        cur = await conn.execute("SELECT active FROM merchants WHERE merchant_id = %s", (reward["merchant_id"],))
        merchant = await cur.fetchone()
        if merchant is None:
            raise FieldError("reward.merchant_id", f"unknown merchant {reward['merchant_id']}")
        if not merchant["active"]:
            raise FieldError("reward.merchant_id", f"merchant {reward['merchant_id']} is not active")
        if reward["funded_by"] not in await registry.known_parties(conn):
            raise FieldError("reward.funded_by", f"unknown party {reward['funded_by']!r} (CreateParty first)")
        cur = await conn.execute("SELECT 1 FROM rewards WHERE reward_id = %s", (reward["reward_id"],))
        if await cur.fetchone():
            raise AlreadyExists(f"reward {reward['reward_id']} exists")
        offer_id = await offer_store.insert(conn, _campaign(reward))
        await conn.execute(
            "INSERT INTO rewards (reward_id, name, points_price, stock, merchant_id, value, funded_by, tiers, segments,"
            " redeem_window, voucher_valid_days, on_expiry, offer_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, %s, %s)",
            (reward["reward_id"], reward["name"], reward["points_price"], reward["stock"], reward["merchant_id"],
             reward["value"], reward["funded_by"], reward["tiers"], reward["segments"],
             Jsonb(json_format.MessageToDict(reward["stored_window"], preserving_proto_field_name=True)),
             reward["voucher_valid_days"], reward["on_expiry"], offer_id))
    await deps.catalog.changed()
    return await get(deps, reward["reward_id"])


def _message(row: dict) -> pb.Reward:
    return pb.Reward(
        reward_id=row["reward_id"], name=row["name"], points_price=row["points_price"], stock=row["stock"],
        merchant_id=row["merchant_id"], value=row["value"], funded_by=row["funded_by"], tiers=row["tiers"],
        segments=row["segments"], window=json_format.ParseDict(row["redeem_window"], pb.OfferWindow()),
        voucher_valid_days=row["voucher_valid_days"], on_expiry=ON_EXPIRY_MESSAGE[row["on_expiry"]],
        active=row["active"], created_at=_stamp(row["created_at"]), redeemed=row["redeemed"])


def _stored_window(row: dict) -> windows.Window:
    return _window(json_format.ParseDict(row["redeem_window"], pb.OfferWindow()))


async def get(deps: Deps, reward_id: str) -> pb.Reward:
    check_id(reward_id, "reward_id")
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM rewards WHERE reward_id = %s", (reward_id,))
        row = await cur.fetchone()
    if row is None:
        raise NotFound(f"reward {reward_id} not found")
    return _message(row)


async def list_rewards(deps: Deps, request: pb.ListRewardsRequest) -> list[pb.Reward]:
    """Every reward (active only, when asked), oldest first; with member_id, only those the member
    may redeem now: active, in stock, in its window, for the member's tier and segment (from cards)."""
    member = await _member(deps, check_id(request.member_id, "member_id")) if request.member_id else None
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM rewards" + (" WHERE active" if request.active_only or member else "")
                                 + " ORDER BY seq LIMIT %s", (LIST_LIMIT,))
        rows = await cur.fetchall()
    if member is not None:
        now = _now()
        rows = [row for row in rows if row["stock"] > 0 and _refusal(row, member, now) is None]
    return [_message(row) for row in rows]


# ---------- redeeming ----------

async def _member(deps: Deps, member_id: str) -> cards_pb2.Member:
    """The member as cards knows it: eligibility comes from there, never from the caller."""
    try:
        return await deps.cards.GetMember(cards_pb2.GetMemberRequest(member_id=member_id),
                                          timeout=CARDS_TIMEOUT_SECONDS, wait_for_ready=True)
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            raise NotFound(f"member {member_id} not found") from None
        if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:  # not the form of a member id cards gives
            raise FieldError("member_id", (exc.details() or "").split(": ", 1)[-1]) from None
        deps.log.warning("cards GetMember failed", extra={"code": exc.code().name})
        raise Unavailable("cards did not answer; nothing was redeemed, try again") from None


def _refusal(reward: dict, member: cards_pb2.Member, now: dt.datetime) -> str | None:
    """Why `member` may not redeem `reward` now, or None. Stock is checked where it is taken."""
    if not reward["active"]:
        return f"reward {reward['reward_id']} is not active"
    if not _stored_window(reward).contains(now):
        return f"reward {reward['reward_id']} cannot be redeemed now (outside its window)"
    tier = member.tier or BASE_TIER  # a member without a tier stands on the lowest rung
    if reward["tiers"] and tier not in reward["tiers"]:
        return f"reward {reward['reward_id']} is for tiers {', '.join(reward['tiers'])}; the member is {tier}"
    if reward["segments"] and member.segment not in reward["segments"]:
        return (f"reward {reward['reward_id']} is for segments {', '.join(reward['segments'])}; the member is"
                f" {'in ' + member.segment if member.segment else 'in none'}")
    return None


async def _redemption(deps: Deps, redemption_id: str) -> dict | None:
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM redemptions WHERE redemption_id = %s", (redemption_id,))
        return await cur.fetchone()


async def _start(deps: Deps, redemption_id: str, member: cards_pb2.Member, reward_id: str) -> dict | None:
    """Step 1: the pending row and one item of stock, together; None if this redemption_id was
    started meanwhile (a concurrent repeat), which then took the stock."""
    now = _now()
    async with deps.pool.connection() as conn, conn.transaction():
        cur = await conn.execute("SELECT * FROM rewards WHERE reward_id = %s", (reward_id,))
        reward = await cur.fetchone()
        if reward is None:
            raise NotFound(f"reward {reward_id} not found")
        refusal = _refusal(reward, member, now)
        if refusal:
            raise FailedPrecondition(refusal)
        cur = await conn.execute(
            "INSERT INTO redemptions (redemption_id, reward_id, member_id, points, state, voucher_expires_at)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (redemption_id) DO NOTHING RETURNING *",
            (redemption_id, reward_id, member.member_id, reward["points_price"], PENDING,
             now + dt.timedelta(days=reward["voucher_valid_days"])))
        row = await cur.fetchone()
        if row is None:
            return None
        cur = await conn.execute("UPDATE rewards SET stock = stock - 1, redeemed = redeemed + 1"
                                 " WHERE reward_id = %s AND stock > 0 RETURNING stock", (reward_id,))
        if await cur.fetchone() is None:
            raise FailedPrecondition(f"reward {reward_id} is out of stock")  # rolls the row back with it
    return row


async def _spend(deps: Deps, row: dict) -> wpb.MoneyMovementResponse:
    """Step 2, and its repeats: the same spend id and content every time, so the wallet spends once."""
    try:
        return await deps.wallet.SpendPoints(wpb.SpendPointsRequest(
            spend_id=spend_id(row["redemption_id"]), member_id=row["member_id"], points=row["points"],
            reason=f"reward {row['reward_id']}"), timeout=WALLET_TIMEOUT_SECONDS, wait_for_ready=True)
    except grpc.aio.AioRpcError as exc:
        deps.log.warning("wallet SpendPoints failed; the redemption stays pending",
                         extra={"redemption_id": row["redemption_id"], "code": exc.code().name})
        raise Unavailable("the wallet did not answer; the redemption is pending: retry with the same"
                          " redemption_id") from None


async def _take_lease(deps: Deps, redemption_id: str) -> dt.datetime | None:
    """The right to finish a pending row for LEASE, or None (another holds it, or it is not pending).
    Its expiry is the holder's token."""
    async with deps.pool.connection() as conn:
        cur = await conn.execute(
            "UPDATE redemptions SET lease_until = now() + %s WHERE redemption_id = %s AND state = %s"
            " AND (lease_until IS NULL OR lease_until <= now()) RETURNING lease_until",
            (LEASE, redemption_id, PENDING))
        row = await cur.fetchone()
        await conn.commit()
    return None if row is None else row["lease_until"]


async def _undo(deps: Deps, redemption_id: str, lease: dt.datetime) -> bool:
    """The wallet refused the spend, so nothing was spent: the pending row goes and its stock comes
    back, in one transaction, once. Only while our lease holds: after it, another finisher may have
    sent the spend again and got it through. False when the lease had run out (nothing done)."""
    async with deps.pool.connection() as conn, conn.transaction():
        cur = await conn.execute("DELETE FROM redemptions WHERE redemption_id = %s AND state = %s AND lease_until = %s"
                                 " AND lease_until > now() RETURNING reward_id", (redemption_id, PENDING, lease))
        row = await cur.fetchone()
        if row is not None:
            await conn.execute("UPDATE rewards SET stock = stock + 1, redeemed = redeemed - 1 WHERE reward_id = %s",
                               (row["reward_id"],))
    return row is not None


async def _coupon(conn, coupon_id: str) -> dict:
    cur = await conn.execute(f"SELECT {coupons.COLUMNS} FROM coupons WHERE coupon_id = %s", (coupon_id,))
    return await cur.fetchone()


async def _issue(deps: Deps, redemption_id: str) -> dict:
    """Step 3: the voucher and the issued state, together, under the row's lock."""
    async with deps.pool.connection() as conn, conn.transaction():
        cur = await conn.execute("SELECT r.*, w.offer_id FROM redemptions r JOIN rewards w USING (reward_id)"
                                 " WHERE r.redemption_id = %s FOR UPDATE OF r", (redemption_id,))
        row = await cur.fetchone()
        if row is None:  # undone meanwhile: a repeat of the spend was refused
            raise FailedPrecondition("the redemption did not go through; try again")
        if row["state"] != PENDING:
            return await _coupon(conn, row["coupon_id"])
        coupon = await coupons.issue(conn, offer_id=row["offer_id"], member_id=row["member_id"],
                                     source=coupons.VOUCHER, expires_at=row["voucher_expires_at"],
                                     reward_id=row["reward_id"], points_spent=row["points"],
                                     redemption_id=redemption_id)
        await conn.execute("UPDATE redemptions SET state = %s, coupon_id = %s, updated_at = now()"
                           " WHERE redemption_id = %s", (ISSUED, coupon["coupon_id"], redemption_id))
    await coupons.issued(deps, [coupon])
    return coupon


async def _finish(deps: Deps, row: dict, wait: bool = True) -> dict | None:
    """Steps 2 and 3 for a pending row: the voucher's coupon row, or None when the row was undone
    meanwhile by another finisher. Without the lease, waits (`wait`) for its holder, or for the
    lease to run out and takes it; the sweep does not wait (Unavailable)."""
    redemption_id = row["redemption_id"]
    deadline = asyncio.get_running_loop().time() + LEASE.total_seconds() + 1
    while True:
        if row["state"] != PENDING:
            async with deps.pool.connection() as conn:
                return await _coupon(conn, row["coupon_id"])
        lease = await _take_lease(deps, redemption_id)
        if lease is not None:
            break
        if not wait or asyncio.get_running_loop().time() > deadline:
            raise Unavailable("this redemption is being finished by another request; retry with the same"
                              " redemption_id")
        await asyncio.sleep(LEASE_POLL_SECONDS)
        row = await _redemption(deps, redemption_id)
        if row is None:
            return None
    answer = await _spend(deps, row)  # no answer: Unavailable, the lease left to run out
    if answer.result in (wpb.TRANSFER_RESULT_OK, wpb.TRANSFER_RESULT_EXISTS):
        return await _issue(deps, redemption_id)
    if not await _undo(deps, redemption_id, lease):
        raise Unavailable("the redemption took too long to finish; retry with the same redemption_id")
    if answer.result == wpb.TRANSFER_RESULT_EXCEEDS_CREDITS:
        raise FailedPrecondition(f"not enough points: reward {row['reward_id']} costs {row['points']} points and the"
                                 f" member has {answer.balances.points_available}")
    if answer.result == wpb.TRANSFER_RESULT_ACCOUNT_CLOSED:
        raise FailedPrecondition("the member's points account is closed")
    deps.log.error("wallet refused a redemption's spend", extra={"redemption_id": redemption_id,
                                                                  "result": wpb.TransferResult.Name(answer.result)})
    raise FailedPrecondition(f"the wallet refused the points ({wpb.TransferResult.Name(answer.result)})")


async def _reward_name(deps: Deps, reward_id: str) -> str:
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT name FROM rewards WHERE reward_id = %s", (reward_id,))
        return (await cur.fetchone())["name"]


async def redeem(deps: Deps, request: pb.RedeemRewardRequest) -> pb.Coupon:
    """The member's voucher for this redemption_id: made now, finished now, or the one made before."""
    redemption_id = check_id(request.redemption_id, "redemption_id", REDEMPTION_ID_LENGTH)
    member_id = check_id(request.member_id, "member_id")
    reward_id = check_id(request.reward_id, "reward_id")
    for _ in range(REDEEM_ATTEMPTS):
        row = await _redemption(deps, redemption_id)
        if row is None:
            row = await _start(deps, redemption_id, await _member(deps, member_id), reward_id) \
                or await _redemption(deps, redemption_id)
            if row is None:  # started by a concurrent repeat and undone already
                continue
        if (row["member_id"], row["reward_id"]) != (member_id, reward_id):
            raise FieldError("redemption_id", "was used for another member or reward")
        coupon = await _finish(deps, row)
        if coupon is not None:
            return coupons.to_message(coupon, await _reward_name(deps, reward_id))
    raise Unavailable("this redemption changed meanwhile; try again")


# ---------- ending a voucher: cancel, expiry ----------

async def _return(deps: Deps, redemption_id: str) -> bool:
    """The points of a returning row back to the member (ReturnPoints, once per spend), then the row
    returned. True when the wallet returned them now (not already before). Unavailable when the
    wallet did not confirm: the row stays returning and the sweep asks again."""
    try:
        answer = await deps.wallet.ReturnPoints(
            wpb.ReturnPointsRequest(spend_id=spend_id(redemption_id), reason="voucher cancelled or expired"),
            timeout=WALLET_TIMEOUT_SECONDS, wait_for_ready=True)
    except grpc.aio.AioRpcError as exc:
        deps.log.warning("wallet ReturnPoints failed; the points stay owed",
                         extra={"redemption_id": redemption_id, "code": exc.code().name})
        raise Unavailable("the wallet did not answer; the points are owed and will be returned (retry, or the"
                          " sweep returns them)") from None
    if answer.result not in (wpb.TRANSFER_RESULT_OK, wpb.TRANSFER_RESULT_EXISTS):
        deps.log.error("wallet refused a voucher's points back", extra={
            "redemption_id": redemption_id, "result": wpb.TransferResult.Name(answer.result)})
        raise Unavailable(f"the wallet refused the points back ({wpb.TransferResult.Name(answer.result)});"
                          " they stay owed")
    async with deps.pool.connection() as conn:
        await conn.execute("UPDATE redemptions SET state = %s, updated_at = now() WHERE redemption_id = %s"
                           " AND state = %s", (RETURNED, redemption_id, RETURNING))
        await conn.commit()
    return answer.result == wpb.TRANSFER_RESULT_OK


def _expired_message(coupon_id: str, on_expiry: str) -> str:
    fate = "its points go back" if on_expiry == REFUND else "its points stay spent"
    return f"voucher {coupon_id} has expired; {fate}, as the reward says"


async def cancel_voucher(deps: Deps, request: pb.CancelVoucherRequest) -> pb.Coupon:
    """An unused voucher cancelled, its points given back and its item back in stock; a repeat
    answers the same (and gives back points still owed). A used or expired voucher is refused."""
    coupon_id = check_id(request.coupon_id, "coupon_id")
    member_id = check_id(request.member_id, "member_id")
    async with deps.pool.connection() as conn, conn.transaction():
        cur = await conn.execute("SELECT r.*, w.name, w.on_expiry FROM redemptions r JOIN rewards w USING (reward_id)"
                                 " WHERE r.coupon_id = %s FOR UPDATE OF r", (coupon_id,))
        row = await cur.fetchone()
        if row is None or row["member_id"] != member_id:
            raise NotFound(f"member {member_id} has no voucher {coupon_id}")
        if row["ended_by"] == BY_EXPIRY:
            raise FailedPrecondition(_expired_message(coupon_id, row["on_expiry"]))
        if row["state"] == ISSUED:
            # Locked: a purchase taking this voucher at the same moment commits first and we see it used.
            cur = await conn.execute(f"SELECT {coupons.COLUMNS} FROM coupons WHERE coupon_id = %s FOR UPDATE",
                                     (coupon_id,))
            coupon = await cur.fetchone()
            if coupon["state"] == coupons.USED:
                raise FailedPrecondition(f"voucher {coupon_id} was used by purchase {coupon['transaction_id']}; a"
                                         " used voucher cannot be cancelled")
            if coupon["state"] == coupons.EXPIRED or coupon["expires_at"] <= _now():
                raise FailedPrecondition(_expired_message(coupon_id, row["on_expiry"]))
            if coupon["state"] == coupons.AVAILABLE and await coupons.cancel(conn, coupon_id, member_id) is None:
                raise Unavailable("the voucher changed meanwhile; try again")
            await conn.execute("UPDATE redemptions SET state = %s, ended_by = %s, updated_at = now()"
                               " WHERE redemption_id = %s", (RETURNING, BY_CANCEL, row["redemption_id"]))
            await conn.execute("UPDATE rewards SET stock = stock + 1, redeemed = redeemed - 1 WHERE reward_id = %s",
                               (row["reward_id"],))
            row["state"] = RETURNING
    if row["state"] == RETURNING:
        await _return(deps, row["redemption_id"])
    async with deps.pool.connection() as conn:
        return coupons.to_message(await _coupon(conn, coupon_id), row["name"])


async def expire_vouchers(deps: Deps) -> tuple[int, int]:
    """Unused vouchers past their validity become expired, and their redemptions returning (the
    reward says refund) or forfeited; then the points owed are returned. Returns (expired, refunded
    now). A voucher a purchase holds locked is skipped and expired by the next run if still unused.
    coupons.py has no expiry of its own (a coupon past expires_at simply no longer matches), so the
    state is set here, for vouchers only."""
    expired, owed = 0, []
    while True:
        async with deps.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "SELECT c.coupon_id, r.redemption_id, w.on_expiry FROM coupons c"
                " JOIN redemptions r ON r.coupon_id = c.coupon_id JOIN rewards w ON w.reward_id = r.reward_id"
                " WHERE c.source = %s AND c.state = %s AND c.expires_at <= now() AND r.state = %s"
                " ORDER BY c.expires_at LIMIT %s FOR UPDATE OF c, r SKIP LOCKED",
                (coupons.VOUCHER, coupons.AVAILABLE, ISSUED, SWEEP_BATCH))
            rows = await cur.fetchall()
            if rows:
                await conn.execute("UPDATE coupons SET state = %s WHERE coupon_id = ANY(%s)",
                                   (coupons.EXPIRED, [row["coupon_id"] for row in rows]))
                refund = [row["redemption_id"] for row in rows if row["on_expiry"] == REFUND]
                forfeit = [row["redemption_id"] for row in rows if row["on_expiry"] != REFUND]
                for state, ids in ((RETURNING, refund), (FORFEITED, forfeit)):
                    await conn.execute("UPDATE redemptions SET state = %s, ended_by = %s, updated_at = now()"
                                       " WHERE redemption_id = ANY(%s)", (state, BY_EXPIRY, ids))
        expired += len(rows)
        owed += [row["redemption_id"] for row in rows if row["on_expiry"] == REFUND]
        if len(rows) < SWEEP_BATCH:
            break
    refunded = 0
    for redemption_id in owed:
        try:
            refunded += await _return(deps, redemption_id)
        except Unavailable:
            continue  # still returning: the sweep returns it
    if expired:
        deps.log.info("vouchers expired", extra={"expired": expired, "refunded": refunded})
    return expired, refunded


# ---------- the sweep ----------

async def sweep(deps: Deps) -> tuple[int, int]:
    """Expire what is due, finish (or undo) redemptions left pending past PENDING_GRACE, return
    points left owed. What ExpireVouchers and the periodic task run; returns expire_vouchers'."""
    expired, refunded = await expire_vouchers(deps)
    async with deps.pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM redemptions WHERE state IN (%s, %s) AND updated_at < %s"
                                 " ORDER BY updated_at LIMIT %s", (PENDING, RETURNING, _now() - PENDING_GRACE,
                                                                   SWEEP_BATCH))
        rows = await cur.fetchall()
    for row in rows:
        try:
            if row["state"] == PENDING:
                await _finish(deps, row, wait=False)
            else:
                await _return(deps, row["redemption_id"])
        except (FailedPrecondition, Unavailable) as exc:  # refused (undone) or still unanswered: logged, next row
            deps.log.info("redemption sweep", extra={"redemption_id": row["redemption_id"], "outcome": exc.message})
    if rows:
        deps.log.info("redemptions swept", extra={"rows": len(rows)})
    return expired, refunded


async def run_sweeps(deps: Deps, seconds: float) -> None:
    """The periodic task: a failed round is logged and the next one tries again."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await sweep(deps)
        except Exception:  # noqa: BLE001 - Postgres or the wallet away: next round
            deps.log.exception("voucher sweep failed")
