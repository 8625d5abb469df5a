"""The public pages read a fixed, small number of queries however much data sits behind them.

An anonymous visitor (no session row, no user row), so every query counted is the page's own.
On failure pytest-django lists the queries that ran.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cohorts.models import Cohort
from mentors.models import DateOverride
from sessions.models import Booking, Review
from subscriptions.models import Plan
from tests.cohorts.factories import CohortFactory
from tests.factories import (
    BookingFactory,
    LanguageFactory,
    MentorFactory,
    OfferingFactory,
    SkillFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
DIRECTORY_QUERIES = 6
# plans, session packs for sale, cohorts open for enrolment, the paid-question offer, upcoming group
# sessions: one query each
PROFILE_QUERIES = 10
SLOT_PARTIAL_QUERIES = 4  # the offering, its pack for sale, the slot engine's two


@pytest.fixture
def skills():
    return [SkillFactory(name=name) for name in ("Python", "Hiring", "Design", "Go", "Leadership")]


@pytest.fixture
def languages():
    return [LanguageFactory(code="en", name="English"), LanguageFactory(code="de", name="German")]


def approved_mentor(index: int, skills, languages, **fields):
    """A listed mentor: published offerings, skills, languages, a rating, free this week."""
    now = timezone.now()
    mentor = MentorFactory(
        headline=f"Python mentor number {index}",
        rating_average=Decimal("4.5"),
        rating_count=3,
        next_free_slot_at=now + timedelta(days=1, minutes=index),
        upcoming_slots=[(now + timedelta(days=1, hours=h)).isoformat() for h in range(6)],
        **fields,
    )
    mentor.skills.set(skills[index % 3 : index % 3 + 3])
    mentor.languages.set(languages)
    OfferingFactory(mentor=mentor, price_amount=4500 + 100 * index, duration_minutes=30)
    OfferingFactory(mentor=mentor, price_amount=9000, duration_minutes=60)
    OfferingFactory(mentor=mentor, price_amount=100, is_published=False)
    return mentor


DIRECTORY_FILTERS = [
    {},
    {"q": "python"},
    {"skill": "python"},
    {"min_price": "10", "max_price": "200"},
    {"available": "week"},
    {"sort": "price"},
    {"sort": "rating"},
    {"sort": "soonest"},
    {"duration": "60"},
    {"language": "de"},
    {"q": "mentor", "skill": "python", "sort": "price", "language": "de"},
    {"page": "2"},
]


@pytest.mark.parametrize("count", [1, 20, 100])
def test_the_directory_takes_a_fixed_number_of_queries_with_any_filters(
    client, django_assert_max_num_queries, skills, languages, count
):
    for index in range(count):
        approved_mentor(index, skills, languages)

    for params in DIRECTORY_FILTERS:
        with django_assert_max_num_queries(DIRECTORY_QUERIES, info=f"/mentors/?{params}"):
            response = client.get("/mentors/", params)

        assert response.status_code == 200
        listed = response.context["page"].object_list
        if params == {"page": "2"} and count <= 20:
            assert not listed and b"No more mentors match these filters." in response.content
            continue
        assert listed, f"the filters {params} match some of the mentors"
        if not params:
            assert len(listed) == min(count, 20)
            assert response.context["page"].total == (count if count <= 20 else None)
        assert b"Python mentor number" in response.content


@pytest.mark.parametrize("count", [1, 100])
def test_the_directorys_htmx_results_take_no_more_queries_than_the_full_page(
    client, django_assert_max_num_queries, skills, languages, count
):
    for index in range(count):
        approved_mentor(index, skills, languages)

    with django_assert_max_num_queries(DIRECTORY_QUERIES):
        response = client.get("/mentors/", {"q": "python"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert b"<html" not in response.content


def test_a_mentor_profile_takes_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, skills, languages
):
    mentor = approved_mentor(1, skills, languages)
    mentor.skills.set(skills)
    for minutes in (15, 45):
        OfferingFactory(mentor=mentor, duration_minutes=minutes, price_amount=2000)
    for credits in (1, 4):
        Plan.objects.create(
            mentor=mentor, name=f"{credits} a month", price_amount=5000 * credits, is_published=True
        )
    week_ago = timezone.now() - timedelta(days=7)
    for day in range(8):
        booking = BookingFactory(
            offering=mentor.offerings.filter(is_published=True).first(),
            starts_at=(week_ago - timedelta(days=day)).replace(microsecond=0),
            state=Booking.State.COMPLETED,
        )
        Review.objects.create(
            booking=booking,
            rating=4 + day % 2,
            text=f"Review {day}",
            mentor_reply="Thank you!" if day % 2 else "",
        )

    for n in range(2):
        CohortFactory(facilitator=mentor, slug=f"cohort-of-{n}", status=Cohort.Status.PUBLISHED)

    with django_assert_max_num_queries(PROFILE_QUERIES):
        response = client.get(f"/mentors/{mentor.slug}/")

    assert response.status_code == 200
    assert len(response.context["offerings"]) == 4
    assert len(response.context["reviews"]) == 5
    assert response.context["slots"]
    assert len(response.context["plans"]) == 2
    assert len(response.context["cohorts"]) == 2
    for skill in skills:
        assert skill.name.encode() in response.content


def a_weekday_next_week(zone: ZoneInfo) -> date:
    """A Monday-to-Thursday a week or more ahead in the viewer's zone, inside the horizon."""
    day = timezone.now().astimezone(zone).date() + timedelta(days=7)
    while day.weekday() > 3:
        day += timedelta(days=1)
    return day


@pytest.fixture
def busy_offering():
    """An offering whose mentor has many bookings (of several states) around the day shown."""
    mentor = MentorFactory(max_sessions_per_day=12, buffer_after=15)
    offering = OfferingFactory(mentor=mentor, duration_minutes=30)
    other = OfferingFactory(mentor=mentor, duration_minutes=60)
    mentee = UserFactory()
    day = a_weekday_next_week(NEW_YORK)
    DateOverride.objects.create(
        mentor=mentor,
        date=day,
        kind=DateOverride.Kind.EXTRA,
        start_time=time(18),
        end_time=time(20),
    )
    DateOverride.objects.create(mentor=mentor, date=day + timedelta(days=1), kind=DateOverride.Kind.OFF)
    states = [Booking.State.CONFIRMED, Booking.State.HELD, Booking.State.CANCELLED_BY_MENTEE]
    for offset in range(-3, 4):
        for n, hour in enumerate((9, 10, 11, 13, 14, 15)):
            BookingFactory(
                offering=offering if n % 2 else other,
                mentee=mentee,
                starts_at=datetime.combine(day + timedelta(days=offset), time(hour), tzinfo=BERLIN),
                state=states[n % 3],
                hold_expires_at=timezone.now() + timedelta(minutes=20),
            )
    return offering, day


@pytest.mark.parametrize("viewer_zone", ["America/New_York", "Europe/Berlin", ""])
def test_the_slot_partial_takes_a_fixed_number_of_queries_for_a_busy_mentor(
    client, django_assert_max_num_queries, busy_offering, viewer_zone
):
    offering, day = busy_offering
    if viewer_zone:
        client.cookies["tz"] = viewer_zone

    with django_assert_max_num_queries(SLOT_PARTIAL_QUERIES):
        response = client.get(
            f"/offerings/{offering.slug}/", {"day": day.isoformat()}, headers={"HX-Request": "true"}
        )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert response.context["day"] == day
    slots = response.context["slots"]
    assert slots, "the busy mentor still has free time that day"
    assert Booking.objects.filter(mentor=offering.mentor).count() == 42


def test_choosing_a_slot_in_the_partial_adds_no_queries(client, django_assert_max_num_queries, busy_offering):
    offering, day = busy_offering
    url = f"/offerings/{offering.slug}/"
    htmx = {"HX-Request": "true"}
    slot = client.get(url, {"day": day.isoformat()}, headers=htmx).context["slots"][0]

    with django_assert_max_num_queries(SLOT_PARTIAL_QUERIES):
        response = client.get(url, {"day": day.isoformat(), "slot": slot.isoformat()}, headers=htmx)

    assert response.status_code == 200
    assert response.context["chosen"] == slot
    assert b'name="outcome"' in response.content
