"""Each reminder goes out once, at its moment, to the right person, in their zone — or not at all."""

import socket
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail

from notifications import tasks
from notifications.models import Notification
from notifications.services import notification_send, notifications_claim_due
from sessions import services as booking_services
from sessions.models import ActionItem, Booking
from tests.factories import BookingFactory, UserFactory
from tests.notifications.helpers import Kind, berlin, book, dispatch_at, rows, utc

pytestmark = pytest.mark.django_db
State = Notification.State
UNFINISHED = ("", "")  # the mentee booked without answering the pre-work prompts


@pytest.fixture
def booking(berlin_mentor_offering, new_york_mentee):
    """Monday 30 March 2026, 10:00 in Berlin (08:00 UTC, 04:00 in New York), pre-work unfinished."""
    return book(
        berlin_mentor_offering,
        new_york_mentee,
        berlin(2026, 3, 30, 10),
        answers=UNFINISHED,
        booked_at=utc(2026, 3, 20, 12),
    )


@pytest.fixture
def staff(db):
    return UserFactory(email="ops@thementors.example", is_staff=True, timezone="Asia/Tokyo")


def only(messages):
    assert len(messages) == 1, [m.subject for m in messages]
    return messages[0]


def calendar_of(message) -> str:
    (name, content, mimetype), *_ = message.attachments
    assert name == "session.ics" and mimetype.startswith("text/calendar")
    return content.decode() if isinstance(content, bytes) else content


def html_of(message) -> str:
    return next(body for body, mimetype in message.alternatives if mimetype == "text/html")


def test_each_reminder_goes_out_at_its_moment_to_its_recipient(booking, staff):
    mentee, mentor = booking.mentee.email, booking.mentor.user.email
    page = f"http://127.0.0.1:8000/bookings/{booking.pk}/"

    assert dispatch_at(utc(2026, 3, 28, 7, 59)) == []
    first = only(dispatch_at(utc(2026, 3, 28, 8)))
    assert first.to == [mentee] and page + "#prework" in first.body and page + "#prework" in html_of(first)
    assert "BEGIN:VCALENDAR" in calendar_of(first)

    second = only(dispatch_at(utc(2026, 3, 29, 8)))
    assert second.to == [mentee] and page + "#prework" in second.body

    digest = only(dispatch_at(utc(2026, 3, 30, 6)))
    assert digest.to == [mentor] and "A decision" in digest.body

    soon = dispatch_at(utc(2026, 3, 30, 7, 45))
    assert sorted(m.to[0] for m in soon) == sorted([mentee, mentor])
    assert all(booking.join_url in m.body and booking.join_url in html_of(m) for m in soon)
    assert all("BEGIN:VCALENDAR" in calendar_of(m) for m in soon)

    nudge = only(dispatch_at(utc(2026, 3, 30, 10, 30)))
    assert nudge.to == [mentor] and page + "#close" in nudge.body and not nudge.attachments
    assert only(dispatch_at(utc(2026, 3, 31, 8, 30))).to == [mentor]

    alert = only(dispatch_at(utc(2026, 4, 1, 8, 30)))
    assert alert.to == [staff.email] and str(booking.pk) in alert.body
    assert f"http://127.0.0.1:8000/admin/mentoring/booking/{booking.pk}/change/" in alert.body
    assert "08:30 (UTC)" in alert.body  # staff read UTC, whatever their own zone

    assert dispatch_at(utc(2026, 4, 10)) == []
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}
    assert len(mail.outbox) == 8


def test_the_staff_alert_goes_to_admins_when_they_are_configured(booking, settings):
    settings.ADMINS = [("Ops", "ops-list@thementors.example")]
    dispatch_at(utc(2026, 3, 31, 9))  # everything up to the 24 h nudge
    alert = only(dispatch_at(utc(2026, 4, 1, 8, 30)))
    assert alert.to == ["ops-list@thementors.example"]


def test_the_staff_alert_is_dropped_when_there_is_no_one_to_tell(booking):
    dispatch_at(utc(2026, 4, 1, 8, 30))
    assert rows(booking)[Kind.CLOSEOUT_STAFF_48H].state == State.CANCELLED


def test_no_prework_reminder_once_the_prework_is_done(booking):
    assert only(dispatch_at(utc(2026, 3, 28, 8))).subject.startswith("Finish your pre-work")
    with time_machine.travel(utc(2026, 3, 28, 20), tick=False):
        booking_services.booking_update_prework(
            booking=booking, by=booking.mentee, outcome="A decision", prework_answers=["Two", "Money"]
        )

    assert dispatch_at(utc(2026, 3, 29, 8)) == []
    reminder = rows(booking)[Kind.PREWORK_REMINDER_24H]
    assert reminder.state == State.CANCELLED and reminder.last_error == "pre-work complete"


def test_a_reminder_claimed_just_before_the_booking_is_cancelled_is_not_sent(booking):
    with time_machine.travel(utc(2026, 3, 28, 8), tick=False):
        (claimed,) = notifications_claim_due()  # the worker has not run it yet
        booking_services.booking_cancel(booking=booking, by=booking.mentee)
        assert notification_send(notification_id=claimed) == State.CANCELLED
    assert mail.outbox == []


def test_a_close_out_nudge_claimed_while_the_mentor_closes_the_session_is_not_sent(booking):
    dispatch_at(utc(2026, 3, 30, 9))
    mail.outbox.clear()
    with time_machine.travel(utc(2026, 3, 30, 10, 30), tick=False):
        (claimed,) = notifications_claim_due()
        booking_services.booking_close(
            booking=booking, by=booking.mentor.user, action_item="Write to both", due_date=date(2026, 4, 6)
        )
        assert notification_send(notification_id=claimed) == State.CANCELLED
    assert mail.outbox == []


def test_a_close_out_nudge_is_skipped_at_send_time_when_an_action_item_exists(booking):
    dispatch_at(utc(2026, 3, 30, 9))
    mail.outbox.clear()
    # Recorded some other way than booking_close (an import, the admin): the send-time check holds.
    ActionItem.objects.create(booking=booking, text="Write to both", due_date=date(2026, 4, 6))

    assert dispatch_at(utc(2026, 3, 30, 10, 30)) == []
    nudge = rows(booking)[Kind.CLOSEOUT_NUDGE_2H]
    assert nudge.state == State.CANCELLED and nudge.last_error == "action item recorded"


def test_a_booking_that_left_the_confirmed_state_gets_nothing(booking):
    Booking.objects.filter(pk=booking.pk).update(state=Booking.State.NO_SHOW_MENTOR)
    assert dispatch_at(utc(2026, 4, 2)) == []
    assert set(Notification.objects.values_list("state", flat=True)) == {State.CANCELLED}


def test_reminders_for_a_session_that_already_started_are_dropped_after_an_outage(booking):
    """The dispatcher was down all weekend: no pre-work nagging after the session began."""
    sent = dispatch_at(utc(2026, 3, 30, 9))
    assert sent == []
    states = {kind: n.state for kind, n in rows(booking).items()}
    assert states[Kind.PREWORK_REMINDER_48H] == State.CANCELLED
    assert states[Kind.STARTING_SOON_MENTEE] == State.CANCELLED
    assert states[Kind.CLOSEOUT_NUDGE_2H] == State.PENDING


def test_the_prep_digest_carries_the_prework_and_earlier_action_items(
    berlin_mentor_offering, new_york_mentee
):
    mentor = berlin_mentor_offering.mentor
    for text, done in (("Ask for the offer in writing", True), ("Talk to the team lead", False)):
        earlier = BookingFactory(
            offering=berlin_mentor_offering,
            mentee=new_york_mentee,
            starts_at=utc(2026, 2, 2, 9) + timedelta(days=7 * len(text) % 5),
            state=Booking.State.COMPLETED,
        )
        ActionItem.objects.create(
            booking=earlier, text=text, due_date=date(2026, 2, 20), done_at=utc(2026, 2, 19) if done else None
        )
    BookingFactory(offering__mentor__user__timezone="UTC", mentee=new_york_mentee)  # another mentor
    booking = book(
        berlin_mentor_offering,
        new_york_mentee,
        berlin(2026, 3, 30, 10),
        answers=("Offer A or offer B", "Growth over money"),
        booked_at=utc(2026, 3, 20, 12),
    )
    booking.context_notes = "B is a startup."
    booking.save(update_fields=["context_notes"])

    (digest,) = [m for m in dispatch_at(utc(2026, 3, 30, 6)) if m.to == [mentor.user.email]]

    for part in (digest.body, html_of(digest)):
        assert "A decision" in part
        assert "Offer A or offer B" in part and "Growth over money" in part and "B is a startup." in part
        assert "Ask for the offer in writing" in part and "Talk to the team lead" in part
    assert "Ask for the offer in writing (due 20 Feb 2026, done)" in digest.body
    assert "Talk to the team lead (due 20 Feb 2026, not done)" in digest.body


# --- the recipient's zone, across the weeks when Europe and America change clocks apart ---------


@pytest.mark.parametrize(
    "starts_at, booked_at, reminder_at, mentee_sees",
    [
        # America has moved to summer time (8 March), Europe not yet (29 March).
        (berlin(2026, 3, 9, 10), utc(2026, 3, 2, 12), utc(2026, 3, 7, 9), "Monday 9 March 2026, 05:00–05:30"),
        # The reminder goes out in Europe's winter time, the session is in its summer time.
        (
            berlin(2026, 3, 30, 10),
            utc(2026, 3, 20, 12),
            utc(2026, 3, 28, 8),
            "Monday 30 March 2026, 04:00–04:30",
        ),
        # Europe has moved back (25 October), America not yet (1 November).
        (
            berlin(2026, 10, 26, 10),
            utc(2026, 10, 16, 12),
            utc(2026, 10, 24, 9),
            "Monday 26 October 2026, 05:00–05:30",
        ),
        # The reminder goes out in America's summer time, the session is in its winter time.
        (
            berlin(2026, 11, 2, 10),
            utc(2026, 10, 23, 12),
            utc(2026, 10, 31, 9),
            "Monday 2 November 2026, 04:00–04:30",
        ),
    ],
    ids=["march-gap", "march-eu-change", "october-gap", "november-us-change"],
)
def test_each_email_shows_the_session_in_the_recipients_own_zone(
    berlin_mentor_offering, new_york_mentee, starts_at, booked_at, reminder_at, mentee_sees
):
    booking = book(
        berlin_mentor_offering, new_york_mentee, starts_at, answers=UNFINISHED, booked_at=booked_at
    )
    assert rows(booking)[Kind.PREWORK_REMINDER_48H].due_at == reminder_at

    reminder = only(dispatch_at(reminder_at))
    assert reminder.to == [new_york_mentee.email]
    assert f"{mentee_sees} (America/New_York)" in reminder.body
    assert f"{mentee_sees} (America/New_York)" in html_of(reminder)
    assert f"DTSTART:{starts_at.astimezone(utc(2026, 1, 1).tzinfo):%Y%m%dT%H%M%SZ}" in calendar_of(reminder)

    soon = [m for m in dispatch_at(starts_at - timedelta(minutes=15)) if m.subject.startswith("Starting")]
    (to_mentor,) = [m for m in soon if m.to == [booking.mentor.user.email]]
    (to_mentee,) = [m for m in soon if m.to == [new_york_mentee.email]]
    assert f"{starts_at:%H:%M}–" in to_mentor.body and "(Europe/Berlin)" in to_mentor.body
    assert f"{starts_at:%H:%M}" == "10:00"
    assert f"{mentee_sees} (America/New_York)" in to_mentee.body


# --- at most once, and never lost -----------------------------------------------------------


def test_sending_a_row_twice_sends_one_email(booking):
    with time_machine.travel(utc(2026, 3, 28, 8), tick=False):
        (claimed,) = notifications_claim_due()
        assert notification_send(notification_id=claimed) == State.SENT
        assert notification_send(notification_id=claimed) == State.SENT
        tasks.send_notification.delay(claimed)
    assert len(mail.outbox) == 1


def test_a_stray_task_for_a_row_not_yet_due_sends_nothing(booking):
    reminder = rows(booking)[Kind.STARTING_SOON_MENTEE]
    with time_machine.travel(utc(2026, 3, 28, 8), tick=False):
        tasks.send_notification.delay(reminder.pk)
    assert mail.outbox == []
    assert Notification.objects.get(pk=reminder.pk).state == State.PENDING


def test_beat_running_the_dispatcher_twice_sends_each_reminder_once(booking):
    with time_machine.travel(utc(2026, 3, 30, 7, 45), tick=False):
        tasks.dispatch_due.delay()
        tasks.dispatch_due.delay()
    assert len(mail.outbox) == 5  # 48 h, 24 h, digest, starting soon for each side


def test_a_row_left_sending_by_a_killed_worker_is_claimed_again_after_the_timeout(booking):
    with time_machine.travel(utc(2026, 3, 28, 8), tick=False):
        (claimed,) = notifications_claim_due()  # …and the worker died before sending

    assert dispatch_at(utc(2026, 3, 28, 8, 9)) == []  # still within the claim timeout
    assert Notification.objects.get(pk=claimed).state == State.SENDING

    resent = only(dispatch_at(utc(2026, 3, 28, 8, 11)))
    assert resent.to == [booking.mentee.email]
    assert Notification.objects.get(pk=claimed).state == State.SENT
    assert dispatch_at(utc(2026, 3, 28, 9)) == []


@pytest.fixture
def smtp_refusing(settings):
    """The real SMTP backend, pointed at a port where nothing listens: connection refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    return settings


@pytest.fixture
def eager_retries():
    """Eager tasks that propagate errors raise Retry instead of running the retry inline."""
    from config.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_a_failing_smtp_server_is_retried_then_the_row_is_marked_dead(booking, smtp_refusing, eager_retries):
    smtp_refusing.NOTIFICATION_MAX_ATTEMPTS = 3
    dispatch_at(utc(2026, 3, 28, 8))  # the eager task retries inline, with no back-off wait

    reminder = rows(booking)[Kind.PREWORK_REMINDER_48H]
    assert reminder.state == State.DEAD
    assert reminder.attempts == 3
    assert "ConnectionRefusedError" in reminder.last_error
    assert dispatch_at(utc(2026, 3, 28, 9)) == []  # dead rows stay dead
    assert Notification.objects.get(pk=reminder.pk).attempts == 3


def test_a_transient_failure_is_recorded_and_the_retry_delivers(booking, smtp_refusing):
    with time_machine.travel(utc(2026, 3, 28, 8), tick=False):
        (claimed,) = notifications_claim_due()
        with pytest.raises(ConnectionRefusedError):
            notification_send(notification_id=claimed)
        failed = Notification.objects.get(pk=claimed)
        assert (failed.state, failed.attempts) == (State.SENDING, 1)

        smtp_refusing.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert notification_send(notification_id=claimed) == State.SENT

    sent = Notification.objects.get(pk=claimed)
    assert (sent.attempts, sent.last_error, sent.sent_at) == (2, "", utc(2026, 3, 28, 8))
    assert len(mail.outbox) == 1
