"""The member at a glance: each part read from its owner's gRPC API for this one member, in
parallel. A part whose owner did not answer is reported unavailable (PartStatus) and the rest is
still shown; only an unknown member fails the call.

Who may ask is decided before this runs (auth_policy: an operator or auditor for anyone, a member
token for itself); the owners are then asked with crm's service token for that member only.
"""

from __future__ import annotations

import asyncio

import grpc

from services.gen.club.cards.v1 import cards_pb2
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.switch.v1 import authorization_pb2 as spb
from services.gen.club.tasheem.v1 import tasheem_pb2 as tpb
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.shared.errors import NotFound
from services.shared.tiers import next_tier
from services.shared.validate import check_id

from . import interactions, interests, invitations
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


READERS = {"profile": _profile, "cards": _cards, "balances": _balances, "tier_progress": _tier_progress, "transactions": _transactions,
           "coupons": _coupons, "events": _events, "interactions": _interactions, "interests": _interests}


async def view(deps: Deps, member_id: str) -> pb.Member360:
    check_id(member_id, "member_id")
    answer = pb.Member360(member_id=member_id)
    outcomes = await asyncio.gather(*(READERS[part](deps, member_id, answer) for part in PARTS),
                                    return_exceptions=True)
    for part, outcome in zip(PARTS, outcomes, strict=True):
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
    if not answer.tier and answer.HasField("balances"):
        answer.tier, answer.next_tier = answer.balances.tier, next_tier(answer.balances.tier)
    return answer
