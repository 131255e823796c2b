"""Coupon codes people type, and the club's cap on one purchase's discount: pure functions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.gen.club.tasheem.v1 import tasheem_pb2 as pb
from services.tasheem import codes, selection
from services.tasheem.offers import compile_offer
from tests.tasheem.helpers import offer, share

LOOK_ALIKES = "0OQD1IL8BSZGU"
bodies = st.text(alphabet=codes.ALPHABET, min_size=codes.LENGTH - 1, max_size=codes.LENGTH - 1)


def test_generated_codes_have_the_length_the_alphabet_and_a_valid_check():
    made = {codes.generate() for _ in range(2_000)}
    assert len(made) == 2_000
    assert all(len(code) == codes.LENGTH and codes.is_valid(code) for code in made)
    assert not set("".join(made)) & set(LOOK_ALIKES)


def test_typed_codes_are_normalized_and_a_known_code_checks():
    code = codes.generate()
    typed = " " + codes.grouped(code).lower() + " "
    assert codes.normalize(typed) == code and codes.is_valid(codes.normalize(typed))


@given(bodies, st.integers(0, codes.LENGTH - 1), st.integers(1, codes.MODULUS - 1))
def test_any_single_mistyped_character_is_caught(body, position, shift):
    code = body + codes.check_character(body)
    wrong = codes.ALPHABET[(codes.VALUE[code[position]] + shift) % codes.MODULUS]
    assert not codes.is_valid(code[:position] + wrong + code[position + 1:])


@given(bodies, st.integers(0, codes.LENGTH - 2))
def test_any_swap_of_two_adjacent_different_characters_is_caught(body, position):
    code = body + codes.check_character(body)
    if code[position] == code[position + 1]:
        return  # the same code
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
    assert not codes.is_valid(swapped)


def valid_with(position: int, first: str, second: str) -> str:
    """A valid code with `first` and `second` at `position` and the next one (which may be the
    check character: then the first character is varied until the check comes out as `second`)."""
    for filler in codes.ALPHABET:
        body = [filler] + ["2"] * (codes.LENGTH - 2)
        body[position] = first
        if position + 1 < codes.LENGTH - 1:
            body[position + 1] = second
        code = "".join(body) + codes.check_character("".join(body))
        if code[position:position + 2] == first + second:
            return code
    raise AssertionError("no filler gives that check character")


def test_every_adjacent_swap_of_every_pair_of_characters_is_caught():
    """Exhaustively, at every position, the check character's included: the pair Luhn mod N misses
    (the first and last characters of its alphabet) among them."""
    for position in range(codes.LENGTH - 1):
        for first in codes.ALPHABET:
            for second in codes.ALPHABET.replace(first, ""):
                code = valid_with(position, first, second)
                assert codes.is_valid(code)
                swapped = code[:position] + second + first + code[position + 2:]
                assert not codes.is_valid(swapped), (code, swapped)


# ---------- the club's cap ----------

def compiled(**fields):
    return compile_offer(offer(**fields), {"bank", "club", "snapp"})


def test_the_cap_cuts_a_combination_in_the_selection_order_and_each_funding_stays_exact():
    first = compiled(offer_id="a", priority=20, discount=pb.Discount(percent_bp=2000),
                     funding=[share("bank", 3333), share("club", 6667, remainder=True)])
    second = compiled(offer_id="b", priority=10, discount=pb.Discount(percent_bp=1500),
                      funding=[share("snapp", 5000), share("club", 5000, remainder=True)])
    most = selection.ceiling(100_001, 3000)
    chosen = selection.choose([second, first], 100_001, most)
    outcome = selection.price(chosen, 100_001, 10_000, most=most)
    assert most == 30_000 and [item.offer.offer_id for item in outcome.applied] == ["a", "b"]
    assert [item.discount for item in outcome.applied] == [20_000, 10_000]  # b is cut, a is whole
    assert outcome.discount == 30_000 and outcome.decided_by == selection.CAP
    for item in outcome.applied:
        assert sum(item.funding.values()) == item.discount
    assert sum(outcome.funding.values()) == outcome.discount


def test_decided_by_says_which_rule_decided():
    exclusive = compiled(offer_id="x", priority=10, stacking=pb.STACKING_EXCLUSIVE, discount=pb.Discount(percent_bp=1000))
    stackable = compiled(offer_id="s", priority=10, discount=pb.Discount(percent_bp=500))
    other = compiled(offer_id="t", priority=10, discount=pb.Discount(percent_bp=800))

    def decided(offers, amount=10_000, bp=3000):
        most = selection.ceiling(amount, bp)
        return selection.price(selection.choose(offers, amount, most), amount, 10_000, most=most).decided_by

    assert decided([]) == ""
    assert decided([exclusive]) == selection.EXCLUSIVE
    assert decided([stackable, other]) == selection.COMBINATION
    assert decided([stackable, other], bp=1000) == selection.CAP
    assert decided([exclusive], bp=500) == selection.CAP


def test_under_the_cap_an_exclusive_offer_wins_the_tie_it_now_makes():
    """1,500 (exclusive) against 2,000 (combination) at equal priority: the combination wins
    uncapped, but the cap leaves both at 1,000, and an exact tie goes to the exclusive offer."""
    exclusive = compiled(offer_id="x", priority=10, stacking=pb.STACKING_EXCLUSIVE, discount=pb.Discount(fixed_amount=1_500))
    pair = [compiled(offer_id="s", priority=10, discount=pb.Discount(fixed_amount=1_000)),
            compiled(offer_id="t", priority=10, discount=pb.Discount(fixed_amount=1_000))]
    assert [o.offer_id for o in selection.choose([exclusive, *pair], 10_000)] == ["s", "t"]
    assert [o.offer_id for o in selection.choose([exclusive, *pair], 10_000, 1_000)] == ["x"]


@given(st.integers(0, 10**9), st.integers(0, 10_000), st.lists(st.integers(1, 10_000), min_size=1, max_size=5))
def test_with_any_cap_the_total_is_within_it_and_every_sum_is_exact(amount, bp, percents):
    offers = [compiled(offer_id=f"o{n}", priority=10, discount=pb.Discount(percent_bp=p),
                       funding=[share("bank", 3333), share("club", 6667, remainder=True)])
              for n, p in enumerate(percents)]
    most = selection.ceiling(amount, bp)
    outcome = selection.price(selection.choose(offers, amount, most), amount, 10_000, most=most)
    assert outcome.discount <= most <= amount
    assert sum(item.discount for item in outcome.applied) == outcome.discount == sum(outcome.funding.values())
    assert all(sum(item.funding.values()) == item.discount for item in outcome.applied)


@pytest.mark.parametrize("bp", [-1, 10_001])
def test_a_cap_outside_basis_points_is_refused(bp):
    with pytest.raises(AssertionError):
        selection.ceiling(100, bp)


def test_a_voucher_is_outside_the_cap_and_the_discounts_beside_it_are_still_capped():
    """A reward's voucher is value bought with points: on 400,000 with a 30% cap, a 150,000
    voucher is given whole, and a 15% offer beside it is cut to what the cap leaves it (120,000
    of discounts at most: all of its 60,000)."""
    voucher = compiled(offer_id="reward-r1", reward_id="r1", priority=0, coupon_required=True,
                       discount=pb.Discount(fixed_amount=150_000), funding=[share("snapp", 10_000, remainder=True)])
    offer15 = compiled(offer_id="o15", priority=10, discount=pb.Discount(percent_bp=1500))
    most = selection.ceiling(400_000, 3000)
    outcome = selection.price(selection.choose([voucher, offer15], 400_000, most), 400_000, 10_000, most=most)
    assert {item.offer.offer_id: item.discount for item in outcome.applied} == {"o15": 60_000, "reward-r1": 150_000}
    assert outcome.decided_by == selection.COMBINATION and outcome.discount == 210_000

    big = compiled(offer_id="o50", priority=10, discount=pb.Discount(percent_bp=5000))
    outcome = selection.price(selection.choose([voucher, big], 400_000, most), 400_000, 10_000, most=most)
    assert {item.offer.offer_id: item.discount for item in outcome.applied} == {"o50": 120_000, "reward-r1": 150_000}
    assert outcome.decided_by == selection.CAP


def test_a_voucher_never_takes_more_than_the_amount():
    voucher = compiled(offer_id="reward-r2", reward_id="r2", coupon_required=True,
                       discount=pb.Discount(fixed_amount=150_000), funding=[share("snapp", 10_000, remainder=True)])
    outcome = selection.price([voucher], 100_000, 10_000, most=selection.ceiling(100_000, 3000))
    assert outcome.discount == 100_000 and outcome.net_amount == 0
