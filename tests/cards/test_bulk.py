"""Bulk issuance: 10,000 cards in one call, streamed progress, a 0600 printing file."""

from __future__ import annotations

import os
import pathlib
import stat

import pytest

from services.gen.club.cards.v1 import cards_pb2 as pb
from services.shared.pan import luhn_valid

CARDS = 10_000


@pytest.mark.slow
def test_bulk_issue_ten_thousand_gift_cards(club, stack, terminal):
    product = club.product(kind=pb.CARD_KIND_GIFT, pin_required=False)
    progress = list(club.stub.BulkIssueCards(pb.BulkIssueCardsRequest(
        product_id=product.product_id, campaign="nowruz-1405", count=CARDS, channel="cli"), timeout=300))
    last = progress[-1]
    assert last.done and last.issued == last.total == CARDS and last.batch_id
    assert [p.issued for p in progress[:-1]] == sorted({p.issued for p in progress[:-1]})  # rising
    assert len(progress) >= 10 and all(p.total == CARDS and not p.done for p in progress[:-1])

    path = pathlib.Path(last.printing_file)
    assert path.parent == pathlib.Path(stack.workdir) / "data" / "printing"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    assert len(lines) == CARDS
    rows = [line.split("|") for line in lines]
    pans = [row[1] for row in rows]
    assert len(set(pans)) == CARDS and len({row[0] for row in rows}) == CARDS
    assert all(pan.startswith(product.bin) and luhn_valid(pan) for pan in pans)
    assert all(len(row[3]) == 3 and row[3].isdigit() and len(row[2]) == 4 and row[4] == "101" for row in rows)

    with stack.pg() as conn:
        count = conn.execute("SELECT count(*) FROM cards.cards WHERE batch_id = %s", (last.batch_id,)).fetchone()[0]
        anonymous = conn.execute("SELECT count(*) FROM cards.members m JOIN cards.cards c USING (member_id)"
                                 " WHERE c.batch_id = %s AND m.anonymous", (last.batch_id,)).fetchone()[0]
    assert count == anonymous == CARDS

    # The cards are real: one from the middle of the file can be looked up, activated and used.
    token, pan, expiry, cvv2 = rows[CARDS // 2][:4]
    assert club.stub.GetCard(pb.GetCardRequest(pan=pan)).card_token == token
    assert club.authorize(pan=pan, terminal_id=terminal.terminal_id).response_code == "62"  # issued, not active
    page = club.stub.ListCards(pb.ListCardsRequest(campaign="nowruz-1405", page_size=500))
    assert len(page.cards) == 500 and page.next_page_token


def test_bulk_issue_for_existing_members(club, product):
    members = [club.member() for _ in range(3)]
    progress = list(club.stub.BulkIssueCards(pb.BulkIssueCardsRequest(
        product_id=product.product_id, campaign="staff-2025", member_ids=[m.member_id for m in members])))
    assert progress[-1].done and progress[-1].issued == 3
    for member in members:
        cards = club.stub.ListCards(pb.ListCardsRequest(member_id=member.member_id)).cards
        assert [c.campaign for c in cards] == ["staff-2025"]
