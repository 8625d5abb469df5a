"""Building a marketplace in bulk: vocabulary, people, mentors with their hours and offerings,
and bookings with the history that led to their state.

Shared by the demo (`manage.py seed_demo`: tens of mentors, keyed so that a second run adds
nothing) and the benchmark's data set (`bench/seed.py`: thousands of mentors in an empty
database). What it writes is the past, written directly; what is still ahead of someone (an
upcoming booking, a cohort seat) the callers make through the services.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from mentors.models import DateOverride, Language, MentorProfile, Skill, WeeklyRule
from sessions.models import ActionItem, Booking, BookingEvent, Offering, Review
from sessions.previews import mentor_refresh_free_slots, mentors_refresh_min_prices
from sessions.services import refresh_mentor_stats

UTC = ZoneInfo("UTC")
State = Booking.State
Week = dict[int, list[tuple[time, time]]]  # weekday (0 = Monday) -> local wall-clock windows


def local(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time of a day in a zone, in UTC."""
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def start_in_hours(
    day: date, windows: Sequence[tuple[time, time]], minutes: int, zone: ZoneInfo, rng: random.Random
) -> datetime:
    """A start on the quarter hour inside one of the day's windows, leaving room for the session."""
    start, end = rng.choice(windows)
    first = datetime.combine(day, start)
    quarters = (datetime.combine(day, end) - first - timedelta(minutes=minutes)) // timedelta(minutes=15)
    wall = (first + timedelta(minutes=15 * rng.randint(0, max(quarters, 0)))).time()
    return local(day, wall, zone)


# --- vocabulary and people


def vocabulary_ensure(
    *, skills: Iterable[str], languages: dict[str, str]
) -> tuple[dict[str, Skill], dict[str, Language]]:
    """The skills (by name) and languages (code: name), created if missing."""
    skills = list(skills)
    for code, name in languages.items():
        Language.objects.update_or_create(code=code, defaults={"name": name})
    for name in skills:
        Skill.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    return (
        {skill.name: skill for skill in Skill.objects.filter(name__in=skills)},
        {language.code: language for language in Language.objects.filter(code__in=list(languages))},
    )


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    zone: str


def users_ensure(
    people: Sequence[Person], *, password: str, joined: datetime | None = None, batch_size: int = 500
) -> dict[str, User]:
    """The users with these e-mails (by e-mail), created if missing with this password hash,
    each with a verified primary address, as signing up and confirming it would leave them."""
    emails = [person.email for person in people]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    when = {"date_joined": joined} if joined else {}
    User.objects.bulk_create(
        [
            User(email=p.email, display_name=p.name, timezone=p.zone, password=password, **when)
            for p in people
            if p.email not in existing
        ],
        batch_size=batch_size,
    )
    users = {user.email: user for user in User.objects.filter(email__in=emails)}
    verified = set(EmailAddress.objects.filter(user__in=users.values()).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=user, email=email, verified=True, primary=True)
            for email, user in users.items()
            if user.pk not in verified
        ],
        batch_size=batch_size,
    )
    return users


# --- mentors


@dataclass
class MentorSpec:
    """A mentor's profile, booking rules, weekly hours and date overrides."""

    email: str  # of a user that exists
    name: str
    headline: str
    bio: str
    years: int
    zone: str
    skills: Sequence[str]  # names
    languages: Sequence[str]  # codes
    status: str = MentorProfile.Status.APPROVED
    review_reason: str = ""
    rules: dict = field(default_factory=dict)  # buffer_before, buffer_after, minimum_notice, …
    hours: Week = field(default_factory=dict)
    overrides: list[tuple[date, str, time | None, time | None]] = field(default_factory=list)
    slug: str = ""  # made unique from the name when empty


PROFILE_FIELDS = ["headline", "bio", "years_experience", "timezone", "status", "review_reason", "reviewed_at"]


def mentors_ensure(
    specs: Sequence[MentorSpec],
    *,
    users: dict[str, User],
    skills: dict[str, Skill],
    languages: dict[str, Language],
    now: datetime,
) -> list[MentorProfile]:
    """Each spec's mentor profile (in order), created or brought up to date with its skills and
    languages; weekly hours and date overrides for the mentors who have none yet."""
    existing = {p.user_id: p for p in MentorProfile.objects.filter(user__in=[users[s.email] for s in specs])}
    profiles, new, taken = [], [], set()
    for spec in specs:
        user = users[spec.email]
        profile = existing.get(user.pk)
        if profile is None:
            profile = MentorProfile(user=user, slug=spec.slug or _free_slug(spec.name, taken))
            new.append(profile)
        profile.headline, profile.bio, profile.years_experience = spec.headline, spec.bio, spec.years
        profile.timezone, profile.status, profile.review_reason = spec.zone, spec.status, spec.review_reason
        if spec.status == MentorProfile.Status.PENDING:
            profile.reviewed_at = None
        elif profile.reviewed_at is None:
            profile.reviewed_at = now
        for name, value in spec.rules.items():
            setattr(profile, name, value)
        profiles.append(profile)
    MentorProfile.objects.bulk_create(new, batch_size=1000)
    rules = sorted({name for spec in specs for name in spec.rules})
    MentorProfile.objects.bulk_update(list(existing.values()), PROFILE_FIELDS + rules, batch_size=500)
    pairs = list(zip(profiles, specs, strict=True))
    _skills_and_languages(pairs, new={p.pk for p in new}, skills=skills, languages=languages)
    _hours(pairs)
    return profiles


def _skills_and_languages(pairs, *, new: set[int], skills: dict, languages: dict) -> None:
    """New profiles get theirs in one insert per table; the others through `set()`."""
    SkillLink, LanguageLink = MentorProfile.skills.through, MentorProfile.languages.through
    skill_links, language_links = [], []
    for profile, spec in pairs:
        chosen_skills = [skills[name] for name in spec.skills]
        chosen_languages = [languages[code] for code in spec.languages]
        if profile.pk in new:
            skill_links += [SkillLink(mentorprofile_id=profile.pk, skill_id=s.pk) for s in chosen_skills]
            language_links += [
                LanguageLink(mentorprofile_id=profile.pk, language_id=lang.pk) for lang in chosen_languages
            ]
        else:
            profile.skills.set(chosen_skills)
            profile.languages.set(chosen_languages)
    SkillLink.objects.bulk_create(skill_links, batch_size=5000)
    LanguageLink.objects.bulk_create(language_links, batch_size=5000)


def _hours(pairs) -> None:
    """Weekly hours and date overrides, for the mentors who have none (a mentor may have
    changed theirs since)."""
    profiles = [profile for profile, _ in pairs]
    with_hours = set(WeeklyRule.objects.filter(mentor__in=profiles).values_list("mentor_id", flat=True))
    WeeklyRule.objects.bulk_create(
        [
            WeeklyRule(mentor=profile, weekday=day, start_time=start, end_time=end)
            for profile, spec in pairs
            if profile.pk not in with_hours
            for day, windows in spec.hours.items()
            for start, end in windows
        ],
        batch_size=5000,
    )
    with_overrides = set(DateOverride.objects.filter(mentor__in=profiles).values_list("mentor_id", flat=True))
    DateOverride.objects.bulk_create(
        [
            DateOverride(mentor=profile, date=day, kind=kind, start_time=start, end_time=end)
            for profile, spec in pairs
            if profile.pk not in with_overrides
            for day, kind, start, end in spec.overrides
        ],
        batch_size=5000,
    )


def _free_slug(name: str, taken: set[str]) -> str:
    base = (slugify(name) or "x")[:74]
    slug, n = base, 2
    while slug in taken or MentorProfile.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def offerings_ensure(rows: Sequence[dict]) -> dict[str, Offering]:
    """Offerings by slug (each row: Offering's fields, slug included), created with the first
    line of their history as a save writes it, or brought up to date."""
    existing = Offering.objects.in_bulk([row["slug"] for row in rows], field_name="slug")
    new = []
    for row in rows:
        offering = existing.get(row["slug"])
        if offering is None:
            new.append(Offering(**row))
            continue
        for name, value in row.items():
            setattr(offering, name, value)
        offering.save()
    bulk_create_with_history(new, Offering, batch_size=2000)
    return {**existing, **{offering.slug: offering for offering in new}}


def mentors_refresh_figures(mentor_ids: Sequence[int], *, free_slots_at: datetime | None = None) -> None:
    """What the services keep up to date as bookings and offerings change: ratings, action-item
    figures, the lowest price and, given a moment, the preview of free slots from then."""
    for mentor_id in mentor_ids:
        refresh_mentor_stats(mentor_id)
    mentors_refresh_min_prices(mentor_ids=mentor_ids)
    if free_slots_at is not None:
        for mentor_id in mentor_ids:
            mentor_refresh_free_slots(mentor_id=mentor_id, now=free_slots_at)


# --- bookings that have happened


@dataclass(kw_only=True)
class Story:
    """What happens to one booking: its state, what people wrote, and when things happened
    relative to the session. A seed draws these; `booking_history` turns them into rows."""

    state: str
    outcome: str = ""
    answers: list[str] = field(default_factory=list)  # to the offering's prompts, in order
    context_notes: str = ""
    action_item: str = ""
    action_done: bool = False
    rating: int | None = None
    review_text: str = ""
    reply: str = ""
    review_hidden: bool = False
    cancel_note: str = ""
    created_lead_days: float = 5.0  # booked this long before the session
    later_hours: float = 1.0  # the pace of what follows: closing, reviewing, doing the action item


@dataclass
class History:
    booking: Booking
    events: list[BookingEvent]
    action_item: ActionItem | None = None
    review: Review | None = None


def booking_history(
    story: Story,
    *,
    id: uuid.UUID,
    offering: Offering,
    mentor: MentorProfile,
    mentee: User,
    starts_at: datetime,
    join_url: str,
    now: datetime,
) -> History:
    """The rows a booking in `story.state` has by `now`, as the services would have written them
    along the way: booked (held while paying, if paid), then confirmed, then closed with an
    action item and perhaps reviewed, cancelled, reported as a no-show, or expired unpaid."""
    ends_at = starts_at + timedelta(minutes=offering.duration_minutes)
    created = min(starts_at - timedelta(days=story.created_lead_days), now - timedelta(days=1))
    hold = timedelta(minutes=settings.HOLD_MINUTES)
    booking = Booking(
        id=id,
        offering=offering,
        mentor=mentor,
        mentee=mentee,
        starts_at=starts_at,
        ends_at=ends_at,
        state=story.state,
        hold_expires_at=created + hold if story.state == State.EXPIRED else None,
        outcome=story.outcome,
        prework_answers=[
            {"prompt": p, "answer": a} for p, a in zip(offering.prework_prompts, story.answers, strict=False)
        ],
        context_notes=story.context_notes,
        price_amount=offering.price_amount,
        currency=offering.currency,
        join_url=join_url,
        created_at=created,
    )
    history = History(booking, [])

    def event(frm: str, to: str, at: datetime, actor: User | None, note: str = "") -> None:
        at = min(at, now - timedelta(minutes=1))
        history.events.append(
            BookingEvent(booking=booking, actor=actor, from_state=frm, to_state=to, note=note, at=at)
        )

    if story.state == State.EXPIRED:
        event("", State.HELD, created, mentee)
        event(State.HELD, State.EXPIRED, created + hold, None, "hold expired")
        return history
    if offering.price_amount:
        event("", State.HELD, created, mentee)
        event(State.HELD, State.CONFIRMED, created + timedelta(minutes=3), mentee, "payment received")
    else:
        event("", State.CONFIRMED, created, mentee)
    later = timedelta(hours=story.later_hours)
    if story.state == State.COMPLETED:
        closed = min(ends_at + later / 4, now - timedelta(minutes=30))
        event(State.CONFIRMED, State.COMPLETED, closed, mentor.user, "closed with an action item")
        due = ends_at.astimezone(mentee.zone).date() + timedelta(days=7 + int(story.later_hours) % 8)
        history.action_item = ActionItem(
            booking=booking,
            text=story.action_item,
            due_date=due,
            done_at=min(closed + later * 3, now - timedelta(minutes=5)) if story.action_done else None,
            created_at=min(closed, now - timedelta(minutes=1)),
        )
        if story.rating:
            reviewed = min(closed + later, now - timedelta(minutes=1))
            history.review = Review(
                booking=booking,
                rating=story.rating,
                text=story.review_text,
                mentor_reply=story.reply,
                replied_at=min(reviewed + later, now) if story.reply else None,
                is_hidden=story.review_hidden,
                created_at=reviewed,
            )
    elif story.state in (State.CANCELLED_BY_MENTEE, State.CANCELLED_BY_MENTOR):
        by = mentee if story.state == State.CANCELLED_BY_MENTEE else mentor.user
        event(
            State.CONFIRMED,
            story.state,
            max(starts_at - later, created + timedelta(minutes=10)),
            by,
            story.cancel_note,
        )
    elif story.state in (State.NO_SHOW_MENTEE, State.NO_SHOW_MENTOR):
        by = mentor.user if story.state == State.NO_SHOW_MENTEE else mentee
        event(State.CONFIRMED, story.state, starts_at + timedelta(minutes=15), by, "no-show reported")
    return history


def histories_write(histories: Sequence[History]) -> None:
    """Write the bookings with their events, action items and reviews, at the moments they
    happened."""
    rows_insert([h.booking for h in histories])
    rows_insert([event for h in histories for event in h.events])
    rows_insert([h.action_item for h in histories if h.action_item])
    rows_insert([h.review for h in histories if h.review])


def rows_insert(objs: Sequence[Model], *, batch_size: int = 500) -> None:
    """Insert new rows as they are. Unlike bulk_create, which stamps auto_now_add fields with the
    present, the timestamps given are kept: this is history written after the fact. COPY on
    PostgreSQL; no signals, no history rows."""
    if not objs:
        return
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]
    if connection.vendor == "postgresql":
        rows = ([f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] for obj in objs)
        copy_rows(model, [f.column for f in fields], rows)
        return
    for start in range(0, len(objs), batch_size):
        model._base_manager._insert(objs[start : start + batch_size], fields=fields, raw=True)


def copy_rows(model: type[Model], columns: list[str], rows: Iterable[Sequence]) -> int:
    """COPY rows (values in `columns` order, ready for the database) into the model's table
    (PostgreSQL only); returns how many."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    n = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n
