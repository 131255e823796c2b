"""Coupons: campaigns that need a coupon, issued, used exactly once at purchase, given back when
the purchase is undone; codes, shared codes and their guessing limits. Real processes."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import grpc
import pytest

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.shared import db
from services.tasheem import codes, coupons
from tests.tasheem.helpers import offer, quote, rpc_error, share, stamp, uid


def in_transaction(stack, work):
    """Run `work(conn)` in one transaction on the tasheem schema, as another module of the
    service (rewards) calls coupons.issue inside its own."""
    async def main():
        conn = await db.connect(stack.database_url, "tasheem", autocommit=False)
        try:
            async with conn.transaction():
                return await work(conn)
        finally:
            await conn.close()
    return asyncio.run(main())


def campaign(tasheem, merchant, **fields) -> pb.Offer:
    values = dict(scope=pb.OfferScope(merchant_ids=[merchant.merchant_id]), coupon_required=True,
                  discount=pb.Discount(fixed_amount=5_000))
    values.update(fields)
    return tasheem.CreateOffer(pb.CreateOfferRequest(offer=offer(**values)))


def test_issue_inside_a_transaction_is_idempotent_by_redemption_and_cancel_takes_only_available(
        stack, tasheem, merchant):
    item = campaign(tasheem, merchant)
    member = uid("member-")
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)

    def issue(redemption_id, member_id=member):
        return in_transaction(stack, lambda conn: coupons.issue(
            conn, offer_id=item.offer_id, member_id=member_id, source="voucher", expires_at=until,
            reward_id="rw-1", points_spent=500, redemption_id=redemption_id))

    redemption = uid("rd-")
    first = issue(redemption)
    assert (first["state"], first["source"], first["points_spent"], first["transaction_id"]) == \
        ("available", "voucher", 500, None)
    assert issue(redemption)["coupon_id"] == first["coupon_id"]  # the same redemption: the same voucher
    with pytest.raises(Exception, match="redemption_id"):
        issue(redemption, member_id=uid("member-"))
    message = coupons.to_message(first, "نان رایگان")
    assert (message.state, message.source, message.name) == (pb.COUPON_STATE_AVAILABLE, pb.COUPON_SOURCE_VOUCHER,
                                                              "نان رایگان")
    assert message.expires_at.ToDatetime(dt.UTC) == until
    assert in_transaction(stack, lambda conn: coupons.cancel(conn, first["coupon_id"], uid("someone-"))) is None
    cancelled = in_transaction(stack, lambda conn: coupons.cancel(conn, first["coupon_id"], member))
    assert cancelled["state"] == "cancelled"
    assert in_transaction(stack, lambda conn: coupons.cancel(conn, first["coupon_id"], member)) is None


def test_issue_refuses_an_offer_that_is_not_a_coupon_campaign(stack, tasheem, merchant):
    plain = tasheem.CreateOffer(pb.CreateOfferRequest(offer=offer(
        scope=pb.OfferScope(merchant_ids=[merchant.merchant_id]))))
    for offer_id, message in ((plain.offer_id, "not a coupon campaign"), ("no-such-offer", "unknown offer")):
        with pytest.raises(Exception, match=message):
            in_transaction(stack, lambda conn, offer_id=offer_id: coupons.issue(
                conn, offer_id=offer_id, member_id="m1", source="voucher"))


# ---------- at purchase ----------

def assign(tasheem, offer_id: str, *members: str, assignment_id: str | None = None) -> pb.AssignCouponsResponse:
    return tasheem.AssignCoupons(pb.AssignCouponsRequest(offer_id=offer_id, member_ids=list(members),
                                                         assignment_id=assignment_id or uid("as-")))


def listed(tasheem, member: str, available_only: bool = False) -> list[pb.Coupon]:
    return list(tasheem.ListCoupons(pb.ListCouponsRequest(member_id=member, available_only=available_only)).coupons)


def reserve(tasheem, merchant, member: str, amount: int = 100_000, transaction_id: str | None = None):
    return tasheem.Quote(quote(merchant.merchant_id, amount, reserve=True, member_id=member,
                               transaction_id=transaction_id or uid("tx-")))


def test_a_campaign_applies_only_with_a_coupon_and_a_reserving_quote_uses_it_once(stack, tasheem, merchant):
    item = campaign(tasheem, merchant, name="کوپن نوروز")
    plain = tasheem.CreateOffer(pb.CreateOfferRequest(offer=offer(
        scope=pb.OfferScope(merchant_ids=[merchant.merchant_id]), discount=pb.Discount(percent_bp=1000))))
    holder, other = uid("member-"), uid("member-")
    assert [o.offer_id for o in reserve(tasheem, merchant, holder).offers] == [plain.offer_id]  # no coupon yet
    assert assign(tasheem, item.offer_id, holder).assigned == 1
    shown = tasheem.Quote(quote(merchant.merchant_id, 100_000, member_id=holder))  # reserves and uses nothing
    assert {o.offer_id: o.coupon_id for o in shown.offers} == {plain.offer_id: "", item.offer_id: ""}
    assert shown.decided_by == "combination"
    [coupon] = listed(tasheem, holder)
    assert (coupon.state, coupon.source, coupon.name) == (pb.COUPON_STATE_AVAILABLE, pb.COUPON_SOURCE_ASSIGNED,
                                                          "کوپن نوروز")
    transaction_id = uid("tx-")
    used = reserve(tasheem, merchant, holder, transaction_id=transaction_id)
    assert {o.offer_id: (o.discount, o.coupon_id) for o in used.offers} == {
        plain.offer_id: (10_000, ""), item.offer_id: (5_000, coupon.coupon_id)}
    assert reserve(tasheem, merchant, holder, transaction_id=transaction_id) == used  # a retry: the same coupon
    [after] = listed(tasheem, holder)
    assert (after.state, after.transaction_id) == (pb.COUPON_STATE_USED, transaction_id)
    assert [o.offer_id for o in reserve(tasheem, merchant, holder).offers] == [plain.offer_id]  # none left
    assert [o.offer_id for o in reserve(tasheem, merchant, other).offers] == [plain.offer_id]
    assert not listed(tasheem, holder, available_only=True)
    with stack.pg() as conn:
        assert conn.execute("SELECT count(*) FROM tasheem.reservations WHERE offer_id = %s",
                            (item.offer_id,)).fetchone()[0] == 1


def test_two_commits_at_once_never_lock_the_same_coupon(stack, tasheem, merchant):
    """As two replicas' group commits would: the second skips what the first holds, and waits for nothing."""
    item = campaign(tasheem, merchant)
    member = uid("member-")
    assign(tasheem, item.offer_id, member)
    now = dt.datetime.now(dt.UTC)

    async def both():
        first = await db.connect(stack.database_url, "tasheem", autocommit=False)
        second = await db.connect(stack.database_url, "tasheem", autocommit=False)
        try:
            async with first.transaction():
                mine, _ = await coupons.lock_held(first, [uid("tx-")], [member], now)
                async with second.transaction():
                    theirs, _ = await coupons.lock_held(second, [uid("tx-")], [member], now)
            async with second.transaction():
                later, _ = await coupons.lock_held(second, [uid("tx-")], [member], now)
            return mine, theirs, later
        finally:
            await first.close()
            await second.close()

    mine, theirs, later = asyncio.run(both())
    assert len(mine[member][item.offer_id]) == 1 and theirs == {}
    assert later[member][item.offer_id][0]["coupon_id"] == mine[member][item.offer_id][0]["coupon_id"]


def test_the_soonest_expiring_coupon_is_used_first(stack, tasheem, merchant):
    item = campaign(tasheem, merchant)
    member = uid("member-")
    now = dt.datetime.now(dt.UTC)
    late, soon = (in_transaction(stack, lambda conn, days=days: coupons.issue(
        conn, offer_id=item.offer_id, member_id=member, source="voucher", expires_at=now + dt.timedelta(days=days)))
        for days in (20, 2))
    assign(tasheem, item.offer_id, member)  # no expiry of its own: the campaign's window decides
    [open_ended] = [c.coupon_id for c in listed(tasheem, member) if not c.HasField("expires_at")]
    used = [next(o.coupon_id for o in reserve(tasheem, merchant, member).offers) for _ in range(3)]
    assert used == [soon["coupon_id"], late["coupon_id"], open_ended]
    assert not reserve(tasheem, merchant, member).offers


def test_an_expired_coupon_is_not_used(stack, tasheem, merchant):
    item = campaign(tasheem, merchant)
    member = uid("member-")
    in_transaction(stack, lambda conn: coupons.issue(conn, offer_id=item.offer_id, member_id=member, source="voucher",
                                                     expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert not reserve(tasheem, merchant, member).offers
    assert [c.state for c in listed(tasheem, member)] == [pb.COUPON_STATE_EXPIRED]  # shown as it is
    assert not listed(tasheem, member, available_only=True)


def test_release_gives_the_coupon_back_once_and_release_part_keeps_it_used(stack, tasheem, merchant):
    item = campaign(tasheem, merchant, budget=1_000_000)
    member = uid("member-")
    assign(tasheem, item.offer_id, member)
    first = uid("tx-")
    assert reserve(tasheem, merchant, member, transaction_id=first).offers
    assert tasheem.ReleasePart(pb.ReleasePartRequest(transaction_id=first, stands=50_000)).discount_released
    assert [c.state for c in listed(tasheem, member)] == [pb.COUPON_STATE_USED]  # half the purchase stands
    assert tasheem.Release(pb.ReleaseRequest(transaction_id=first)).released
    [back] = listed(tasheem, member)
    assert (back.state, back.transaction_id) == (pb.COUPON_STATE_AVAILABLE, "")
    assert not tasheem.Release(pb.ReleaseRequest(transaction_id=first)).released  # once
    second = uid("tx-")
    assert reserve(tasheem, merchant, member, transaction_id=second).offers[0].coupon_id == back.coupon_id
    assert not tasheem.Release(pb.ReleaseRequest(transaction_id=first)).released  # the old one takes nothing
    assert listed(tasheem, member)[0].transaction_id == second
    assert tasheem.GetOffer(pb.GetOfferRequest(offer_id=item.offer_id)).budget_used == 5_000


def test_a_coupon_past_its_validity_when_given_back_is_expired(stack, tasheem, merchant):
    item = campaign(tasheem, merchant)
    member = uid("member-")
    row = in_transaction(stack, lambda conn: coupons.issue(conn, offer_id=item.offer_id, member_id=member,
                                                           source="voucher"))
    transaction_id = uid("tx-")
    assert reserve(tasheem, merchant, member, transaction_id=transaction_id).offers
    with stack.pg() as conn:  # its validity ends while the purchase stands
        conn.execute("UPDATE tasheem.coupons SET expires_at = now() WHERE coupon_id = %s", (row["coupon_id"],))
    assert tasheem.Release(pb.ReleaseRequest(transaction_id=transaction_id)).released
    [coupon] = listed(tasheem, member)
    assert (coupon.state, coupon.transaction_id) == (pb.COUPON_STATE_EXPIRED, "")
    assert not reserve(tasheem, merchant, member).offers


def test_a_member_with_many_campaigns_live_still_matches_only_what_they_hold(tasheem, merchant):
    made = [campaign(tasheem, merchant, discount=pb.Discount(fixed_amount=100 + n)) for n in range(30)]
    member = uid("member-")
    assign(tasheem, made[7].offer_id, member)
    reply = reserve(tasheem, merchant, member)
    assert [(o.offer_id, o.discount) for o in reply.offers] == [(made[7].offer_id, 107)]
    assert not reserve(tasheem, merchant, uid("member-")).offers
    assert not tasheem.Quote(quote(merchant.merchant_id, 100_000)).offers  # no member: no coupon


# ---------- assignment ----------

def test_assignment_is_idempotent_and_holds_the_campaigns_coupons_per_member(tasheem, merchant):
    item = campaign(tasheem, merchant, coupons_per_member=2)
    members = [uid("member-") for _ in range(3)]
    batch = uid("as-")
    first = assign(tasheem, item.offer_id, *members, members[0], assignment_id=batch)
    assert (first.assigned, first.already_assigned, first.over_member_limit) == (3, 0, 0)
    again = assign(tasheem, item.offer_id, *members, assignment_id=batch)
    assert (again.assigned, again.already_assigned, again.over_member_limit) == (0, 3, 0)
    assert assign(tasheem, item.offer_id, members[0]).assigned == 1  # another assignment: a second coupon
    third = assign(tasheem, item.offer_id, members[0], members[1])
    assert (third.assigned, third.over_member_limit) == (1, 1)
    assert len(listed(tasheem, members[0])) == 2


@pytest.mark.parametrize("change, field", [
    (dict(member_ids=[f"m{n}" for n in range(1_001)]), "member_ids"),
    (dict(member_ids=[]), "member_ids"),
    (dict(member_ids=["with space"]), "member_ids[0]"),
    (dict(assignment_id=""), "assignment_id"),
])
def test_bad_assignments_name_the_field(tasheem, merchant, change, field):
    item = campaign(tasheem, merchant)
    request = dict(offer_id=item.offer_id, member_ids=["m1"], assignment_id=uid("as-"))
    request.update(change)
    error = rpc_error(tasheem.AssignCoupons, pb.AssignCouponsRequest(**request))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith(f"{field}:")


def test_only_a_coupon_campaign_takes_coupons(tasheem, merchant):
    plain = tasheem.CreateOffer(pb.CreateOfferRequest(offer=offer(scope=pb.OfferScope(merchant_ids=[merchant.merchant_id]))))
    error = rpc_error(tasheem.AssignCoupons, pb.AssignCouponsRequest(offer_id=plain.offer_id, member_ids=["m1"],
                                                                     assignment_id="a1"))
    assert error.details().startswith("offer_id:") and "coupon campaign" in error.details()
    assert rpc_error(tasheem.GenerateCouponCodes, pb.GenerateCouponCodesRequest(offer_id="nope", count=1)).code() == \
        grpc.StatusCode.NOT_FOUND


def test_coupon_fields_of_an_offer_are_checked(tasheem, merchant):
    scope = pb.OfferScope(merchant_ids=[merchant.merchant_id])
    for fields, message in ((dict(coupons_per_member=2), "coupon campaigns only"),
                            (dict(coupon_required=True, coupons_per_member=-1), "must be 0..")):
        error = rpc_error(tasheem.CreateOffer, pb.CreateOfferRequest(offer=offer(scope=scope, **fields)))
        assert error.details().startswith("offer.coupons_per_member:") and message in error.details()
    item = campaign(tasheem, merchant)
    changed = offer(offer_id=item.offer_id, scope=scope)  # coupon_required dropped
    error = rpc_error(tasheem.UpdateOffer, pb.UpdateOfferRequest(offer=changed))
    assert error.details().startswith("offer.coupon_required:")


# ---------- codes ----------

def as_caller(stack, role: str = "service", subject: str = "") -> tasheem_pb2_grpc.TasheemServiceStub:
    """A stub whose calls carry their own caller (guesses are counted per caller)."""
    return tasheem_pb2_grpc.TasheemServiceStub(stack.channel("tasheem", token=stack.token(
        role, subject=subject or uid(f"{role}-"))))


def claim_error(stub, member: str, code: str) -> grpc.RpcError:
    return rpc_error(stub.ClaimCoupon, pb.ClaimCouponRequest(member_id=member, code=code))


def claimed_count(stack, offer_id: str) -> int:
    with stack.pg() as conn:
        return conn.execute("SELECT coalesce(sum(claimed), 0) FROM tasheem.coupon_codes WHERE offer_id = %s",
                            (offer_id,)).fetchone()[0]


def test_a_single_use_code_gives_one_coupon_once_and_is_kept_only_as_a_hash(stack, tasheem, merchant):
    item = campaign(tasheem, merchant, coupons_per_member=5)
    made = list(tasheem.GenerateCouponCodes(pb.GenerateCouponCodesRequest(offer_id=item.offer_id, count=3)).codes)
    assert len(set(made)) == 3 and all(codes.is_valid(code) for code in made)
    with stack.pg() as conn:
        stored = conn.execute("SELECT code_hash FROM tasheem.coupon_codes WHERE offer_id = %s",
                              (item.offer_id,)).fetchall()
        audited = str(conn.execute("SELECT request, result FROM audit.events WHERE method LIKE %s",
                                   ("%GenerateCouponCodes",)).fetchall())
    assert len(stored) == 3 and not any(code.encode() in bytes(row[0]) for row in stored for code in made)
    assert not any(code in audited for code in made)  # not in the audit log either
    app = as_caller(stack)
    member = uid("member-")
    coupon = app.ClaimCoupon(pb.ClaimCouponRequest(member_id=member, code=codes.grouped(made[0]).lower()))
    assert (coupon.member_id, coupon.offer_id, coupon.source, coupon.state) == (
        member, item.offer_id, pb.COUPON_SOURCE_CODE, pb.COUPON_STATE_AVAILABLE)
    for who in (member, uid("member-")):
        error = claim_error(app, who, made[0])
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details() == "code: already used"
    assert claimed_count(stack, item.offer_id) == 1
    assert reserve(tasheem, merchant, member).offers[0].coupon_id == coupon.coupon_id


def test_code_errors_say_which_and_count_no_use(stack, tasheem, merchant):
    app = as_caller(stack)
    member = uid("member-")
    made = codes.generate()
    assert claim_error(app, member, made).details() == "code: unknown code"
    mistyped = made[:3] + codes.ALPHABET[(codes.VALUE[made[3]] + 1) % codes.MODULUS] + made[4:]
    assert claim_error(app, member, mistyped).details() == "code: unknown code: mistyped (its check character does not match)"
    assert claim_error(app, member, "").details() == "code: is required"
    ended = campaign(tasheem, merchant, window=pb.OfferWindow(
        ends_at=stamp(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2))))
    [code] = tasheem.GenerateCouponCodes(pb.GenerateCouponCodesRequest(offer_id=ended.offer_id, count=1)).codes
    tasheem.CreateSharedCode(pb.CreateSharedCodeRequest(offer_id=ended.offer_id, code="ENDED" + uid(), total_uses=5))
    time.sleep(2.1)
    assert claim_error(app, member, code).details() == "code: expired: its campaign has ended"
    assert claimed_count(stack, ended.offer_id) == 0 and not listed(tasheem, member)


def test_a_shared_code_holds_its_uses_per_member_and_the_campaigns_limit(stack, tasheem, merchant):
    item = campaign(tasheem, merchant, coupons_per_member=2)
    word = "NOWRUZ" + uid()
    shared = tasheem.CreateSharedCode(pb.CreateSharedCodeRequest(offer_id=item.offer_id, code=word, total_uses=10,
                                                                 per_member_uses=3))
    assert (shared.total_uses, shared.claimed, shared.per_member_uses) == (10, 0, 3)
    error = rpc_error(tasheem.CreateSharedCode, pb.CreateSharedCodeRequest(offer_id=item.offer_id, code=word.lower(),
                                                                         total_uses=1))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    app = as_caller(stack)
    member = uid("member-")
    for _ in range(2):
        app.ClaimCoupon(pb.ClaimCouponRequest(member_id=member, code=word))
    error = claim_error(app, member, word)  # the code allows 3, the campaign 2
    assert error.details().startswith("member_id: holds 2 coupon(s) of this campaign")
    other = campaign(tasheem, merchant, coupons_per_member=5)
    once = "ONCE" + uid()
    tasheem.CreateSharedCode(pb.CreateSharedCodeRequest(offer_id=other.offer_id, code=once, total_uses=10))
    app.ClaimCoupon(pb.ClaimCouponRequest(member_id=member, code=once))
    assert claim_error(app, member, once).details() == "code: already used: this member has claimed it 1 time(s)"
    assert claimed_count(stack, item.offer_id) == 2 and claimed_count(stack, other.offer_id) == 1


@pytest.mark.slow
def test_a_shared_code_with_n_uses_claimed_by_ten_times_n_members_at_once_gives_exactly_n(stack, tasheem, merchant):
    uses = 7
    item = campaign(tasheem, merchant)
    word = "RUSH" + uid()
    tasheem.CreateSharedCode(pb.CreateSharedCodeRequest(offer_id=item.offer_id, code=word, total_uses=uses))
    app = as_caller(stack)
    members = [uid("member-") for _ in range(10 * uses)]
    futures = [app.ClaimCoupon.future(pb.ClaimCouponRequest(member_id=member, code=word), timeout=60)
               for member in members]
    won, refused = [], []
    for future in futures:
        try:
            won.append(future.result())
        except grpc.RpcError as error:
            refused.append(error.details())
    assert len(won) == uses and len({c.member_id for c in won}) == uses
    assert refused == [f"code: already used: all {uses} uses are claimed"] * (9 * uses)
    assert claimed_count(stack, item.offer_id) == uses
    with stack.pg() as conn:
        assert conn.execute("SELECT count(*) FROM tasheem.coupons WHERE offer_id = %s",
                            (item.offer_id,)).fetchone()[0] == uses


def audit_rows(stack, subject: str) -> list[tuple]:
    with stack.pg() as conn:
        return conn.execute("SELECT method, role, outcome, request, result FROM audit.events WHERE subject = %s"
                            " ORDER BY at", (subject,)).fetchall()


def test_guessing_blocks_a_member_after_the_limit_and_the_refusals_are_audited(stack, tasheem, merchant):
    from services.tasheem.coupon_codes import MAX_WRONG_CODES_PER_MEMBER
    item = campaign(tasheem, merchant)
    word = "GOOD" + uid()
    tasheem.CreateSharedCode(pb.CreateSharedCodeRequest(offer_id=item.offer_id, code=word, total_uses=100))
    subject = uid("app-")
    app = as_caller(stack, subject=subject)
    guesser, bystander = uid("member-"), uid("member-")
    wrong = [claim_error(app, guesser, codes.generate()) for _ in range(MAX_WRONG_CODES_PER_MEMBER)]
    assert {error.details() for error in wrong} == {"code: unknown code"}
    blocked = claim_error(app, guesser, word)  # even the right code, now
    assert blocked.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "too many wrong codes" in blocked.details()
    assert app.ClaimCoupon(pb.ClaimCouponRequest(member_id=bystander, code=word)).member_id == bystander
    assert stack.redis().ttl(f"tasheem:claims:{{member:{guesser}}}:wrong") > 3_500
    rows = audit_rows(stack, subject)
    assert [row[2] for row in rows] == ["INVALID_ARGUMENT"] * MAX_WRONG_CODES_PER_MEMBER + ["RESOURCE_EXHAUSTED"]
    assert all(row[0] == "/club.tasheem.v1.TasheemService/ClaimCoupon" and row[1] == "service" for row in rows)
    assert rows[0][3]["member_id"] == guesser and rows[0][3]["code"] == "[redacted]"
    assert rows[0][4] == {"refused": "code: unknown code"} and "too many wrong codes" in rows[-1][4]["refused"]


def test_guessing_blocks_a_caller_across_members(stack, tasheem, merchant):
    from services.tasheem.coupon_codes import MAX_WRONG_CODES_PER_PERSON
    subject = uid("operator-")
    person = as_caller(stack, role="operator", subject=subject)
    for _ in range(MAX_WRONG_CODES_PER_PERSON):
        assert claim_error(person, uid("member-"), codes.generate()).details() == "code: unknown code"
    blocked = claim_error(person, uid("member-"), codes.generate())
    assert blocked.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    outcomes = [row[2] for row in audit_rows(stack, subject)]  # a person's: recorded by the interceptor
    assert outcomes == ["INVALID_ARGUMENT"] * MAX_WRONG_CODES_PER_PERSON + ["RESOURCE_EXHAUSTED"]


# ---------- the club's cap on one purchase's discount ----------

@pytest.mark.slow
def test_the_clubs_cap_cuts_in_selection_order_and_decided_by_says_so(isolated_stack):
    stack = isolated_stack(CLUB_MAX_DISCOUNT_BP="3000")
    stub = tasheem_pb2_grpc.TasheemServiceStub(stack.channel("tasheem"))
    shop = stub.CreateMerchant(pb.CreateMerchantRequest(merchant_id=uid("M"), name="x", mcc="5411"))
    scope = pb.OfferScope(merchant_ids=[shop.merchant_id])
    first = stub.CreateOffer(pb.CreateOfferRequest(offer=offer(scope=scope, priority=20,
                                                               discount=pb.Discount(percent_bp=2000))))
    item = stub.CreateOffer(pb.CreateOfferRequest(offer=offer(
        scope=scope, priority=10, coupon_required=True, discount=pb.Discount(percent_bp=1500),
        funding=[share("bank", 3333), share("club", 6667, remainder=True)])))
    member = uid("member-")
    assert stub.Quote(quote(shop.merchant_id, 100_001, member_id=member)).decided_by == "combination"
    stub.AssignCoupons(pb.AssignCouponsRequest(offer_id=item.offer_id, member_ids=[member], assignment_id="a1"))
    reply = stub.Quote(quote(shop.merchant_id, 100_001, member_id=member, reserve=True, transaction_id=uid("tx-")))
    assert reply.decided_by == "cap" and reply.discount == 30_000 and reply.net_amount == 70_001
    assert [(o.offer_id, o.discount) for o in reply.offers] == [(first.offer_id, 20_000), (item.offer_id, 10_000)]
    assert reply.offers[1].coupon_id  # cut by the cap, still applied: its coupon is used
    for applied in reply.offers:
        assert sum(f.amount for f in applied.funding) == applied.discount
    assert sum(f.amount for f in reply.funding) == reply.discount
    assert {f.party_id: f.amount for f in reply.offers[1].funding} == {"bank": 3_333, "club": 6_667}
    exclusive = stub.CreateOffer(pb.CreateOfferRequest(offer=offer(scope=scope, priority=30, stacking=pb.STACKING_EXCLUSIVE,
                                                                   discount=pb.Discount(percent_bp=5000))))
    capped = stub.Quote(quote(shop.merchant_id, 10_000))
    assert [(o.offer_id, o.discount) for o in capped.offers] == [(exclusive.offer_id, 3_000)]
    assert capped.decided_by == "cap"
    stub.SetOfferActive(pb.SetOfferActiveRequest(offer_id=first.offer_id, active=False))
    stub.SetOfferActive(pb.SetOfferActiveRequest(offer_id=exclusive.offer_id, active=False))
    assert stub.Quote(quote(shop.merchant_id, 10_000)).decided_by == ""
