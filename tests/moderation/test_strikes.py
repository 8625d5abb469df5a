"""Strikes: a mentor no-show reported by the mentee stands once the 48 h contest window passes
(the hourly task upholds it); three upheld strikes for sessions in 90 days suspend the mentor
pending review, once, and their future sessions are cancelled and refunded."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from billing.models import Payment, Refund
from mentors.models import MentorProfile, Suspension
from moderation import tasks
from moderation.models import AuditEntry, NoShowDispute, Strike
from moderation.services import noshow_contest, noshow_decide
from sessions import services as booking_services
from sessions.models import Booking
from tests.factories import BookingFactory, OfferingFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def offering(settings):
    settings.BILLING_PROVIDER = "demo"
    settings.DEBUG = True
    return OfferingFactory(price_amount=4500)


@pytest.fixture
def future_paid_booking(offering):
    """A session next week, paid through the demo provider."""
    booking = BookingFactory(offering=offering, starts_at=NOW + timedelta(days=7))
    Payment.objects.create(
        booking=booking, provider="demo", amount=4500, currency="USD", platform_fee=675, state="paid"
    )
    return booking


def mentor_absent(offering, *, days_ago: float, capture) -> Booking:
    """A session `days_ago` whose mentee reported the mentor absent 15 minutes in."""
    booking = BookingFactory(offering=offering, starts_at=NOW - timedelta(days=days_ago))
    with time_machine.travel(booking.starts_at + timedelta(minutes=15), tick=False):
        with capture(execute=True):
            booking_services.booking_report_no_show(booking=booking, by=booking.mentee)
    return booking


def run_task(at, capture):
    with time_machine.travel(at, tick=False):
        with capture(execute=True):
            return tasks.uphold_due_strikes()


def test_three_upheld_no_shows_suspend_the_mentor_once_and_refund_their_future_sessions(
    offering, future_paid_booking, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    for days_ago in (30, 20, 10):
        mentor_absent(offering, days_ago=days_ago, capture=capture)
    assert set(Strike.objects.values_list("status", flat=True)) == {Strike.Status.PENDING}
    # Inside the contest window of the last one, two are upheld and nobody is suspended yet.
    assert run_task(NOW - timedelta(days=9), capture) == 2
    mentor = offering.mentor
    mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.APPROVED
    mail.outbox.clear()

    assert run_task(NOW, capture) == 1
    mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.SUSPENDED
    suspension = Suspension.objects.get()
    assert suspension.automatic and suspension.started_by is None
    assert suspension.reason.startswith("Three upheld no-shows in 90 days:")
    future_paid_booking.refresh_from_db()
    assert future_paid_booking.state == Booking.State.CANCELLED_BY_MENTOR
    assert Refund.objects.get(payment__booking=future_paid_booking).amount == 4500
    assert any(m.to == [mentor.user.email] and "suspended" in m.subject for m in mail.outbox)
    entry = AuditEntry.objects.get(action="mentor.suspend")
    assert entry.actor is None

    assert run_task(NOW + timedelta(hours=1), capture) == 0
    assert Suspension.objects.count() == 1 and AuditEntry.objects.filter(action="mentor.suspend").count() == 1


def test_two_strikes_do_not_suspend(offering, django_capture_on_commit_callbacks):
    for days_ago in (20, 10):
        mentor_absent(offering, days_ago=days_ago, capture=django_capture_on_commit_callbacks)
    run_task(NOW, django_capture_on_commit_callbacks)
    assert Strike.objects.filter(status=Strike.Status.UPHELD).count() == 2
    offering.mentor.refresh_from_db()
    assert offering.mentor.is_approved


def test_a_strike_older_than_90_days_does_not_count(offering, django_capture_on_commit_callbacks):
    for days_ago in (100, 20, 10):
        mentor_absent(offering, days_ago=days_ago, capture=django_capture_on_commit_callbacks)
    run_task(NOW, django_capture_on_commit_callbacks)
    assert Strike.objects.filter(status=Strike.Status.UPHELD).count() == 3
    offering.mentor.refresh_from_db()
    assert offering.mentor.is_approved


def test_a_contested_strike_waits_for_staff_and_a_voided_one_does_not_count(
    offering, admin_user, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    bookings = [mentor_absent(offering, days_ago=d, capture=capture) for d in (30, 20, 10)]
    contested = bookings[-1]
    with time_machine.travel(contested.starts_at + timedelta(hours=1)):
        noshow_contest(booking=contested, by=offering.mentor.user, note="I was there")
    assert run_task(NOW, capture) == 2  # the contested one stays pending
    assert Strike.objects.get(booking=contested).status == Strike.Status.PENDING
    with time_machine.travel(NOW, tick=False):
        with capture(execute=True):
            noshow_decide(
                booking=contested, by=admin_user, outcome=NoShowDispute.Outcome.HAPPENED, reason="Logs"
            )
    assert Strike.objects.get(booking=contested).status == Strike.Status.VOIDED
    run_task(NOW + timedelta(hours=1), capture)
    offering.mentor.refresh_from_db()
    assert offering.mentor.is_approved


def test_a_staff_decision_of_mentor_absent_counts_at_once(
    offering, admin_user, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    for days_ago in (30, 20):
        mentor_absent(offering, days_ago=days_ago, capture=capture)
    run_task(NOW - timedelta(days=5), capture)
    flagged = BookingFactory(offering=offering, starts_at=NOW - timedelta(days=3))
    with time_machine.travel(NOW, tick=False):
        booking_services.bookings_flag_for_review()
        with capture(execute=True):
            noshow_decide(
                booking=flagged, by=admin_user, outcome=NoShowDispute.Outcome.MENTOR_ABSENT, reason="Admitted"
            )
    offering.mentor.refresh_from_db()
    assert offering.mentor.status == MentorProfile.Status.SUSPENDED
