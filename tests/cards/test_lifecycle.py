"""The card lifecycle: every move, legal and illegal, and the audit trail it leaves."""

from __future__ import annotations

import itertools

import grpc
import pytest

from services.gen.club.cards.v1 import cards_pb2 as pb
from tests.cards.helpers import PIN, rpc_error, zone_block_0

S = pb.CardStatus
ISSUED, ACTIVE, SUSPENDED, LOST, STOLEN, EXPIRED, CLOSED = (
    S.CARD_STATUS_ISSUED, S.CARD_STATUS_ACTIVE, S.CARD_STATUS_SUSPENDED, S.CARD_STATUS_LOST, S.CARD_STATUS_STOLEN,
    S.CARD_STATUS_EXPIRED, S.CARD_STATUS_CLOSED)
ALL = (ISSUED, ACTIVE, SUSPENDED, LOST, STOLEN, EXPIRED, CLOSED)
FINAL = (LOST, STOLEN, EXPIRED, CLOSED)

# What ChangeCardStatus may do, written out by hand (issued -> active is ActivateCard's alone).
LEGAL_STATUS_CHANGES = {
    (ACTIVE, SUSPENDED), (SUSPENDED, ACTIVE),
    *((live, final) for live in (ISSUED, ACTIVE, SUSPENDED) for final in FINAL),
}


def card_in(club, product, status: int) -> pb.IssueCardResponse:
    """A card brought to `status` along legal moves."""
    issued = club.issue(product)
    token = issued.card.card_token
    if status == ISSUED:
        return issued
    club.stub.ActivateCard(pb.ActivateCardRequest(card_token=token, pin=zone_block_0(PIN, issued.pan)))
    if status == SUSPENDED:
        club.status(token, SUSPENDED)
    elif status in FINAL:
        club.status(token, status)
    return issued


@pytest.mark.parametrize(("source", "target"), list(itertools.product(ALL, ALL)),
                         ids=lambda s: pb.CardStatus.Name(s).removeprefix("CARD_STATUS_").lower())
def test_change_card_status_follows_the_lifecycle_table(club, product, source, target):
    issued = card_in(club, product, source)
    token = issued.card.card_token
    if (source, target) in LEGAL_STATUS_CHANGES:
        card = club.status(token, target, reason="fraud_suspected")
        assert card.status == target
        assert club.stub.GetCard(pb.GetCardRequest(card_token=token)).status == target
        last = club.stub.ListCardEvents(pb.ListCardEventsRequest(card_token=token)).events[-1]
        assert (last.from_status, last.to_status, last.event, last.reason_code, last.channel) == (
            source, target, "status_changed", "fraud_suspected", "web")
    else:
        error = rpc_error(club.status, token, target)
        assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "cannot go from" in error.details()
        assert club.stub.GetCard(pb.GetCardRequest(card_token=token)).status == source


def test_final_and_activation_refusals_explain_themselves(club, product):
    issued = card_in(club, product, ISSUED)
    error = rpc_error(club.status, issued.card.card_token, ACTIVE)
    assert "ActivateCard" in error.details()
    lost = card_in(club, product, LOST)
    error = rpc_error(club.status, lost.card.card_token, ACTIVE)
    assert "lost is final" in error.details()


@pytest.mark.parametrize("source", [ACTIVE, SUSPENDED, LOST, STOLEN, EXPIRED, CLOSED])
def test_activation_only_from_issued(club, product, source):
    issued = card_in(club, product, source)
    error = rpc_error(club.stub.ActivateCard, pb.ActivateCardRequest(
        card_token=issued.card.card_token, pin=zone_block_0(PIN, issued.pan)))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_activation_sets_the_pin_and_records_actor_from_metadata(club, product):
    issued = club.issue(product)
    token = issued.card.card_token
    card = club.stub.ActivateCard(pb.ActivateCardRequest(card_token=token, pin=zone_block_0(PIN, issued.pan),
                                                         channel="branch"), metadata=[("x-actor", "clerk-17")])
    assert card.status == ACTIVE and card.pin_set and card.pin_tries == 0
    events = club.stub.ListCardEvents(pb.ListCardEventsRequest(card_token=token)).events
    assert [(e.event, e.to_status, e.actor) for e in events] == [("issued", ISSUED, "branch"),
                                                                 ("activated", ACTIVE, "clerk-17")]


@pytest.mark.parametrize(("source", "old_after"), [(ISSUED, CLOSED), (ACTIVE, CLOSED), (SUSPENDED, CLOSED),
                                                   (LOST, LOST), (STOLEN, STOLEN), (EXPIRED, EXPIRED)])
def test_replace_issues_a_new_pan_for_the_same_member(club, product, source, old_after):
    old = card_in(club, product, source)
    token = old.card.card_token
    new = club.stub.ReplaceCard(pb.ReplaceCardRequest(card_token=token, reason_code="damaged", channel="branch"))
    assert new.pan != old.pan and new.card.card_token != token
    assert new.card.member_id == old.card.member_id and new.card.product_id == old.card.product_id
    assert new.card.status == ISSUED and len(new.cvv2) == 3
    after = club.stub.GetCard(pb.GetCardRequest(card_token=token))
    assert after.status == old_after and after.replaced_by == new.card.card_token
    assert club.stub.ListCardEvents(pb.ListCardEventsRequest(card_token=token)).events[-1].event == "replaced"
    error = rpc_error(club.stub.ReplaceCard, pb.ReplaceCardRequest(card_token=token, reason_code="damaged"))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and "already replaced" in error.details()


def test_a_closed_card_cannot_be_replaced(club, product):
    closed = card_in(club, product, CLOSED)
    error = rpc_error(club.stub.ReplaceCard, pb.ReplaceCardRequest(card_token=closed.card.card_token,
                                                                   reason_code="damaged"))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_events_page_through(club, product):
    issued = card_in(club, product, ACTIVE)
    token = issued.card.card_token
    for _ in range(2):
        club.status(token, SUSPENDED)
        club.status(token, ACTIVE)
    seen, page_token = [], ""
    while True:
        page = club.stub.ListCardEvents(pb.ListCardEventsRequest(card_token=token, page_size=2, page_token=page_token))
        seen += [e.event for e in page.events]
        page_token = page.next_page_token
        if not page_token:
            break
    assert seen == ["issued", "activated"] + ["status_changed"] * 4
