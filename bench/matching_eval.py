"""Offline evaluation of matching: a synthetic marketplace with hidden preferences.

    .venv/bin/python bench/matching_eval.py                      # 10,000 mentees × 1,000 mentors
    .venv/bin/python bench/matching_eval.py --mentees 2000 --mentors 200 --sample 500

A world is drawn whose truth the ranking never sees: skills grouped in domains, each with a few
words and synonyms; mentors with hidden strengths in 2–5 skills, a hidden quality, languages,
a time zone and weekly hours, prices; mentees with hidden needs (1–3 skills), a budget, a
language, preferred hours, and their own sensitivity to price and time. Over eight rounds (weeks)
each mentee visits the marketplace a few times, is shown what a plain marketplace shows (the
most-booked items, a skill-directory search sorted by review count, a few random items) and
books the one with the highest hidden utility plus noise, or nothing; a mentor takes at most
their open slots of a week (`--uncapped` lifts that). Ratings and action items follow from
hidden quality and fit. The ranking sees only what the product would: intake text, chosen skills,
budget, language, free slots inside the mentee's hours, and the mentors' observable record
(ratings, action items, returning mentees) computed from the *training* bookings.

Each mentee's last booking is held out. The logistic model (matching.learning) is trained on the
training period's impressions (booked or shown-but-not-booked), then scoring.rank with the learned
weights, with DEFAULT_WEIGHTS, a popularity baseline and a text-only (BM25) baseline rank all
candidates for a sample of held-out mentees: hit-rate@10 and NDCG@10 of the held-out booking.

A measurement tool, not a test: it prints and exits 0.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import time as wall
from operator import mul
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a script: make the project importable
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching import learning, scoring
from matching.scoring import Candidate, Mentor, Need, Platform

# --- the world's shape ------------------------------------------------------------------------

DOMAINS = 12
SKILLS_PER_DOMAIN = 5  # 60 skills
LANGUAGES = ("en", "es", "de", "fr", "pt", "hi")
ZONES = (
    (-8, 8),
    (-6, 6),
    (-5, 10),
    (-3, 4),
    (0, 10),
    (1, 14),
    (2, 8),
    (3, 4),
    (5, 10),
    (8, 5),
    (9, 4),
    (10, 3),
)
ROUNDS = 8
FEATURED = 8  # the marketplace's "most booked" strip
SEARCHED = 16  # skill-directory (or title keyword) results, most-reviewed mentors first
BROWSED = 6  # random items a mentee scrolls past
TOP = 10
TRAINING_EXAMPLES = 150_000  # impressions kept for training (all bookings, sampled non-bookings)


def log(message: str = "") -> None:
    print(message, flush=True)


@dataclass(frozen=True)
class Skill:
    slug: str
    name: str
    domain: int
    canonical: tuple[str, ...]  # the skill's name words
    related: tuple[str, ...]  # words mentors and mentees both use
    synonyms: tuple[str, ...]  # words mentees use more than mentors


@dataclass
class HiddenMentor:
    id: int
    strengths: dict[str, float]  # hidden: skill slug -> how good they are at it
    listed: frozenset[str]  # what their profile says
    quality: float  # hidden
    languages: frozenset[str]
    mask: int  # their weekly hours, as bits of the 168 UTC hours of a week
    open_share: float  # share of those hours not already taken
    text: str
    name: str


@dataclass
class Item:
    """An offering, cohort or plan: what scoring calls a Candidate, before the mentee is known."""

    index: int
    kind: str
    id: int  # index + 1, for every kind
    mentor: int
    title: str
    text: str
    price: int
    duration: int | None


@dataclass
class HiddenMentee:
    id: int
    needs: tuple[str, ...]  # hidden
    need: Need  # what the intake says
    speaks_english: bool  # hidden: accepts English when their language is another
    mask: int
    price_sensitivity: float
    time_sensitivity: float
    quality_weight: float
    duration: int  # preferred length
    rounds: tuple[int, ...]  # the rounds they visit in
    history: dict[int, float] = field(default_factory=dict)  # mentor -> last satisfaction


@dataclass
class Booking:
    mentee: int
    item: int
    round: int
    rating: int | None  # None: no review left
    done: bool  # action item done
    stars: int  # hidden: how satisfied the mentee was, reviewed or not


@dataclass
class Visit:
    mentee: int
    round: int
    shown: list[int]
    booked: int  # item index, -1 for none


@dataclass
class World:
    skills: dict[str, Skill]
    mentors: list[HiddenMentor]
    items: list[Item]
    mentees: list[HiddenMentee]
    visits: list[Visit] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)


# --- drawing the world ------------------------------------------------------------------------


def vocabulary(rng: random.Random, count: int) -> list[str]:
    consonants, vowels = "bdfgklmnprstvz", "aeiou"
    seen: set[str] = set()
    out = []
    while len(out) < count:
        word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.choice((2, 3))))
        if word not in seen and word not in scoring.STOP_WORDS:
            seen.add(word)
            out.append(word)
    return out


def week_mask(offset: int, days: list[int], start: int, length: int) -> int:
    """The hours [start, start+length) local on `days`, as bits of the 168 UTC hours of a week."""
    mask = 0
    for day in days:
        for hour in range(start, start + length):
            mask |= 1 << ((day * 24 + hour - offset) % 168)
    return mask


def zone_of(offset: int) -> ZoneInfo:
    return ZoneInfo("UTC") if offset == 0 else ZoneInfo(f"Etc/GMT{-offset:+d}")


def add(items: list[Item], mentor: int, kind: str, title: str, text: str, price: float, duration) -> None:
    """A new item for the mentor, priced in whole 5-unit steps."""
    items.append(
        Item(len(items), kind, len(items) + 1, mentor, title, text, int(price // 500 * 500), duration)
    )


def build_world(n_mentees: int, n_mentors: int, seed: int) -> World:
    rng = random.Random(seed)
    words = vocabulary(rng, DOMAINS * SKILLS_PER_DOMAIN * 7 + DOMAINS * 2 + 300)
    take = iter(words)
    skills: dict[str, Skill] = {}
    domain_words = []
    for domain in range(DOMAINS):
        domain_words.append((next(take), next(take)))
        for _ in range(SKILLS_PER_DOMAIN):
            canonical = (next(take), next(take))
            skill = Skill(
                slug="-".join(canonical),
                name=" ".join(w.capitalize() for w in canonical),
                domain=domain,
                canonical=canonical,
                related=(next(take), next(take), next(take)),
                synonyms=(next(take), next(take)),
            )
            skills[skill.slug] = skill
    filler = [next(take) for _ in range(300)]
    filler_weights = [1 / (rank + 1) for rank in range(len(filler))]
    slugs = list(skills)
    by_domain = defaultdict(list)
    for slug, skill in skills.items():
        by_domain[skill.domain].append(slug)
    # What mentees ask for and what mentors offer are skewed, and not in the same way.
    demand = [1 / (r + 1) ** 0.8 for r in rng.sample(range(len(slugs)), len(slugs))]
    supply = [1 / (r + 1) ** 0.6 for r in rng.sample(range(DOMAINS), DOMAINS)]
    zone_offsets, zone_weights = zip(*ZONES, strict=True)

    def skill_words(skill: Skill, n: int, *, synonym_share: float) -> list[str]:
        out = []
        for _ in range(n):
            roll = rng.random()
            if roll < synonym_share:
                out.append(rng.choice(skill.synonyms))
            elif roll < synonym_share + (1 - synonym_share) / 2:
                out.append(rng.choice(skill.canonical))
            else:
                out.append(rng.choice(skill.related))
        return out

    mentors = []
    items: list[Item] = []
    for mentor_id in range(n_mentors):
        domain = rng.choices(range(DOMAINS), supply)[0]
        n_strengths = rng.randint(2, 5)
        chosen = rng.sample(by_domain[domain], min(n_strengths, SKILLS_PER_DOMAIN - 1))
        if rng.random() < 0.3:
            chosen[-1] = rng.choice([s for s in slugs if skills[s].domain != domain])
        strengths = {s: rng.uniform(0.3, 1.0) for s in chosen}
        listed = {s for s, level in strengths.items() if level > 0.45 or rng.random() < 0.5}
        if rng.random() < 0.2:  # a skill they list but are not good at
            listed.add(rng.choice(slugs))
        if not listed:
            listed.add(max(strengths, key=strengths.get))
        quality = rng.gauss(0, 1)
        if rng.random() < 0.85:
            languages = {"en"} | ({rng.choice(LANGUAGES[1:])} if rng.random() < 0.3 else set())
        else:
            languages = {rng.choice(LANGUAGES[1:])}
        offset = rng.choices(zone_offsets, zone_weights)[0]
        days = sorted(rng.sample(range(6), rng.randint(2, 5)))
        mask = week_mask(offset, days, rng.randint(7, 19), rng.randint(2, 6))
        if rng.random() < 0.3:
            mask |= week_mask(offset, days, rng.randint(7, 19), rng.randint(1, 3))
        top = sorted(strengths, key=strengths.get, reverse=True)
        bio = []
        for slug, level in strengths.items():
            bio += skill_words(skills[slug], 1 + round(level * 6), synonym_share=0.1)
        bio += list(domain_words[domain]) * rng.randint(0, 2)
        bio += rng.choices(filler, filler_weights, k=rng.randint(10, 40))
        rng.shuffle(bio)
        headline = f"{skills[top[0]].name} mentor"
        text = " ".join([headline, *bio, *(skills[s].name for s in sorted(listed))])
        mentors.append(
            HiddenMentor(
                id=mentor_id + 1,
                strengths=strengths,
                listed=frozenset(listed),
                quality=quality,
                languages=frozenset(languages),
                mask=mask,
                open_share=rng.uniform(0.3, 1.0),
                text=text,
                name=f"Mentor {mentor_id + 1}",
            )
        )
        base = math.exp(rng.gauss(math.log(3500), 0.5) + 0.15 * quality)  # per 30 minutes
        for duration in rng.sample((15, 30, 30, 45, 60), rng.randint(1, 3)):
            slug = rng.choice(top[:2])
            price = 0 if duration == 15 and rng.random() < 0.5 else base * duration / 30
            about = skill_words(skills[slug], rng.randint(3, 6), synonym_share=0.1)
            about += rng.choices(filler, filler_weights, k=rng.randint(2, 6))
            title = f"{skills[slug].name} {duration}-minute session"
            add(items, mentor_id, "offering", title, " ".join(about), price, duration)
        if rng.random() < 0.08:
            about = skill_words(skills[top[0]], 8, synonym_share=0.1) + rng.choices(filler, k=6)
            add(items, mentor_id, "cohort", f"{skills[top[0]].name} cohort", " ".join(about), base * 8, None)
        if rng.random() < 0.12:
            about = skill_words(skills[top[0]], 5, synonym_share=0.1) + rng.choices(filler, k=4)
            add(items, mentor_id, "plan", f"Monthly {skills[top[0]].name}", " ".join(about), base * 5, 30)

    mentees = []
    for mentee_id in range(n_mentees):
        first = rng.choices(slugs, demand)[0]
        needs = [first]
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            pool = by_domain[skills[first].domain] if rng.random() < 0.6 else slugs
            extra = rng.choice(pool)
            if extra not in needs:
                needs.append(extra)
        declared = {s for s in needs if rng.random() < 0.6}
        if rng.random() < 0.1:
            declared.add(rng.choice(by_domain[skills[first].domain]))
        text = []
        for slug in needs:
            text += skill_words(skills[slug], rng.randint(2, 6), synonym_share=0.35)
        if rng.random() < 0.3:
            text.append(rng.choice(domain_words[skills[first].domain]))
        text += rng.choices(filler, filler_weights, k=rng.randint(2, 8))
        rng.shuffle(text)
        language = "en" if rng.random() < 0.7 else rng.choice(LANGUAGES[1:])
        offset = rng.choices(zone_offsets, zone_weights)[0]
        start, length = rng.randint(6, 21), rng.randint(2, 5)
        roll = rng.random()
        if roll < 0.6:
            days = sorted(rng.sample(range(5), rng.randint(3, 5)))
        elif roll < 0.8:
            days = [5, 6]
        else:
            days = sorted(rng.sample(range(7), rng.randint(3, 6)))
        budget = None if rng.random() < 0.15 else int(math.exp(rng.gauss(math.log(5000), 0.6)) // 500 * 500)
        fmt = rng.choices(("any", "single", "cohort", "ongoing"), (75, 15, 5, 5))[0]
        need = Need(
            text=" ".join(text),
            skills=frozenset(declared),
            budget=budget,
            currency="USD",
            language=language,
            days=frozenset(days),
            hours=(wall(start % 24), wall((start + length) % 24)),
            zone=zone_of(offset),
            format=fmt,
        )
        n_visits = rng.randint(2, 7)
        mentees.append(
            HiddenMentee(
                id=mentee_id + 1,
                needs=tuple(needs),
                need=need,
                speaks_english=language == "en" or rng.random() < 0.5,
                mask=week_mask(offset, days, start, length),
                price_sensitivity=rng.uniform(0.5, 2.0),
                time_sensitivity=rng.uniform(0.3, 1.5),
                quality_weight=rng.uniform(0.3, 1.2),
                duration=rng.choice((30, 30, 45, 60)),
                rounds=tuple(sorted(rng.sample(range(ROUNDS), min(n_visits, ROUNDS)))),
            )
        )
    return World(skills, mentors, items, mentees)


# --- the hidden model -------------------------------------------------------------------------


def skill_match(world: World, mentee: HiddenMentee, mentor: HiddenMentor) -> float:
    """Hidden: how well the mentor's real strengths cover the mentee's real needs, in [0, 1]."""
    total = 0.0
    for need in mentee.needs:
        best = mentor.strengths.get(need, 0.0)
        if best < 0.3:
            domain = world.skills[need].domain
            near = [v for s, v in mentor.strengths.items() if world.skills[s].domain == domain]
            best = max(best, 0.3 * max(near, default=0.0))
        total += best
    return total / len(mentee.needs)


def utility(world: World, mentee: HiddenMentee, item: Item) -> float:
    """Hidden: what booking this item is worth to this mentee, before noise (0 = not booking)."""
    mentor = world.mentors[item.mentor]
    match = skill_match(world, mentee, mentor)
    u = 4.0 * match - 2.0 + 0.9 * mentee.quality_weight * mentor.quality
    budget = mentee.need.budget
    if budget:
        ratio = item.price / budget
        u -= mentee.price_sensitivity * (2.0 * max(0.0, ratio - 1.0) + 0.3 * ratio)
    else:
        u -= 0.3 * item.price / 5000
    hours = (mentee.mask & mentor.mask).bit_count() * mentor.open_share
    u += -1.5 * mentee.time_sensitivity if hours < 0.5 else 0.3 * min(hours, 4.0) / 4.0
    language = mentee.need.language
    if language not in mentor.languages:
        u -= 0.7 if mentee.speaks_english and "en" in mentor.languages else 3.0
    wanted = scoring.FORMATS.get(mentee.need.format)
    if wanted:
        u += 0.8 if wanted == item.kind else -1.5
    elif item.kind != "offering":
        u -= 0.4
    if item.duration:
        u -= 0.2 * abs(item.duration - mentee.duration) / 30
    satisfaction = mentee.history.get(item.mentor)
    if satisfaction is not None:
        u += 1.0 if satisfaction >= 4 else (-2.0 if satisfaction <= 2 else 0.0)
    return u


def gumbel(rng: random.Random) -> float:
    return -math.log(-math.log(rng.random() or 1e-300))


def simulate(world: World, seed: int, *, capped: bool = True) -> None:
    """Rounds (weeks) of visits: each mentee is shown what a plain marketplace shows and books the
    best item by hidden utility plus noise, or nothing; the outcome follows from hidden quality.
    A mentor takes at most their open 30-minute slots of a week; a full mentor is not shown
    (`capped=False`: no limit, so the featured strip can send a mentor hundreds a week)."""
    rng = random.Random(seed + 1)
    capacity = [
        max(1, round(m.mask.bit_count() * 2 * m.open_share)) if capped else 10**9 for m in world.mentors
    ]
    items_of_skill = defaultdict(list)
    items_of_word = defaultdict(set)
    for item in world.items:
        for slug in world.mentors[item.mentor].listed:
            items_of_skill[slug].append(item.index)
        for word in scoring.words(item.title):
            items_of_word[word].add(item.index)
    booked_count: Counter = Counter()
    reviews: Counter = Counter()
    featured = rng.sample(range(len(world.items)), FEATURED)
    for round_ in range(ROUNDS):
        if round_:
            featured = [i for i, _ in booked_count.most_common(FEATURED)]
        tie = {i: rng.random() for i in range(len(world.items))}

        def directory_order(index: int, tie: dict = tie) -> tuple:
            return (-reviews[world.items[index].mentor], tie[index])

        directory = {slug: sorted(found, key=directory_order) for slug, found in items_of_skill.items()}
        visitors = [m for m in world.mentees if round_ in m.rounds]
        rng.shuffle(visitors)
        taken: Counter = Counter()
        for mentee in visitors:
            if mentee.need.skills:
                lists = [directory.get(slug, []) for slug in sorted(mentee.need.skills)]
                searched = [i for group in zip(*lists, strict=False) for i in group]
                searched += [i for found in lists for i in found[len(min(lists, key=len)) :]]
                searched = list(dict.fromkeys(searched))
            else:
                found = set()
                for word in scoring.words(mentee.need.text):
                    found |= items_of_word.get(word, set())
                searched = sorted(found, key=directory_order)
            shown = [
                i
                for i in dict.fromkeys(
                    featured + searched[:SEARCHED] + rng.sample(range(len(world.items)), BROWSED)
                )
                if taken[world.items[i].mentor] < capacity[world.items[i].mentor]
            ]
            best, best_value = -1, gumbel(rng)  # the outside option: book nothing
            for index in shown:
                value = utility(world, mentee, world.items[index]) + gumbel(rng)
                if value > best_value:
                    best, best_value = index, value
            world.visits.append(Visit(mentee.id, round_, shown, best))
            if best < 0:
                continue
            item = world.items[best]
            mentor = world.mentors[item.mentor]
            match = skill_match(world, mentee, mentor)
            satisfaction = 3.9 + 0.7 * mentor.quality + 1.2 * (match - 0.5) + rng.gauss(0, 0.7)
            rating = min(5, max(1, round(satisfaction)))
            done = rng.random() < 1 / (1 + math.exp(-(0.8 * mentor.quality + 1.5 * (match - 0.5) - 0.1)))
            reviewed = rng.random() < 0.6
            world.bookings.append(
                Booking(mentee.id, best, round_, rating if reviewed else None, done, rating)
            )
            mentee.history[item.mentor] = rating
            booked_count[best] += 1
            reviews[item.mentor] += reviewed
            taken[item.mentor] += 1


# --- what the product can observe ---------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """A mentor's observable record, as the product keeps it from completed bookings."""

    rating_average: float | None = None
    rating_count: int = 0
    items_done: int = 0
    items_total: int = 0
    mentees: int = 0
    returning_mentees: int = 0


def records_by_round(world: World, training: list[Booking]) -> list[list[Record]]:
    """records[r][mentor]: each mentor's record from the training bookings made before round r;
    records[ROUNDS] holds all of them (what the evaluation ranks with)."""
    n = len(world.mentors)
    stars, reviews, done, total = [0] * n, [0] * n, [0] * n, [0] * n
    sessions: dict[int, Counter] = defaultdict(Counter)
    snapshots = []
    by_round = defaultdict(list)
    for booking in training:
        by_round[booking.round].append(booking)
    for round_ in range(ROUNDS + 1):
        snapshot = []
        for m in range(n):
            counts = sessions.get(m, Counter())
            snapshot.append(
                Record(
                    rating_average=stars[m] / reviews[m] if reviews[m] else None,
                    rating_count=reviews[m],
                    items_done=done[m],
                    items_total=total[m],
                    mentees=len(counts),
                    returning_mentees=sum(1 for c in counts.values() if c > 1),
                )
            )
        snapshots.append(snapshot)
        for booking in by_round.get(round_, []):
            m = world.items[booking.item].mentor
            if booking.rating is not None:
                stars[m] += booking.rating
                reviews[m] += 1
            done[m] += booking.done
            total[m] += 1
            sessions[m][booking.mentee] += 1
    return snapshots


class Observed:
    """Builds what scoring sees: Mentor and Candidate objects for one mentee at one moment."""

    def __init__(self, world: World):
        self.world = world
        self.skill_names = [{s: world.skills[s].name for s in m.listed} for m in world.mentors]

    def mentor(self, mentee: HiddenMentee, m: int, record: Record) -> Mentor:
        hidden = self.world.mentors[m]
        return Mentor(
            id=hidden.id,
            name=hidden.name,
            text=hidden.text,
            skills=hidden.listed,
            skill_names=self.skill_names[m],
            languages=hidden.languages,
            rating_average=record.rating_average,
            rating_count=record.rating_count,
            items_done=record.items_done,
            items_total=record.items_total,
            mentees=record.mentees,
            returning_mentees=record.returning_mentees,
            free_slots_in_hours=int((mentee.mask & hidden.mask).bit_count() * 2 * hidden.open_share),
        )

    def candidate(self, item: Item, mentor: Mentor) -> Candidate:
        return Candidate(
            kind=item.kind,
            id=item.id,
            mentor=mentor,
            title=item.title,
            text=item.text,
            url=f"/{item.kind}s/{item.id}/",
            price=item.price,
            currency="USD",
            duration_minutes=item.duration,
        )

    def candidates(self, mentee: HiddenMentee, records: list[Record]) -> list[Candidate]:
        mentors = [self.mentor(mentee, m, records[m]) for m in range(len(self.world.mentors))]
        return [self.candidate(item, mentors[item.mentor]) for item in self.world.items]


def query_terms(need: Need) -> list[str]:
    """The query scoring.rank builds from a need."""
    query = scoring.words(need.text) + [s.replace("-", " ") for s in need.skills]
    return [w for term in query for w in scoring.words(term)]


class TextIndex:
    """scoring.bm25 for every candidate at once, through postings (the same formula and figures)."""

    def __init__(self, documents: list[list[str]], platform: Platform, *, k1: float = 1.2, b: float = 0.75):
        self.platform = platform
        self.k1 = k1
        self.postings: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
        for d, document in enumerate(documents):
            norm = k1 * (1 - b + b * len(document) / platform.average_length)
            for term, count in Counter(document).items():
                self.postings[term].append((d, count, norm))

    def scores(self, query: list[str]) -> dict[int, float]:
        found: dict[int, float] = defaultdict(float)
        k1 = self.k1
        for term in set(query):
            idf = self.platform.idf(term)
            for d, count, norm in self.postings.get(term, ()):
                found[d] += idf * count * (k1 + 1) / (count + norm)
        return found


# --- training -----------------------------------------------------------------------------------


def split_bookings(world: World) -> tuple[dict[int, Booking], list[Booking]]:
    """Each mentee's last booking is held out; the others are the training bookings."""
    held_out: dict[int, Booking] = {}
    for booking in world.bookings:  # in time order
        held_out[booking.mentee] = booking
    chosen = {id(b) for b in held_out.values()}
    return held_out, [b for b in world.bookings if id(b) not in chosen]


@dataclass
class Context:
    world: World
    observed: Observed
    records: list[list[Record]]
    platforms: list[Platform]  # per round, and the final one at ROUNDS
    index: TextIndex
    mentees: dict[int, HiddenMentee]

    def text_scores(self, mentee: HiddenMentee) -> tuple[dict[int, float], float]:
        raw = self.index.scores(query_terms(mentee.need))
        return raw, max(raw.values(), default=0.0) or 1.0

    def signals(
        self, mentee: HiddenMentee, item: Item, round_: int, raw: dict, top: float
    ) -> scoring.Signals:
        records = self.records[round_]
        mentor = self.observed.mentor(mentee, item.mentor, records[item.mentor])
        candidate = self.observed.candidate(item, mentor)
        return scoring.signals_for(
            mentee.need, candidate, self.platforms[round_], text_score=raw.get(item.index, 0.0) / top
        )


def build_context(world: World, training: list[Booking]) -> Context:
    observed = Observed(world)
    records = records_by_round(world, training)
    documents = [
        scoring.words(world.mentors[i.mentor].text + " " + i.title + " " + i.text) for i in world.items
    ]
    nobody = world.mentees[0]
    platforms = []
    base = None
    for snapshot in records:
        mentors = [observed.mentor(nobody, m, snapshot[m]) for m in range(len(world.mentors))]
        if base is None:
            base = Platform.from_mentors(mentors, documents)
            platforms.append(base)
        else:
            means = Platform.from_mentors(mentors, [])
            platforms.append(replace(base, rating_mean=means.rating_mean, items_rate=means.items_rate))
    return Context(
        world,
        observed,
        records,
        platforms,
        TextIndex(documents, platforms[-1]),
        {m.id: m for m in world.mentees},
    )


def training_examples(
    context: Context, held_out: dict[int, Booking], seed: int
) -> tuple[list[learning.Example], dict[str, float]]:
    """Impressions of the training period (each mentee's visits before their held-out booking):
    booked or not. All bookings are kept, non-bookings sampled down to TRAINING_EXAMPLES in all,
    each weighted by the inverse of its keep rate so the model stays calibrated."""
    rng = random.Random(seed + 2)
    visits = defaultdict(list)
    for visit in context.world.visits:
        cutoff = held_out[visit.mentee].round if visit.mentee in held_out else ROUNDS
        if visit.round < cutoff:
            visits[visit.mentee].append(visit)
    positives = sum(1 for vs in visits.values() for v in vs if v.booked >= 0)
    negatives = sum(len(v.shown) for vs in visits.values() for v in vs) - positives
    keep = min(1.0, max(TRAINING_EXAMPLES - positives, 0) / negatives) if negatives else 1.0
    examples = []
    for mentee_id in sorted(visits):
        mentee = context.mentees[mentee_id]
        raw, top = context.text_scores(mentee)
        for visit in visits[mentee_id]:
            for index in visit.shown:
                booked = index == visit.booked
                if not booked and rng.random() >= keep:
                    continue
                signals = context.signals(mentee, context.world.items[index], visit.round, raw, top)
                examples.append(
                    learning.Example(
                        signals.vector(),
                        booked,
                        key=f"mentee:{mentee_id}",
                        weight=1.0 if booked else 1 / keep,
                    )
                )
    return examples, {"positives": positives, "negatives": negatives, "keep": keep}


# --- evaluation ---------------------------------------------------------------------------------


@dataclass
class Tally:
    name: str
    hits: int = 0
    gain: float = 0.0
    n: int = 0

    def add(self, page: list[int], target: int) -> None:
        self.n += 1
        if target in page:
            self.hits += 1
            self.gain += 1 / math.log2(page.index(target) + 2)

    @property
    def hit_rate(self) -> float:
        return self.hits / self.n if self.n else 0.0

    @property
    def ndcg(self) -> float:  # one relevant item per mentee: the ideal DCG is 1
        return self.gain / self.n if self.n else 0.0


def fast_scores(vectors: list[list[float]], weights: dict[str, float]) -> list[float]:
    """scoring.score for many candidates: the same arithmetic in the same order (so the same
    floats and ties), without rebuilding each Signals' vector for every set of weights."""
    bias = weights.get("bias", 0.0)
    w = [weights.get(name, 0.0) for name in scoring.SIGNAL_NAMES]
    return [1 / (1 + math.exp(-max(min(bias + sum(map(mul, w, v)), 50), -50))) for v in vectors]


def page_of(
    ranked_order: list[int], candidates: list[Candidate], signals: list, scores: list[float], explore: bool
):
    """scoring.rank's page from a precomputed order: the first TOP, then (with exploration)
    scoring's own _with_exploration over them and the first new mentors after them, which is
    all it can pick from — the same page rank() returns, without building 2,000 Ranked rows."""

    def ranked(i: int) -> scoring.Ranked:
        return scoring.Ranked(candidates[i], signals[i], scores[i], ())

    head = [ranked(i) for i in ranked_order[:TOP]]
    if not explore:
        return head
    wanted = len(range(scoring.EXPLORE_EVERY - 1, TOP, scoring.EXPLORE_EVERY))
    tail = []
    for i in ranked_order[TOP:]:
        if len(tail) == wanted:
            break
        c = candidates[i]
        if c.mentor.rating_count < scoring.NEW_MENTOR_REVIEWS and signals[i].text > 0:
            tail.append(ranked(i))
    return scoring._with_exploration(head + tail, TOP)


def evaluate(
    context: Context,
    held_out: dict[int, Booking],
    training: list[Booking],
    learned: dict[str, float],
    sample: list[int],
    verify: int,
) -> tuple[list[Tally], dict]:
    world = context.world
    platform = context.platforms[ROUNDS]
    records = context.records[ROUNDS]
    booked_count = Counter(b.item for b in training)
    popular = sorted(range(len(world.items)), key=lambda i: (-booked_count[i], i))[:TOP]
    last_training = defaultdict(dict)
    for booking in training:
        last_training[booking.mentee][world.items[booking.item].mentor] = booking.stars
    variants = [
        ("ours: learned weights (as shipped, with exploration)", learned, True),
        ("ours: learned weights, no exploration", learned, False),
        ("ours: DEFAULT_WEIGHTS (with exploration)", scoring.DEFAULT_WEIGHTS, True),
    ]
    tallies = [Tally(name) for name, _, _ in variants]
    popularity = Tally("popularity (most booked in training)")
    text_only = Tally("text only (BM25)")
    ceiling = Tally("hidden utility (ceiling: knows the truth)")
    prices = [item.price for item in world.items]
    keys = [f"{item.kind}:{item.id}" for item in world.items]
    checked = mismatched = 0
    timings = defaultdict(list)
    for position, mentee_id in enumerate(sample):
        mentee = context.mentees[mentee_id]
        target = held_out[mentee_id].item
        started = time.perf_counter()
        candidates = context.observed.candidates(mentee, records)
        timings["candidates"].append(time.perf_counter() - started)
        raw, top = context.text_scores(mentee)
        signals = [
            scoring.signals_for(mentee.need, c, platform, text_score=raw.get(i, 0.0) / top)
            for i, c in enumerate(candidates)
        ]
        vectors = [s.vector() for s in signals]
        for tally, (_, weights, explore) in zip(tallies, variants, strict=True):
            scores = fast_scores(vectors, weights)
            order = sorted(range(len(candidates)), key=lambda i: (-scores[i], prices[i], keys[i]))
            page = page_of(order, candidates, signals, scores, explore)
            tally.add([r.candidate.id - 1 for r in page], target)
            if position < verify and weights is learned and explore:
                started = time.perf_counter()
                shipped = scoring.rank(mentee.need, candidates, weights=learned, platform=platform, limit=TOP)
                timings["rank"].append(time.perf_counter() - started)
                checked += 1
                mismatched += [r.candidate.key for r in shipped] != [r.candidate.key for r in page]
        popularity.add(popular, target)
        text_only.add(sorted(range(len(candidates)), key=lambda i: (-raw.get(i, 0.0), i))[:TOP], target)
        mentee.history = last_training.get(mentee_id, {})
        truth = [utility(world, mentee, item) for item in world.items]
        ceiling.add(sorted(range(len(truth)), key=lambda i: -truth[i])[:TOP], target)
    return [*tallies, popularity, text_only, ceiling], {
        "checked": checked,
        "mismatched": mismatched,
        "timings": timings,
    }


# --- timing -------------------------------------------------------------------------------------


def time_ranking(context: Context, learned: dict[str, float], mentees: list[HiddenMentee]) -> dict:
    """One mentee's rank() over every candidate, next to building those candidates in memory
    and to merely iterating over them once."""
    platform = context.platforms[ROUNDS]
    records = context.records[ROUNDS]
    figures = defaultdict(list)
    scoring._document.cache_clear()
    candidates = context.observed.candidates(mentees[0], records)
    started = time.perf_counter()
    scoring.rank(mentees[0].need, candidates, weights=learned, platform=platform, limit=TOP)
    figures["cold"].append(time.perf_counter() - started)
    for mentee in mentees:
        started = time.perf_counter()
        candidates = context.observed.candidates(mentee, records)
        figures["candidates"].append(time.perf_counter() - started)
        started = time.perf_counter()
        total = 0
        for candidate in candidates:
            total += candidate.price
        figures["bare"].append(time.perf_counter() - started)
        started = time.perf_counter()
        scoring.rank(mentee.need, candidates, weights=learned, platform=platform, limit=TOP)
        figures["rank"].append(time.perf_counter() - started)
    return figures


def full_refresh(context: Context, learned: dict[str, float]) -> float:
    platform = context.platforms[ROUNDS]
    records = context.records[ROUNDS]
    started = time.perf_counter()
    for mentee in context.world.mentees:
        candidates = context.observed.candidates(mentee, records)
        scoring.rank(mentee.need, candidates, weights=learned, platform=platform, limit=TOP)
    return time.perf_counter() - started


# --- report -------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sample", type=int, default=2_000, help="held-out mentees evaluated")
    parser.add_argument("--verify", type=int, default=50, help="of which also ranked by scoring.rank()")
    parser.add_argument("--timed", type=int, default=30, help="mentees in the timing of rank()")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument(
        "--uncapped",
        action="store_true",
        help="mentors take any number of sessions a week (see bench/RESULTS.md, Matching)",
    )
    parser.add_argument(
        "--full-refresh", action="store_true", help="time rank() for every mentee instead of extrapolating"
    )
    args = parser.parse_args()
    begun = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    log(f"matching evaluation: {args.mentees:,} mentees × {args.mentors:,} mentors, seed {args.seed}")
    log(f"  load average {load:.2f} on {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")

    started = time.perf_counter()
    world = build_world(args.mentees, args.mentors, args.seed)
    simulate(world, args.seed, capped=not args.uncapped)
    held_out, training = split_bookings(world)
    kinds = Counter(item.kind for item in world.items)
    booked_visits = sum(1 for v in world.visits if v.booked >= 0)
    log(f"\nworld (drawn and simulated in {time.perf_counter() - started:.1f} s)")
    log(
        f"  {len(world.mentors):,} mentors, {len(world.items):,} candidates "
        f"({', '.join(f'{n:,} {k}s' for k, n in sorted(kinds.items()))}), 60 skills in 12 domains"
    )
    log(
        f"  {len(world.mentees):,} mentees, {len(world.visits):,} visits over {ROUNDS} rounds, "
        f"{len(world.bookings):,} bookings ({booked_visits / len(world.visits):.0%} of visits book), "
        f"{sum(len(v.shown) for v in world.visits) / len(world.visits):.1f} items shown per visit"
    )
    matches = [
        skill_match(world, world.mentees[b.mentee - 1], world.mentors[world.items[b.item].mentor])
        for b in world.bookings
    ]
    log(
        f"  hidden skill match of what was booked: median {statistics.median(matches):.2f}, "
        f"{sum(m >= 0.5 for m in matches) / len(matches):.0%} at 0.5 or more, "
        f"{sum(m < 0.3 for m in matches) / len(matches):.0%} below 0.3 (none of the needed skills)"
    )
    busiest = Counter(world.items[b.item].mentor for b in world.bookings).most_common(1)[0][1]
    most_booked = {i for i, _ in Counter(b.item for b in world.bookings).most_common(TOP)}
    log(
        f"  the busiest mentor gave {busiest} sessions "
        f"({'no weekly capacity, --uncapped' if args.uncapped else 'capacity: their open slots each week'}); "
        f"the {TOP} most-booked items took "
        f"{sum(b.item in most_booked for b in world.bookings) / len(world.bookings):.0%} of bookings"
    )
    log(f"  held out: the last booking of {len(held_out):,} mentees; {len(training):,} training bookings")

    started = time.perf_counter()
    context = build_context(world, training)
    examples, counts = training_examples(context, held_out, args.seed)
    train, holdout = learning.split(examples, holdout_share=0.2, seed=args.seed)
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    candidate = learning.fit(train, epochs=args.epochs, seed=args.seed)
    fitted = time.perf_counter() - started
    decision = learning.choose(scoring.DEFAULT_WEIGHTS, candidate, holdout, seed=args.seed)
    learned = decision.weights
    log(f"\nlearning (examples built in {prepared:.1f} s)")
    log(
        f"  training-period impressions: {counts['positives']:,} booked, {counts['negatives']:,} not; "
        f"non-bookings kept at {counts['keep']:.1%} (weighted back), {len(examples):,} examples"
    )
    log(
        f"  split by mentee: {len(train):,} to fit, {len(holdout):,} held out "
        f"({decision.bookings:,} bookings)"
    )
    log(
        f"  fit: {args.epochs} epochs in {fitted:.1f} s ({len(train) * args.epochs / fitted:,.0f} examples/s)"
    )
    log(
        f"  held-out log-loss (information only): DEFAULT_WEIGHTS {decision.current_log_loss:.4f}, "
        f"learned {decision.candidate_log_loss:.4f}"
    )
    log(
        f"  gate on held-out impressions, {decision.mentees:,} mentees: hit@10 DEFAULT_WEIGHTS "
        f"{decision.current_hit_rate:.3f}, learned {decision.candidate_hit_rate:.3f}"
    )
    log(f"  -> {decision.reason}")
    log(f"  {'weight':<16}{'default':>9}{'learned':>9}")
    for name in learning.NAMES:
        log(f"  {name:<16}{scoring.DEFAULT_WEIGHTS[name]:>9.2f}{candidate[name]:>9.2f}")

    rng = random.Random(args.seed + 3)
    eligible = sorted(held_out)
    sample = sorted(rng.sample(eligible, min(args.sample, len(eligible))))
    started = time.perf_counter()
    tallies, details = evaluate(context, held_out, training, learned, sample, args.verify)
    evaluated = time.perf_counter() - started
    n_candidates = len(world.items)
    expected_hit = TOP / n_candidates
    expected_ndcg = sum(1 / math.log2(k + 2) for k in range(TOP)) / n_candidates
    popularity = next(t for t in tallies if t.name.startswith("popularity"))
    log(
        f"\nranking the held-out booking among all {n_candidates:,} candidates "
        f"({len(sample):,} held-out mentees sampled; {evaluated:.0f} s)"
    )
    log(f"  {'':<54}{'hit@10':>8}{'± s.e.':>8}{'NDCG@10':>9}{'× popularity':>14}")
    for tally in tallies:
        se = math.sqrt(tally.hit_rate * (1 - tally.hit_rate) / tally.n) if tally.n else 0.0
        ratio = tally.hit_rate / popularity.hit_rate if popularity.hit_rate else float("inf")
        log(f"  {tally.name:<54}{tally.hit_rate:>8.3f}{se:>8.3f}{tally.ndcg:>9.3f}{ratio:>13.2f}×")
    ratio = expected_hit / popularity.hit_rate if popularity.hit_rate else float("inf")
    log(f"  {'random (expected)':<54}{expected_hit:>8.3f}{'':>8}{expected_ndcg:>9.3f}{ratio:>13.2f}×")
    ours = tallies[0]
    ratio = ours.hit_rate / popularity.hit_rate if popularity.hit_rate else float("inf")
    verdict = "MET" if ratio >= 1.5 else "NOT MET"
    log(
        f"  target: hit@10 ≥ 1.5× popularity's — {verdict} ({ratio:.2f}× with the learned weights as shipped)"
    )
    log(
        f"  the first {details['checked']} mentees were also ranked by scoring.rank(): "
        f"{details['checked'] - details['mismatched']} identical top-10s, {details['mismatched']} different"
    )

    timed = [context.mentees[i] for i in sample[: args.timed]] or world.mentees[: args.timed]
    figures = time_ranking(context, learned, timed)
    bare = statistics.median(figures["bare"])
    build = statistics.median(figures["candidates"])
    one = statistics.median(figures["rank"])
    log(f"\ntiming ({len(world.items):,} candidates per mentee, median of {len(timed)} mentees)")
    log(f"  bare: iterate the candidates once                 {ms(bare):>12}")
    log(f"  build one mentee's candidates in memory           {ms(build):>12}")
    log(f"  scoring.rank() for one mentee (warm)              {ms(one):>12}   {one / bare:,.0f}× bare")
    log(f"  scoring.rank() first call (tokenising every text) {ms(figures['cold'][0]):>12}")
    mean = statistics.fmean(figures["rank"]) + statistics.fmean(figures["candidates"])
    log(
        f"  full refresh, {len(world.mentees):,} mentees (build + rank)  {ms(mean * len(world.mentees)):>12}"
        f"   extrapolated from the {len(timed)} timed mentees' mean, one process"
    )
    if args.full_refresh:
        took = full_refresh(context, learned)
        log(f"  full refresh, {len(world.mentees):,} mentees, measured        {ms(took):>12}")
    log(f"\ndone in {time.perf_counter() - begun:.0f} s")


if __name__ == "__main__":
    main()
