"""Requests a client of tasheem would send, built with unique ids so tests never collide."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.tasheem import iban

TEHRAN = ZoneInfo("Asia/Tehran")


def uid(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex[:8].upper()


def merchant_id() -> str:
    return uid("M")  # 9 characters, within field 42's 15


def an_iban() -> str:
    return iban.with_check_digits("".join(random.choice("0123456789") for _ in range(22)))


def stamp(value: dt.datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(value.astimezone(dt.UTC))
    return result


def tehran(year, month, day, hour=12, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TEHRAN)


def share(party: str, bp: int = 0, fixed: int = 0, remainder: bool = False) -> pb.FundingRule:
    return pb.FundingRule(party_id=party, fixed_amount=fixed, remainder=remainder) if fixed else \
        pb.FundingRule(party_id=party, percent_bp=bp, remainder=remainder)


def offer(**overrides) -> pb.Offer:
    """A 10% stackable offer funded half by the bank, half by the club (remainder), scoped to nothing
    in particular: tests always narrow the scope (usually to their own merchant)."""
    values = dict(offer_id=uid("off-"), name="ده درصد تخفیف", campaign="spring",
                  discount=pb.Discount(percent_bp=1000), stacking=pb.STACKING_STACKABLE, priority=10,
                  funding=[share("bank", 5000), share("club", 5000, remainder=True)])
    values.update(overrides)
    return pb.Offer(**values)


def quote(merchant: str, amount: int, **fields) -> pb.QuoteRequest:
    if "at" in fields and isinstance(fields["at"], dt.datetime):
        fields["at"] = stamp(fields["at"])
    return pb.QuoteRequest(merchant_id=merchant, amount=amount, **fields)


def rpc_error(call, *args, **kwargs) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call(*args, **kwargs)
    return info.value


def funding_of(items) -> dict[str, int]:
    return {item.party_id: item.amount for item in items}
