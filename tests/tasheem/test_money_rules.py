"""IBANs, funding splits and beneficiary splits: the money rules, checked for any input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.tasheem import beneficiaries as bene
from services.tasheem import funding, iban
from services.tasheem.funding import Share

# A real-format Iranian IBAN (check digits valid), as printed on a bank card statement.
KNOWN_GOOD = "IR820540102680020817909002"


def test_a_known_iban_passes_and_spaces_and_case_do_not_matter():
    assert iban.validate(KNOWN_GOOD) == KNOWN_GOOD
    grouped = " ".join(KNOWN_GOOD[i:i + 4] for i in range(0, len(KNOWN_GOOD), 4)).lower()
    assert iban.validate(grouped) == KNOWN_GOOD


@pytest.mark.parametrize("text, message", [
    ("DE89370400440532013000", "must start with IR"),
    ("IR82054010268002081790900", "26 characters"),
    ("IR8205401026800208179090021", "26 characters"),
    ("IR82054010268002081790900A", "24 digits"),
    ("IR830540102680020817909002", "check digits"),
])
def test_bad_ibans_say_what_is_wrong(text, message):
    with pytest.raises(iban.IbanError, match=message):
        iban.validate(text)


@given(st.text(alphabet="0123456789", min_size=22, max_size=22))
def test_any_account_gets_valid_check_digits(bban):
    assert iban.validate(iban.with_check_digits(bban)) == iban.with_check_digits(bban)


@given(st.text(alphabet="0123456789", min_size=22, max_size=22), st.integers(2, 25), st.integers(1, 9))
def test_changing_any_one_digit_is_caught(bban, position, delta):
    good = iban.with_check_digits(bban)
    digit = (int(good[position]) + delta) % 10
    with pytest.raises(iban.IbanError):
        iban.validate(good[:position] + str(digit) + good[position + 1:])


@st.composite
def funding_rules(draw):
    """Any valid set of funding rules: some fixed shares, percent shares adding up to 100% (or none)."""
    parties = ["bank", "club", "merchant", "p1", "p2", "p3"]
    count = draw(st.integers(1, len(parties)))
    chosen = draw(st.permutations(parties))[:count]
    fixed_flags = [draw(st.booleans()) for _ in chosen]
    percent_parties = [p for p, fixed in zip(chosen, fixed_flags, strict=True) if not fixed]
    cuts = sorted(draw(st.lists(st.integers(1, 9_999), min_size=len(percent_parties) - 1,
                                max_size=len(percent_parties) - 1, unique=True))) if percent_parties else []
    percents = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)] if percent_parties else []
    remainder = draw(st.sampled_from(chosen))
    shares, percent_iter = [], iter(percents)
    for party, fixed in zip(chosen, fixed_flags, strict=True):
        if fixed:
            shares.append(Share(party, fixed_amount=draw(st.integers(1, 10**9)), is_fixed=True,
                                remainder=party == remainder))
        else:
            shares.append(Share(party, percent_bp=next(percent_iter), remainder=party == remainder))
    return shares


@given(st.integers(0, 10**13), funding_rules())
def test_any_discount_splits_exactly_and_never_negative(discount, shares):
    funding.validate(shares, {"p1", "p2", "p3"}, "offer.funding")
    split = funding.split(discount, shares)
    assert sum(split.values()) == discount
    assert all(amount >= 0 for amount in split.values())
    assert set(split) == {share.party_id for share in shares}


def test_rounding_remainder_goes_to_the_named_party():
    shares = [Share("bank", percent_bp=3333), Share("club", percent_bp=3333),
              Share("merchant", percent_bp=3334, remainder=True)]
    assert funding.split(100, shares) == {"bank": 33, "club": 33, "merchant": 34}
    assert funding.split(1, shares) == {"bank": 0, "club": 0, "merchant": 1}


def test_fixed_shares_come_first_and_are_cut_when_the_discount_is_small():
    shares = [Share("bank", fixed_amount=30_000, is_fixed=True), Share("club", percent_bp=10_000, remainder=True)]
    assert funding.split(100_000, shares) == {"bank": 30_000, "club": 70_000}
    assert funding.split(20_000, shares) == {"bank": 20_000, "club": 0}


@pytest.mark.parametrize("shares, field, message", [
    ([Share("bank", percent_bp=5000), Share("club", percent_bp=4000, remainder=True)], "offer.funding", "9000 bp"),
    ([Share("bank", percent_bp=5000), Share("club", percent_bp=5000)], "offer.funding", "exactly one"),
    ([Share("bank", percent_bp=5000, remainder=True), Share("club", percent_bp=5000, remainder=True)],
     "offer.funding", "exactly one"),
    ([Share("nobody", percent_bp=10_000, remainder=True)], "offer.funding[0].party_id", "unknown party"),
    ([Share("bank", percent_bp=10_000, remainder=True), Share("bank", percent_bp=0)], "offer.funding[1].party_id",
     "twice"),
])
def test_funding_rules_that_do_not_cover_the_discount_are_refused(shares, field, message):
    with pytest.raises(funding.FundingError, match=message) as info:
        funding.validate(shares, set(), "offer.funding")
    assert info.value.field == field


@st.composite
def beneficiary_sets(draw):
    count = draw(st.integers(1, bene.MAX_BENEFICIARIES))
    ibans = [iban.with_check_digits(f"{index:022d}") for index in range(count)]
    use_ratios = draw(st.booleans())
    cuts = sorted(draw(st.lists(st.integers(1, 9_999), min_size=count - 1, max_size=count - 1, unique=True)))
    ratios = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
    remainder = draw(st.integers(0, count - 1))
    items = []
    for index in range(count):
        fixed = 0 if use_ratios else draw(st.integers(1, 10**8))
        items.append(bene.Beneficiary(ibans[index], f"b{index}", ratios[index] if use_ratios else 0, fixed,
                                      index == remainder))
    return items


@given(st.integers(0, 10**13), beneficiary_sets())
def test_any_net_payable_splits_exactly_across_beneficiaries(net, items):
    checked = bene.validate(items)
    payouts = bene.split(net, checked)
    assert sum(amount for _, amount in payouts) == net
    assert all(amount >= 0 for _, amount in payouts)


def test_more_than_ten_beneficiaries_are_refused():
    items = [bene.Beneficiary(iban.with_check_digits(f"{i:022d}"), "x", fixed_amount=1, remainder=i == 0)
             for i in range(11)]
    with pytest.raises(bene.BeneficiaryError, match="at most 10"):
        bene.validate(items)
