"""The card lifecycle, declared as data.

    issued --activate--> active <--suspend/resume--> suspended
    issued | active | suspended --> lost | stolen | expired | closed   (final)

Activation is its own RPC (it sets the PIN); every other move goes through ChangeCardStatus.
A replacement closes the old card when it is still live; a lost, stolen or expired card keeps
its final status and only gains `replaced_by`.
"""

from __future__ import annotations

from services.gen.club.cards.v1 import cards_pb2 as pb
from services.shared.errors import FailedPrecondition

ISSUED, ACTIVE, SUSPENDED, LOST, STOLEN, EXPIRED, CLOSED = (
    "issued", "active", "suspended", "lost", "stolen", "expired", "closed")

STATUS_TO_PROTO = {
    ISSUED: pb.CARD_STATUS_ISSUED, ACTIVE: pb.CARD_STATUS_ACTIVE, SUSPENDED: pb.CARD_STATUS_SUSPENDED,
    LOST: pb.CARD_STATUS_LOST, STOLEN: pb.CARD_STATUS_STOLEN, EXPIRED: pb.CARD_STATUS_EXPIRED,
    CLOSED: pb.CARD_STATUS_CLOSED,
}
STATUS_FROM_PROTO = {value: name for name, value in STATUS_TO_PROTO.items()}

FINAL = frozenset({LOST, STOLEN, EXPIRED, CLOSED})

# Events recorded in card_events.
ISSUED_EVENT, ACTIVATED, STATUS_CHANGED, PIN_CHANGED, PIN_TRIES_RESET, REPLACED = (
    "issued", "activated", "status_changed", "pin_changed", "pin_tries_reset", "replaced")

# (from, to) -> the only event that may make that move.
TRANSITIONS: dict[tuple[str, str], str] = {
    (ISSUED, ACTIVE): ACTIVATED,
    (ACTIVE, SUSPENDED): STATUS_CHANGED,
    (SUSPENDED, ACTIVE): STATUS_CHANGED,
    **{(live, final): STATUS_CHANGED for live in (ISSUED, ACTIVE, SUSPENDED) for final in FINAL},
}

# Cards a replacement closes (their status becomes closed); final ones keep their status.
CLOSED_ON_REPLACE = frozenset({ISSUED, ACTIVE, SUSPENDED})
REPLACEABLE = frozenset({ISSUED, ACTIVE, SUSPENDED, LOST, STOLEN, EXPIRED})

# What a member may do to her own card (a member token): block it as lost or stolen. Both are
# final, so a member can never unblock; suspending, resuming and closing stay the club's.
MEMBER_BLOCKS = frozenset({LOST, STOLEN})

# The statuses a card may transact in; the others answer 62 (restricted) or 54 (expired).
TRANSACTING = frozenset({ACTIVE})

assert all(source not in FINAL for source, _ in TRANSITIONS), "final statuses have no way out"
assert MEMBER_BLOCKS <= FINAL, "a member's block cannot be undone"
assert set(STATUS_TO_PROTO) == {s for pair in TRANSITIONS for s in pair}


class IllegalTransition(FailedPrecondition):
    """FAILED_PRECONDITION with a message saying what is allowed instead."""

    def __init__(self, source: str, target: str, event: str):
        allowed = TRANSITIONS.get((source, target))
        if source in FINAL:
            why = f"{source} is final"
        elif allowed and allowed != event:
            why = f"use {allowed_rpc(allowed)} for that"
        elif source == target:
            why = f"the card is already {source}"
        else:
            why = f"allowed from {source}: {', '.join(targets(source)) or 'nothing'}"
        super().__init__(f"a card cannot go from {source} to {target} ({why})")


def allowed_rpc(event: str) -> str:
    return {ACTIVATED: "ActivateCard", STATUS_CHANGED: "ChangeCardStatus"}[event]


def targets(source: str, event: str = STATUS_CHANGED) -> list[str]:
    return [target for (src, target), ev in TRANSITIONS.items() if src == source and ev == event]


def check(source: str, target: str, event: str) -> None:
    """Raise IllegalTransition unless `event` may move a card from `source` to `target`."""
    if TRANSITIONS.get((source, target)) != event:
        raise IllegalTransition(source, target, event)
