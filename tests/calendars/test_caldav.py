"""CalDAV against Radicale, a real CalDAV server: sign in, choose calendars, busy time in, sessions
out (created on booking, moved on reschedule, removed on cancellation), never read back as busy."""

from datetime import time, timedelta

import icalendar
import pytest

from calendars import services, writing
from calendars.fetch import FetchError
from calendars.models import BusyInterval, CalendarConnection
from sessions.services import BookingRequest, booking_cancel, booking_create, booking_reschedule
from tests.calendars.helpers import a_weekday, berlin, feed, starts
from tests.calendars.radicale_server import PASSWORD, USER
from tests.factories import OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering():
    return OfferingFactory(duration_minutes=60)


def connect(offering, radicale, capture, password=PASSWORD) -> CalendarConnection:
    with capture(execute=True):
        return services.connect_caldav(
            mentor=offering.mentor, name="Fastmail", url=radicale.url, username=USER, password=password
        )


def events_in(calendar) -> dict[str, tuple]:
    """UID -> (start, end, summary, description) of the events now in a Radicale calendar."""
    found = {}
    for obj in calendar.events():
        for event in icalendar.Calendar.from_ical(obj.data).walk("VEVENT"):
            found[str(event["uid"])] = (
                event.decoded("dtstart"),
                event.decoded("dtend"),
                str(event["summary"]),
                str(event["description"]),
            )
    return found


def test_a_wrong_app_password_is_told_and_saves_nothing(
    offering, radicale, django_capture_on_commit_callbacks
):
    radicale.make_calendar("Work")
    with pytest.raises(FetchError, match="refused the user name or app password"):
        connect(offering, radicale, django_capture_on_commit_callbacks, password="wrong")
    assert not CalendarConnection.objects.exists()


def test_busy_time_comes_from_the_chosen_calendars_only(
    offering, radicale, django_capture_on_commit_callbacks
):
    day = a_weekday()
    work, family = radicale.make_calendar("Work"), radicale.make_calendar("Family")
    work.save_event(feed((berlin(day, 10), berlin(day, 11))).decode())
    family.save_event(feed((berlin(day, 14), berlin(day, 15))).decode().replace("event-0@", "family-0@"))

    connection = connect(offering, radicale, django_capture_on_commit_callbacks)
    assert sorted(c["name"] for c in connection.calendars) == ["Family", "Work"]
    free = starts(offering, day)
    assert "10:00" not in free and "14:00" not in free  # every calendar counts until chosen

    with django_capture_on_commit_callbacks(execute=True):
        services.choose_calendars(connection=connection, busy=[str(work.url)], write="")
    free = starts(offering, day)
    assert "10:00" not in free and "14:00" in free

    # An event added in the calendar takes its slot away after one sync.
    work.save_event(feed((berlin(day, 16), berlin(day, 17))).decode().replace("event-0@", "later-0@"))
    services.sync_connection(connection_id=connection.pk)
    assert "16:00" not in starts(offering, day)


def test_sessions_are_written_moved_and_removed_and_never_read_back(
    offering, radicale, django_capture_on_commit_callbacks
):
    day = a_weekday()
    work = radicale.make_calendar("Work")
    connection = connect(offering, radicale, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.choose_calendars(connection=connection, busy=[str(work.url)], write=str(work.url))
    mentee = UserFactory(display_name="Ada Lovelace")
    request = BookingRequest(starts_at=berlin(day, 10), outcome="Pick one offer", prework_answers=["a", "b"])

    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(offering=offering, mentee=mentee, request=request)
    uid = f"booking-{booking.pk}@thementors"
    start, end, summary, description = events_in(work)[uid]
    assert (start, end) == (berlin(day, 10), berlin(day, 11))
    assert "Ada Lovelace" in summary
    assert "Pick one offer" in description and booking.join_url in description

    services.sync_connection(connection_id=connection.pk)
    assert not BusyInterval.objects.filter(connection=connection).exists()  # our own event is not busy

    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_reschedule(booking=booking, by=mentee, starts_at=berlin(day, 14))
    assert events_in(work)[uid][:2] == (berlin(day, 14), berlin(day, 14) + timedelta(hours=1))
    assert len(events_in(work)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, by=mentee)
    assert events_in(work) == {}


def test_choosing_a_calendar_to_write_to_writes_the_sessions_already_booked(
    offering, radicale, django_capture_on_commit_callbacks
):
    day = a_weekday()
    work = radicale.make_calendar("Work")
    connection = connect(offering, radicale, django_capture_on_commit_callbacks)
    request = BookingRequest(starts_at=berlin(day, 10), outcome="Pick one offer", prework_answers=["a", "b"])
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(offering=offering, mentee=UserFactory(), request=request)
    assert events_in(work) == {}

    with django_capture_on_commit_callbacks(execute=True):
        services.choose_calendars(connection=connection, busy=[], write=str(work.url))
    assert list(events_in(work)) == [f"booking-{booking.pk}@thementors"]


def test_a_calendar_that_cannot_be_written_says_why(offering, radicale, django_capture_on_commit_callbacks):
    day = a_weekday()
    work = radicale.make_calendar("Work")
    connection = connect(offering, radicale, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.choose_calendars(connection=connection, busy=[], write=str(work.url))
    CalendarConnection.objects.filter(pk=connection.pk).update(password="revoked")
    request = BookingRequest(starts_at=berlin(day, 10), outcome="Pick one offer", prework_answers=["a", "b"])
    booking = booking_create(offering=offering, mentee=UserFactory(), request=request)

    with pytest.raises(FetchError):
        writing.push_booking(booking_id=str(booking.pk))
    connection.refresh_from_db()
    assert connection.last_error == "Writing a session: The server refused the user name or app password."


def test_a_facilitators_cohort_events_are_written_and_a_cancelled_one_removed(
    radicale, django_capture_on_commit_callbacks
):
    from cohorts import services as cohorts
    from tests.cohorts.factories import CohortFactory

    cohort = CohortFactory()
    work = radicale.make_calendar("Work")
    connection = connect(
        OfferingFactory(mentor=cohort.facilitator), radicale, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.choose_calendars(connection=connection, busy=[], write=str(work.url))
    plan = cohorts.EventPlan(
        kind="office_hours", first_day=cohort.start_date, at=time(18), duration_minutes=60, weeks=2
    )

    with django_capture_on_commit_callbacks(execute=True):
        first, second = cohorts.event_series_create(cohort=cohort, by=cohort.facilitator.user, plan=plan)
    written = events_in(work)
    assert set(written) == {f"cohort-event-{first.pk}@thementors", f"cohort-event-{second.pk}@thementors"}
    assert written[f"cohort-event-{first.pk}@thementors"][0] == first.starts_at

    with django_capture_on_commit_callbacks(execute=True):
        cohorts.event_cancel(event=second, by=cohort.facilitator.user)
    assert set(events_in(work)) == {f"cohort-event-{first.pk}@thementors"}


def test_a_read_that_finds_the_same_busy_time_rewrites_nothing(
    offering, radicale, django_capture_on_commit_callbacks
):
    day = a_weekday()
    work = radicale.make_calendar("Work")
    work.save_event(feed((berlin(day, 10), berlin(day, 11))).decode())
    connection = connect(offering, radicale, django_capture_on_commit_callbacks)
    before = list(BusyInterval.objects.values_list("pk", "starts_at", "ends_at"))
    assert len(before) == 1

    with django_capture_on_commit_callbacks() as queued:
        services.sync_connection(connection_id=connection.pk)
    assert list(BusyInterval.objects.values_list("pk", "starts_at", "ends_at")) == before
    assert queued == []  # no free-slot refresh, no clash check: nothing changed

    work.save_event(feed((berlin(day, 14), berlin(day, 15))).decode().replace("event-0@", "more-0@"))
    with django_capture_on_commit_callbacks() as queued:
        services.sync_connection(connection_id=connection.pk)
    assert BusyInterval.objects.count() == 2 and queued  # the free-slot preview follows
