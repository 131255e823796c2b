"""Limits defined once (services/shared/limits.py): what the switch accepts is what the services
behind it accept. An API request with the longest channel and request id the switch takes goes
through end to end, and the import-time relations between the limits hold and can fail."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

import grpc
import pytest

from services.gen.club.switch.v1 import authorization_pb2 as pb
from services.gen.club.switch.v1 import authorization_pb2_grpc
from services.shared import limits
from tests.switch.helpers import new_id

ROOT = Path(__file__).resolve().parents[2]


def longest(prefix: str, length: int) -> str:
    """An id of exactly `length` characters: `prefix` repeated, ending in up to 32 random hex digits."""
    return (prefix * length + uuid.uuid4().hex)[-length:]


# ---- end to end -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api(club):
    return authorization_pb2_grpc.AuthorizationServiceStub(club.stack.channel("switch"))


@pytest.fixture(scope="module")
def online(club):
    """Card-not-present use: CVV2 instead of a PIN."""
    return club.new_product(pin_required=False)


def test_the_longest_channel_and_request_id_the_switch_accepts_are_approved(club, api, online):
    card = club.card(credit=1_000_000, product=online)
    channel = longest("c", limits.CHANNEL_LENGTH)
    request_id = longest("r", limits.REQUEST_ID_LENGTH)
    answer = api.Authorize(pb.AuthorizeRequest(
        request_id=request_id, channel=channel, type=pb.TRANSACTION_TYPE_PURCHASE, pan=card.pan, expiry=card.expiry,
        cvv2=card.cvv2, merchant_id=club.merchant_id, amount=200_000))
    assert answer.response_code == "00", answer.message
    assert answer.transaction_id == f"{channel}.{request_id}"
    assert club.balances(card.member_id).credit_available == 800_000
    sales = [amount for transfer_id, _, amount in club.ledger_rows(answer.transaction_id)
             if transfer_id.endswith(":sale")]
    assert sales == [200_000]
    record = api.GetTransaction(pb.GetTransactionRequest(transaction_id=answer.transaction_id))
    assert (record.channel, record.amount, record.response_code, record.state) == (channel, 200_000, "00", "approved")

    # The longest transaction id can be named as an original: refunded in part, then reversed.
    refund = api.Authorize(pb.AuthorizeRequest(
        request_id=longest("f", limits.REQUEST_ID_LENGTH), channel=channel, type=pb.TRANSACTION_TYPE_REFUND,
        pan=card.pan, expiry=card.expiry, cvv2=card.cvv2, merchant_id=club.merchant_id, amount=50_000,
        original_transaction_id=answer.transaction_id))
    assert refund.response_code == "00", refund.message
    reversal = api.Reverse(pb.ReverseRequest(request_id=longest("v", limits.REQUEST_ID_LENGTH),
                                             original_transaction_id=answer.transaction_id))
    assert reversal.response_code == "00", reversal.message
    assert api.GetTransaction(pb.GetTransactionRequest(transaction_id=answer.transaction_id)).state == "reversed"
    assert club.balances(card.member_id).credit_available == 1_000_000


@pytest.mark.parametrize("field", ["channel", "request_id"])
def test_one_character_more_is_refused_by_the_switch_itself(club, api, online, field):
    card = club.card(credit=0, product=online)
    ids = {"channel": "mobile", "request_id": new_id()}
    ids[field] = "x" * ({"channel": limits.CHANNEL_LENGTH, "request_id": limits.REQUEST_ID_LENGTH}[field] + 1)
    with pytest.raises(grpc.RpcError) as info:
        api.Authorize(pb.AuthorizeRequest(type=pb.TRANSACTION_TYPE_PURCHASE, pan=card.pan, expiry=card.expiry,
                                          cvv2=card.cvv2, merchant_id=club.merchant_id, amount=1_000, **ids))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details().startswith(field + ":"), info.value.details()


# ---- the relations ----------------------------------------------------------------------------


def test_every_id_the_switch_makes_fits_what_wallet_and_tasheem_accept():
    from services.gen.club.tasheem.v1 import tasheem_pb2
    from services.shared.errors import FieldError
    from services.shared.validate import check_id
    from services.switch import flows
    from services.tasheem import quote

    api_id = "c" * limits.CHANNEL_LENGTH + "." + "r" * limits.REQUEST_ID_LENGTH
    iso_id = flows.iso_transaction_id("T" * limits.TERMINAL_ID_LENGTH, dt.datetime(2031, 12, 31, 23, 59, 59),
                                      "9" * limits.STAN_LENGTH)
    assert (len(api_id), len(iso_id)) == (limits.API_TRANSACTION_ID_LENGTH, limits.ISO_TRANSACTION_ID_LENGTH)
    for made in (api_id, iso_id):
        for suffix in ("", *limits.SWITCH_SUFFIXES):
            sent = made + suffix
            assert len(sent) <= limits.TRANSACTION_ID_LENGTH
            check_id(sent, "transaction_id", limits.TRANSACTION_ID_LENGTH)  # as wallet checks its transaction ids
            quote.check_request(tasheem_pb2.QuoteRequest(transaction_id=sent, merchant_id="M1", amount=1, reserve=True))
    with pytest.raises(FieldError):
        check_id("t" * (limits.TRANSACTION_ID_LENGTH + 1), "transaction_id", limits.TRANSACTION_ID_LENGTH)


def test_the_switch_appends_only_the_suffixes_limits_names():
    """A suffix the switch appends to a transaction id must be in SWITCH_SUFFIXES, or the
    relations in limits.py say nothing about it."""
    appended = re.compile(r"""transaction_id\s*\+\s*["']([^"']+)["']"""
                          r"""|f["']\{[\w.\[\]'"]*transaction_id[\]'"]*\}([^"'{]+)["']""")
    found = {match.group(1) or match.group(2)
             for path in sorted((ROOT / "services" / "switch").rglob("*.py"))
             for match in appended.finditer(path.read_text())}
    assert appended.search('reversal_id=transaction_id + ".void"')  # the pattern sees what it should
    assert found <= set(limits.SWITCH_SUFFIXES), found - set(limits.SWITCH_SUFFIXES)


def test_the_import_time_relations_fail_when_broken():
    """The asserts in limits.py are real checks: make what wallet and tasheem accept shorter
    than what the switch sends and the module no longer imports."""
    source = (ROOT / "services" / "shared" / "limits.py").read_text()
    exec(compile(source, "limits.py", "exec"), {})  # as written: imports
    broken = re.sub(r"^TRANSACTION_ID_LENGTH = .*$", f"TRANSACTION_ID_LENGTH = {limits.API_TRANSACTION_ID_LENGTH}",
                    source, count=1, flags=re.MULTILINE)
    assert broken != source
    with pytest.raises(AssertionError):
        exec(compile(broken, "limits.py", "exec"), {})
