"""A person can download everything TheMentors holds about them and delete their account;
the records of sessions and payments stay, no longer linked to a name."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils import timezone

from accounts.models import KnownDevice, User
from api.models import ApiToken
from api.services import api_token_create
from calendars.models import BusyInterval, CalendarConnection
from embed.models import Widget
from moderation.models import AuditEntry
from qa.models import Message
from qa.services import message_post, thread_for_booking
from sessions.models import Booking, Review
from tests.factories import BookingFactory, UserFactory
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def past_session():
    """A completed, paid session two weeks ago, reviewed, with a message from each side."""
    booking = BookingFactory(
        state=Booking.State.COMPLETED,
        starts_at=timezone.now() - timedelta(days=14),
        outcome="Decide between Acme and Initech",
        context_notes="My manager is leaving in March",
        offering__price_amount=4500,
    )
    Review.objects.create(booking=booking, rating=5, text="Clear and kind")
    thread = thread_for_booking(booking=booking)
    message_post(thread=thread, author=booking.mentee, body="Thanks, I chose Acme")
    message_post(thread=thread, author=booking.mentor.user, body="My private answer to you")
    return booking


def test_a_person_downloads_their_own_data_and_nobody_elses(client, past_session):
    mentee = past_session.mentee
    client.force_login(mentee)
    response = client.get(reverse("accounts:data_export"))

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="thementors-data-')
    data = json.loads(response.content)
    assert data["account"]["email"] == mentee.email
    assert len(data["account"]["browsers_signed_in_from"]) == 1  # this one, signed in above
    [booked] = data["sessions_booked"]
    assert (booked["outcome"], booked["context_notes"], booked["price_amount"]) == (
        "Decide between Acme and Initech",
        "My manager is leaving in March",
        4500,
    )
    assert [r["text"] for r in data["reviews_written"]] == ["Clear and kind"]
    assert [m["body"] for m in data["messages_written"]] == ["Thanks, I chose Acme"]
    assert "My private answer to you" not in response.content.decode()

    client.force_login(past_session.mentor.user)
    mentor_data = json.loads(client.get(reverse("accounts:data_export")).content)
    [given] = mentor_data["sessions_given"]
    assert given["mentee_name"] == mentee.display_name and "outcome" not in given
    assert "My manager is leaving" not in json.dumps(mentor_data)


def test_the_download_is_for_the_signed_in_person_only(client):
    url = reverse("accounts:data_export")
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.post(url).status_code == 405


def reauthenticate(client, password=PASSWORD):
    return client.post(reverse("account_reauthenticate"), {"password": password})


def test_deleting_needs_the_password_and_erases_the_person_but_keeps_the_records(
    client, past_session, django_capture_on_commit_callbacks, mailoutbox
):
    mentee = past_session.mentee
    old_email = mentee.email
    client.force_login(mentee)
    url = reverse("accounts:delete")
    assert "cannot be undone" in client.get(url).content.decode()

    asked = client.post(url, {"confirm": "on"})  # allauth's reauthentication comes first
    assert asked.status_code == 302 and asked.url.startswith(reverse("account_reauthenticate"))
    wrong = reauthenticate(client, "not it")
    assert wrong.status_code == 200 and "incorrect" in wrong.content.decode().lower()
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert User.objects.get(pk=mentee.pk).is_active

    reauthenticate(client)
    unticked = client.post(url, {})
    assert unticked.status_code == 400 and "Tick the box" in unticked.content.decode()
    assert User.objects.get(pk=mentee.pk).is_active

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "on"})

    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("accounts:settings")).status_code == 302  # signed out
    gone = User.objects.get(pk=mentee.pk)
    assert (gone.email, gone.display_name, gone.is_active) == (
        f"deleted-{mentee.pk}@deleted.invalid",
        "Deleted user",
        False,
    )
    assert authenticate(email=old_email, password=PASSWORD) is None
    assert not EmailAddress.objects.filter(user=gone).exists()
    assert not KnownDevice.objects.filter(user=gone).exists()  # browsers and addresses forgotten too
    booking = Booking.objects.get(pk=past_session.pk)
    assert (booking.state, booking.price_amount, booking.mentee_id) == (
        Booking.State.COMPLETED,
        4500,
        mentee.pk,
    )
    assert "Acme" not in booking.outcome and booking.context_notes == "" and booking.prework_answers == []
    assert Review.objects.get(booking=booking).text == ""
    bodies = set(Message.objects.values_list("body", flat=True))
    assert "Thanks, I chose Acme" not in bodies and "My private answer to you" in bodies
    assert AuditEntry.objects.filter(action="account.delete").exists()
    assert [m.to for m in mailoutbox] == [[old_email]]


def test_an_account_with_an_upcoming_session_is_not_deleted_yet(client):
    booking = BookingFactory(starts_at=timezone.now() + timedelta(days=2))
    client.force_login(booking.mentee)
    page = client.get(reverse("accounts:delete")).content.decode()
    assert "1 upcoming session you booked: cancel it first" in page

    reauthenticate(client)
    response = client.post(reverse("accounts:delete"), {"confirm": "on"})

    assert "Before you can delete your account" in response.content.decode()
    assert User.objects.get(pk=booking.mentee_id).is_active
    client.force_login(booking.mentor.user)
    assert "1 upcoming session you give" in client.get(reverse("accounts:delete")).content.decode()


def test_a_mentor_who_deletes_their_account_leaves_the_directory(client, past_session):
    mentor = past_session.mentor
    profile_url = mentor.get_absolute_url()
    assert client.get(profile_url).status_code == 200
    client.force_login(mentor.user)
    reauthenticate(client)

    client.post(reverse("accounts:delete"), {"confirm": "on"})

    client.logout()
    assert client.get(profile_url).status_code == 404
    assert not past_session.offering.__class__.objects.filter(mentor=mentor, is_published=True).exists()


def test_a_mentors_connections_tokens_and_widget_are_in_the_download_and_go_with_the_account(
    client, past_session
):
    mentor = past_session.mentor
    feed = CalendarConnection.objects.create(
        mentor=mentor, name="Work", url="https://calendar.example.com/private-5f2a/basic.ics"
    )
    now = timezone.now()
    BusyInterval.objects.create(
        connection=feed, mentor=mentor, starts_at=now, ends_at=now + timedelta(hours=1)
    )
    WebhookEndpoint.objects.create(
        mentor=mentor, url="https://hooks.example.com/in", events=["booking.created"], secret="whsec_kept"
    )
    Widget.objects.create(mentor=mentor, allowed_origins=["https://ada.example.com"])
    api_token_create(user=mentor.user, name="Zapier", scope="read")
    client.force_login(mentor.user)

    page = client.get(reverse("accounts:data_export")).content.decode()

    data = json.loads(page)
    assert [c["name"] for c in data["calendars_connected"]] == ["Work"]
    assert [e["url"] for e in data["webhook_endpoints"]] == ["https://hooks.example.com/in"]
    assert data["booking_widget"]["allowed_origins"] == ["https://ada.example.com"]
    assert [t["name"] for t in data["api_tokens"]] == ["Zapier"]
    assert "private-5f2a" not in page and "whsec_kept" not in page  # credentials stay out

    reauthenticate(client)
    assert client.post(reverse("accounts:delete"), {"confirm": "on"}).status_code == 302

    for model in (CalendarConnection, BusyInterval, WebhookEndpoint, Widget):
        assert not model.objects.filter(mentor=mentor).exists(), model
    assert not ApiToken.objects.filter(user=mentor.user).exists()


def test_the_service_refuses_while_a_seat_or_subscription_is_open():
    from dashboard.privacy import AccountError, account_delete

    booking = BookingFactory(starts_at=timezone.now() + timedelta(hours=3))
    with pytest.raises(AccountError, match="1 upcoming session you booked"):
        account_delete(user=booking.mentee)
    assert User.objects.get(pk=booking.mentee_id).email == booking.mentee.email
