"""The interval arithmetic against answers worked out by hand (three decimals)."""

import pytest

from core.stats import newcombe, wilson

# 62 of 100, z = 1.96: p = .62, z²/n = .038415; centre = (.62 + .019207) / 1.038415 = .615560;
# half = 1.96 · √(.62·.38/100 + 3.841459/40000) / 1.038415 = 1.96 · .049518 / 1.038415 = .093464.


def test_a_share_gets_the_wilson_interval_worked_out_by_hand():
    share = wilson(62, 100)
    assert share.rate == pytest.approx(0.62)
    assert round(share.low, 3) == 0.522
    assert round(share.high, 3) == 0.709


def test_small_groups_and_the_ends_stay_inside_zero_and_one():
    # 0 of 5: centre = (0 + .384146) / 1.768292 = .217240 = half, so [0, .434].
    none = wilson(0, 5)
    assert (none.low, round(none.high, 3)) == (0.0, 0.434)
    # 5 of 5 mirrors it: [.566, 1].
    every = wilson(5, 5)
    assert (round(every.low, 3), every.high) == (0.566, 1.0)


def test_no_people_gives_no_share_and_an_impossible_count_is_refused():
    assert wilson(0, 0) is None
    with pytest.raises(ValueError):
        wilson(6, 5)


def test_the_difference_of_two_shares_gets_newcombes_interval():
    # 30 of 40 (.75, Wilson [.59806, .85813]) against 20 of 40 (.50, Wilson [.35200, .64800]):
    # low  = .25 − √((.75 − .59806)² + (.64800 − .50)²) = .25 − √(.023086 + .021904) = .038;
    # high = .25 + √((.85813 − .75)² + (.50 − .35200)²) = .25 + √(.011692 + .021904) = .433.
    difference = newcombe(wilson(30, 40), wilson(20, 40))
    assert round(difference.difference, 3) == 0.25
    assert round(difference.low, 3) == 0.038
    assert round(difference.high, 3) == 0.433
    assert difference.clear


def test_a_difference_whose_interval_holds_zero_is_not_clear():
    difference = newcombe(wilson(6, 10), wilson(5, 10))
    assert difference.low < 0 < difference.high
    assert not difference.clear
    assert newcombe(wilson(1, 2), None) is None
