"""Persian text for members: digits, grouping, exact fractions, Jalali dates in Tehran."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from services.shared import persian

TEHRAN = ZoneInfo("Asia/Tehran")
UTC = dt.UTC
NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=TEHRAN)  # 11 Khordad 1404


def test_digits_are_persian_and_nothing_else_changes():
    assert persian.digits("0123456789") == "۰۱۲۳۴۵۶۷۸۹"
    assert persian.digits(1404) == "۱۴۰۴"
    assert persian.digits("کد 5411-A") == "کد ۵۴۱۱-A"


@pytest.mark.parametrize("value, text", [
    (0, "۰"), (7, "۷"), (999, "۹۹۹"), (1_000, "۱٬۰۰۰"), (200_000, "۲۰۰٬۰۰۰"),
    (1_234_567, "۱٬۲۳۴٬۵۶۷"), (-1_500, "−۱٬۵۰۰"),
])
def test_numbers_are_grouped_with_the_arabic_thousands_separator(value, text):
    assert persian.number(value) == text


def test_amounts_in_rials_and_tomans_are_exact():
    assert persian.rials(200_000) == "۲۰۰٬۰۰۰ ریال"
    assert persian.tomans(2_000_000) == "۲۰۰٬۰۰۰ تومان"
    assert persian.tomans(12_345) == "۱٬۲۳۴٫۵ تومان"  # a rial is a tenth of a toman: written, not rounded
    assert persian.tomans(5) == "۰٫۵ تومان"


@pytest.mark.parametrize("bp, text", [(1500, "۱۵٪"), (1250, "۱۲٫۵٪"), (1, "۰٫۰۱٪"), (10_000, "۱۰۰٪"), (5, "۰٫۰۵٪")])
def test_percentages_from_basis_points(bp, text):
    assert persian.percent(bp) == text


@pytest.mark.parametrize("value", [1.5, 200_000.0, "200000", True, None])
def test_only_integers_are_accepted_nothing_is_rounded(value):
    with pytest.raises(TypeError):
        persian.number(value)
    with pytest.raises(TypeError):
        persian.rials(value)


def test_nowruz_2025_is_1_farvardin_1404_in_tehran():
    day = persian.jalali(dt.datetime(2025, 3, 21, 0, 0, tzinfo=TEHRAN))
    assert (day.year, day.month, day.day) == (1404, 1, 1)
    assert persian.date(dt.datetime(2025, 3, 21, 12, 0, tzinfo=TEHRAN), NOW) == "۱ فروردین"


def test_the_date_is_tehrans_not_utcs():
    # 2025-03-20 21:00 UTC is 00:30 on 21 March in Tehran (+03:30): already the new year.
    assert persian.date(dt.datetime(2025, 3, 20, 21, 0, tzinfo=UTC), NOW) == "۱ فروردین"
    # Half an hour earlier it is still the last day of 1403, a leap year (30 Esfand).
    assert persian.date(dt.datetime(2025, 3, 20, 20, 29, tzinfo=UTC), NOW) == "۳۰ اسفند ۱۴۰۳"


def test_the_year_is_said_only_outside_the_current_year():
    assert persian.date(dt.datetime(2025, 4, 4, 12, tzinfo=TEHRAN), NOW) == "۱۵ فروردین"
    assert persian.date(dt.datetime(2026, 3, 20, 12, tzinfo=TEHRAN), NOW) == "۲۹ اسفند"  # 1404 ends here
    assert persian.date(dt.datetime(2027, 4, 4, 12, tzinfo=TEHRAN), NOW) == "۱۵ فروردین ۱۴۰۶"
    assert persian.date(dt.datetime(2024, 12, 21, 12, tzinfo=TEHRAN), NOW) == "۱ دی ۱۴۰۳"


def test_every_month_is_named():
    firsts = [persian.jalali(dt.datetime(2025, 3, 21, tzinfo=TEHRAN) + dt.timedelta(days=offset))
              for offset in (0, 31, 62, 93, 124, 155, 186, 216, 246, 276, 306, 336)]
    assert [(day.month, day.day) for day in firsts] == [(month, 1) for month in range(1, 13)]
    assert [persian.date(dt.datetime(2025, 3, 21, tzinfo=TEHRAN) + dt.timedelta(days=186), NOW)] == ["۱ مهر"]


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        persian.date(dt.datetime(2025, 3, 21), NOW)


def test_weekdays_in_the_order_of_the_persian_week_and_lists():
    assert persian.weekdays({5, 4}) == "پنجشنبه‌ها و جمعه‌ها"
    assert persian.weekdays({1, 6, 7}) == "شنبه‌ها، یکشنبه‌ها و دوشنبه‌ها"
    assert persian.join(["الف"]) == "الف" and persian.join([]) == ""
    with pytest.raises(ValueError):
        persian.weekdays({0})


def test_times_of_day_and_tier_names():
    assert persian.clock(dt.time(22, 0)) == "۲۲"
    assert persian.clock(dt.time(9, 30)) == "۹:۳۰"
    assert [persian.tier_name(t) for t in ("bronze", "silver", "gold", "platinum")] == \
        ["برنزی", "نقره‌ای", "طلایی", "پلاتینی"]
    assert persian.tier_name("diamond") == "diamond"


def test_names_sort_in_persian_alphabetical_order():
    names = ["نان سنگک برکت", "کبابی نایب", "پیتزا", "آش رشته", "بستنی", "گل‌فروشی", "یاس", "ابزار"]
    assert sorted(names, key=persian.sort_key) == \
        ["ابزار", "آش رشته", "بستنی", "پیتزا", "کبابی نایب", "گل‌فروشی", "نان سنگک برکت", "یاس"]
    assert persian.sort_key("كتاب") == persian.sort_key("کتاب")  # Arabic kaf sorts as the Persian one


def test_documents_give_the_full_date_and_the_clock_in_tehran():
    # 2025-03-20 20:45 UTC is 00:15 on 1 Farvardin 1404 in Tehran (UTC+03:30): Tehran's day and hour.
    at = dt.datetime(2025, 3, 20, 20, 45, tzinfo=dt.UTC)
    assert persian.full_date(at) == "۱ فروردین ۱۴۰۴"
    assert persian.date_time(at) == "۱ فروردین ۱۴۰۴، ساعت ۰۰:۱۵"
    with pytest.raises(ValueError):
        persian.date_time(dt.datetime(2025, 3, 20, 20, 45))
