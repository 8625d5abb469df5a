from datetime import datetime

from django.db.models import Count, QuerySet

from .models import BusyInterval, CalendarConnection


def imported_busy(*, mentor_ids: list[int], start: datetime, end: datetime) -> QuerySet:
    """Busy time read from the mentors' own calendars overlapping [start, end), as (mentor id,
    starts_at, ends_at): it blocks their slots like a booking (sessions.hooks.busy_elsewhere)."""
    return BusyInterval.objects.filter(
        mentor_id__in=mentor_ids, ends_at__gt=start, starts_at__lt=end
    ).values_list("mentor_id", "starts_at", "ends_at")


def mentor_connections(*, mentor_id: int) -> QuerySet[CalendarConnection]:
    rows = CalendarConnection.objects.filter(mentor_id=mentor_id).annotate(busy_count=Count("busy"))
    return rows.order_by("created_at", "pk")  # Meta.ordering is dropped from GROUP BY queries


def due_connection_ids(*, now: datetime) -> list[int]:
    return list(CalendarConnection.objects.filter(next_sync_at__lte=now).values_list("pk", flat=True))
