"""The member at a glance: each part read from its owner's gRPC API for this one member, in
parallel. A part whose owner did not answer is reported unavailable (PartStatus) and the rest is
still shown; only an unknown member fails the call.

Who may ask is decided before this runs (auth_policy: an operator or auditor for anyone, a member
token for itself); the owners are then asked with crm's service token for that member only.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import grpc

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.switch.v1 import authorization_pb2 as spb
from services.gen.club.tasheem.v1 import tasheem_pb2 as tpb
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.shared.errors import NotFound
from services.shared.tiers import next_tier
from services.shared.validate import check_id

from . import interactions, interests, invitations, outbox, surveys
from .context import Deps

PART_TIMEOUT_SECONDS = 2.0
RECENT_TRANSACTIONS = 20
MAX_CARDS = 100
PARTS = ("profile", "cards", "balances", "tier_progress", "transactions", "coupons", "events", "interactions", "interests")


class _Missing(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


async def _call(stub, method: str, request, owner: str):
    if stub is None:
        raise _Missing(f"{owner} is not configured")
    try:
        # wait_for_ready: a channel reconnecting (its owner restarted) gets the part's whole time
        return await getattr(stub, method)(request, timeout=PART_TIMEOUT_SECONDS, wait_for_ready=True)
    except grpc.aio.AioRpcError as exc:
        if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
            raise  # no such member (the profile decides), or nothing of it there
        raise _Missing(f"{owner} did not answer ({exc.code().name})") from None


async def _profile(deps: Deps, member_id: str, view: pb.Member360) -> None:
    member = await _call(deps.cards, "GetMember", cards_pb2.GetMemberRequest(member_id=member_id), "cards")
    view.profile.CopyFrom(member)
    view.tier, view.next_tier = member.tier, next_tier(member.tier)


async def _cards(deps: Deps, member_id: str, view: pb.Member360) -> None:
    page = await _call(deps.cards, "ListCards", cards_pb2.ListCardsRequest(member_id=member_id, page_size=MAX_CARDS),
                       "cards")
    for card in page.cards:  # a card's masked PAN and token only: nothing more of it is shown here
        view.cards.add(card_token=card.card_token, masked_pan=card.masked_pan, member_id=card.member_id,
                       product_id=card.product_id, status=card.status, expiry=card.expiry, issued_at=card.issued_at)


async def _balances(deps: Deps, member_id: str, view: pb.Member360) -> None:
    balances = await _call(deps.wallet, "GetMemberBalances", wpb.GetMemberBalancesRequest(member_id=member_id),
                           "wallet")
    view.balances.CopyFrom(balances)


async def _tier_progress(deps: Deps, member_id: str, view: pb.Member360) -> None:
    progress = await _call(deps.wallet, "GetTierProgress", wpb.GetTierProgressRequest(member_id=member_id), "wallet")
    view.tier_progress.CopyFrom(progress)


async def _transactions(deps: Deps, member_id: str, view: pb.Member360) -> None:
    page = await _call(deps.switch, "ListTransactions", spb.ListTransactionsRequest(
        member_id=member_id, newest_first=True, page_size=RECENT_TRANSACTIONS), "switch")
    view.transactions.extend(page.transactions)


async def _coupons(deps: Deps, member_id: str, view: pb.Member360) -> None:
    page = await _call(deps.tasheem, "ListCoupons", tpb.ListCouponsRequest(member_id=member_id), "tasheem")
    view.coupons.extend(page.coupons)


async def _events(deps: Deps, member_id: str, view: pb.Member360) -> None:
    view.invitations.extend(await invitations.list_for_member(deps, member_id))


async def _interactions(deps: Deps, member_id: str, view: pb.Member360) -> None:
    view.open_interactions.extend(await interactions.list_for_member(deps, member_id, open_only=True, limit=100))


async def _interests(deps: Deps, member_id: str, view: pb.Member360) -> None:
    view.interests.extend(await interests.of_member(deps, member_id))


READERS = {"profile": _profile, "cards": _cards, "balances": _balances, "tier_progress": _tier_progress,
           "transactions": _transactions, "coupons": _coupons, "events": _events, "interactions": _interactions,
           "interests": _interests}
assert tuple(READERS) == PARTS


async def _gather(deps: Deps, member_id: str, answer, readers: dict) -> None:
    """Runs every part's reader at once into `answer`; records in answer.parts which could not be
    read and why. Only the profile's owner saying "no such member" fails the whole call."""
    parts = tuple(readers)
    outcomes = await asyncio.gather(*(readers[part](deps, member_id, answer) for part in parts),
                                    return_exceptions=True)
    for part, outcome in zip(parts, outcomes, strict=True):
        if isinstance(outcome, grpc.aio.AioRpcError):  # no such member, or nothing of it there
            if part == "profile":
                raise NotFound(f"member_id: no member {member_id}")
            outcome = None
        if isinstance(outcome, BaseException):
            reason = outcome.reason if isinstance(outcome, _Missing) else f"{part} could not be read"
            if not isinstance(outcome, _Missing):
                deps.log.warning("member view part failed", extra={"part": part, "error": type(outcome).__name__})
            answer.parts.add(part=part, available=False, reason=reason)
        else:
            answer.parts.add(part=part, available=True)


async def view(deps: Deps, member_id: str) -> pb.Member360:
    check_id(member_id, "member_id")
    answer = pb.Member360(member_id=member_id)
    await _gather(deps, member_id, answer, READERS)
    if not answer.tier and answer.HasField("balances"):
        answer.tier, answer.next_tier = answer.balances.tier, next_tier(answer.balances.tier)
    return answer


# ---------- the member's home page (the portal): the same parts machinery, other parts ----------

EXPIRING_WITHIN = dt.timedelta(days=30)  # points shown as "expiring soon"


async def _expiring_points(deps: Deps, member_id: str, home: pb.MemberHome) -> None:
    page = await _call(deps.wallet, "ListPointsLots", wpb.ListPointsLotsRequest(member_id=member_id), "wallet")
    until = dt.datetime.now(dt.UTC) + EXPIRING_WITHIN
    soon = [lot for lot in page.lots if lot.remaining > 0 and lot.HasField("expires_at")
            and lot.expires_at.ToDatetime(dt.UTC) <= until]
    home.points_expiring_soon = sum(lot.remaining for lot in soon)
    if soon:
        home.points_expire_at.CopyFrom(min((lot.expires_at for lot in soon), key=lambda at: at.ToDatetime(dt.UTC)))


async def _benefits(deps: Deps, member_id: str, home: pb.MemberHome) -> None:
    page = await _call(deps.tasheem, "ListBenefits", tpb.ListBenefitsRequest(member_id=member_id), "tasheem")
    home.benefits.extend(page.benefits)


async def _upcoming_events(deps: Deps, member_id: str, home: pb.MemberHome) -> None:
    home.upcoming_events.extend(await invitations.list_for_member(deps, member_id, upcoming_only=True))


async def _unread_messages(deps: Deps, member_id: str, home: pb.MemberHome) -> None:
    home.unread_messages = await outbox.unread_count(deps, member_id)


async def _pending_surveys(deps: Deps, member_id: str, home: pb.MemberHome) -> None:
    home.pending_surveys = len(await surveys.pending(deps, member_id))


HOME_READERS = {"profile": _profile, "tier_progress": _tier_progress, "balances": _balances,
                "expiring_points": _expiring_points, "benefits": _benefits, "events": _upcoming_events,
                "inbox": _unread_messages, "surveys": _pending_surveys}


async def home(deps: Deps, member_id: str) -> pb.MemberHome:
    check_id(member_id, "member_id")
    answer = pb.MemberHome(member_id=member_id)
    await _gather(deps, member_id, answer, HOME_READERS)
    if not answer.tier and answer.HasField("balances"):
        answer.tier, answer.next_tier = answer.balances.tier, next_tier(answer.balances.tier)
    return answer
