"""demo/world.py, the world-building the demo seed and the benchmark's data set share: history
written after the fact keeps the moments it happened at, and building twice adds nothing."""

import uuid
from datetime import time, timedelta

import pytest
from django.utils import timezone

from demo import world
from mentors.models import DateOverride, MentorProfile, WeeklyRule
from sessions.models import ActionItem, Booking, BookingEvent, Review
from tests.factories import MentorFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db
State = Booking.State


def test_a_completed_paid_booking_is_written_with_its_trail_at_the_moments_it_happened():
    now = timezone.now()
    offering = OfferingFactory(price_amount=4500)
    mentee = UserFactory()
    starts_at = now - timedelta(days=10)
    story = world.Story(
        state=State.COMPLETED,
        answers=["Two offers", "Growth"],
        action_item="Ask for the equity terms in writing",
        action_done=True,
        rating=5,
        review_text="Clear and kind.",
        created_lead_days=4,
        later_hours=2,
    )
    history = world.booking_history(
        story,
        id=uuid.uuid4(),
        offering=offering,
        mentor=offering.mentor,
        mentee=mentee,
        starts_at=starts_at,
        join_url="https://meet.example.com/room",
        now=now,
    )
    world.histories_write([history])

    booking = Booking.objects.get()
    assert booking.state == State.COMPLETED and booking.created_at == starts_at - timedelta(days=4)
    assert booking.prework_answers == [
        {"prompt": "What are the options?", "answer": "Two offers"},
        {"prompt": "What matters most to you?", "answer": "Growth"},
    ]
    trail = list(booking.events.values_list("from_state", "to_state", "actor"))
    assert trail == [
        ("", State.HELD, mentee.pk),
        (State.HELD, State.CONFIRMED, mentee.pk),
        (State.CONFIRMED, State.COMPLETED, offering.mentor.user.pk),
    ]
    closed = booking.ends_at + timedelta(minutes=30)
    assert BookingEvent.objects.get(to_state=State.COMPLETED).at == closed
    item = ActionItem.objects.get(booking=booking)
    assert item.created_at == closed and item.done_at == closed + timedelta(hours=6)
    assert Review.objects.get(booking=booking).created_at == closed + timedelta(hours=2)


def test_building_the_same_mentors_twice_adds_nothing_and_keeps_their_hours():
    now = timezone.now()
    skills, languages = world.vocabulary_ensure(skills=["Hiring", "Python"], languages={"en": "English"})
    people = [world.Person("ana@example.com", "Ana Lopez", "Europe/Madrid")]
    spec = world.MentorSpec(
        email="ana@example.com",
        name="Ana Lopez",
        headline="Engineering manager",
        bio="I hire engineers.",
        years=9,
        zone="Europe/Madrid",
        skills=["Hiring", "Python"],
        languages=["en"],
        rules={"buffer_after": 10},
        hours={0: [(time(9), time(12))], 2: [(time(14), time(18))]},
        overrides=[(now.date() + timedelta(days=7), DateOverride.Kind.OFF, None, None)],
    )
    MentorFactory(slug="ana-lopez")  # another mentor has the slug her name gives

    for _ in range(2):
        users = world.users_ensure(people, password="!")
        (profile,) = world.mentors_ensure([spec], users=users, skills=skills, languages=languages, now=now)

    profile = MentorProfile.objects.get(user__email="ana@example.com")
    assert profile.slug == "ana-lopez-2" and profile.buffer_after == 10 and profile.is_approved
    assert sorted(profile.skills.values_list("name", flat=True)) == ["Hiring", "Python"]
    assert users["ana@example.com"].emailaddress_set.get().verified
    assert WeeklyRule.objects.filter(mentor=profile).count() == 2
    assert DateOverride.objects.filter(mentor=profile).count() == 1
