"""The booking page tells each person what will come by e-mail; staff see and re-send the
reminders themselves in the admin."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from notifications.selectors import booking_notifications
from notifications.services import schedule_for_booking
from tests.factories import UserFactory
from tests.notifications.helpers import Kind, berlin, book, dispatch_at, utc

pytestmark = pytest.mark.django_db
State = Notification.State


@pytest.fixture
def booking(berlin_mentor_offering, new_york_mentee):
    return book(
        berlin_mentor_offering,
        new_york_mentee,
        berlin(2026, 3, 30, 10),
        answers=("", ""),
        booked_at=utc(2026, 3, 20, 12),
    )


def page_for(client, user, booking, at) -> str:
    client.force_login(user)
    with time_machine.travel(at, tick=False):
        return client.get(booking.get_absolute_url()).content.decode()


def test_the_mentee_sees_what_comes_next_in_their_own_zone(client, booking):
    dispatch_at(utc(2026, 3, 28, 8))

    page = page_for(client, booking.mentee, booking, utc(2026, 3, 28, 9))

    assert "<h2>What happens next</h2>" in page
    # 03:45 in New York is 15 min before 10:00 in Berlin; the 48 h reminder went out already.
    assert "Mon 30 Mar, 03:45</time> We e-mail you a reminder with the join link" in page
    assert "Sun 29 Mar, 04:00</time> We e-mail you a last pre-work reminder" in page
    assert "a pre-work reminder, if it is not done by then" not in page
    assert "prep digest" not in page  # the mentor's
    assert "staff alert" not in page and "Pending" not in page


def test_the_mentor_sees_theirs_in_their_zone(client, booking):
    page = page_for(client, booking.mentor.user, booking, utc(2026, 3, 21))
    assert "Mon 30 Mar, 08:00</time> We e-mail you your prep digest" in page  # 06:00 UTC in Berlin
    assert "a nudge to close the session" in page
    assert "pre-work reminder" not in page


def test_staff_viewing_the_booking_page_do_not_get_the_list(client, booking):
    page = page_for(client, UserFactory(is_staff=True), booking, utc(2026, 3, 21))
    assert "<h2>What happens next</h2>" not in page


def test_the_reminders_cost_the_booking_page_one_query_however_many_there_are(
    client, booking, new_york_mentee
):
    def queries() -> int:
        client.force_login(booking.mentee)
        with time_machine.travel(utc(2026, 3, 21), tick=False), CaptureQueriesContext(connection) as ctx:
            assert client.get(booking.get_absolute_url()).status_code == 200
        return len(ctx)

    with_eight = queries()
    Notification.objects.filter(booking=booking).exclude(kind=Kind.STARTING_SOON_MENTEE).delete()
    assert queries() == with_eight

    with CaptureQueriesContext(connection) as ctx:
        assert len(list(booking_notifications(booking=booking))) == 1
    assert len(ctx) == 1


def test_staff_filter_and_search_the_outbox(admin_client, booking):
    url = reverse("admin:notifications_notification_changelist")

    by_kind = admin_client.get(url, {"kind": Kind.STARTING_SOON_MENTOR}).content.decode()
    assert by_kind.count('name="_selected_action"') == 1

    assert admin_client.get(url, {"state": State.SENT}).content.decode().count('name="_selected_action"') == 0
    by_email = admin_client.get(url, {"q": booking.mentee.email}).content.decode()
    assert by_email.count('name="_selected_action"') == 8
    by_booking = admin_client.get(url, {"q": str(booking.pk)}).content.decode()
    assert by_booking.count('name="_selected_action"') == 8
    assert (
        admin_client.get(url, {"q": "nobody@example.com"}).content.decode().count('name="_selected_action"')
        == 0
    )


def test_the_admin_shows_a_row_read_only(admin_client, booking):
    row = Notification.objects.filter(booking=booking).first()
    page = admin_client.get(
        reverse("admin:notifications_notification_change", args=[row.pk])
    ).content.decode()
    assert 'name="state"' not in page and 'name="due_at_0"' not in page
    assert admin_client.get(reverse("admin:notifications_notification_add")).status_code == 403


def test_send_again_puts_a_row_back_in_the_queue_due_now(admin_client, booking):
    dispatch_at(utc(2026, 3, 28, 8))
    sent = Notification.objects.get(booking=booking, kind=Kind.PREWORK_REMINDER_48H, state=State.SENT)

    with time_machine.travel(utc(2026, 3, 28, 12), tick=False):
        admin_client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "send_again", "_selected_action": [sent.pk]},
        )
    sent.refresh_from_db()
    assert (sent.state, sent.due_at, sent.attempts) == (State.PENDING, utc(2026, 3, 28, 12), 0)

    (again,) = dispatch_at(utc(2026, 3, 28, 12))
    assert again.to == [booking.mentee.email]


def test_scheduling_a_booking_that_is_not_confirmed_cancels_its_rows(booking):
    booking.state = booking.State.CANCELLED_BY_MENTOR
    assert schedule_for_booking(booking) == []
    assert set(Notification.objects.values_list("state", flat=True)) == {State.CANCELLED}


def test_no_pre_work_reminder_is_promised_while_the_pre_work_is_done(client, booking):
    booking.prework_answers = [{**a, "answer": "Done"} for a in booking.prework_answers]
    booking.save(update_fields=["prework_answers"])
    page = page_for(client, booking.mentee, booking, utc(2026, 3, 21))
    assert "We e-mail you a reminder with the join link" in page
    assert "pre-work reminder" not in page
