"""Who may read and write a thread: its mentee and its mentor; staff read; everyone else gets a
404 (never a 403), so a thread's existence is not revealed."""

import uuid

import pytest

from qa.models import Message, Thread
from qa.services import message_post
from tests.qa.helpers import subscribe, thread_url

pytestmark = pytest.mark.django_db

SECRET = "Here is my salary: 123,456"


@pytest.fixture(params=["booking", "subscription"])
def subject(request, booking, cast):
    """Each thread kind, with one message from the mentee already in it."""
    subject = (
        booking if request.param == "booking" else subscribe(mentor=booking.mentor, mentee=booking.mentee)
    )
    thread = Thread(**{request.param: subject}, mentee=booking.mentee, mentor=booking.mentor)
    message_post(thread=thread, author=cast.mentee, body=SECRET)
    return subject


@pytest.mark.parametrize("who", ["mentee", "mentor", "staff"])
def test_participants_and_staff_read_the_thread(client, cast, subject, who):
    client.force_login(getattr(cast, who))
    response = client.get(thread_url(subject))
    assert response.status_code == 200
    assert SECRET in response.content.decode()


@pytest.mark.parametrize("who", ["other_mentee", "other_mentor"])
def test_anyone_else_signed_in_gets_a_404_for_reading_and_writing(client, cast, subject, who):
    client.force_login(getattr(cast, who))

    read = client.get(thread_url(subject))
    written = client.post(thread_url(subject), {"body": "Let me in"})
    polled = client.get(thread_url(subject), {"part": "messages"}, HTTP_HX_REQUEST="true")

    assert (read.status_code, written.status_code, polled.status_code) == (404, 404, 404)
    assert SECRET not in read.content.decode() + polled.content.decode()
    assert not Message.objects.filter(body="Let me in").exists()


def test_a_thread_that_does_not_exist_looks_the_same_as_one_that_is_not_yours(client, cast):
    client.force_login(cast.other_mentee)
    for url in (f"/bookings/{uuid.uuid4()}/messages/", f"/subscriptions/{uuid.uuid4()}/messages/"):
        assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_and_see_nothing(client, subject):
    read = client.get(thread_url(subject))
    written = client.post(thread_url(subject), {"body": "Hello?"})

    for response in (read, written):
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not Message.objects.filter(body="Hello?").exists()


@pytest.mark.parametrize("who", ["mentee", "mentor"])
def test_both_participants_can_write(client, cast, subject, who):
    client.force_login(getattr(cast, who))
    response = client.post(thread_url(subject), {"body": f"A note from the {who}"})
    assert response.status_code == 302
    assert f"A note from the {who}" in client.get(thread_url(subject)).content.decode()


def test_staff_read_but_cannot_write(client, cast, subject):
    client.force_login(cast.staff)

    page = client.get(thread_url(subject)).content.decode()
    response = client.post(thread_url(subject), {"body": "Staff here"})

    assert 'aria-label="Write a message"' not in page
    assert "Only the mentee and the mentor write here; staff can read." in page
    assert response.status_code == 400
    assert not Message.objects.filter(body="Staff here").exists()


def test_the_booking_page_loads_the_thread_for_its_participants(client, cast, booking):
    client.force_login(cast.mentor)
    page = client.get(booking.get_absolute_url()).content.decode()
    assert f'hx-get="/bookings/{booking.pk}/messages/"' in page and 'hx-trigger="load"' in page


def test_a_plan_without_qa_has_no_thread(client, cast, booking):
    subscription = subscribe(mentor=booking.mentor, mentee=booking.mentee, includes_qa=False)
    for who in ("mentee", "mentor"):
        client.force_login(getattr(cast, who))
        assert client.get(thread_url(subscription)).status_code == 404
        assert client.post(thread_url(subscription), {"body": "Hi"}).status_code == 404
    assert not Thread.objects.exists()


def test_a_thread_stays_readable_after_a_switch_to_a_plan_without_qa(client, cast, booking):
    subscription = subscribe(mentor=booking.mentor, mentee=booking.mentee)
    client.force_login(cast.mentee)
    client.post(thread_url(subscription), {"body": "Before the switch"})
    subscription.plan.includes_qa = False
    subscription.plan.save()

    page = client.get(thread_url(subscription)).content.decode()
    response = client.post(thread_url(subscription), {"body": "After the switch"})

    assert "Before the switch" in page
    assert "This subscription&#x27;s plan does not include Q&amp;A" in page
    assert response.status_code == 400
    assert not Message.objects.filter(body="After the switch").exists()
