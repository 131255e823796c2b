"""Members, products, cards and terminals through clubctl, checked through the gRPC API; argument
errors and refused calls give a message and a non-zero exit, never a traceback."""

from __future__ import annotations

import csv
import json
import os
import random
import re
import stat

from services.cli import cards as cli_cards
from services.gen.club.cards.v1 import cards_pb2 as pb
from services.gen.club.cards.v1 import cards_pb2_grpc
from tests import harness
from tests.security.conftest import load_script

FULL_PAN = re.compile(r"(?<![0-9*])[0-9]{16}(?![0-9])")


def phone() -> str:
    return "0912" + "".join(random.choice("0123456789") for _ in range(7))


def new_bin() -> str:
    return "9" + "".join(random.choice("0123456789") for _ in range(7))


def cards_stub(stack):
    return cards_pb2_grpc.CardServiceStub(stack.channel("cards"))


def make_product(clubctl, *extra: str) -> dict:
    run = clubctl("--json", "products", "create", "--name", "Club test", "--bin", new_bin(), *extra)
    assert run.code == 0, run.err
    return run.json()


def test_register_a_member_and_issue_a_card_seen_through_the_api(clubctl, cli_stack, tmp_path):
    number = phone()
    member = clubctl("members", "register", "--phone", number, "--first-name", "Sara", "--last-name", "Ahmadi",
                     "--segment", "student", "--consent", "marketing_sms=yes", "--json")
    assert member.code == 0, member.err
    member_id = member.json()["member_id"]
    product = make_product(clubctl)

    printing = tmp_path / "card.csv"
    issued = clubctl("cards", "issue", "--member", member_id, "--product", product["product_id"],
                     "--printing-file", str(printing))
    assert issued.code == 0, issued.err
    rows = list(csv.DictReader(printing.open()))
    pan = rows[0]["pan"]
    assert stat.S_IMODE(os.stat(printing).st_mode) == 0o600
    assert pan not in issued.out + issued.err and not FULL_PAN.search(issued.out + issued.err)
    assert f"{pan[:6]}******{pan[-4:]}" in issued.out

    stub = cards_stub(cli_stack)
    assert stub.GetMember(pb.GetMemberRequest(member_id=member_id)).phone == number
    card = stub.GetCard(pb.GetCardRequest(pan=pan))
    assert card.member_id == member_id and card.status == pb.CARD_STATUS_ISSUED
    assert card.card_token == rows[0]["card_token"]

    listed = clubctl("--json", "cards", "list", "--member", member_id)
    assert [c["card_token"] for c in listed.json()["cards"]] == [card.card_token]
    found = clubctl("members", "list", "--phone", number, "--json")
    assert [m["member_id"] for m in found.json()["members"]] == [member_id]
    updated = clubctl("members", "update", member_id, "--email", "sara@example.org", "--json")
    assert updated.code == 0 and updated.json()["email"] == "sara@example.org"
    assert stub.GetMember(pb.GetMemberRequest(member_id=member_id)).segment == "student"  # untouched


def test_card_lifecycle_through_clubctl(clubctl, cli_stack, tmp_path):
    member_id = clubctl("--json", "members", "register", "--phone", phone(), "--first-name", "Ali").json()["member_id"]
    product = make_product(clubctl)
    terminal_id = "C" + "".join(random.choice("0123456789ABCDEF") for _ in range(7))
    keys = tmp_path / "keys.json"
    registered = clubctl("--json", "terminals", "register", "--terminal", terminal_id, "--merchant", "M123456",
                         "--new-keys", str(keys))
    assert registered.code == 0, registered.err
    assert registered.json()["pin_key_kcv"] and "pin_key" not in registered.json()
    pin_key = json.loads(keys.read_text())["pin_key"]
    assert pin_key not in registered.out + registered.err

    printing = tmp_path / "card.csv"
    clubctl("cards", "issue", "--member", member_id, "--product", product["product_id"], "--printing-file", str(printing))
    row = next(csv.DictReader(printing.open()))
    token, pan = row["card_token"], row["pan"]
    activated = clubctl("--json", "cards", "activate", token, "--pin", "4821", "--pan", pan, "--terminal", terminal_id,
                        "--pin-key", pin_key)
    assert activated.code == 0, activated.err
    assert activated.json()["status"] == "CARD_STATUS_ACTIVE" and activated.json()["pin_set"]
    assert "4821" not in activated.out

    assert clubctl("--json", "cards", "suspend", token).json()["status"] == "CARD_STATUS_SUSPENDED"
    assert clubctl("--json", "cards", "resume", token).json()["status"] == "CARD_STATUS_ACTIVE"
    replaced = clubctl("--json", "cards", "replace", token, "--printing-file", str(tmp_path / "new.csv"))
    assert replaced.code == 0, replaced.err
    new_token = replaced.json()["card_token"]
    assert new_token != token
    events = [e["event"] for e in clubctl("--json", "cards", "events", token).json()["events"]]
    assert events[:4] == ["issued", "activated", "status_changed", "status_changed"] and "replaced" in events
    assert clubctl("--json", "cards", "block", new_token, "--as", "stolen").json()["status"] == "CARD_STATUS_STOLEN"
    shown = clubctl("cards", "get", "--pan", pan)
    assert shown.code == 0 and pan not in shown.out and f"{pan[:6]}******{pan[-4:]}" in shown.out

    blocked = clubctl("--json", "terminals", "block", terminal_id)
    assert blocked.json()["status"] == "TERMINAL_STATUS_BLOCKED"
    listed = clubctl("--json", "terminals", "list", "--merchant", "M123456", "--all").json()["terminals"]
    assert terminal_id in {t["terminal_id"] for t in listed}
    changed = clubctl("--json", "terminals", "keys-change", terminal_id)
    assert changed.code == 0 and changed.json()["key_version"] == registered.json()["key_version"] + 1


def test_bulk_issue_writes_the_printing_csv_and_prints_no_full_pan(clubctl, cli_stack, tmp_path):
    product = make_product(clubctl, "--kind", "gift", "--no-pin-required")
    output = tmp_path / "print" / "gift.csv"
    run = clubctl("cards", "bulk-issue", "--product", product["product_id"], "--count", "25", "--campaign",
                  "cli-gift", "--output", str(output))
    assert run.code == 0, run.err
    rows = list(csv.DictReader(output.open()))
    assert len(rows) == 25 and len({r["pan"] for r in rows}) == 25
    assert all(r["pan"].startswith(product["bin"]) and len(r["cvv2"]) == 3 for r in rows)
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600
    console = run.out + run.err
    assert not any(r["pan"] in console for r in rows) and not FULL_PAN.search(console)
    assert "issued 25 cards" in run.out and "******" in run.out
    stub = cards_stub(cli_stack)
    assert stub.GetCard(pb.GetCardRequest(pan=rows[7]["pan"])).card_token == rows[7]["card_token"]


def test_bad_arguments_exit_non_zero_naming_the_argument(clubctl):
    run = clubctl("wallet", "topup", "m-1", "12.5")
    assert run.code == 2 and "amount" in run.err and "12.5" in run.err
    run = clubctl("offers", "create", "--name", "x", "--percent", "10%", "--fund", "bank=lots")
    assert run.code == 2 and "--fund" in run.err and "bank=lots" in run.err
    run = clubctl("cards", "block", "ct_x", "--as", "melted")
    assert run.code == 2 and "--as" in run.err and "melted" in run.err
    run = clubctl("members", "register", "--first-name", "NoPhone")
    assert run.code == 2 and "--phone" in run.err
    run = clubctl("merchants", "create", "M1", "--name", "x", "--mcc", "5411", "--beneficiary", "IR00123")
    assert run.code == 2 and "--beneficiary" in run.err and "IBAN" in run.err
    # The service's own refusal names the field too, with its gRPC status.
    run = clubctl("products", "create", "--name", "Bad", "--bin", "12")
    assert run.code == 1 and "INVALID_ARGUMENT" in run.err and "bin" in run.err
    assert all("Traceback" not in r for r in (run.err, run.out))


def test_a_call_without_a_token_is_refused_with_a_clear_message(clubctl):
    run = clubctl("members", "list", token=None)
    assert run.code == 1
    assert "UNAUTHENTICATED" in run.err and "no token" in run.err and "CLUB_TOKEN" in run.err
    assert "Traceback" not in run.err and run.out == ""
    run = clubctl("members", "list", token="not-a-jwt")
    assert run.code == 1 and "UNAUTHENTICATED" in run.err and "invalid token" in run.err


def test_an_auditor_token_may_read_but_not_change(clubctl, cli_stack):
    auditor = cli_stack.token("auditor")
    assert clubctl("members", "list", "--page-size", "1", token=auditor).code == 0
    run = clubctl("members", "register", "--phone", phone(), "--first-name", "Ali", token=auditor)
    assert run.code == 1 and "PERMISSION_DENIED" in run.err


def test_token_issue_makes_a_token_the_services_accept(clubctl, monkeypatch):
    monkeypatch.setenv("CLUB_AUTH_SECRET", harness.TEST_AUTH_SECRET)
    monkeypatch.setenv("CLUB_ENV", "test")
    issued = clubctl("token", "issue", "--role", "operator", "--subject", "ops-on-call", token=None)
    assert issued.code == 0, issued.err
    token = issued.out.strip()
    assert clubctl("products", "list", token=token).code == 0
    wrong = clubctl("token", "issue", "--role", "merchant", "--subject", "shop", token=None)
    assert wrong.code == 2 and "merchant_id" in wrong.err


def test_an_unreachable_service_is_a_message_not_a_traceback(clubctl):
    run = clubctl("--cards-addr", "127.0.0.1:1", "--timeout", "2", "members", "get", "x")
    assert run.code == 1 and "UNAVAILABLE" in run.err and "127.0.0.1:1" in run.err and "Traceback" not in run.err


def test_bulk_issue_without_the_servers_file_lists_masked_cards(clubctl, monkeypatch, tmp_path):
    """When the printing file is on another machine, the CSV is built from the card listing (masked)."""
    monkeypatch.setattr(cli_cards, "_read_printing_file", lambda path: None)
    product = make_product(clubctl, "--kind", "gift", "--no-pin-required")
    output = tmp_path / "remote.csv"
    run = clubctl("cards", "bulk-issue", "--product", product["product_id"], "--count", "3", "--output", str(output))
    assert run.code == 0, run.err
    rows = list(csv.DictReader(output.open()))
    assert len(rows) == 3 and all("******" in r["pan"] and not r["cvv2"] for r in rows)
    assert "not readable here" in run.err


def test_mtls_with_the_cli_certificate(clubctl, isolated_stack, tmp_path):
    certs = tmp_path / "certs"
    load_script("make_certs").write_bundle(certs)
    secured = isolated_stack(CLUB_TLS_DIR=str(certs))
    address = secured.address("cards")
    token = secured.token("operator")
    run = clubctl("--tls-dir", str(certs), "--cards-addr", address, "--json", "members", "register", "--phone", phone(),
                  "--first-name", "Tina", token=token)
    assert run.code == 0, run.err
    plain = clubctl("--cards-addr", address, "--timeout", "3", "members", "list", token=token)
    assert plain.code == 1 and "UNAVAILABLE" in plain.err
    missing = clubctl("--tls-dir", str(tmp_path / "nowhere"), "--cards-addr", address, "members", "list", token=token)
    assert missing.code == 2 and "CLUB_TLS_DIR" in missing.err and "ca.pem" in missing.err
