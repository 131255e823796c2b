"""Field checks shared by the handlers: each raises FieldError naming the field, never quoting
a secret value back."""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid

from services.shared.errors import FieldError
from services.shared.limits import CODE_LENGTH, TERMINAL_ID_LENGTH
from services.shared.validate import check_pan

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_NAME_LENGTH = 100
MAX_PREFERENCES = 50
MAX_PREFERENCE_VALUE = 256
MAX_CONSENTS = 50

CODE_RE = re.compile(rf"^[a-z0-9][a-z0-9_.-]{{0,{CODE_LENGTH - 1}}}$")  # segment, tier, channel, reason codes, purposes
CAMPAIGN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
PHONE_RE = re.compile(r"^\+?[0-9]{8,15}$")
NATIONAL_ID_RE = re.compile(r"^[0-9]{10}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
CARD_TOKEN_RE = re.compile(r"^ct_[a-z2-7]{26}$")
TERMINAL_ID_RE = re.compile(rf"^[A-Za-z0-9]{{{TERMINAL_ID_LENGTH}}}$")
MERCHANT_ID_RE = re.compile(r"^[A-Za-z0-9]{1,15}$")
DIGITS_RE = re.compile(r"^[0-9]+$")
YYMM_RE = re.compile(r"^[0-9]{2}(0[1-9]|1[0-2])$")


def code(value: str, field: str, required: bool = True) -> str:
    if not value:
        if required:
            raise FieldError(field, "is required")
        return ""
    if not CODE_RE.match(value):
        raise FieldError(field, f"must be 1-{CODE_LENGTH} lowercase letters, digits, '_', '-' or '.'")
    return value


def channel(value: str, field: str = "channel") -> str:
    """Who asked ("branch", "web", "cli"...); "api" when the caller does not say."""
    return code(value, field, required=False) or "api"


def uuid_text(value: str, field: str) -> str:
    if not value:
        raise FieldError(field, "is required")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise FieldError(field, "is not a valid id") from None


def card_token(value: str, field: str = "card_token") -> str:
    if not value:
        raise FieldError(field, "is required")
    if not CARD_TOKEN_RE.match(value):
        raise FieldError(field, "is not a card token")
    return value


def pan(value: str, field: str = "pan") -> str:
    """Digits of a plausible length; a Luhn failure is left to the caller (an unknown card)."""
    return check_pan(value, field)


def yymm(value: str, field: str) -> str:
    if not YYMM_RE.match(value):
        raise FieldError(field, "must be YYMM")
    return value


def terminal_id(value: str, field: str = "terminal_id") -> str:
    if not value:
        raise FieldError(field, "is required")
    if not TERMINAL_ID_RE.match(value):
        raise FieldError(field, f"must be exactly {TERMINAL_ID_LENGTH} letters or digits (field 41)")
    return value


def merchant_id(value: str, field: str = "merchant_id") -> str:
    if not value:
        raise FieldError(field, "is required")
    if not MERCHANT_ID_RE.match(value):
        raise FieldError(field, "must be 1-15 letters or digits (field 42)")
    return value


def name(value: str, field: str) -> str:
    value = value.strip()
    if len(value) > MAX_NAME_LENGTH:
        raise FieldError(field, f"must be at most {MAX_NAME_LENGTH} characters")
    return value


def phone(value: str, field: str = "phone") -> str:
    value = value.replace(" ", "")
    if value and not PHONE_RE.match(value):
        raise FieldError(field, "must be 8-15 digits, optionally with a leading +")
    return value


def national_id(value: str, field: str = "national_id") -> str:
    if value and not NATIONAL_ID_RE.match(value):
        raise FieldError(field, "must be 10 digits")
    return value


def email(value: str, field: str = "email") -> str:
    if value and not EMAIL_RE.match(value):
        raise FieldError(field, "is not an email address")
    return value


def birth_date(value: str, field: str = "birth_date") -> dt.date | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise FieldError(field, "must be YYYY-MM-DD") from None
    if day > dt.date.today() or day.year < 1900:
        raise FieldError(field, "must be a past date after 1900")
    return day


def preferences(values, field: str = "preferences") -> dict[str, str]:
    if len(values) > MAX_PREFERENCES:
        raise FieldError(field, f"at most {MAX_PREFERENCES} entries")
    for key, value in values.items():
        if not CODE_RE.match(key):
            raise FieldError(field, f"keys must be 1-{CODE_LENGTH} lowercase letters, digits, '_', '-' or '.'")
        if len(value) > MAX_PREFERENCE_VALUE:
            raise FieldError(field, f"values must be at most {MAX_PREFERENCE_VALUE} characters")
    return dict(values)


def consents(values, field: str = "consents") -> list[dict]:
    if len(values) > MAX_CONSENTS:
        raise FieldError(field, f"at most {MAX_CONSENTS} entries")
    now = dt.datetime.now(dt.UTC)
    result: dict[str, dict] = {}
    for consent in values:
        code(consent.purpose, f"{field}.purpose")
        at = consent.at.ToDatetime(dt.UTC) if consent.HasField("at") else now
        if at > now + dt.timedelta(minutes=5):
            raise FieldError(f"{field}.at", "must not be in the future")
        result[consent.purpose] = {"purpose": consent.purpose, "granted": consent.granted, "at": at.isoformat()}
    return list(result.values())


def page_size(value: int, field: str = "page_size") -> int:
    if value < 0 or value > MAX_PAGE_SIZE:
        raise FieldError(field, f"must be 0..{MAX_PAGE_SIZE} (0 = {DEFAULT_PAGE_SIZE})")
    return value or DEFAULT_PAGE_SIZE


def page_after(token: str, field: str = "page_token") -> int:
    """The position a page token stands for (0 = from the start)."""
    if not token:
        return 0
    try:
        position = int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().removeprefix("after:"))
    except ValueError:
        raise FieldError(field, "is not a token this service issued") from None
    if position <= 0:
        raise FieldError(field, "is not a token this service issued")
    return position


def page_token(rows: list[dict], size: int) -> str:
    """The token of the page after `rows` (fetched with LIMIT size + 1), or "" at the end."""
    if len(rows) <= size:
        return ""
    return base64.urlsafe_b64encode(f"after:{rows[size - 1]['seq']}".encode()).decode().rstrip("=")
