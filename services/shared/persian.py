"""Persian text for members: digits, amounts, percentages, Jalali dates, tier names. Pure.

Numbers are integers only: an amount is never rounded here. A value with a fraction is given
as an integer and a scale (basis points, tenths of a toman) and written exactly, with the
Persian decimal separator. Dates are written in the club's time zone, so a purchase just after
midnight in Tehran gets Tehran's date, not UTC's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import jdatetime

DEFAULT_TIME_ZONE = "Asia/Tehran"
DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_TO_PERSIAN = str.maketrans("0123456789", DIGITS)
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"  # what some keyboards type for Persian digits
_TO_ASCII = str.maketrans(DIGITS + ARABIC_DIGITS, "0123456789" * 2)
THOUSANDS_SEPARATOR = "\u066c"  # «٬» ARABIC THOUSANDS SEPARATOR
DECIMAL_SEPARATOR = "\u066b"  # «٫» ARABIC DECIMAL SEPARATOR
PERCENT_SIGN = "\u066a"  # «٪» ARABIC PERCENT SIGN
MINUS_SIGN = "\u2212"  # a true minus: the hyphen reads as a dash in right-to-left text
LIST_SEPARATOR = "، "  # Persian comma
AND = " و "
RIAL = "ریال"
TOMAN = "تومان"
RIALS_PER_TOMAN = 10
TOMAN_PLACES = 1  # one rial is a tenth of a toman
PERCENT_PLACES = 2  # basis points: hundredths of a percent

# Jalali months, 1 = Farvardin.
MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
          "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
# ISO weekdays, 1 = Monday; the Persian week starts on Saturday (WEEK_ORDER).
WEEKDAYS = {1: "دوشنبه", 2: "سه‌شنبه", 3: "چهارشنبه", 4: "پنجشنبه", 5: "جمعه", 6: "شنبه", 7: "یکشنبه"}
WEEK_ORDER = (6, 7, 1, 2, 3, 4, 5)
PLURAL = "\u200cها"  # zero-width non-joiner + ها: «پنجشنبه‌ها»
# The Persian alphabet in its order, for sorting names as a Persian reader expects (code points
# put پ چ ژ ک گ ی after every Arabic letter). Arabic kaf and yeh sort as their Persian forms.
ALPHABET = "اآبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)} | {"ك": ALPHABET.index("ک"),
                                                                        "ي": ALPHABET.index("ی")}
# The club's tiers as members read them; a tier not listed is shown as given.
TIER_NAMES = {"bronze": "برنزی", "silver": "نقره‌ای", "gold": "طلایی", "platinum": "پلاتینی"}


def _integer(value: object, name: str = "value") -> int:
    # bool is an int in Python; True rials is a bug, not an amount.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return value


def digits(text: str | int) -> str:
    """ASCII digits as Persian digits; everything else unchanged."""
    return str(text).translate(_TO_PERSIAN)


def ascii_digits(text: str) -> str:
    """Persian (and Arabic-Indic) digits as ASCII digits, as a member may type them; the rest unchanged."""
    return text.translate(_TO_ASCII)


def number(value: int, places: int = 0) -> str:
    """`value / 10**places`, exactly, with Persian digits and thousands grouped: 1234567 ->
    «۱٬۲۳۴٬۵۶۷»; number(1250, 2) -> «۱۲٫۵». Trailing zeros of the fraction are dropped."""
    _integer(value)
    if _integer(places, "places") < 0:
        raise ValueError("places must not be negative")
    whole, fraction = divmod(abs(value), 10 ** places)
    text = f"{whole:,}".replace(",", THOUSANDS_SEPARATOR)
    if fraction:
        text += DECIMAL_SEPARATOR + f"{fraction:0{places}d}".rstrip("0")
    return (MINUS_SIGN if value < 0 else "") + digits(text)


def rials(amount: int) -> str:
    """«۲۰۰٬۰۰۰ ریال»."""
    return f"{number(amount)} {RIAL}"


def tomans(amount_rials: int) -> str:
    """An amount in rials written in tomans, exactly: 2000000 -> «۲۰۰٬۰۰۰ تومان», 12345 ->
    «۱٬۲۳۴٫۵ تومان» (never rounded)."""
    assert RIALS_PER_TOMAN == 10 ** TOMAN_PLACES
    return f"{number(amount_rials, TOMAN_PLACES)} {TOMAN}"


def percent(basis_points: int) -> str:
    """Basis points as a percentage: 1500 -> «۱۵٪», 1250 -> «۱۲٫۵٪»."""
    return number(basis_points, PERCENT_PLACES) + PERCENT_SIGN


def join(items: Iterable[str]) -> str:
    """«الف»، «الف و ب»، «الف، ب و ج»."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return LIST_SEPARATOR.join(items[:-1]) + AND + items[-1]


def _local(at: dt.datetime, time_zone: str) -> dt.datetime:
    if at.tzinfo is None:
        raise ValueError("a naive datetime has no place in time; give it a time zone")
    return at.astimezone(ZoneInfo(time_zone))


def jalali(at: dt.datetime, time_zone: str = DEFAULT_TIME_ZONE) -> jdatetime.date:
    """The Jalali date of instant `at` in `time_zone`."""
    return jdatetime.date.fromgregorian(date=_local(at, time_zone).date())


def date(at: dt.datetime, now: dt.datetime, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """«۱۵ فروردین» when `at` falls in the same Jalali year as `now`, else «۱۵ فروردین ۱۴۰۶»."""
    day, today = jalali(at, time_zone), jalali(now, time_zone)
    text = f"{digits(day.day)} {MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {digits(day.year)}"


def full_date(at: dt.datetime, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """The Jalali date with its year, for documents: «۱۵ فروردین ۱۴۰۵»."""
    day = jalali(at, time_zone)
    return f"{digits(day.day)} {MONTHS[day.month - 1]} {digits(day.year)}"


def date_time(at: dt.datetime, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """«۱۵ فروردین ۱۴۰۵، ساعت ۱۸:۴۵» (the clock in the zone, 24-hour, two-digit minutes)."""
    local = _local(at, time_zone)
    return f"{full_date(at, time_zone)}، ساعت {digits(f'{local.hour:02d}:{local.minute:02d}')}"


def clock(value: dt.time) -> str:
    """A time of day as said: 22:00 -> «۲۲», 09:30 -> «۹:۳۰»."""
    return digits(value.hour if not value.minute else f"{value.hour}:{value.minute:02d}")


def weekdays(days: Iterable[int]) -> str:
    """ISO weekdays as recurring days, in the order of the Persian week: {4, 5} ->
    «پنجشنبه‌ها و جمعه‌ها»."""
    chosen = set(days)
    unknown = chosen - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"ISO weekdays are 1..7, got {sorted(unknown)}")
    return join(WEEKDAYS[day] + PLURAL for day in WEEK_ORDER if day in chosen)


def sort_key(text: str) -> tuple[int, ...]:
    """Persian alphabetical order; other characters after the letters, by code point."""
    return tuple(_LETTER_RANK.get(char, len(ALPHABET) + ord(char)) for char in text)


def tier_name(tier: str) -> str:
    """«طلایی» for gold; a tier with no Persian name is shown as given."""
    return TIER_NAMES.get(tier, tier)
