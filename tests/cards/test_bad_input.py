"""Bad input to every RPC: INVALID_ARGUMENT naming the field, and nothing changed."""

from __future__ import annotations

import hashlib
import types
import warnings

import grpc
import pytest
from cryptography.utils import CryptographyDeprecationWarning

from services.gen.club.cards.v1 import cards_pb2 as pb
from services.shared import batching
from tests.cards.helpers import PIN, member_request, product_request, zone_block_0

TABLES = ("members", "products", "bin_ranges", "cards", "card_events", "bulk_batches", "terminals", "terminal_events")
GOOD_BLOCK = pb.PinBlock(block=bytes(8), format=pb.PIN_BLOCK_FORMAT_ISO_0)


@pytest.fixture(scope="module")
def world(club, product, terminal):
    with warnings.catch_warnings():  # psec's TDES warnings, outside the per-test filter
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        issued = club.active_card(product)
    return types.SimpleNamespace(member=club.member(), product=product, terminal=terminal, issued=issued,
                                 token=issued.card.card_token, pan=issued.pan)


def product_with(**overrides):
    return lambda w: product_request(**overrides)


def limits(**values):
    return pb.ProductLimits(**values)


# (rpc, request built from the world, the field the error must name)
CASES = [
    ("RegisterMember", lambda w: pb.RegisterMemberRequest(first_name="Ali"), "phone"),
    ("RegisterMember", lambda w: member_request(phone="12ab"), "phone"),
    ("RegisterMember", lambda w: member_request(national_id="123"), "national_id"),
    ("RegisterMember", lambda w: member_request(first_name="", last_name=""), "first_name"),
    ("RegisterMember", lambda w: member_request(email="not-an-email"), "email"),
    ("RegisterMember", lambda w: member_request(birth_date="1990-13-01"), "birth_date"),
    ("RegisterMember", lambda w: member_request(segment="Not A Code"), "segment"),
    ("RegisterMember", lambda w: member_request(consents=[pb.Consent(purpose="", granted=True)]), "consents.purpose"),
    ("RegisterMember", lambda w: member_request(preferences={"Bad Key": "x"}), "preferences"),
    ("GetMember", lambda w: pb.GetMemberRequest(), "member_id"),
    ("GetMember", lambda w: pb.GetMemberRequest(member_id="m-1"), "member_id"),
    ("UpdateMember", lambda w: pb.UpdateMemberRequest(member_id=w.member.member_id), "update_fields"),
    ("UpdateMember", lambda w: pb.UpdateMemberRequest(member_id=w.member.member_id, update_fields=["colour"]),
     "update_fields"),
    ("UpdateMember", lambda w: pb.UpdateMemberRequest(member_id=w.member.member_id, update_fields=["email"],
                                                      values=pb.RegisterMemberRequest(email="x")), "values.email"),
    ("UpdateMember", lambda w: pb.UpdateMemberRequest(member_id=w.member.member_id, update_fields=["phone"]),
     "values.phone"),
    ("UpdateMember", lambda w: pb.UpdateMemberRequest(update_fields=["email"]), "member_id"),
    ("ListMembers", lambda w: pb.ListMembersRequest(page_size=-1), "page_size"),
    ("ListMembers", lambda w: pb.ListMembersRequest(page_token="!!"), "page_token"),
    ("ListMembers", lambda w: pb.ListMembersRequest(phone="x"), "phone"),
    ("SetMemberTier", lambda w: pb.SetMemberTierRequest(member_id=w.member.member_id), "tier"),
    ("SetMemberTier", lambda w: pb.SetMemberTierRequest(member_id="x", tier="gold"), "member_id"),
    ("CreateProduct", product_with(name=""), "name"),
    ("CreateProduct", product_with(bin="12345"), "bin"),
    ("CreateProduct", product_with(bin="60379A"), "bin"),
    ("CreateProduct", product_with(pan_length=15), "pan_length"),
    ("CreateProduct", product_with(kind=pb.CARD_KIND_UNSPECIFIED), "kind"),
    ("CreateProduct", product_with(currency="IRR"), "currency"),
    ("CreateProduct", product_with(validity_months=0), "validity_months"),
    ("CreateProduct", product_with(service_code="1"), "service_code"),
    ("CreateProduct", product_with(limits=limits(per_transaction_amount=-1)), "limits.per_transaction_amount"),
    ("CreateProduct", product_with(limits=limits(daily_count=-1)), "limits.daily_count"),
    ("CreateProduct", product_with(allowed_processing=["0"]), "allowed_processing"),
    ("GetProduct", lambda w: pb.GetProductRequest(), "product_id"),
    ("ListProducts", lambda w: pb.ListProductsRequest(page_size=100_000), "page_size"),
    ("IssueCard", lambda w: pb.IssueCardRequest(product_id=w.product.product_id), "member_id"),
    ("IssueCard", lambda w: pb.IssueCardRequest(member_id=w.member.member_id, product_id="p"), "product_id"),
    ("IssueCard", lambda w: pb.IssueCardRequest(member_id=w.member.member_id, product_id=w.product.product_id,
                                                campaign="bad campaign!"), "campaign"),
    ("IssueCard", lambda w: pb.IssueCardRequest(member_id=w.member.member_id, product_id=w.product.product_id,
                                                channel="Web Site"), "channel"),
    ("BulkIssueCards", lambda w: pb.BulkIssueCardsRequest(product_id=w.product.product_id, campaign="c1", count=2,
                                                          member_ids=[w.member.member_id]), "count"),
    ("BulkIssueCards", lambda w: pb.BulkIssueCardsRequest(product_id=w.product.product_id, campaign="c1"), "count"),
    ("BulkIssueCards", lambda w: pb.BulkIssueCardsRequest(product_id=w.product.product_id, campaign="c1",
                                                          count=1_000_000), "count"),
    ("BulkIssueCards", lambda w: pb.BulkIssueCardsRequest(product_id=w.product.product_id, count=2), "campaign"),
    ("BulkIssueCards", lambda w: pb.BulkIssueCardsRequest(product_id=w.product.product_id, campaign="c1",
                                                          member_ids=["x"]), "member_ids"),
    ("BulkIssueCards", lambda w: pb.BulkIssueCardsRequest(campaign="c1", count=2), "product_id"),
    ("GetCard", lambda w: pb.GetCardRequest(), "card_token"),
    ("GetCard", lambda w: pb.GetCardRequest(pan="12"), "pan"),
    ("GetCard", lambda w: pb.GetCardRequest(card_token="4111111111111111"), "card_token"),
    ("ListCards", lambda w: pb.ListCardsRequest(member_id="m"), "member_id"),
    ("ListCards", lambda w: pb.ListCardsRequest(page_token="zz"), "page_token"),
    ("ActivateCard", lambda w: pb.ActivateCardRequest(card_token=w.token), "pin"),
    ("ActivateCard", lambda w: pb.ActivateCardRequest(pin=GOOD_BLOCK), "card_token"),
    ("ActivateCard", lambda w: pb.ActivateCardRequest(card_token=w.token, pin=pb.PinBlock(block=bytes(8))),
     "pin.format"),
    ("ActivateCard", lambda w: pb.ActivateCardRequest(card_token=w.token, pin=pb.PinBlock(
        block=bytes(8), format=pb.PIN_BLOCK_FORMAT_ISO_4)), "pin.block"),
    ("ActivateCard", lambda w: pb.ActivateCardRequest(card_token=w.token, pin=pb.PinBlock(
        block=bytes(8), format=pb.PIN_BLOCK_FORMAT_ISO_0, terminal_id="T1")), "pin.terminal_id"),
    ("ChangeCardStatus", lambda w: pb.ChangeCardStatusRequest(card_token=w.token, reason_code="x"), "status"),
    ("ChangeCardStatus", lambda w: pb.ChangeCardStatusRequest(card_token=w.token, status=pb.CARD_STATUS_SUSPENDED),
     "reason_code"),
    ("ChangeCardStatus", lambda w: pb.ChangeCardStatusRequest(card_token="ct_x", status=pb.CARD_STATUS_SUSPENDED,
                                                              reason_code="x"), "card_token"),
    ("ReplaceCard", lambda w: pb.ReplaceCardRequest(card_token=w.token), "reason_code"),
    ("ReplaceCard", lambda w: pb.ReplaceCardRequest(reason_code="damaged"), "card_token"),
    ("ChangePin", lambda w: pb.ChangePinRequest(card_token=w.token, old_pin=zone_block_0(PIN, w.pan)), "new_pin"),
    ("ChangePin", lambda w: pb.ChangePinRequest(card_token=w.token, new_pin=zone_block_0(PIN, w.pan),
                                                old_pin=pb.PinBlock(block=bytes(5), format=pb.PIN_BLOCK_FORMAT_ISO_0)),
     "old_pin.block"),
    ("ResetPinTries", lambda w: pb.ResetPinTriesRequest(card_token=w.token), "reason_code"),
    ("ListCardEvents", lambda w: pb.ListCardEventsRequest(), "card_token"),
    ("ListCardEvents", lambda w: pb.ListCardEventsRequest(card_token=w.token, page_size=-5), "page_size"),
    ("AuthorizeCard", lambda w: pb.AuthorizeCardRequest(processing_code="000000"), "pan"),
    ("AuthorizeCard", lambda w: pb.AuthorizeCardRequest(pan="41111x", processing_code="000000"), "pan"),
    ("AuthorizeCard", lambda w: pb.AuthorizeCardRequest(track2="nonsense", processing_code="000000"), "track2"),
    ("AuthorizeCard", lambda w: pb.AuthorizeCardRequest(pan=w.pan, expiry="2713", processing_code="000000"), "expiry"),
    ("AuthorizeCard", lambda w: pb.AuthorizeCardRequest(pan=w.pan, processing_code="00"), "processing_code"),
    ("AuthorizeCard", lambda w: pb.AuthorizeCardRequest(pan=w.pan, processing_code="000000", amount=-1), "amount"),
    ("AuthorizeCard", lambda w: pb.AuthorizeCardRequest(pan=w.pan, processing_code="000000", cvv2="12"), "cvv2"),
    ("AuthorizeCard", lambda w: pb.AuthorizeCardRequest(pan=w.pan, processing_code="000000", terminal_id="T1"),
     "terminal_id"),
    ("AuthorizeCard", lambda w: pb.AuthorizeCardRequest(pan=w.pan, processing_code="000000", pin_block=bytes(8),
                                                        terminal_id=w.terminal.terminal_id), "pin_block_format"),
    ("AuthorizeCard", lambda w: pb.AuthorizeCardRequest(pan=w.pan, processing_code="000000", pin_block=bytes(8),
                                                        pin_block_format=pb.PIN_BLOCK_FORMAT_ISO_0), "terminal_id"),
    ("AuthorizeCards", lambda w: pb.AuthorizeCardsRequest(
        items=[pb.AuthorizeCardRequest(pan=w.pan, processing_code="000000")] * (batching.MAX_BATCH_ITEMS + 1)), "items"),
    ("RegisterTerminal", lambda w: pb.RegisterTerminalRequest(terminal_id="T1", merchant_id="M1"), "terminal_id"),
    ("RegisterTerminal", lambda w: pb.RegisterTerminalRequest(terminal_id="TNEW0001"), "merchant_id"),
    ("RegisterTerminal", lambda w: pb.RegisterTerminalRequest(terminal_id="TNEW0001", merchant_id="M" * 16),
     "merchant_id"),
    ("RegisterTerminal", lambda w: pb.RegisterTerminalRequest(terminal_id="TNEW0001", merchant_id="M1",
                                                              pin_key="zz"), "pin_key"),
    ("RegisterTerminal", lambda w: pb.RegisterTerminalRequest(terminal_id="TNEW0001", merchant_id="M1",
                                                              pin_key="0123456789ABCDEF" * 2), "pin_key"),
    ("RegisterTerminal", lambda w: pb.RegisterTerminalRequest(terminal_id="TNEW0001", merchant_id="M1",
                                                              mac_key="0123"), "mac_key"),
    ("GetTerminal", lambda w: pb.GetTerminalRequest(), "terminal_id"),
    ("ListTerminals", lambda w: pb.ListTerminalsRequest(merchant_id="bad id!"), "merchant_id"),
    ("ChangeTerminalStatus", lambda w: pb.ChangeTerminalStatusRequest(terminal_id=w.terminal.terminal_id,
                                                                      reason_code="x"), "status"),
    ("ChangeTerminalStatus", lambda w: pb.ChangeTerminalStatusRequest(terminal_id=w.terminal.terminal_id,
                                                                      status=pb.TERMINAL_STATUS_BLOCKED), "reason_code"),
    ("ChangeTerminalKeys", lambda w: pb.ChangeTerminalKeysRequest(terminal_id=w.terminal.terminal_id, pin_key="00"),
     "pin_key"),
    ("ChangeTerminalKeys", lambda w: pb.ChangeTerminalKeysRequest(terminal_id="x"), "terminal_id"),
    ("GetTerminalKeys", lambda w: pb.GetTerminalRequest(terminal_id="123"), "terminal_id"),
]


def test_every_rpc_has_a_bad_input_case():
    rpcs = {method.name for method in pb.DESCRIPTOR.services_by_name["CardService"].methods}
    assert rpcs == {rpc for rpc, _, _ in CASES}


def fingerprint(stack) -> dict[str, str]:
    with stack.pg() as conn:
        return {table: hashlib.sha256(str(conn.execute(
            f"SELECT t::text FROM cards.{table} t ORDER BY 1").fetchall()).encode()).hexdigest() for table in TABLES}


@pytest.mark.parametrize(("rpc", "build", "field"), CASES, ids=[f"{rpc}-{field}-{i}" for i, (rpc, _, field) in
                                                                enumerate(CASES)])
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(stub, stack, world, rpc, build, field):
    request = build(world)
    before = fingerprint(stack)
    with pytest.raises(grpc.RpcError) as info:
        result = getattr(stub, rpc)(request)
        if rpc == "BulkIssueCards":
            list(result)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT, info.value.details()
    assert info.value.details().startswith(f"{field}:"), info.value.details()
    assert fingerprint(stack) == before
