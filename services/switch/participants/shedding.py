"""Under load, the lowest tiers wait or are turned away first (services/switch/admission.py); here,
once the card's tier is known, for what the ISO front could not order (the gRPC channel)."""

from __future__ import annotations

from prometheus_client import Counter

from services.shared import response_codes as codes

from ..context import Context
from .base import Declined, Participant

SHED = Counter("club_authorizations_shed_total", "authorizations turned away under load, by tier", ["tier"])


class TierAdmission(Participant):
    name = "tier_admission"

    async def prepare(self, context: Context) -> Declined | None:
        card, services = context.card, self.services
        services.tiers.remember(context.request.pan, card.tier)
        if not services.admission.admit(card.tier, services.in_flight - 1):
            SHED.labels(card.tier or "none").inc()
            return Declined(codes.ISSUER_UNAVAILABLE, "shed under load")
        return None
