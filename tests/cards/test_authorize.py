"""AuthorizeCard: every response code from a real cause, the three ways to name a card, and
the Redis read model staying right through write-through, a flush and a restart."""

from __future__ import annotations

import datetime as dt

from services.gen.club.cards.v1 import cards_pb2 as pb
from services.gen.club.cards.v1 import cards_pb2_grpc
from tests.cards.helpers import PIN, Club, terminal_block_0, zone_block_0


def pin_purchase(club, issued, terminal, **fields):
    fields.setdefault("pin_block", terminal_block_0(PIN, issued.pan))
    fields.setdefault("pin_block_format", pb.PIN_BLOCK_FORMAT_ISO_0)
    return club.authorize(pan=issued.pan, terminal_id=terminal.terminal_id, **fields)


def test_approval_returns_everything_the_switch_needs(club, terminal):
    product = club.product(kind=pb.CARD_KIND_PREPAID)
    member = club.member(segment="student")
    issued = club.issue(product, member)
    club.stub.ActivateCard(pb.ActivateCardRequest(card_token=issued.card.card_token, pin=_zone(issued)))
    club.stub.SetMemberTier(pb.SetMemberTierRequest(member_id=member.member_id, tier="gold", reason="spend"))
    reply = pin_purchase(club, issued, terminal)
    assert reply.response_code == "00"
    assert (reply.card_token, reply.member_id, reply.product_id) == (issued.card.card_token, member.member_id,
                                                                     product.product_id)
    assert (reply.tier, reply.segment, reply.kind) == ("gold", "student", pb.CARD_KIND_PREPAID)
    assert reply.limits == product.limits and reply.merchant_id == terminal.merchant_id
    assert reply.masked_pan == issued.card.masked_pan


def _zone(issued):
    return zone_block_0(PIN, issued.pan)


def test_track2_and_card_token_name_the_card_too(club, product, terminal):
    issued = club.active_card(product)
    track2 = f"{issued.pan}={issued.card.expiry}1011234500000"
    by_track = club.authorize(track2=track2, terminal_id=terminal.terminal_id,
                              pin_block=terminal_block_0(PIN, issued.pan), pin_block_format=pb.PIN_BLOCK_FORMAT_ISO_0)
    by_token = club.authorize(card_token=issued.card.card_token, terminal_id=terminal.terminal_id,
                              pin_block=terminal_block_0(PIN, issued.pan), pin_block_format=pb.PIN_BLOCK_FORMAT_ISO_0)
    assert by_track.response_code == by_token.response_code == "00"
    assert by_track.card_token == by_token.card_token == issued.card.card_token


def test_14_unknown_card(club, terminal):
    unknown = "9999999999999995"  # passes Luhn, never issued
    assert club.authorize(pan=unknown, terminal_id=terminal.terminal_id).response_code == "14"
    assert club.authorize(pan="9999999999999994", terminal_id=terminal.terminal_id).response_code == "14"  # bad Luhn
    assert club.authorize(card_token="ct_" + "a" * 26).response_code == "14"


def test_54_expired_by_status_by_field_14_and_by_date(club, product, terminal, stack):
    issued = club.active_card(product)
    assert pin_purchase(club, issued, terminal, expiry="0101").response_code == "54"
    club.status(issued.card.card_token, pb.CARD_STATUS_EXPIRED)
    assert pin_purchase(club, issued, terminal).response_code == "54"
    # Time passes: a card past its expiry month (the profile is dropped and read back from Postgres).
    old = club.active_card(product)
    last_month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%y%m")
    with stack.pg() as conn:
        conn.execute("UPDATE cards.cards SET expiry = %s WHERE card_token = %s", (last_month, old.card.card_token))
    stack.redis().delete(*stack.redis().keys("cards:profile:*"))
    assert pin_purchase(club, old, terminal).response_code == "54"


def test_55_wrong_pin_and_pin_required_but_absent(club, product, terminal):
    issued = club.active_card(product)
    assert pin_purchase(club, issued, terminal, pin_block=terminal_block_0("0000", issued.pan)).response_code == "55"
    assert club.authorize(pan=issued.pan, terminal_id=terminal.terminal_id).response_code == "55"


def test_no_pin_needed_when_the_product_does_not_require_one(club, terminal):
    issued = club.active_card(club.product(pin_required=False, kind=pb.CARD_KIND_GIFT))
    assert club.authorize(pan=issued.pan, terminal_id=terminal.terminal_id).response_code == "00"


def test_57_processing_code_not_permitted(club, terminal):
    issued = club.active_card(club.product(allowed_processing=["00"]))
    assert pin_purchase(club, issued, terminal, processing_code="000000").response_code == "00"
    assert pin_purchase(club, issued, terminal, processing_code="200000").response_code == "57"


def test_58_unknown_or_blocked_terminal(club, product):
    issued = club.active_card(product)
    assert club.authorize(pan=issued.pan, terminal_id="NOSUCH01").response_code == "58"
    terminal = club.terminal()
    assert pin_purchase(club, issued, terminal).response_code == "00"
    club.stub.ChangeTerminalStatus(pb.ChangeTerminalStatusRequest(terminal_id=terminal.terminal_id,
                                                                  status=pb.TERMINAL_STATUS_BLOCKED, reason_code="mac_failures"))
    assert pin_purchase(club, issued, terminal).response_code == "58"


def test_61_over_the_per_transaction_limit(club, product, terminal):
    issued = club.active_card(product)
    limit = product.limits.per_transaction_amount
    assert pin_purchase(club, issued, terminal, amount=limit).response_code == "00"
    assert pin_purchase(club, issued, terminal, amount=limit + 1).response_code == "61"


def test_62_restricted_in_every_non_transacting_status(club, product, terminal):
    issued = club.issue(product)
    assert pin_purchase(club, issued, terminal).response_code == "62"  # not yet active
    for status in (pb.CARD_STATUS_SUSPENDED, pb.CARD_STATUS_LOST, pb.CARD_STATUS_STOLEN, pb.CARD_STATUS_CLOSED):
        card = club.active_card(product)
        if status != pb.CARD_STATUS_SUSPENDED:
            club.status(card.card.card_token, pb.CARD_STATUS_SUSPENDED)
        club.status(card.card.card_token, status)
        assert pin_purchase(club, card, terminal).response_code == "62", pb.CardStatus.Name(status)


def test_05_wrong_cvv2(club, terminal):
    issued = club.active_card(club.product(pin_required=False))
    assert club.authorize(pan=issued.pan, cvv2=issued.cvv2, terminal_id=terminal.terminal_id).response_code == "00"
    wrong = f"{(int(issued.cvv2) + 1) % 1000:03d}"
    assert club.authorize(pan=issued.pan, cvv2=wrong, terminal_id=terminal.terminal_id).response_code == "05"


def test_write_through_tier_and_status_changes_are_seen_at_once(club, product, terminal):
    member = club.member()
    issued = club.issue(product, member)
    club.stub.ActivateCard(pb.ActivateCardRequest(card_token=issued.card.card_token, pin=_zone(issued)))
    club.stub.SetMemberTier(pb.SetMemberTierRequest(member_id=member.member_id, tier="platinum"))
    club.stub.UpdateMember(pb.UpdateMemberRequest(member_id=member.member_id, update_fields=["segment"],
                                                  values=pb.RegisterMemberRequest(segment="staff")))
    reply = pin_purchase(club, issued, terminal)
    assert (reply.tier, reply.segment) == ("platinum", "staff")
    club.status(issued.card.card_token, pb.CARD_STATUS_SUSPENDED)
    assert pin_purchase(club, issued, terminal).response_code == "62"
    club.status(issued.card.card_token, pb.CARD_STATUS_ACTIVE)
    assert pin_purchase(club, issued, terminal).response_code == "00"


def test_redis_flushed_or_restarted_empty_answers_stay_right(isolated_stack):
    own = isolated_stack()
    with own.channel("cards") as channel:
        club = Club(cards_pb2_grpc.CardServiceStub(channel))
        product, terminal = club.product(), club.terminal()
        good = club.active_card(product)
        member = club.member()
        tiered = club.issue(product, member)
        club.stub.ActivateCard(pb.ActivateCardRequest(card_token=tiered.card.card_token, pin=_zone(tiered)))
        club.stub.SetMemberTier(pb.SetMemberTierRequest(member_id=member.member_id, tier="silver"))
        suspended = club.active_card(product)
        club.status(suspended.card.card_token, pb.CARD_STATUS_SUSPENDED)

        def answers():
            return (pin_purchase(club, good, terminal).response_code,
                    pin_purchase(club, tiered, terminal).tier,
                    pin_purchase(club, suspended, terminal).response_code,
                    club.authorize(card_token=good.card.card_token, terminal_id=terminal.terminal_id,
                                   pin_block=terminal_block_0(PIN, good.pan),
                                   pin_block_format=pb.PIN_BLOCK_FORMAT_ISO_0).response_code)

        expected = ("00", "silver", "62", "00")
        assert answers() == expected
        own.redis().flushall()
        assert answers() == expected  # profiles read back from Postgres on a miss
        own.redis_server.restart_empty()
        own.services["cards"].restart()  # a restart rebuilds every profile before serving
        assert own.redis().exists("cards:profiles:epoch")
        assert own.redis().exists(f"cards:terminal:{{{terminal.terminal_id}}}")
        assert answers() == expected
        log = own.services["cards"].log_text()
        assert "rebuilding card auth profiles" in log and "card auth profiles rebuilt" in log
