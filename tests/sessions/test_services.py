from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from sessions import services
from sessions.models import Booking, BookingEvent
from sessions.services import BookingError, BookingRequest
from tests.factories import BookingFactory, OfferingFactory, UserFactory

BERLIN = ZoneInfo("Europe/Berlin")
# A Monday; the factory mentor is free 09:00–17:00 Berlin time on weekdays.
NOW = datetime(2026, 6, 1, 6, 0, tzinfo=ZoneInfo("UTC"))
TUESDAY_10_BERLIN = datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN)

pytestmark = pytest.mark.django_db


def book(offering, mentee, starts_at=TUESDAY_10_BERLIN, **overrides):
    request = BookingRequest(
        starts_at=starts_at,
        outcome="A decision between two offers",
        prework_answers=["Two offers", "Growth"],
        **overrides,
    )
    return services.booking_create(offering=offering, mentee=mentee, request=request)


@time_machine.travel(NOW, tick=False)
def test_a_free_offering_confirms_at_once_and_emails_both_sides_with_an_ics(
    offering, mentee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(offering, mentee)
    assert booking.state == Booking.State.CONFIRMED
    assert booking.ends_at - booking.starts_at == timedelta(minutes=30)
    assert booking.prework_answers[0] == {"prompt": "What are the options?", "answer": "Two offers"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentee.email, offering.mentor.user.email])
    ics = mail.outbox[0].attachments[0]
    assert ics[0] == "session.ics" and "BEGIN:VEVENT" in str(ics[1])
    assert list(BookingEvent.objects.values_list("to_state", flat=True)) == ["confirmed"]


@time_machine.travel(NOW, tick=False)
def test_a_paid_offering_holds_the_slot_for_thirty_minutes(mentee):
    offering = OfferingFactory(price_amount=4500)
    booking = book(offering, mentee)
    assert booking.state == Booking.State.HELD
    assert booking.hold_expires_at == NOW + timedelta(minutes=30)
    services.booking_confirm_payment(booking=booking)
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED


@time_machine.travel(NOW, tick=False)
def test_the_same_slot_cannot_be_booked_twice(offering, mentee):
    book(offering, mentee)
    with pytest.raises(BookingError, match="just taken"):
        book(offering, UserFactory())


@time_machine.travel(NOW, tick=False)
def test_an_overlapping_slot_of_another_offering_is_taken_too(offering, mentee):
    book(offering, mentee)
    other = OfferingFactory(mentor=offering.mentor, duration_minutes=60)
    with pytest.raises(BookingError, match="just taken"):
        book(other, UserFactory(), starts_at=TUESDAY_10_BERLIN - timedelta(minutes=45))


@time_machine.travel(NOW, tick=False)
def test_times_outside_availability_and_in_the_past_are_refused(offering, mentee):
    with pytest.raises(BookingError, match="just taken"):
        book(offering, mentee, starts_at=datetime(2026, 6, 2, 20, 0, tzinfo=BERLIN))
    with pytest.raises(BookingError, match="past"):
        book(offering, mentee, starts_at=NOW - timedelta(hours=1))
    assert not Booking.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_booking_needs_a_verified_email(offering):
    with pytest.raises(BookingError, match="verify"):
        book(offering, UserFactory(verified=False))


@time_machine.travel(NOW, tick=False)
def test_an_expired_hold_frees_its_slot(mentee):
    offering = OfferingFactory(price_amount=4500)
    held = book(offering, mentee)
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        again = book(offering, UserFactory())
        assert again.state == Booking.State.HELD
    held.refresh_from_db()
    assert held.state == Booking.State.EXPIRED


@time_machine.travel(NOW, tick=False)
def test_the_worker_releases_expired_holds_once(mentee):
    held = book(OfferingFactory(price_amount=4500), mentee)
    assert services.booking_release_expired_holds(now=NOW + timedelta(minutes=29)) == 0
    assert services.booking_release_expired_holds(now=NOW + timedelta(minutes=31)) == 1
    assert services.booking_release_expired_holds(now=NOW + timedelta(minutes=32)) == 0
    held.refresh_from_db()
    assert held.state == Booking.State.EXPIRED


@time_machine.travel(NOW, tick=False)
def test_mentee_cancels_and_the_slot_is_free_again(offering, mentee):
    booking = book(offering, mentee)
    services.booking_cancel(booking=booking, by=mentee, reason="clash")
    booking.refresh_from_db()
    assert booking.state == Booking.State.CANCELLED_BY_MENTEE
    assert book(offering, UserFactory()).state == Booking.State.CONFIRMED


@time_machine.travel(NOW, tick=False)
def test_the_mentor_cancels_a_slot_held_while_the_mentee_pays(mentee):
    offering = OfferingFactory(price_amount=4500)
    held = book(offering, mentee)
    services.booking_cancel(booking=held, by=offering.mentor.user, reason="Ill")
    held.refresh_from_db()
    assert held.state == Booking.State.CANCELLED_BY_MENTOR and held.hold_expires_at is None
    assert book(offering, UserFactory()).state == Booking.State.HELD


@time_machine.travel(NOW, tick=False)
def test_a_stranger_cannot_cancel(offering, mentee):
    booking = book(offering, mentee)
    with pytest.raises(BookingError):
        services.booking_cancel(booking=booking, by=UserFactory())


@time_machine.travel(NOW, tick=False)
def test_reschedule_once_before_the_window(offering, mentee):
    booking = book(offering, mentee, starts_at=datetime(2026, 6, 4, 10, 0, tzinfo=BERLIN))
    new_time = datetime(2026, 6, 4, 10, 15, tzinfo=BERLIN)  # overlaps its own old time
    services.booking_reschedule(booking=booking, by=mentee, starts_at=new_time)
    booking.refresh_from_db()
    assert booking.starts_at == new_time and booking.reschedule_count == 1
    with pytest.raises(BookingError, match="already been rescheduled"):
        services.booking_reschedule(
            booking=booking, by=mentee, starts_at=datetime(2026, 6, 4, 14, 0, tzinfo=BERLIN)
        )


@time_machine.travel(NOW, tick=False)
def test_reschedule_is_refused_inside_the_cancellation_window(offering, mentee):
    booking = book(offering, mentee, starts_at=datetime(2026, 6, 1, 14, 0, tzinfo=BERLIN))  # 6 h ahead
    with pytest.raises(BookingError, match="closed"):
        services.booking_reschedule(
            booking=booking, by=mentee, starts_at=datetime(2026, 6, 2, 14, 0, tzinfo=BERLIN)
        )


def test_close_out_action_item_done_and_review_feed_the_mentor_stats(offering, mentee):
    with time_machine.travel(NOW, tick=False):
        booking = book(offering, mentee)
    mentor_user = offering.mentor.user
    with time_machine.travel(TUESDAY_10_BERLIN + timedelta(minutes=5), tick=False):
        with pytest.raises(BookingError, match="once it has ended"):
            services.booking_close(
                booking=booking, by=mentor_user, action_item="Ship it", due_date=date(2026, 6, 9)
            )
    with time_machine.travel(TUESDAY_10_BERLIN + timedelta(minutes=40), tick=False):
        with pytest.raises(BookingError, match="Only the mentor"):
            services.booking_close(
                booking=booking, by=mentee, action_item="Ship it", due_date=date(2026, 6, 9)
            )
        services.booking_close(
            booking=booking, by=mentor_user, action_item="Ship it", due_date=date(2026, 6, 9)
        )
        services.action_item_mark_done(booking=booking, by=mentee)
        services.review_create(booking=booking, by=mentee, rating=5, text="Clear and kind")
        with pytest.raises(BookingError, match="already reviewed"):
            services.review_create(booking=booking, by=mentee, rating=1)
        services.review_reply(booking=booking, by=mentor_user, reply="Thank you!")
        with pytest.raises(BookingError, match="already replied"):
            services.review_reply(booking=booking, by=mentor_user, reply="Again")
    booking.refresh_from_db()
    mentor = booking.mentor
    mentor.refresh_from_db()
    assert booking.state == Booking.State.COMPLETED
    assert mentor.rating_count == 1 and mentor.rating_average == 5
    assert mentor.action_items_done_percent == 100


def test_a_review_needs_a_completed_session(mentee):
    booking = BookingFactory(mentee=mentee)
    with pytest.raises(BookingError, match="completed"):
        services.review_create(booking=booking, by=mentee, rating=4)


def test_no_show_reports_follow_the_window(mentee):
    start = datetime(2026, 6, 2, 8, 0, tzinfo=ZoneInfo("UTC"))
    booking = BookingFactory(mentee=mentee, starts_at=start, ends_at=start + timedelta(minutes=30))
    mentor_user = booking.mentor.user
    with pytest.raises(BookingError, match="10 minutes"):
        services.booking_report_no_show(booking=booking, by=mentor_user, now=start + timedelta(minutes=5))
    with pytest.raises(BookingError, match="24 hours"):
        services.booking_report_no_show(booking=booking, by=mentor_user, now=start + timedelta(hours=25))
    services.booking_report_no_show(booking=booking, by=mentor_user, now=start + timedelta(minutes=11))
    booking.refresh_from_db()
    assert booking.state == Booking.State.NO_SHOW_MENTEE


def test_a_hidden_review_no_longer_counts_in_the_rating(mentee):
    from sessions.models import Review

    booking = BookingFactory(mentee=mentee, state=Booking.State.COMPLETED)
    review = Review.objects.create(booking=booking, rating=1)
    services.review_set_hidden(review=review, hidden=False)
    booking.mentor.refresh_from_db()
    assert booking.mentor.rating_count == 1
    services.review_set_hidden(review=review, hidden=True)
    booking.mentor.refresh_from_db()
    assert booking.mentor.rating_count == 0 and booking.mentor.rating_average is None
