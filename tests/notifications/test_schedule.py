"""Which reminders a booking has, and that every booking change rewrites them in its own transaction."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from notifications.models import Notification
from notifications.services import schedule_for_booking
from sessions import services as booking_services
from sessions.models import Booking
from tests.factories import OfferingFactory
from tests.notifications.helpers import Kind, berlin, book, rows, utc

pytestmark = pytest.mark.django_db
State = Notification.State
H = timedelta(hours=1)


def test_confirming_a_booking_schedules_each_reminder_relative_to_its_start_and_end(
    berlin_mentor_offering, new_york_mentee
):
    starts = utc(2026, 3, 30, 8)  # 10:00 in Berlin, the day after Europe moves to summer time
    booking = book(
        berlin_mentor_offering, new_york_mentee, berlin(2026, 3, 30, 10), booked_at=utc(2026, 3, 20, 12)
    )
    ends = starts + timedelta(minutes=30)

    due = {kind: n.due_at for kind, n in rows(booking).items()}

    assert due == {
        Kind.PREWORK_REMINDER_48H: starts - 48 * H,
        Kind.PREWORK_REMINDER_24H: starts - 24 * H,
        Kind.MENTOR_PREP_DIGEST: starts - 2 * H,
        Kind.STARTING_SOON_MENTEE: starts - timedelta(minutes=15),
        Kind.STARTING_SOON_MENTOR: starts - timedelta(minutes=15),
        Kind.CLOSEOUT_NUDGE_2H: ends + 2 * H,
        Kind.CLOSEOUT_NUDGE_24H: ends + 24 * H,
        Kind.CLOSEOUT_STAFF_48H: ends + 48 * H,
    }
    assert due[Kind.PREWORK_REMINDER_48H] == utc(2026, 3, 28, 8)  # exactly 48 h, not 47 across the change
    assert {n.state for n in rows(booking).values()} == {State.PENDING}


def test_reminders_already_due_when_the_booking_is_made_are_not_created(
    berlin_mentor_offering, new_york_mentee
):
    booking = book(
        berlin_mentor_offering, new_york_mentee, berlin(2026, 3, 31, 12), booked_at=berlin(2026, 3, 31, 9)
    )

    assert set(rows(booking)) == {
        Kind.MENTOR_PREP_DIGEST,
        Kind.STARTING_SOON_MENTEE,
        Kind.STARTING_SOON_MENTOR,
        Kind.CLOSEOUT_NUDGE_2H,
        Kind.CLOSEOUT_NUDGE_24H,
        Kind.CLOSEOUT_STAFF_48H,
    }


def test_a_paid_booking_gets_its_reminders_when_the_payment_confirms_it(new_york_mentee):
    offering = OfferingFactory(price_amount=4500)
    booking = book(offering, new_york_mentee, berlin(2026, 3, 30, 10), booked_at=utc(2026, 3, 20, 12))
    assert booking.state == Booking.State.HELD
    assert rows(booking) == {}

    with time_machine.travel(utc(2026, 3, 20, 12, 5), tick=False):
        booking_services.booking_confirm_payment(booking=booking)

    assert len(rows(booking)) == 8


def test_scheduling_twice_changes_nothing(berlin_mentor_offering, new_york_mentee):
    booking = book(
        berlin_mentor_offering, new_york_mentee, berlin(2026, 3, 30, 10), booked_at=utc(2026, 3, 20, 12)
    )
    with time_machine.travel(utc(2026, 3, 20, 13), tick=False):
        schedule_for_booking(booking)
        schedule_for_booking(booking)

    assert Notification.objects.filter(booking=booking).count() == 8


def test_rescheduling_cancels_the_old_reminders_and_creates_new_ones_in_the_same_transaction(
    berlin_mentor_offering, new_york_mentee, django_capture_on_commit_callbacks
):
    booking = book(
        berlin_mentor_offering, new_york_mentee, berlin(2026, 3, 30, 10), booked_at=utc(2026, 3, 20, 12)
    )
    old = set(Notification.objects.values_list("pk", flat=True))
    new_start = berlin(2026, 4, 1, 14)

    with time_machine.travel(utc(2026, 3, 21, 12), tick=False):
        with django_capture_on_commit_callbacks(execute=False):  # nothing waits for the commit
            booking_services.booking_reschedule(booking=booking, by=new_york_mentee, starts_at=new_start)
            assert set(Notification.objects.filter(pk__in=old).values_list("state", flat=True)) == {
                State.CANCELLED
            }
            fresh = Notification.objects.exclude(pk__in=old)
            assert fresh.filter(state=State.PENDING).count() == 8
            assert fresh.get(kind=Kind.STARTING_SOON_MENTEE).due_at == utc(2026, 4, 1, 11, 45)


def test_a_reschedule_that_rolls_back_leaves_the_reminders_as_they_were(
    berlin_mentor_offering, new_york_mentee
):
    booking = book(
        berlin_mentor_offering, new_york_mentee, berlin(2026, 3, 30, 10), booked_at=utc(2026, 3, 20, 12)
    )
    before = sorted(Notification.objects.values_list("pk", "kind", "due_at", "state"))

    class Abort(Exception):
        pass

    with time_machine.travel(utc(2026, 3, 21, 12), tick=False), pytest.raises(Abort):
        with transaction.atomic():
            booking_services.booking_reschedule(
                booking=booking, by=new_york_mentee, starts_at=berlin(2026, 4, 1, 14)
            )
            assert Notification.objects.count() == 16
            raise Abort  # anything failing later in the same transaction

    assert sorted(Notification.objects.values_list("pk", "kind", "due_at", "state")) == before
    booking.refresh_from_db()
    assert booking.starts_at == berlin(2026, 3, 30, 10)


def test_a_refused_reschedule_leaves_the_reminders_alone(berlin_mentor_offering, new_york_mentee):
    booking = book(
        berlin_mentor_offering, new_york_mentee, berlin(2026, 3, 30, 10), booked_at=utc(2026, 3, 20, 12)
    )
    with time_machine.travel(utc(2026, 3, 21, 12), tick=False), pytest.raises(booking_services.BookingError):
        booking_services.booking_reschedule(
            booking=booking,
            by=new_york_mentee,
            starts_at=berlin(2026, 4, 4, 14),  # a Saturday
        )

    assert set(Notification.objects.values_list("state", flat=True)) == {State.PENDING}
    assert Notification.objects.count() == 8


def test_cancelling_the_booking_cancels_every_pending_reminder_in_the_same_transaction(
    berlin_mentor_offering, new_york_mentee, django_capture_on_commit_callbacks
):
    booking = book(
        berlin_mentor_offering, new_york_mentee, berlin(2026, 3, 30, 10), booked_at=utc(2026, 3, 20, 12)
    )
    with time_machine.travel(utc(2026, 3, 21, 12), tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            booking_services.booking_cancel(booking=booking, by=new_york_mentee)
            assert set(Notification.objects.values_list("state", flat=True)) == {State.CANCELLED}


def test_closing_the_session_cancels_the_close_out_nudges(berlin_mentor_offering, new_york_mentee):
    booking = book(
        berlin_mentor_offering, new_york_mentee, berlin(2026, 3, 30, 10), booked_at=utc(2026, 3, 20, 12)
    )
    with time_machine.travel(berlin(2026, 3, 30, 11), tick=False):
        booking_services.booking_close(
            booking=booking,
            by=booking.mentor.user,
            action_item="Write to both companies",
            due_date=booking.starts_at.date() + timedelta(days=7),
        )

    states = {kind: n.state for kind, n in rows(booking).items()}
    assert states[Kind.CLOSEOUT_NUDGE_2H] == State.CANCELLED
    assert states[Kind.CLOSEOUT_STAFF_48H] == State.CANCELLED


def test_a_reported_no_show_cancels_what_is_left(berlin_mentor_offering, new_york_mentee):
    booking = book(
        berlin_mentor_offering, new_york_mentee, berlin(2026, 3, 30, 10), booked_at=utc(2026, 3, 20, 12)
    )
    with time_machine.travel(berlin(2026, 3, 30, 10, 20), tick=False):
        booking_services.booking_report_no_show(booking=booking, by=booking.mentor.user)

    assert set(Notification.objects.values_list("state", flat=True)) == {State.CANCELLED}


def test_a_booking_made_without_notifications_gets_no_reminders(berlin_mentor_offering, new_york_mentee):
    """Demo data and imports book with notify=False: no confirmation e-mails, and no reminders."""
    with time_machine.travel(utc(2026, 3, 20, 12), tick=False):
        booking = booking_services.booking_create(
            offering=berlin_mentor_offering,
            mentee=new_york_mentee,
            request=booking_services.BookingRequest(
                starts_at=berlin(2026, 3, 30, 10), outcome="A decision", prework_answers=["a", "b"]
            ),
            notify=False,
        )
    assert rows(booking) == {}
