"""Reading a mentor's own calendar into busy time, and keeping its connection's state in words."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cohorts.models import CohortEvent
from core.netguard import Networks, networks
from mentors.models import MentorProfile
from sessions.models import Booking
from sessions.previews import mentor_refresh_free_slots_later

from . import dav, google, tasks
from .feeds import FeedError, busy_intervals
from .fetch import FetchError, fetch_feed
from .models import BusyInterval, CalendarConnection, Clash
from .selectors import bookings_overlapping_busy, due_connection_ids

SYNC_EVERY = timedelta(minutes=5)
FAILURES_BEFORE_MAIL = 3
# Busy time is read a little past the mentor's booking horizon, so a feed that has not changed
# (304) still covers the horizon for a day before it must be read in full again.
MARGIN = timedelta(days=2)


def allowed_networks() -> Networks:
    return networks(settings.CALENDAR_FEEDS_ALLOWED_NETWORKS)


def account(connection: CalendarConnection) -> dav.Account:
    return dav.Account(url=connection.url, username=connection.username, password=connection.password)


def connect_feed(*, mentor: MentorProfile, name: str, url: str) -> CalendarConnection:
    """A new subscription feed, read at once in the background."""
    with transaction.atomic():
        connection = CalendarConnection.objects.create(mentor=mentor, name=name, url=url)
        tasks.sync_calendar.delay_on_commit(connection.pk)
    return connection


def connect_caldav(
    *, mentor: MentorProfile, name: str, url: str, username: str, password: str
) -> CalendarConnection:
    """Sign in to the CalDAV account and list its calendars (raises FetchError, in words, and saves
    nothing when that fails); every calendar counts as busy until the mentor chooses."""
    found = dav.discover(
        dav.Account(url=url, username=username, password=password), allowed=allowed_networks()
    )
    with transaction.atomic():
        connection = CalendarConnection.objects.create(
            mentor=mentor,
            kind=CalendarConnection.Kind.CALDAV,
            name=name,
            url=url,
            username=username,
            password=password,
            calendars=found,
            busy_calendars=[c["url"] for c in found],
        )
        tasks.sync_calendar.delay_on_commit(connection.pk)
    return connection


def connect_google(
    *, mentor: MentorProfile, code: str, redirect_uri: str, reconnect_id: int | None = None
) -> CalendarConnection:
    """The mentor granted access at Google: store the tokens and list the calendars (the primary
    counts as busy until they choose). `reconnect_id` renews the grant of one of theirs instead."""
    session = google.Session(json.dumps(google.exchange_code(code=code, redirect_uri=redirect_uri)))
    found = google.calendars(session)
    with transaction.atomic():
        connection = CalendarConnection.objects.filter(
            pk=reconnect_id or 0, mentor=mentor, kind=CalendarConnection.Kind.GOOGLE
        ).first() or CalendarConnection(
            mentor=mentor,
            kind=CalendarConnection.Kind.GOOGLE,
            name="Google Calendar",
            url=settings.GOOGLE_CALENDAR_API,
            busy_calendars=[c["url"] for c in found if c["primary"]],
        )
        connection.tokens = session.tokens_json
        connection.calendars = [{"url": c["url"], "name": c["name"]} for c in found]
        connection.needs_reconnect, connection.last_error, connection.failures = False, "", 0
        connection.next_sync_at = timezone.now()
        connection.save()
        tasks.sync_calendar.delay_on_commit(connection.pk)
    return connection


def choose_calendars(*, connection: CalendarConnection, busy: list[str], write: str) -> None:
    """Which of the account's calendars count as busy, and which one receives the sessions (none:
    ""); read again at once, and every session still to come written to the new one."""
    known = {c["url"] for c in connection.calendars}
    with transaction.atomic():
        connection.busy_calendars = [url for url in busy if url in known]
        connection.write_calendar = write if write in known else ""
        connection.next_sync_at = timezone.now()
        connection.save(update_fields=["busy_calendars", "write_calendar", "next_sync_at"])
        tasks.sync_calendar.delay_on_commit(connection.pk)
        if connection.write_calendar:
            for pk in Booking.objects.filter(
                mentor_id=connection.mentor_id, state=Booking.State.CONFIRMED, ends_at__gt=timezone.now()
            ).values_list("pk", flat=True):
                tasks.push_booking.delay_on_commit(str(pk))
            for pk in (
                CohortEvent.objects.filter(
                    cohort__facilitator_id=connection.mentor_id, ends_at__gt=timezone.now()
                )
                .order_by("cohort_id")  # not the model's ordering, which DISTINCT would keep apart
                .values_list("cohort_id", flat=True)
                .distinct()
            ):
                tasks.push_cohort.delay_on_commit(pk)


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
    etag, last_modified = connection.etag, connection.last_modified
    try:
        if connection.kind == CalendarConnection.Kind.GOOGLE:
            session = google.Session(connection.tokens)
            intervals = google.busy(session, connection.busy_calendars, start=now, end=until)
            keep_tokens(connection, session)
        elif connection.kind == CalendarConnection.Kind.CALDAV:
            intervals = dav.busy(
                account(connection),
                connection.busy_calendars,
                zone=mentor.zone,
                start=now,
                end=until,
                allowed=allowed_networks(),
            )
        else:
            fetched = fetch_feed(
                connection.url,
                etag=etag if covered else "",
                last_modified=last_modified if covered else "",
                allowed_networks=allowed_networks(),
            )
            etag, last_modified = fetched.etag, fetched.last_modified
            intervals = None
            if fetched.body is not None:
                intervals = busy_intervals(fetched.body, zone=mentor.zone, start=now, end=until)
    except (FetchError, FeedError) as error:
        revoked = isinstance(error, google.GrantRevoked)
        _record_failure(connection_id=connection_id, error=str(error), now=now, revoked=revoked)
        return

    with transaction.atomic():
        connection = CalendarConnection.objects.select_for_update().filter(pk=connection_id).first()
        if connection is None:
            return
        changed = intervals is not None and intervals != _stored(connection, now=now)
        if changed:
            connection.busy.all().delete()
            BusyInterval.objects.bulk_create(
                BusyInterval(connection=connection, mentor_id=mentor.pk, starts_at=lo, ends_at=hi)
                for lo, hi in intervals
            )
        if intervals is not None:
            connection.etag, connection.last_modified = etag[:200], last_modified[:64]
            connection.expanded_until = until
        connection.last_synced_at = connection.last_attempt_at = now
        connection.next_sync_at = now + SYNC_EVERY
        connection.last_error, connection.failures = "", 0
        connection.save()
        if changed:  # a CalDAV or Google read every 5 minutes mostly finds the same busy time
            mentor_refresh_free_slots_later(mentor_id=mentor.pk)
            _note_clashes(connection=connection, now=now)


def _stored(connection: CalendarConnection, *, now: datetime) -> list[tuple[datetime, datetime]]:
    """The busy time read last, as a read at `now` would give it (clipped at `now`, like a read)."""
    rows = connection.busy.filter(ends_at__gt=now).order_by("starts_at").values_list("starts_at", "ends_at")
    return [(max(lo, now), hi) for lo, hi in rows]


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


def keep_tokens(connection: CalendarConnection, session: google.Session) -> None:
    """Store a refreshed access token at once (Google may not send the refresh token again)."""
    if session.tokens_json != connection.tokens:
        connection.tokens = session.tokens_json
        CalendarConnection.objects.filter(pk=connection.pk).update(
            tokens=session.tokens_json
        )  # encrypted too


def _record_failure(*, connection_id: int, error: str, now: datetime, revoked: bool = False) -> None:
    with transaction.atomic():
        connection = CalendarConnection.objects.select_for_update().filter(pk=connection_id).first()
        if connection is None:
            return
        connection.last_attempt_at = now
        connection.next_sync_at = now + SYNC_EVERY
        connection.last_error = error[:300]
        connection.failures += 1
        connection.needs_reconnect = connection.needs_reconnect or revoked
        if connection.failures == FAILURES_BEFORE_MAIL:  # once per run of failures: a read resets it
            tasks.send_sync_failing.delay_on_commit(connection.pk)
        connection.save()


def sync_due(*, now: datetime | None = None) -> int:
    """Queue a read of every connection that is due; how many were queued."""
    now = now or timezone.now()
    due = due_connection_ids(now=now)
    for pk in due:
        tasks.sync_calendar.delay(pk)
    return len(due)
