from datetime import datetime

from django.db.models import Count, Exists, OuterRef, QuerySet

from core.db import epoch_span
from sessions.models import Booking

from .models import BusyInterval, CalendarConnection, Clash


def imported_busy(*, mentor_ids: list[int], start: datetime, end: datetime) -> QuerySet:
    """Busy time read from the mentors' own calendars overlapping [start, end), as (mentor id,
    start, end) in epoch seconds: it blocks their slots like a booking (sessions.hooks.busy_elsewhere)."""
    return BusyInterval.objects.filter(
        mentor_id__in=mentor_ids, ends_at__gt=start, starts_at__lt=end
    ).values_list("mentor_id", *epoch_span("starts_at", "ends_at"))


def mentor_connections(*, mentor_id: int) -> QuerySet[CalendarConnection]:
    rows = CalendarConnection.objects.filter(mentor_id=mentor_id).annotate(busy_count=Count("busy"))
    return rows.order_by("created_at", "pk")  # Meta.ordering is dropped from GROUP BY queries


def due_connection_ids(*, now: datetime) -> list[int]:
    return list(CalendarConnection.objects.filter(next_sync_at__lte=now).values_list("pk", flat=True))


def bookings_overlapping_busy(*, connection_id: int, mentor_id: int, now: datetime) -> list[int]:
    """The mentor's confirmed sessions still to come that this calendar's busy time overlaps."""
    busy = BusyInterval.objects.filter(
        connection_id=connection_id, starts_at__lt=OuterRef("ends_at"), ends_at__gt=OuterRef("starts_at")
    )
    rows = Booking.objects.filter(mentor_id=mentor_id, state=Booking.State.CONFIRMED, ends_at__gt=now)
    return list(rows.filter(Exists(busy)).values_list("pk", flat=True))


def mentor_clashes(*, mentor_id: int, now: datetime) -> list[Clash]:
    """What the mentor's dashboard warns of: confirmed sessions to come that a connected calendar
    now shows as busy, soonest first."""
    return list(
        Clash.objects.filter(
            connection__mentor_id=mentor_id, booking__state=Booking.State.CONFIRMED, booking__ends_at__gt=now
        )
        .select_related("connection", "booking__offering", "booking__mentee")
        .order_by("booking__starts_at")
    )
