"""A booking POST costs a fixed, small number of queries, free or paid (issue 22: at most 15).

The count covers the whole request: the session and the user, the offering, the e-mail check, the
mentor's row lock (which also re-reads the offering and asks for expired holds), the slot re-check
under that lock, the booking, its history and event rows, its reminders, and its tasks in the
outbox. Inside the test's transaction the booking's own transaction is a savepoint (two counted
statements, where production's BEGIN and COMMIT are not counted); the outbox's one DELETE after
commit is not run here. A guard on behaviour, not a timing.
"""

import pytest
import time_machine
from django.urls import reverse

from notifications.models import Notification
from sessions.models import Booking
from tests.factories import OfferingFactory
from tests.sessions.helpers import NOW, form_data

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("price", "state"), [(0, Booking.State.CONFIRMED), (4500, Booking.State.HELD)], ids=["free", "paid"]
)
def test_a_booking_post_takes_at_most_15_queries(
    client, mentee, price, state, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    offering = OfferingFactory(price_amount=price, currency="USD")
    client.force_login(mentee)
    with django_capture_on_commit_callbacks(execute=False), django_assert_max_num_queries(MAX_QUERIES):
        response = client.post(reverse("sessions:book", args=[offering.slug]), form_data())
    assert response.status_code == 302
    booking = Booking.objects.get(mentee=mentee)
    assert booking.state == state
    if price == 0:  # confirmed at once: its reminders are planned in the same transaction
        assert Notification.objects.filter(booking=booking, state=Notification.State.PENDING).count() > 0
