"""Writing in a thread: Markdown that cannot run script, htmx answers, and refusals that save nothing."""

import pytest

from qa.models import Message, Thread
from sessions.models import Booking
from tests.factories import BookingFactory
from tests.qa.helpers import subscribe, thread_url

pytestmark = pytest.mark.django_db


def test_markdown_is_rendered_with_links_and_without_script(client, cast, booking):
    client.force_login(cast.mentee)
    body = (
        "**Two offers**: see [the job ad](https://jobs.example.com/123) and https://example.com/offer.\n\n"
        "<script>alert('x')</script><img src=x onerror=\"alert('y')\">"
        '[click](javascript:alert(\'z\')) <a href="https://ok.example.com" onclick="steal()">ok</a>'
    )
    client.post(thread_url(booking), {"body": body})

    client.force_login(cast.mentor)
    page = client.get(thread_url(booking)).content.decode()

    assert "<strong>Two offers</strong>" in page
    assert '<a href="https://jobs.example.com/123" rel="nofollow noopener noreferrer">the job ad</a>' in page
    assert '<a href="https://example.com/offer" rel="nofollow noopener noreferrer">' in page
    assert '<a href="https://ok.example.com" rel="nofollow noopener noreferrer">ok</a>' in page
    for dangerous in ("<script>alert", "onerror", "javascript:", "onclick", "<img"):
        assert dangerous not in page


def test_an_htmx_post_answers_with_the_thread_and_an_empty_form(client, cast, booking):
    client.force_login(cast.mentee)

    response = client.post(thread_url(booking), {"body": "What should I prepare?"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith('<section id="qa-thread"')
    assert "What should I prepare?" in html
    assert '<textarea name="body"' in html and "What should I prepare?</textarea>" not in html


def test_htmx_polling_gets_only_the_messages(client, cast, booking):
    client.force_login(cast.mentee)
    client.post(thread_url(booking), {"body": "First question"})

    response = client.get(thread_url(booking), {"part": "messages"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="qa-messages"') and "First question" in html
    assert "<form" not in html


def test_a_normal_post_redirects_back_to_the_thread(client, cast, booking):
    client.force_login(cast.mentee)
    response = client.post(thread_url(booking), {"body": "Hello"}, follow=True)
    assert response.redirect_chain == [(thread_url(booking), 302)]
    assert "Message sent." in response.content.decode()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Write a message first."),
        ("   \n  ", "Write a message first."),
        ("x" * 4001, "Keep it to 4000 characters (this one has 4001)."),
        ("null \x00 byte", "Null characters are not allowed."),
    ],
)
def test_bad_input_is_answered_next_to_the_field_and_nothing_is_saved(client, cast, booking, body, error):
    client.force_login(cast.mentee)
    response = client.post(thread_url(booking), {"body": body}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert 'id="id_body_error"' in response.content.decode() and error in response.content.decode()
    assert not Message.objects.exists() and not Thread.objects.exists()


@pytest.mark.parametrize(
    ("state", "refusal"),
    [
        (Booking.State.CANCELLED_BY_MENTEE, "This booking was cancelled, so its messages are read-only."),
        (Booking.State.CANCELLED_BY_MENTOR, "This booking was cancelled, so its messages are read-only."),
        (Booking.State.HELD, "You can write here once the booking is paid and confirmed."),
        (Booking.State.EXPIRED, "This booking&#x27;s hold expired, so its thread is closed."),
    ],
)
def test_posting_to_a_closed_booking_is_refused_and_saves_nothing(client, cast, state, refusal):
    booking = BookingFactory(mentee=cast.mentee, state=state)
    client.force_login(cast.mentee)

    page = client.get(thread_url(booking)).content.decode()
    response = client.post(thread_url(booking), {"body": "Are we still on?"}, HTTP_HX_REQUEST="true")

    assert refusal in page and 'aria-label="Write a message"' not in page
    assert response.status_code == 400 and refusal in response.content.decode()
    assert not Message.objects.exists() and not Thread.objects.exists()


def test_a_cancelled_booking_keeps_its_messages_readable(client, cast, booking):
    client.force_login(cast.mentee)
    client.post(thread_url(booking), {"body": "See you Tuesday"})
    Booking.objects.filter(pk=booking.pk).update(state=Booking.State.CANCELLED_BY_MENTOR)

    client.force_login(cast.mentor)
    page = client.get(thread_url(booking)).content.decode()

    assert "See you Tuesday" in page
    assert "This booking was cancelled, so its messages are read-only." in page


@pytest.mark.parametrize("state", [Booking.State.COMPLETED, Booking.State.NO_SHOW_MENTEE])
def test_the_thread_stays_open_after_the_session(client, cast, state):
    booking = BookingFactory(mentee=cast.mentee, state=state)
    client.force_login(cast.mentee)
    assert client.post(thread_url(booking), {"body": "A follow-up question"}).status_code == 302
    assert Message.objects.get().body == "A follow-up question"


@pytest.mark.parametrize("status", ["active", "trialing", "past_due"])
def test_a_live_subscription_can_be_written_to(client, cast, booking, status):
    subscription = subscribe(mentor=booking.mentor, mentee=cast.mentee, status=status)
    client.force_login(cast.mentee)
    assert client.post(thread_url(subscription), {"body": "Quick question"}).status_code == 302
    assert Thread.objects.get().subscription == subscription


@pytest.mark.parametrize("status", ["canceled", "incomplete", "unpaid"])
def test_a_subscription_that_is_not_live_cannot_be_written_to(client, cast, booking, status):
    subscription = subscribe(mentor=booking.mentor, mentee=cast.mentee, status=status)
    client.force_login(cast.mentee)

    response = client.post(thread_url(subscription), {"body": "Quick question"})

    assert response.status_code == 400
    assert "This subscription is not active, so its messages are read-only." in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize("value", ["", "x" * 10000, "\x00", "<script>", "-1", "[]"])
def test_no_input_makes_a_server_error(client, cast, booking, value):
    subscription = subscribe(mentor=booking.mentor, mentee=cast.mentee)
    client.force_login(cast.mentee)
    for url in (thread_url(booking), thread_url(subscription)):
        for response in (
            client.post(url, {"body": value, "part": value}),
            client.post(url, {"body": value}, HTTP_HX_REQUEST="true"),
            client.get(url, {"part": value}, HTTP_HX_REQUEST="true"),
            client.get(url.replace("/messages/", f"/messages/{value}")),
        ):
            assert response.status_code < 500
