"""Offline evaluation of matching: a synthetic marketplace with hidden preferences.

    .venv/bin/python bench/matching_eval.py                      # 10,000 mentees × 1,000 mentors
    .venv/bin/python bench/matching_eval.py --mentees 2000 --mentors 200 --sample 500

A world is drawn whose truth the ranking never sees: skills grouped in domains, each with a few
words and synonyms; mentors with hidden strengths in 2–5 skills, a hidden quality, languages,
a time zone and weekly hours, prices in their region's currency (USD, EUR, GBP, AUD or INR, at
fixed RATES); mentees with hidden needs (1–3 skills), a budget in their own currency, a language,
preferred hours, and their own sensitivity to price and time. Over eight rounds (weeks)
each mentee visits the marketplace a few times, is shown what a plain marketplace shows (the
most-booked items, a skill-directory search sorted by review count, a few random items) and
books the one with the highest hidden utility plus noise, or nothing; a mentor takes at most
their open slots of a week (`--uncapped` lifts that). Ratings and action items follow from
hidden quality and fit. The ranking sees only what the product would: intake text, chosen skills,
budget, language, free slots inside the mentee's hours, and the mentors' observable record
(ratings, action items, returning mentees) computed from the *training* bookings.

Each mentee's last booking is held out. The logistic model (matching.learning) is trained on the
training period's impressions (booked or shown-but-not-booked) and judged by the product's
learning gate (learning.choose). Then, for a sample of held-out mentees, the product's own
ranking.match (with exchange rates) and the baselines — the hand-written
heuristic (skills + budget filter, by rating), popularity, text only (BM25) and the hidden
utility as a ceiling — each make a top ten: hit-rate@10 and NDCG@10 of the held-out booking with
bootstrap intervals over mentees, the ratio to the heuristic, and the constraint violations on
each page (a mentor who does not speak the mentee's language, a price above the budget after
conversion, a mentor already on the page). The goals of issue 20 are printed as PASS/MISS.

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
from functools import cache
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a script: make the project importable
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import money
from matching import learning, ranking, scoring, text
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
# Prices and budgets are in the currency of the person's region, at fixed rates (units of each
# currency for one US dollar, as core.money.convert reads them): converting is part of the test.
RATES = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "AUD": 1.52, "INR": 83.0}
CURRENCY_OF_ZONE = {-8: "USD", -6: "USD", -5: "USD", -3: "USD", 0: "GBP", 1: "EUR", 2: "EUR", 3: "EUR"}
CURRENCY_OF_ZONE |= {5: "INR", 8: "AUD", 9: "AUD", 10: "AUD"}
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
    price: int  # minor units of `currency`
    duration: int | None
    currency: str = "USD"
    usd: float = 0.0  # hidden: the price in US cents, what the mentee's utility compares


@dataclass
class HiddenMentee:
    id: int
    needs: tuple[str, ...]  # hidden
    need: Need  # what the intake says
    speaks_english: bool  # hidden: accepts English when their language is another
    mask: int
    price_sensitivity: float
    budget_usd: float | None  # hidden: the budget in US cents
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


def add(
    items: list[Item], mentor: int, kind: str, title: str, text: str, usd: float, duration, currency: str
) -> None:
    """A new item for the mentor: `usd` cents, priced in their currency in whole 5-unit steps."""
    price = int(usd * RATES[currency] // 500 * 500)
    index = len(items)
    items.append(
        Item(index, kind, index + 1, mentor, title, text, price, duration, currency, price / RATES[currency])
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
        base = math.exp(rng.gauss(math.log(3500), 0.5) + 0.15 * quality)  # US cents per 30 minutes
        currency = CURRENCY_OF_ZONE[offset]
        for duration in rng.sample((15, 30, 30, 45, 60), rng.randint(1, 3)):
            slug = rng.choice(top[:2])
            price = 0 if duration == 15 and rng.random() < 0.5 else base * duration / 30
            about = skill_words(skills[slug], rng.randint(3, 6), synonym_share=0.1)
            about += rng.choices(filler, filler_weights, k=rng.randint(2, 6))
            title = f"{skills[slug].name} {duration}-minute session"
            add(items, mentor_id, "offering", title, " ".join(about), price, duration, currency)
        if rng.random() < 0.08:
            about = skill_words(skills[top[0]], 8, synonym_share=0.1) + rng.choices(filler, k=6)
            title = f"{skills[top[0]].name} cohort"
            add(items, mentor_id, "cohort", title, " ".join(about), base * 8, None, currency)
        if rng.random() < 0.12:
            about = skill_words(skills[top[0]], 5, synonym_share=0.1) + rng.choices(filler, k=4)
            title = f"Monthly {skills[top[0]].name}"
            add(items, mentor_id, "plan", title, " ".join(about), base * 5, 30, currency)

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
        budget_usd = None if rng.random() < 0.15 else math.exp(rng.gauss(math.log(5000), 0.6))
        currency = CURRENCY_OF_ZONE[offset]
        budget = None if budget_usd is None else int(budget_usd * RATES[currency] // 500 * 500)
        fmt = rng.choices(("any", "single", "cohort", "ongoing"), (75, 15, 5, 5))[0]
        need = Need(
            text=" ".join(text),
            skills=frozenset(declared),
            budget=budget,
            currency=currency,
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
                budget_usd=None if budget is None else budget / RATES[currency],
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
    budget = mentee.budget_usd
    if budget:
        ratio = item.usd / budget
        u -= mentee.price_sensitivity * (2.0 * max(0.0, ratio - 1.0) + 0.3 * ratio)
    else:
        u -= 0.3 * item.usd / 5000
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

    def __init__(self, world: World, training: list[Booking]):
        self.world = world
        self.items_of: dict[int, list[int]] = defaultdict(list)
        for item in world.items:
            self.items_of[item.mentor].append(item.index)
        # bookings[r][item]: the item's training bookings made before round r (ROUNDS: all)
        self.bookings: list[list[int]] = []
        counts = [0] * len(world.items)
        for round_ in range(ROUNDS + 1):
            self.bookings.append(list(counts))
            for booking in training:
                if booking.round == round_:
                    counts[booking.item] += 1
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

    def candidate(self, item: Item, mentor: Mentor, round_: int = ROUNDS) -> Candidate:
        return Candidate(
            kind=item.kind,
            id=item.id,
            mentor=mentor,
            title=item.title,
            text=item.text,
            url=f"/{item.kind}s/{item.id}/",
            price=item.price,
            currency=item.currency,
            duration_minutes=item.duration,
            bookings=self.bookings[round_][item.index],
        )

    def candidates(self, mentee: HiddenMentee, records: list[Record]) -> list[Candidate]:
        """Every item as the evaluation ranks it (the mentors' records and bookings at the end)."""
        mentors = [self.mentor(mentee, m, records[m]) for m in range(len(self.world.mentors))]
        return [self.candidate(item, mentors[item.mentor]) for item in self.world.items]

    def favourite(self, item: Item, round_: int) -> float:
        """What ranking.Index says of the item among its mentor's, from the bookings before `round_`."""
        counts = self.bookings[round_]
        return scoring.favourite(counts[item.index], max(counts[i] for i in self.items_of[item.mentor]))


def query_terms(need: Need) -> list[str]:
    """The query ranking.match builds from a need."""
    query = scoring.words(need.text) + [s.replace("-", " ") for s in need.skills]
    return [w for term in query for w in scoring.words(term)]


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
    index: ranking.Index  # the product's, built once as matching.selectors.catalogue does
    mentees: dict[int, HiddenMentee]
    booked: dict[int, list[Booking]]  # each mentee's training bookings, in time order

    def text_scores(self, mentee: HiddenMentee) -> tuple[dict[int, float], float]:
        raw = self.index.text_scores(query_terms(mentee.need))
        return raw, max(raw.values(), default=0.0) or 1.0

    def need_at(self, mentee: HiddenMentee, round_: int) -> Need:
        """The mentee's need as the product reads it before `round_`: with the mentors they had a
        training booking with, and the stars they gave the latest (None: no review)."""
        met: dict[int, int | None] = {}
        for booking in self.booked.get(mentee.id, ()):
            if booking.round < round_:
                met[self.world.mentors[self.world.items[booking.item].mentor].id] = booking.rating
        return replace(mentee.need, met=met)

    def signals(
        self, need: Need, mentee: HiddenMentee, item: Item, round_: int, raw: dict, top: float
    ) -> scoring.Signals:
        records = self.records[round_]
        mentor = self.observed.mentor(mentee, item.mentor, records[item.mentor])
        candidate = self.observed.candidate(item, mentor, round_)
        return signals_of(
            need,
            candidate,
            self.platforms[round_],
            raw.get(item.index, 0.0) / top,
            self.observed.favourite(item, round_),
        )


def build_context(world: World, training: list[Booking]) -> Context:
    observed = Observed(world, training)
    records = records_by_round(world, training)
    booked: dict[int, list[Booking]] = defaultdict(list)
    for booking in training:
        booked[booking.mentee].append(booking)
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
        ranking.Index.of(observed.candidates(nobody, records[ROUNDS]), platforms[-1]),
        {m.id: m for m in world.mentees},
        booked,
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
            need = context.need_at(mentee, visit.round)
            for index in visit.shown:
                booked = index == visit.booked
                if not booked and rng.random() >= keep:
                    continue
                signals = context.signals(need, mentee, context.world.items[index], visit.round, raw, top)
                examples.append(
                    learning.Example(
                        signals.vector(),
                        booked,
                        key=f"mentee:{mentee_id}",
                        weight=1.0 if booked else 1 / keep,
                    )
                )
    return examples, {"positives": positives, "negatives": negatives, "keep": keep}


# --- the product's path, and conversion ----------------------------------------------------------


@cache  # the same few thousand prices, into five currencies, millions of times
def convert(amount: int, source: str, target: str) -> int:
    """Minor units of `source` in `target` at RATES, as the product converts (core.money.convert)."""
    return money.convert(amount, source, target, RATES)


def product_page(
    need: Need,
    candidates: list[Candidate],
    weights: dict[str, float],
    index: ranking.Index,
    explore: bool = True,
) -> ranking.Page:
    """The page as the product makes it (matching.services calls ranking.match with the
    catalogue's index): the main results, then the labelled groups."""
    return ranking.match(
        need, candidates, weights=weights, index=index, limit=TOP, explore=explore, rates=RATES
    )


def first_places(page: ranking.Page) -> tuple[list[int], set[int]]:
    """The item indices of the page's first TOP places in the order shown (the main results,
    then the labelled groups), and which of them are in a labelled group."""
    main = [r.candidate.id - 1 for r in page.main]
    labelled = [r.candidate.id - 1 for group in page.groups for r in group.items]
    return (main + labelled)[:TOP], set(labelled)


def signals_of(
    need: Need, candidate: Candidate, platform: Platform, text_score: float, favourite: float
) -> scoring.Signals:
    """A candidate's signals as the product's ranking computes (and logs) them."""
    price = convert(candidate.price, candidate.currency, need.currency)
    return scoring.signals_for(
        need, candidate, platform, text_score=text_score, price=price, favourite=favourite
    )


# --- evaluation ---------------------------------------------------------------------------------


@dataclass
class Ranker:
    """One ranking's figures, one entry per evaluated mentee (so they can be resampled)."""

    name: str
    hits: list[float] = field(default_factory=list)
    gains: list[float] = field(default_factory=list)
    mentor_hits: list[float] = field(default_factory=list)  # the booked item's mentor is on the page
    folded_hits: list[float] = field(default_factory=list)  # … the item itself, or behind "more from"
    shown: list[int] = field(default_factory=list)  # items on the page (a filter can leave fewer)
    language: list[int] = field(default_factory=list)  # … by a mentor who does not speak theirs
    budget: list[int] = field(default_factory=list)  # … above their budget, after conversion
    repeats: list[int] = field(default_factory=list)  # … by a mentor already higher on the page
    main_hits: list[float] = field(default_factory=list)  # the item is among the main results

    def add(
        self,
        world: World,
        mentee: HiddenMentee,
        page: list[int],
        target: int,
        more: list[int] = (),
        labelled: set[int] = frozenset(),
    ) -> None:
        """`more`: the items behind the page's "more from this mentor" (one place per mentor);
        `labelled`: the page's items in a labelled group ("Also good, in English", "A little
        above your budget"), whose language and price the label states: not violations."""
        page = page[:TOP]
        hit = target in page
        self.hits.append(1.0 if hit else 0.0)
        self.main_hits.append(1.0 if hit and target not in labelled else 0.0)
        self.folded_hits.append(1.0 if hit or target in more else 0.0)
        self.gains.append(1 / math.log2(page.index(target) + 2) if hit else 0.0)
        need = mentee.need
        items = [world.items[i] for i in page]
        self.mentor_hits.append(1.0 if world.items[target].mentor in {item.mentor for item in items} else 0.0)
        self.shown.append(len(page))
        unlabelled = [world.items[i] for i in page if i not in labelled]
        self.language.append(
            sum(need.language not in world.mentors[item.mentor].languages for item in unlabelled)
            if need.language
            else 0
        )
        self.budget.append(
            sum(convert(item.price, item.currency, need.currency) > need.budget for item in unlabelled)
            if need.budget is not None
            else 0
        )
        self.repeats.append(len(items) - len({item.mentor for item in items}))

    @property
    def n(self) -> int:
        return len(self.hits)


def heuristic_page(
    world: World,
    mentee: HiddenMentee,
    candidates: list[Candidate],
    raw: dict[int, float],
    platform: Platform,
    *,
    language: bool = False,
) -> list[int]:
    """A competent hand-written ranking: the items whose mentor lists one of the mentee's skills
    (or, when they ticked none, that share a word with what they wrote) and whose price, converted
    to the mentee's currency, is within their budget — by the mentor's rating (smoothed towards
    the platform's mean), then number of reviews, then price. `language`: also only mentors who
    speak the language the mentee asked for."""
    need = mentee.need
    fitting = []
    for index, candidate in enumerate(candidates):
        relevant = bool(need.skills & candidate.mentor.skills) if need.skills else raw.get(index, 0.0) > 0
        if not relevant:
            continue
        if language and need.language and need.language not in candidate.mentor.languages:
            continue
        price = convert(candidate.price, candidate.currency, need.currency)
        if need.budget is not None and price > need.budget:
            continue
        fitting.append(
            (
                -scoring.smoothed_rating(candidate.mentor, platform),
                -candidate.mentor.rating_count,
                price,
                index,
            )
        )
    return [index for *_, index in sorted(fitting)[:TOP]]


def evaluate(
    context: Context,
    held_out: dict[int, Booking],
    training: list[Booking],
    weights: list[tuple[str, dict[str, float], bool]],
    sample: list[int],
) -> tuple[list[Ranker], dict]:
    """Every ranking's top ten for each sampled held-out mentee: `weights` are (name, weights,
    exploration) for the product's own ranking.match; then the baselines."""
    world = context.world
    platform = context.platforms[ROUNDS]
    records = context.records[ROUNDS]
    booked_count = Counter(b.item for b in training)
    popular = sorted(range(len(world.items)), key=lambda i: (-booked_count[i], i))[:TOP]
    last_training = defaultdict(dict)
    for booking in training:
        last_training[booking.mentee][world.items[booking.item].mentor] = booking.stars
    ours = [Ranker(name) for name, _, _ in weights]
    heuristic = Ranker("heuristic: skills + budget filter, by rating")
    speaking = Ranker("heuristic + language filter")
    popularity = Ranker("popularity (most booked in training)")
    text_only = Ranker("text only (BM25)")
    ceiling = Ranker("hidden utility (ceiling: knows the truth)")
    timings = defaultdict(list)
    booked = Counter()
    for mentee_id in sample:
        mentee = context.mentees[mentee_id]
        target = held_out[mentee_id].item
        item, need = world.items[target], mentee.need
        booked["language"] += (
            bool(need.language) and need.language not in world.mentors[item.mentor].languages
        )
        booked["budget"] += (
            need.budget is not None and convert(item.price, item.currency, need.currency) > need.budget
        )
        started = time.perf_counter()
        candidates = context.observed.candidates(mentee, records)
        timings["candidates"].append(time.perf_counter() - started)
        known = context.need_at(mentee, ROUNDS)
        for ranker, (_, w, explore) in zip(ours, weights, strict=True):
            started = time.perf_counter()
            page = product_page(known, candidates, w, context.index, explore)
            timings["rank"].append(time.perf_counter() - started)
            places, labelled = first_places(page)
            shown = [*page.main, *(r for group in page.groups for r in group.items)]
            more = [m.candidate.id - 1 for r in shown for m in r.more]
            ranker.add(world, mentee, places, target, more, labelled)
        raw, _ = context.text_scores(mentee)
        heuristic.add(world, mentee, heuristic_page(world, mentee, candidates, raw, platform), target)
        page = heuristic_page(world, mentee, candidates, raw, platform, language=True)
        speaking.add(world, mentee, page, target)
        popularity.add(world, mentee, popular, target)
        text_order = sorted(range(len(candidates)), key=lambda i: (-raw.get(i, 0.0), i))[:TOP]
        text_only.add(world, mentee, text_order, target)
        mentee.history = last_training.get(mentee_id, {})
        truth = [utility(world, mentee, item) for item in world.items]
        ceiling.add(world, mentee, sorted(range(len(truth)), key=lambda i: -truth[i])[:TOP], target)
    return [*ours, heuristic, speaking, popularity, text_only, ceiling], {
        "timings": timings,
        "booked": booked,
    }


def percentile_interval(values: list[float], confidence: float = 0.95) -> tuple[float, float]:
    ordered = sorted(values)
    tail = (1 - confidence) / 2
    low = ordered[min(len(ordered) - 1, int(math.floor(tail * len(ordered))))]
    high = ordered[min(len(ordered) - 1, int(math.ceil((1 - tail) * len(ordered))) - 1)]
    return low, high


def bootstrap(series: dict[str, list[float]], *, resamples: int, seed: int) -> list[dict[str, float]]:
    """The means of every series over `resamples` resamplings of the mentees (with replacement,
    the same mentees for every series, so ratios between rankings are paired). Seeded."""
    rng = random.Random(seed)
    n = len(next(iter(series.values())))
    population = range(n)
    means = []
    for _ in range(resamples):
        drawn = rng.choices(population, k=n)
        means.append({key: sum(map(values.__getitem__, drawn)) / n for key, values in series.items()})
    return means


def ratio(a: float, b: float) -> float:
    return a / b if b else math.inf


def report(
    rankers: list[Ranker], n_candidates: int, sample: list[int], booked: Counter, args
) -> list[tuple[str, bool, str]]:
    """The figures of every ranking with bootstrap intervals, the constraint violations per page,
    and PASS/MISS for issue 20's goals; returns the goals."""
    series = {}
    for position, ranker in enumerate(rankers):
        series[f"hit{position}"] = ranker.hits
        series[f"ndcg{position}"] = ranker.gains
    resampled = bootstrap(series, resamples=args.resamples, seed=args.seed)
    ours = rankers[0]
    heuristic = next(r for r in rankers if r.name.startswith("heuristic"))
    h = rankers.index(heuristic)
    popularity = next(r for r in rankers if r.name.startswith("popularity"))
    p = rankers.index(popularity)

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    def interval(key: str) -> str:
        low, high = percentile_interval([m[key] for m in resampled])
        return f"[{low:.3f}, {high:.3f}]"

    log(
        f"\nranking the held-out booking among all {n_candidates:,} candidates "
        f"({len(sample):,} held-out mentees sampled; 95 % bootstrap intervals over mentees, "
        f"{args.resamples:,} resamples)"
    )
    log(
        f"  {'':<48}{'hit@10':>7} {'interval':<15}{'NDCG@10':>8} {'interval':<15}{'× heuristic':>12}"
        f"{'+more':>7}{'mentor@10':>11}{'main':>7}"
    )
    for position, ranker in enumerate(rankers):
        hit, gain = mean(ranker.hits), mean(ranker.gains)
        log(
            f"  {ranker.name:<48}{hit:>7.3f} {interval(f'hit{position}'):<15}{gain:>8.3f} "
            f"{interval(f'ndcg{position}'):<15}{ratio(hit, mean(heuristic.hits)):>11.2f}×"
            f"{mean(ranker.folded_hits):>7.3f}{mean(ranker.mentor_hits):>11.3f}{mean(ranker.main_hits):>7.3f}"
        )
    expected_hit = TOP / n_candidates
    expected_ndcg = sum(1 / math.log2(k + 2) for k in range(TOP)) / n_candidates
    log(f"  {'random (expected)':<48}{expected_hit:>7.3f} {'':<15}{expected_ndcg:>8.3f}")
    log(
        "  (hit@10: the held-out item in the page's first ten places as shown: for Find my match the main "
        "results, then its labelled groups;\n   +more: also counting the items behind a result's "
        '"more from this mentor"; mentor@10: the booked item\'s mentor is on the page; main: the item is '
        "among the main results)"
    )
    log(
        f"  the held-out bookings themselves break the mentee's stated constraints: "
        f"{booked['language'] / len(sample):.1%} with a mentor who does not speak their language, "
        f"{booked['budget'] / len(sample):.1%} above their budget (converted) — "
        "a ranking that keeps such items off its main page cannot hit those"
    )

    log("\nconstraints on the top-10 page (per page: mean; share of pages with any)")
    log(f"  {'':<48}{'items':>6}{'wrong language':>17}{'over budget':>15}{'repeated mentor':>17}")

    def per_page(values: list[int]) -> str:
        return f"{mean(values):.2f} ({sum(v > 0 for v in values) / len(values):.0%})" if values else "-"

    for ranker in rankers:
        log(
            f"  {ranker.name:<48}{mean(ranker.shown):>6.1f}{per_page(ranker.language):>17}"
            f"{per_page(ranker.budget):>15}{per_page(ranker.repeats):>17}"
        )
    log(
        f"  ({len(sample):,} pages each; a wrong language: the mentor does not speak the language the mentee "
        f"asked for; over budget: the price converted to the mentee's currency is above it)"
    )

    hit_ratios = [ratio(m["hit0"], m[f"hit{h}"]) for m in resampled]
    ndcg_ratios = [ratio(m["ndcg0"], m[f"ndcg{h}"]) for m in resampled]
    folded = ratio(mean(ours.folded_hits), mean(heuristic.hits))
    hit_ratio = ratio(mean(ours.hits), mean(heuristic.hits))
    ndcg_ratio = ratio(mean(ours.gains), mean(heuristic.gains))
    hit_low, hit_high = percentile_interval(hit_ratios)
    ndcg_low, ndcg_high = percentile_interval(ndcg_ratios)
    log(
        f"\n  Find my match ÷ heuristic: hit@10 {hit_ratio:.2f}× [{hit_low:.2f}, {hit_high:.2f}], "
        f"NDCG@10 {ndcg_ratio:.2f}× [{ndcg_low:.2f}, {ndcg_high:.2f}]; "
        f'counting "more from this mentor" {folded:.2f}×'
    )
    popularity_ratio = ratio(mean(ours.hits), mean(popularity.hits))
    pop_low, _ = percentile_interval([ratio(m["hit0"], m[f"hit{p}"]) for m in resampled])
    pages = len(ours.shown)
    goals = [
        (
            "Find my match hit@10 >= 1.3x the heuristic, interval above 1.0",
            hit_ratio >= 1.3 and hit_low > 1.0,
            f"x{hit_ratio:.2f} [{hit_low:.2f}, {hit_high:.2f}]",
        ),
        (
            "Find my match: no item in a language the mentee did not ask for",
            sum(ours.language) == 0,
            f"{sum(ours.language)} items on {sum(v > 0 for v in ours.language)} of {pages} pages",
        ),
        (
            "Find my match: no item above the budget (converted)",
            sum(ours.budget) == 0,
            f"{sum(ours.budget)} items on {sum(v > 0 for v in ours.budget)} of {pages} pages",
        ),
        (
            "Find my match: one place per mentor",
            sum(ours.repeats) == 0,
            f"{mean([s - r for s, r in zip(ours.shown, ours.repeats, strict=True)]):.1f} distinct mentors "
            f"per page of {mean(ours.shown):.1f}",
        ),
        (
            "Find my match hit@10 >= 1.5x popularity",
            popularity_ratio >= 1.5,
            f"x{popularity_ratio:.2f} (interval from {pop_low:.2f})",
        ),
    ]
    log("\n== goals (issue 20)")
    for label, met, detail in goals:
        log(f"{'PASS' if met else 'MISS'}  {label:<66} {detail}")
    return goals


# --- timing -------------------------------------------------------------------------------------


def time_ranking(context: Context, learned: dict[str, float], mentees: list[HiddenMentee]) -> dict:
    """One mentee's ranking.match() over every candidate (with the catalogue's index, as the
    product ranks), next to building those candidates in memory, to merely iterating over them
    once, and to building the index (once per catalogue)."""
    records = context.records[ROUNDS]
    figures = defaultdict(list)
    text.document.cache_clear()
    candidates = context.observed.candidates(mentees[0], records)
    started = time.perf_counter()
    ranking.Index.of(candidates, context.platforms[ROUNDS])
    figures["index"].append(time.perf_counter() - started)
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
        product_page(mentee.need, candidates, learned, context.index)
        figures["rank"].append(time.perf_counter() - started)
    return figures


def full_refresh(context: Context, learned: dict[str, float]) -> float:
    records = context.records[ROUNDS]
    started = time.perf_counter()
    for mentee in context.world.mentees:
        candidates = context.observed.candidates(mentee, records)
        product_page(mentee.need, candidates, learned, context.index)
    return time.perf_counter() - started


# --- report -------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.1f} s"


def run(argv: list[str] | None = None) -> list[tuple[str, bool, str]]:
    """The whole evaluation; returns the goals as (label, met, detail) (bench/run.py prints them)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sample", type=int, default=2_000, help="held-out mentees evaluated")
    parser.add_argument("--resamples", type=int, default=1_000, help="bootstrap resamples of the mentees")
    parser.add_argument("--timed", type=int, default=30, help="mentees in the timing of ranking.match()")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument(
        "--uncapped",
        action="store_true",
        help="mentors take any number of sessions a week (see bench/RESULTS.md, Matching)",
    )
    parser.add_argument(
        "--full-refresh", action="store_true", help="time every mentee's ranking.match() (no extrapolation)"
    )
    args = parser.parse_args(argv)
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
    candidate = learning.fit(
        train, epochs=args.epochs, seed=args.seed, prior=scoring.DEFAULT_WEIGHTS, l2=learning.PRIOR_L2
    )
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
    other = (
        ("ours: DEFAULT_WEIGHTS", scoring.DEFAULT_WEIGHTS)
        if decision.adopted
        else ("ours: the learned weights the gate refused", candidate)
    )
    variants = [
        ("ours: Find my match as shipped (ranking.match)", learned, True),
        ("ours: as shipped, no exploration", learned, False),
        (other[0], other[1], True),
    ]
    started = time.perf_counter()
    rankers, details = evaluate(context, held_out, training, variants, sample)
    evaluated = time.perf_counter() - started
    log(
        f"\nprices and budgets in {', '.join(RATES)}; {evaluated:.0f} s for the rankings, "
        f"median {ms(statistics.median(details['timings']['rank']))} per ranking.match()"
    )
    verdicts = report(rankers, len(world.items), sample, details["booked"], args)

    timed = [context.mentees[i] for i in sample[: args.timed]] or world.mentees[: args.timed]
    figures = time_ranking(context, learned, timed)
    bare = statistics.median(figures["bare"])
    build = statistics.median(figures["candidates"])
    one = statistics.median(figures["rank"])
    log(f"\ntiming ({len(world.items):,} candidates per mentee, median of {len(timed)} mentees)")
    log(f"  bare: iterate the candidates once                 {ms(bare):>12}")
    log(f"  build one mentee's candidates in memory           {ms(build):>12}")
    log(f"  ranking.match() for one mentee (warm)             {ms(one):>12}   {one / bare:,.0f}× bare")
    log(f"  the catalogue's index (once per batch)            {ms(figures['index'][0]):>12}")
    mean = statistics.fmean(figures["rank"]) + statistics.fmean(figures["candidates"])
    log(
        f"  full refresh, {len(world.mentees):,} mentees (build + rank)  {ms(mean * len(world.mentees)):>12}"
        f"   extrapolated from the {len(timed)} timed mentees' mean, one process"
    )
    if args.full_refresh:
        took = full_refresh(context, learned)
        log(f"  full refresh, {len(world.mentees):,} mentees, measured        {ms(took):>12}")
    log(f"\ndone in {time.perf_counter() - begun:.0f} s")
    return verdicts


def main() -> None:
    run()


if __name__ == "__main__":
    main()
