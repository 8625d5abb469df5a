"""Reading a mentor's own calendar into busy time, and keeping its connection's state in words."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mentors.models import MentorProfile
from sessions.previews import mentor_refresh_free_slots_later

from . import tasks
from .feeds import FeedError, busy_intervals
from .fetch import FetchError, fetch_feed, networks
from .models import BusyInterval, CalendarConnection, Clash
from .selectors import bookings_overlapping_busy, due_connection_ids

SYNC_EVERY = timedelta(minutes=5)
FAILURES_BEFORE_MAIL = 3
# Busy time is read a little past the mentor's booking horizon, so a feed that has not changed
# (304) still covers the horizon for a day before it must be read in full again.
MARGIN = timedelta(days=2)


def connect_feed(*, mentor: MentorProfile, name: str, url: str) -> CalendarConnection:
    """A new subscription feed, read at once in the background."""
    with transaction.atomic():
        connection = CalendarConnection.objects.create(mentor=mentor, name=name, url=url)
        tasks.sync_calendar.delay_on_commit(connection.pk)
    return connection


def disconnect(*, connection: CalendarConnection) -> None:
    """Forget the calendar and the busy time read from it; the freed slots show again."""
    mentor_id = connection.mentor_id
    with transaction.atomic():
        connection.delete()
        mentor_refresh_free_slots_later(mentor_id=mentor_id)


def sync_now(*, connection: CalendarConnection) -> None:
    with transaction.atomic():
        CalendarConnection.objects.filter(pk=connection.pk).update(next_sync_at=timezone.now())
        tasks.sync_calendar.delay_on_commit(connection.pk)


def sync_connection(*, connection_id: int, now: datetime | None = None) -> None:
    """Read the calendar, replace its busy time, record how it went. A failure keeps the busy
    time last read (a calendar that cannot be read does not free the mentor's time); the third
    failure in a row e-mails the mentor, once until a read succeeds again."""
    now = now or timezone.now()
    connection = CalendarConnection.objects.select_related("mentor").filter(pk=connection_id).first()
    if connection is None:
        return  # disconnected meanwhile
    mentor = connection.mentor
    until = now + timedelta(days=mentor.horizon_days) + MARGIN
    covered = connection.expanded_until is not None and connection.expanded_until >= until - MARGIN / 2
    try:
        fetched = fetch_feed(
            connection.url,
            etag=connection.etag if covered else "",
            last_modified=connection.last_modified if covered else "",
            allowed_networks=networks(settings.CALENDAR_FEEDS_ALLOWED_NETWORKS),
        )
        intervals = None
        if fetched.body is not None:
            intervals = busy_intervals(fetched.body, zone=mentor.zone, start=now, end=until)
    except (FetchError, FeedError) as error:
        _record_failure(connection_id=connection_id, error=str(error), now=now)
        return

    with transaction.atomic():
        connection = CalendarConnection.objects.select_for_update().filter(pk=connection_id).first()
        if connection is None:
            return
        if intervals is not None:
            connection.busy.all().delete()
            BusyInterval.objects.bulk_create(
                BusyInterval(connection=connection, mentor_id=mentor.pk, starts_at=lo, ends_at=hi)
                for lo, hi in intervals
            )
            connection.etag, connection.last_modified = fetched.etag[:200], fetched.last_modified[:64]
            connection.expanded_until = until
        connection.last_synced_at = connection.last_attempt_at = now
        connection.next_sync_at = now + SYNC_EVERY
        connection.last_error, connection.failures, connection.failure_mailed = "", 0, False
        connection.save()
        if intervals is not None:
            mentor_refresh_free_slots_later(mentor_id=mentor.pk)
            _note_clashes(connection=connection, now=now)


def _note_clashes(*, connection: CalendarConnection, now: datetime) -> None:
    """Confirmed sessions the calendar now shows as busy are kept (the mentor decides) and the
    mentor is e-mailed once about those newly found; clashes whose event went away are forgotten."""
    overlapping = set(
        bookings_overlapping_busy(connection_id=connection.pk, mentor_id=connection.mentor_id, now=now)
    )
    Clash.objects.filter(connection=connection).exclude(booking_id__in=overlapping).delete()
    known = set(Clash.objects.filter(connection=connection).values_list("booking_id", flat=True))
    new = overlapping - known
    if new:
        Clash.objects.bulk_create(Clash(connection=connection, booking_id=pk, found_at=now) for pk in new)
        tasks.send_clashes_found.delay_on_commit(connection.pk, sorted(str(pk) for pk in new))


def _record_failure(*, connection_id: int, error: str, now: datetime) -> None:
    with transaction.atomic():
        connection = CalendarConnection.objects.select_for_update().filter(pk=connection_id).first()
        if connection is None:
            return
        connection.last_attempt_at = now
        connection.next_sync_at = now + SYNC_EVERY
        connection.last_error = error[:300]
        connection.failures += 1
        if connection.failures >= FAILURES_BEFORE_MAIL and not connection.failure_mailed:
            connection.failure_mailed = True
            tasks.send_sync_failing.delay_on_commit(connection.pk)
        connection.save()


def sync_due(*, now: datetime | None = None) -> int:
    """Queue a read of every connection that is due; how many were queued."""
    now = now or timezone.now()
    due = due_connection_ids(now=now)
    for pk in due:
        tasks.sync_calendar.delay(pk)
    return len(due)
