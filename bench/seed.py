"""Seed the benchmark database: 2,000 approved mentors, 10,000 offerings, 50,000 bookings.

Everything is written in one transaction (so an interrupted seed leaves nothing behind)
with bulk_create for the rows whose ids we need back and COPY for the big tables.
A row in bench_seed records the size that was seeded; a re-run at the same size skips.
Call only after django.setup() with bench.settings.
"""

from __future__ import annotations

import json
import random
import time as clock
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from psycopg.types.json import Jsonb

from accounts.models import User
from mentors.models import DateOverride, Language, MentorProfile, Skill, WeeklyRule
from sessions.models import ActionItem, Booking, BookingEvent, Offering, Review

SIZE = {
    "mentors": 2000,
    "offerings_per_mentor": 5,  # 10,000 offerings
    "bookings": 50000,
    "future_share": 0.10,  # ~5,000 future confirmed bookings
    "mentees": 6000,
    "clients": 80,  # verified mentees the booking benchmark logs in as
    "version": 2,
}
MAX_BOOKINGS_PER_MENTOR = 200
CLIENT_EMAIL = "client{:03d}@bench.example"
PASSWORD = "bench-password-not-secret"
UTC = ZoneInfo("UTC")

SKILLS = [
    "Python",
    "Django",
    "JavaScript",
    "TypeScript",
    "React",
    "Go",
    "Rust",
    "Java",
    "Kotlin",
    "Swift",
    "SQL",
    "PostgreSQL",
    "Data science",
    "Machine learning",
    "MLOps",
    "DevOps",
    "Kubernetes",
    "AWS",
    "System design",
    "Product design",
    "UX design",
    "UI design",
    "Design systems",
    "Product management",
    "Engineering management",
    "Hiring",
    "Interviewing",
    "Career growth",
    "Salary negotiation",
    "Public speaking",
    "Technical writing",
    "Startups",
    "Fundraising",
    "Marketing",
    "Growth",
    "SEO",
    "Sales",
    "Leadership",
    "Agile",
    "Testing",
    "Security",
    "Mobile",
    "iOS",
    "Android",
    "Frontend",
    "Backend",
    "Data engineering",
    "Analytics",
    "Excel",
    "Figma",
    "Branding",
    "Copywriting",
    "Freelancing",
    "Open source",
    "Architecture",
    "Cloud",
    "Accessibility",
    "Game development",
    "Embedded",
    "Graphic design",
]
# Popular skills appear more often (Python and the design family above all).
SKILL_WEIGHTS = {
    "Python": 8,
    "JavaScript": 6,
    "Product design": 5,
    "UX design": 5,
    "System design": 5,
    "Career growth": 6,
    "Interviewing": 5,
    "React": 4,
    "Data science": 4,
    "Hiring": 4,
}
LANGUAGES = [
    ("en", "English"),
    ("de", "German"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("pt", "Portuguese"),
    ("hi", "Hindi"),
    ("ja", "Japanese"),
    ("zh", "Chinese"),
    ("it", "Italian"),
    ("nl", "Dutch"),
    ("pl", "Polish"),
    ("ar", "Arabic"),
]
ZONES = [
    ("Europe/Berlin", 14),
    ("America/New_York", 14),
    ("Europe/London", 10),
    ("America/Los_Angeles", 10),
    ("Asia/Kolkata", 9),
    ("America/Sao_Paulo", 6),
    ("Australia/Sydney", 5),
    ("Asia/Tokyo", 5),
    ("Asia/Singapore", 4),
    ("Africa/Lagos", 4),
    ("UTC", 4),
    ("Europe/Warsaw", 4),
    ("America/Chicago", 5),
    ("Pacific/Auckland", 2),
    ("Asia/Kathmandu", 1),
    ("America/St_Johns", 1),
    ("Europe/Madrid", 3),
]
FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Lena",
    "Marco",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aiko",
    "Bruno",
    "Carla",
    "Diego",
    "Eva",
    "Felix",
    "Gita",
    "Hugo",
    "Ivy",
    "Jamal",
]
LAST = [
    "Lopez",
    "Schmidt",
    "Okafor",
    "Tanaka",
    "Novak",
    "Silva",
    "Patel",
    "Kowalski",
    "Rossi",
    "Nguyen",
    "Haddad",
    "Jensen",
    "Moreau",
    "Costa",
    "Fischer",
    "Ivanova",
    "Kim",
    "Mensah",
    "Olsen",
    "Sato",
    "Garcia",
    "Weber",
    "Singh",
    "Brown",
    "Dubois",
    "Yilmaz",
    "Chen",
    "Andersson",
    "Ferreira",
    "Mehta",
]
ROLES = [
    "Staff engineer",
    "Product designer",
    "Engineering manager",
    "Data scientist",
    "Founder",
    "Design lead",
    "CTO",
    "Tech recruiter",
    "Product manager",
    "UX researcher",
    "Principal engineer",
    "Growth marketer",
]
OFFER_TITLES = [
    "Career chat",
    "CV and LinkedIn review",
    "Mock interview",
    "Code review",
    "System design drill",
    "Portfolio critique",
    "Salary negotiation prep",
    "Should I take this job offer?",
    "Unblock my side project",
    "Architecture review",
    "Design critique",
    "Pitch deck feedback",
    "First 90 days plan",
    "Promotion case review",
    "Data model review",
]
PROMPTS = [
    "What is the one decision you need to make?",
    "Link to the work you want feedback on.",
    "What have you tried so far?",
    "What does a great outcome look like?",
    "Any constraints I should know?",
]
STATE = Booking.State
PAST_STATES = [
    (STATE.COMPLETED, 70),
    (STATE.CANCELLED_BY_MENTEE, 12),
    (STATE.CANCELLED_BY_MENTOR, 5),
    (STATE.NO_SHOW_MENTEE, 4),
    (STATE.NO_SHOW_MENTOR, 2),
    (STATE.EXPIRED, 7),
]
WINDOW_PATTERNS = [
    [(time(9), time(12)), (time(13), time(17))],
    [(time(8), time(11))],
    [(time(10), time(14))],
    [(time(14), time(18))],
    [(time(18), time(21))],
    [(time(9), time(17))],
    [(time(7), time(9)), (time(19), time(22))],
]


def _pick(rng: random.Random, weighted):
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights)[0]


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


def _copy(model, columns: list[str], rows) -> int:
    """COPY rows (tuples in `columns` order) into the model's table; returns the count."""
    table = model._meta.db_table
    cols = ", ".join(connection.ops.quote_name(col) for col in columns)
    n = 0
    with connection.cursor() as c, c.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


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


def _seed(log) -> None:  # noqa: C901 - a long but linear script
    rng = random.Random(20261025)
    now = timezone.now().replace(second=0, microsecond=0)
    t0 = clock.perf_counter()

    def step(msg):
        log(f"  {msg} ({clock.perf_counter() - t0:.1f} s)")

    # --- vocabulary ---------------------------------------------------------------------------
    skills = Skill.objects.bulk_create([Skill(name=n, slug=slugify(n)) for n in SKILLS])
    skill_weights = [SKILL_WEIGHTS.get(s.name, 2) for s in skills]
    languages = Language.objects.bulk_create([Language(code=c, name=n) for c, n in LANGUAGES])
    lang_weights = [40 if lang.code == "en" else 3 for lang in languages]

    # --- users --------------------------------------------------------------------------------
    password = make_password(PASSWORD)
    joined = now - timedelta(days=400)
    n_mentors, n_mentees, n_clients = SIZE["mentors"], SIZE["mentees"], SIZE["clients"]
    mentor_zones = [_pick(rng, ZONES) for _ in range(n_mentors)]
    users = []
    for i in range(n_mentors):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        users.append(
            User(
                email=f"mentor{i:04d}@bench.example",
                display_name=name,
                timezone=mentor_zones[i],
                password=password,
                date_joined=joined,
                is_active=True,
            )
        )
    for i in range(n_mentees):
        users.append(
            User(
                email=f"mentee{i:05d}@bench.example",
                display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                timezone=_pick(rng, ZONES),
                password=password,
                date_joined=joined,
                is_active=True,
            )
        )
    for i in range(n_clients):
        users.append(
            User(
                email=CLIENT_EMAIL.format(i),
                display_name=f"Bench client {i}",
                timezone="UTC",
                password=password,
                date_joined=joined,
                is_active=True,
            )
        )
    users = User.objects.bulk_create(users, batch_size=2000)
    mentor_users, mentee_users = users[:n_mentors], users[n_mentors : n_mentors + n_mentees]
    _copy(
        EmailAddress,
        ["user_id", "email", "verified", "primary"],
        ((u.pk, u.email, True, True) for u in users),
    )
    step(f"{len(users)} users with verified e-mail addresses")

    # --- mentors ------------------------------------------------------------------------------
    profiles = []
    for i, user in enumerate(mentor_users):
        role = rng.choice(ROLES)
        picked = set()
        while len(picked) < rng.randint(3, 8):
            picked.add(rng.choices(range(len(skills)), skill_weights)[0])
        picked_skills = [skills[k] for k in picked]
        names = [s.name for s in picked_skills]
        headline = f"{role} helping with {names[0]} and {names[1]}"[:120]
        bio = (
            f"I'm a **{role.lower()}** with {rng.randint(3, 25)} years in the industry.\n\n"
            f"I help people with {', '.join(names)}. Sessions are short and focused on one outcome.\n\n"
            "- Bring one concrete question\n- Leave with one action item\n\n"
            + "Past work: teams from seed-stage startups to large companies. "
            * rng.randint(1, 4)
        )
        p = MentorProfile(
            user=user,
            slug=f"{slugify(user.display_name)}-{i}",
            headline=headline,
            bio=bio,
            years_experience=rng.randint(2, 30),
            timezone=mentor_zones[i],
            status=MentorProfile.Status.APPROVED,
            reviewed_at=joined + timedelta(days=1),
            buffer_before=rng.choice([0, 0, 5, 10]),
            buffer_after=rng.choice([0, 10, 15, 15]),
            minimum_notice=rng.choice([60, 240, 720, 720, 1440]),
            horizon_days=rng.choice([30, 60, 60, 90]),
            max_sessions_per_day=rng.randint(3, 8),
        )
        p._skills = picked_skills
        p._languages = {languages[0]} | {
            rng.choices(languages, lang_weights)[0] for _ in range(rng.randint(0, 2))
        }
        profiles.append(p)
    profiles = MentorProfile.objects.bulk_create(profiles, batch_size=1000)
    MentorProfile.skills.through.objects.bulk_create(
        [
            MentorProfile.skills.through(mentorprofile_id=p.pk, skill_id=s.pk)
            for p in profiles
            for s in p._skills
        ],
        batch_size=5000,
    )
    MentorProfile.languages.through.objects.bulk_create(
        [
            MentorProfile.languages.through(mentorprofile_id=p.pk, language_id=lang.pk)
            for p in profiles
            for lang in p._languages
        ],
        batch_size=5000,
    )

    # Weekly rules in each mentor's own zone.
    rules = []
    for p in profiles:
        days = sorted(rng.sample(range(7), rng.choice([3, 4, 5, 5, 6])))
        if rng.random() < 0.7:  # most keep to weekdays
            days = sorted(set(days) - {5, 6}) or [0, 2, 4]
        pattern = rng.choice(WINDOW_PATTERNS)
        p._windows = {}
        for d in days:
            windows = pattern if rng.random() < 0.8 else rng.choice(WINDOW_PATTERNS)
            p._windows[d] = windows
            rules += [WeeklyRule(mentor=p, weekday=d, start_time=s, end_time=e) for s, e in windows]
    WeeklyRule.objects.bulk_create(rules, batch_size=5000)

    # A few date overrides: days off and extra hours ahead.
    overrides = []
    for p in profiles:
        p._days_off = set()
        if rng.random() < 0.2:
            local_today = now.astimezone(ZoneInfo(p.timezone)).date()
            for _ in range(rng.randint(1, 3)):
                d = local_today + timedelta(days=rng.randint(1, 50))
                if rng.random() < 0.6 and d not in p._days_off:
                    p._days_off.add(d)
                    overrides.append(DateOverride(mentor=p, date=d, kind="off"))
                else:
                    overrides.append(
                        DateOverride(mentor=p, date=d, kind="extra", start_time=time(20), end_time=time(21))
                    )
    DateOverride.objects.bulk_create(overrides)
    step(f"{len(profiles)} mentors, {len(rules)} weekly rules, {len(overrides)} date overrides")

    # --- offerings ----------------------------------------------------------------------------
    offerings = []
    for i, p in enumerate(profiles):
        titles = rng.sample(OFFER_TITLES, SIZE["offerings_per_mentor"])
        for k, title in enumerate(titles):
            price = (
                0
                if rng.random() < 0.2
                else rng.choice([1000, 1500, 2500, 4000, 5000, 7500, 10000, 15000, 20000])
            )
            offerings.append(
                Offering(
                    mentor=p,
                    slug=f"{slugify(title)}-{i}-{k}",
                    title=title,
                    outcome=f"A clear next step on {rng.choice(p._skills).name.lower()}",
                    description=f"A focused **{title.lower()}**.\n\nBring your materials.",
                    duration_minutes=rng.choice([15, 30, 30, 45, 60]),
                    price_amount=price,
                    currency="USD",
                    prework_prompts=rng.sample(PROMPTS, rng.randint(0, 3)),
                    cancellation_window_hours=rng.choice([12, 24, 24, 48]),
                    join_url=rng.choice(["", "", f"https://meet.example.com/{p.slug}"]),
                    is_published=True,
                )
            )
    offerings = Offering.objects.bulk_create(offerings, batch_size=2000)
    by_mentor: dict[int, list[Offering]] = {}
    for o in offerings:
        by_mentor.setdefault(o.mentor_id, []).append(o)
    step(f"{len(offerings)} published offerings")

    # --- bookings -----------------------------------------------------------------------------
    # A skewed share per mentor (some popular mentors, a long tail) summing to SIZE["bookings"].
    # Capped at MAX_BOOKINGS_PER_MENTOR (about one session every other day for a year).
    weights = [rng.paretovariate(1.5) for _ in profiles]
    total_w = sum(weights)
    counts = [min(MAX_BOOKINGS_PER_MENTOR, max(1, int(SIZE["bookings"] * w / total_w))) for w in weights]
    while sum(counts) < SIZE["bookings"]:
        j = rng.randrange(len(counts))
        if counts[j] < MAX_BOOKINGS_PER_MENTOR:
            counts[j] += 1
    while sum(counts) > SIZE["bookings"]:
        j = rng.randrange(len(counts))
        if counts[j] > 1:
            counts[j] -= 1

    booking_rows, event_rows, review_rows, item_rows = [], [], [], []
    n_future = 0
    for p, n in zip(profiles, counts, strict=True):
        zone = ZoneInfo(p.timezone)
        local_today = now.astimezone(zone).date()
        mine = by_mentor[p.pk]
        want_future = sum(rng.random() < SIZE["future_share"] for _ in range(n))
        # Future confirmed bookings: at most one per local day, inside the mentor's hours, so no two
        # of a mentor's active bookings overlap (the exclusion constraint) and the daily cap holds.
        days = [local_today + timedelta(days=k) for k in range(3, min(p.horizon_days, 58))]
        days = [d for d in days if d.weekday() in p._windows and d not in p._days_off]
        future_days = rng.sample(days, min(want_future, len(days)))
        plans = [(d, True) for d in future_days]
        past_days = [local_today - timedelta(days=k) for k in range(2, 365)]
        past_days = [d for d in past_days if d.weekday() in p._windows]
        plans += [(rng.choice(past_days), False) for _ in range(n - len(plans))]
        for d, future in plans:
            offering = rng.choice(mine)
            dur = timedelta(minutes=offering.duration_minutes)
            ws, we = rng.choice(p._windows[d.weekday()])
            span = (datetime.combine(d, we) - datetime.combine(d, ws) - dur) // timedelta(minutes=15)
            if span < 0:
                ws, we = p._windows[d.weekday()][0]
                span = 0
            local = datetime.combine(d, ws, tzinfo=zone) + timedelta(
                minutes=15 * rng.randint(0, max(span, 0))
            )
            starts = local.astimezone(UTC)
            ends = starts + dur
            state = STATE.CONFIRMED if future else _pick(rng, PAST_STATES)
            if future:
                n_future += 1
            bid = uuid.uuid4()
            mentee = rng.choice(mentee_users)
            created = starts - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))
            answers = [
                {"prompt": q, "answer": "Some notes about my situation."} for q in offering.prework_prompts
            ]
            booking_rows.append(
                (
                    bid,
                    offering.pk,
                    p.pk,
                    mentee.pk,
                    starts,
                    ends,
                    state,
                    None,
                    f"A decision about {offering.title.lower()}",
                    Jsonb(answers),
                    "Context for the mentor.",
                    "",
                    offering.price_amount,
                    offering.currency,
                    offering.join_url or f"https://meet.jit.si/TheMentors-{bid.hex[:16]}",
                    0,
                    created,
                )
            )
            first = STATE.CONFIRMED if offering.price_amount == 0 else STATE.HELD
            event_rows.append((bid, mentee.pk, "", first, "", created))
            if state != first:
                from_state = STATE.HELD if state == STATE.EXPIRED else STATE.CONFIRMED
                event_rows.append((bid, None, from_state, state, "", min(ends, now)))
            if state == STATE.COMPLETED:
                done = rng.random() < 0.55
                item_rows.append(
                    (
                        bid,
                        "Send the revised draft to two peers",
                        ends.date() + timedelta(days=7),
                        "",
                        "",
                        ends + timedelta(days=3) if done else None,
                        ends,
                    )
                )
                if rng.random() < 0.6:
                    rating = _pick(rng, [(5, 55), (4, 28), (3, 10), (2, 4), (1, 3)])
                    replied = rng.random() < 0.3
                    review_rows.append(
                        (
                            bid,
                            rating,
                            rng.choice(
                                ["", "Very helpful, concrete advice.", "Clear and kind.", "Good session."]
                            ),
                            "Thanks!" if replied else "",
                            ends + timedelta(days=2) if replied else None,
                            rng.random() < 0.02,
                            ends + timedelta(days=1),
                        )
                    )
    booking_cols = [
        "id",
        "offering_id",
        "mentor_id",
        "mentee_id",
        "starts_at",
        "ends_at",
        "state",
        "hold_expires_at",
        "outcome",
        "prework_answers",
        "context_notes",
        "links",
        "price_amount",
        "currency",
        "join_url",
        "reschedule_count",
        "created_at",
    ]
    _copy(Booking, booking_cols, booking_rows)
    step(f"{len(booking_rows)} bookings ({n_future} future confirmed)")
    _copy(BookingEvent, ["booking_id", "actor_id", "from_state", "to_state", "note", "at"], event_rows)
    _copy(
        ActionItem,
        ["booking_id", "text", "due_date", "notes", "resources", "done_at", "created_at"],
        item_rows,
    )
    _copy(
        Review,
        ["booking_id", "rating", "text", "mentor_reply", "replied_at", "is_hidden", "created_at"],
        review_rows,
    )
    step(f"{len(event_rows)} events, {len(item_rows)} action items, {len(review_rows)} reviews")

    # --- denormalised figures (what _refresh_mentor_stats, mentor_refresh_min_price compute) ---
    profile_t = MentorProfile._meta.db_table
    booking_t, review_t, item_t = Booking._meta.db_table, Review._meta.db_table, ActionItem._meta.db_table
    with connection.cursor() as c:
        c.execute(f"""
            UPDATE {profile_t} m SET rating_average = s.avg, rating_count = s.n
            FROM (SELECT b.mentor_id, ROUND(AVG(r.rating)::numeric, 2) AS avg, COUNT(*) AS n
                  FROM {review_t} r JOIN {booking_t} b ON b.id = r.booking_id
                  WHERE NOT r.is_hidden GROUP BY b.mentor_id) s
            WHERE m.id = s.mentor_id""")
        c.execute(f"""
            UPDATE {profile_t} m SET action_items_total = s.total, action_items_done = s.done
            FROM (SELECT b.mentor_id, COUNT(*) AS total, COUNT(a.done_at) AS done
                  FROM {item_t} a JOIN {booking_t} b ON b.id = a.booking_id GROUP BY b.mentor_id) s
            WHERE m.id = s.mentor_id""")
        c.execute(f"""
            UPDATE {profile_t} m SET min_published_price = s.lowest
            FROM (SELECT mentor_id, MIN(price_amount) AS lowest FROM {Offering._meta.db_table}
                  WHERE is_published GROUP BY mentor_id) s
            WHERE m.id = s.mentor_id""")
    step("ratings, action-item figures and lowest prices")


def client_users() -> list[User]:
    emails = [CLIENT_EMAIL.format(i) for i in range(SIZE["clients"])]
    return list(User.objects.filter(email__in=emails).order_by("email"))
