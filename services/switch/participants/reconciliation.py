"""0500: a terminal's batch totals against tasheem's record of its authorizations."""

from __future__ import annotations

from services.gen.club.tasheem.v1 import tasheem_pb2
from services.shared import response_codes as codes

from ..context import Context
from .base import Declined, Participant


class TerminalTotals(Participant):
    name = "terminal_totals"

    async def prepare(self, context: Context) -> Declined | None:
        request = context.request
        reply = await self.services.tasheem.ReconcileTerminalTotals(tasheem_pb2.ReconcileTerminalTotalsRequest(
            terminal_id=request.terminal_id, merchant_id=request.merchant_id, **request.totals),
            timeout=context.remaining())
        if reply.in_balance:
            return None
        self.services.log.warning("terminal totals out of balance", extra={
            "terminal_id": request.terminal_id,
            "mismatches": [f"{m.field}: terminal {m.terminal_value}, ours {m.our_value}" for m in reply.mismatches]})
        return Declined(codes.RECONCILE_ERROR, "terminal totals out of balance")
