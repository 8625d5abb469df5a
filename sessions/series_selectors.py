"""Reads about weekly series for the staff insight page (dashboard/insights.py)."""

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from .models import Booking, BookingSeries

KEPT = (Booking.State.CONFIRMED, Booking.State.COMPLETED, Booking.State.NO_SHOW_MENTEE)
CANCELLED = (Booking.State.CANCELLED_BY_MENTEE, Booking.State.CANCELLED_BY_MENTOR)


def series_by_month() -> list[dict]:
    """Weekly series booked, by the month they were booked.

    For series booked in month M (UTC): the series, the distinct mentees who booked them
    (recurring mentees), their sessions booked (holds never paid left out), the sessions cancelled
    (by either side, from any occurrence onwards or one by one), and the share kept = sessions not
    cancelled / sessions booked.
    """
    booked = Q(occurrences__state__in=KEPT + CANCELLED)
    rows = (
        BookingSeries.objects.annotate(month=TruncMonth("created_at", tzinfo=dt.UTC))
        .values("month")
        .annotate(
            series=Count("pk", distinct=True),
            mentees=Count("mentee", distinct=True),
            sessions=Count("occurrences", filter=booked),
            cancelled=Count("occurrences", filter=Q(occurrences__state__in=CANCELLED)),
        )
        .order_by("month")
    )
    return [
        {
            "month": r["month"].strftime("%Y-%m") if r["month"] else "",
            "series": r["series"],
            "mentees": r["mentees"],
            "sessions": r["sessions"],
            "cancelled": r["cancelled"],
            "kept": r["sessions"] - r["cancelled"],
            "rate": round(100 * (r["sessions"] - r["cancelled"]) / r["sessions"], 1)
            if r["sessions"]
            else None,
        }
        for r in rows
    ]
