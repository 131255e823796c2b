"""clubctl merchant-users: created with the password from stdin (never an argument), listed by
merchant, a TOTP provisioning URI shown once; the user then signs in."""

from __future__ import annotations

import io

import grpc
import pyotp

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from tests.tasheem.helpers import an_iban, uid

PASSWORD = "a long enough password"


def new_merchant(clubctl, name: str) -> str:
    merchant = uid("M")
    assert clubctl("merchants", "create", merchant, "--name", name, "--mcc", "5814",
                   "--beneficiary", f"{an_iban()}=remainder:مالک").code == 0
    return merchant


def test_create_list_and_sign_in(clubctl, cli_stack, monkeypatch):
    merchant = new_merchant(clubctl, "کافه نمونه")
    username = uid("cli-").lower()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    made = clubctl("--json", "merchant-users", "create", username, "--name", "مریم", "--merchant", merchant,
                   "--totp", "--password-stdin").json()
    assert made["username"] == username and made["merchant_ids"] == [merchant] and made["totp_enabled"]
    assert made["totp_provisioning_uri"].startswith("otpauth://totp/")
    listed = clubctl("--json", "merchant-users", "list", "--merchant", merchant).json()
    assert [u["username"] for u in listed["users"]] == [username]
    assert "totp_provisioning_uri" not in listed["users"][0] or not listed["users"][0]["totp_provisioning_uri"]
    assert PASSWORD not in clubctl("merchant-users", "list").out

    code = pyotp.parse_uri(made["totp_provisioning_uri"]).now()
    with grpc.insecure_channel(cli_stack.address("tasheem")) as channel:
        signed = tasheem_pb2_grpc.TasheemServiceStub(channel).MerchantSignIn(pb.MerchantSignInRequest(
            username=username, password=PASSWORD, totp_code=code, client_address="127.0.0.1"))
    assert [a.merchant_id for a in signed.access] == [merchant]


def test_no_terminal_and_no_stdin_flag_is_refused(clubctl, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    run = clubctl("merchant-users", "create", "someone", "--name", "x", "--merchant", "M1")
    assert run.code == 2 and "--password-stdin" in run.err


def test_an_operator_disables_enables_and_resets_a_user(clubctl, cli_stack, monkeypatch):
    merchant = new_merchant(clubctl, "کافه دوم")
    username = uid("cli-").lower()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert clubctl("merchant-users", "create", username, "--name", "رضا", "--merchant", merchant,
                   "--password-stdin").code == 0

    def signs_in(password: str) -> bool:
        with grpc.insecure_channel(cli_stack.address("tasheem")) as channel:
            try:
                tasheem_pb2_grpc.TasheemServiceStub(channel).MerchantSignIn(pb.MerchantSignInRequest(
                    username=username, password=password, client_address="127.0.0.2"))
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.UNAUTHENTICATED
                return False
            return True

    assert clubctl("--json", "merchant-users", "update", username, "--disable").json()["disabled"]
    assert not signs_in(PASSWORD)
    header, row = clubctl("merchant-users", "list", "--merchant", merchant).out.splitlines()
    assert dict(zip(header.split(), row.split(), strict=True))["DISABLED"] == "yes"
    assert not clubctl("--json", "merchant-users", "update", username, "--enable").json().get("disabled")
    assert signs_in(PASSWORD)

    monkeypatch.setattr("sys.stdin", io.StringIO("a new long password\n"))
    reset = clubctl("merchant-users", "update", username, "--new-password", "--password-stdin")
    assert reset.code == 0 and "a new long password" not in reset.out + reset.err
    assert not signs_in(PASSWORD) and signs_in("a new long password")
    both = clubctl("merchant-users", "update", username, "--disable", "--enable")
    assert both.code == 2  # one or the other
