"""Learning the ranking's weights from what mentees were shown and what they booked.

A logistic regression over the signals of matching.scoring (`bias` + SIGNAL_NAMES, the keys of
DEFAULT_WEIGHTS), trained by mini-batch gradient descent on the log-loss with an L2 penalty.
Pure Python — no numpy — so the project stays light: the signals are few (twelve), and a hundred
thousand impressions train in seconds on one core. A new model replaces the current one only if
it *ranks* the held-out mentees' bookings better (`choose`): NDCG@10 per held-out mentee over what
they were shown, with a seeded bootstrap interval on the difference that must lie above zero.
Log-loss is reported, never decisive — it mostly rewards calibration, which does not change an
order — so a bad batch of outcomes cannot make matching worse.

Features are standardised inside `fit` (each signal's weighted mean and spread), which keeps one
learning rate good for all of them; the weights returned are for the raw signals, ready for
`scoring.scorer`.
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
# How strongly a retraining is held to the weights ranking now (its prior): impressions only show
# what was on the page, so a signal that made the page (a mentor's experience, say) barely varies
# among them and would otherwise be fitted to nothing.
PRIOR_L2 = 0.1


@dataclass(frozen=True)
class Example:
    """One candidate shown to a mentee: its signals (in SIGNAL_NAMES order) and whether it was booked."""

    signals: Sequence[float]
    booked: bool
    key: str = ""  # what `split` groups by (the mentee, say), so one mentee's impressions stay together
    weight: float = 1.0  # e.g. 1 / keep-rate for negatives that were sampled


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(min(z, 50.0), -50.0)))  # as scoring.scorer computes it


def predict(weights: dict[str, float], signals: Sequence[float]) -> float:
    """The model's probability of a booking, as `scoring.scorer` computes it from a Signals."""
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
    prior: dict[str, float] | None = None,
) -> dict[str, float]:
    """Weights (keyed like DEFAULT_WEIGHTS) minimising the weighted log-loss plus `l2`/2 · |w − p|²
    on the standardised signals, where p is `prior` (weights for the raw signals, e.g. the ones
    ranking now) or zero (the bias is not penalised). Deterministic for a given `seed`: the
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
    # A prior's raw weight w means w · spread on a standardised signal.
    centre = [(prior or {}).get(name, 0.0) * s for name, s in zip(SIGNAL_NAMES, spreads, strict=True)]
    w = list(centre)
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
            w = [wj - step * (gj + l2 * (wj - cj)) for wj, gj, cj in zip(w, gradient, centre, strict=True)]
    # A signal that never varied keeps its prior's weight (nothing was learned of it), or 0.
    held = prior or {}
    raw = {
        name: (wj / s if s else held.get(name, 0.0))
        for name, wj, s in zip(SIGNAL_NAMES, w, spreads, strict=True)
    }
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


# --- the gate: does the candidate rank the held-out mentees' bookings better? -----------------

GATE_METRIC = "NDCG@10"
PAGE = 10  # the top of a page that counts: what a mentee reads before scrolling
MIN_HOLDOUT_MENTEES = 30  # fewer held-out mentees with a booking than this: too little to judge by
RESAMPLES = 1000
CONFIDENCE = 0.95
RANKS_BETTER = "ranks better"
NOT_SURELY_BETTER = "not surely a better ranking"
TOO_LITTLE = "too little held-out data"


def page_metrics(
    scores: Sequence[float], examples: Sequence[Example], *, page: int = PAGE
) -> tuple[float, float]:
    """(hit@page, NDCG@page) of one mentee's booked impressions when what they were shown is
    ordered by `scores`. Ties are broken against the bookings (a model that cannot tell the
    booked item from the others gets no credit for it), and a sampled non-booking stands for
    `weight` impressions, so it pushes a booking down by that many places."""
    order = sorted(range(len(examples)), key=lambda i: (-scores[i], examples[i].booked, i))
    place = 1.0  # the place of the next impression on the page
    gain = 0.0
    hit = False
    booked = 0
    for i in order:
        if examples[i].booked:
            booked += 1
            if place <= page:
                hit = True
                gain += 1 / math.log2(place + 1)
        place += examples[i].weight
    ideal = sum(1 / math.log2(k + 1) for k in range(1, min(booked, page) + 1))
    return (1.0 if hit else 0.0), (gain / ideal if ideal else 0.0)


def rankable_groups(holdout: Iterable[Example]) -> list[list[Example]]:
    """The held-out impressions per key (mentee) for the keys where an order can matter: at
    least one booking and one non-booking among what they were shown. In key order."""
    groups: dict[str, list[Example]] = {}
    for position, example in enumerate(holdout):
        groups.setdefault(example.key or f"#{position}", []).append(example)
    return [
        group
        for _, group in sorted(groups.items())
        if any(e.booked for e in group) and not all(e.booked for e in group)
    ]


def bootstrap_interval(
    differences: Sequence[float], *, resamples: int = RESAMPLES, confidence: float = CONFIDENCE, seed: int = 0
) -> tuple[float, float]:
    """A percentile bootstrap interval for the mean of `differences` (one per mentee), resampling
    mentees with replacement from a seeded generator: the same data give the same interval."""
    n = len(differences)
    if not n:
        return math.nan, math.nan
    generator = random.Random(seed)
    means = sorted(sum(generator.choices(differences, k=n)) / n for _ in range(resamples))
    tail = (1 - confidence) / 2
    low = means[min(resamples - 1, int(math.floor(tail * resamples)))]
    high = means[min(resamples - 1, int(math.ceil((1 - tail) * resamples)) - 1)]
    return low, high


@dataclass(frozen=True)
class Decision:
    """What `choose` decided and the figures it decided on (kept on the RankingModel row)."""

    weights: dict[str, float]  # the weights to rank with from now on
    adopted: bool  # the candidate replaces the current weights
    verdict: str  # why, in a few words: RANKS_BETTER, NOT_SURELY_BETTER or TOO_LITTLE
    reason: str  # the verdict with its figures, in a sentence
    mentees: int  # held-out mentees with a booking and a non-booking among what they were shown
    current_ndcg: float
    candidate_ndcg: float
    interval: tuple[float, float]  # bootstrap interval of candidate − current NDCG@10, per mentee
    current_hit_rate: float
    candidate_hit_rate: float
    current_log_loss: float  # for information only
    candidate_log_loss: float
    examples: int
    bookings: int

    @property
    def difference(self) -> float:
        return self.candidate_ndcg - self.current_ndcg

    def figures(self) -> dict[str, float | int | str | bool]:
        """Everything decided on, as plain numbers (for the model row and the logs)."""
        return {
            "metric": GATE_METRIC,
            "adopted": self.adopted,
            "verdict": self.verdict,
            "holdout_mentees": self.mentees,
            "holdout_examples": self.examples,
            "holdout_bookings": self.bookings,
            "current_ndcg": self.current_ndcg,
            "candidate_ndcg": self.candidate_ndcg,
            "difference_low": self.interval[0],
            "difference_high": self.interval[1],
            "current_hit_rate": self.current_hit_rate,
            "candidate_hit_rate": self.candidate_hit_rate,
            "current_log_loss": self.current_log_loss,
            "candidate_log_loss": self.candidate_log_loss,
            "confidence": CONFIDENCE,
            "resamples": RESAMPLES,
        }


def finite(value: float) -> float | None:
    """A figure to store: nan (nothing to judge by) becomes None."""
    return value if math.isfinite(value) else None


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def choose(
    current_weights: dict[str, float],
    candidate_weights: dict[str, float],
    holdout: Sequence[Example],
    *,
    min_mentees: int = MIN_HOLDOUT_MENTEES,
    seed: int = 0,
) -> Decision:
    """The candidate replaces the current weights only if it ranks the held-out mentees' bookings
    better: each mentee's shown impressions are ordered by each model's score, NDCG@10 of their
    bookings is taken per mentee, and the seeded bootstrap interval (95 %) of the mean
    difference over mentees must lie above zero. Too few held-out mentees to judge by keeps the
    current weights. Log-loss is recorded for information and decides nothing."""
    holdout = list(holdout)
    groups = rankable_groups(holdout)
    current_hits, current_gains, candidate_hits, candidate_gains = [], [], [], []
    for group in groups:
        hit, gain = page_metrics([predict(current_weights, e.signals) for e in group], group)
        current_hits.append(hit)
        current_gains.append(gain)
        hit, gain = page_metrics([predict(candidate_weights, e.signals) for e in group], group)
        candidate_hits.append(hit)
        candidate_gains.append(gain)
    differences = [b - a for a, b in zip(current_gains, candidate_gains, strict=True)]
    n = len(groups)
    interval = bootstrap_interval(differences, seed=seed) if n >= min_mentees else (math.nan, math.nan)
    current_ndcg, candidate_ndcg = _mean(current_gains), _mean(candidate_gains)
    said = (
        f"{GATE_METRIC} {candidate_ndcg:.3f} against {current_ndcg:.3f} on {n} held-out mentees "
        f"(difference {candidate_ndcg - current_ndcg:+.3f}, {CONFIDENCE:.0%} interval "
        f"{interval[0]:+.3f} to {interval[1]:+.3f})"
    )
    if n < min_mentees:
        adopted, verdict = False, TOO_LITTLE
        reason = (
            f"kept the current weights: too little held-out data ({n} held-out mentee"
            f"{'' if n == 1 else 's'} with a booking among what they were shown; {min_mentees} needed)"
        )
    elif interval[0] > 0:
        adopted, verdict = True, RANKS_BETTER
        reason = f"adopted: {verdict} — {said}"
    else:
        adopted, verdict = False, NOT_SURELY_BETTER
        reason = f"kept the current weights: {verdict} — {said}"
    return Decision(
        weights=dict(candidate_weights if adopted else current_weights),
        adopted=adopted,
        verdict=verdict,
        reason=reason,
        mentees=n,
        current_ndcg=current_ndcg,
        candidate_ndcg=candidate_ndcg,
        interval=interval,
        current_hit_rate=_mean(current_hits),
        candidate_hit_rate=_mean(candidate_hits),
        current_log_loss=log_loss(current_weights, holdout),
        candidate_log_loss=log_loss(candidate_weights, holdout),
        examples=len(holdout),
        bookings=sum(1 for e in holdout if e.booked),
    )
