"""What the directory shows of a mentor's sessions without computing it per visit: the next free
start times and the lowest published price, stored on the mentor's row.

The mentors app says when a mentor's hours, rules or standing change (mentors.hooks); these
functions are registered there from SessionsConfig.ready(). The sessions services call them
directly when bookings and offerings change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone

from core import pagecache
from mentors.models import MentorProfile

from . import tasks
from .models import Offering
from .selectors import mentor_free_slots

PREVIEW_SLOTS = 6
PREVIEW_DAYS = 14


def mentor_refresh_free_slots_later(*, mentor_id: int) -> None:
    """Refresh the preview in a worker once this transaction commits.

    Tens of milliseconds of slot computing and a write to the mentor's row that the person
    booking or editing does not wait for; the booking itself re-checks the slot under a lock,
    so a preview a moment old shows at worst a slot that is then refused as taken. The cached
    pages that show the mentor's free times are stale at once.
    """
    pagecache.changed(pagecache.mentor(mentor_id))
    tasks.refresh_free_slots.delay_on_commit(mentor_id)


def mentor_refresh_free_slots(*, mentor_id: int, now: datetime | None = None) -> None:
    """Store the next free start times for the profile and the directory's "free this week"."""
    now = now or timezone.now()
    mentor = MentorProfile.objects.filter(pk=mentor_id).first()
    if mentor is None:
        return
    durations = list(mentor.offerings.filter(is_published=True).values_list("duration_minutes", flat=True))
    slots = []
    if durations and mentor.is_approved:
        slots = mentor_free_slots(
            mentor=mentor,
            duration=timedelta(minutes=min(durations)),
            start=now,
            end=now + timedelta(days=PREVIEW_DAYS),
            now=now,
        )[:PREVIEW_SLOTS]
    upcoming = [s.isoformat() for s in slots]
    next_free = slots[0] if slots else None
    MentorProfile.objects.filter(pk=mentor_id).update(upcoming_slots=upcoming, next_free_slot_at=next_free)
    if upcoming != mentor.upcoming_slots:  # the profile shows them, the directory's cards the first
        pagecache.changed(
            pagecache.mentor(mentor_id), *([pagecache.LISTS] if next_free != mentor.next_free_slot_at else [])
        )


def _lowest_published_price() -> Subquery:
    """The lowest price among a mentor's published offerings (NULL when none), per outer row."""
    return Subquery(
        Offering.objects.filter(mentor_id=OuterRef("pk"), is_published=True)
        .order_by()
        .values("mentor_id")
        .annotate(lowest=Min("price_amount"))
        .values("lowest")[:1]
    )


def mentor_refresh_min_price(*, mentor_id: int) -> None:
    """Store the lowest published offering price; call it in the transaction that changes offerings.

    The mentor's row is locked first, so two offering edits of one mentor in parallel
    transactions cannot both compute the minimum without seeing each other's change.
    """
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().filter(pk=mentor_id)
        if mentor.exists():
            mentor.update(min_published_price=_lowest_published_price())
            pagecache.changed(pagecache.mentor(mentor_id), pagecache.LISTS)


def mentors_refresh_min_prices(*, mentor_ids: Iterable[int] | None = None) -> int:
    """Recompute the lowest published price of these mentors (all when None) in one statement:
    the admin's bulk offering actions, and the periodic task that heals edits made around them."""
    mentors = MentorProfile.objects.all()
    if mentor_ids is not None:
        mentors = mentors.filter(pk__in=mentor_ids)
        pagecache.changed(*map(pagecache.mentor, mentor_ids))
    pagecache.changed(pagecache.LISTS)
    return mentors.update(min_published_price=_lowest_published_price())
