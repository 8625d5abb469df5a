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

    assert learning.fit(examples, epochs=3)["format"] == 0.0


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


def test_choose_refuses_a_worse_model_and_keeps_the_current_one():
    holdout = planted_examples(PLANTED, 2000, seed=3)
    worse = {"bias": -2.0, "text": -1.0, "price": 2.0}

    weights, kept_previous, metrics = learning.choose(PLANTED, worse, holdout)

    assert kept_previous is True
    assert weights == PLANTED
    assert metrics["candidate_log_loss"] > metrics["current_log_loss"]
    assert metrics["holdout_examples"] == 2000


def test_choose_takes_a_better_model():
    holdout = planted_examples(PLANTED, 2000, seed=3)

    weights, kept_previous, metrics = learning.choose(scoring.DEFAULT_WEIGHTS, PLANTED, holdout)

    assert kept_previous is False
    assert weights == PLANTED
    assert metrics["candidate_log_loss"] < metrics["current_log_loss"]


def test_choose_takes_a_first_model_but_refuses_one_it_cannot_judge():
    holdout = planted_examples(PLANTED, 200)

    assert learning.choose(None, PLANTED, holdout)[:2] == (PLANTED, False)
    assert learning.choose(scoring.DEFAULT_WEIGHTS, PLANTED, [])[:2] == (scoring.DEFAULT_WEIGHTS, True)


def test_trained_and_chosen_weights_rank_with_scoring():
    examples = planted_examples(PLANTED, 3000)
    train, holdout = learning.split(examples, seed=1)

    weights, kept_previous, _ = learning.choose(scoring.DEFAULT_WEIGHTS, learning.fit(train), holdout)

    assert kept_previous is False
    relevant, cheap = scoring.Signals(text=1.0, price=0.0), scoring.Signals(text=0.0, price=1.0)
    assert scoring.score(relevant, weights) > scoring.score(cheap, weights)
    assert scoring.score(relevant, weights) == pytest.approx(learning.predict(weights, relevant.vector()))


def test_split_is_deterministic_and_keeps_a_key_on_one_side():
    examples = planted_examples(PLANTED, 2000)

    training, holdout = learning.split(examples, holdout_share=0.2, seed=7)

    assert (training, holdout) == learning.split(examples, holdout_share=0.2, seed=7)
    shuffled = learning.split(list(reversed(examples)), holdout_share=0.2, seed=7)[1]
    assert {e.key for e in shuffled} == {e.key for e in holdout}  # not by position
    assert not {e.key for e in training} & {e.key for e in holdout}
    assert 0.1 < len(holdout) / len(examples) < 0.3
    assert learning.split(examples, seed=8)[1] != holdout
