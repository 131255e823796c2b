"""The audit log: every change a person makes is recorded (who, what, when, request and
result masked); reads and service-to-service calls are not."""

from __future__ import annotations

import uuid

import grpc
import psycopg
import pytest

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc

PIN_KEY = "0123456789ABCDEFFEDCBA9876543210"
MAC_KEY = "89ABCDEF0123456776543210FEDCBA98"


def events_for(stack, subject: str) -> list[dict]:
    with stack.pg() as conn:
        conn.row_factory = psycopg.rows.dict_row
        return conn.execute("SELECT * FROM audit.events WHERE subject = %s ORDER BY at", (subject,)).fetchall()


def call(callable_, request):
    try:
        return callable_(request, timeout=10)
    except grpc.RpcError as error:
        return error.code()


def test_a_persons_change_is_recorded_with_secrets_masked(stack):
    subject = f"op-{uuid.uuid4()}"
    stub = cards_pb2_grpc.CardServiceStub(stack.channel("cards", token=stack.token("operator", subject=subject)))
    call(stub.RegisterTerminal, cards_pb2.RegisterTerminalRequest(terminal_id="TAUDIT01", merchant_id="M-AUDIT",
                                                                 pin_key=PIN_KEY, mac_key=MAC_KEY))
    [event] = events_for(stack, subject)
    assert event["method"] == "/club.cards.v1.CardService/RegisterTerminal"
    assert (event["service"], event["role"]) == ("cards", "operator")
    assert event["outcome"] != "PENDING" and event["finished_at"] >= event["at"]
    assert event["request"]["terminal_id"] == "TAUDIT01"
    assert event["request"]["pin_key"] == "[redacted]" and event["request"]["mac_key"] == "[redacted]"
    assert PIN_KEY not in str(event) and MAC_KEY not in str(event)


def test_pans_in_a_recorded_change_keep_only_bin_and_last_four(stack):
    subject = f"op-{uuid.uuid4()}"
    stub = cards_pb2_grpc.CardServiceStub(stack.channel("cards", token=stack.token("operator", subject=subject)))
    call(stub.AuthorizeCard, cards_pb2.AuthorizeCardRequest(pan="6037991234567893", cvv2="123", terminal_id="T1"))
    [event] = events_for(stack, subject)
    assert event["request"]["pan"] == "603799******7893"
    assert event["request"]["cvv2"] == "[redacted]"


def test_reads_are_not_recorded(stack):
    subject = f"reader-{uuid.uuid4()}"
    for role in ("operator", "auditor"):
        stub = cards_pb2_grpc.CardServiceStub(stack.channel("cards", token=stack.token(role, subject=subject)))
        call(stub.ListMembers, cards_pb2.ListMembersRequest())
        call(stub.GetMember, cards_pb2.GetMemberRequest(member_id="m-1"))
    assert events_for(stack, subject) == []


def test_service_calls_and_refused_calls_are_not_changes_by_a_person(stack):
    subject = f"svc-{uuid.uuid4()}"
    service = cards_pb2_grpc.CardServiceStub(stack.channel("cards", token=stack.token("service", subject=subject)))
    call(service.AuthorizeCard, cards_pb2.AuthorizeCardRequest(pan="6037991234567893"))
    auditor = cards_pb2_grpc.CardServiceStub(stack.channel("cards", token=stack.token("auditor", subject=subject)))
    assert call(auditor.RegisterMember, cards_pb2.RegisterMemberRequest(phone="09121111111")) == \
        grpc.StatusCode.PERMISSION_DENIED
    assert events_for(stack, subject) == []


def test_audit_rows_cannot_be_edited_or_deleted(stack):
    subject = f"op-{uuid.uuid4()}"
    stub = cards_pb2_grpc.CardServiceStub(stack.channel("cards", token=stack.token("operator", subject=subject)))
    call(stub.RegisterMember, cards_pb2.RegisterMemberRequest(phone="09122222222"))
    [event] = events_for(stack, subject)
    with stack.pg() as conn:
        with pytest.raises(psycopg.errors.RaiseException):
            conn.execute("UPDATE audit.events SET subject = 'someone-else' WHERE event_id = %s", (event["event_id"],))
        with pytest.raises(psycopg.errors.RaiseException):
            conn.execute("DELETE FROM audit.events WHERE event_id = %s", (event["event_id"],))


def test_a_change_that_cannot_be_audited_is_refused_and_changes_nothing(isolated_stack):
    own = isolated_stack()
    stub = cards_pb2_grpc.CardServiceStub(own.channel("cards"))
    with own.pg() as conn:  # the audit log becomes unwritable (as if its table were lost)
        conn.execute("ALTER TABLE audit.events RENAME TO events_unreachable")
    assert call(stub.RegisterMember, cards_pb2.RegisterMemberRequest(phone="09124444444", first_name="Nima")) == \
        grpc.StatusCode.UNAVAILABLE
    assert list(stub.ListMembers(cards_pb2.ListMembersRequest(phone="09124444444")).members) == []  # reads still work
    assert "audit write failed" in own.services["cards"].log_text()
