"""What the wallet says of money given back (a refund or a reversal), as the outcome shows it."""

from __future__ import annotations

from services.gen.club.wallet.v1 import wallet_pb2
from services.shared import response_codes as codes

from ..outcome import Outcome
from .base import Declined


def record(undone: wallet_pb2.ReverseResponse, outcome: Outcome, nothing_code: str) -> Declined | None:
    """Fills the outcome; a decline when nothing was given back and `nothing_code` is not 00."""
    if undone.outcome == wallet_pb2.REVERSE_OUTCOME_REVERSED:
        outcome.credit_available, outcome.points_available = undone.credit_available, undone.points_available
        outcome.amount, outcome.discount = undone.amount_reversed, undone.discount_reversed
        outcome.points_earned = -undone.points_taken_back
        return None
    if undone.outcome == wallet_pb2.REVERSE_OUTCOME_EXCEEDS_ORIGINAL:
        return Declined(codes.INVALID_AMOUNT, "more than the original left")
    message = wallet_pb2.ReverseOutcome.Name(undone.outcome).lower()
    if nothing_code != codes.APPROVED:
        return Declined(nothing_code, message)
    outcome.amount, outcome.message = 0, message  # acknowledged; nothing moved
    return None
