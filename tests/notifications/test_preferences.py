"""Each non-essential reminder can be turned off by the person it is for; essential e-mails always go."""

from datetime import date

import pytest
import time_machine
from django.core import mail

from notifications.models import Notification
from notifications.services import TURNED_OFF
from sessions import services as booking_services
from tests.factories import UserFactory
from tests.notifications.helpers import Kind, berlin, book, dispatch_at, rows, utc

pytestmark = pytest.mark.django_db
State = Notification.State
UNFINISHED = ("", "")

# Every moment a reminder of the booking below falls due, in order.
MOMENTS = [
    utc(2026, 3, 28, 8),
    utc(2026, 3, 29, 8),
    utc(2026, 3, 30, 6),
    utc(2026, 3, 30, 7, 45),
    utc(2026, 3, 30, 10, 30),
    utc(2026, 3, 31, 8, 30),
    utc(2026, 4, 1, 8, 30),
]


@pytest.fixture
def staff(db):
    return UserFactory(email="ops@thementors.example", is_staff=True)


def turn_off(user, *flags: str) -> None:
    for flag in flags:
        setattr(user, flag, False)
    user.save(update_fields=list(flags))


def run_through(booking) -> list:
    sent = []
    for moment in MOMENTS:
        sent += dispatch_at(moment)
    return sent


@pytest.mark.parametrize(
    "whose, flag, kinds",
    [
        ("mentee", "email_prework_reminders", {Kind.PREWORK_REMINDER_48H, Kind.PREWORK_REMINDER_24H}),
        ("mentor", "email_mentor_prep_digest", {Kind.MENTOR_PREP_DIGEST}),
        ("mentee", "email_starting_soon", {Kind.STARTING_SOON_MENTEE}),
        ("mentor", "email_starting_soon", {Kind.STARTING_SOON_MENTOR}),
        ("mentor", "email_closeout_nudges", {Kind.CLOSEOUT_NUDGE_2H, Kind.CLOSEOUT_NUDGE_24H}),
        # The flag belongs to the recipient: the mentee turning off close-out nudges stops nothing.
        ("mentee", "email_closeout_nudges", set()),
        ("mentor", "email_prework_reminders", set()),
    ],
)
def test_a_kind_turned_off_is_cancelled_at_send_time_and_the_others_still_go(
    berlin_mentor_offering, new_york_mentee, staff, whose, flag, kinds
):
    booking = book(
        berlin_mentor_offering,
        new_york_mentee,
        berlin(2026, 3, 30, 10),
        answers=UNFINISHED,
        booked_at=utc(2026, 3, 20, 12),
    )
    turn_off(new_york_mentee if whose == "mentee" else booking.mentor.user, flag)

    sent = run_through(booking)

    by_kind = rows(booking)
    assert {
        k for k, n in by_kind.items() if n.state == State.CANCELLED and n.last_error == TURNED_OFF
    } == kinds
    assert {k for k, n in by_kind.items() if n.state == State.SENT} == set(by_kind) - kinds
    assert len(sent) == 8 - len(kinds)


def test_turned_off_after_booking_still_stops_it(berlin_mentor_offering, new_york_mentee):
    """The check is made when the e-mail is due, not when the booking was made."""
    booking = book(
        berlin_mentor_offering,
        new_york_mentee,
        berlin(2026, 3, 30, 10),
        answers=UNFINISHED,
        booked_at=utc(2026, 3, 20, 12),
    )
    assert len(dispatch_at(utc(2026, 3, 28, 8))) == 1
    turn_off(new_york_mentee, "email_prework_reminders")
    assert dispatch_at(utc(2026, 3, 29, 8)) == []
    assert rows(booking)[Kind.PREWORK_REMINDER_24H].last_error == TURNED_OFF


EVERYTHING = (
    "email_prework_reminders",
    "email_mentor_prep_digest",
    "email_starting_soon",
    "email_closeout_nudges",
    "email_action_item_checkins",
)


def test_essential_emails_come_with_everything_turned_off(
    berlin_mentor_offering, new_york_mentee, staff, django_capture_on_commit_callbacks
):
    turn_off(new_york_mentee, *EVERYTHING)
    turn_off(berlin_mentor_offering.mentor.user, *EVERYTHING)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(
            berlin_mentor_offering,
            new_york_mentee,
            berlin(2026, 3, 30, 10),
            answers=UNFINISHED,
            booked_at=utc(2026, 3, 20, 12),
        )
    assert any(m.subject.startswith("Booked:") and new_york_mentee.email in m.to for m in mail.outbox)

    sent = run_through(booking)
    assert [m.to for m in sent] == [[staff.email]]  # only the staff alert: nobody can turn that off

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(utc(2026, 3, 21), tick=False):
        other = book(
            berlin_mentor_offering,
            new_york_mentee,
            berlin(2026, 4, 6, 10),
            answers=UNFINISHED,
            booked_at=utc(2026, 3, 21),
        )
        booking_services.booking_cancel(booking=other, by=new_york_mentee)
    assert any(m.subject.startswith("Cancelled:") for m in mail.outbox)


def test_only_emails_that_can_be_turned_off_carry_the_settings_link(
    berlin_mentor_offering, new_york_mentee, staff
):
    booking = book(
        berlin_mentor_offering,
        new_york_mentee,
        berlin(2026, 3, 30, 10),
        answers=UNFINISHED,
        booked_at=utc(2026, 3, 20, 12),
    )
    sent = run_through(booking)
    with time_machine.travel(utc(2026, 4, 2), tick=False):
        # Closed late (after the staff alert), so that each kind has gone out once.
        booking_services.booking_close(
            booking=booking, by=booking.mentor.user, action_item="Write to both", due_date=date(2026, 4, 9)
        )
    sent += dispatch_at(utc(2026, 4, 9, 13))

    link = "http://127.0.0.1:8000/settings/"
    for message in sent:
        html = next(body for body, mimetype in message.alternatives if mimetype == "text/html")
        essential = message.to == [staff.email]
        assert (link in message.body) is not essential, message.subject
        assert (f'href="{link}"' in html) is not essential, message.subject
    assert len(sent) == 9
