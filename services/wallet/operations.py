"""What each money operation posts, built as a Movement (pure functions plus the SQL steps
that run inside the ledger transaction).

Amount rules, all integer:
- a purchase posts net = amount - discount from the member, each non-merchant funder's share,
  and the points it earns; the merchant's own share of the discount is simply not paid;
- paying with points takes ceil(net / point value) points, so the club never under-collects;
- a reversal or refund of part r of the gross amount brings the cumulative undone part to U;
  every component is undone up to floor(component * U / amount), so partial undos always add up
  to exactly the original when U reaches the amount.
"""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass

from psycopg import AsyncConnection

from services.gen.club.wallet.v1 import wallet_pb2 as pb
from services.shared.db import Recordset

from . import accounts as acc
from .movement import PENDING, POST_PENDING, VOID_PENDING, InsertOnly, InsertRow, Leg, Movement, Reservation

HOLD_DEFAULT_TIMEOUT_SECONDS = 7 * 24 * 3600


class ConcurrentChange(Exception):
    """The purchase changed between reading it and committing; the caller retries."""


@dataclass(frozen=True)
class Rules:
    point_value_rials: int
    points_lifetime_days: int


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def proportional(total: int, undone_after: int, amount: int) -> int:
    """The part of `total` undone once `undone_after` of `amount` is undone (floor; exact at the end)."""
    assert 0 <= undone_after <= amount
    return total * undone_after // amount if amount else total


# ---- SQL steps run inside the ledger transaction ---------------------------------------------

PURCHASES = InsertOnly("purchases", Recordset(
    transaction_id="text", member_id="text", merchant_id="text", source="smallint", amount="bigint",
    discount="bigint", funding="jsonb", charged="bigint", points_earned="bigint", held="boolean", state="text", hold_id="text"))
POINTS_LOTS = InsertOnly("points_lots", Recordset(
    lot_id="text", member_id="text", points="bigint", remaining="bigint", expires_at="timestamptz", source="text",
    source_ref="text"))
PENDINGS = InsertOnly("pendings", Recordset(pending_id="text", expires_at="timestamptz"))


def insert_purchase(record: dict) -> InsertRow:
    """`record` names every column of PURCHASES; funding ({party: rials}) goes in as JSON."""
    return InsertRow(PURCHASES, tuple(record[name] for name in PURCHASES.rows.names))


def insert_lot(member_id: str, points: int, expires_at: datetime.datetime, source: str, source_ref: str) -> InsertRow:
    return InsertRow(POINTS_LOTS, (str(uuid.uuid4()), member_id, points, points, expires_at, source, source_ref))


def consume_lots(member_id: str, points: int, spend_id: str = ""):
    """Take points from the member's lots, soonest-expiring first; with `spend_id`, also record
    how much each lot gave (points_spends), so that ReturnPoints can put them back."""
    async def step(conn: AsyncConnection) -> None:
        cur = await conn.execute(
            "SELECT lot_id, remaining FROM points_lots WHERE member_id = %s AND remaining > 0"
            " ORDER BY expires_at, lot_id FOR UPDATE", (member_id,))
        left = points
        updates = []
        for row in await cur.fetchall():
            if left == 0:
                break
            take = min(left, row["remaining"])
            updates.append((take, row["lot_id"]))
            left -= take
        assert left == 0, "the points balance is always covered by open lots"
        async with conn.cursor() as c:
            await c.executemany("UPDATE points_lots SET remaining = remaining - %s WHERE lot_id = %s", updates)
            if spend_id:
                await c.executemany("INSERT INTO points_spends (spend_id, lot_id, member_id, points)"
                                    " VALUES (%s, %s, %s, %s)",
                                    [(spend_id, lot_id, member_id, take) for take, lot_id in updates])
    return step


def restore_lots(spend_id: str, lots: int):
    """Put back into each lot what the spend took from it; the lot keeps its expiry (a lot already
    past it is expired again by the next sweep, as it would have been had it never been spent)."""
    async def step(conn: AsyncConnection) -> None:
        cur = await conn.execute(
            "UPDATE points_lots l SET remaining = l.remaining + s.points FROM points_spends s"
            " WHERE s.spend_id = %s AND l.lot_id = s.lot_id", (spend_id,))
        if cur.rowcount != lots:
            raise ConcurrentChange(spend_id)
    return step


def open_pending(pending_id: str, expires_at: datetime.datetime) -> InsertRow:
    return InsertRow(PENDINGS, (pending_id, expires_at))


def resolve_pending(pending_id: str, state: str, resolved_by: str):
    async def step(conn: AsyncConnection) -> None:
        cur = await conn.execute(
            "UPDATE pendings SET state = %s, resolved_by = %s WHERE pending_id = %s AND state = 'pending'",
            (state, resolved_by, pending_id))
        if cur.rowcount != 1:
            raise ConcurrentChange(pending_id)
    return step


def update_purchase(transaction_id: str, expected_undone: int, expected_state: str, changes: dict):
    async def step(conn: AsyncConnection) -> None:
        sets = ", ".join(f"{column} = %({column})s" for column in changes)
        params = {**changes, "id": transaction_id, "undone": expected_undone, "state_before": expected_state}
        if "funding_back" in params:
            params["funding_back"] = json.dumps(params["funding_back"])
        if "funding" in params:
            params["funding"] = json.dumps(params["funding"])
        cur = await conn.execute(
            f"UPDATE purchases SET {sets} WHERE transaction_id = %(id)s AND undone_amount = %(undone)s"
            " AND state = %(state_before)s", params)
        if cur.rowcount != 1:
            raise ConcurrentChange(transaction_id)
    return step


# ---- builders --------------------------------------------------------------------------------

def purchase(req: pb.PurchaseRequest, fingerprint: bytes, rules: Rules, now: datetime.datetime) -> Movement:
    tx = req.transaction_id
    net = req.amount - req.discount
    credit, points = acc.member_credit(req.member_id), acc.member_points(req.member_id)
    payable = acc.merchant_payable(req.merchant_id)
    funding = {f.party_id: f.amount for f in req.funding if f.party_id != acc.MERCHANT_PARTY and f.amount}
    pays_with_points = req.source == pb.PAYMENT_SOURCE_POINTS
    charged = ceil_div(net, rules.point_value_rials) if pays_with_points else net
    held = req.hold
    response = pb.PurchaseResponse(transaction_id=tx, outcome=pb.PURCHASE_OUTCOME_APPROVED, charged=charged,
                                   points_earned=0 if held else req.points_earned)
    m = Movement(tx, "purchase", fingerprint, response.SerializeToString())
    if held:
        expires_at = now + datetime.timedelta(seconds=req.hold_timeout_seconds or HOLD_DEFAULT_TIMEOUT_SECONDS)
        m.legs.append(Leg(f"{tx}:hold", credit, payable, net, pb.TRANSFER_CODE_SALE, flags=PENDING,
                          expires_at=expires_at, source_ref=tx, reason="pre-authorization"))
        m.extra.append(open_pending(f"{tx}:hold", expires_at))
    elif pays_with_points:
        m.legs.append(Leg(f"{tx}:points", points, acc.CLUB_ACCOUNTS[acc.CLUB_POINTS_LIABILITY], charged,
                          pb.TRANSFER_CODE_POINTS_REDEEMED, source_ref=tx, reason="paid with points"))
        m.legs.append(Leg(f"{tx}:sale", acc.CLUB_ACCOUNTS[acc.CLUB_POINTS_REDEMPTION], payable, net,
                          pb.TRANSFER_CODE_SALE, source_ref=tx, reason="paid with points"))
        m.extra.append(consume_lots(req.member_id, charged))
    else:
        m.legs.append(Leg(f"{tx}:sale", credit, payable, net, pb.TRANSFER_CODE_SALE, source_ref=tx))
    if charged:
        m.reserve.append(Reservation(points if pays_with_points else credit, charged))
    if not held:
        _post_funding_and_points(m, tx, req.member_id, payable, funding, req.points_earned, rules, now)
    m.extra.insert(0, insert_purchase({
        "transaction_id": tx, "member_id": req.member_id, "merchant_id": req.merchant_id,
        "source": pb.PAYMENT_SOURCE_POINTS if pays_with_points else pb.PAYMENT_SOURCE_CREDIT,
        "amount": req.amount, "discount": req.discount, "funding": funding, "charged": charged,
        "points_earned": req.points_earned, "held": held, "state": "held" if held else "posted",
        "hold_id": f"{tx}:hold" if held else ""}))
    return m


def _post_funding_and_points(m: Movement, tx: str, member_id: str, payable, funding: dict[str, int],
                             points_earned: int, rules: Rules, now: datetime.datetime) -> None:
    for party, amount in sorted(funding.items()):
        m.legs.append(Leg(f"{tx}:fund:{party}", acc.funder_discount(party), payable, amount,
                          pb.TRANSFER_CODE_DISCOUNT_FUNDING, source_ref=tx, party_id=party))
    if points_earned:
        points = acc.member_points(member_id)
        m.legs.append(Leg(f"{tx}:earn", acc.CLUB_ACCOUNTS[acc.CLUB_POINTS_LIABILITY], points, points_earned,
                          pb.TRANSFER_CODE_POINTS_EARNED, source_ref=tx, reason="earned on purchase"))
        m.credit_after[points.account_id] = m.credit_after.get(points.account_id, 0) + points_earned
        m.extra.append(insert_lot(member_id, points_earned, now + datetime.timedelta(days=rules.points_lifetime_days),
                                  "purchase", tx))


def capture(req: pb.CaptureRequest, fingerprint: bytes, record: dict, rules: Rules,
            now: datetime.datetime) -> tuple[Movement, int]:
    """Post up to the held amount; the rest is released. Returns the movement and the captured gross."""
    tx, hold_tx = req.transaction_id, req.hold_transaction_id
    gross = req.amount or record["amount"]
    discount = proportional(record["discount"], gross, record["amount"])
    net = gross - discount
    held_net = record["charged"]
    funding = {p: proportional(a, gross, record["amount"]) for p, a in record["funding"].items()}
    points_earned = proportional(record["points_earned"], gross, record["amount"])
    credit = acc.member_credit(record["member_id"])
    payable = acc.merchant_payable(record["merchant_id"])
    response = pb.PurchaseResponse(transaction_id=tx, outcome=pb.PURCHASE_OUTCOME_APPROVED, charged=net,
                                   points_earned=points_earned)
    m = Movement(tx, "capture", fingerprint, response.SerializeToString())
    m.legs.append(Leg(f"{tx}:post", credit, payable, net, pb.TRANSFER_CODE_SALE, flags=POST_PENDING,
                      pending_id=record["hold_id"], pending_amount=held_net, source_ref=hold_tx))
    if held_net > net:
        m.credit_after[credit.account_id] = held_net - net
    m.extra.append(resolve_pending(record["hold_id"], "posted", tx))
    _post_funding_and_points(m, hold_tx, record["member_id"], payable, funding, points_earned, rules, now)
    m.extra.append(update_purchase(hold_tx, 0, "held", {
        "state": "posted", "captured_amount": gross, "amount": gross, "discount": discount, "funding": funding,
        "charged": net, "points_earned": points_earned}))
    return m, gross


def release_hold(request_id: str, fingerprint: bytes, record: dict, state: str = "voided") -> Movement:
    hold_tx = record["transaction_id"]
    credit = acc.member_credit(record["member_id"])
    response = pb.PurchaseResponse(transaction_id=request_id, outcome=pb.PURCHASE_OUTCOME_APPROVED)
    m = Movement(request_id, "release", fingerprint, response.SerializeToString())
    m.legs.append(Leg(f"{request_id}:void", credit, acc.merchant_payable(record["merchant_id"]), record["charged"],
                      pb.TRANSFER_CODE_SALE, flags=VOID_PENDING, pending_id=record["hold_id"],
                      pending_amount=record["charged"], source_ref=hold_tx, reason=state))
    m.credit_after[credit.account_id] = record["charged"]
    m.extra.append(resolve_pending(record["hold_id"], state, request_id))
    m.extra.append(update_purchase(hold_tx, 0, "held", {"state": "released"}))
    return m


def expire_hold(record: dict) -> Movement:
    """Void a pre-authorization whose timeout passed: by the sweep, or at a capture that came late."""
    return release_hold(f"{record['transaction_id']}:expired", b"expired", record, state="expired")


def reduce_hold(request_id: str, fingerprint: bytes, record: dict, stands: int,
                expires_at: datetime.datetime | None) -> Movement:
    """Cut a pre-authorization's hold down to `stands` of its gross (a partial reversal).

    Transfers are never changed: the pending transfer is voided and a smaller one opened under
    a new id, expiring when the first would have. Discount, funding and points stay in the
    same proportion to the gross."""
    assert 0 < stands < record["amount"], "a partial reversal leaves part of the hold"
    hold_tx, total = record["transaction_id"], record["amount"]
    discount = proportional(record["discount"], stands, total)
    charged = stands - discount
    assert charged <= record["charged"], "a hold only shrinks"
    credit = acc.member_credit(record["member_id"])
    payable = acc.merchant_payable(record["merchant_id"])
    new_hold_id = f"{request_id}:hold"
    response = pb.ReverseResponse(
        reversal_id=request_id, outcome=pb.REVERSE_OUTCOME_REVERSED, amount_reversed=total - stands,
        charged_returned=record["charged"] - charged, discount_reversed=record["discount"] - discount,
        stands=stands)
    m = Movement(request_id, "reduce_hold", fingerprint, response.SerializeToString())
    m.legs.append(Leg(f"{request_id}:void", credit, payable, record["charged"], pb.TRANSFER_CODE_SALE,
                      flags=VOID_PENDING, pending_id=record["hold_id"], pending_amount=record["charged"],
                      source_ref=hold_tx, reason="partial reversal"))
    m.legs.append(Leg(new_hold_id, credit, payable, charged, pb.TRANSFER_CODE_SALE, flags=PENDING,
                      expires_at=expires_at, source_ref=hold_tx, reason="pre-authorization, reduced"))
    if record["charged"] > charged:
        m.credit_after[credit.account_id] = record["charged"] - charged
    m.extra.append(resolve_pending(record["hold_id"], "voided", request_id))
    m.extra.append(open_pending(new_hold_id, expires_at))
    m.extra.append(update_purchase(hold_tx, 0, "held", {
        "amount": stands, "discount": discount, "charged": charged, "hold_id": new_hold_id,
        "funding": {party: proportional(share, stands, total) for party, share in record["funding"].items()},
        "points_earned": proportional(record["points_earned"], stands, total)}))
    return m


def expire_pending(pending_id: str, pending: dict) -> Movement:
    """Void a pending transfer (not a purchase hold) whose timeout passed."""
    request_id = f"{pending_id}:expired"
    debit, held = pending["debit"], pending["amount"]
    m = Movement(request_id, "expire_pending", b"expired", b"")
    m.legs.append(Leg(request_id, debit, pending["credit"], held, pending["code"], flags=VOID_PENDING,
                      pending_id=pending_id, pending_amount=held, reason="expired"))
    if debit.limited and held:
        m.credit_after[debit.account_id] = held
    m.extra.append(resolve_pending(pending_id, "expired", request_id))
    return m


def undo(request_id: str, kind: str, fingerprint: bytes, record: dict, amount: int, rules: Rules,
         now: datetime.datetime) -> Movement:
    """Reverse or refund `amount` of the gross (the caller checked it fits what remains)."""
    code = pb.TRANSFER_CODE_REVERSAL if kind == "reverse" else pb.TRANSFER_CODE_REFUND
    tx, member = record["transaction_id"], record["member_id"]
    undone_after = record["undone_amount"] + amount
    total = record["amount"]
    net = total - record["discount"]
    net_now = proportional(net, undone_after, total) - proportional(net, record["undone_amount"], total)
    charged_now = proportional(record["charged"], undone_after, total) - record["charged_back"]
    funding_back = dict(record["funding_back"])
    funding_now = {}
    for party, share in record["funding"].items():
        target = proportional(share, undone_after, total)
        funding_now[party] = target - funding_back.get(party, 0)
        funding_back[party] = target
    points_now = proportional(record["points_earned"], undone_after, total) - record["points_back"]
    discount_now = (proportional(record["discount"], undone_after, total)
                    - proportional(record["discount"], record["undone_amount"], total))

    credit, points = acc.member_credit(member), acc.member_points(member)
    payable = acc.merchant_payable(record["merchant_id"])
    m = Movement(request_id, kind, fingerprint, b"")
    if points_now:
        # Take back the points this purchase earned; what the member already spent is recovered in rials.
        m.reserve.append(Reservation(points, points_now, up_to=True))
    for party, amount_now in sorted(funding_now.items()):
        if amount_now:
            m.legs.append(Leg(f"{request_id}:fund:{party}", payable, acc.funder_discount(party), amount_now, code,
                              source_ref=tx, party_id=party))

    def finish(points_taken: int) -> pb.ReverseResponse:
        shortfall_rials = (points_now - points_taken) * rules.point_value_rials
        if record["source"] == pb.PAYMENT_SOURCE_POINTS:
            recovery = 0
            if net_now:
                m.legs.append(Leg(f"{request_id}:sale", payable, acc.CLUB_ACCOUNTS[acc.CLUB_POINTS_REDEMPTION],
                                  net_now, code, source_ref=tx))
            if charged_now:
                m.legs.append(Leg(f"{request_id}:points", acc.CLUB_ACCOUNTS[acc.CLUB_POINTS_LIABILITY], points,
                                  charged_now, code, source_ref=tx, reason="points returned"))
                m.credit_after[points.account_id] = charged_now
                m.extra.append(insert_lot(member, charged_now, now + datetime.timedelta(days=rules.points_lifetime_days),
                                          kind, request_id))
            returned = charged_now
        else:
            recovery = min(shortfall_rials, net_now)
            returned = net_now - recovery
            if returned:
                m.legs.append(Leg(f"{request_id}:sale", payable, credit, returned, code, source_ref=tx))
                m.credit_after[credit.account_id] = returned
            if recovery:
                m.legs.append(Leg(f"{request_id}:recovery", payable, acc.CLUB_ACCOUNTS[acc.CLUB_POINTS_RECOVERY],
                                  recovery, code, source_ref=tx, reason="value of earned points already spent"))
        if points_taken:
            m.legs.append(Leg(f"{request_id}:unearn", points, acc.CLUB_ACCOUNTS[acc.CLUB_POINTS_LIABILITY],
                              points_taken, code, source_ref=tx, reason="points of an undone purchase"))
            m.extra.append(consume_lots(member, points_taken))
        m.extra.append(update_purchase(tx, record["undone_amount"], "posted", {
            "undone_amount": undone_after, "charged_back": record["charged_back"] + charged_now,
            "funding_back": funding_back, "points_back": record["points_back"] + points_now}))
        response = pb.ReverseResponse(reversal_id=request_id, outcome=pb.REVERSE_OUTCOME_REVERSED,
                                      amount_reversed=amount, charged_returned=returned,
                                      points_taken_back=points_taken, discount_reversed=discount_now,
                                      fully_undone=undone_after == total, stands=total - undone_after)
        m.response = response.SerializeToString()
        return response

    m.after_reserve = lambda movement: finish(movement.reserved.get(points.account_id, 0))
    return m


def topup(req, fingerprint: bytes, withdraw: bool) -> Movement:
    credit = acc.member_credit(req.member_id)
    clearing = acc.CLUB_ACCOUNTS[acc.CLUB_TOPUP_CLEARING]
    response = pb.MoneyMovementResponse(result=pb.TRANSFER_RESULT_OK)
    m = Movement(req.transfer_id, "withdraw" if withdraw else "topup", fingerprint, response.SerializeToString())
    if withdraw:
        m.legs.append(Leg(req.transfer_id, credit, clearing, req.amount, pb.TRANSFER_CODE_WITHDRAWAL,
                          reason=req.reason))
        m.reserve.append(Reservation(credit, req.amount))
    else:
        m.legs.append(Leg(req.transfer_id, clearing, credit, req.amount, pb.TRANSFER_CODE_TOPUP, reason=req.reason))
        m.credit_after[credit.account_id] = req.amount
    return m


def adjust_points(req: pb.AdjustPointsRequest, fingerprint: bytes, rules: Rules, now: datetime.datetime) -> Movement:
    points = acc.member_points(req.member_id)
    liability = acc.CLUB_ACCOUNTS[acc.CLUB_POINTS_LIABILITY]
    response = pb.MoneyMovementResponse(result=pb.TRANSFER_RESULT_OK)
    m = Movement(req.transfer_id, "adjust_points", fingerprint, response.SerializeToString())
    if req.points > 0:
        days = req.expires_in_days or rules.points_lifetime_days
        m.legs.append(Leg(req.transfer_id, liability, points, req.points, pb.TRANSFER_CODE_ADJUSTMENT,
                          reason=req.reason, source_ref=req.transfer_id))
        m.credit_after[points.account_id] = req.points
        m.extra.append(insert_lot(req.member_id, req.points, now + datetime.timedelta(days=days), "adjustment",
                                  req.transfer_id))
    else:
        taken = -req.points
        m.legs.append(Leg(req.transfer_id, points, liability, taken, pb.TRANSFER_CODE_ADJUSTMENT,
                          reason=req.reason, source_ref=req.transfer_id))
        m.reserve.append(Reservation(points, taken))
        m.extra.append(consume_lots(req.member_id, taken))
    return m


RETURN_SUFFIX = ":return"  # the request id of a spend's return: once per spend, whoever asks


def spend_points(req: pb.SpendPointsRequest, fingerprint: bytes) -> Movement:
    """Points spent on something bought with them: member points -> club points liability, taken
    from the lots soonest-expiring first and recorded per lot for a later return."""
    points = acc.member_points(req.member_id)
    response = pb.MoneyMovementResponse(result=pb.TRANSFER_RESULT_OK)
    m = Movement(req.spend_id, "spend_points", fingerprint, response.SerializeToString())
    m.legs.append(Leg(req.spend_id, points, acc.CLUB_ACCOUNTS[acc.CLUB_POINTS_LIABILITY], req.points,
                      pb.TRANSFER_CODE_POINTS_REDEEMED, reason=req.reason, source_ref=req.spend_id))
    m.reserve.append(Reservation(points, req.points))
    m.extra.append(consume_lots(req.member_id, req.points, spend_id=req.spend_id))
    return m


def return_points(spend_id: str, reason: str, fingerprint: bytes, spent: dict) -> Movement:
    """Everything spend `spend_id` took, back to the member and into the lots it came from.
    `spent` is the spend's record: member_id, points (its total) and lots (how many gave)."""
    points = acc.member_points(spent["member_id"])
    request_id = spend_id + RETURN_SUFFIX
    response = pb.MoneyMovementResponse(result=pb.TRANSFER_RESULT_OK)
    m = Movement(request_id, "return_points", fingerprint, response.SerializeToString())
    m.legs.append(Leg(request_id, acc.CLUB_ACCOUNTS[acc.CLUB_POINTS_LIABILITY], points, spent["points"],
                      pb.TRANSFER_CODE_REFUND, reason=reason, source_ref=spend_id))
    m.credit_after[points.account_id] = spent["points"]
    m.extra.append(restore_lots(spend_id, spent["lots"]))
    return m


def expire_lots(member_id: str, lots: list[dict], fingerprint: bytes) -> Movement:
    request_id = "expire:" + ",".join(sorted(lot["lot_id"] for lot in lots))
    total = sum(lot["remaining"] for lot in lots)
    points = acc.member_points(member_id)
    m = Movement(request_id, "expire_points", fingerprint, b"")
    m.legs.append(Leg(f"expire:{lots[0]['lot_id']}", points, acc.CLUB_ACCOUNTS[acc.CLUB_POINTS_LIABILITY], total,
                      pb.TRANSFER_CODE_POINTS_EXPIRED, reason="points expired", source_ref=member_id))
    m.reserve.append(Reservation(points, total))

    async def close_lots(conn: AsyncConnection) -> None:
        async with conn.cursor() as cur:
            await cur.executemany("UPDATE points_lots SET remaining = 0 WHERE lot_id = %s AND remaining = %s",
                                  [(lot["lot_id"], lot["remaining"]) for lot in lots])
            if cur.rowcount == 0:
                raise ConcurrentChange(member_id)
    m.extra.append(close_lots)
    return m
