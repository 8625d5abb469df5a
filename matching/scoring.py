"""How well a candidate fits a mentee's need: pure functions, no database.

Each candidate (an offering, a cohort or a plan) gets signals in [0, 1] — text relevance
(BM25 over the mentor's profile and the item), shared skills, free slots inside the mentee's
hours, price against the budget, language, rating and action-item rate (both smoothed towards
the platform's mean, so one 5-star review does not outrank a proven record), repeat rate,
format, whether the mentee met the mentor before, the mentor's experience and how the item
stands among theirs — and a score (a logistic model's weights over those signals). The page a
mentee sees, with its reasons, is matching.ranking.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from operator import mul
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo

from core.money import convert

from .text import STOP_WORDS as STOP_WORDS
from .text import skills_in_text as skills_in_text
from .text import words as words

# Pseudo-counts of the smoothing: a mentor's rating counts as this many reviews at the
# platform's mean, and their action-item rate as this many items at the platform's rate.
RATING_PRIOR_WEIGHT = 5
ITEMS_PRIOR_WEIGHT = 10
FULL_AVAILABILITY_SLOTS = 6  # this many free slots inside the mentee's hours counts as "plenty"
AT_BUDGET = 0.7  # the price signal of an item priced exactly at the budget (a free one: 1)
EXPERIENCED = 50  # a mentor who has had this many mentees counts as fully experienced
# The mentee's own rating of a mentor they met: at least LIKED counts as a good experience; at
# most DISLIKED keeps the mentor off their page altogether.
LIKED = 4
DISLIKED = 2

FORMATS = {"single": "offering", "cohort": "cohort", "ongoing": "plan"}
# What a budget is per, and the kind of item it is compared with.
BUDGET_KINDS = {"session": "offering", "seat": "cohort", "month": "plan"}
NEAR_BUDGET = 0.2  # "a little above your budget": at most this share over it


@dataclass(frozen=True)
class Need:
    """What the mentee asked for in the intake (times in their zone)."""

    text: str = ""
    skills: frozenset[str] = frozenset()  # skill slugs
    budget: int | None = None  # minor units per session (per seat / per month for cohorts and plans)
    currency: str = "USD"
    language: str | None = None  # language code
    days: frozenset[int] = frozenset()  # weekdays 0 (Monday) – 6 they can meet on; empty: any
    hours: tuple[time, time] | None = None  # from, to, in `zone`
    zone: ZoneInfo = ZoneInfo("UTC")
    format: str = "any"  # "single", "cohort", "ongoing" or "any"
    budget_per: str = "session"  # "session", "seat" or "month": the kind of item the budget is for
    # Mentors the mentee has had a completed session with -> the stars they gave the latest one
    # (None: no review). Not asked in the intake: read from their bookings.
    met: Mapping[int, int | None] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.skills)

    @property
    def budget_kind(self) -> str:
        return BUDGET_KINDS.get(self.budget_per, "offering")


@dataclass(frozen=True)
class Mentor:
    """What the ranking knows of a mentor (read in bulk by matching.selectors)."""

    id: int
    name: str
    text: str  # headline, bio and skill names
    skills: frozenset[str]
    skill_names: dict[str, str]  # slug -> name, for the reasons
    languages: frozenset[str]
    rating_average: float | None = None
    rating_count: int = 0
    items_done: int = 0
    items_total: int = 0
    mentees: int = 0  # distinct mentees with a completed session
    returning_mentees: int = 0  # … of whom booked again
    free_slots_in_hours: int = 0  # in the next 7 days, inside the mentee's days and hours
    language_names: dict[str, str] = field(default_factory=dict)  # code -> name, for the labels


@dataclass(frozen=True)
class Candidate:
    kind: str  # "offering", "cohort" or "plan"
    id: int
    mentor: Mentor
    title: str
    text: str  # the item's own words (title, outcome, description)
    url: str
    price: int  # minor units: per session, per seat, or per month
    currency: str
    duration_minutes: int | None = None
    bookings: int = 0  # sessions booked, seats taken or subscriptions made: what mentees chose of it

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


class Signals(NamedTuple):
    """Each in [0, 1]; a tuple, so the model's weights apply to it in one pass (see `scorer`)."""

    text: float = 0.0
    skills: float = 0.0
    availability: float = 0.0
    price: float = 0.0
    language: float = 0.0
    rating: float = 0.0
    implementation: float = 0.0
    repeat: float = 0.0
    format: float = 0.0
    met: float = 0.0
    experience: float = 0.0
    favourite: float = 0.0

    def vector(self) -> list[float]:
        return list(self)


SIGNAL_NAMES = Signals._fields

# Until a model has been trained on this site's own outcomes (matching.learning), these weights
# rank: relevance and a proven record (how many mentees a mentor has had) first, then fit (time,
# money, language), the mentor's ratings and which of their items mentees choose.
DEFAULT_WEIGHTS: dict[str, float] = {
    "bias": -4.0,
    "text": 2.0,
    "skills": 2.0,
    "availability": 1.2,
    "price": 1.2,
    "language": 0.8,
    "rating": 1.0,
    "implementation": 1.0,
    "repeat": 0.6,
    "format": 0.8,
    "met": 1.5,
    "experience": 3.0,
    "favourite": 2.0,
}


@dataclass
class Platform:
    """The platform-wide means the smoothing pulls towards, and the text index's statistics."""

    rating_mean: float = 4.5
    items_rate: float = 0.5
    document_count: int = 0
    document_frequency: Counter = field(default_factory=Counter)
    average_length: float = 1.0

    @classmethod
    def from_mentors(cls, mentors: list[Mentor], documents: list[list[str]]) -> Platform:
        rated = [m for m in mentors if m.rating_count]
        reviews = sum(m.rating_count for m in rated)
        rating_mean = (
            sum((m.rating_average or 0) * m.rating_count for m in rated) / reviews if reviews else 4.5
        )
        items = sum(m.items_total for m in mentors)
        items_rate = sum(m.items_done for m in mentors) / items if items else 0.5
        frequency: Counter = Counter()
        for document in documents:
            frequency.update(set(document))
        length = sum(len(d) for d in documents) / len(documents) if documents else 1.0
        return cls(rating_mean, items_rate, len(documents), frequency, max(length, 1.0))

    def idf(self, term: str) -> float:
        n, df = self.document_count, self.document_frequency.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))


def smoothed_rating(mentor: Mentor, platform: Platform) -> float:
    """The rating as if RATING_PRIOR_WEIGHT more reviews at the platform's mean had been given."""
    total = (mentor.rating_average or 0) * mentor.rating_count + platform.rating_mean * RATING_PRIOR_WEIGHT
    return total / (mentor.rating_count + RATING_PRIOR_WEIGHT)


def smoothed_items_rate(mentor: Mentor, platform: Platform) -> float:
    done = mentor.items_done + platform.items_rate * ITEMS_PRIOR_WEIGHT
    return done / (mentor.items_total + ITEMS_PRIOR_WEIGHT)


def price_fit(candidate: Candidate, need: Need, price: int | None = None) -> float:
    """Within budget from 1 (free) down to AT_BUDGET (at the budget): of two items that both fit,
    the cheaper fits better; above it falling from AT_BUDGET to 0 at twice the budget; 0.5 when
    no budget. `price` is the candidate's price in the mentee's currency (converted); without it
    only a price in that same currency is compared, and one in another currency counts 0.5 (it
    is never shown under a budget: see `fits_budget`)."""
    if price is None and candidate.currency == need.currency:
        price = candidate.price
    if need.budget is None or price is None:
        return 0.5
    if need.budget <= 0:
        return 1.0 if price <= 0 else 0.0
    share = price / need.budget
    if share <= 1:
        return 1.0 - (1.0 - AT_BUDGET) * share
    return max(0.0, AT_BUDGET * (2.0 - share))


def converted_price(candidate: Candidate, need: Need, rates: dict | None) -> int | None:
    """The candidate's price in the mentee's currency; None when no rate says."""
    return convert(candidate.price, candidate.currency, need.currency, rates or {})


def fits_budget(need: Need, candidate: Candidate, price: int | None) -> str:
    """ "ok" within the budget (or no budget); "near" at most NEAR_BUDGET over it; "over" beyond;
    "unknown" when the price cannot be converted or the item is not the kind the budget is for
    (a budget per session says nothing of a cohort seat): such items are never shown under a
    budget."""
    if need.budget is None:
        return "ok"
    if candidate.kind != need.budget_kind or price is None:
        return "unknown"
    if price <= need.budget:
        return "ok"
    return "near" if price <= near_budget_limit(need) else "over"


def near_budget_limit(need: Need) -> int:
    return math.floor((need.budget or 0) * (1 + NEAR_BUDGET) + 1e-9)


def speaks(need: Need, mentor: Mentor) -> bool:
    return need.language is None or need.language in mentor.languages


def met_fit(need: Need, mentor: Mentor) -> float:
    """1 for a mentor the mentee met and rated LIKED or more; 0.6 for one they met and rated in
    between or did not review; 0 for one they never met."""
    if mentor.id not in need.met:
        return 0.0
    stars = need.met[mentor.id]
    return 1.0 if stars is not None and stars >= LIKED else 0.6


def disliked(need: Need, mentor: Mentor) -> bool:
    stars = need.met.get(mentor.id)
    return stars is not None and stars <= DISLIKED


def format_fit(candidate: Candidate, need: Need) -> float:
    if need.format == "any":
        return 0.5
    return 1.0 if FORMATS.get(need.format) == candidate.kind else 0.0


def signals_for(
    need: Need,
    candidate: Candidate,
    platform: Platform,
    *,
    text_score: float,
    price: int | None = None,
    favourite: float = 1.0,
    of_mentor: Signals | None = None,
) -> Signals:
    """`text_score` is BM25 already scaled to [0, 1] over this result set (see match); `price`
    the candidate's price converted to the mentee's currency, when known; `favourite` how it
    stands among its mentor's items (see `favourite`); `of_mentor` what `mentor_signals` says of
    its mentor, when already known (a page reads each mentor once)."""
    of_mentor = of_mentor or mentor_signals(need, candidate.mentor, platform)
    return of_mentor._replace(
        text=text_score,
        price=price_fit(candidate, need, price),
        format=format_fit(candidate, need),
        favourite=favourite,
    )


def favourite(bookings: int, most: int) -> float:
    """How an item stands among its mentor's: its bookings against those of the mentor's most
    booked item, smoothed (1 for that one, and for every item of a mentor nobody booked yet)."""
    return (bookings + 1) / (most + 1)


def mentor_signals(need: Need, mentor: Mentor, platform: Platform) -> Signals:
    """The signals that depend on the mentor alone (text, price and format are the item's)."""
    return Signals(
        skills=len(need.skills & mentor.skills) / len(need.skills) if need.skills else 0.0,
        availability=min(mentor.free_slots_in_hours, FULL_AVAILABILITY_SLOTS) / FULL_AVAILABILITY_SLOTS,
        language=1.0 if speaks(need, mentor) else 0.0,
        rating=(smoothed_rating(mentor, platform) - 1) / 4,
        implementation=smoothed_items_rate(mentor, platform),
        repeat=(mentor.returning_mentees + 1) / (mentor.mentees + 4),
        met=met_fit(need, mentor),
        experience=min(1.0, math.log1p(mentor.mentees) / math.log1p(EXPERIENCED)),
    )


def scorer(weights: dict[str, float]) -> Callable[[Signals], float]:
    """The model's probability that a mentee books a candidate, from its signals: the weights
    are read once for a whole page."""
    bias = weights.get("bias", 0.0)
    vector = tuple(weights.get(name, 0.0) for name in SIGNAL_NAMES)

    def probability(signals: Signals) -> float:
        z = bias + sum(map(mul, vector, signals))
        return 1 / (1 + math.exp(-max(min(z, 50), -50)))

    return probability
