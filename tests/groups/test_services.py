"""The rules of group sessions, as the product states them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from billing.models import Refund, Transfer
from groups import services
from groups.models import GroupSeat, GroupSession
from groups.purchases import payable_seats
from sessions.models import Booking
from sessions.selectors import offering_slots_for_day
from tests.billing.helpers import book, next_weekday_at
from tests.factories import MentorFactory, OfferingFactory, UserFactory
from tests.groups.helpers import before_start, group_of, paid_group

pytestmark = pytest.mark.django_db
Seat = GroupSeat.State


@pytest.fixture
def demo(settings):
    settings.DEBUG, settings.BILLING_PROVIDER = True, "demo"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def confirmed_seat(group_session, mentee=None, *, callbacks):
    """A seat booked and (when paid) paid through the demo provider's confirmation."""
    with callbacks(execute=True):
        seat = services.seat_book(group_session=group_session, mentee=mentee or UserFactory())
    if seat.state == Seat.HELD:
        from billing.services.checkout import purchase_start_checkout
        from tests.groups.helpers import CHECKOUT

        payment = purchase_start_checkout(purchase=seat, **CHECKOUT)
        payment.state, payment.paid_at = payment.State.PAID, timezone.now()
        payment.save(update_fields=["state", "paid_at"])
        with callbacks(execute=True):
            services.seat_confirm(seat=seat)
    seat.refresh_from_db()
    return seat


def test_terms_outside_their_range_are_refused_next_to_their_field_and_nothing_is_saved():
    mentor = MentorFactory()
    for terms, field in (
        ({"seats": 1}, "seats"),
        ({"seats": 51}, "seats"),
        ({"seats": 5, "seats_min": 6}, "seats_min"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"starts_at": timezone.now() + timedelta(hours=3)}, "starts_at"),
        ({"price_amount": 10}, "price"),
    ):
        with pytest.raises(services.GroupError) as refused:
            group_of(mentor, **terms)
        assert refused.value.field == field
    assert not GroupSession.objects.exists()


def test_it_cannot_overlap_a_booked_one_to_one_and_it_blocks_the_mentors_one_to_one_slots():
    offering = OfferingFactory(price_amount=0)
    mentor = offering.mentor
    booking = book(offering, starts_at=next_weekday_at(10, days_ahead=7))
    assert booking.state == Booking.State.CONFIRMED
    with pytest.raises(services.GroupError, match="1:1 session booked"):
        group_of(mentor, starts_at=next_weekday_at(10, days_ahead=7) + timedelta(minutes=15))
    group_session = group_of(mentor, starts_at=next_weekday_at(14, days_ahead=7))
    with pytest.raises(services.GroupError, match="another group session"):
        group_of(mentor, starts_at=group_session.starts_at + timedelta(minutes=30))
    day = group_session.starts_at.astimezone(mentor.zone).date()
    slots = offering_slots_for_day(offering=offering, day=day, zone=mentor.zone)
    assert slots, "the mentor has other free times that day"
    assert all(
        not (
            s < group_session.ends_at
            and s + timedelta(minutes=offering.duration_minutes) > group_session.starts_at
        )
        for s in slots
    )


def test_a_free_seat_is_confirmed_at_once_with_one_confirmation_carrying_the_ics_and_the_join_link(
    demo, django_capture_on_commit_callbacks
):
    group_session = group_of()
    mentee = UserFactory()
    seat = confirmed_seat(group_session, mentee, callbacks=django_capture_on_commit_callbacks)
    assert seat.state == Seat.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        services.tasks.send_seat_confirmation.delay(str(seat.pk))  # a redelivered task
    confirmations = [m for m in mail.outbox if m.subject == "Your seat: Salary negotiation workshop"]
    assert len(confirmations) == 1
    assert "https://meet.example.com/salary-workshop" in confirmations[0].body
    (name, ics, kind) = confirmations[0].attachments[0]
    assert (name, kind) == ("group-session.ics", "text/calendar")
    ics = ics if isinstance(ics, str) else ics.decode()
    assert "BEGIN:VEVENT" in ics and "meet.example.com/salary-workshop" in ics
    with pytest.raises(services.GroupError, match="already"):
        services.seat_book(group_session=group_session, mentee=mentee)


def test_a_full_session_refuses_the_next_seat_and_nobody_books_their_own(django_capture_on_commit_callbacks):
    group_session = group_of(seats=2, seats_min=1)
    for _ in range(2):
        confirmed_seat(group_session, callbacks=django_capture_on_commit_callbacks)
    with pytest.raises(services.GroupError, match="full"):
        services.seat_book(group_session=group_session, mentee=UserFactory())
    with pytest.raises(services.GroupError, match="your own"):
        services.seat_book(group_session=group_session, mentee=group_session.mentor.user)
    assert GroupSeat.objects.filter(state=Seat.CONFIRMED).count() == 2


def test_a_draft_cannot_be_booked():
    group_session = group_of(publish=False)
    with pytest.raises(services.GroupError, match="not open"):
        services.seat_book(group_session=group_session, mentee=UserFactory())


def test_below_its_minimum_at_the_decision_time_it_is_cancelled_every_seat_refunded_and_everyone_told_once(
    demo, django_capture_on_commit_callbacks
):
    group_session = paid_group(seats_min=3)
    seats = [confirmed_seat(group_session, callbacks=django_capture_on_commit_callbacks) for _ in range(2)]
    mail.outbox.clear()
    assert services.group_sessions_decide(now=before_start(group_session, hours=25)) == 0  # not yet
    decision = before_start(group_session, hours=23)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.group_sessions_decide(now=decision) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.group_sessions_decide(now=decision) == 0  # run again: nothing more
    group_session.refresh_from_db()
    assert group_session.state == GroupSession.State.CANCELLED
    assert set(GroupSeat.objects.values_list("state", flat=True)) == {Seat.CANCELLED}
    refunds = Refund.objects.order_by("key")
    assert sorted(r.key for r in refunds) == sorted(f"groupseat-{s.pk}-policy" for s in seats)
    assert all(r.amount == 2500 for r in refunds)
    subjects = [m.subject for m in mail.outbox]
    assert subjects.count("Cancelled: Salary negotiation workshop") == 3  # two attendees, the mentor


def test_at_or_above_its_minimum_it_runs_and_is_decided_once(django_capture_on_commit_callbacks):
    group_session = group_of(seats_min=2)
    for _ in range(2):
        confirmed_seat(group_session, callbacks=django_capture_on_commit_callbacks)
    assert services.group_sessions_decide(now=before_start(group_session, hours=23)) == 0
    group_session.refresh_from_db()
    assert group_session.state == GroupSession.State.PUBLISHED and group_session.decided_at


def test_the_mentor_cancels_everyone_is_refunded_and_told_and_a_second_cancel_changes_nothing(
    demo, django_capture_on_commit_callbacks
):
    group_session = paid_group()
    confirmed_seat(group_session, callbacks=django_capture_on_commit_callbacks)
    with pytest.raises(services.GroupError, match="not your"):
        services.group_session_cancel(group_session=group_session, by=UserFactory(), reason="x")
    mail.outbox.clear()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.group_session_cancel(
                group_session=group_session, by=group_session.mentor.user, reason="I am ill"
            )
    assert Refund.objects.get().state == Refund.State.SUCCEEDED
    assert [m.subject for m in mail.outbox].count("Cancelled: Salary negotiation workshop") == 2


def test_a_mentee_cancelling_in_time_is_refunded_later_the_seat_is_freed_without_refund(
    demo, django_capture_on_commit_callbacks
):
    group_session = paid_group(cancellation_hours=48)
    early = confirmed_seat(group_session, callbacks=django_capture_on_commit_callbacks)
    late = confirmed_seat(group_session, callbacks=django_capture_on_commit_callbacks)
    with pytest.raises(services.GroupError, match="not your seat"):
        services.seat_cancel(seat=early, by=late.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        services.seat_cancel(seat=early, by=early.mentee, now=before_start(group_session, hours=49))
        services.seat_cancel(seat=late, by=late.mentee, now=before_start(group_session, hours=47))
    assert [r.key for r in Refund.objects.all()] == [f"groupseat-{early.pk}-policy"]
    assert GroupSeat.objects.filter(state=Seat.CANCELLED).count() == 2
    assert services.seats_taken(group_session, now=timezone.now()) == 0


def test_each_attendee_is_reminded_once_before_the_start(demo, django_capture_on_commit_callbacks):
    group_session = group_of()
    confirmed_seat(group_session, callbacks=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    assert services.seat_reminders_send(now=before_start(group_session, hours=3)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.seat_reminders_send(now=before_start(group_session, hours=1)) == 1
        assert services.seat_reminders_send(now=before_start(group_session, minutes=30)) == 0
    assert [m.subject for m in mail.outbox] == ["Soon: Salary negotiation workshop"]


def test_a_lapsed_hold_frees_its_seat(settings, django_capture_on_commit_callbacks):
    settings.DEBUG, settings.BILLING_PROVIDER = True, "demo"
    group_session = paid_group(seats=2, seats_min=1)
    seat = services.seat_book(group_session=group_session, mentee=UserFactory())
    assert services.seats_taken(group_session, now=timezone.now()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.seats_release_lapsed(now=seat.hold_expires_at + timedelta(seconds=1)) == 1
    seat.refresh_from_db()
    assert seat.state == Seat.RELEASED


def test_the_mentor_is_paid_their_share_of_each_seat_once_after_the_session(
    demo, django_capture_on_commit_callbacks
):
    group_session = paid_group()
    confirmed_seat(group_session, callbacks=django_capture_on_commit_callbacks)
    kind = services.REFUND_KIND
    from billing.purchases import kind_named

    assert kind_named(kind).retry_payouts(cutoff=timezone.now()) == 0  # not yet held
    GroupSession.objects.filter(pk=group_session.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(hours=1)
    )
    assert payable_seats(cutoff=timezone.now()).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        kind_named(kind).retry_payouts(cutoff=timezone.now())
        kind_named(kind).retry_payouts(cutoff=timezone.now())
    transfer = Transfer.objects.get()
    assert transfer.amount == 2500 - transfer.payment.platform_fee


def test_a_one_to_one_booking_at_the_group_sessions_time_is_refused():
    from sessions.services import BookingError

    offering = OfferingFactory(price_amount=0)
    group_session = group_of(offering.mentor, starts_at=next_weekday_at(10, days_ahead=7))
    with pytest.raises(BookingError):
        book(offering, starts_at=group_session.starts_at)
    assert not Booking.objects.filter(mentor=offering.mentor).exists()
