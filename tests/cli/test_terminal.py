"""The ISO 8583 terminal simulator: messages as the wire contract says (checked with the switch's
own codec), and, when the switch is in this tree, real purchases, refunds, pre-authorizations,
completions and reversals against a stack with the switch."""

from __future__ import annotations

import json
import re
import warnings

import iso8583
import pytest
from cryptography.utils import CryptographyDeprecationWarning
from psec import des, pinblock

from services.cli import pins, terminal
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from services.switch.iso import codec, fields, mac, spec
from tests import harness
from tests.cli.conftest import needs_switch

PAN = "9123456789012345"
FULL_PAN = re.compile(r"(?<![0-9*])[0-9]{16}(?![0-9])")


def _terminal(mac_key=True) -> terminal.Terminal:
    return terminal.Terminal("T1234567", "M100", pins.new_key(), pins.new_key() if mac_key else None)


def test_a_purchase_message_follows_the_wire_contract():
    term = _terminal()
    message = terminal._base("0200", term, "000042")
    message.update({"3": "000000", "4": f"{250_000:012d}"})
    terminal._card_fields(message, terminal.Card(PAN, "2812", "4821"), term)
    frame = codec.encode(message, term.mac_key)
    decoded, _ = iso8583.decode(frame, spec.SPEC)
    fields.check(decoded)  # the switch's own content rules
    assert decoded["t"] == "0200" and decoded["4"] == "000000250000" and decoded["42"] == "M100".ljust(15)
    assert decoded["22"] == "021" and decoded["49"] == "364" and "64" in decoded and "128" not in decoded
    assert mac.verify(term.mac_key, frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        clear = des.decrypt_tdes_ecb(term.pin_key, bytes.fromhex(decoded["52"]))
    assert pinblock.decode_pinblock_iso_0(clear, PAN) == "4821"


def test_a_reversal_carries_field_90_95_and_its_mac_in_128():
    term = _terminal()
    message = terminal._base("0400", term, "000043")
    original = {"mti": "0200", "stan": "000042", "transmitted": "0321101500", "amount": 250_000}
    message.update({"3": "000000", "4": f"{250_000:012d}", "90": terminal._field_90(original),
                    "95": f"{100_000:012d}".ljust(42, "0")})
    frame = codec.encode(message, term.mac_key)
    decoded, _ = iso8583.decode(frame, spec.SPEC)
    fields.check(decoded)
    assert decoded["90"] == "0200" + "000042" + "0321101500" + "0" * 22
    assert fields.replacement_amount(decoded["95"]) == 100_000
    assert "128" in decoded and "64" not in decoded and mac.verify(term.mac_key, frame)
    assert "64" not in iso8583.decode(codec.encode(message, None), spec.SPEC)[0]


def test_field_54_is_read_into_named_balances():
    value = fields.additional_amounts([
        fields.AdditionalAmount("00", "02", "364", 4_750_000), fields.AdditionalAmount("90", "02", "000", 1_200),
        fields.AdditionalAmount("00", "41", "364", 25_000), fields.AdditionalAmount("90", "42", "000", 47)])
    read = terminal.additional_amounts(value)
    assert (read["credit_available"], read["points_balance"], read["discount_applied"], read["points_earned"]) == \
        (4_750_000, 1_200, 25_000, 47)


# ---- against a running switch ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def iso_stack(cli_stack):
    needs_switch()
    cli_stack.start(*harness.available_services())
    return cli_stack


@pytest.fixture
def sim(clubctl, iso_stack, tmp_path):
    """clubctl terminal ... against the stack's ISO port, with a journal of its own."""
    journal = tmp_path / "journal.json"

    def run(command: str, *args: str):
        return clubctl("--json", "terminal", command, "--iso-addr", f"127.0.0.1:{iso_stack.iso_port}",
                       "--journal", str(journal), *args)

    return run


@pytest.fixture
def demo(clubctl, iso_stack, tmp_path):
    path = tmp_path / "demo.json"
    seeded = clubctl("demo", "seed", "--output", str(path))
    assert seeded.code == 0, seeded.err
    return str(path), json.loads(path.read_text())


def balances(stack, member_id: str) -> wpb.MemberBalances:
    wallet = wallet_pb2_grpc.WalletServiceStub(stack.channel("wallet"))
    return wallet.GetMemberBalances(wpb.GetMemberBalancesRequest(member_id=member_id))


def test_echo_and_sign_on(sim, demo):
    path, _ = demo
    for command in ("echo", "signon", "signoff"):
        run = sim(command, "--demo", path, "--terminal", "1")
        assert run.code == 0, run.err
        assert run.json()["response"]["mti"] == "0810" and run.json()["response"]["response_code"] == "00"


def test_purchase_with_offer_then_refund(sim, demo, iso_stack, clubctl):
    path, data = demo
    card = data["cards"][0]
    before = balances(iso_stack, card["member_id"])
    run = sim("purchase", "--demo", path, "--card", "0", "--terminal", "0", "--amount", "1000000")
    assert run.code == 0, run.err
    answer = run.json()["response"]
    assert answer["response_code"] == "00" and answer["meaning"] == "approved" and answer["rrn"]
    assert answer["discount_applied"] == 150_000  # 15% demo offer
    assert answer["credit_available"] == before.credit_available - 850_000
    assert answer["mac"] == "verified" and run.json()["request"]["pin_block"] == "sent"
    assert answer["points_earned"] >= 500  # the bonus offer at the first merchant
    assert not FULL_PAN.search(run.out + run.err) and card["pin"] not in run.out.split()
    assert balances(iso_stack, card["member_id"]).credit_available == answer["credit_available"]

    refund = sim("refund", "--demo", path, "--card", "0", "--terminal", "0", "--amount", "400000", "--last")
    assert refund.code == 0, refund.err
    assert refund.json()["request"]["processing_code"] == "200000"
    assert balances(iso_stack, card["member_id"]).credit_available > answer["credit_available"]

    journal = clubctl("--json", "transactions", "list", "--terminal", data["terminals"][0]["terminal_id"])
    rows = journal.json()["transactions"]
    assert {"TRANSACTION_TYPE_PURCHASE", "TRANSACTION_TYPE_REFUND"} <= {t["type"] for t in rows}
    assert all("*" in t["masked_pan"] for t in rows) and not FULL_PAN.search(journal.out)

    text = sim("balance", "--demo", path, "--card", "0", "--terminal", "0")
    assert text.code == 0 and text.json()["response"]["credit_available"] == \
        balances(iso_stack, card["member_id"]).credit_available


def test_wrong_pin_is_declined_with_exit_3(sim, demo):
    path, data = demo
    wrong = "1111" if data["cards"][1]["pin"] != "1111" else "2222"
    run = sim("purchase", "--demo", path, "--card", "1", "--terminal", "2", "--amount", "10000", "--pin", wrong)
    assert run.code == terminal.EXIT_DECLINED
    answer = json.loads(run.out)["response"]
    assert answer["response_code"] == "55" and answer["meaning"] == "incorrect PIN" and not answer["approved"]


def test_preauth_completion_and_reversal(sim, demo, iso_stack):
    path, data = demo
    card = data["cards"][2]
    start = balances(iso_stack, card["member_id"]).credit_available
    held = sim("preauth", "--demo", path, "--card", "2", "--terminal", "1", "--amount", "300000")
    assert held.code == 0, held.err
    done = sim("complete", "--demo", path, "--card", "2", "--terminal", "1", "--amount", "200000", "--last")
    assert done.code == 0, done.err
    assert done.json()["request"]["original_data"].startswith("0100" + held.json()["request"]["stan"])
    after_completion = balances(iso_stack, card["member_id"]).credit_available
    assert after_completion < start

    bought = sim("purchase", "--demo", path, "--card", "2", "--terminal", "1", "--amount", "100000")
    assert bought.code == 0, bought.err
    reversed_ = sim("reverse", "--demo", path, "--card", "2", "--terminal", "1", "--last")
    assert reversed_.code == 0, reversed_.err
    assert reversed_.json()["response"]["mti"] == "0410"
    assert balances(iso_stack, card["member_id"]).credit_available == after_completion


def test_terminal_flags_instead_of_a_demo_file(sim, demo):
    path, data = demo
    card, term = data["cards"][3], data["terminals"][2]
    run = sim("purchase", "--pan", card["pan"], "--expiry", card["expiry"], "--pin", card["pin"],
              "--terminal", term["terminal_id"], "--merchant", term["merchant_id"], "--pin-key", term["pin_key"],
              "--mac-key", term["mac_key"], "--amount", "50000")
    assert run.code == 0, run.err
    assert run.json()["response"]["response_code"] == "00"
    unreachable = sim("echo", "--terminal", term["terminal_id"], "--iso-addr", "127.0.0.1:1", "--wait", "2")
    assert unreachable.code == 1 and "cannot connect" in unreachable.err


def test_reconcile_in_balance_then_out(sim, demo):
    path, _ = demo
    # A terminal of the demo club (the last one) that this test alone uses.
    first = sim("reconcile", "--demo", path, "--terminal", "2", "--purchases", "0", "--amount", "0")
    assert json.loads(first.out)["response"]["mti"] == "0510"  # 00 or 95: other tests may have used it
    bought = sim("purchase", "--demo", path, "--card", "3", "--terminal", "2", "--amount", "70000")
    assert bought.code == 0, bought.err
    ok = sim("reconcile", "--demo", path, "--terminal", "2", "--purchases", "1", "--amount", "70000")
    assert ok.code == 0 and ok.json()["response"]["response_code"] == "00", ok.out
    off = sim("reconcile", "--demo", path, "--terminal", "2", "--purchases", "5", "--amount", "1")
    assert off.code == 3 and json.loads(off.out)["response"]["response_code"] == "95"


def test_the_demo_coupon_and_voucher_apply_by_themselves_and_benefits_read_in_persian(sim, demo, clubctl):
    path, data = demo
    incentives = data["incentives"]
    coupon_holder, voucher_holder = data["cards"][3]["member_id"], data["cards"][1]["member_id"]
    held = clubctl("--json", "coupons", "list", coupon_holder, "--available").json()["coupons"]
    assert [coupon["offer_id"] for coupon in held] == [incentives["coupon_offer_id"]]

    with_coupon = sim("purchase", "--demo", path, "--card", "3", "--terminal", "1", "--amount", "400000")
    assert with_coupon.json()["response"]["discount_applied"] == 80_000  # the exclusive 20% coupon
    again = sim("purchase", "--demo", path, "--card", "3", "--terminal", "1", "--amount", "400000")
    assert again.json()["response"]["discount_applied"] == 60_000  # used: the 15% club offer only
    assert clubctl("--json", "coupons", "list", coupon_holder, "--available").json().get("coupons", []) == []

    with_voucher = sim("purchase", "--demo", path, "--card", "1", "--terminal", "2", "--amount", "1000000")
    assert with_voucher.json()["response"]["response_code"] == "00"
    assert with_voucher.json()["response"]["discount_applied"] == 100_000 + 150_000  # voucher + the 15% offer
    vouchers = clubctl("--json", "coupons", "list", voucher_holder).json()["coupons"]
    assert [(v["coupon_id"], v["state"]) for v in vouchers] == [(incentives["voucher_coupon_id"], "COUPON_STATE_USED")]

    gold = clubctl("benefits", data["cards"][4]["member_id"])
    assert gold.code == 0, gold.err
    assert "tier: gold" in gold.out and "طلایی" in gold.out and "۱۰٪" in gold.out
