"""The page a mentee sees for their need (pure functions, no database): the candidates sharing a
word or a skill with it, looked up in an index of the catalogue, scored (matching.scoring), split
into the main results and labelled groups, one place per mentor, each with its reasons in plain
words. An exploration share of the main results goes to relevant mentors with little history, so
new mentors get seen and the model gets outcomes to learn from.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.money import format_money

from .scoring import (
    DEFAULT_WEIGHTS,
    Candidate,
    Mentor,
    Need,
    Platform,
    Signals,
    converted_price,
    disliked,
    favourite,
    fits_budget,
    mentor_signals,
    near_budget_limit,
    scorer,
    signals_for,
    speaks,
)
from .text import document as _document
from .text import words

# A mentor with fewer reviews than this is "new" for the exploration share.
NEW_MENTOR_REVIEWS = 3
EXPLORE_EVERY = 10  # one place in ten (the tenth, …) goes to a new mentor when there is one
MANY_SLOTS = 20  # the reasons say "20+ free slots" beyond this
TOP = 10  # the main results: one item per mentor
GROUP_SIZE = 5  # each labelled group below them
LANGUAGE_GROUPS = 2  # "Also good, in English", and one more language at most
FEW = 3  # fewer main results than this: the page says so and shows the closest options
CLOSEST = 3


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
    if mentor.id in need.met:
        stars = need.met[mentor.id]
        said.append(
            _("you had a session with them before and rated it %(stars)s of 5") % {"stars": stars}
            if stars is not None
            else _("you had a session with them before")
        )
    if need.hours is not None or need.days:
        n = mentor.free_slots_in_hours
        count = f"{MANY_SLOTS}+" if n >= MANY_SLOTS else str(n)
        said.append(
            ngettext(
                "%(count)s free slot inside your hours this week",
                "%(count)s free slots inside your hours this week",
                n,
            )
            % {"count": count}
            if n
            else _("no free slot inside your hours this week")
        )
    if need.budget is not None and price is not None and candidate.kind == need.budget_kind:
        shown = format_money(candidate.price, candidate.currency)
        if candidate.currency != need.currency and candidate.price:
            shown = _("%(price)s (≈ %(converted)s)") % {
                "price": shown,
                "converted": format_money(price, need.currency),
            }
        said.append(
            _("%(price)s, within your budget") % {"price": shown}
            if price <= need.budget
            else _("%(price)s, above your budget by %(over)s")
            % {"price": shown, "over": format_money(price - need.budget, need.currency)}
        )
    if need.language:
        if need.language in mentor.languages:
            said.append(_("speaks your language"))
        elif mentor.languages:
            names = sorted(mentor.language_names.get(code, code) for code in mentor.languages)
            if len(names) == 1:
                said.append(_("speaks %(language)s") % {"language": names[0]})
            else:
                said.append(
                    _("speaks %(languages)s and %(last)s")
                    % {"languages": ", ".join(names[:-1]), "last": names[-1]}
                )
    if mentor.rating_count:
        said.append(
            ngettext(
                "rated %(rating)s from %(count)s review",
                "rated %(rating)s from %(count)s reviews",
                mentor.rating_count,
            )
            % {"rating": number_format(mentor.rating_average, 1), "count": mentor.rating_count}
        )
    else:
        said.append(_("new on TheMentors"))
    if mentor.items_total >= 3:
        said.append(
            _("%(percent)s%% of mentees did their action item")
            % {"percent": round(100 * mentor.items_done / mentor.items_total)}
        )
    if mentor.mentees >= 3:
        came_back = round(100 * mentor.returning_mentees / mentor.mentees)
        said.append(
            ngettext(
                "%(count)s mentee so far, %(percent)s%% came back",
                "%(count)s mentees so far, %(percent)s%% came back",
                mentor.mentees,
            )
            % {"count": mentor.mentees, "percent": came_back}
            if mentor.returning_mentees
            else ngettext("%(count)s mentee so far", "%(count)s mentees so far", mentor.mentees)
            % {"count": mentor.mentees}
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
        # A mentor's profile words once for all their items (the words never span the space).
        documents = [_document(c.mentor.text) + _document(c.title + " " + c.text) for c in candidates]
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
            groups.append(
                Group("language", _("Also good, in %(language)s") % {"language": language}, tuple(firsts_))
            )
    if near_ := _one_per_mentor(near, placed, GROUP_SIZE):
        cap = format_money(near_budget_limit(need), need.currency)
        groups.append(
            Group("budget", _("A little above your budget: up to %(cap)s") % {"cap": cap}, tuple(near_))
        )
    if len(page_main) < FEW:
        closest = sorted(rest, key=lambda r: (r.price or 0, -r.score))
        if closest_ := _one_per_mentor(closest, placed, CLOSEST):
            groups.append(Group("closest", _("The closest to what you asked"), tuple(closest_)))

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
        return names.get("en", _("English"))
    spoken = sorted(names.get(code, code) for code in mentor.languages)
    return spoken[0] if spoken else _("another language")


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
