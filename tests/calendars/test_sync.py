"""A mentor's calendar feed, read by the real sync service from a real local HTTP server, blocks
their slots everywhere the slot engine answers: the offering's times, and the booking re-check."""

import pytest
from django.core import mail
from django.db import connection as db
from django.utils import timezone

from calendars import services
from calendars.models import BusyInterval, CalendarConnection
from core.crypto import decrypt
from sessions.services import BookingError, BookingRequest, booking_create
from tests.calendars.feed_server import Route
from tests.calendars.helpers import a_weekday, berlin, feed, starts
from tests.factories import OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering():
    return OfferingFactory(duration_minutes=60)


def connect(offering, url, capture) -> CalendarConnection:
    with capture(execute=True):
        return services.connect_feed(mentor=offering.mentor, name="Work", url=url)


def test_an_event_in_the_feed_removes_its_slots_and_the_booking_refuses_them(
    feed_server, offering, django_capture_on_commit_callbacks
):
    day = a_weekday()
    assert "10:00" in starts(offering, day)
    feed_server.routes["/work.ics"] = Route(body=feed((berlin(day, 10), berlin(day, 11))), etag='"1"')

    connection = connect(offering, feed_server.url("/work.ics"), django_capture_on_commit_callbacks)

    connection.refresh_from_db()
    assert connection.last_synced_at is not None and connection.last_error == ""
    free = starts(offering, day)
    assert "10:00" not in free and "10:30" not in free and "09:30" not in free  # an hour long
    assert "11:00" in free and "09:00" in free
    mentee = UserFactory()
    request = BookingRequest(starts_at=berlin(day, 10), outcome="A decision", prework_answers=["a", "b"])
    with pytest.raises(BookingError):
        booking_create(offering=offering, mentee=mentee, request=request)


def test_an_unchanged_feed_is_not_read_again_and_keeps_its_busy_time(
    feed_server, offering, django_capture_on_commit_callbacks
):
    day = a_weekday()
    feed_server.routes["/work.ics"] = Route(body=feed((berlin(day, 10), berlin(day, 11))), etag='"1"')
    connection = connect(offering, feed_server.url("/work.ics"), django_capture_on_commit_callbacks)

    services.sync_connection(connection_id=connection.pk)

    assert feed_server.requests[-1][1].get("If-None-Match") == '"1"'
    assert BusyInterval.objects.filter(connection=connection).count() == 1
    assert "10:00" not in starts(offering, day)


def test_a_changed_feed_replaces_the_busy_time(feed_server, offering, django_capture_on_commit_callbacks):
    day = a_weekday()
    feed_server.routes["/work.ics"] = Route(body=feed((berlin(day, 10), berlin(day, 11))), etag='"1"')
    connection = connect(offering, feed_server.url("/work.ics"), django_capture_on_commit_callbacks)
    feed_server.routes["/work.ics"] = Route(body=feed((berlin(day, 14), berlin(day, 15))), etag='"2"')

    services.sync_connection(connection_id=connection.pk)

    free = starts(offering, day)
    assert "10:00" in free and "14:00" not in free


def test_three_failures_in_a_row_email_the_mentor_once_and_keep_the_last_busy_time(
    feed_server, offering, django_capture_on_commit_callbacks
):
    day = a_weekday()
    feed_server.routes["/work.ics"] = Route(body=feed((berlin(day, 10), berlin(day, 11))))
    connection = connect(offering, feed_server.url("/work.ics"), django_capture_on_commit_callbacks)
    del feed_server.routes["/work.ics"]  # the mentor reset the secret address: 404 from now on
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            services.sync_connection(connection_id=connection.pk)

    connection.refresh_from_db()
    assert connection.failures == 5
    assert connection.last_error.startswith("Nothing is published at this address")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [offering.mentor.user.email]
    assert "Nothing is published at this address" in mail.outbox[0].body
    assert "10:00" not in starts(offering, day)  # the time it last read stays blocked

    feed_server.routes["/work.ics"] = Route(body=feed())
    services.sync_connection(connection_id=connection.pk)
    connection.refresh_from_db()
    assert (connection.failures, connection.last_error) == (0, "")
    assert "10:00" in starts(offering, day)


def test_what_is_not_a_calendar_is_recorded_in_words(
    feed_server, offering, django_capture_on_commit_callbacks
):
    feed_server.routes["/login"] = Route(body=b"<html>Sign in</html>", content_type="text/html")
    connection = connect(offering, feed_server.url("/login"), django_capture_on_commit_callbacks)
    connection.refresh_from_db()
    assert connection.failures == 1
    assert "did not return a calendar" in connection.last_error


def test_disconnecting_frees_the_time(feed_server, offering, django_capture_on_commit_callbacks):
    day = a_weekday()
    feed_server.routes["/work.ics"] = Route(body=feed((berlin(day, 10), berlin(day, 11))))
    connection = connect(offering, feed_server.url("/work.ics"), django_capture_on_commit_callbacks)

    services.disconnect(connection=connection)

    assert "10:00" in starts(offering, day)
    assert not BusyInterval.objects.exists()


def test_due_connections_are_read_and_others_wait(feed_server, offering, django_capture_on_commit_callbacks):
    feed_server.routes["/work.ics"] = Route(body=feed())
    connection = connect(offering, feed_server.url("/work.ics"), django_capture_on_commit_callbacks)
    connection.refresh_from_db()
    assert connection.next_sync_at > timezone.now()
    assert services.sync_due() == 0
    assert services.sync_due(now=connection.next_sync_at) == 1


def test_the_address_is_stored_encrypted(feed_server, offering, django_capture_on_commit_callbacks):
    url = feed_server.url("/secret-0123456789abcdef/basic.ics")
    feed_server.routes["/secret-0123456789abcdef/basic.ics"] = Route(body=feed())
    connection = connect(offering, url, django_capture_on_commit_callbacks)
    with db.cursor() as cursor:
        cursor.execute("SELECT url FROM calendars_calendarconnection WHERE id = %s", [connection.pk])
        (stored,) = cursor.fetchone()
    assert "secret-0123456789abcdef" not in stored
    assert decrypt(stored) == url
    assert CalendarConnection.objects.get(pk=connection.pk).url == url


def test_an_event_over_a_confirmed_session_keeps_it_and_tells_the_mentor_once(
    client, feed_server, offering, django_capture_on_commit_callbacks
):
    day = a_weekday()
    mentee = UserFactory()
    request = BookingRequest(starts_at=berlin(day, 14), outcome="A decision", prework_answers=["a", "b"])
    booking = booking_create(offering=offering, mentee=mentee, request=request, notify=False)
    feed_server.routes["/work.ics"] = Route(body=feed((berlin(day, 14), berlin(day, 15))))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        connection = services.connect_feed(
            mentor=offering.mentor, name="Work", url=feed_server.url("/work.ics")
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.sync_connection(connection_id=connection.pk)  # read again: no second e-mail

    booking.refresh_from_db()
    assert booking.state == booking.State.CONFIRMED
    assert [m.subject for m in mail.outbox] == ["Your calendar shows you busy during a booked session"]
    assert mail.outbox[0].to == [offering.mentor.user.email]
    assert booking.get_absolute_url() in mail.outbox[0].body
    client.force_login(offering.mentor.user)
    page = client.get("/dashboard/").content.decode()
    assert "Your calendar shows you busy during a booked session" in page
    assert booking.get_absolute_url() in page

    feed_server.routes["/work.ics"] = Route(body=feed())  # the mentor moved the dentist
    services.sync_connection(connection_id=connection.pk)
    assert "Your calendar shows you busy" not in client.get("/dashboard/").content.decode()
