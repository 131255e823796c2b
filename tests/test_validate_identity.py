"""A member's phone and national id as she types them: services/shared/validate.py."""

from __future__ import annotations

import pytest

from services.shared.errors import FieldError
from services.shared.persian import ascii_digits
from services.shared.validate import check_mobile, check_national_id


@pytest.mark.parametrize("typed", ["09121234567", "۰۹۱۲۱۲۳۴۵۶۷", "٠٩١٢١٢٣٤٥٦٧", "+989121234567", "00989121234567",
                                   "989121234567", "9121234567", "0912 123 4567", "0912-123-4567"])
def test_a_mobile_number_however_typed_is_09_and_nine_digits(typed):
    assert check_mobile(typed) == "09121234567"


@pytest.mark.parametrize("typed", ["", "12345", "02112345678", "0912123456", "091212345678", "+449121234567",
                                   "0912abc4567", "٠٩١٢١٢٣٤٥٦x"])
def test_anything_else_is_refused_naming_the_field(typed):
    with pytest.raises(FieldError) as info:
        check_mobile(typed, "phone")
    assert info.value.field == "phone"
    assert not typed or typed not in info.value.message  # the value is not quoted back


@pytest.mark.parametrize("typed, stored", [("0499370899", "0499370899"), ("۰۴۹۹۳۷۰۸۹۹", "0499370899"),
                                           ("0084575948", "0084575948"), ("", "")])
def test_a_national_id_with_its_check_digit(typed, stored):
    assert check_national_id(typed) == stored


@pytest.mark.parametrize("typed, why", [("0499370898", "check digit"), ("1111111111", "check digit"),
                                        ("049937089", "10 digits"), ("04993708990", "10 digits"),
                                        ("04993a0899", "10 digits")])
def test_a_wrong_national_id_says_why(typed, why):
    with pytest.raises(FieldError) as info:
        check_national_id(typed, "national_id")
    assert info.value.field == "national_id" and why in info.value.message


def test_a_national_id_may_be_required():
    with pytest.raises(FieldError, match="is required"):
        check_national_id("", required=True)


def test_persian_and_arabic_digits_read_as_ascii():
    assert ascii_digits("کد ۱۲۳ و ٤٥٦ و 789") == "کد 123 و 456 و 789"
