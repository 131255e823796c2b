"""Instants: stored in UTC, shown in the club's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from google.protobuf.timestamp_pb2 import Timestamp


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(value: dt.datetime | None) -> Timestamp | None:
    if value is None:
        return None
    result = Timestamp()
    result.FromDatetime(value.astimezone(dt.UTC))
    return result


def local(value: dt.datetime, zone: str) -> str:
    """e.g. 2025-06-01T19:30:00+03:30 for Asia/Tehran."""
    return value.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
