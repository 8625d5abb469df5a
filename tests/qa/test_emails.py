"""The e-mail about new messages: batched to at most one per thread an hour for each participant,
sent by the beat task, in the recipient's time zone, and only when there is something unread."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from accounts.models import User
from config.celery import app
from qa import tasks
from tests.qa.helpers import thread_url

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # 14:00 in Berlin (the mentor), 08:00 in New York (the mentee)


def post(client, user, subject, body, at):
    client.force_login(user)
    with time_machine.travel(at, tick=False):
        assert client.post(thread_url(subject), {"body": body}).status_code == 302


def beat_at(moment) -> list:
    """Run the beat task once at `moment` and return the e-mails it sent."""
    before = len(mail.outbox)
    with time_machine.travel(moment, tick=False):
        tasks.send_message_digests.delay()
    return mail.outbox[before:]


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def test_two_messages_within_the_hour_make_one_email_listing_both(client, cast, booking):
    post(client, cast.mentee, booking, "Question **one**", minutes(0))
    post(client, cast.mentee, booking, "Question two", minutes(1))

    assert beat_at(minutes(1)) == []  # a short wait, so a burst becomes one e-mail
    sent = beat_at(minutes(3))

    assert len(sent) == 1
    email = sent[0]
    assert email.to == [cast.mentor.email]
    assert email.subject == "2 new messages from Maya Mentee: Session: Should I take this job offer?"
    assert "Question **one**" in email.body and "Question two" in email.body
    assert "Mon 1 Jun, 14:00 (Europe/Berlin)" in email.body  # the mentor's zone
    assert f"{settings.SITE_URL}/bookings/{booking.pk}/messages/" in email.body
    html = email.alternatives[0][0]
    assert "Question <strong>one</strong>" in html
    assert beat_at(minutes(4)) == []


def test_a_message_after_an_email_waits_for_the_hour_then_makes_a_second_email(client, cast, booking):
    post(client, cast.mentee, booking, "Question one", minutes(0))
    post(client, cast.mentee, booking, "Question two", minutes(1))
    assert len(beat_at(minutes(3))) == 1

    post(client, cast.mentee, booking, "Question three", minutes(30))

    assert beat_at(minutes(40)) == []
    assert beat_at(minutes(62)) == []  # an hour after the first e-mail is 13:03 UTC
    sent = beat_at(minutes(63))
    assert len(sent) == 1 and "Question three" in sent[0].body


def test_a_thread_read_before_the_email_is_due_sends_nothing(client, cast, booking):
    post(client, cast.mentee, booking, "Question", minutes(0))
    client.force_login(cast.mentor)
    with time_machine.travel(minutes(1), tick=False):
        client.get(thread_url(booking))

    assert beat_at(minutes(3)) == []
    assert beat_at(minutes(120)) == []


def test_nobody_is_emailed_who_turned_message_emails_off(client, cast, booking):
    User.objects.filter(pk=cast.mentor.pk).update(email_messages=False)
    post(client, cast.mentee, booking, "Question", minutes(0))
    assert beat_at(minutes(3)) == []
    assert beat_at(minutes(120)) == []


def test_each_side_is_emailed_about_the_other_sides_messages(client, cast, booking):
    post(client, cast.mentee, booking, "Question", minutes(0))
    post(client, cast.mentor, booking, "Answer", minutes(1))

    sent = beat_at(minutes(3))

    by_recipient = {email.to[0]: email for email in sent}
    assert set(by_recipient) == {cast.mentee.email}  # the mentor answered, so had read the question
    email = by_recipient[cast.mentee.email]
    assert email.subject == "New message from Omar Mentor: Session: Should I take this job offer?"
    assert "Answer" in email.body and "Question" not in email.body
    assert "Mon 1 Jun, 08:01 (America/New_York)" in email.body


def test_running_the_task_twice_sends_once(client, cast, booking):
    post(client, cast.mentee, booking, "Question", minutes(0))
    assert len(beat_at(minutes(3))) + len(beat_at(minutes(3))) == 1


def test_the_task_runs_every_minute_from_beat():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].startswith("qa."))
    assert entry["task"] in app.tasks and entry["schedule"] == 60.0
