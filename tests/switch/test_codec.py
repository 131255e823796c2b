"""Codec and money-rule properties of the switch's ISO 8583 layer (hypothesis)."""

from __future__ import annotations

import datetime as dt

import iso8583
import psec.mac
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.switch import flows
from services.switch.admission import Admission
from services.switch.iso import fields, framing, mac, spec

digits = st.text("0123456789", min_size=1, max_size=1)


@given(st.lists(st.builds(fields.AdditionalAmount, st.sampled_from(["00", "90"]), st.sampled_from(["02", "41", "42"]),
                          st.sampled_from(["364", "000"]), st.integers(-(10**12) + 1, 10**12 - 1)), max_size=6))
def test_additional_amounts_round_trip(blocks):
    assert fields.parse_additional_amounts(fields.additional_amounts(blocks)) == blocks


@given(st.text("0123456789", min_size=4, max_size=4), st.text("0123456789", min_size=6, max_size=6),
       st.text("0123456789", min_size=10, max_size=10))
def test_original_data_round_trips(mti, stan, transmitted):
    original = fields.OriginalData(mti, stan, transmitted)
    assert fields.OriginalData.parse(str(original)) == original


@given(st.text(max_size=60).filter(lambda v: not (len(v) == 42 and v.isdigit())))
def test_original_data_refuses_anything_else(value):
    with pytest.raises(fields.FieldFormatError) as info:
        fields.OriginalData.parse(value)
    assert info.value.field == "90"


@given(st.binary(max_size=framing.MAX_FRAME_BYTES), st.sampled_from(framing.HEADER_KINDS))
def test_framing_round_trips(payload, kind):
    framed = framing.frame(payload, kind)
    size = framing.header_size(kind)
    assert framing.parse_header(framed[:size], kind) == len(payload)
    assert framed[size:] == payload


@given(st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2098, 12, 31)),
       st.integers(-3 * 24 * 3600, 3 * 24 * 3600))
def test_transmission_time_recovers_the_year_near_now(instant, skew_seconds):
    instant = instant.replace(microsecond=0, tzinfo=dt.UTC)
    now = instant + dt.timedelta(seconds=skew_seconds)
    assert fields.transmission_time(instant.strftime("%m%d%H%M%S"), now) == instant


def _nearest_by_definition(value: str, now: dt.datetime) -> dt.datetime | None:
    month, day, hour, minute, second = (int(value[i:i + 2]) for i in range(0, 10, 2))
    candidates = []
    for year in (now.year - 1, now.year, now.year + 1):
        try:
            candidates.append(dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC))
        except ValueError:
            pass
    return min(candidates, key=lambda at: abs(at - now)) if candidates else None


@given(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99),
       st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2098, 12, 31)))
def test_transmission_time_is_the_nearest_of_three_years_for_any_field_7(month, day, hour, minute, second, now):
    value = f"{month:02d}{day:02d}{hour:02d}{minute:02d}{second:02d}"
    now = now.replace(tzinfo=dt.UTC)
    expected = _nearest_by_definition(value, now)
    if expected is None:
        with pytest.raises(fields.FieldFormatError):
            fields.transmission_time(value, now)
    else:
        assert fields.transmission_time(value, now) == expected


@given(st.binary(min_size=1, max_size=300), st.binary(min_size=16, max_size=16))
def test_mac_verifies_its_own_frames_and_no_flipped_one(body, key):
    frame = body + mac.compute(key, body)
    assert mac.verify(key, frame)
    flipped = bytes([frame[0] ^ 0x01]) + frame[1:]
    assert not mac.verify(key, flipped)


@given(st.binary(max_size=200))
def test_field_checks_never_crash_on_decodable_input(data):
    try:
        decoded, _ = iso8583.decode(data, spec.SPEC)
    except iso8583.DecodeError:
        return
    try:
        fields.check(decoded)
    except fields.FieldFormatError as exc:
        assert exc.field


@given(st.text(min_size=1, max_size=30))
def test_approval_codes_are_six_digits_and_stable(transaction_id):
    code = flows.approval_code(transaction_id)
    assert len(code) == 6 and code.isdigit() and code == flows.approval_code(transaction_id)


@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 1200))
def test_admission_sheds_lower_tiers_first(start, band, in_flight):
    admission = Admission(("platinum", "gold", "silver", "bronze"), start, start + band)
    admitted = [admission.admit(tier, in_flight) for tier in ("bronze", "silver", "gold", "platinum")]
    assert admitted == sorted(admitted)  # once a tier is admitted, every higher tier is too
    assert admission.admit("bronze", in_flight) == (in_flight < start)
    assert admission.admit("platinum", in_flight) == (in_flight < start + band)
    assert admission.admit("unknown-tier", in_flight) == admission.admit("bronze", in_flight)


# mac.compute keeps cipher contexts per key instead of calling psec; psec is the oracle.
@given(st.binary(min_size=16, max_size=16), st.binary(max_size=600))
def test_mac_matches_psec_retail_mac(key, data):
    expected = psec.mac.generate_retail_mac(key[:8], key[8:], data, mac.PADDING_METHOD)[:mac.MAC_BYTES]
    assert mac.compute(key, data) == expected
    assert mac.compute(key, data) == expected  # again: the chaining carried between calls is undone


# ISO/IEC 9797-1 Annex B, MAC algorithm 3, padding method 2: K = 0123456789ABCDEF, K' = FEDCBA9876543210.
@pytest.mark.parametrize(("data", "expected"), [(b"Now is the time for all ", "E9086230CA3BE796"),
                                                (b"Now is the time for it", "5A692CE64F404145")])
def test_mac_known_vectors(data, expected):
    assert mac.compute(bytes.fromhex("0123456789ABCDEFFEDCBA9876543210"), data).hex().upper() == expected


def test_mac_key_cache_is_bounded():
    for index in range(mac.MAX_CACHED_KEYS + 10):
        mac.compute(index.to_bytes(16, "big"), b"x")
    assert len(mac._STATES) <= mac.MAX_CACHED_KEYS
