"""Learning the ranking's weights from what mentees were shown and what they booked.

A logistic regression over the signals of matching.scoring (`bias` + SIGNAL_NAMES, the keys of
DEFAULT_WEIGHTS), trained by mini-batch gradient descent on the log-loss with an L2 penalty.
Pure Python — no numpy — so the project stays light: the signals are few (nine), and a hundred
thousand impressions train in seconds on one core. A new model replaces the current one only if
it predicts held-out bookings better (`choose`), so a bad batch of outcomes cannot make matching
worse.

Features are standardised inside `fit` (each signal's weighted mean and spread), which keeps one
learning rate good for all of them; the weights returned are for the raw signals, ready for
`scoring.score`.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import mul

from matching.scoring import SIGNAL_NAMES

NAMES = ("bias", *SIGNAL_NAMES)
EPSILON = 1e-12  # probabilities are clipped to [EPSILON, 1 - EPSILON] in the log-loss


@dataclass(frozen=True)
class Example:
    """One candidate shown to a mentee: its signals (in SIGNAL_NAMES order) and whether it was booked."""

    signals: Sequence[float]
    booked: bool
    key: str = ""  # what `split` groups by (the mentee, say), so one mentee's impressions stay together
    weight: float = 1.0  # e.g. 1 / keep-rate for negatives that were sampled


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(min(z, 50.0), -50.0)))  # as scoring.score computes it


def predict(weights: dict[str, float], signals: Sequence[float]) -> float:
    """The model's probability of a booking, as `scoring.score` computes it from a Signals."""
    z = weights.get("bias", 0.0) + sum(map(mul, (weights.get(n, 0.0) for n in SIGNAL_NAMES), signals))
    return _sigmoid(z)


def log_loss(weights: dict[str, float], examples: Iterable[Example]) -> float:
    """The weighted mean negative log-likelihood of the bookings (no penalty term); nan if empty."""
    w = [weights.get(n, 0.0) for n in SIGNAL_NAMES]
    bias = weights.get("bias", 0.0)
    total = mass = 0.0
    for example in examples:
        p = _sigmoid(bias + sum(map(mul, w, example.signals)))
        p = min(max(p, EPSILON), 1 - EPSILON)
        total -= example.weight * (math.log(p) if example.booked else math.log(1 - p))
        mass += example.weight
    return total / mass if mass else math.nan


def fit(
    examples: Sequence[Example],
    *,
    l2: float = 1e-4,
    epochs: int = 20,
    learning_rate: float = 0.5,
    batch_size: int = 256,
    seed: int = 0,
) -> dict[str, float]:
    """Weights (keyed like DEFAULT_WEIGHTS) minimising the weighted log-loss plus `l2`/2 · |w|² on
    the standardised signals (the bias is not penalised). Deterministic for a given `seed`: the
    examples are shuffled by a seeded generator each epoch, and the step shrinks as 1/√epoch."""
    if not examples:
        raise ValueError("no examples to learn from")
    n_features = len(SIGNAL_NAMES)
    if any(len(e.signals) != n_features for e in examples):
        raise ValueError(f"every example needs {n_features} signals, in SIGNAL_NAMES order")
    mass = sum(e.weight for e in examples)
    if mass <= 0:
        raise ValueError("the examples' weights sum to zero")
    means = [sum(e.weight * e.signals[j] for e in examples) / mass for j in range(n_features)]
    spreads = []
    for j, mean in enumerate(means):
        variance = sum(e.weight * (e.signals[j] - mean) ** 2 for e in examples) / mass
        spreads.append(math.sqrt(variance) if variance > 1e-12 else 0.0)
    # A constant signal carries nothing to learn: it is zeroed and keeps a weight of 0.
    rows = [
        tuple((x - m) / s if s else 0.0 for x, m, s in zip(e.signals, means, spreads, strict=True))
        for e in examples
    ]
    targets = [1.0 if e.booked else 0.0 for e in examples]
    sample_weights = [e.weight for e in examples]
    positive = sum(w for w, y in zip(sample_weights, targets, strict=True) if y) / mass
    positive = min(max(positive, 1e-6), 1 - 1e-6)
    bias = math.log(positive / (1 - positive))  # start from the base rate
    w = [0.0] * n_features
    order = list(range(len(rows)))
    generator = random.Random(seed)
    for epoch in range(epochs):
        generator.shuffle(order)
        step = learning_rate / math.sqrt(1 + epoch)
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            batch_rows = [rows[i] for i in batch]
            weights = [sample_weights[i] for i in batch]
            batch_mass = sum(weights)
            errors = [
                sw * (_sigmoid(bias + sum(map(mul, w, x))) - targets[i])
                for i, x, sw in zip(batch, batch_rows, weights, strict=True)
            ]
            columns = zip(*batch_rows, strict=True)
            gradient = [sum(map(mul, errors, column)) / batch_mass for column in columns]
            bias -= step * sum(errors) / batch_mass
            w = [wj - step * (gj + l2 * wj) for wj, gj in zip(w, gradient, strict=True)]
    raw = {name: (wj / s if s else 0.0) for name, wj, s in zip(SIGNAL_NAMES, w, spreads, strict=True)}
    raw_bias = bias - sum(raw[name] * m for name, m in zip(SIGNAL_NAMES, means, strict=True))
    return {"bias": raw_bias, **raw}


def _share(key: str, seed: int) -> float:
    digest = hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def split(
    examples: Sequence[Example], holdout_share: float = 0.2, seed: int = 0
) -> tuple[list[Example], list[Example]]:
    """(training, holdout): an example is held out by a hash of its key (its position when it has
    none), so the split does not depend on the order of the examples or on the Python process,
    and all the examples of one key fall on the same side."""
    training, holdout = [], []
    for position, example in enumerate(examples):
        key = example.key or f"#{position}"
        (holdout if _share(key, seed) < holdout_share else training).append(example)
    return training, holdout


def choose(
    current_weights: dict[str, float] | None,
    candidate_weights: dict[str, float],
    holdout: Sequence[Example],
) -> tuple[dict[str, float], bool, dict[str, float]]:
    """(weights to use, kept_previous, metrics): the candidate replaces the current model only if
    its held-out log-loss is lower. With no current model, or no held-out example to judge by, the
    decision is the safe one: a first model is taken; an unjudged candidate is refused."""
    positives = sum(1 for e in holdout if e.booked)
    metrics: dict[str, float] = {"holdout_examples": len(holdout), "holdout_bookings": positives}
    candidate_loss = log_loss(candidate_weights, holdout)
    metrics["candidate_log_loss"] = candidate_loss
    if current_weights is None:
        return dict(candidate_weights), False, metrics
    current_loss = log_loss(current_weights, holdout)
    metrics["current_log_loss"] = current_loss
    if not holdout or not candidate_loss < current_loss:  # nan (no holdout) compares False too
        return dict(current_weights), True, metrics
    return dict(candidate_weights), False, metrics
