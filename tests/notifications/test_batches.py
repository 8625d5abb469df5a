"""A claimed batch of reminders is sent as one task: each row still at most once, and a row
cancelled after its claim is not sent."""

import pytest
import time_machine
from django.core import mail

from notifications import tasks
from notifications.models import Notification
from notifications.services import notifications_claim_due
from sessions import services as booking_services
from tests.notifications.helpers import berlin, book, utc

pytestmark = pytest.mark.django_db
State = Notification.State


@pytest.fixture
def bookings(berlin_mentor_offering, new_york_mentee):
    """Two sessions on Monday 30 March 2026 in Berlin, booked ten days ahead."""
    booked_at = utc(2026, 3, 20, 12)
    return [
        book(berlin_mentor_offering, new_york_mentee, berlin(2026, 3, 30, hour), booked_at=booked_at)
        for hour in (10, 14)
    ]


def test_a_batch_sent_twice_sends_each_reminder_once(bookings):
    with time_machine.travel(utc(2026, 3, 30, 11, 45), tick=False):  # 15 minutes before the second
        claimed = notifications_claim_due()
        tasks.send_notifications.delay(claimed)
        tasks.send_notifications.delay(claimed)  # a duplicate task, or a second dispatcher
    sent = Notification.objects.filter(pk__in=claimed, state=State.SENT)
    assert sent.count() == len(mail.outbox) >= 3  # the first's close-out nudge, the second's "starting soon"s
    assert set(sent.values_list("attempts", flat=True)) == {1}
    assert not Notification.objects.filter(pk__in=claimed, state__in=[State.PENDING, State.SENDING]).exists()


def test_a_reminder_cancelled_after_its_claim_is_not_sent_and_the_rest_of_the_batch_is(bookings):
    first, second = bookings
    with time_machine.travel(utc(2026, 3, 30, 11, 45), tick=False):
        claimed = notifications_claim_due()
        booking_services.booking_cancel(booking=second, by=second.mentee)
        mail.outbox.clear()  # the cancellation e-mails
        tasks.send_notifications.delay(claimed)
    rows = Notification.objects.filter(pk__in=claimed)
    assert not rows.filter(booking=second, state=State.SENT).exists()
    assert rows.filter(booking=second, state=State.CANCELLED).exists()
    assert rows.filter(booking=first, state=State.SENT).exists()
    assert [m.subject for m in mail.outbox if "Starting in 15 minutes" in m.subject] == []


def test_the_mentee_and_the_mentor_get_the_same_calendar_file(bookings):
    first, _ = bookings
    with time_machine.travel(utc(2026, 3, 30, 7, 45), tick=False):  # 15 minutes before the first
        tasks.dispatch_due()
    soon = [m for m in mail.outbox if m.subject.startswith("Starting in 15 minutes")]
    assert sorted(m.to[0] for m in soon) == sorted([first.mentee.email, first.mentor.user.email])
    (mentee_ics,), (mentor_ics,) = ([a for a in m.attachments if a[0] == "session.ics"] for m in soon)
    assert mentee_ics == mentor_ics and f"booking-{first.pk}@thementors" in mentee_ics[1]
