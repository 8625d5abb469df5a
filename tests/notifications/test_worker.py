"""A real Celery worker on the real Redis broker delivers a batch of due reminders, each once."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import tasks
from notifications.models import Notification
from notifications.services import schedule_for_booking
from sessions.models import Booking
from tests.factories import BookingFactory
from tests.support import needs_redis, wait_for

pytestmark = [
    needs_redis,
    pytest.mark.django_db(transaction=True),
]
BOOKINGS = 6


def test_a_batch_of_due_reminders_is_delivered_by_the_worker_exactly_once(real_worker):
    now = timezone.now()
    for i in range(BOOKINGS):
        # Starting in 14 minutes, scheduled an hour ago: both "starting soon" e-mails are due.
        booking = BookingFactory(starts_at=now + timedelta(minutes=14, seconds=i), outcome="A plan")
        schedule_for_booking(booking, now=now - timedelta(hours=1))
    due = Notification.objects.filter(due_at__lte=now)
    assert due.count() == 2 * BOOKINGS

    # Beat fires, and fires again before the first run has finished: still one e-mail per row.
    tasks.dispatch_due.delay()
    tasks.dispatch_due.delay()

    # Watch the outbox, not the table: SQLite's in-memory test database is shared-cache, where a
    # read from this thread during the worker's write fails with "table is locked".
    assert wait_for(lambda: len(mail.outbox) >= 2 * BOOKINGS)
    tasks.dispatch_due.delay()
    time.sleep(2)  # time for any duplicate to show up
    assert len(mail.outbox) == 2 * BOOKINGS
    assert due.filter(state=Notification.State.SENT).count() == 2 * BOOKINGS
    expected = []
    for booking in Booking.objects.select_related("mentee", "mentor__user"):
        expected += [booking.mentee.email, booking.mentor.user.email]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(expected)
    assert (
        Notification.objects.filter(due_at__gt=now, state=Notification.State.PENDING).count() == 3 * BOOKINGS
    )
