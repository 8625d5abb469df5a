"""/mentor/calendars/: connect, see the state in words, sync now, disconnect; only one's own."""

import pytest
from django.urls import reverse

from calendars.models import CalendarConnection
from tests.calendars.feed_server import Route
from tests.calendars.radicale_server import PASSWORD, USER
from tests.factories import MentorFactory, UserFactory

pytestmark = pytest.mark.django_db
PAGE = reverse("calendars:list")
FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def mentor(client):
    mentor = MentorFactory()
    client.force_login(mentor.user)
    return mentor


def test_a_mentor_connects_a_feed_and_sees_it_read(
    client, mentor, feed_server, django_capture_on_commit_callbacks
):
    feed_server.routes["/cal.ics"] = Route(body=FEED)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            PAGE,
            {"section": "feed", "feed-name": "Work (Google)", "feed-url": feed_server.url("/cal.ics")},
            follow=True,
        )
    page = response.content.decode()
    assert "Calendar connected" in page
    assert "Work (Google)" in page
    assert "Could not read it" not in page
    assert CalendarConnection.objects.get(mentor=mentor).last_synced_at is not None
    assert feed_server.url("/cal.ics") not in page  # the address is a secret, never shown again


@pytest.mark.parametrize(
    ("url", "words"),
    [("ftp://example.com/cal.ics", "https:// or webcal://"), ("", "This field is required")],
)
def test_a_bad_address_is_answered_next_to_the_field_and_saves_nothing(client, mentor, url, words):
    response = client.post(PAGE, {"section": "feed", "feed-name": "Work", "feed-url": url})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not CalendarConnection.objects.exists()


def test_a_feed_address_given_as_a_caldav_server_is_answered_next_to_the_field(client, mentor):
    body = {"section": "caldav", "caldav-name": "iCloud", "caldav-username": "me@example.com"}
    body |= {"caldav-password": "app-password", "caldav-url": "webcal://p01-calendars.icloud.com/x.ics"}

    response = client.post(PAGE, body)

    assert response.status_code == 400
    assert "Enter the CalDAV server&#x27;s https:// address." in response.content.decode()
    assert not CalendarConnection.objects.exists()


def test_a_failing_calendar_says_why_on_the_page(
    client, mentor, feed_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAGE, {"section": "feed", "feed-name": "Old", "feed-url": feed_server.url("/gone.ics")})
    page = client.get(PAGE).content.decode()
    assert "Could not read it" in page
    assert "Nothing is published at this address" in page


def test_sync_now_reads_the_calendar_again(client, mentor, feed_server, django_capture_on_commit_callbacks):
    feed_server.routes["/cal.ics"] = Route(body=FEED)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAGE, {"section": "feed", "feed-name": "Work", "feed-url": feed_server.url("/cal.ics")})
    connection = CalendarConnection.objects.get()
    before = len(feed_server.requests)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"section": "sync", "pk": connection.pk}, follow=True)
    assert len(feed_server.requests) == before + 1
    assert "Reading “Work” now" in response.content.decode()


def test_disconnect(client, mentor):
    connection = CalendarConnection.objects.create(
        mentor=mentor, name="Work", url="https://example.com/a.ics"
    )
    client.post(PAGE, {"section": "remove", "pk": connection.pk})
    assert not CalendarConnection.objects.exists()


def test_another_mentors_calendar_is_not_found(client, mentor):
    other = CalendarConnection.objects.create(
        mentor=MentorFactory(), name="Theirs", url="https://example.com/b.ics"
    )
    for section in ("sync", "remove"):
        assert client.post(PAGE, {"section": section, "pk": other.pk}).status_code == 404
    assert CalendarConnection.objects.filter(pk=other.pk).exists()
    assert "Theirs" not in client.get(PAGE).content.decode()


def test_only_mentors_have_the_page(client):
    client.force_login(UserFactory())
    assert client.get(PAGE).status_code == 404


def test_the_admin_shows_the_state_never_the_address(client):
    connection = CalendarConnection.objects.create(
        mentor=MentorFactory(), name="Work", url="https://calendar.example.com/secret-abc123/basic.ics"
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in (
        reverse("admin:calendars_calendarconnection_changelist"),
        reverse("admin:calendars_calendarconnection_change", args=[connection.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert "Work" in page.content.decode()
        assert "secret-abc123" not in page.content.decode()


def test_a_caldav_account_is_connected_and_its_calendars_chosen(client, mentor, radicale):
    work = radicale.make_calendar("Work")
    radicale.make_calendar("Family")
    body = {
        "section": "caldav",
        "caldav-name": "Fastmail",
        "caldav-url": radicale.url,
        "caldav-username": USER,
    }
    refused = client.post(PAGE, {**body, "caldav-password": "wrong"})
    assert refused.status_code == 400
    assert "refused the user name or app password" in refused.content.decode()
    assert not CalendarConnection.objects.exists()

    page = client.post(PAGE, {**body, "caldav-password": PASSWORD}, follow=True).content.decode()
    assert "Account connected" in page and "Family" in page and "Work" in page
    assert PASSWORD not in page
    connection = CalendarConnection.objects.get()
    client.post(
        PAGE, {"section": "choose", "pk": connection.pk, "busy": [str(work.url)], "write": str(work.url)}
    )
    connection.refresh_from_db()
    assert (connection.busy_calendars, connection.write_calendar) == ([str(work.url)], str(work.url))

    client.post(PAGE, {"section": "choose", "pk": connection.pk, "busy": ["https://elsewhere.example/x/"]})
    connection.refresh_from_db()
    assert connection.busy_calendars == [str(work.url)]  # a calendar not of this account is refused
