"""Members, products and terminals: what an operator and the switch see."""

from __future__ import annotations

import grpc
from psec import des, mac

from services.gen.club.cards.v1 import cards_pb2 as pb
from tests.cards.helpers import (
    TERMINAL_MAC_KEY,
    TERMINAL_PIN_KEY,
    rpc_error,
    unique_bin,
    unique_phone,
    unique_terminal_id,
)


def test_register_with_only_a_phone_and_a_name_then_update_some_fields(club):
    member = club.member(phone=unique_phone(), first_name="Reza", last_name="")
    assert member.member_id and member.tier == "" and member.email == ""
    updated = club.stub.UpdateMember(pb.UpdateMemberRequest(
        member_id=member.member_id, update_fields=["email", "preferences", "consents"],
        values=pb.RegisterMemberRequest(email="reza@example.com", first_name="ignored", preferences={"lang": "fa"},
                                        consents=[pb.Consent(purpose="marketing_sms", granted=True)])))
    assert updated.email == "reza@example.com" and updated.first_name == "Reza"
    assert dict(updated.preferences) == {"lang": "fa"} and updated.consents[0].granted
    assert club.stub.GetMember(pb.GetMemberRequest(member_id=member.member_id)) == updated


def test_a_national_id_alone_is_enough_and_duplicates_are_refused(club):
    national_id = unique_phone()[1:]  # ten digits
    member = club.stub.RegisterMember(pb.RegisterMemberRequest(national_id=national_id, last_name="Karimi"))
    error = rpc_error(club.stub.RegisterMember, pb.RegisterMemberRequest(national_id=national_id, last_name="Other"))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS and "national_id" in error.details()
    found = club.stub.ListMembers(pb.ListMembersRequest(national_id=national_id)).members
    assert [m.member_id for m in found] == [member.member_id]


def test_members_page_through_without_gaps(club):
    made = {club.member().member_id for _ in range(5)}
    seen, token = [], ""
    while True:
        page = club.stub.ListMembers(pb.ListMembersRequest(page_size=3, page_token=token))
        seen += [m.member_id for m in page.members]
        token = page.next_page_token
        if not token:
            break
    assert made <= set(seen) and len(seen) == len(set(seen))


def test_members_listed_by_tier_or_segment_are_exactly_that_audience(club):
    segment = "seg" + unique_phone()[-8:]
    gold = [club.member(segment=segment).member_id for _ in range(3)]
    for member_id in gold[:2]:
        club.stub.SetMemberTier(pb.SetMemberTierRequest(member_id=member_id, tier="gold", reason="test"))
    by_segment = club.stub.ListMembers(pb.ListMembersRequest(segment=segment, page_size=500)).members
    assert sorted(m.member_id for m in by_segment) == sorted(gold)
    both = club.stub.ListMembers(pb.ListMembersRequest(segment=segment, tier="gold", page_size=500)).members
    assert sorted(m.member_id for m in both) == sorted(gold[:2])
    error = rpc_error(club.stub.ListMembers, pb.ListMembersRequest(tier="not a code"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith("tier")


def test_products_share_a_bin_without_sharing_pans_and_overlapping_bins_are_refused(club):
    bin_ = unique_bin()
    first, second = club.product(bin=bin_), club.product(bin=bin_, kind=pb.CARD_KIND_GIFT)
    pans = {club.issue(first).pan for _ in range(3)} | {club.issue(second).pan for _ in range(3)}
    assert len(pans) == 6
    error = rpc_error(club.product, bin=bin_[:6])
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS and error.details().startswith("bin:")
    got = club.stub.GetProduct(pb.GetProductRequest(product_id=first.product_id))
    assert got == first and got.pan_length == 16 and list(got.allowed_processing) == ["00", "20", "31"]


def test_terminal_keys_kcvs_and_mac_key_for_the_switch(club):
    terminal = club.terminal(merchant_id="M777")
    assert terminal.pin_key_kcv == des.generate_kcv(TERMINAL_PIN_KEY, 3).hex().upper()
    assert terminal.mac_key_kcv == des.generate_kcv(TERMINAL_MAC_KEY, 3).hex().upper()
    keys = club.stub.GetTerminalKeys(pb.GetTerminalRequest(terminal_id=terminal.terminal_id))
    assert keys.mac_key == TERMINAL_MAC_KEY and keys.merchant_id == "M777" and keys.key_version == 1
    message = b"0200 message bytes"
    assert mac.generate_retail_mac(keys.mac_key[:8], keys.mac_key[8:], message, 2) == \
        mac.generate_retail_mac(TERMINAL_MAC_KEY[:8], TERMINAL_MAC_KEY[8:], message, 2)

    changed = club.stub.ChangeTerminalKeys(pb.ChangeTerminalKeysRequest(terminal_id=terminal.terminal_id))
    assert changed.key_version == 2 and changed.mac_key_kcv != terminal.mac_key_kcv
    fresh = club.stub.GetTerminalKeys(pb.GetTerminalRequest(terminal_id=terminal.terminal_id))
    assert fresh.key_version == 2 and len(fresh.mac_key) == 16 and fresh.mac_key != TERMINAL_MAC_KEY
    assert des.generate_kcv(fresh.mac_key, 3).hex().upper() == changed.mac_key_kcv

    duplicate = rpc_error(club.stub.RegisterTerminal, pb.RegisterTerminalRequest(terminal_id=terminal.terminal_id,
                                                                                 merchant_id="M777"))
    assert duplicate.code() == grpc.StatusCode.ALREADY_EXISTS


def test_terminal_status_moves_and_listing_by_merchant(club):
    merchant = "M" + unique_terminal_id()
    terminals = [club.terminal(merchant_id=merchant) for _ in range(2)]
    listed = club.stub.ListTerminals(pb.ListTerminalsRequest(merchant_id=merchant)).terminals
    assert [t.terminal_id for t in listed] == [t.terminal_id for t in terminals]
    tid = terminals[0].terminal_id

    def move(status):
        return club.stub.ChangeTerminalStatus(pb.ChangeTerminalStatusRequest(terminal_id=tid, status=status,
                                                                             reason_code="ops"))
    assert move(pb.TERMINAL_STATUS_BLOCKED).status == pb.TERMINAL_STATUS_BLOCKED
    assert move(pb.TERMINAL_STATUS_ACTIVE).status == pb.TERMINAL_STATUS_ACTIVE
    assert move(pb.TERMINAL_STATUS_CLOSED).status == pb.TERMINAL_STATUS_CLOSED
    assert rpc_error(move, pb.TERMINAL_STATUS_ACTIVE).code() == grpc.StatusCode.FAILED_PRECONDITION
    assert club.stub.GetTerminal(pb.GetTerminalRequest(terminal_id=tid)).status == pb.TERMINAL_STATUS_CLOSED
