from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet, Value
from django.utils import timezone

from core.db import epoch_span
from core.prepared import PreparedRead
from mentors.models import MentorProfile
from mentors.selectors import slot_rules, slot_rules_for
from mentors.slots import Busy, free_slots

from . import hooks
from .models import Booking, Offering

DAY = timedelta(days=1)


def published_offerings() -> QuerySet[Offering]:
    return Offering.objects.filter(
        is_published=True, mentor__status=MentorProfile.Status.APPROVED
    ).select_related("mentor__user")


def active_bookings(*, mentor_id: int, now: datetime) -> QuerySet[Booking]:
    """Bookings that take the mentor's time: confirmed, requests waiting for the mentor (until the
    sweep lets them lapse, as the exclusion constraint sees them), and holds not yet expired."""
    return Booking.objects.filter(mentor_id=mentor_id).filter(_takes_time(now))


def _takes_time(now: datetime) -> Q:
    return Q(state__in=(Booking.State.CONFIRMED, Booking.State.REQUESTED)) | Q(
        state=Booking.State.HELD, hold_expires_at__gt=now
    )


def _busy_query(
    *,
    mentor_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    wide_from: datetime | None = None,
    wide_until: datetime | None = None,
    ignore_booking_id=None,
):
    # Bookings a day either side so the daily cap sees whole local days (given as values of
    # their own when the read is prepared: core/prepared.py swaps only whole parameters).
    wide_from = start - DAY if wide_from is None else wide_from
    wide_until = end + DAY if wide_until is None else wide_until
    bookings = (
        active_bookings(mentor_id=mentor_id, now=now)
        .filter(ends_at__gt=wide_from, starts_at__lt=wide_until)
        .exclude(pk=ignore_booking_id)
        .annotate(is_session=Value(True))
        .values_list("mentor_id", *epoch_span("starts_at", "ends_at"), "is_session")
        .order_by()  # SQLite refuses ORDER BY (the models' default) inside a UNION
    )
    elsewhere = [
        rows.annotate(is_session=Value(False)).order_by()
        for rows in hooks.busy_elsewhere.call(mentor_ids=[mentor_id], start=start, end=end)
    ]
    return bookings.union(*elsewhere, all=True) if elsewhere else bookings


# Compiled once per process (core/prepared.py): building and compiling the union of four reads
# took 2.3 ms of CPU each time a picker or a booking asked, far more than running it.
BUSY = PreparedRead(
    _busy_query,
    mentor_id=int,
    start=datetime,
    end=datetime,
    now=datetime,
    wide_from=datetime,
    wide_until=datetime,
)


def busy_between(
    *, mentor_id: int, start: datetime, end: datetime, now: datetime, ignore_booking_id=None
) -> list[Busy]:
    """Held and confirmed bookings, and the mentor's time busy elsewhere (the live events of
    cohorts they facilitate: hooks.busy_elsewhere), in one round trip. Time busy elsewhere blocks
    the slots but does not count toward the daily 1:1 cap."""
    if ignore_booking_id is None:
        rows = BUSY.rows(
            mentor_id=mentor_id, start=start, end=end, now=now, wide_from=start - DAY, wide_until=end + DAY
        )
    else:  # a reschedule leaves its own booking out: built anew
        rows = _busy_query(
            mentor_id=mentor_id, start=start, end=end, now=now, ignore_booking_id=ignore_booking_id
        )
    return [Busy(s, e, bool(cap)) for _, s, e, cap in rows]


def free_slots_for(
    *, mentors: list[MentorProfile], duration: timedelta, start: datetime, end: datetime, now: datetime
) -> dict[int, list[datetime]]:
    """Free start times of many mentors in [start, end) in three queries (availability, bookings,
    time busy elsewhere: cohort events), then the slot engine per mentor in memory: matching ranks
    hundreds at once."""
    ids = [m.pk for m in mentors]
    rules = slot_rules_for(mentors)
    busy: dict[int, list[Busy]] = {pk: [] for pk in ids}
    bookings = (
        Booking.objects.filter(mentor_id__in=ids, ends_at__gt=start - DAY, starts_at__lt=end + DAY)
        .filter(_takes_time(now))
        .values_list("mentor_id", *epoch_span("starts_at", "ends_at"))
    )
    for mentor_id, lo, hi in bookings:
        busy[mentor_id].append(Busy(lo, hi, True))
    for rows in hooks.busy_elsewhere.call(mentor_ids=ids, start=start, end=end):
        for mentor_id, lo, hi in rows:
            busy[mentor_id].append(Busy(lo, hi, False))
    return {
        pk: free_slots(
            rules=rules[pk], busy=busy[pk], duration=duration, now=now, window_start=start, window_end=end
        )
        for pk in ids
    }


def mentor_free_slots(
    *,
    mentor: MentorProfile,
    duration: timedelta,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    ignore_booking_id=None,
) -> list[datetime]:
    """Free start times in [start, end): two queries (availability, busy time)."""
    now = now or timezone.now()
    busy = busy_between(
        mentor_id=mentor.pk, start=start, end=end, now=now, ignore_booking_id=ignore_booking_id
    )
    return free_slots(
        rules=slot_rules(mentor),
        busy=busy,
        duration=duration,
        now=now,
        window_start=start,
        window_end=end,
    )


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A viewer's local calendar day as a UTC half-open interval (23 or 25 h on DST days)."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(day + DAY, datetime.min.time(), tzinfo=zone)
    return start, end


def offering_slots_for_day(*, offering: Offering, day: date, zone: ZoneInfo) -> list[datetime]:
    start, end = day_bounds(day, zone)
    return mentor_free_slots(
        mentor=offering.mentor,
        duration=timedelta(minutes=offering.duration_minutes),
        start=start,
        end=end,
    )


def offering_slots_by_day(
    *, offering: Offering, first: date, until: date, zone: ZoneInfo, now: datetime
) -> dict[date, list[datetime]]:
    """Free start times of the offering on the viewer's local days [first, until), by local day:
    one run of the slot engine over the whole range (a month for the picker's calendar)."""
    start, _ = day_bounds(first, zone)
    end, _ = day_bounds(until, zone)
    slots = mentor_free_slots(
        mentor=offering.mentor,
        duration=timedelta(minutes=offering.duration_minutes),
        start=start,
        end=end,
        now=now,
    )
    by_day: dict[date, list[datetime]] = {}
    for slot in slots:
        by_day.setdefault(slot.astimezone(zone).date(), []).append(slot)
    return by_day


def bookings_for(user) -> QuerySet[Booking]:
    """Bookings the user may see: as mentee, as mentor, or all for staff."""
    qs = Booking.objects.select_related("offering", "mentor__user", "mentee")
    if user.is_staff:
        return qs
    mentor_id = getattr(getattr(user, "mentor", None), "pk", None)
    return qs.filter(Q(mentee=user) | Q(mentor_id=mentor_id)) if mentor_id else qs.filter(mentee=user)


def booking_for_viewer(*, user, booking_id) -> Booking:
    """The booking for its page; noshow_dispute is moderation's card on it (hooks.booking_page_context)."""
    return (
        bookings_for(user)
        .select_related("action_item", "review", "noshow_dispute__contested_by", "approval")
        .prefetch_related("events__actor")
        .get(pk=booking_id)
    )


def mentor_requests(*, mentor: MentorProfile, decided: int = 20) -> tuple[list[Booking], list[Booking]]:
    """A mentor's requests to book: those waiting for an answer (soonest to lapse first), and the
    last ones decided."""
    rows = Booking.objects.filter(mentor=mentor, approval__isnull=False).select_related(
        "offering", "mentee", "approval"
    )
    waiting = list(rows.filter(state=Booking.State.REQUESTED).order_by("approval__answer_by"))
    done = list(rows.exclude(approval__decision="").order_by("-approval__decided_at")[:decided])
    return waiting, done
