"""Jinja filters over services/shared/persian.py: the portal formats nothing itself.

Every number a person reads goes through one of these (Persian digits, grouped), every instant
through `when`/`day` (Jalali, in the club's time zone), every amount through `amount` (rials, or
tomans where CLUB_PORTAL_AMOUNTS says so).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import jinja2
from google.protobuf.timestamp_pb2 import Timestamp

from services.shared import persian

TIME_ZONE = persian.DEFAULT_TIME_ZONE


def instant(value) -> dt.datetime | None:
    """A proto Timestamp (unset = None), an aware datetime, or an ISO text with its offset."""
    if value is None or value == "":
        return None
    if isinstance(value, Timestamp):
        if not value.seconds and not value.nanos:
            return None
        return value.ToDatetime(tzinfo=dt.UTC)
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def day(value, now: dt.datetime | None = None) -> str:
    """«۱۵ فروردین» (with the year when not this year); "" when unset."""
    at = instant(value)
    return persian.date(at, now or dt.datetime.now(dt.UTC), TIME_ZONE) if at else ""


def when(value, now: dt.datetime | None = None) -> str:
    """«۱۵ فروردین، ساعت ۱۴:۳۰» in Tehran; "" when unset."""
    at = instant(value)
    if not at:
        return ""
    local = at.astimezone(ZoneInfo(TIME_ZONE))
    return f"{day(at, now)}، ساعت {persian.digits(f'{local:%H:%M}')}"


def amount_filter(default_units: str):
    """The `amount` filter: in the page's `amount_units` (a member's own choice) or the setting's."""

    @jinja2.pass_context
    def amount(context, value: int) -> str:
        units = context.get("amount_units") or default_units
        return persian.tomans(value) if units == "tomans" else persian.rials(value)

    return amount


def install(env, amounts: str) -> None:
    """Registers the filters on a Jinja environment."""
    env.filters.update({
        "digits": persian.digits,
        "number": persian.number,
        "rials": persian.rials,
        "amount": amount_filter(amounts),
        "percent": persian.percent,
        "tier": persian.tier_name,
        "day": day,
        "when": when,
    })
