"""clubctl events against the real crm, cards and wallet: create, list, invite with progress, rsvp,
the waitlist, cancel-rsvp with promotion, a check-in code and its QR file, checkin (once), attendees."""

from __future__ import annotations

import datetime as dt

import pytest

from services.gen.club.cards.v1 import cards_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from tests.crm.helpers import a_member


@pytest.fixture
def events_cli(clubctl, cli_stack, monkeypatch):
    monkeypatch.setenv("CLUB_CRM_ADDR", cli_stack.address("crm"))
    return clubctl


def test_an_event_from_creation_to_the_door(events_cli, cli_stack, tmp_path):
    cards = cards_pb2_grpc.CardServiceStub(cli_stack.channel("cards"))
    wallet = wallet_pb2_grpc.WalletServiceStub(cli_stack.channel("wallet"))
    first, second = a_member(cards, wallet, 500, "gold"), a_member(cards, wallet, 500, "silver")
    starts = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    created = events_cli("--json", "events", "create", "--title", "شب موسیقی", "--venue", "تالار وحدت",
                         "--starts", f"{starts}T19:00", "--ends", f"{starts}T22:00",
                         "--rsvp-deadline", f"{starts}T12:00", "--capacity", "1", "--points", "200").json()
    event_id = created["event_id"]
    assert created["starts_local"] == f"{starts}T19:00:00+03:30"
    listed = events_cli("events", "list")
    assert listed.code == 0 and event_id in listed.out

    invited = events_cli("--json", "events", "invite", event_id, "--member", first, "--member", second).json()
    assert invited["invited"] == 2 and invited["done"]
    assert events_cli("events", "invite", event_id).code == 2  # no audience

    assert events_cli("--json", "events", "rsvp", event_id, first).json()["state"] == "INVITATION_STATE_ACCEPTED"
    waiting = events_cli("events", "rsvp", event_id, second)
    assert waiting.code == 0 and "waitlist position 1" in waiting.out
    promoted = events_cli("events", "cancel-rsvp", event_id, first)
    assert promoted.code == 0 and f"promoted from the waitlist: {second}" in promoted.out

    qr = tmp_path / "ticket.png"
    code = events_cli("--json", "events", "code", event_id, second, "--qr", str(qr)).json()["code"]
    assert qr.read_bytes().startswith(b"\x89PNG")
    assert events_cli("events", "checkin", event_id, code, "--member", second).code == 0
    again = events_cli("events", "checkin", event_id, code)
    assert again.code == 1 and "already used" in again.err

    attendees = events_cli("--json", "events", "attendees", event_id, "--state", "accepted").json()["invitations"]
    assert [a["member_id"] for a in attendees] == [second] and attendees[0]["checked_in_at"]
    attendance = events_cli("--json", "events", "attendance", second).json()["attended"]
    assert [a["event_id"] for a in attendance] == [event_id]
