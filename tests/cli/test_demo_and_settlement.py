"""The demo seed makes a usable club (cards that can be looked up, credit, points, offers);
settlement closes a batch and writes a merchant's statement as CSV and as HTML."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import stat
import uuid

import grpc

from services.gen.club.cards.v1 import cards_pb2 as cpb
from services.gen.club.cards.v1 import cards_pb2_grpc
from services.gen.club.crm.v1 import crm_pb2 as rpb
from services.gen.club.crm.v1 import crm_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2 as tpb
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from services.tasheem import iban

FULL_PAN = re.compile(r"(?<![0-9*])[0-9]{16}(?![0-9])")


def an_iban() -> str:
    return iban.with_check_digits("".join(random.choice("0123456789") for _ in range(22)))


def test_demo_seed_writes_cards_that_can_be_looked_up(clubctl, cli_stack, tmp_path):
    output = tmp_path / "demo.json"
    run = clubctl("demo", "seed", "--output", str(output))
    assert run.code == 0, run.err
    data = json.loads(output.read_text())
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600
    assert len(data["cards"]) == 5 and len(data["terminals"]) == 3 and len(data["merchants"]) == 3
    console = run.out + run.err
    assert not FULL_PAN.search(console) and all(card["pin"] not in console.split() for card in data["cards"])
    assert all(t["pin_key"] not in console and t["mac_key"] not in console for t in data["terminals"])

    cards = cards_pb2_grpc.CardServiceStub(cli_stack.channel("cards"))
    wallet = wallet_pb2_grpc.WalletServiceStub(cli_stack.channel("wallet"))
    for entry in data["cards"]:
        assert len(entry["pin"]) == 4 and entry["pin"].isdigit() and len(entry["expiry"]) == 4
        card = cards.GetCard(cpb.GetCardRequest(pan=entry["pan"]))
        assert card.card_token == entry["card_token"] and card.member_id == entry["member_id"]
        assert card.status == cpb.CARD_STATUS_ACTIVE and card.pin_set
        balances = wallet.GetMemberBalances(wpb.GetMemberBalancesRequest(member_id=entry["member_id"]))
        assert balances.credit_available == entry["credit"] > 0 and balances.points_available == entry["points"] > 0
    for terminal in data["terminals"]:
        assert len(terminal["pin_key"]) == len(terminal["mac_key"]) == 32
        assert cards.GetTerminal(cpb.GetTerminalRequest(terminal_id=terminal["terminal_id"])).merchant_id == \
            terminal["merchant_id"]
    tasheem = tasheem_pb2_grpc.TasheemServiceStub(cli_stack.channel("tasheem"))
    shared = tasheem.GetOffer(tpb.GetOfferRequest(offer_id=data["offers"][0]["offer_id"]))
    assert {f.party_id for f in shared.funding} == {"bank", "club", "demo-partner"} and shared.active
    merchant = tasheem.GetMerchant(tpb.GetMerchantRequest(merchant_id=data["merchants"][0]["merchant_id"]))
    assert len(merchant.beneficiaries) == 2
    crm = crm_pb2_grpc.CrmServiceStub(cli_stack.channel("crm"))
    event = crm.GetEvent(rpb.GetEventRequest(event_id=data["club_life"]["event_id"]))
    assert (event.invited, event.points_price, event.title) == (5, 100, "شب یلدای باشگاه")
    survey = crm.GetSurvey(rpb.GetSurveyRequest(survey_id=data["club_life"]["survey_id"]))
    assert survey.after_event_id == event.event_id and len(survey.questions) == 2

    again = clubctl("--json", "demo", "seed", "--output", str(tmp_path / "demo2.json"), "--members", "2")
    assert again.code == 0, again.err
    assert again.json()["run"] != data["run"] and len(again.json()["cards"]) == 2


def test_merchants_offers_wallet_and_settlement_statement(clubctl, cli_stack, tmp_path):
    merchant_id = "S" + uuid.uuid4().hex[:8].upper()
    owner, partner = an_iban(), an_iban()
    made = clubctl("--json", "merchants", "create", merchant_id, "--name", "نان سنگک", "--mcc", "5462",
                   "--beneficiary", f"{owner}=70%:remainder:مالک", "--beneficiary", f"{partner}=30%:شریک")
    assert [b["ratio_bp"] for b in made.json()["beneficiaries"]] == [7000, 3000]
    shown = clubctl("--json", "merchants", "beneficiaries", merchant_id).json()["beneficiaries"]
    assert [(b["iban"], b["remainder"]) for b in shown] == [(owner, True), (partner, False)]
    assert merchant_id in clubctl("merchants", "list", "--all").out

    listed = clubctl("--json", "parties", "list").json()["parties"]
    if "cli-partner" not in {p["party_id"] for p in listed}:
        assert clubctl("parties", "create", "cli-partner", "--name", "شریک").code == 0
    offer = clubctl("--json", "offers", "create", "--name", "ده درصد", "--percent", "10%", "--merchant", merchant_id,
                    "--fund", "bank=40%", "--fund", "cli-partner=30%", "--fund", "merchant=30%:remainder").json()
    assert {f["party_id"]: f["percent_bp"] for f in offer["funding"]} == {"bank": 4000, "cli-partner": 3000,
                                                                          "merchant": 3000}
    assert clubctl("--json", "offers", "deactivate", offer["offer_id"]).json()["active"] is False
    assert clubctl("--json", "offers", "activate", offer["offer_id"]).json()["active"] is True
    listed = clubctl("--json", "offers", "list", "--merchant", merchant_id).json()["offers"]
    assert offer["offer_id"] in {o["offer_id"] for o in listed}

    member_id = clubctl("--json", "members", "register", "--phone", "0935" + str(random.randint(1000000, 9999999)),
                        "--first-name", "Reza").json()["member_id"]
    topped = clubctl("--json", "wallet", "topup", member_id, "5,000,000", "--id", f"t-{member_id}").json()
    assert topped["result"] == "TRANSFER_RESULT_OK" and topped["balances"]["credit_available"] == 5_000_000
    again = clubctl("--json", "wallet", "topup", member_id, "5000000", "--id", f"t-{member_id}").json()
    assert again["result"] == "TRANSFER_RESULT_EXISTS" and again["balances"]["credit_available"] == 5_000_000
    assert clubctl("--json", "wallet", "points-adjust", member_id, "300").json()["balances"]["points_available"] == 300
    assert clubctl("--json", "wallet", "credit-limit", member_id, "1000000").json()["credit_available"] == 6_000_000
    assert clubctl("--json", "wallet", "withdraw", member_id, "1000000").json()["balances"]["credit_available"] == \
        5_000_000
    history = clubctl("--json", "wallet", "history", member_id).json()["transfers"]
    assert {t["code"] for t in history} == {"TRANSFER_CODE_TOPUP", "TRANSFER_CODE_WITHDRAWAL"}
    assert all(isinstance(t["amount"], int) for t in history)

    # A purchase as the switch posts it (quote, then the wallet), so the batch has something to settle.
    tasheem = tasheem_pb2_grpc.TasheemServiceStub(cli_stack.channel("tasheem"))
    wallet = wallet_pb2_grpc.WalletServiceStub(cli_stack.channel("wallet"))
    transaction_id = f"cli-tx-{uuid.uuid4().hex[:10]}"
    quoted = tasheem.Quote(tpb.QuoteRequest(transaction_id=transaction_id, merchant_id=merchant_id, amount=1_000_000,
                                            member_id=member_id, reserve=True))
    assert quoted.discount == 100_000
    reply = wallet.Purchase(wpb.PurchaseRequest(
        transaction_id=transaction_id, member_id=member_id, merchant_id=merchant_id, amount=1_000_000,
        discount=quoted.discount, points_earned=quoted.points_earned,
        funding=[wpb.FundingShare(party_id=f.party_id, amount=f.amount) for f in quoted.funding]))
    assert reply.outcome == wpb.PURCHASE_OUTCOME_APPROVED

    try:
        wallet.OpenAccount(wpb.OpenAccountRequest(account_id="club:settlement_clearing", unit=wpb.UNIT_IRR,
                                                  kind=wpb.ACCOUNT_KIND_SETTLEMENT_CLEARING, owner_id="club"))
    except grpc.RpcError as exc:
        assert exc.code() == grpc.StatusCode.ALREADY_EXISTS

    closed = clubctl("--json", "settlement", "close", "--cutoff", "now", "--timeout", "120")
    batch = closed.json()
    assert batch["status"] == "BATCH_STATUS_RECONCILED"
    ours = [m for m in batch["merchants"] if m["merchant_id"] == merchant_id]
    assert ours and ours[0]["net_payable"] == 1_000_000 - 30_000  # the merchant bears 30% of the discount
    assert batch["batch_id"] in clubctl("settlement", "list", "--all").out

    csv_path, html_path = tmp_path / "out" / "statement.csv", tmp_path / "statement.html"
    run = clubctl("settlement", "statement", "--merchant", merchant_id, "--output", str(csv_path))
    assert run.code == 0, run.err
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert ["statement", "merchant_id", "", "", "", "", merchant_id] in rows
    assert ["figure", "net_payable", "", "", "", "970000", ""] in rows
    run = clubctl("settlement", "statement", "--merchant", merchant_id, "--batch", batch["batch_id"],
                  "--output", str(html_path))
    assert run.code == 0, run.err
    page = html_path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<table" in page and merchant_id in page
    run = clubctl("settlement", "statement", "--merchant", merchant_id, "--output-dir", str(tmp_path / "docs"))
    assert run.code == 0, run.err
    assert sorted(path.suffix for path in (tmp_path / "docs").iterdir()) == [".csv", ".html", ".pdf"]
    assert next((tmp_path / "docs").glob("*.pdf")).read_bytes().startswith(b"%PDF-")
    wrong = clubctl("settlement", "statement", "--merchant", merchant_id, "--output", str(tmp_path / "s.txt"))
    assert wrong.code == 2 and "--output" in wrong.err
