"""A balance inquiry: the member's credit and points available."""

from __future__ import annotations

from services.gen.club.wallet.v1 import wallet_pb2

from ..context import Context
from .base import Declined, Participant


class Balances(Participant):
    name = "balances"

    async def prepare(self, context: Context) -> Declined | None:
        balances = await self.services.wallet.GetMemberBalances(
            wallet_pb2.GetMemberBalancesRequest(member_id=context.card.member_id), timeout=context.remaining())
        context.outcome.credit_available = balances.credit_available
        context.outcome.points_available = balances.points_available
        return None
