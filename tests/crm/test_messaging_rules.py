"""The outbox's rules as pure functions: quiet hours, backoff, templates, the SMS adapter's
handling of errors and of its API key."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from services.crm import delivery, templates
from services.crm.sms import Kavenegar, ProviderError
from services.gen.club.crm.v1 import crm_pb2 as pb
from services.shared.errors import FieldError
from tests.crm.gateways import SmsGateway

TEHRAN = ZoneInfo("Asia/Tehran")
NIGHT = delivery.quiet_hours("22:00-08:00")


def at(hour: int, minute: int = 0, day: int = 1) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=TEHRAN)


@pytest.mark.parametrize(("now", "until"), [
    (at(21, 59), None),
    (at(22, 0), at(8, 0, day=2)),
    (at(23, 30), at(8, 0, day=2)),
    (at(0, 15), at(8, 0)),
    (at(7, 59), at(8, 0)),
    (at(8, 0), None),
    (at(13, 0), None),
])
def test_quiet_hours_pass_midnight(now, until):
    assert delivery.quiet_until(now.astimezone(dt.UTC), "Asia/Tehran", NIGHT) == until


def test_a_daytime_window_and_none():
    window = delivery.quiet_hours("12:00-14:00")
    assert delivery.quiet_until(at(13, 0), "Asia/Tehran", window) == at(14, 0)
    assert delivery.quiet_until(at(14, 0), "Asia/Tehran", window) is None
    assert delivery.quiet_until(at(23, 0), "Asia/Tehran", delivery.quiet_hours("")) is None
    for bad in ("late-early", "22:00", "08:00-08:00", "25:00-08:00"):
        with pytest.raises(ValueError):
            delivery.quiet_hours(bad)


def test_backoff_doubles_up_to_its_ceiling():
    assert [delivery.backoff(n) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert delivery.backoff(30) == delivery.RETRY_MAX_SECONDS


def test_templates_name_every_unknown_variable_and_refuse_malformed_ones():
    assert templates.fields("{name} و {name} و {amount}") == ["name", "amount"]
    with pytest.raises(FieldError, match="unknown variables: prize, code"):
        templates.render("{name} {prize} {code}", {"name": "سارا"})
    for bad in ("{0}", "{amount:,}", "{name!r}", "{", "   "):
        with pytest.raises(FieldError):
            templates.fields(bad)
    assert templates.render("{{ثابت}} {name}", {"name": "سارا"}) == "{ثابت} سارا"
    with pytest.raises(FieldError, match="the member's own"):
        templates.given([pb.Variable(name="name", text="x")], dt.datetime.now(dt.UTC), "Asia/Tehran")


def test_template_values_are_written_in_persian():
    values = templates.given([pb.Variable(name="a", rials=1_250_000), pb.Variable(name="n", number=1250)],
                             dt.datetime.now(dt.UTC), "Asia/Tehran")
    assert values == {"a": "۱٬۲۵۰٬۰۰۰ ریال", "n": "۱٬۲۵۰"}
    assert templates.sms_parts("ا" * 70) == 1 and templates.sms_parts("ا" * 71) == 2


def test_the_sms_adapter_retries_only_what_may_pass_and_never_shows_its_key():
    gateway = SmsGateway(api_key="secret-key-123")
    try:
        good = Kavenegar(gateway.url, "secret-key-123", "")
        assert asyncio.run(good.send(7, "09120000000", "سلام")).isdigit()
        assert asyncio.run(good.find(7)) and asyncio.run(good.find(8)) is None
        gateway.fail_next = 1
        with pytest.raises(ProviderError) as info:
            asyncio.run(good.send(9, "09120000000", "سلام"))
        assert info.value.retryable
        with pytest.raises(ProviderError) as info:
            asyncio.run(Kavenegar(gateway.url, "wrong-key-456", "").send(10, "09120000000", "سلام"))
        assert not info.value.retryable and "wrong-key-456" not in str(info.value)
    finally:
        gateway.close()
    with pytest.raises(ProviderError) as info:  # nothing listens there any more
        asyncio.run(Kavenegar(gateway.url, "secret-key-123", "", timeout=2).send(11, "0912", "x"))
    assert info.value.retryable and "secret-key-123" not in str(info.value)
