"""Seed the benchmark database: 2,000 approved mentors, 10,000 offerings, 50,000 bookings.

This module draws the data set; demo/world.py, the demo's own world-building, writes it: users
with verified addresses, mentors with their hours and date overrides, offerings with the first
line of their history, and bookings with the events, action item and review their state has,
at the moments they happened. Vocabulary and names are in bench/seed.toml.

Everything is written in one transaction (so an interrupted seed leaves nothing behind), the
bookings and their rows with COPY. A row in bench_seed records the size that was seeded; a
re-run at the same size skips. BENCH_SCALE (default 1) scales mentors, mentees and bookings
down for a quick run (`BENCH_SCALE=0.02 .venv/bin/python bench/run.py --seed-only`).
Call only after django.setup() with bench.settings.
"""

from __future__ import annotations

import json
import os
import random
import time as clock
import tomllib
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from demo import world
from demo.content import window
from sessions.models import Booking, Offering

FULL_SIZE = {
    "mentors": 2000,
    "offerings_per_mentor": 5,  # 10,000 offerings
    "bookings": 50000,
    "future_share": 0.10,  # ~5,000 future confirmed bookings
    "mentees": 6000,
    "clients": 80,  # verified mentees the booking benchmark logs in as
    "version": 3,  # 3: written by demo/world.py (held -> confirmed events, history of offerings)
}


def size(scale: float) -> dict:
    """The data set at a fraction of its size; the scripts' own people (80 clients, the 600
    mentees the load and contention scripts sign in as) are always there."""
    if scale == 1:
        return dict(FULL_SIZE)
    return {
        **FULL_SIZE,
        "mentors": max(10, round(FULL_SIZE["mentors"] * scale)),
        "bookings": max(50, round(FULL_SIZE["bookings"] * scale)),
        "mentees": max(700, round(FULL_SIZE["mentees"] * scale)),
    }


SIZE = size(float(os.environ.get("BENCH_SCALE", "1")))
MAX_BOOKINGS_PER_MENTOR = 200
CLIENT_EMAIL = "client{:03d}@bench.example"
PASSWORD = "bench-password-not-secret"
WORDS = tomllib.loads((Path(__file__).resolve().parent / "seed.toml").read_text("utf-8"))
STATE = Booking.State
PAST_STATES = [
    (STATE.COMPLETED, 70),
    (STATE.CANCELLED_BY_MENTEE, 12),
    (STATE.CANCELLED_BY_MENTOR, 5),
    (STATE.NO_SHOW_MENTEE, 4),
    (STATE.NO_SHOW_MENTOR, 2),
    (STATE.EXPIRED, 7),
]
RATINGS = [(5, 55), (4, 28), (3, 10), (2, 4), (1, 3)]
REVIEW_TEXTS = ["", "Very helpful, concrete advice.", "Clear and kind.", "Good session."]
PRICES = [1000, 1500, 2500, 4000, 5000, 7500, 10000, 15000, 20000]
HOURS = [[window(text) for text in windows] for windows in WORDS["hours"]]


def _pick(rng: random.Random, weighted):
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights)[0]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(WORDS['first_names'])} {rng.choice(WORDS['last_names'])}"


def _ensure_marker_table() -> None:
    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_seed (k text PRIMARY KEY, v text NOT NULL)")


def marker(key: str) -> str | None:
    _ensure_marker_table()
    with connection.cursor() as c:
        c.execute("SELECT v FROM bench_seed WHERE k = %s", [key])
        row = c.fetchone()
    return row[0] if row else None


def set_marker(key: str, value: str) -> None:
    _ensure_marker_table()
    with connection.cursor() as c:
        c.execute(
            "INSERT INTO bench_seed (k, v) VALUES (%s, %s) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v",
            [key, value],
        )


def is_seeded() -> bool:
    return marker("size") == json.dumps(SIZE, sort_keys=True)


def ensure_seeded(log=print) -> bool:
    """Seed unless already seeded at SIZE; returns True if it seeded."""
    if is_seeded():
        return False
    db_name = connection.settings_dict["NAME"]
    if User.objects.exists():
        if "bench" not in db_name:
            raise SystemExit(
                f"Database {db_name!r} has data but no benchmark seed marker; refusing to empty it. "
                "Point DATABASE_URL at a dedicated database whose name contains 'bench'."
            )
        log(f"  emptying {db_name} (data present, but not seeded at this size)")
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
        with connection.cursor() as c:
            c.execute("DROP TABLE IF EXISTS bench_seed")
    started = clock.perf_counter()
    with transaction.atomic():
        _seed(log)
        set_marker("size", json.dumps(SIZE, sort_keys=True))
        set_marker("seeded_at", timezone.now().isoformat())
    # Vacuum now (visibility map, hint bits, statistics) so autovacuum does not run during the load.
    with connection.cursor() as c:
        c.execute("VACUUM (ANALYZE)")
        c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if c.fetchone()[0]:
            c.execute("CHECKPOINT")  # write the seed's dirty pages out now, not during the load
    log(f"  seeded in {clock.perf_counter() - started:.1f} s")
    return True


def _seed(log) -> None:
    rng = random.Random(20261025)
    now = timezone.now().replace(second=0, microsecond=0)
    t0 = clock.perf_counter()

    def step(msg):
        log(f"  {msg} ({clock.perf_counter() - t0:.1f} s)")

    skills, languages = world.vocabulary_ensure(skills=WORDS["skills"], languages=dict(WORDS["languages"]))

    # --- people -------------------------------------------------------------------------------
    n_mentors, n_mentees, n_clients = SIZE["mentors"], SIZE["mentees"], SIZE["clients"]
    zones = WORDS["zones"]
    people = [
        world.Person(f"mentor{i:04d}@bench.example", _name(rng), _pick(rng, zones)) for i in range(n_mentors)
    ]
    people += [
        world.Person(f"mentee{i:05d}@bench.example", _name(rng), _pick(rng, zones)) for i in range(n_mentees)
    ]
    people += [world.Person(CLIENT_EMAIL.format(i), f"Bench client {i}", "UTC") for i in range(n_clients)]
    users = world.users_ensure(
        people, password=make_password(PASSWORD), joined=now - timedelta(days=400), batch_size=2000
    )
    mentees = [users[p.email] for p in people[n_mentors : n_mentors + n_mentees]]
    step(f"{len(users)} users with verified e-mail addresses")

    # --- mentors ------------------------------------------------------------------------------
    specs = [_mentor(rng, i, person, now) for i, person in enumerate(people[:n_mentors])]
    profiles = world.mentors_ensure(specs, users=users, skills=skills, languages=languages, now=now)
    rules = sum(len(windows) for spec in specs for windows in spec.hours.values())
    overrides = sum(len(spec.overrides) for spec in specs)
    step(f"{len(profiles)} mentors, {rules} weekly rules, {overrides} date overrides")

    # --- offerings ----------------------------------------------------------------------------
    rows = [
        _offering(rng, i, k, title, profile, spec)
        for i, (profile, spec) in enumerate(zip(profiles, specs, strict=True))
        for k, title in enumerate(rng.sample(WORDS["offer_titles"], SIZE["offerings_per_mentor"]))
    ]
    offerings = world.offerings_ensure(rows)
    by_mentor: dict[int, list[Offering]] = {}
    for row in rows:
        by_mentor.setdefault(row["mentor"].pk, []).append(offerings[row["slug"]])
    step(f"{len(offerings)} published offerings (and their first history rows)")

    # --- bookings -----------------------------------------------------------------------------
    histories, counted = [], {"bookings": 0, "future": 0, "events": 0, "items": 0, "reviews": 0}

    def write():
        world.histories_write(histories)
        counted["events"] += sum(len(h.events) for h in histories)
        counted["items"] += sum(1 for h in histories if h.action_item)
        counted["reviews"] += sum(1 for h in histories if h.review)
        histories.clear()

    for profile, spec, n in zip(profiles, specs, _booking_counts(rng, len(profiles)), strict=True):
        zone = ZoneInfo(spec.zone)
        mine = by_mentor[profile.pk]
        for day, future in _booking_days(rng, spec, n, now.astimezone(zone).date()):
            offering = rng.choice(mine)
            starts_at = world.start_in_hours(
                day, spec.hours[day.weekday()], offering.duration_minutes, zone, rng
            )
            story = _story(rng, offering, STATE.CONFIRMED if future else _pick(rng, PAST_STATES))
            booking_id = uuid.uuid4()
            history = world.booking_history(
                story,
                id=booking_id,
                offering=offering,
                mentor=profile,
                mentee=rng.choice(mentees),
                starts_at=starts_at,
                join_url=offering.join_url or f"https://meet.jit.si/TheMentors-{booking_id.hex[:16]}",
                now=now,
            )
            histories.append(history)
            counted["bookings"] += 1
            counted["future"] += future
        if len(histories) >= 5000:
            write()
    write()
    step(f"{counted['bookings']} bookings ({counted['future']} future confirmed)")
    step(f"{counted['events']} events, {counted['items']} action items, {counted['reviews']} reviews")

    # Statistics for the rows just written (ANALYZE may run inside the transaction): without them
    # the planner may scan every booking for each mentor's figures (38 minutes at 4x without it).
    with connection.cursor() as c:
        c.execute("ANALYZE")
    world.mentors_refresh_figures([profile.pk for profile in profiles])
    step("ratings, action-item figures and lowest prices (the services' own functions)")


def _mentor(rng: random.Random, i: int, person: world.Person, now: datetime) -> world.MentorSpec:
    """A mentor in their own zone: 3-8 skills (popular ones more often), English and up to two
    more languages, weekly hours (mostly weekdays), and for some a few days off or extra hours."""
    role = rng.choice(WORDS["roles"])
    weights = [WORDS["skill_weights"].get(name, 2) for name in WORDS["skills"]]
    count, skills = rng.randint(3, 8), []
    while len(skills) < count:
        skill = rng.choices(WORDS["skills"], weights)[0]
        if skill not in skills:
            skills.append(skill)
    codes = [code for code, _ in WORDS["languages"]]
    chosen = {
        rng.choices(codes, [40 if c == "en" else 3 for c in codes])[0] for _ in range(rng.randint(0, 2))
    }
    bio = (
        f"I'm a **{role.lower()}** with {rng.randint(3, 25)} years in the industry.\n\n"
        f"I help people with {', '.join(skills)}. Sessions are short and focused on one outcome.\n\n"
        "- Bring one concrete question\n- Leave with one action item\n\n"
        + "Past work: teams from seed-stage startups to large companies. "
        * rng.randint(1, 4)
    )
    days = sorted(rng.sample(range(7), rng.choice([3, 4, 5, 5, 6])))
    if rng.random() < 0.7:  # most keep to weekdays
        days = sorted(set(days) - {5, 6}) or [0, 2, 4]
    usual = rng.choice(HOURS)
    hours = {day: usual if rng.random() < 0.8 else rng.choice(HOURS) for day in days}
    overrides: list[tuple[date, str, time | None, time | None]] = []
    if rng.random() < 0.2:
        today = now.astimezone(ZoneInfo(person.zone)).date()
        for _ in range(rng.randint(1, 3)):
            day = today + timedelta(days=rng.randint(1, 50))
            if rng.random() < 0.6 and (day, "off", None, None) not in overrides:
                overrides.append((day, "off", None, None))
            else:
                overrides.append((day, "extra", time(20), time(21)))
    return world.MentorSpec(
        email=person.email,
        name=person.name,
        slug=f"{slugify(person.name)}-{i}",
        headline=f"{role} helping with {skills[0]} and {skills[1]}"[:120],
        bio=bio,
        years=rng.randint(2, 30),
        zone=person.zone,
        skills=skills,
        languages=["en", *sorted(chosen - {"en"})],
        rules={
            "buffer_before": rng.choice([0, 0, 5, 10]),
            "buffer_after": rng.choice([0, 10, 15, 15]),
            "minimum_notice": rng.choice([60, 240, 720, 720, 1440]),
            "horizon_days": rng.choice([30, 60, 60, 90]),
            "max_sessions_per_day": rng.randint(3, 8),
        },
        hours=hours,
        overrides=overrides,
    )


def _offering(rng: random.Random, i: int, k: int, title: str, profile, spec: world.MentorSpec) -> dict:
    """One of a mentor's five: 15-60 minutes, a fifth of them free, 0-3 pre-work prompts."""
    return {
        "mentor": profile,
        "slug": f"{slugify(title)}-{i}-{k}",
        "title": title,
        "outcome": f"A clear next step on {rng.choice(spec.skills).lower()}",
        "description": f"A focused **{title.lower()}**.\n\nBring your materials.",
        "duration_minutes": rng.choice([15, 30, 30, 45, 60]),
        "price_amount": 0 if rng.random() < 0.2 else rng.choice(PRICES),
        "currency": "USD",
        "prework_prompts": rng.sample(WORDS["prompts"], rng.randint(0, 3)),
        "cancellation_window_hours": rng.choice([12, 24, 24, 48]),
        "join_url": rng.choice(["", "", f"https://meet.example.com/{profile.slug}"]),
        "is_published": True,
    }


def _booking_counts(rng: random.Random, mentors: int) -> list[int]:
    """A skewed share per mentor (some popular mentors, a long tail) summing to SIZE["bookings"],
    capped at MAX_BOOKINGS_PER_MENTOR (about one session every other day for a year)."""
    weights = [rng.paretovariate(1.5) for _ in range(mentors)]
    total = sum(weights)
    counts = [min(MAX_BOOKINGS_PER_MENTOR, max(1, int(SIZE["bookings"] * w / total))) for w in weights]
    while sum(counts) < SIZE["bookings"]:
        j = rng.randrange(len(counts))
        if counts[j] < MAX_BOOKINGS_PER_MENTOR:
            counts[j] += 1
    while sum(counts) > SIZE["bookings"]:
        j = rng.randrange(len(counts))
        if counts[j] > 1:
            counts[j] -= 1
    return counts


def _booking_days(rng: random.Random, spec: world.MentorSpec, n: int, today: date) -> list[tuple[date, bool]]:
    """n days (and whether each is ahead) on the mentor's working days. Future ones at most one
    per day, off days excluded, so no two of a mentor's active bookings overlap (the exclusion
    constraint) and the daily cap holds; the past (2-365 days ago) is drawn freely."""
    want_future = sum(rng.random() < SIZE["future_share"] for _ in range(n))
    days_off = {day for day, kind, _, _ in spec.overrides if kind == "off"}
    ahead = [today + timedelta(days=k) for k in range(3, min(spec.rules["horizon_days"], 58))]
    ahead = [d for d in ahead if d.weekday() in spec.hours and d not in days_off]
    plans = [(day, True) for day in rng.sample(ahead, min(want_future, len(ahead)))]
    past = [today - timedelta(days=k) for k in range(2, 365)]
    past = [d for d in past if d.weekday() in spec.hours]
    return plans + [(rng.choice(past), False) for _ in range(n - len(plans))]


def _story(rng: random.Random, offering: Offering, state: str) -> world.Story:
    story = world.Story(
        state=state,
        outcome=f"A decision about {offering.title.lower()}",
        answers=["Some notes about my situation."] * len(offering.prework_prompts),
        context_notes="Context for the mentor.",
        created_lead_days=rng.uniform(1, 20),
        later_hours=rng.uniform(0.2, 30),
    )
    if state == STATE.COMPLETED:
        story.action_item = "Send the revised draft to two peers"
        story.action_done = rng.random() < 0.55
        if rng.random() < 0.6:
            story.rating = _pick(rng, RATINGS)
            story.review_text = rng.choice(REVIEW_TEXTS)
            story.reply = "Thanks!" if rng.random() < 0.3 else ""
            story.review_hidden = rng.random() < 0.02
    return story


def client_users() -> list[User]:
    emails = [CLIENT_EMAIL.format(i) for i in range(SIZE["clients"])]
    return list(User.objects.filter(email__in=emails).order_by("email"))


def give_intake(user: User, skills) -> None:
    """The intake every benchmark's mentee writes for Find my match: a senior interview and an
    offer, $60 a session, weekdays 9 to 5, the given skills."""
    from matching.models import Intake

    intake, _ = Intake.objects.update_or_create(
        user=user,
        defaults={
            "need": "I want to prepare for a senior interview and negotiate the offer",
            "budget_amount": 6000,
            "currency": "USD",
            "days": [0, 1, 2, 3, 4],
            "hours_from": time(9),
            "hours_to": time(17),
        },
    )
    intake.skills.set(skills)
