"""One real Celery worker on the real Redis broker: what the eager mode of the other tests hides."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from sessions import services
from sessions.models import Booking
from sessions.selectors import mentor_free_slots
from tests.factories import OfferingFactory, UserFactory
from tests.support import needs_redis

pytestmark = [
    needs_redis,
    pytest.mark.django_db(transaction=True),
]


def test_the_confirmation_email_is_sent_by_a_worker_after_commit(real_worker):
    offering = OfferingFactory(mentor__minimum_notice=0)
    mentee = UserFactory()
    now = timezone.now()
    start = mentor_free_slots(
        mentor=offering.mentor,
        duration=timedelta(minutes=30),
        start=now,
        end=now + timedelta(days=14),
    )[0]
    booking = services.booking_create(
        offering=offering,
        mentee=mentee,
        request=services.BookingRequest(starts_at=start, outcome="A plan", prework_answers=["a", "b"]),
    )
    assert booking.state == Booking.State.CONFIRMED
    deadline = timezone.now() + timedelta(seconds=20)
    while len(mail.outbox) < 2 and timezone.now() < deadline:
        import time

        time.sleep(0.1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentee.email, offering.mentor.user.email])
