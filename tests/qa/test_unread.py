"""Unread counts on the dashboard, and reading a thread marks it read."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from qa.selectors import inbox_for
from tests.factories import BookingFactory
from tests.qa.helpers import subscribe, thread_url

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def post(client, user, subject, body, at):
    client.force_login(user)
    with time_machine.travel(at, tick=False):
        assert client.post(thread_url(subject), {"body": body}).status_code == 302


def inbox(client, user) -> str:
    client.force_login(user)
    page = client.get("/dashboard/").content.decode()
    match = re.search(r'<section aria-labelledby="qa-inbox">.*?</section>', page, re.S)
    return re.sub(r"\s+", " ", match.group(0)) if match else ""


def test_the_dashboard_counts_what_each_side_has_not_read(client, cast, booking):
    subscription = subscribe(mentor=booking.mentor, mentee=cast.mentee)
    post(client, cast.mentee, booking, "Question one", T0)
    post(client, cast.mentee, booking, "Question two", T0 + timedelta(minutes=1))
    post(client, cast.mentee, subscription, "Plan question", T0 + timedelta(minutes=2))

    mentor_inbox = inbox(client, cast.mentor)
    assert "3 unread" in mentor_inbox
    assert "Session: Should I take this job offer?</a> with Maya Mentee" in mentor_inbox
    assert "<strong>2 unread</strong>" in mentor_inbox and "<strong>1 unread</strong>" in mentor_inbox
    # The mentee wrote all of it: nothing is unread for them, but the threads are listed.
    mentee_inbox = inbox(client, cast.mentee)
    assert "unread" not in mentee_inbox and "with Omar Mentor" in mentee_inbox


def test_reading_a_thread_clears_its_count_and_a_new_message_brings_it_back(client, cast, booking):
    post(client, cast.mentee, booking, "Question one", T0)
    post(client, cast.mentee, booking, "Question two", T0 + timedelta(minutes=1))

    client.force_login(cast.mentor)
    first_visit = client.get(thread_url(booking)).content.decode()
    assert first_visit.count(">New</span>") == 2
    assert "unread" not in inbox(client, cast.mentor)
    assert client.get(thread_url(booking)).content.decode().count(">New</span>") == 0

    post(client, cast.mentee, booking, "Question three", T0 + timedelta(minutes=5))
    assert "<strong>1 unread</strong>" in inbox(client, cast.mentor)


def test_an_htmx_load_on_the_booking_page_marks_it_read_too(client, cast, booking):
    post(client, cast.mentee, booking, "Question", T0)
    client.force_login(cast.mentor)
    client.get(thread_url(booking), HTTP_HX_REQUEST="true")
    assert "unread" not in inbox(client, cast.mentor)


def test_staff_reading_a_thread_does_not_mark_it_read_for_the_participants(client, cast, booking):
    post(client, cast.mentee, booking, "Question", T0)
    client.force_login(cast.staff)
    client.get(thread_url(booking))
    assert "<strong>1 unread</strong>" in inbox(client, cast.mentor)


def test_the_inbox_reads_every_thread_in_one_query(client, cast, booking, django_assert_num_queries):
    for n in range(4):
        other = BookingFactory(
            mentee=cast.mentee, offering__mentor=booking.mentor, starts_at=T0 + timedelta(days=n + 1)
        )
        post(client, cast.mentee, other, f"Question {n}", T0 + timedelta(minutes=n))
    with django_assert_num_queries(1):
        result = inbox_for(user=cast.mentor)
        titles = [r.thread.title + r.thread.mentee.name for r in result.threads]
    assert len(titles) == 4 and result.unread == 4


def test_no_messages_no_inbox(client, cast, booking):
    assert inbox(client, cast.mentee) == ""
