"""Google Calendar over OAuth, against Google's API at the HTTP boundary (tests/calendars/fake_google.py):
the grant, free/busy of the chosen calendars, token refresh, a revoked grant, sessions written."""

import json
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection as db
from django.urls import reverse

from calendars import services
from calendars.google import REVOKED
from calendars.models import CalendarConnection
from sessions.services import BookingRequest, booking_cancel, booking_create, booking_reschedule
from tests.calendars.fake_google import FAMILY, PRIMARY
from tests.calendars.helpers import a_weekday, berlin, starts
from tests.factories import OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db
PAGE = reverse("calendars:list")


@pytest.fixture
def offering():
    return OfferingFactory(duration_minutes=60)


def grant(client, mentor_user, capture, reconnect=None) -> CalendarConnection:
    """The mentor's round trip: to Google's consent page and back with a code."""
    client.force_login(mentor_user)
    start = reverse("calendars:google") + (f"?reconnect={reconnect}" if reconnect else "")
    to_google = client.get(start)
    assert to_google.status_code == 302
    query = parse_qs(urlsplit(to_google["Location"]).query)
    assert query["access_type"] == ["offline"] and "calendar.freebusy" in query["scope"][0]
    with capture(execute=True):
        back = client.get(
            reverse("calendars:google_done"), {"code": "4/good-code", "state": query["state"][0]}, follow=True
        )
    assert "Google Calendar connected" in back.content.decode()
    return CalendarConnection.objects.get(kind="google")


def test_connecting_lists_the_calendars_and_reads_the_primarys_busy_time(
    client, offering, fake_google, django_capture_on_commit_callbacks
):
    day = a_weekday()
    fake_google.busy[PRIMARY] = [(berlin(day, 10).isoformat(), berlin(day, 11).isoformat())]
    fake_google.busy[FAMILY] = [(berlin(day, 14).isoformat(), berlin(day, 15).isoformat())]

    connection = grant(client, offering.mentor.user, django_capture_on_commit_callbacks)

    assert [c["name"] for c in connection.calendars] == [PRIMARY, "Family"]  # the primary first
    assert connection.busy_calendars == [PRIMARY]
    with db.cursor() as cursor:
        cursor.execute("SELECT tokens FROM calendars_calendarconnection")
        assert "1//refresh-abc" not in cursor.fetchone()[0]  # the tokens are stored encrypted
    free = starts(offering, day)
    assert "10:00" not in free and "14:00" in free

    with django_capture_on_commit_callbacks(execute=True):
        services.choose_calendars(connection=connection, busy=[PRIMARY, FAMILY], write="")
    assert "14:00" not in starts(offering, day)


def test_a_sign_in_not_started_here_connects_nothing(client, offering, fake_google):
    client.force_login(offering.mentor.user)
    page = client.get(
        reverse("calendars:google_done"), {"code": "4/good-code", "state": "forged"}, follow=True
    )
    assert "was not started here" in page.content.decode()
    assert not CalendarConnection.objects.exists()


def test_a_declined_grant_says_so(client, offering, fake_google):
    client.force_login(offering.mentor.user)
    state = parse_qs(urlsplit(client.get(reverse("calendars:google"))["Location"]).query)["state"][0]
    page = client.get(
        reverse("calendars:google_done"), {"error": "access_denied", "state": state}, follow=True
    )
    assert "access was not granted" in page.content.decode()
    assert not CalendarConnection.objects.exists()


def test_an_expired_access_token_is_refreshed_and_kept(
    client, offering, fake_google, django_capture_on_commit_callbacks
):
    connection = grant(client, offering.mentor.user, django_capture_on_commit_callbacks)
    tokens = json.loads(connection.tokens)
    connection.tokens = json.dumps({**tokens, "expires_at": 0})
    connection.save()

    services.sync_connection(connection_id=connection.pk)

    connection.refresh_from_db()
    assert fake_google.refreshes == 1
    assert json.loads(connection.tokens)["access_token"] == "ya29.refreshed-1"
    assert connection.last_error == ""


def test_a_revoked_grant_asks_the_mentor_to_reconnect(
    client, offering, fake_google, django_capture_on_commit_callbacks
):
    connection = grant(client, offering.mentor.user, django_capture_on_commit_callbacks)
    fake_google.revoked = True
    fake_google.access_token = "ya29.no-longer"  # the old token is refused: a refresh is needed

    services.sync_connection(connection_id=connection.pk)

    connection.refresh_from_db()
    assert connection.needs_reconnect and connection.last_error == REVOKED
    page = client.get(PAGE).content.decode()
    assert "Reconnect Google Calendar" in page

    fake_google.revoked = False
    grant(client, offering.mentor.user, django_capture_on_commit_callbacks, reconnect=connection.pk)
    connection.refresh_from_db()
    assert not connection.needs_reconnect and connection.last_error == ""
    assert CalendarConnection.objects.count() == 1


def test_sessions_are_written_as_transparent_events_moved_and_removed(
    client, offering, fake_google, django_capture_on_commit_callbacks
):
    day = a_weekday()
    connection = grant(client, offering.mentor.user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.choose_calendars(connection=connection, busy=[PRIMARY], write=PRIMARY)
    mentee = UserFactory(display_name="Ada Lovelace")
    request = BookingRequest(starts_at=berlin(day, 10), outcome="Pick one offer", prework_answers=["a", "b"])

    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(offering=offering, mentee=mentee, request=request)
    [((calendar_id, _), event)] = fake_google.events.items()
    assert calendar_id == PRIMARY
    assert event["iCalUID"] == f"booking-{booking.pk}@thementors"
    assert event["transparency"] == "transparent"  # so Google's free/busy never reads it back
    assert "Ada Lovelace" in event["summary"] and "Pick one offer" in event["description"]
    assert datetime.fromisoformat(event["start"]["dateTime"]) == berlin(day, 10)

    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_reschedule(booking=booking, by=mentee, starts_at=berlin(day, 14))
    [event] = fake_google.events.values()
    assert datetime.fromisoformat(event["start"]["dateTime"]) == berlin(day, 14)

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, by=mentee)
    assert fake_google.events == {}


def test_without_google_keys_google_is_not_offered(client, offering, settings):
    settings.GOOGLE_CLIENT_ID = ""
    client.force_login(offering.mentor.user)
    assert "Connect Google Calendar" not in client.get(PAGE).content.decode()
    assert client.get(reverse("calendars:google")).status_code == 404
