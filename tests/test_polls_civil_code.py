"""Civil Code Art. 278 at its exact boundaries: reached, and missed by one household or one m²."""
from __future__ import annotations

from fractions import Fraction

import pytest

from handlers.polls.civil_code import Share, decide, exact_area

TOTAL = Share(Fraction(900), 15)  # 15 households, 900 m² of exclusive area


def quorate(area, owners) -> tuple[bool, bool]:
    area_t, owners_t = decide(total=TOTAL, participating=Share(Fraction(area), owners),
                              approving=Share(Fraction(0), 0), special=False).turnout
    return area_t.met, owners_t.met


def test_turnout_of_exactly_two_thirds_is_enough_and_one_less_is_not():
    assert quorate(600, 10) == (True, True)       # 600/900 and 10/15 are exactly 2/3
    assert quorate(599, 10) == (False, True)      # one m² short
    assert quorate(600, 9) == (True, False)       # one household short
    assert quorate(Fraction(59999, 100), 10) == (False, True)  # even 0.01 m² short


def test_turnout_needs_both_area_and_households():
    decision = decide(total=TOTAL, participating=Share(Fraction(900), 9), approving=Share(Fraction(900), 9),
                      special=False)
    assert decision.approved and not decision.quorate and not decision.passed


PARTICIPATING = Share(Fraction(600), 10)


def approved(area, owners, *, special) -> tuple[bool, bool]:
    area_t, owners_t = decide(total=TOTAL, participating=PARTICIPATING, approving=Share(Fraction(area), owners),
                              special=special).approval
    return area_t.met, owners_t.met


def test_an_ordinary_matter_needs_more_than_half_so_exactly_half_fails():
    assert approved(300, 5, special=False) == (False, False)   # exactly half of 600 m² and of 10
    assert approved(301, 6, special=False) == (True, True)     # one m² and one household more
    assert approved(Fraction(30001, 100), 6, special=False) == (True, True)


def test_a_special_matter_needs_three_quarters_reached_exactly_or_it_fails():
    participating = Share(Fraction(800), 12)
    def special(area, owners):
        d = decide(total=TOTAL, participating=participating, approving=Share(Fraction(area), owners), special=True)
        return tuple(t.met for t in d.approval)
    assert special(600, 9) == (True, True)     # exactly 3/4 of 800 m² and of 12 households
    assert special(599, 9) == (False, True)    # one m² short
    assert special(600, 8) == (True, False)    # one household short


def test_a_decision_passes_only_when_all_four_thresholds_are_met():
    ok = decide(total=TOTAL, participating=PARTICIPATING, approving=Share(Fraction(301), 6), special=False)
    assert ok.passed
    short = decide(total=TOTAL, participating=Share(Fraction(599), 10), approving=Share(Fraction(599), 10),
                   special=False)
    assert short.approved and not short.passed


def test_areas_are_exact_where_floats_are_not():
    # 0.1 + 0.2 m² as floats is 0.30000000000000004, and 2/3 of it then exceeds 0.2.
    total = Share(exact_area(0.1) + exact_area(0.2), 3)
    assert (0.1 + 0.2) * 2 / 3 > 0.2
    turnout = decide(total=total, participating=Share(exact_area(0.2), 2), approving=Share(Fraction(0), 0),
                     special=False).turnout
    assert turnout[0].met and turnout[0].needed == Fraction(1, 5)
    assert exact_area(78.5) == Fraction(157, 2) and exact_area("90.3") == Fraction(903, 10)


@pytest.mark.parametrize(("whole", "strict", "ratio", "needed"), [
    (15, False, Fraction(2, 3), 10), (14, False, Fraction(2, 3), 10), (10, True, Fraction(1, 2), 6),
    (9, True, Fraction(1, 2), 5), (12, False, Fraction(3, 4), 9), (13, False, Fraction(3, 4), 10),
])
def test_the_households_needed_are_the_smallest_count_that_meets_the_threshold(whole, strict, ratio, needed):
    from handlers.polls.civil_code import Threshold

    def met(part):
        return Threshold("户数", Fraction(part), Fraction(whole), ratio, strict).met

    t = Threshold("户数", Fraction(0), Fraction(whole), ratio, strict)
    assert t.needed_count == needed and met(needed) and not met(needed - 1)


def test_nobody_participating_meets_nothing():
    d = decide(total=TOTAL, participating=Share(Fraction(0), 0), approving=Share(Fraction(0), 0), special=True)
    assert not any(t.met for t in (*d.turnout, *d.approval))
