"""Weekly recurring 1:1s (sessions/services/series.py): the dates follow the mentor's wall clock
across DST, the preview marks what is not free, booking is all or nothing under the mentor's
lock, packs and credits are spent one per occurrence, and a series is cancelled onwards."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from sessions import services
from sessions.models import Booking, BookingSeries
from sessions.series_selectors import series_by_month
from sessions.services import BookingError, BookingRequest
from tests.factories import BookingFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


def request_at(starts_at):
    return BookingRequest(
        starts_at=starts_at, outcome="A plan for the quarter", prework_answers=["Two offers", "Growth"]
    )


def book_series(offering, mentee, first, weeks=4, dates=None, **options):
    starts = services.series.series_starts(mentor=offering.mentor, first=first, weeks=weeks)
    return services.series_create(
        offering=offering,
        mentee=mentee,
        request=request_at(first),
        weeks=weeks,
        dates=starts if dates is None else dates,
        **options,
    )


# --- the dates --------------------------------------------------------------------------------


@time_machine.travel(datetime(2026, 10, 12, 6, 0, tzinfo=UTC), tick=False)
def test_a_series_across_the_mentors_dst_change_keeps_the_mentors_wall_clock(offering, mentee):
    # Berlin leaves summer time on 25 October, New York on 1 November.
    first = datetime(2026, 10, 13, 10, 0, tzinfo=BERLIN)
    series = book_series(offering, mentee, first, weeks=4)
    bookings = list(series.occurrences.order_by("starts_at"))
    assert [b.starts_at.astimezone(BERLIN).strftime("%a %H:%M") for b in bookings] == ["Tue 10:00"] * 4
    assert [b.starts_at.astimezone(UTC).hour for b in bookings] == [8, 8, 9, 9]
    # The mentee's clock moves when only one of the two zones has changed.
    assert [b.starts_at.astimezone(NEW_YORK).hour for b in bookings] == [4, 4, 5, 4]
    assert all(b.state == Booking.State.CONFIRMED for b in bookings)


@time_machine.travel(datetime(2026, 2, 23, 6, 0, tzinfo=UTC), tick=False)
def test_a_series_across_a_change_in_the_mentees_zone_only_keeps_the_mentors_time(offering, mentee):
    # New York starts summer time on 8 March; Berlin not until 29 March.
    first = datetime(2026, 2, 24, 10, 0, tzinfo=BERLIN)
    series = book_series(offering, mentee, first, weeks=4)
    bookings = list(series.occurrences.order_by("starts_at"))
    assert {b.starts_at.astimezone(UTC).hour for b in bookings} == {9}
    assert {b.starts_at.astimezone(BERLIN).hour for b in bookings} == {10}
    assert [b.starts_at.astimezone(NEW_YORK).hour for b in bookings] == [4, 4, 5, 5]
    assert [(b.starts_at - bookings[0].starts_at).days for b in bookings] == [0, 7, 14, 21]


@time_machine.travel(datetime(2026, 6, 1, 6, 0, tzinfo=UTC), tick=False)
def test_the_preview_marks_a_date_that_is_not_free_and_beyond_the_horizon(offering, mentee):
    first = datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN)
    BookingFactory(offering=offering, starts_at=first + timedelta(weeks=2))
    preview = services.series_preview(offering=offering, first=first, weeks=12)
    assert [o.free for o in preview[:4]] == [True, True, False, True]
    assert preview[-1].free is False  # 11 weeks ahead: past the mentor's 60-day horizon
    with pytest.raises(BookingError, match="between 2 and 12"):
        services.series_preview(offering=offering, first=first, weeks=13)


# --- booking ----------------------------------------------------------------------------------


@time_machine.travel(datetime(2026, 6, 1, 6, 0, tzinfo=UTC), tick=False)
def test_the_mentee_goes_on_without_the_taken_date_and_gets_one_email_listing_the_others(
    offering, mentee, django_capture_on_commit_callbacks
):
    first = datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN)
    BookingFactory(offering=offering, starts_at=first + timedelta(weeks=1))
    free = [o.starts_at for o in services.series_preview(offering=offering, first=first, weeks=4) if o.free]
    with django_capture_on_commit_callbacks(execute=True):
        series = book_series(offering, mentee, first, weeks=4, dates=free)
    assert series.occurrences.count() == 3
    assert series.weeks_asked == 4
    to_mentee = [m for m in mail.outbox if m.to == [mentee.email]]
    assert len(to_mentee) == 1 and "3 weekly sessions" in to_mentee[0].subject
    ics = to_mentee[0].attachments[0][1]
    assert str(ics).count("BEGIN:VEVENT") == 3
    assert len(mail.outbox) == 2  # the mentor's copy; no e-mail per occurrence


@time_machine.travel(datetime(2026, 6, 1, 6, 0, tzinfo=UTC), tick=False)
def test_a_date_taken_between_preview_and_booking_books_nothing(offering, mentee):
    first = datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN)
    starts = services.series.series_starts(mentor=offering.mentor, first=first, weeks=4)
    BookingFactory(offering=offering, starts_at=starts[2])  # taken after the preview
    with pytest.raises(BookingError, match="taken a moment ago, so nothing was booked") as error:
        book_series(offering, mentee, first, weeks=4, dates=starts)
    assert error.value.field == "dates"
    assert not BookingSeries.objects.exists()
    assert Booking.objects.filter(mentee=mentee).count() == 0


@time_machine.travel(datetime(2026, 6, 1, 6, 0, tzinfo=UTC), tick=False)
def test_dates_not_on_the_weekly_pattern_intro_calls_requests_and_codes_are_refused(offering, mentee):
    first = datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN)
    with pytest.raises(BookingError, match="weekly list"):
        book_series(offering, mentee, first, dates=[first + timedelta(days=1)])
    with pytest.raises(BookingError, match="at least one"):
        book_series(offering, mentee, first, dates=[])
    with pytest.raises(BookingError, match="Promotion codes"):
        book_series(offering, mentee, first, code="SPRING")
    intro = OfferingFactory(mentor=offering.mentor, is_intro=True)
    with pytest.raises(BookingError, match="intro call"):
        book_series(intro, mentee, first)
    approval = OfferingFactory(mentor=offering.mentor, requires_approval=True)
    with pytest.raises(BookingError, match="send a request for one session first"):
        book_series(approval, mentee, first)
    assert not Booking.objects.exists()


@time_machine.travel(datetime(2026, 6, 1, 6, 0, tzinfo=UTC), tick=False)
def test_a_paid_series_is_held_together_while_the_mentee_pays(mentee):
    offering = OfferingFactory(price_amount=4500)
    series = book_series(offering, mentee, datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN), weeks=3)
    states = set(series.occurrences.values_list("state", "hold_expires_at", "price_amount"))
    assert states == {(Booking.State.HELD, datetime(2026, 6, 1, 6, 30, tzinfo=UTC), 4500)}
    assert services.series_release_holds(series=series, note="checkout abandoned") == 3
    assert set(series.occurrences.values_list("state", flat=True)) == {Booking.State.EXPIRED}


# --- cancelling onwards -----------------------------------------------------------------------


@time_machine.travel(datetime(2026, 6, 1, 6, 0, tzinfo=UTC), tick=False)
def test_cancelling_from_the_second_onwards_cancels_each_by_the_policy_with_one_email(
    offering, mentee, django_capture_on_commit_callbacks
):
    series = book_series(offering, mentee, datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN), weeks=4)
    bookings = list(series.occurrences.order_by("starts_at"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.series_cancel_from(booking=bookings[1], by=mentee)
    assert [b.pk for b in cancelled] == [b.pk for b in bookings[1:]]
    states = [b.state for b in series.occurrences.order_by("starts_at")]
    assert states == [Booking.State.CONFIRMED] + [Booking.State.CANCELLED_BY_MENTEE] * 3
    assert len(mail.outbox) == 2 and "3 weekly sessions" in mail.outbox[0].subject
    with pytest.raises(BookingError, match="Nothing from this date on"):
        services.series_cancel_from(booking=bookings[2], by=mentee)


@time_machine.travel(datetime(2026, 6, 1, 6, 0, tzinfo=UTC), tick=False)
def test_the_mentor_can_cancel_onwards_and_nobody_else(offering, mentee):
    series = book_series(offering, mentee, datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN), weeks=2)
    first = series.occurrences.order_by("starts_at").first()
    with pytest.raises(BookingError, match="Only the mentee or the mentor"):
        services.series_cancel_from(booking=first, by=UserFactory())
    services.series_cancel_from(booking=first, by=offering.mentor.user)
    assert set(series.occurrences.values_list("state", flat=True)) == {Booking.State.CANCELLED_BY_MENTOR}


# --- the pages --------------------------------------------------------------------------------


def _form(first, **extra):
    data = {
        "starts_at": first.isoformat(),
        "outcome": "A plan",
        "prework_0": "a",
        "prework_1": "b",
        "weeks": "4",
        "context_notes": "",
        "links": "",
    }
    data.update(extra)
    return data


@time_machine.travel(datetime(2026, 6, 1, 6, 0, tzinfo=UTC), tick=False)
def test_the_preview_page_lists_the_dates_and_booking_goes_on_without_the_taken_one(
    client, offering, mentee, django_capture_on_commit_callbacks
):
    first = datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN)
    BookingFactory(offering=offering, starts_at=first + timedelta(weeks=1))
    client.force_login(mentee)
    page = client.post(reverse("sessions:series_preview", args=[offering.slug]), _form(first))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('name="dates"') == 4 and "1 date is not free" in html
    free = [o.value for o in services.series_preview(offering=offering, first=first, weeks=4) if o.free]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sessions:series_book", args=[offering.slug]), {**_form(first), "dates": free}
        )
    assert response.status_code == 302
    series = BookingSeries.objects.get()
    assert series.occurrences.count() == 3
    page = client.get(series.occurrences.order_by("starts_at").first().get_absolute_url()).content.decode()
    assert "Weekly series · 3 sessions" in page and "Cancel this and later sessions" in page


@time_machine.travel(datetime(2026, 6, 1, 6, 0, tzinfo=UTC), tick=False)
def test_bad_series_input_is_a_message_next_to_the_field_and_books_nothing(client, offering, mentee):
    first = datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN)
    client.force_login(mentee)
    response = client.post(reverse("sessions:series_preview", args=[offering.slug]), _form(first, weeks="40"))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        reverse("sessions:series_book", args=[offering.slug]), {**_form(first), "dates": ["nonsense"]}
    )
    assert response.status_code == 400 and "weekly list" in response.content.decode()
    response = client.post(reverse("sessions:series_book", args=[offering.slug]), _form(first))
    assert response.status_code == 400 and "at least one" in response.content.decode()
    assert not Booking.objects.exists()


@time_machine.travel(datetime(2026, 6, 1, 6, 0, tzinfo=UTC), tick=False)
def test_cancel_onwards_is_refused_to_strangers_with_a_404(client, offering, mentee):
    series = book_series(offering, mentee, datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN), weeks=2)
    first = series.occurrences.order_by("starts_at").first()
    client.force_login(UserFactory())
    assert client.post(reverse("sessions:series_cancel", args=[first.pk])).status_code == 404
    client.force_login(mentee)
    response = client.post(reverse("sessions:series_cancel", args=[first.pk]))
    assert response.status_code == 302
    assert set(series.occurrences.values_list("state", flat=True)) == {Booking.State.CANCELLED_BY_MENTEE}


@time_machine.travel(datetime(2026, 6, 1, 6, 0, tzinfo=UTC), tick=False)
def test_the_insight_figure_counts_series_recurring_mentees_and_sessions_kept(offering, mentee):
    series = book_series(offering, mentee, datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN), weeks=4)
    services.series_cancel_from(booking=series.occurrences.order_by("starts_at")[3], by=mentee)
    book_series(offering, UserFactory(), datetime(2026, 6, 3, 10, 0, tzinfo=BERLIN), weeks=2)
    (row,) = series_by_month()
    assert row == {
        "month": "2026-06",
        "series": 2,
        "mentees": 2,
        "sessions": 6,
        "cancelled": 1,
        "kept": 5,
        "rate": 83.3,
    }
