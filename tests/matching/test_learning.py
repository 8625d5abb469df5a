"""The ranking model learns from impressions and is replaced only by a better one (no database)."""

import math
import random

import pytest

from matching import learning, scoring
from matching.learning import Example

NAMES = scoring.SIGNAL_NAMES


def planted_examples(weights: dict[str, float], n: int, seed: int = 1) -> list[Example]:
    """Impressions whose bookings are drawn from a known logistic model over random signals."""
    rng = random.Random(seed)
    examples = []
    for i in range(n):
        signals = [rng.random() for _ in NAMES]
        z = weights["bias"] + sum(weights.get(name, 0.0) * x for name, x in zip(NAMES, signals, strict=True))
        examples.append(Example(signals, rng.random() < 1 / (1 + math.exp(-z)), key=f"mentee:{i // 20}"))
    return examples


PLANTED = {"bias": -2.0, "text": 4.0, "price": -3.0}


def test_fit_learns_the_sign_of_planted_weights_and_ignores_signals_that_do_not_matter():
    weights = learning.fit(planted_examples(PLANTED, 4000), epochs=15)

    assert set(weights) == set(scoring.DEFAULT_WEIGHTS)
    assert weights["text"] > 2.5
    assert weights["price"] < -1.5
    assert all(abs(weights[name]) < 1.0 for name in NAMES if name not in PLANTED)


def test_fit_is_deterministic_for_a_seed():
    examples = planted_examples(PLANTED, 1000)

    assert learning.fit(examples, epochs=3, seed=5) == learning.fit(examples, epochs=3, seed=5)


def test_a_signal_that_never_varies_keeps_a_weight_of_zero():
    examples = [Example([*e.signals[:-1], 1.0], e.booked) for e in planted_examples(PLANTED, 500)]

    assert learning.fit(examples, epochs=3)[NAMES[-1]] == 0.0


def test_fit_refuses_examples_it_cannot_learn_from():
    with pytest.raises(ValueError):
        learning.fit([])
    with pytest.raises(ValueError):
        learning.fit([Example([0.5, 0.5], True)])


def test_weighted_negatives_count_as_many_impressions():
    """Non-bookings sampled at 1 in 4 and weighted 4 give the same model as keeping them all."""
    examples = planted_examples(PLANTED, 3000)
    rng = random.Random(2)
    sampled = [
        e if e.booked else Example(e.signals, False, e.key, weight=4.0)
        for e in examples
        if e.booked or rng.random() < 0.25
    ]

    assert learning.log_loss(learning.fit(sampled, epochs=15), examples) == pytest.approx(
        learning.log_loss(learning.fit(examples, epochs=15), examples), abs=0.01
    )


def test_log_loss_is_lower_for_the_true_model_than_for_a_wrong_one():
    examples = planted_examples(PLANTED, 2000)
    wrong = {"bias": -2.0, "text": -4.0, "price": 3.0}

    assert learning.log_loss(PLANTED, examples) < learning.log_loss(wrong, examples)
    assert math.isnan(learning.log_loss(PLANTED, []))


def held_out_pages(
    weights: dict[str, float], mentees: int, *, shown: int = 20, seed: int = 4
) -> list[Example]:
    """Held-out impressions: each mentee was shown `shown` candidates with random signals and
    booked exactly one, drawn in proportion to exp(the known model's score)."""
    rng = random.Random(seed)
    examples = []
    for mentee in range(mentees):
        page = [[rng.random() for _ in NAMES] for _ in range(shown)]
        utilities = [
            math.exp(sum(weights.get(name, 0.0) * x for name, x in zip(NAMES, signals, strict=True)))
            for signals in page
        ]
        booked = rng.choices(range(shown), utilities)[0]
        examples += [Example(signals, i == booked, key=f"mentee:{mentee}") for i, signals in enumerate(page)]
    return examples


# Ranks exactly as PLANTED does (same signs, scaled), but its bias makes every booking look
# impossible: a good ranker with a terrible log-loss.
SHARP_BUT_UNCALIBRATED = {"bias": -30.0, "text": 8.0, "price": -6.0}
# Calibrated to the booking rate (1 in 20) and blind to what mentees want: a good log-loss,
# a ranking no better than chance.
CALIBRATED_BUT_BLIND = {"bias": math.log(1 / 19), "rating": 0.05}


def test_a_candidate_with_a_better_log_loss_but_a_worse_ranking_is_rejected():
    holdout = held_out_pages(PLANTED, 200)

    decision = learning.choose(SHARP_BUT_UNCALIBRATED, CALIBRATED_BUT_BLIND, holdout)

    assert decision.candidate_log_loss < decision.current_log_loss  # log-loss would have taken it
    assert decision.adopted is False
    assert decision.weights == SHARP_BUT_UNCALIBRATED
    assert decision.candidate_ndcg < decision.current_ndcg
    assert decision.interval[1] < 0
    assert decision.mentees == 200
    assert decision.verdict == "not surely a better ranking"
    assert decision.reason.startswith("kept the current weights: not surely a better ranking")


def test_a_clearly_better_ranker_is_adopted_with_its_figures():
    holdout = held_out_pages(PLANTED, 200)
    inverted = {"bias": -2.0, "text": -1.0, "price": 2.0}

    decision = learning.choose(inverted, PLANTED, holdout)

    assert decision.adopted is True
    assert decision.weights == PLANTED
    assert decision.interval[0] > 0
    assert decision.interval[0] <= decision.difference <= decision.interval[1]
    assert decision.candidate_hit_rate > decision.current_hit_rate
    assert decision.verdict == "ranks better"
    assert decision.reason.startswith("adopted: ranks better — NDCG@10")
    assert f"on 200 held-out mentees (difference {decision.difference:+.3f}" in decision.reason
    figures = decision.figures()
    assert figures["holdout_examples"] == 4000 and figures["holdout_bookings"] == 200
    assert figures["difference_low"] == decision.interval[0]


def test_the_same_ranking_is_not_adopted_however_much_better_its_log_loss():
    holdout = held_out_pages(PLANTED, 200)

    decision = learning.choose(SHARP_BUT_UNCALIBRATED, PLANTED, holdout)

    assert decision.candidate_log_loss < decision.current_log_loss
    assert decision.difference == 0 and decision.interval == (0.0, 0.0)
    assert decision.adopted is False


def test_too_little_held_out_data_keeps_the_current_weights_and_says_so():
    holdout = held_out_pages(PLANTED, learning.MIN_HOLDOUT_MENTEES - 1)
    inverted = {"bias": -2.0, "text": -1.0, "price": 2.0}

    decision = learning.choose(inverted, PLANTED, holdout)

    assert decision.adopted is False
    assert decision.weights == inverted
    assert decision.mentees == learning.MIN_HOLDOUT_MENTEES - 1
    assert decision.verdict == "too little held-out data"
    assert decision.reason == (
        "kept the current weights: too little held-out data (29 held-out mentees with a booking "
        "among what they were shown; 30 needed)"
    )
    assert all(math.isnan(x) for x in decision.interval)
    nothing = learning.choose(inverted, PLANTED, [])
    assert nothing.adopted is False and nothing.mentees == 0 and "too little held-out data" in nothing.reason


def test_mentees_who_booked_nothing_or_everything_they_saw_do_not_count():
    booked_all = [Example([0.5] * len(NAMES), True, key="all")] * 3
    booked_none = [Example([0.5] * len(NAMES), False, key="none")] * 3

    assert learning.rankable_groups(held_out_pages(PLANTED, 5) + booked_all + booked_none) == [
        [e for e in held_out_pages(PLANTED, 5) if e.key == f"mentee:{i}"] for i in range(5)
    ]


def test_the_gate_is_deterministic_for_a_seed():
    holdout = held_out_pages(PLANTED, 100)
    blind = CALIBRATED_BUT_BLIND

    assert learning.choose(blind, PLANTED, holdout, seed=3) == learning.choose(
        blind, PLANTED, holdout, seed=3
    )
    assert learning.choose(blind, PLANTED, list(reversed(holdout)), seed=3).interval == (
        learning.choose(blind, PLANTED, holdout, seed=3).interval
    )


def booked_at(place: int, shown: int = 20) -> list[Example]:
    return [Example([0.0], i == place - 1) for i in range(shown)]


def test_page_metrics_follow_where_the_booking_lands():
    scores = [1 - i / 100 for i in range(20)]  # shown in that order

    assert learning.page_metrics(scores, booked_at(1)) == (1.0, 1.0)
    assert learning.page_metrics(scores, booked_at(3)) == (1.0, pytest.approx(0.5))
    assert learning.page_metrics(scores, booked_at(11)) == (0.0, 0.0)


def test_two_bookings_are_measured_against_the_best_order_of_two():
    shown = [Example([0.0], i in (0, 2)) for i in range(20)]  # booked at places 1 and 3
    scores = [1 - i / 100 for i in range(20)]

    assert learning.page_metrics(scores, shown) == (1.0, pytest.approx((1 + 0.5) / (1 + 1 / math.log2(3))))


def test_a_tie_counts_against_the_booking_and_a_sampled_non_booking_for_its_weight():
    assert learning.page_metrics([0.5] * 20, booked_at(1)) == (0.0, 0.0)  # cannot tell: no credit
    heavy = [Example([0.0], False, weight=10.0), Example([0.0], True)]
    assert learning.page_metrics([0.9, 0.1], heavy) == (0.0, 0.0)  # stands for ten impressions above it


def test_the_bootstrap_interval_is_seeded_and_holds_the_mean():
    rng = random.Random(1)
    differences = [rng.gauss(0.05, 0.3) for _ in range(300)]

    low, high = learning.bootstrap_interval(differences, seed=2)

    assert (low, high) == learning.bootstrap_interval(differences, seed=2)
    assert low < sum(differences) / 300 < high
    assert 0.04 < high - low < 0.1  # about 4 standard errors wide
    assert learning.bootstrap_interval([0.2] * 50) == (pytest.approx(0.2), pytest.approx(0.2))


def test_trained_and_chosen_weights_rank_with_scoring():
    examples = held_out_pages(PLANTED, 400, seed=1)
    train, holdout = learning.split(examples, seed=1)

    decision = learning.choose(scoring.DEFAULT_WEIGHTS, learning.fit(train), holdout)

    assert decision.adopted is True
    weights = decision.weights
    relevant, cheap = scoring.Signals(text=1.0, price=0.0), scoring.Signals(text=0.0, price=1.0)
    assert scoring.scorer(weights)(relevant) > scoring.scorer(weights)(cheap)
    assert scoring.scorer(weights)(relevant) == pytest.approx(learning.predict(weights, relevant.vector()))


def test_split_is_deterministic_and_keeps_a_key_on_one_side():
    examples = planted_examples(PLANTED, 2000)

    training, holdout = learning.split(examples, holdout_share=0.2, seed=7)

    assert (training, holdout) == learning.split(examples, holdout_share=0.2, seed=7)
    shuffled = learning.split(list(reversed(examples)), holdout_share=0.2, seed=7)[1]
    assert {e.key for e in shuffled} == {e.key for e in holdout}  # not by position
    assert not {e.key for e in training} & {e.key for e in holdout}
    assert 0.1 < len(holdout) / len(examples) < 0.3
    assert learning.split(examples, seed=8)[1] != holdout


def test_a_prior_holds_what_the_impressions_cannot_tell_and_yields_to_what_they_can():
    experience = NAMES.index("experience")
    examples = [
        Example([*e.signals[:experience], 1.0, *e.signals[experience + 1 :]], e.booked, key=e.key)
        for e in planted_examples(PLANTED, 4000)
    ]
    prior = dict.fromkeys(learning.NAMES, 0.0) | {"experience": 3.0, "text": -2.0}
    weights = learning.fit(examples, epochs=15, prior=prior, l2=learning.PRIOR_L2)
    # Every impression had the same experience: nothing to learn, the prior's weight stays.
    assert weights["experience"] == 3.0
    assert learning.fit(examples, epochs=15)["experience"] == 0.0
    # Text decides the bookings: the data overrules a prior that says the opposite.
    assert weights["text"] > 1.0
