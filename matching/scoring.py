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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from operator import mul
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo

from core.money import convert, format_money

from .text import STOP_WORDS as STOP_WORDS
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
AT_BUDGET = 0.7  # the price signal of an item priced exactly at the budget (a free one: 1)
EXPERIENCED = 50  # a mentor who has had this many mentees counts as fully experienced
# The mentee's own rating of a mentor they met: at least LIKED counts as a good experience; at
# most DISLIKED keeps the mentor off their page altogether.
LIKED = 4
DISLIKED = 2
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


def score(signals: Signals, weights: dict[str, float]) -> float:
    return scorer(weights)(signals)


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
    if mentor.id in need.met:
        stars = need.met[mentor.id]
        said.append(
            f"you had a session with them before and rated it {stars} of 5"
            if stars is not None
            else "you had a session with them before"
        )
    if mentor.rating_count:
        plural = "s" if mentor.rating_count != 1 else ""
        said.append(f"rated {mentor.rating_average:.1f} from {mentor.rating_count} review{plural}")
    else:
        said.append("new on TheMentors")
    if mentor.items_total >= 3:
        said.append(
            f"{round(100 * mentor.items_done / mentor.items_total)}% of mentees did their action item"
        )
    if mentor.mentees >= 3:
        came_back = round(100 * mentor.returning_mentees / mentor.mentees)
        said.append(
            f"{mentor.mentees} mentees so far, {came_back}% came back"
            if mentor.returning_mentees
            else f"{mentor.mentees} mentees so far"
        )
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


@dataclass
class Index:
    """The candidates' words read once — per page, or once for a whole batch of mentees — so a
    need only touches the candidates that share a word or a skill with it (nothing else can be
    shown: see `match`). Positions are those of the candidate list it was built from."""

    platform: Platform
    # term -> (position, BM25's term-frequency part for that document: idf aside)
    postings: dict[str, list[tuple[int, float]]]
    by_skill: dict[str, list[int]]  # skill slug -> positions of its mentors' candidates
    favourites: list[float]  # per position: `favourite` among its mentor's candidates

    @classmethod
    def of(
        cls,
        candidates: list[Candidate],
        platform: Platform | None = None,
        *,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> Index:
        documents = [_document(c.mentor.text + " " + c.title + " " + c.text) for c in candidates]
        if platform is None:
            mentors = list({c.mentor.id: c.mentor for c in candidates}.values())
            platform = Platform.from_mentors(mentors, documents)
        postings: dict[str, list[tuple[int, float]]] = {}
        by_skill: dict[str, list[int]] = {}
        for position, (candidate, document) in enumerate(zip(candidates, documents, strict=True)):
            norm = k1 * (1 - b + b * len(document) / platform.average_length)
            for term, count in Counter(document).items():
                postings.setdefault(term, []).append((position, count * (k1 + 1) / (count + norm)))
            for slug in candidate.mentor.skills:
                by_skill.setdefault(slug, []).append(position)
        most: dict[int, int] = {}
        for c in candidates:
            most[c.mentor.id] = max(most.get(c.mentor.id, 0), c.bookings)
        favourites = [favourite(c.bookings, most[c.mentor.id]) for c in candidates]
        return cls(platform, postings, by_skill, favourites)

    def text_scores(self, query: list[str]) -> dict[int, float]:
        """BM25 of every candidate with a word of the query (as `text.bm25` computes it)."""
        found: dict[int, float] = {}
        for term in set(query):
            idf = self.platform.idf(term)
            for position, part in self.postings.get(term, ()):
                found[position] = found.get(position, 0.0) + idf * part
        return found

    def with_skills(self, skills: frozenset[str]) -> set[int]:
        return {position for slug in skills for position in self.by_skill.get(slug, ())}


def match(
    need: Need,
    candidates: list[Candidate],
    *,
    weights: dict[str, float] | None = None,
    platform: Platform | None = None,
    limit: int = TOP,
    explore: bool = True,
    rates: dict | None = None,
    index: Index | None = None,
    exclude: frozenset[str] | set[str] = frozenset(),
) -> Page:
    """The page for a need: the main results (relevant; in the mentee's language; within the
    budget), then "Also good, in <language>" (all but the language), "A little above your
    budget" (at most NEAR_BUDGET over) and, when the main results are few, the closest of the
    rest. An item whose price cannot be converted, or of a kind the budget is not for, is left
    out under a budget: it is never scored as a neutral unknown. A mentor takes one place on the
    page; their other items in the same group are kept in `more`. Only candidates sharing a word
    or a skill with the need are scored (through `index`, built from `candidates` if not
    given); `exclude`: keys of candidates the mentee already has in hand."""
    weights = weights or DEFAULT_WEIGHTS
    index = index or Index.of(candidates, platform)
    platform = index.platform
    query = words(need.text) + [s.replace("-", " ") for s in need.skills]
    query = [w for term in query for w in words(term)]
    raw = index.text_scores(query)
    relevant = [
        position
        for position in set(raw) | index.with_skills(need.skills)
        if candidates[position].key not in exclude
    ]
    top = max((raw.get(position, 0.0) for position in relevant), default=0.0) or 1.0
    probability = scorer(weights)
    prices: dict[tuple[int, str], int | None] = {}  # the same few prices recur
    mentors: dict[int, Signals] = {}
    scored = []
    for position in relevant:
        candidate = candidates[position]
        key = (candidate.price, candidate.currency)
        if key not in prices:
            prices[key] = converted_price(candidate, need, rates)
        price = prices[key]
        mentor = candidate.mentor
        if mentor.id not in mentors:
            mentors[mentor.id] = mentor_signals(need, mentor, platform)
        signals = signals_for(
            need,
            candidate,
            platform,
            text_score=raw.get(position, 0.0) / top,
            price=price,
            favourite=index.favourites[position],
            of_mentor=mentors[mentor.id],
        )
        scored.append(Ranked(candidate, signals, probability(signals), (), price=price))
    scored.sort(key=lambda r: (-r.score, r.candidate.price, r.candidate.key))

    main, by_language, near, rest = [], {}, [], []
    for r in scored:
        if disliked(need, r.candidate.mentor):
            continue  # they said it did not go well: not recommended to them again
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
