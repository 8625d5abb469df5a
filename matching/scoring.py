"""How a mentee's need is matched to what mentors offer: pure functions, no database.

Each candidate (an offering, a cohort or a plan) gets signals in [0, 1] — text relevance
(BM25 over the mentor's profile and the item), shared skills, free slots inside the mentee's
hours, price against the budget, language, rating and action-item rate (both smoothed towards
the platform's mean, so one 5-star review does not outrank a proven record), repeat rate and
format — a score (a logistic model's weights over those signals), and the reasons in plain
words. An exploration share of each page goes to mentors with little history, so new mentors
get seen and the model gets outcomes to learn from.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from datetime import time
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.money import format_money

WORD = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")
# "don't" reads "do not", "I'm" reads "I", "mentor's" reads "mentor": the clitic is no word of its own.
NOT = re.compile(r"n['\u2019]t\b")
CLITIC = re.compile(r"['\u2019](?:m|s|re|ve|ll|d)\b")
_STOP_WORDS = """
    a about after again all also am an and any are as at be because been before being but by can
    cannot could did do does doing don done each even ever for from get getting go going got had
    has have having he her here him his how i id if im in into is it its ive just know like ll
    make me more most much my myself need new no not now of off on one only or other our out over
    really re she should so some such take than that the their them then there these they this
    those through to too up us ve very want was way we well were what when where which while who
    why will with would yet you your
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
# Pseudo-counts of the smoothing: a mentor's rating counts as this many reviews at the
# platform's mean, and their action-item rate as this many items at the platform's rate.
RATING_PRIOR_WEIGHT = 5
ITEMS_PRIOR_WEIGHT = 10
# A mentor with fewer reviews than this is "new" for the exploration share.
NEW_MENTOR_REVIEWS = 3
EXPLORE_EVERY = 5  # one place in five (positions 5, 10, …) goes to a new mentor when there is one
FULL_AVAILABILITY_SLOTS = 6  # this many free slots inside the mentee's hours counts as "plenty"
MANY_SLOTS = 20  # the reasons say "20+ free slots" beyond this

FORMATS = {"single": "offering", "cohort": "cohort", "ongoing": "plan"}


def words(text: str) -> list[str]:
    """The text's meaningful words: lower-cased, without stop words, contractions' clitics or
    one-letter pieces (so a reason never says "m" because someone wrote "I'm")."""
    text = CLITIC.sub("", NOT.sub(" not", (text or "").lower()))
    return [w for w in WORD.findall(text) if len(w) > 1 and w not in STOP_WORDS]


@lru_cache(maxsize=50_000)
def _document(text: str) -> tuple[str, ...]:
    """A candidate's words, kept: the same profiles and offerings are ranked for every mentee."""
    return tuple(words(text))


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

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.skills)


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

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Signals:
    text: float = 0.0
    skills: float = 0.0
    availability: float = 0.0
    price: float = 0.0
    language: float = 0.0
    rating: float = 0.0
    implementation: float = 0.0
    repeat: float = 0.0
    format: float = 0.0

    def vector(self) -> list[float]:
        return [getattr(self, f.name) for f in fields(self)]


SIGNAL_NAMES = tuple(f.name for f in fields(Signals))

# Until a model has been trained on this site's own outcomes (matching.learning), these weights
# rank: relevance first, then fit (time, money, language), then the mentor's record.
DEFAULT_WEIGHTS: dict[str, float] = {
    "bias": -4.0,
    "text": 3.0,
    "skills": 2.0,
    "availability": 1.2,
    "price": 1.2,
    "language": 0.8,
    "rating": 1.0,
    "implementation": 1.0,
    "repeat": 0.6,
    "format": 0.8,
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


def bm25(
    query: list[str], document: list[str], platform: Platform, *, k1: float = 1.2, b: float = 0.75
) -> float:
    if not query or not document:
        return 0.0
    counts = Counter(document)
    norm = k1 * (1 - b + b * len(document) / platform.average_length)
    return sum(
        platform.idf(term) * counts[term] * (k1 + 1) / (counts[term] + norm)
        for term in set(query)
        if counts[term]
    )


def smoothed_rating(mentor: Mentor, platform: Platform) -> float:
    """The rating as if RATING_PRIOR_WEIGHT more reviews at the platform's mean had been given."""
    total = (mentor.rating_average or 0) * mentor.rating_count + platform.rating_mean * RATING_PRIOR_WEIGHT
    return total / (mentor.rating_count + RATING_PRIOR_WEIGHT)


def smoothed_items_rate(mentor: Mentor, platform: Platform) -> float:
    done = mentor.items_done + platform.items_rate * ITEMS_PRIOR_WEIGHT
    return done / (mentor.items_total + ITEMS_PRIOR_WEIGHT)


def price_fit(candidate: Candidate, need: Need) -> float:
    """1 within budget; falling to 0 at twice the budget; 0.5 when no budget (or another currency)."""
    if need.budget is None or candidate.currency != need.currency:
        return 0.5
    if candidate.price <= need.budget:
        return 1.0
    if need.budget <= 0:
        return 0.0
    return max(0.0, 1.0 - (candidate.price - need.budget) / need.budget)


def format_fit(candidate: Candidate, need: Need) -> float:
    if need.format == "any":
        return 0.5
    return 1.0 if FORMATS.get(need.format) == candidate.kind else 0.0


def signals_for(need: Need, candidate: Candidate, platform: Platform, *, text_score: float) -> Signals:
    """`text_score` is BM25 already scaled to [0, 1] over this result set (see rank)."""
    mentor = candidate.mentor
    skills = len(need.skills & mentor.skills) / len(need.skills) if need.skills else 0.0
    language = 1.0 if need.language is None or need.language in mentor.languages else 0.0
    return Signals(
        text=text_score,
        skills=skills,
        availability=min(mentor.free_slots_in_hours, FULL_AVAILABILITY_SLOTS) / FULL_AVAILABILITY_SLOTS,
        price=price_fit(candidate, need),
        language=language,
        rating=(smoothed_rating(mentor, platform) - 1) / 4,
        implementation=smoothed_items_rate(mentor, platform),
        repeat=(mentor.returning_mentees + 1) / (mentor.mentees + 4),
        format=format_fit(candidate, need),
    )


def score(signals: Signals, weights: dict[str, float]) -> float:
    """The model's probability that this mentee books this candidate."""
    z = weights.get("bias", 0.0) + sum(
        weights.get(name, 0.0) * value for name, value in zip(SIGNAL_NAMES, signals.vector(), strict=True)
    )
    return 1 / (1 + math.exp(-max(min(z, 50), -50)))


def reasons(need: Need, candidate: Candidate, signals: Signals, query_terms: list[str]) -> list[str]:
    """Why it was chosen, in plain words, most telling first."""
    mentor = candidate.mentor
    said = []
    shared = sorted(mentor.skill_names[s] for s in need.skills & mentor.skills)
    document = set(words(mentor.text + " " + candidate.title + " " + candidate.text))
    named = {w for s in shared for w in words(s)}  # a two-word skill's words are not said again
    terms = [t for t in dict.fromkeys(query_terms) if t in document and t not in named]
    if shared or terms:
        said.append(", ".join(shared + terms[: max(0, 4 - len(shared))]))
    if need.hours is not None or need.days:
        n = mentor.free_slots_in_hours
        count = f"{MANY_SLOTS}+" if n >= MANY_SLOTS else str(n)
        said.append(
            f"{count} free slot{'s' if n != 1 else ''} inside your hours this week"
            if n
            else "no free slot inside your hours this week"
        )
    if need.budget is not None and candidate.currency == need.currency:
        price = format_money(candidate.price, candidate.currency)
        said.append(
            f"{price}, within your budget"
            if candidate.price <= need.budget
            else f"{price}, above your budget"
        )
    if need.language and signals.language:
        said.append("speaks your language")
    if mentor.rating_count:
        plural = "s" if mentor.rating_count != 1 else ""
        said.append(f"rated {mentor.rating_average:.1f} from {mentor.rating_count} review{plural}")
    else:
        said.append("new on TheMentors")
    if mentor.items_total >= 3:
        said.append(
            f"{round(100 * mentor.items_done / mentor.items_total)}% of mentees did their action item"
        )
    if mentor.mentees >= 3 and mentor.returning_mentees:
        said.append(f"{round(100 * mentor.returning_mentees / mentor.mentees)}% of mentees came back")
    return said


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    signals: Signals
    score: float
    reasons: tuple[str, ...]
    explored: bool = False


def rank(
    need: Need,
    candidates: list[Candidate],
    *,
    weights: dict[str, float] | None = None,
    platform: Platform | None = None,
    limit: int = 20,
    explore: bool = True,
) -> list[Ranked]:
    """The best `limit` candidates for the need, with their reasons. Deterministic: the
    exploration places go to the best-scored new mentors, not to random ones."""
    weights = weights or DEFAULT_WEIGHTS
    documents = {c.key: _document(c.mentor.text + " " + c.title + " " + c.text) for c in candidates}
    if platform is None:
        mentors = list({c.mentor.id: c.mentor for c in candidates}.values())
        platform = Platform.from_mentors(mentors, list(documents.values()))
    query = words(need.text) + [s.replace("-", " ") for s in need.skills]
    query = [w for term in query for w in words(term)]
    raw = {key: bm25(query, document, platform) for key, document in documents.items()}
    top = max(raw.values(), default=0.0) or 1.0
    ranked = []
    for candidate in candidates:
        signals = signals_for(need, candidate, platform, text_score=raw[candidate.key] / top)
        ranked.append(Ranked(candidate, signals, score(signals, weights), ()))
    ranked.sort(key=lambda r: (-r.score, r.candidate.price, r.candidate.key))
    page = _with_exploration(ranked, limit) if explore else ranked[:limit]
    # Reasons only for what is shown: writing them for every candidate was a third of the time.
    return [replace(r, reasons=tuple(reasons(need, r.candidate, r.signals, query))) for r in page]


def _with_exploration(ranked: list[Ranked], limit: int) -> list[Ranked]:
    page = ranked[:limit]
    shown = {r.candidate.key for r in page}
    newcomers = [
        r
        for r in ranked
        if r.candidate.mentor.rating_count < NEW_MENTOR_REVIEWS
        and r.candidate.key not in shown
        and r.signals.text > 0
    ]
    for position in range(EXPLORE_EVERY - 1, len(page), EXPLORE_EVERY):
        if not newcomers:
            break
        if page[position].candidate.mentor.rating_count < NEW_MENTOR_REVIEWS:
            continue
        pick = newcomers.pop(0)
        page[position] = Ranked(pick.candidate, pick.signals, pick.score, pick.reasons, explored=True)
    return page
