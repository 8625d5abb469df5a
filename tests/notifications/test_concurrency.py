"""Dispatchers racing on PostgreSQL: threads with their own connections claim with skip_locked.

No row may be sent twice and none may be missed, including rows a killed worker left "sending".
"""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notification_send, notifications_claim_due, schedule_for_booking
from tests.factories import BookingFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
DISPATCHERS = 4
BOOKINGS = 30
State = Notification.State


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")


def test_dispatchers_running_at_once_send_every_due_row_exactly_once():
    now = timezone.now()
    for i in range(BOOKINGS):
        booking = BookingFactory(starts_at=now + timedelta(minutes=14, seconds=i))
        schedule_for_booking(booking, now=now - timedelta(hours=1))
    # One row a killed worker left "sending" long ago, one another worker is sending right now.
    stale, fresh = Notification.objects.filter(due_at__lte=now).order_by("pk")[:2]
    Notification.objects.filter(pk=stale.pk).update(
        state=State.SENDING, claimed_at=now - timedelta(minutes=30)
    )
    Notification.objects.filter(pk=fresh.pk).update(
        state=State.SENDING, claimed_at=now - timedelta(minutes=1)
    )
    due = 2 * BOOKINGS

    barrier = threading.Barrier(DISPATCHERS)
    claimed: list[list[int]] = [[] for _ in range(DISPATCHERS)]
    errors: list[BaseException] = []

    def dispatcher(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            while ids := notifications_claim_due(limit=5):
                claimed[index].extend(ids)
                for notification_id in ids:
                    notification_send(notification_id=notification_id)
        except BaseException as error:  # noqa: BLE001 - asserted on below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher, args=(i,)) for i in range(DISPATCHERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a dispatcher hung"
    assert errors == []

    every_claim = Counter(pk for ids in claimed for pk in ids)
    assert max(every_claim.values()) == 1, "a row was claimed by two dispatchers"
    assert len(every_claim) == due - 1  # all but the row still being sent elsewhere
    assert stale.pk in every_claim and fresh.pk not in every_claim
    assert sum(1 for ids in claimed if ids) > 1, "the dispatchers did not actually share the work"
    assert len(mail.outbox) == due - 1
    assert Counter((m.to[0], m.subject) for m in mail.outbox).most_common(1)[0][1] == 1
    states = Counter(Notification.objects.filter(due_at__lte=now).values_list("state", flat=True))
    assert states == {State.SENT: due - 1, State.SENDING: 1}
