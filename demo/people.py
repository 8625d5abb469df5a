"""The demo's site, vocabulary and people: the four logins, 200 mentees, 40 mentors with their
hours and offerings, three applications, and the mentee login's match intake."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sites.models import Site
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from core import images
from core.avatars import illustrated_avatar
from core.models import ExchangeRate
from core.money import convert
from matching.models import Intake
from matching.services import recommendations_refresh
from mentors.models import DateOverride, Language, MentorProfile, Skill
from moderation.services import moderators_group_sync
from sessions.models import Offering

from .content import (
    APPLICANTS,
    EXCHANGE_RATES,
    LANGUAGES,
    LOCAL_CURRENCIES,
    LOGINS,
    MENTEE_INTAKE,
    PROMPTS,
    SKILL_BLURBS,
    SKILL_SYNONYMS,
    Persona,
    weekdays,
    window,
)
from .plan import (
    ADMIN_LOGIN,
    MENTEE_LOGIN,
    MODERATOR_LOGIN,
    PASSWORD,
    DemoPlan,
    MentorPlan,
    email_for,
)
from .world import MentorSpec, Person, mentors_ensure, offerings_ensure, users_ensure, vocabulary_ensure

# The demo's portraits: sharp on a 96-pixel avatar on a high-density screen, a few kB each.
AVATAR_SIDE = 256


def site() -> None:
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": "127.0.0.1:8000", "name": "TheMentors"}
    )
    Site.objects.clear_cache()


def vocabulary() -> tuple[dict[str, Skill], dict[str, Language]]:
    skills, languages = vocabulary_ensure(skills=SKILL_BLURBS, languages=LANGUAGES)
    for name, synonyms in SKILL_SYNONYMS.items():
        Skill.objects.filter(name=name).update(synonyms=", ".join(synonyms))
    return skills, languages


def exchange_rates(*, now: datetime) -> dict[str, Decimal]:
    """The demo's exchange rates, as a refresh from a source would leave them (dated today)."""
    for currency, rate in EXCHANGE_RATES.items():
        ExchangeRate.objects.update_or_create(
            currency=currency,
            defaults={"base": "USD", "rate": Decimal(rate), "as_of": now.date(), "source": "demo"},
        )
    return {"USD": Decimal(1), **{c: Decimal(r) for c, r in EXCHANGE_RATES.items()}}


def local_price(price: int, currency: str, rates: dict[str, Decimal]) -> int:
    """A dollar price in a mentor's own currency, rounded as a person would price it (to 5 of
    a currency with cents, to 500 yen or 100 rupees)."""
    step = {"JPY": 500, "INR": 10000}.get(currency, 500)
    converted = convert(price, "USD", currency, rates) or 0
    return max(step, round(converted / step) * step) if price else 0


def people(plan: DemoPlan) -> dict[str, User]:
    """Everyone, by e-mail. The logins get their name and password back on every run."""
    logins = [
        (ADMIN_LOGIN, LOGINS["admin"]),
        (MENTEE_LOGIN, LOGINS["mentee"]),
        (MODERATOR_LOGIN, LOGINS["moderator"]),
    ]
    password = make_password(PASSWORD)
    users = users_ensure(
        [Person(email, login["name"], login["zone"]) for email, login in logins]
        + [Person(*mentee) for mentee in plan.mentees]
        + [Person(p.email, p.persona.name, p.persona.zone) for p in plan.mentors]
        + [Person(email_for(a.name), a.name, a.zone) for a in APPLICANTS],
        password=password,
    )
    for email, login in logins:
        User.objects.filter(email=email).update(
            display_name=login["name"], timezone=login["zone"], password=password
        )
    User.objects.filter(email=ADMIN_LOGIN).update(is_staff=True, is_superuser=True)
    User.objects.filter(email=MODERATOR_LOGIN).update(is_staff=True)
    users[MODERATOR_LOGIN].groups.add(moderators_group_sync())
    for email, _ in logins:
        users[email].refresh_from_db()
    return users


def mentors(
    plan: DemoPlan, *, users: dict[str, User], skills: dict, languages: dict, now: datetime
) -> tuple[dict[str, MentorProfile], dict[str, Offering]]:
    """The approved mentors (by e-mail) with their hours, days off and extra hours, and their
    offerings (by slug), priced in the mentor's own currency outside the US."""
    rates = exchange_rates(now=now)

    def currency_of(mentor: MentorPlan) -> str:
        return "USD" if mentor.persona.login else LOCAL_CURRENCIES.get(mentor.persona.zone, "USD")

    specs = []
    for mentor in plan.mentors:
        today = now.astimezone(ZoneInfo(mentor.persona.zone)).date()
        overrides = [
            _override(mentor, today + timedelta(days=ahead), kind) for ahead, kind in mentor.overrides
        ]
        specs.append(
            _spec(mentor.persona, mentor.email, rules=mentor.rules, hours=mentor.pattern, overrides=overrides)
        )
    profiles = mentors_ensure(specs, users=users, skills=skills, languages=languages, now=now)
    faces(profiles)
    by_email = {spec.email: profile for spec, profile in zip(specs, profiles, strict=True)}
    offerings = offerings_ensure(
        [
            {
                "slug": spec["slug"],
                "mentor": by_email[mentor.email],
                "title": spec["template"].title,
                "outcome": spec["template"].outcome,
                "description": spec["template"].description,
                "duration_minutes": spec["duration_minutes"],
                "price_amount": local_price(spec["price_amount"], currency_of(mentor), rates),
                "currency": currency_of(mentor),
                "prework_prompts": [PROMPTS[key].text for key in spec["template"].prompts],
                "cancellation_window_hours": spec["cancellation_window_hours"],
                "is_published": spec["is_published"],
            }
            for mentor in plan.mentors
            for spec in mentor.offerings
        ]
    )
    return by_email, offerings


def faces(profiles: list[MentorProfile]) -> None:
    """Each mentor without a photo gets an illustrated portrait drawn from their name, stored as
    an uploaded photo is (checked and re-encoded, under mentors/)."""
    for profile in profiles:
        if profile.photo:
            continue
        drawn = SimpleUploadedFile("portrait.png", illustrated_avatar(profile.user.name, size=AVATAR_SIDE))
        stored = images.image_clean(drawn)
        profile.photo.save(stored.name, stored, save=False)
        MentorProfile.objects.filter(pk=profile.pk).update(photo=profile.photo.name)


def _override(mentor: MentorPlan, day: date, kind: str) -> tuple[date, str, time | None, time | None]:
    """Days off fall on working days, extra hours (10:00-13:00) on free ones."""
    while (day.weekday() in mentor.pattern) != (kind == DateOverride.Kind.OFF):
        day += timedelta(days=1)
    if kind == DateOverride.Kind.OFF:
        return day, kind, None, None
    return day, kind, time(10), time(13)


def applicants(*, users: dict[str, User], skills: dict, languages: dict, now: datetime) -> None:
    """Applications waiting for staff, or turned down."""
    specs = [_spec(a, email_for(a.name), status=a.status, review_reason=a.reason) for a in APPLICANTS]
    mentors_ensure(specs, users=users, skills=skills, languages=languages, now=now)


def _spec(persona: Persona, email: str, **given) -> MentorSpec:
    return MentorSpec(
        email=email,
        name=persona.name,
        headline=persona.headline,
        bio=persona.bio,
        years=persona.years,
        zone=persona.zone,
        skills=persona.skills,
        languages=persona.languages,
        **given,
    )


def match_intake(mentee: User) -> None:
    """The mentee login has filled in "Find my match", and has their ranking (as the worker
    would compute it once the intake is saved)."""
    hours_from, hours_to = window(MENTEE_INTAKE["hours"])
    intake, created = Intake.objects.get_or_create(
        user=mentee,
        defaults={
            "need": MENTEE_INTAKE["need"],
            "budget_amount": MENTEE_INTAKE["budget_amount"],
            "currency": MENTEE_INTAKE["currency"],
            "days": weekdays(MENTEE_INTAKE["days"]),
            "hours_from": hours_from,
            "hours_to": hours_to,
        },
    )
    if created:
        intake.skills.set(Skill.objects.filter(name__in=MENTEE_INTAKE["skills"]))
    recommendations_refresh(user_id=mentee.pk)  # after the intake was saved: not stale
