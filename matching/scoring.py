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
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from datetime import time
from zoneinfo import ZoneInfo

from core.money import convert, format_money

from .text import STOP_WORDS as STOP_WORDS
from .text import bm25 as bm25
from .text import document as _document
from .text import skills_in_text as skills_in_text
from .text import words

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
# What a budget is per, and the kind of item it is compared with.
BUDGET_KINDS = {"session": "offering", "seat": "cohort", "month": "plan"}
NEAR_BUDGET = 0.2  # "a little above your budget": at most this share over it
TOP = 10  # the main results: one item per mentor
GROUP_SIZE = 5  # each labelled group below them
LANGUAGE_GROUPS = 2  # "Also good, in English", and one more language at most
FEW = 3  # fewer main results than this: the page says so and shows the closest options
CLOSEST = 3


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


def smoothed_rating(mentor: Mentor, platform: Platform) -> float:
    """The rating as if RATING_PRIOR_WEIGHT more reviews at the platform's mean had been given."""
    total = (mentor.rating_average or 0) * mentor.rating_count + platform.rating_mean * RATING_PRIOR_WEIGHT
    return total / (mentor.rating_count + RATING_PRIOR_WEIGHT)


def smoothed_items_rate(mentor: Mentor, platform: Platform) -> float:
    done = mentor.items_done + platform.items_rate * ITEMS_PRIOR_WEIGHT
    return done / (mentor.items_total + ITEMS_PRIOR_WEIGHT)


def price_fit(candidate: Candidate, need: Need, price: int | None = None) -> float:
    """1 within budget; falling to 0 at twice the budget; 0.5 when no budget. `price` is the
    candidate's price in the mentee's currency (converted); without it only a price in that same
    currency is compared, and one in another currency counts 0.5 (it is never shown under a
    budget: see `fits_budget`)."""
    if price is None and candidate.currency == need.currency:
        price = candidate.price
    if need.budget is None or price is None:
        return 0.5
    if price <= need.budget:
        return 1.0
    if need.budget <= 0:
        return 0.0
    return max(0.0, 1.0 - (price - need.budget) / need.budget)


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


def format_fit(candidate: Candidate, need: Need) -> float:
    if need.format == "any":
        return 0.5
    return 1.0 if FORMATS.get(need.format) == candidate.kind else 0.0


def signals_for(
    need: Need, candidate: Candidate, platform: Platform, *, text_score: float, price: int | None = None
) -> Signals:
    """`text_score` is BM25 already scaled to [0, 1] over this result set (see rank); `price` the
    candidate's price converted to the mentee's currency, when known."""
    mentor = candidate.mentor
    skills = len(need.skills & mentor.skills) / len(need.skills) if need.skills else 0.0
    language = 1.0 if speaks(need, mentor) else 0.0
    return Signals(
        text=text_score,
        skills=skills,
        availability=min(mentor.free_slots_in_hours, FULL_AVAILABILITY_SLOTS) / FULL_AVAILABILITY_SLOTS,
        price=price_fit(candidate, need, price),
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


def reasons(
    need: Need,
    candidate: Candidate,
    signals: Signals,
    query_terms: list[str],
    *,
    price: int | None = None,
) -> list[str]:
    """Why it was chosen, in plain words, most telling first: each one true of this item, in
    whichever group it is shown (an item above the budget says by how much; a mentor who does
    not speak the mentee's language says which they speak). `price` is the converted price."""
    mentor = candidate.mentor
    if price is None and candidate.currency == need.currency:
        price = candidate.price
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
    if need.budget is not None and price is not None and candidate.kind == need.budget_kind:
        shown = format_money(candidate.price, candidate.currency)
        if candidate.currency != need.currency and candidate.price:
            shown += f" (≈ {format_money(price, need.currency)})"
        said.append(
            f"{shown}, within your budget"
            if price <= need.budget
            else f"{shown}, above your budget by {format_money(price - need.budget, need.currency)}"
        )
    if need.language:
        if need.language in mentor.languages:
            said.append("speaks your language")
        elif mentor.languages:
            names = sorted(mentor.language_names.get(code, code) for code in mentor.languages)
            said.append("speaks " + " and ".join(names))
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
    price: int | None = None  # in the mentee's currency (None: no rate, or no need to say)
    more: tuple[Ranked, ...] = ()  # the mentor's other items that fit as well as this one


@dataclass(frozen=True)
class Group:
    """A labelled group of results below the main ones: `key` is "language", "budget" or
    "closest"; the label says how its items differ from what was asked."""

    key: str
    label: str
    items: tuple[Ranked, ...]


@dataclass(frozen=True)
class Page:
    """What the mentee sees: the main results (everything they said holds; one per mentor) and
    the labelled groups below; `few` when the main results are fewer than FEW."""

    main: tuple[Ranked, ...]
    groups: tuple[Group, ...] = ()

    @property
    def few(self) -> bool:
        return len(self.main) < FEW


def rank(
    need: Need,
    candidates: list[Candidate],
    *,
    weights: dict[str, float] | None = None,
    platform: Platform | None = None,
    limit: int = 20,
    explore: bool = True,
    rates: dict | None = None,
) -> list[Ranked]:
    """The best `limit` candidates that meet what the mentee said (their language; their budget,
    in their currency after conversion with `rates`), one per mentor, with their reasons.
    Deterministic: the exploration places go to the best-scored new mentors, not random ones."""
    return list(
        match(
            need, candidates, weights=weights, platform=platform, limit=limit, explore=explore, rates=rates
        ).main
    )


def match(
    need: Need,
    candidates: list[Candidate],
    *,
    weights: dict[str, float] | None = None,
    platform: Platform | None = None,
    limit: int = TOP,
    explore: bool = True,
    rates: dict | None = None,
) -> Page:
    """The page for a need: the main results (relevant; in the mentee's language; within the
    budget), then "Also good, in <language>" (all but the language), "A little above your
    budget" (at most NEAR_BUDGET over) and, when the main results are few, the closest of the
    rest. An item whose price cannot be converted, or of a kind the budget is not for, is left
    out under a budget: it is never scored as a neutral unknown. A mentor takes one place on the
    page; their other items in the same group are kept in `more`."""
    weights = weights or DEFAULT_WEIGHTS
    documents = {c.key: _document(c.mentor.text + " " + c.title + " " + c.text) for c in candidates}
    if platform is None:
        mentors = list({c.mentor.id: c.mentor for c in candidates}.values())
        platform = Platform.from_mentors(mentors, list(documents.values()))
    query = words(need.text) + [s.replace("-", " ") for s in need.skills]
    query = [w for term in query for w in words(term)]
    raw = {key: bm25(query, document, platform) for key, document in documents.items()}
    top = max(raw.values(), default=0.0) or 1.0
    scored = []
    for candidate in candidates:
        price = converted_price(candidate, need, rates)
        signals = signals_for(need, candidate, platform, text_score=raw[candidate.key] / top, price=price)
        scored.append(Ranked(candidate, signals, score(signals, weights), (), price=price))
    scored.sort(key=lambda r: (-r.score, r.candidate.price, r.candidate.key))

    main, by_language, near, rest = [], {}, [], []
    for r in scored:
        if not (r.signals.text > 0 or r.signals.skills > 0):
            continue  # nothing in common with the need: no reason to show it
        fit = fits_budget(need, r.candidate, r.price)
        if fit == "unknown":
            continue
        spoken = speaks(need, r.candidate.mentor)
        if spoken and fit == "ok":
            main.append(r)
        elif fit == "ok":
            by_language.setdefault(_label_language(need, r.candidate.mentor), []).append(r)
        elif spoken and fit == "near":
            near.append(r)
        else:
            rest.append(r)

    placed: set[int] = set()
    firsts = _one_per_mentor(main, placed, limit + len(main) if explore else limit)
    page_main = _with_exploration(firsts, limit) if explore else firsts[:limit]
    placed.clear()
    placed.update(r.candidate.mentor.id for r in page_main)
    groups = []
    for language, items in sorted(by_language.items(), key=lambda kv: -kv[1][0].score)[:LANGUAGE_GROUPS]:
        if firsts_ := _one_per_mentor(items, placed, GROUP_SIZE):
            groups.append(Group("language", f"Also good, in {language}", tuple(firsts_)))
    if near_ := _one_per_mentor(near, placed, GROUP_SIZE):
        cap = format_money(near_budget_limit(need), need.currency)
        groups.append(Group("budget", f"A little above your budget: up to {cap}", tuple(near_)))
    if len(page_main) < FEW:
        closest = sorted(rest, key=lambda r: (r.price or 0, -r.score))
        if closest_ := _one_per_mentor(closest, placed, CLOSEST):
            groups.append(Group("closest", "The closest to what you asked", tuple(closest_)))

    def told(r: Ranked) -> Ranked:
        # Reasons only for what is shown: writing them for every candidate was a third of the time.
        return replace(
            r,
            reasons=tuple(reasons(need, r.candidate, r.signals, query, price=r.price)),
            more=tuple(told(m) for m in r.more),
        )

    return Page(
        main=tuple(told(r) for r in page_main),
        groups=tuple(replace(g, items=tuple(told(r) for r in g.items)) for g in groups),
    )


def _label_language(need: Need, mentor: Mentor) -> str:
    """The language a group of mentors who do not speak the mentee's is labelled with: English
    when they speak it (the platform's common one), else the first of theirs by name."""
    names = mentor.language_names
    if "en" in mentor.languages:
        return names.get("en", "English")
    spoken = sorted(names.get(code, code) for code in mentor.languages)
    return spoken[0] if spoken else "another language"


def _one_per_mentor(ranked: list[Ranked], placed: set[int], limit: int) -> list[Ranked]:
    """The best item of each mentor not yet on the page, their other items in its `more`; adds
    the mentors it takes to `placed`."""
    firsts: dict[int, Ranked] = {}
    others: dict[int, list[Ranked]] = {}
    for r in ranked:
        mentor = r.candidate.mentor.id
        if mentor in placed and mentor not in firsts:
            continue
        if mentor in firsts:
            others.setdefault(mentor, []).append(r)
        elif len(firsts) < limit:
            firsts[mentor] = r
            placed.add(mentor)
    return [replace(r, more=tuple(others.get(m, ()))) for m, r in firsts.items()]


def _with_exploration(ranked: list[Ranked], limit: int) -> list[Ranked]:
    page = ranked[:limit]
    newcomers = [
        r
        for r in ranked[limit:]
        if r.candidate.mentor.rating_count < NEW_MENTOR_REVIEWS and r.signals.text > 0
    ]
    for position in range(EXPLORE_EVERY - 1, len(page), EXPLORE_EVERY):
        if not newcomers:
            break
        if page[position].candidate.mentor.rating_count < NEW_MENTOR_REVIEWS:
            continue
        page[position] = replace(newcomers.pop(0), explored=True)
    return page
