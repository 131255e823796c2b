"""Reading what people type: Persian and Arabic digits taken as digits, and each field checked
with a Persian message naming it. A form with errors is shown again with them; nothing is sent."""

from __future__ import annotations

import re

from services.shared import persian

_TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
MOBILE = re.compile(r"^09[0-9]{9}$")
NATIONAL_ID = re.compile(r"^[0-9]{10}$")
NAME_LENGTH = 100  # cards' longest name
ONE_TIME_CODE = re.compile(r"^[0-9]{4,8}$")

REQUIRED = "این خانه را پر کنید."


class Invalid(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def ascii_digits(text: str) -> str:
    return text.translate(_TO_ASCII)


def mobile(text: str) -> str:
    """09xxxxxxxxx from what was typed (Persian digits, spaces, +98 or 98 in front)."""
    value = re.sub(r"[\s\-]", "", ascii_digits(text))
    if not value:
        raise Invalid(REQUIRED)
    if value.startswith("+98"):
        value = "0" + value[3:]
    elif value.startswith("98") and len(value) == 12:
        value = "0" + value[2:]
    if not MOBILE.match(value):
        raise Invalid("شمارهٔ همراه باید ۱۱ رقم باشد و با ۰۹ آغاز شود.")
    return value


def one_time_code(text: str) -> str:
    value = ascii_digits(text).strip()
    if not value:
        raise Invalid(REQUIRED)
    if not ONE_TIME_CODE.match(value):
        raise Invalid("کد پیامک‌شده را همان‌گونه که آمده وارد کنید.")
    return value


def national_id_check_digit_ok(value: str) -> bool:
    """The Iranian national id's check digit: the weighted sum of the first nine digits (weights
    10..2) mod 11; a remainder under 2 is the check digit itself, else 11 minus it."""
    if not NATIONAL_ID.match(value) or len(set(value)) == 1:
        return False
    remainder = sum(int(digit) * (10 - index) for index, digit in enumerate(value[:9])) % 11
    check = remainder if remainder < 2 else 11 - remainder
    return int(value[9]) == check


def national_id(text: str) -> str:
    """Optional: "" when left empty."""
    value = ascii_digits(text).strip()
    if not value:
        return ""
    if not NATIONAL_ID.match(value):
        raise Invalid("کد ملی باید ۱۰ رقم باشد.")
    if not national_id_check_digit_ok(value):
        raise Invalid("این کد ملی درست نیست؛ رقم‌ها را دوباره ببینید.")
    return value


def name(text: str) -> str:
    value = text.strip()
    if not value:
        raise Invalid(REQUIRED)
    if len(value) > NAME_LENGTH or not value.isprintable():
        raise Invalid(f"حداکثر {persian.number(NAME_LENGTH)} نویسه، بی نویسه‌های ناپیدا.")
    return value


def free_text(text: str, limit: int, required: bool = True) -> str:
    """Text a person wrote, kept as written (line breaks allowed)."""
    if required and not text.strip():
        raise Invalid(REQUIRED)
    if len(text) > limit:
        raise Invalid(f"حداکثر {persian.number(limit)} نویسه.")
    if "\x00" in text:
        raise Invalid("نویسهٔ نادرست دارد.")
    return text


def choice(text: str, choices) -> str:
    if text not in choices:
        raise Invalid("یکی از گزینه‌ها را برگزینید.")
    return text


class Form:
    """Collects each field's value or its error: `form.take("phone", mobile)`."""

    def __init__(self, data):
        self.data = data
        self.values: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def raw(self, name: str) -> str:
        value = self.data.get(name, "")
        return value if isinstance(value, str) else ""

    def take(self, name: str, check, *args):
        raw = self.raw(name)
        self.values[name] = raw
        try:
            return check(raw, *args)
        except Invalid as error:
            self.errors[name] = error.message
            return None

    @property
    def ok(self) -> bool:
        return not self.errors



EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
COUPON_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{2,62}[A-Za-z0-9]$")  # tasheem drops spaces and dashes
TOKEN = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")


def email(text: str) -> str:
    """Optional: "" when left empty."""
    value = text.strip()
    if value and not EMAIL.match(value):
        raise Invalid("نشانی ایمیل درست نیست؛ مانند name@example.com")
    return value


def coupon_code(text: str) -> str:
    value = ascii_digits(text).strip()
    if not value:
        raise Invalid(REQUIRED)
    if not COUPON_CODE.match(value):
        raise Invalid("کد کوپن را همان‌گونه که آمده وارد کنید (حرف لاتین و رقم).")
    return value


def token(text: str) -> str:
    if not TOKEN.match(text):
        raise Invalid(REQUIRED)
    return text
