"""`manage.py seed_demo` builds the demo marketplace of SPEC §4 and is safe to run twice."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from mentors.models import DateOverride, Language, MentorProfile, Skill, WeeklyRule
from notifications.models import Notification
from sessions.models import ActionItem, Booking, BookingEvent, Offering, Review

pytestmark = pytest.mark.django_db

LOGINS = (
    "mentee@demo.thementors.test",
    "mentor@demo.thementors.test",
    "admin@demo.thementors.test",
)
MODELS = (
    User,
    EmailAddress,
    Skill,
    Language,
    MentorProfile,
    WeeklyRule,
    DateOverride,
    Offering,
    Booking,
    BookingEvent,
    ActionItem,
    Review,
    Notification,
)


def population() -> dict:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    for state in Booking.State.values:
        counts[state] = Booking.objects.filter(state=state).count()
    counts["approved"] = MentorProfile.objects.filter(status=MentorProfile.Status.APPROVED).count()
    return counts


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_builds_the_demo_marketplace_and_can_run_twice(client, django_capture_on_commit_callbacks):
    # Seeding takes seconds, so one test seeds (twice) and checks everything.
    with django_capture_on_commit_callbacks(execute=True):
        output = seed()
        first = population()
        seed()
    assert population() == first
    assert mail.outbox == []  # the demo books without confirmation e-mails
    assert "demo-pass-123" in output
    for login in LOGINS:
        assert login in output

    check_the_marketplace()
    check_no_mentor_has_overlapping_active_bookings()
    check_the_demo_logins(client)
    check_the_directory(client)


def check_the_marketplace():
    approved = MentorProfile.objects.filter(status=MentorProfile.Status.APPROVED)
    assert approved.count() >= 40
    assert approved.values("timezone").distinct().count() >= 8
    assert MentorProfile.objects.filter(status=MentorProfile.Status.PENDING).count() == 2
    assert MentorProfile.objects.filter(status=MentorProfile.Status.REJECTED).count() == 1
    assert User.objects.filter(mentor__isnull=True, is_staff=False).count() >= 200
    assert not User.objects.exclude(emailaddress__verified=True).exists()
    for state in Booking.State.values:
        assert Booking.objects.filter(state=state).exists(), state

    for mentor in approved.prefetch_related("skills", "languages", "weekly_rules", "offerings"):
        assert mentor.headline and mentor.bio
        assert 2 <= len(mentor.skills.all()) <= 4
        assert 1 <= len(mentor.languages.all()) <= 2
        assert mentor.weekly_rules.all()
        assert 1 <= len([o for o in mentor.offerings.all() if o.is_published]) <= 3
        assert mentor.user.emailaddress_set.filter(verified=True).exists()
    assert Offering.objects.filter(is_published=True, price_amount=0).exists()
    assert {15, 30, 45, 60} >= set(Offering.objects.values_list("duration_minutes", flat=True))

    # Every booking has its creation and, if it moved on, its final transition.
    for booking in Booking.objects.prefetch_related("events"):
        events = list(booking.events.all())
        assert events and events[0].from_state == ""
        assert events[-1].to_state == booking.state
    now = timezone.now()
    assert not Booking.objects.filter(state=Booking.State.HELD, hold_expires_at__lte=now).exists()
    assert not Booking.objects.filter(state=Booking.State.COMPLETED, ends_at__gt=now).exists()
    assert ActionItem.objects.count() == Booking.objects.filter(state=Booking.State.COMPLETED).count()
    assert ActionItem.objects.filter(done_at__isnull=False).exists()
    ratings = list(Review.objects.values_list("rating", flat=True))
    assert ratings and sum(r >= 4 for r in ratings) > len(ratings) / 2 and 3 in ratings
    assert MentorProfile.objects.filter(rating_count__gt=0, next_free_slot_at__isnull=False).exists()
    assert Site.objects.get_current().domain == "127.0.0.1:8000"


def check_no_mentor_has_overlapping_active_bookings():
    active = Booking.objects.filter(state__in=Booking.ACTIVE_STATES).order_by("mentor_id", "starts_at")
    previous = None
    for booking in active:
        if previous and previous.mentor_id == booking.mentor_id:
            assert previous.ends_at <= booking.starts_at, (previous.pk, booking.pk)
        previous = booking
    assert Booking.objects.filter(state=Booking.State.CONFIRMED, starts_at__gt=timezone.now()).count() >= 20


def check_the_demo_logins(client):
    for login in LOGINS:
        assert authenticate(email=login, password="demo-pass-123") is not None, login
    admin = User.objects.get(email=LOGINS[2])
    assert admin.is_staff and admin.is_superuser

    now = timezone.now()
    mentee = User.objects.get(email=LOGINS[0])
    mine = Booking.objects.filter(mentee=mentee)
    assert mine.filter(state=Booking.State.CONFIRMED, starts_at__gt=now).exists()
    assert mine.filter(state=Booking.State.COMPLETED, action_item__done_at__isnull=True).exists()
    assert mine.filter(state=Booking.State.COMPLETED, review__isnull=True).exists()

    mentor = MentorProfile.objects.get(user__email=LOGINS[1])
    assert mentor.is_approved and mentor.weekly_rules.exists() and mentor.offerings.filter(is_published=True)
    upcoming = mentor.bookings.filter(state=Booking.State.CONFIRMED, starts_at__gt=now)
    assert upcoming.count() >= 2 and all(b.prework_answers for b in upcoming)

    # Booked without e-mails, but with their reminders scheduled, as the booking page shows.
    all_upcoming = Booking.objects.filter(state=Booking.State.CONFIRMED, starts_at__gt=now)
    assert not all_upcoming.exclude(notifications__state=Notification.State.PENDING).exists()
    booking = mine.filter(state=Booking.State.CONFIRMED, starts_at__gt=now).first()
    client.force_login(mentee)
    reminders = client.get(booking.get_absolute_url()).context["reminders"]
    assert {Notification.Kind.CLOSEOUT_NUDGE_2H, Notification.Kind.STARTING_SOON_MENTEE} <= {
        r.kind for r in reminders
    }
    assert all(r.state == Notification.State.PENDING for r in reminders)
    assert mentor.bookings.filter(state=Booking.State.CONFIRMED, ends_at__lte=now).count() == 1

    for login in LOGINS[:2]:
        client.force_login(User.objects.get(email=login))
        assert client.get("/dashboard/").status_code == 200
    client.logout()


def check_the_directory(client):
    response = client.get("/mentors/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count >= 40
    mentor = MentorProfile.objects.get(user__email=LOGINS[1])
    assert mentor.user.name in client.get("/mentors/?q=Lena").content.decode()
    profile = client.get(mentor.get_absolute_url())
    assert profile.status_code == 200
    assert mentor.headline in profile.content.decode()
