"""Recurring 1:1s: the same weekly time with the same mentor for 2 to 12 weeks, booked in one step.

Each occurrence is its own Booking (reminders, pre-work, close-out and review as usual), linked to
a BookingSeries. The weekly time is the same wall-clock time in the mentor's zone, so it follows
the mentor's DST changes; the mentee sees each date in their own zone. The dates are previewed
first (series_preview: which are not free); then every date the mentee kept is booked under one
lock of the mentor's row in one transaction, all or nothing (series_create). A series is cancelled
from any occurrence onwards in one step (series_cancel_from), each occurrence by the normal
policy. See docs/design/recurring-sessions.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.outbox import outbox_batch
from mentors.models import MentorProfile

from .. import tasks
from ..models import Booking, BookingSeries, Offering
from ..selectors import mentor_free_slots
from .base import SLOT_TAKEN, BookingError, State
from .booking import BookingRequest, booking_create, booking_release_hold
from .changes import booking_cancel

if TYPE_CHECKING:
    from accounts.models import User

MIN_WEEKS, MAX_WEEKS = 2, 12
SERIES_TAKEN = gettext_lazy(
    "%(when)s was taken a moment ago, so nothing was booked. Look at the dates again and go on "
    "without it, or pick another time."
)
NO_DATES = gettext_lazy("Keep at least one of the dates to book.")
NOT_A_DATE = gettext_lazy("Pick the dates from the weekly list shown.")
NO_INTRO_SERIES = gettext_lazy("An intro call is booked once per mentee: it cannot repeat weekly.")
NO_CODE_SERIES = gettext_lazy(
    "Promotion codes apply to single sessions: remove the code to book weekly sessions."
)
NO_REQUEST_SERIES = gettext_lazy(
    "This mentor approves each booking of this offering: send a request for one session first."
)


@dataclass(frozen=True)
class Occurrence:
    """One week of a series being previewed: its start and whether the mentor is free then."""

    starts_at: datetime
    free: bool

    @property
    def value(self) -> str:
        return self.starts_at.isoformat()


def series_starts(*, mentor: MentorProfile, first: datetime, weeks: int) -> list[datetime]:
    """The same wall-clock time in the mentor's zone on the same weekday for `weeks` weeks (UTC).
    A change of the mentor's UTC offset keeps their local time; the mentee's clock may move."""
    zone = mentor.zone
    local = first.astimezone(zone)
    day, clock = local.date(), local.time().replace(tzinfo=None, fold=0)
    starts = []
    for week in range(weeks):
        moment = datetime.combine(day + timedelta(weeks=week), clock, tzinfo=zone)
        starts.append(moment.astimezone(UTC))
    return starts


def _check_weeks(weeks: int) -> None:
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise BookingError(
            _("Book between %(min)s and %(max)s weeks.") % {"min": MIN_WEEKS, "max": MAX_WEEKS}, field="weeks"
        )


def series_preview(
    *, offering: Offering, first: datetime, weeks: int, now: datetime | None = None
) -> list[Occurrence]:
    """Every date of the series and whether it is free now (the slot engine, one pass over the
    whole span: two queries). A date beyond the mentor's horizon is not free."""
    _check_weeks(weeks)
    now = now or timezone.now()
    starts = series_starts(mentor=offering.mentor, first=first, weeks=weeks)
    free = set(
        mentor_free_slots(
            mentor=offering.mentor,
            duration=timedelta(minutes=offering.duration_minutes),
            start=starts[0],
            end=starts[-1] + timedelta(minutes=1),
            now=now,
        )
    )
    return [Occurrence(starts_at=start, free=start in free) for start in starts]


def series_create(
    *,
    offering: Offering,
    mentee: User,
    request: BookingRequest,
    weeks: int,
    dates: list[datetime],
    use_credit: bool = False,
    use_pack: bool = False,
    code: str = "",
    notify: bool = True,
) -> BookingSeries:
    """Book every date the mentee kept, each its own Booking of the series, all under one lock of
    the mentor's row in one transaction: if any was taken since the preview, nothing is booked
    (SERIES_TAKEN, naming it; the exclusion constraint is the last defence). A paid offering's
    occurrences are held together while the mentee pays once for all (billing); with a pack or
    subscription credits each occurrence spends one, and too few left books nothing.

    `request.starts_at` is the first week's time (the series' pattern); `dates` are the ones kept.
    """
    _check_weeks(weeks)
    if offering.is_intro:
        raise BookingError(NO_INTRO_SERIES, field="weeks")
    if offering.requires_approval:
        raise BookingError(NO_REQUEST_SERIES, field="weeks")
    if code.strip():
        raise BookingError(NO_CODE_SERIES, field="code")
    pattern = series_starts(mentor=offering.mentor, first=request.starts_at, weeks=weeks)
    if not dates:
        raise BookingError(NO_DATES, field="dates")
    if any(when not in pattern for when in dates):
        raise BookingError(NOT_A_DATE, field="dates")
    dates = sorted(set(dates))
    with transaction.atomic(), outbox_batch():
        # The mentor's row, locked for the whole series (booking_create locks it again: a no-op).
        MentorProfile.objects.select_for_update().only("pk").get(pk=offering.mentor_id)
        series = BookingSeries.objects.create(
            offering=offering, mentor_id=offering.mentor_id, mentee=mentee, weeks_asked=weeks
        )
        for when in dates:
            try:
                booking_create(
                    offering=offering,
                    mentee=mentee,
                    request=replace(request, starts_at=when),
                    use_credit=use_credit,
                    use_pack=use_pack,
                    notify=notify,
                    series=series,
                )
            except BookingError as error:
                if error.message == SLOT_TAKEN:
                    raise BookingError(SERIES_TAKEN % {"when": _when(when, mentee)}, field="dates") from error
                if error.field in ("use_pack", "use_credit"):
                    raise BookingError(
                        _(
                            "%(reason)s Weekly sessions need one for each of the %(count)s dates; "
                            "nothing was booked."
                        )
                        % {"reason": error.message, "count": len(dates)},
                        field=error.field,
                    ) from error
                raise
        if notify and not series.occurrences.filter(state=State.HELD).exists():
            series.confirmed_email_sent_at = timezone.now()
            series.save(update_fields=["confirmed_email_sent_at"])
            tasks.send_series_confirmed.delay_on_commit(str(series.pk))
    return series


def _when(moment: datetime, viewer: User) -> str:
    return date_format(moment.astimezone(viewer.zone), "l j F, H:i")


def series_confirmed(*, series: BookingSeries) -> bool:
    """Every occurrence that was held is paid (billing): the one e-mail listing the dates, once."""
    with transaction.atomic():
        series = BookingSeries.objects.select_for_update().get(pk=series.pk)
        if series.confirmed_email_sent_at or series.occurrences.filter(state=State.HELD).exists():
            return False
        if not series.occurrences.filter(state=State.CONFIRMED).exists():
            return False
        series.confirmed_email_sent_at = timezone.now()
        series.save(update_fields=["confirmed_email_sent_at"])
        tasks.send_series_confirmed.delay_on_commit(str(series.pk))
    return True


def series_release_holds(*, series: BookingSeries, note: str) -> int:
    """The series' checkout will not be paid: every occurrence still held is released together."""
    released = 0
    with transaction.atomic():
        for booking in series.occurrences.filter(state=State.HELD).order_by("starts_at"):
            booking_release_hold(booking=booking, note=note)
            released += 1
    return released


def series_cancel_from(
    *, booking: Booking, by: User, reason: str = "", now: datetime | None = None
) -> list[Booking]:
    """Cancel this occurrence and every later one still held or confirmed, in one transaction
    (the mentee or the mentor). Each is cancelled by the normal policy: refunded, or its credit
    or pack session returned, inside the window or not. One e-mail lists what was cancelled."""
    if booking.series_id is None:
        raise BookingError(_("This booking is not part of a weekly series."))
    now = now or timezone.now()
    with transaction.atomic(), outbox_batch():
        series = BookingSeries.objects.select_for_update().get(pk=booking.series_id)
        if by.pk not in (series.mentee_id, series.mentor.user_id):
            raise BookingError(_("Only the mentee or the mentor can cancel this series."))
        later = list(
            series.occurrences.filter(
                starts_at__gte=booking.starts_at, starts_at__gt=now, state__in=Booking.ACTIVE_STATES
            ).order_by("starts_at")
        )
        if not later:
            raise BookingError(_("Nothing from this date on is left to cancel."))
        cancelled = [
            booking_cancel(booking=occurrence, by=by, reason=reason, now=now, notify=False)
            for occurrence in later
        ]
        tasks.send_series_cancelled.delay_on_commit(str(series.pk), [str(b.pk) for b in cancelled])
    return cancelled


def series_of(booking: Booking) -> list[Booking]:
    """The occurrences of a booking's series, in order (empty when it is a single booking)."""
    if booking.series_id is None:
        return []
    return list(Booking.objects.filter(series_id=booking.series_id).order_by("starts_at"))


__all__ = [
    "MAX_WEEKS",
    "MIN_WEEKS",
    "Occurrence",
    "series_cancel_from",
    "series_confirmed",
    "series_create",
    "series_of",
    "series_preview",
    "series_release_holds",
    "series_starts",
]
