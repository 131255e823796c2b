"""clubctl announce against the real crm and cards: preview with Persian variables, an unknown
variable refused, send to named members with progress, status until delivered, messages, inbox."""

from __future__ import annotations

import pytest

from services.gen.club.cards.v1 import cards_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from tests.crm.gateways import wait_for
from tests.crm.helpers import a_member


@pytest.fixture
def announce_cli(clubctl, cli_stack, monkeypatch):
    monkeypatch.setenv("CLUB_CRM_ADDR", cli_stack.address("crm"))
    return clubctl


def test_preview_send_and_follow_an_announcement(announce_cli, cli_stack):
    cards = cards_pb2_grpc.CardServiceStub(cli_stack.channel("cards"))
    wallet = wallet_pb2_grpc.WalletServiceStub(cli_stack.channel("wallet"))
    member = a_member(cards, wallet)

    preview = announce_cli("announce", "preview", "--template", "{name} عزیز، {gift} هدیه تا {until}",
                           "--member", member, "--rials", "gift=500000", "--date", "until=2026-03-21")
    assert preview.code == 0, preview.err
    assert "۵۰۰٬۰۰۰ ریال هدیه تا ۱ فروردین" in preview.out and "1 SMS part" in preview.out
    unknown = announce_cli("announce", "preview", "--template", "سلام {nam}")
    assert unknown.code == 1 and "unknown variables: nam" in unknown.err
    assert announce_cli("announce", "send", "--template", "x", "--channel", "inbox").code == 2  # no audience

    sent = announce_cli("--json", "announce", "send", "--template", "{name} عزیز، خوش آمدید", "--subject", "خوش آمدید",
                        "--channel", "inbox", "--member", member).json()
    assert sent["done"] and sent["queued"] == 1 and sent["total"] == 1
    announcement = sent["announcement_id"]

    def delivered():
        status = announce_cli("--json", "announce", "status", announcement).json()
        return status if status["messages"] == [{"state": "DELIVERY_STATE_SENT", "count": 1}] else None

    wait_for(delivered, what="the announcement delivered")
    text = announce_cli("announce", "status", announcement)
    assert text.code == 0 and "sent     1" in text.out
    messages = announce_cli("--json", "announce", "messages", "--announcement", announcement).json()["messages"]
    assert [(m["member_id"], m["channel"]) for m in messages] == [(member, "CHANNEL_INBOX")]
    inbox = announce_cli("--json", "announce", "inbox", member).json()
    assert inbox["unread"] == 1 and inbox["messages"][0]["body"] == "Sara عزیز، خوش آمدید"
