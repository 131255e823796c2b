"""The member portal's sign-in, joining and home, with real processes: cards, wallet and crm, auth
required, crm's outbox sending SMS to a local Kavenegar-speaking HTTP server, from which the tests
read the codes as a member reads her phone. The portal calls with no token until it has one."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.gen.club.crm.v1 import crm_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2 as wpb
from services.gen.club.wallet.v1 import wallet_pb2_grpc
from services.shared import persian
from services.shared.limits import (
    SIGNIN_CODE_TTL_SECONDS,
    SIGNIN_CODES_PER_ADDRESS_PER_HOUR,
    SIGNIN_LOCK_SECONDS,
    SIGNIN_MAX_WRONG_CODES,
    SIGNIN_RESEND_SECONDS,
)
from tests import harness
from tests.cards.helpers import member_request, product_request, unique_phone
from tests.crm.gateways import API_KEY, SmsGateway, wait_for
from tests.crm.helpers import an_event, invite, rpc_error

CODE_RE = re.compile(r"\b(\d{6})\b")


@pytest.fixture(scope="module")
def gateway():
    server = SmsGateway()
    yield server
    server.close()


@pytest.fixture(scope="module")
def own_stack(infra, tmp_path_factory, gateway):
    """cards, wallet and crm with the local SMS gateway; auth required (the default). tasheem is
    not started: the home page names its part as unavailable."""
    stack = harness.Stack(tmp_path_factory.mktemp("signin"), f"club_signin_{os.getpid()}", {
        "CLUB_SMS_BASE_URL": gateway.url, "CLUB_SMS_API_KEY": API_KEY, "CLUB_SMS_QUIET_HOURS": "",
        "CLUB_TASHEEM_ADDR": f"127.0.0.1:{harness.free_port()}"})
    stack.start("cards", "wallet")
    with stack.channel("cards") as channel:
        product = cards_pb2_grpc.CardServiceStub(channel).CreateProduct(product_request(name="Club member card"))
    stack.extra_env["CLUB_JOIN_CARD_PRODUCT_ID"] = product.product_id
    stack.start("crm")
    yield stack
    stack.close()


@pytest.fixture(scope="module")
def public(own_stack):
    """crm as the portal reaches it before sign-in: no token at all."""
    with harness.raw_channel(own_stack.address("crm")) as channel:
        yield crm_pb2_grpc.CrmServiceStub(channel)


@pytest.fixture(scope="module")
def crm(own_stack):
    with own_stack.channel("crm") as channel:
        yield crm_pb2_grpc.CrmServiceStub(channel)


@pytest.fixture(scope="module")
def cards(own_stack):
    with own_stack.channel("cards") as channel:
        yield cards_pb2_grpc.CardServiceStub(channel)


@pytest.fixture(scope="module")
def wallet(own_stack):
    with own_stack.channel("wallet") as channel:
        yield wallet_pb2_grpc.WalletServiceStub(channel)


def an_address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def code_sent_to(gateway: SmsGateway, phone: str, before: int = 0) -> str:
    """The code in the newest SMS to `phone` after the first `before` of them, as the member reads it."""
    wait_for(lambda: len(gateway.to(phone)) > before, timeout=15)
    text = gateway.to(phone)[-1]["message"]
    assert "کد ورود" in text and persian.digits(SIGNIN_CODE_TTL_SECONDS // 60) in text
    return CODE_RE.search(text).group(1)


def sign_in(public, gateway, phone: str, typed: str = "") -> pb.SignInResult:
    """Signs in with `phone` (09...), typed as `typed` when given, reading the code from the SMS."""
    address = an_address()
    before = len(gateway.to(phone))
    public.StartSignIn(pb.StartSignInRequest(phone=typed or phone, client_address=address))
    code = code_sent_to(gateway, phone, before)
    return public.VerifySignIn(pb.VerifySignInRequest(phone=typed or phone, code=code, client_address=address))


def as_member(stack, service: str, token: str):
    return stack.channel(service, token=token)


def wrong(code: str, offset: int) -> str:
    return f"{(int(code) + offset) % 10 ** 6:06d}"


# ---------- signing in ----------

def test_a_member_signs_in_with_no_token_and_reads_only_her_own_home(own_stack, public, crm, cards, gateway):
    member = cards.RegisterMember(member_request())
    other = cards.RegisterMember(member_request())
    typed = persian.digits(member.phone)  # a member types her phone in Persian digits
    answer = public.StartSignIn(pb.StartSignInRequest(phone=typed, client_address=an_address()))
    assert (answer.expires_in_seconds, answer.resend_after_seconds) == (SIGNIN_CODE_TTL_SECONDS,
                                                                       SIGNIN_RESEND_SECONDS)
    code = code_sent_to(gateway, member.phone)
    result = public.VerifySignIn(pb.VerifySignInRequest(phone=typed, code=persian.digits(code),
                                                        client_address=an_address()))
    assert result.token and result.member_id == member.member_id and not result.join_ticket
    life = result.expires_at.ToDatetime(dt.UTC) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(hours=11, minutes=59) < life <= dt.timedelta(hours=12)

    with as_member(own_stack, "crm", result.token) as channel:
        mine = crm_pb2_grpc.CrmServiceStub(channel)
        home = mine.GetMemberHome(pb.GetMemberHomeRequest(member_id=member.member_id))
        assert home.profile.phone == member.phone
        refused = rpc_error(mine.GetMemberHome, pb.GetMemberHomeRequest(member_id=other.member_id))
        assert refused.code() == grpc.StatusCode.PERMISSION_DENIED
    # A code works once.
    again = rpc_error(public.VerifySignIn, pb.VerifySignInRequest(phone=member.phone, code=code,
                                                                   client_address=an_address()))
    assert again.code() == grpc.StatusCode.UNAUTHENTICATED and "expired" in again.details()


def test_without_a_token_only_the_sign_in_methods_answer(public, own_stack):
    for call, request in ((public.GetMemberHome, pb.GetMemberHomeRequest(member_id=str(uuid.uuid4()))),
                          (public.ListEvents, pb.ListEventsRequest()),
                          (public.ListInbox, pb.ListInboxRequest(member_id=str(uuid.uuid4())))):
        assert rpc_error(call, request).code() == grpc.StatusCode.UNAUTHENTICATED
    with harness.raw_channel(own_stack.address("cards")) as channel:
        refused = rpc_error(cards_pb2_grpc.CardServiceStub(channel).GetMember,
                            cards_pb2.GetMemberRequest(member_id=str(uuid.uuid4())))
        assert refused.code() == grpc.StatusCode.UNAUTHENTICATED


def test_bad_input_names_the_field(public):
    for request, field in ((pb.StartSignInRequest(phone="12345", client_address="10.0.0.1"), "phone"),
                           (pb.StartSignInRequest(phone=unique_phone(), client_address=""), "client_address")):
        refused = rpc_error(public.StartSignIn, request)
        assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT and refused.details().startswith(field)
    refused = rpc_error(public.VerifySignIn, pb.VerifySignInRequest(phone=unique_phone(), code="12a4",
                                                                    client_address="10.0.0.1"))
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT and refused.details().startswith("code")


def crm_rows(stack) -> list[tuple]:
    """Every row of every crm table."""
    rows = []
    with stack.pg() as pg:
        tables = [name for (name,) in pg.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'crm'"
            " AND table_type = 'BASE TABLE'").fetchall()]
        assert {"outbox", "signin_phones", "signin_sends"} <= set(tables)
        for table in tables:
            rows += [(table, row) for row in pg.execute(f"SELECT * FROM crm.{table}").fetchall()]
    return rows


def holds(value, code: str) -> bool:
    if isinstance(value, (bytes, memoryview)):
        return code.encode() in bytes(value)
    return code in str(value)


def test_no_code_is_kept_readable_in_any_crm_table(own_stack, public, gateway):
    phone = unique_phone()
    gateway.stall.set()  # the code's SMS is held at the gateway: its outbox row is mid-send
    try:
        public.StartSignIn(pb.StartSignInRequest(phone=phone, client_address=an_address()))
        assert gateway.stalled.wait(15)
        code = code_sent_to(gateway, phone)
        with own_stack.pg() as pg:
            sealed = pg.execute("SELECT sealed_body, body FROM crm.outbox WHERE to_phone = %s", (phone,)).fetchone()
        assert sealed[0] is not None and sealed[1] == ""  # sealed while it is being sent
        assert not [row for row in crm_rows(own_stack) if any(holds(value, code) for value in row[1])]
    finally:
        gateway.stall.clear()
        gateway.release.set()
    with own_stack.pg() as pg:
        wait_for(lambda: pg.execute("SELECT state FROM crm.outbox WHERE to_phone = %s", (phone,)).fetchone()[0]
                 == "sent", timeout=15)
        assert pg.execute("SELECT sealed_body FROM crm.outbox WHERE to_phone = %s", (phone,)).fetchone()[0] is None
    gateway.release.clear()
    assert not [row for row in crm_rows(own_stack) if any(holds(value, code) for value in row[1])]


def test_a_code_not_sent_in_its_time_is_wiped_and_never_sent(own_stack, public, gateway):
    phone = unique_phone()
    gateway.fail_next = 1_000  # the gateway is down: the code's SMS waits for a retry
    try:
        public.StartSignIn(pb.StartSignInRequest(phone=phone, client_address=an_address()))
        with own_stack.pg() as pg:
            wait_for(lambda: pg.execute("SELECT attempts FROM crm.outbox WHERE to_phone = %s",
                                        (phone,)).fetchone()[0] >= 1, timeout=15)
            # The code's life passes before the gateway is back.
            pg.execute("UPDATE crm.outbox SET expires_at = now() - interval '1 second' WHERE to_phone = %s", (phone,))
            wait_for(lambda: pg.execute("SELECT sealed_body IS NULL FROM crm.outbox WHERE to_phone = %s",
                                        (phone,)).fetchone()[0], timeout=15)
            state, reason = pg.execute("SELECT state, reason FROM crm.outbox WHERE to_phone = %s", (phone,)).fetchone()
    finally:
        gateway.fail_next = 0
    assert state == "skipped" and "expired" in reason
    time.sleep(3)  # past the retry it was waiting for
    assert gateway.to(phone) == []


# ---------- limits, exactly, under concurrency ----------

def test_twenty_wrong_codes_at_once_give_exactly_five_tries_then_the_phone_is_locked(own_stack, public, cards,
                                                                                      gateway):
    member = cards.RegisterMember(member_request())
    address = an_address()
    public.StartSignIn(pb.StartSignInRequest(phone=member.phone, client_address=address))
    code = code_sent_to(gateway, member.phone)

    def attempt(offset: int) -> grpc.StatusCode:
        try:
            public.VerifySignIn(pb.VerifySignInRequest(phone=member.phone, code=wrong(code, offset),
                                                       client_address=address))
            return grpc.StatusCode.OK
        except grpc.RpcError as exc:
            return exc.code()

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(attempt, range(1, 21)))
    assert outcomes.count(grpc.StatusCode.UNAUTHENTICATED) == SIGNIN_MAX_WRONG_CODES
    assert outcomes.count(grpc.StatusCode.RESOURCE_EXHAUSTED) == 20 - SIGNIN_MAX_WRONG_CODES
    # Locked: the right code no longer signs in, and no new code is sent.
    locked = rpc_error(public.VerifySignIn, pb.VerifySignInRequest(phone=member.phone, code=code,
                                                                   client_address=address))
    assert locked.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "locked" in locked.details()
    refused = rpc_error(public.StartSignIn, pb.StartSignInRequest(phone=member.phone, client_address=an_address()))
    assert refused.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    with own_stack.pg() as pg:
        left = pg.execute("SELECT locked_until - now() FROM crm.signin_phones WHERE phone = %s",
                          (member.phone,)).fetchone()[0]
    assert dt.timedelta(seconds=SIGNIN_LOCK_SECONDS - 30) < left <= dt.timedelta(seconds=SIGNIN_LOCK_SECONDS)


def test_one_code_per_phone_however_many_ask_at_once(public, gateway):
    phone = unique_phone()

    def ask(_: int) -> grpc.StatusCode:
        try:
            public.StartSignIn(pb.StartSignInRequest(phone=phone, client_address=an_address()))
            return grpc.StatusCode.OK
        except grpc.RpcError as exc:
            return exc.code()

    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(ask, range(10)))
    assert outcomes.count(grpc.StatusCode.OK) == 1
    assert outcomes.count(grpc.StatusCode.RESOURCE_EXHAUSTED) == 9
    code_sent_to(gateway, phone)
    time.sleep(1)
    assert len(gateway.to(phone)) == 1


def test_one_address_gets_codes_for_only_so_many_phones_an_hour(public):
    address = an_address()
    asked = SIGNIN_CODES_PER_ADDRESS_PER_HOUR + 5

    def ask(_: int) -> grpc.StatusCode:
        try:
            public.StartSignIn(pb.StartSignInRequest(phone=unique_phone(), client_address=address))
            return grpc.StatusCode.OK
        except grpc.RpcError as exc:
            assert exc.details().startswith("client_address")
            return exc.code()

    with ThreadPoolExecutor(asked) as pool:
        outcomes = list(pool.map(ask, range(asked)))
    assert outcomes.count(grpc.StatusCode.OK) == SIGNIN_CODES_PER_ADDRESS_PER_HOUR
    assert outcomes.count(grpc.StatusCode.RESOURCE_EXHAUSTED) == 5


def test_an_expired_code_does_not_sign_in(own_stack, public, cards, gateway):
    member = cards.RegisterMember(member_request())
    address = an_address()
    public.StartSignIn(pb.StartSignInRequest(phone=member.phone, client_address=address))
    code = code_sent_to(gateway, member.phone)
    with own_stack.pg() as pg:  # the code's life passes
        pg.execute("UPDATE crm.signin_phones SET code_expires_at = now() - interval '1 second' WHERE phone = %s",
                   (member.phone,))
    refused = rpc_error(public.VerifySignIn, pb.VerifySignInRequest(phone=member.phone, code=code,
                                                                    client_address=address))
    assert refused.code() == grpc.StatusCode.UNAUTHENTICATED and "expired" in refused.details()


# ---------- joining ----------

def test_a_new_phone_gets_a_join_ticket_and_joins_once_with_a_virtual_card(own_stack, public, cards, wallet,
                                                                           gateway):
    phone = unique_phone()
    verified = sign_in(public, gateway, phone, typed="+98 " + phone[1:])
    assert not verified.token and not verified.member_id and verified.join_ticket

    bad = {"national_id": ("0499370898", "national_id"), "first_name": ("", "first_name"),
           "last_name": ("x" * 101, "last_name")}
    for field, (value, named) in bad.items():
        values = {"first_name": "مریم", "last_name": "کاظمی", "national_id": "0499370899", field: value}
        refused = rpc_error(public.JoinClub, pb.JoinClubRequest(join_ticket=verified.join_ticket,
                                                                client_address="10.1.1.1", **values))
        assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT and refused.details().startswith(named)
    assert not cards.ListMembers(cards_pb2.ListMembersRequest(phone=phone)).members  # bad input changed nothing
    forged = rpc_error(public.JoinClub, pb.JoinClubRequest(join_ticket=verified.join_ticket + "x",
                                                           first_name="مریم", last_name="کاظمی",
                                                           client_address="10.1.1.1"))
    assert forged.code() == grpc.StatusCode.UNAUTHENTICATED and forged.details().startswith("join_ticket")

    def join(_: int) -> pb.SignInResult:
        return public.JoinClub(pb.JoinClubRequest(join_ticket=verified.join_ticket, first_name="مریم",
                                                  last_name="کاظمی", national_id="۰۴۹۹۳۷۰۸۹۹",
                                                  client_address="10.1.1.1"))

    with ThreadPoolExecutor(4) as pool:  # a double click, and more
        joined = list(pool.map(join, range(4)))
    assert len({result.member_id for result in joined}) == 1 and all(result.token for result in joined)
    member_id = joined[0].member_id
    again = join(0)
    assert again.member_id == member_id

    members = cards.ListMembers(cards_pb2.ListMembersRequest(phone=phone)).members
    assert [(m.member_id, m.first_name, m.national_id) for m in members] == [(member_id, "مریم", "0499370899")]
    issued = cards.ListCards(cards_pb2.ListCardsRequest(member_id=member_id)).cards
    assert len(issued) == 1 and issued[0].virtual and "*" in issued[0].masked_pan
    for kind in ("credit", "points"):  # her wallet accounts are open
        account = wallet.GetAccount(wpb.GetAccountRequest(account_id=f"member:{member_id}:{kind}"))
        assert account.account_id == f"member:{member_id}:{kind}"

    # The token is hers: her card list through cards with her own token.
    with as_member(own_stack, "cards", joined[0].token) as channel:
        mine = cards_pb2_grpc.CardServiceStub(channel).ListCards(cards_pb2.ListCardsRequest(member_id=member_id))
        assert [card.card_token for card in mine.cards] == [issued[0].card_token]
    # Signing in again with that phone (a minute later) now gives her a token, not a ticket.
    with own_stack.pg() as pg:
        pg.execute("UPDATE crm.signin_phones SET last_sent_at = now() - interval '61 seconds' WHERE phone = %s",
                   (phone,))
    again = sign_in(public, gateway, phone)
    assert again.member_id == member_id and again.token and not again.join_ticket


# ---------- the home page ----------

def test_the_home_page_gathers_every_part_and_names_the_one_that_could_not_be_read(own_stack, public, crm, cards,
                                                                                    wallet, gateway):
    member = cards.RegisterMember(member_request(first_name="سارا"))
    wallet.OpenMemberAccounts(wpb.OpenMemberAccountsRequest(member_id=member.member_id))
    for points, days in ((700, 10), (300, 20), (5_000, 300)):
        wallet.AdjustPoints(wpb.AdjustPointsRequest(transfer_id=f"adj-{uuid.uuid4().hex}", member_id=member.member_id,
                                                    points=points, reason="test", expires_in_days=days))
    event = crm.CreateEvent(pb.CreateEventRequest(event=an_event()))
    invite(crm, event.event_id, member_ids=[member.member_id])
    list(crm.Announce(pb.AnnounceRequest(channels=[pb.CHANNEL_INBOX], template="{name} عزیز، خوش آمدید",
                                         subject="خوش آمدید", member_ids=[member.member_id])))
    token = sign_in(public, gateway, member.phone).token
    with as_member(own_stack, "crm", token) as channel:
        mine = crm_pb2_grpc.CrmServiceStub(channel)
        wait_for(lambda: mine.GetMemberHome(pb.GetMemberHomeRequest(member_id=member.member_id)).unread_messages == 1,
                 timeout=15)
        home = mine.GetMemberHome(pb.GetMemberHomeRequest(member_id=member.member_id))
    assert home.profile.first_name == "سارا" and home.tier == home.profile.tier
    assert home.balances.points_available == 6_000
    assert home.points_expiring_soon == 1_000
    soonest = home.points_expire_at.ToDatetime(dt.UTC) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=9) < soonest <= dt.timedelta(days=10, minutes=1)
    assert [invitation.event_id for invitation in home.upcoming_events] == [event.event_id]
    assert home.unread_messages == 1 and home.pending_surveys == 0
    unavailable = {part.part: part.reason for part in home.parts if not part.available}
    assert list(unavailable) == ["benefits"] and "tasheem" in unavailable["benefits"]
    assert {part.part for part in home.parts if part.available} == {
        "profile", "tier_progress", "balances", "expiring_points", "events", "inbox", "surveys"}
