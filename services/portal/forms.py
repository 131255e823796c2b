"""Reading what people type: Persian and Arabic digits taken as digits, and each field checked
with a Persian message naming it. A form with errors is shown again with them; nothing is sent."""

from __future__ import annotations

import re

from services.cards.validate import MAX_NAME_LENGTH as NAME_LENGTH
from services.shared import persian
from services.shared.errors import FieldError
from services.shared.limits import SIGNIN_CODE_DIGITS
from services.shared.validate import NATIONAL_ID_DIGITS, check_mobile, check_national_id

ONE_TIME_CODE = re.compile(f"^[0-9]{{{SIGNIN_CODE_DIGITS}}}$")

REQUIRED = "این خانه را پر کنید."


class Invalid(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


ascii_digits = persian.ascii_digits


def mobile(text: str) -> str:
    """09xxxxxxxxx however it was typed (services/shared/validate.py check_mobile)."""
    if not ascii_digits(text).strip():
        raise Invalid(REQUIRED)
    try:
        return check_mobile(text)
    except FieldError:
        raise Invalid("شمارهٔ همراه باید ۱۱ رقم باشد و با ۰۹ آغاز شود.") from None


def one_time_code(text: str) -> str:
    value = ascii_digits(text).strip()
    if not value:
        raise Invalid(REQUIRED)
    if not ONE_TIME_CODE.match(value):
        raise Invalid(f"کد {persian.number(SIGNIN_CODE_DIGITS)} رقمی پیامک‌شده را وارد کنید.")
    return value


def national_id(text: str) -> str:
    """Optional: "" when left empty; else its check digit must hold (check_national_id)."""
    try:
        return check_national_id(text)
    except FieldError:
        if not ascii_digits(text).strip().isdigit() or len(ascii_digits(text).strip()) != NATIONAL_ID_DIGITS:
            raise Invalid(f"کد ملی باید {persian.number(NATIONAL_ID_DIGITS)} رقم باشد.") from None
        raise Invalid("این کد ملی درست نیست؛ رقم‌ها را دوباره ببینید.") from None


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


def amount(text: str) -> int:
    """Optional rials (0 when empty), as typed with Persian digits and separators."""
    value = "".join(ch for ch in ascii_digits(text) if ch not in ",\u066c \u200c")
    if not value:
        return 0
    if not value.isdigit() or len(value) > 15:
        raise Invalid("مبلغ را به ریال و با رقم وارد کنید.")
    return int(value)
