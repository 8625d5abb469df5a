"""A confirmed session nobody closed or reported 24 h after its end goes to staff."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from sessions import services, tasks
from sessions.models import Booking, BookingEvent
from tests.factories import BookingFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 2, 8, 0, tzinfo=ZoneInfo("UTC"))
END = START + timedelta(minutes=30)


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, email="staff@example.com")


def ended(**extra):
    extra.setdefault("starts_at", START)
    extra.setdefault("ends_at", END)
    return BookingFactory(outcome="A plan", **extra)


def test_a_session_left_open_is_flagged_once_after_24_hours_and_staff_are_told(
    staff, django_capture_on_commit_callbacks
):
    booking = ended()
    assert services.bookings_flag_for_review(now=END + timedelta(hours=23, minutes=59)) == []

    with django_capture_on_commit_callbacks(execute=True):
        flagged = services.bookings_flag_for_review(now=END + timedelta(hours=24, minutes=1))
    assert [b.pk for b in flagged] == [booking.pk]
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED  # the mentor may still close it
    assert booking.review_flagged_at == END + timedelta(hours=24, minutes=1)
    assert (
        BookingEvent.objects.filter(booking=booking, note__startswith="flagged for staff review").count() == 1
    )
    [message] = mail.outbox
    assert message.to == ["staff@example.com"] and booking.offering.title in message.body
    assert reverse("admin:mentoring_booking_change", args=[booking.pk]) in message.body
    assert message.alternatives[0][1] == "text/html"

    # The next run (beat every 10 minutes) finds nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.bookings_flag_for_review(now=END + timedelta(hours=30)) == []
    assert len(mail.outbox) == 1


def test_closed_reported_or_cancelled_sessions_are_never_flagged(staff, django_capture_on_commit_callbacks):
    closed = ended(state=Booking.State.COMPLETED)
    no_show = ended(state=Booking.State.NO_SHOW_MENTEE)
    cancelled = ended(state=Booking.State.CANCELLED_BY_MENTOR)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.bookings_flag_for_review(now=END + timedelta(days=3)) == []
    assert not mail.outbox
    assert not Booking.objects.filter(
        pk__in=[closed.pk, no_show.pk, cancelled.pk], review_flagged_at__isnull=False
    )


def test_the_periodic_task_flags_and_both_sides_see_it_on_the_booking_page(client, staff, time_machine):
    booking = ended()
    time_machine.move_to(END + timedelta(hours=25), tick=False)
    assert tasks.flag_sessions_for_review() == 1
    for user in (booking.mentee, booking.mentor.user):
        client.force_login(user)
        page = client.get(booking.get_absolute_url())
        assert page.status_code == 200
        assert "our team is reviewing it" in page.content.decode()


def test_staff_find_the_open_flags_in_the_admin(admin_client, django_capture_on_commit_callbacks):
    flagged = ended()
    services.bookings_flag_for_review(now=END + timedelta(days=2))
    services.booking_close(
        booking=flagged,
        by=flagged.mentor.user,
        action_item="Send the answer",
        due_date=END.date() + timedelta(days=7),
        now=END + timedelta(days=2, hours=1),
    )
    still_open = ended(starts_at=START + timedelta(hours=2), ends_at=END + timedelta(hours=2))
    services.bookings_flag_for_review(now=END + timedelta(days=3))
    url = reverse("admin:mentoring_booking_changelist")
    needed = admin_client.get(url, {"review": "needed"}).context["cl"].result_list
    assert [b.pk for b in needed] == [still_open.pk]
    ever = admin_client.get(url, {"review": "flagged"}).context["cl"].result_list
    assert {b.pk for b in ever} == {flagged.pk, still_open.pk}
