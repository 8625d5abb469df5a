"""How requests to book are answered: per month, how many were accepted, declined or lapsed, and
the median time mentors took to answer. Read by the staff insight page (all mentors) and by a
mentor's own requests page (theirs)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth

from mentors.models import MentorProfile

from .models import BookingApproval

Decision = BookingApproval.Decision
ANSWERED = (Decision.ACCEPTED, Decision.DECLINED)


def _median_hours(rows) -> float | None:
    """The median answer time of these answered requests, in hours (one decimal): the middle one
    or two rows by duration, asked of the database in order, not a loop over every row."""
    waited = rows.annotate(
        waited=ExpressionWrapper(F("decided_at") - F("requested_at"), output_field=DurationField())
    )
    total = waited.count()
    if not total:
        return None
    middle = list(
        waited.order_by("waited").values_list("waited", flat=True)[(total - 1) // 2 : total // 2 + 1]
    )
    mean = sum(middle, timedelta()) / len(middle)
    return round(mean.total_seconds() / 3600, 1)


# The columns of a month's row (the staff insight page's table and CSV).
REQUEST_COLUMNS = (
    "month",
    "requests",
    "accepted",
    "declined",
    "lapsed",
    "withdrawn",
    "decided",
    "rate",
    "median_hours",
)


def request_outcomes_by_month(*, mentor: MentorProfile | None = None) -> list[dict[str, object]]:
    """Requests to book, by the month they were sent.

    Requests sent to mentors (an offering that needs the mentor's approval), and how each ended:
    accepted, declined, lapsed after 48 hours (or the session's start) without an answer, or
    withdrawn by the mentee; the share accepted of those decided, and the median time from the
    request to the mentor's answer (accepted or declined), in hours.
    """
    sent = BookingApproval.objects.filter(requested_at__isnull=False)
    if mentor is not None:
        sent = sent.filter(booking__mentor=mentor)
    months = (
        sent.annotate(month=TruncMonth("requested_at"))
        .values("month")
        .annotate(
            requests=Count("pk"),
            accepted=Count("pk", filter=Q(decision=Decision.ACCEPTED)),
            declined=Count("pk", filter=Q(decision=Decision.DECLINED)),
            lapsed=Count("pk", filter=Q(decision=Decision.LAPSED)),
            withdrawn=Count("pk", filter=Q(decision=Decision.WITHDRAWN)),
        )
        .order_by("month")
    )
    rows = []
    for month in months:
        start = month["month"]
        decided = month["accepted"] + month["declined"] + month["lapsed"]
        answered = sent.filter(
            requested_at__gte=start,
            requested_at__lt=(start + timedelta(days=32)).replace(day=1),
            decision__in=ANSWERED,
        )
        rows.append(
            {
                "month": start.strftime("%Y-%m"),
                "requests": month["requests"],
                "accepted": month["accepted"],
                "declined": month["declined"],
                "lapsed": month["lapsed"],
                "withdrawn": month["withdrawn"],
                "decided": decided,
                "rate": round(100 * month["accepted"] / decided, 1) if decided else None,
                "median_hours": _median_hours(answered),
            }
        )
    return rows
