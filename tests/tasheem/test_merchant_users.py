"""Merchant users and MerchantSignIn against the real tasheem process: argon2 hashes and encrypted
TOTP secrets only, one refusal for every failure, the lock after repeated failures exactly at its
number under simultaneous wrong passwords, the per-address limit, and the tokens sign-in gives."""

from __future__ import annotations

import concurrent.futures
import time
import urllib.parse

import grpc
import pyotp
import pytest
from psycopg.rows import dict_row

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.shared import limits
from tests.tasheem.helpers import an_iban, merchant_id, rpc_error, uid

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def anonymous(stack):
    """A client with no token at all, as the portal's sign-in page is."""
    with grpc.insecure_channel(stack.address("tasheem")) as channel:
        yield tasheem_pb2_grpc.TasheemServiceStub(channel)


def new_merchant(tasheem, name: str = "نان سنگک برکت") -> str:
    return tasheem.CreateMerchant(pb.CreateMerchantRequest(
        merchant_id=merchant_id(), name=name, mcc="5411",
        beneficiaries=[pb.Beneficiary(iban=an_iban(), name="حساب اصلی", remainder=True)])).merchant_id


def new_user(tasheem, merchants: list[str], totp: bool = False) -> pb.MerchantUser:
    return tasheem.CreateMerchantUser(pb.CreateMerchantUserRequest(
        username=uid("u-").lower(), password=PASSWORD, display_name="علی رضایی", merchant_ids=merchants, totp=totp))


def sign_in(stub, username: str, password: str = PASSWORD, code: str = "", address: str = ""):
    return stub.MerchantSignIn(pb.MerchantSignInRequest(username=username, password=password, totp_code=code,
                                                        client_address=address or uid("10.0.")), timeout=30)


def outcome(call, *args) -> grpc.StatusCode:
    try:
        call(*args)
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def test_each_bad_field_is_named_and_nothing_is_made(tasheem):
    shop = new_merchant(tasheem)
    cases = {"username": dict(username="A!"), "password": dict(password="short"),
             "display_name": dict(display_name=" "), "merchant_ids": dict(merchant_ids=[])}
    for field, bad in cases.items():
        fields = dict(username=uid("u-").lower(), password=PASSWORD, display_name="x", merchant_ids=[shop]) | bad
        error = rpc_error(tasheem.CreateMerchantUser, pb.CreateMerchantUserRequest(**fields))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith(field), error.details()
        assert PASSWORD not in error.details()
    error = rpc_error(tasheem.CreateMerchantUser, pb.CreateMerchantUserRequest(
        username="ghost-user", password=PASSWORD, display_name="x", merchant_ids=[shop, "NOSUCH"]))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "NOSUCH" in error.details()
    listed = tasheem.ListMerchantUsers(pb.ListMerchantUsersRequest(merchant_id=shop)).users
    assert listed == []


def test_created_user_keeps_only_a_hash_and_an_encrypted_secret(stack, tasheem):
    shop = new_merchant(tasheem)
    user = new_user(tasheem, [shop], totp=True)
    secret = urllib.parse.parse_qs(urllib.parse.urlparse(user.totp_provisioning_uri).query)["secret"][0]
    assert user.totp_enabled and user.totp_provisioning_uri.startswith("otpauth://totp/")
    listed = tasheem.ListMerchantUsers(pb.ListMerchantUsersRequest(merchant_id=shop)).users
    assert [(u.username, list(u.merchant_ids), u.totp_enabled, u.totp_provisioning_uri) for u in listed] == \
        [(user.username, [shop], True, "")]  # the URI is in the create answer only
    with stack.pg() as conn:
        conn.row_factory = dict_row
        row = conn.execute("SELECT * FROM tasheem.merchant_users WHERE username = %s", (user.username,)).fetchone()
        audit = conn.execute("SELECT request::text || coalesce(result::text, '') AS text FROM audit.events"
                             " WHERE method LIKE '%%CreateMerchantUser'").fetchall()
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]
    assert secret.encode() not in bytes(row["totp_secret"])
    assert audit and not any(PASSWORD in a["text"] or secret in a["text"] for a in audit)
    assert PASSWORD not in stack.services["tasheem"].log_text() and secret not in stack.services["tasheem"].log_text()


def test_sign_in_gives_one_merchant_token_per_merchant_and_each_reads_only_its_own(stack, tasheem, anonymous):
    first, second, other = new_merchant(tasheem, "شعبه یک"), new_merchant(tasheem, "شعبه دو"), new_merchant(tasheem)
    user = new_user(tasheem, [first, second])
    result = sign_in(anonymous, user.username)
    assert result.display_name == "علی رضایی"
    assert sorted((a.merchant_id, a.merchant_name) for a in result.access) == sorted(
        [(first, "شعبه یک"), (second, "شعبه دو")])
    assert result.expires_at.seconds > time.time() + 3600
    for access in result.access:
        with stack.channel("tasheem", token=access.token) as channel:
            own = tasheem_pb2_grpc.TasheemServiceStub(channel)
            assert own.GetMerchant(pb.GetMerchantRequest(merchant_id=access.merchant_id)).merchant_id == \
                access.merchant_id
            for someone_else in ({first, second} - {access.merchant_id}) | {other}:
                assert outcome(own.GetMerchant, pb.GetMerchantRequest(merchant_id=someone_else)) == \
                    grpc.StatusCode.PERMISSION_DENIED
            assert outcome(own.CreateMerchantUser, pb.CreateMerchantUserRequest(
                username="x-made-by-merchant", password=PASSWORD, display_name="x", merchant_ids=[other])) == \
                grpc.StatusCode.PERMISSION_DENIED


def test_every_failure_gets_the_same_answer(tasheem, anonymous):
    user = new_user(tasheem, [new_merchant(tasheem)])
    unknown = rpc_error(sign_in, anonymous, "no-such-user")
    wrong = rpc_error(sign_in, anonymous, user.username, "wrong password!")
    assert (unknown.code(), unknown.details()) == (wrong.code(), wrong.details())
    assert unknown.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "wrong password!" not in wrong.details() and user.username not in wrong.details()
    missing = rpc_error(anonymous.MerchantSignIn, pb.MerchantSignInRequest(username=user.username, password=PASSWORD))
    assert missing.code() == grpc.StatusCode.INVALID_ARGUMENT and missing.details().startswith("client_address")


def wrong_at_once(anonymous, username: str, how_many: int) -> list[grpc.StatusCode]:
    with concurrent.futures.ThreadPoolExecutor(how_many) as pool:
        return list(pool.map(lambda _: outcome(sign_in, anonymous, username, "not the password"),
                             range(how_many)))


def test_the_lock_holds_exactly_under_simultaneous_wrong_passwords(stack, tasheem, anonymous):
    lock_at = limits.MERCHANT_SIGN_IN_FAILURES_TO_LOCK
    user = new_user(tasheem, [new_merchant(tasheem)])
    # One short of the lock, all at once: the user is not locked, and a good sign-in clears the count.
    assert wrong_at_once(anonymous, user.username, lock_at - 1) == [grpc.StatusCode.UNAUTHENTICATED] * (lock_at - 1)
    assert sign_in(anonymous, user.username).access
    # Many more than the lock, all at once: exactly `lock_at` passwords were checked, then locked.
    assert set(wrong_at_once(anonymous, user.username, 3 * lock_at)) == {grpc.StatusCode.UNAUTHENTICATED}
    assert rpc_error(sign_in, anonymous, user.username).code() == grpc.StatusCode.UNAUTHENTICATED  # right, but locked
    with stack.pg() as conn:
        conn.row_factory = dict_row
        row = conn.execute("SELECT failures, locked_until - now() AS left FROM tasheem.merchant_users"
                           " WHERE username = %s", (user.username,)).fetchone()
    assert row["failures"] == 0 and 0 < row["left"].total_seconds() <= limits.MERCHANT_SIGN_IN_LOCK_SECONDS
    log = stack.services["tasheem"].log_text()
    checked = sum(1 for line in log.splitlines() if user.username in line and '"wrong' in line)
    assert checked == (lock_at - 1) + lock_at  # the first round's, then exactly the lock's number
    with stack.pg() as conn:  # the lock over, the right password works again
        conn.row_factory = dict_row
        conn.execute("UPDATE tasheem.merchant_users SET locked_until = now() WHERE username = %s", (user.username,))
    assert sign_in(anonymous, user.username).access


def test_one_address_is_limited_across_users_exactly(tasheem, anonymous):
    limit = limits.MERCHANT_SIGN_IN_FAILURES_PER_CLIENT
    address, user = uid("192.0.2."), new_user(tasheem, [new_merchant(tasheem)])
    with concurrent.futures.ThreadPoolExecutor(limit + 5) as pool:
        codes = list(pool.map(lambda i: outcome(sign_in, anonymous, f"nobody-{i}", PASSWORD, "", address),
                              range(limit + 5)))
    assert codes.count(grpc.StatusCode.UNAUTHENTICATED) == limit
    assert codes.count(grpc.StatusCode.RESOURCE_EXHAUSTED) == 5
    assert rpc_error(sign_in, anonymous, user.username, address=address).code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert sign_in(anonymous, user.username).access  # another address is not held back


def test_totp_is_required_when_enabled_and_a_code_works_once(tasheem, anonymous):
    user = new_user(tasheem, [new_merchant(tasheem)], totp=True)
    totp = pyotp.parse_uri(user.totp_provisioning_uri)
    assert rpc_error(sign_in, anonymous, user.username).code() == grpc.StatusCode.UNAUTHENTICATED
    assert rpc_error(sign_in, anonymous, user.username, code="000000" if totp.now() != "000000" else "111111"
                     ).code() == grpc.StatusCode.UNAUTHENTICATED
    code = totp.now()
    assert sign_in(anonymous, user.username, code=code).access
    replay = rpc_error(sign_in, anonymous, user.username, code=code)
    assert replay.code() == grpc.StatusCode.UNAUTHENTICATED and code not in replay.details()


def test_no_password_or_code_reaches_the_log(stack, tasheem, anonymous):
    user = new_user(tasheem, [new_merchant(tasheem)], totp=True)
    typed = "Typed-Into-Username-1"
    rpc_error(sign_in, anonymous, typed)  # a password typed into the username field
    rpc_error(sign_in, anonymous, user.username, "a wrong password typed", code="123456")
    log = stack.services["tasheem"].log_text()
    for secret in (PASSWORD, typed, "a wrong password typed", '"123456"'):
        assert secret not in log
    assert user.username in log  # a known user's refusals are logged by name


# ---- a user's life: disabled and enabled, a new password, a new TOTP secret, its own password ----


def change_password(stub, username: str, current: str, new: str, code: str = "", address: str = ""):
    return stub.ChangeMerchantPassword(pb.ChangeMerchantPasswordRequest(
        username=username, current_password=current, new_password=new, totp_code=code,
        client_address=address or uid("10.1.")), timeout=30)


def test_a_disabled_user_is_refused_like_a_wrong_password_until_enabled(tasheem, anonymous):
    user = new_user(tasheem, [new_merchant(tasheem)])
    disabled = tasheem.UpdateMerchantUser(pb.UpdateMerchantUserRequest(username=user.username, disabled=True))
    assert disabled.disabled
    refused, wrong = rpc_error(sign_in, anonymous, user.username), rpc_error(sign_in, anonymous, "no-such-user")
    assert (refused.code(), refused.details()) == (wrong.code(), wrong.details())  # says nothing more
    assert rpc_error(change_password, anonymous, user.username, PASSWORD, "a brand new password").code() == \
        grpc.StatusCode.UNAUTHENTICATED  # no way around it
    [listed] = tasheem.ListMerchantUsers(pb.ListMerchantUsersRequest(merchant_id=disabled.merchant_ids[0])).users
    assert listed.disabled

    enabled = tasheem.UpdateMerchantUser(pb.UpdateMerchantUserRequest(username=user.username, disabled=False))
    assert not enabled.disabled and sign_in(anonymous, user.username).access


def test_an_operators_new_password_replaces_the_old_one_and_unlocks(tasheem, anonymous):
    user = new_user(tasheem, [new_merchant(tasheem)])
    for _ in range(limits.MERCHANT_SIGN_IN_FAILURES_TO_LOCK):
        rpc_error(sign_in, anonymous, user.username, "not the password")
    assert rpc_error(sign_in, anonymous, user.username).code() == grpc.StatusCode.UNAUTHENTICATED  # locked
    changed = tasheem.UpdateMerchantUser(pb.UpdateMerchantUserRequest(username=user.username,
                                                                      new_password="handed over in person"))
    assert changed.HasField("password_changed_at")
    assert rpc_error(sign_in, anonymous, user.username).code() == grpc.StatusCode.UNAUTHENTICATED  # the old one
    assert sign_in(anonymous, user.username, "handed over in person").access


def test_a_new_totp_secret_kills_the_old_codes(tasheem, anonymous):
    user = new_user(tasheem, [new_merchant(tasheem)], totp=True)
    old = pyotp.parse_uri(user.totp_provisioning_uri)
    renewed = tasheem.UpdateMerchantUser(pb.UpdateMerchantUserRequest(username=user.username, new_totp=True))
    new = pyotp.parse_uri(renewed.totp_provisioning_uri)
    assert renewed.totp_enabled and new.secret != old.secret
    assert [u.totp_provisioning_uri for u in tasheem.ListMerchantUsers(pb.ListMerchantUsersRequest(
        merchant_id=renewed.merchant_ids[0])).users] == [""]  # shown once
    assert rpc_error(sign_in, anonymous, user.username, PASSWORD, old.now()).code() == grpc.StatusCode.UNAUTHENTICATED
    assert sign_in(anonymous, user.username, PASSWORD, new.now()).access


def test_an_update_with_a_bad_field_names_it_and_changes_nothing(tasheem):
    shop = new_merchant(tasheem)
    user = new_user(tasheem, [shop])
    for request, field in ((dict(new_password="short"), "new_password"), (dict(display_name="\x00"), "display_name"),
                           (dict(merchant_ids=[shop, "NOSUCH"]), "merchant_ids")):
        error = rpc_error(tasheem.UpdateMerchantUser, pb.UpdateMerchantUserRequest(
            username=user.username, disabled=True, **request))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith(field), error.details()
    [listed] = tasheem.ListMerchantUsers(pb.ListMerchantUsersRequest(merchant_id=shop)).users
    assert (listed.disabled, list(listed.merchant_ids), listed.display_name) == (False, [shop], "علی رضایی")
    assert rpc_error(tasheem.UpdateMerchantUser, pb.UpdateMerchantUserRequest(username="no-such-user")).code() == \
        grpc.StatusCode.NOT_FOUND
    moved = tasheem.UpdateMerchantUser(pb.UpdateMerchantUserRequest(username=user.username,
                                                                    merchant_ids=[other := new_merchant(tasheem)]))
    assert list(moved.merchant_ids) == [other]


def test_a_user_changes_its_own_password_only_with_the_current_one(stack, tasheem, anonymous):
    user = new_user(tasheem, [new_merchant(tasheem)])
    for new, field in (("short", "new_password"), (PASSWORD, "new_password")):
        error = rpc_error(change_password, anonymous, user.username, PASSWORD, new)
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith(field), error.details()
    wrong = rpc_error(change_password, anonymous, user.username, "not the password", "a brand new password")
    assert wrong.code() == grpc.StatusCode.UNAUTHENTICATED
    with stack.pg() as conn:  # a wrong current password counts toward the lock, as at sign-in
        assert conn.execute("SELECT failures FROM tasheem.merchant_users WHERE username = %s",
                            (user.username,)).fetchone()[0] == 1

    changed = change_password(anonymous, user.username, PASSWORD, "a brand new password")
    assert changed.username == user.username and changed.HasField("password_changed_at")
    assert rpc_error(sign_in, anonymous, user.username).code() == grpc.StatusCode.UNAUTHENTICATED
    assert sign_in(anonymous, user.username, "a brand new password").access
    log = stack.services["tasheem"].log_text()
    assert "a brand new password" not in log and PASSWORD not in log
