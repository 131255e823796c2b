"""When an offer applies: its window (dates, days of week, time of day, time zone), and the
calendar periods per-member limits count in.

A time-of-day window may cross midnight (22:00-02:00). Days of week then name the day the
window *opens*: "Thursday 22:00-02:00" covers Thursday 22:00 to Friday 02:00 local time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIME_ZONE = "Asia/Tehran"
ALL_DAYS = frozenset(range(1, 8))  # ISO weekdays, 1 = Monday


class WindowError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise WindowError("time_zone", f"unknown time zone {name!r}") from None


def parse_time_of_day(text: str, field: str) -> dt.time:
    try:
        hours, minutes = text.split(":")
        assert len(hours) == 2 and len(minutes) == 2
        return dt.time(int(hours), int(minutes))
    except (ValueError, AssertionError):
        raise WindowError(field, f"must be HH:MM (00:00..23:59), got {text!r}") from None


@dataclass(frozen=True)
class Window:
    starts_at: dt.datetime | None = None  # inclusive
    ends_at: dt.datetime | None = None  # exclusive
    days: frozenset[int] = ALL_DAYS
    from_time: dt.time | None = None  # both or neither
    to_time: dt.time | None = None
    time_zone: str = DEFAULT_TIME_ZONE

    @property
    def crosses_midnight(self) -> bool:
        return self.from_time is not None and self.to_time < self.from_time

    def contains(self, at: dt.datetime) -> bool:
        if self.starts_at and at < self.starts_at:
            return False
        if self.ends_at and at >= self.ends_at:
            return False
        local = at.astimezone(zone(self.time_zone))
        if self.from_time is None:
            return local.isoweekday() in self.days
        clock = local.time().replace(tzinfo=None)
        if not self.crosses_midnight:
            return self.from_time <= clock < self.to_time and local.isoweekday() in self.days
        if clock >= self.from_time:
            return local.isoweekday() in self.days
        if clock < self.to_time:  # the early hours belong to the window opened the day before
            return (local - dt.timedelta(days=1)).isoweekday() in self.days
        return False

    def hour_ranges(self) -> list[tuple[int, int]]:
        """Minutes of the day covered, as half-open ranges (for overlap checks)."""
        if self.from_time is None:
            return [(0, 24 * 60)]
        start = self.from_time.hour * 60 + self.from_time.minute
        end = self.to_time.hour * 60 + self.to_time.minute
        return [(start, end)] if start < end else [(start, 24 * 60), (0, end)]

    def reach_days(self) -> frozenset[int]:
        """Weekdays on which the window may be open (a window crossing midnight reaches the next day)."""
        if not self.crosses_midnight:
            return self.days
        return self.days | frozenset(day % 7 + 1 for day in self.days)


def build(starts_at: dt.datetime | None, ends_at: dt.datetime | None, days: list[int], from_text: str,
          to_text: str, time_zone: str, field: str = "window") -> Window:
    """A checked Window, or WindowError naming the field."""
    if starts_at and ends_at and ends_at <= starts_at:
        raise WindowError(f"{field}.ends_at", "ends before (or when) the window starts")
    bad_days = [day for day in days if day not in ALL_DAYS]
    if bad_days:
        raise WindowError(f"{field}.days_of_week", f"ISO weekdays are 1 (Monday) .. 7 (Sunday), got {bad_days}")
    if bool(from_text) != bool(to_text):
        raise WindowError(f"{field}.to_time" if from_text else f"{field}.from_time",
                          "from_time and to_time go together")
    from_time = parse_time_of_day(from_text, f"{field}.from_time") if from_text else None
    to_time = parse_time_of_day(to_text, f"{field}.to_time") if to_text else None
    if from_time is not None and from_time == to_time:
        raise WindowError(f"{field}.to_time", "equals from_time; leave both empty for all day")
    name = time_zone or DEFAULT_TIME_ZONE
    try:
        zone(name)
    except WindowError:
        raise WindowError(f"{field}.time_zone", f"unknown time zone {name!r}") from None
    return Window(starts_at, ends_at, frozenset(days) or ALL_DAYS, from_time, to_time, name)


def _ranges_meet(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(x0 < y1 and y0 < x1 for x0, x1 in a for y0, y1 in b)


def overlap(a: Window, b: Window) -> bool:
    """Could both windows be open at the same instant? Errs towards yes (time zones differ: yes)."""
    if a.ends_at and b.starts_at and a.ends_at <= b.starts_at:
        return False
    if b.ends_at and a.starts_at and b.ends_at <= a.starts_at:
        return False
    if a.time_zone != b.time_zone:
        return True
    if not a.reach_days() & b.reach_days():
        return False
    return _ranges_meet(a.hour_ranges(), b.hour_ranges())


# ---------- limit periods ----------

DAY, WEEK, MONTH, CAMPAIGN = "day", "week", "month", "campaign"
PERIOD_SECONDS_TO_KEEP = {DAY: 2 * 86_400, WEEK: 8 * 86_400, MONTH: 32 * 86_400}  # Redis counter lifetimes


def period_keys(at: dt.datetime, time_zone: str) -> dict[str, str]:
    """The calendar periods `at` falls in, in the club's time zone: day, ISO week, month."""
    local = at.astimezone(zone(time_zone))
    year, week, _ = local.isocalendar()
    return {DAY: local.strftime("%Y%m%d"), WEEK: f"{year}w{week:02d}", MONTH: local.strftime("%Y%m"), CAMPAIGN: "all"}
