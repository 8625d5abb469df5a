"""Reads for the pages where mentees discover mentors: the home page, the directory and the
mentor's public profile, which gather offerings, reviews and plans from the apps below."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from mentors.models import Language, MentorProfile, Skill, rating_sort_key
from mentors.selectors import approved_mentors
from sessions.models import Booking, Offering, Review

from . import search


def featured_mentors(*, limit: int = 6) -> QuerySet[MentorProfile]:
    """The home page's best-rated mentors."""
    return (
        approved_mentors()
        .filter(rating_count__gt=0)
        .order_by("-rating_average", "-rating_count")
        .prefetch_related("skills")[:limit]
    )


@dataclass
class DirectoryQuery:
    q: str = ""
    skill: str = ""
    min_price: int | None = None  # minor units
    max_price: int | None = None
    duration: int | None = None
    language: str = ""
    available: str = ""
    sort: str = ""


def directory_search(
    *, query: DirectoryQuery, now: datetime | None = None
) -> QuerySet[MentorProfile] | search.RankedFirst:
    """The mentor directory with its filters (`/mentors/?q=…&skill=…&min_price=…`): one query per
    page plus its prefetches, and no count (`core.pagination.page_of`). `q` is a full-text search
    (discover/search.py)."""
    now = now or timezone.now()
    offerings = Offering.objects.filter(mentor=OuterRef("pk"), is_published=True)
    # Listed: approved with a published offering (min_published_price is NULL otherwise).
    qs = (
        approved_mentors()
        .filter(min_published_price__isnull=False)
        .annotate(min_price=F("min_published_price"))
        .defer("bio", "review_reason", "upcoming_slots", "search_document")
    )

    if query.skill:
        qs = qs.filter(Exists(Skill.objects.filter(mentors=OuterRef("pk"), slug=query.skill)))
    if query.language:
        qs = qs.filter(Exists(Language.objects.filter(mentors=OuterRef("pk"), code=query.language)))
    price_or_duration = Q()
    if query.min_price is not None:
        price_or_duration &= Q(price_amount__gte=query.min_price)
    if query.max_price is not None:
        price_or_duration &= Q(price_amount__lte=query.max_price)
    if query.duration:
        price_or_duration &= Q(duration_minutes=query.duration)
    if price_or_duration:
        qs = qs.filter(Exists(offerings.filter(price_or_duration)))
    if query.available == "week":
        qs = qs.filter(next_free_slot_at__gte=now, next_free_slot_at__lt=now + timedelta(days=7))

    rating_first = rating_sort_key().desc()
    best_rated = [rating_first, "-rating_count"]
    if query.sort == "price":
        order = [F("min_price").asc(nulls_last=True), rating_first]
    elif query.sort == "rating":
        order = best_rated
    elif query.sort == "soonest":
        order = [F("next_free_slot_at").asc(nulls_last=True), rating_first]
    else:
        order = None
    # The cards show skills only; languages are a filter, not something a card lists.
    qs = qs.prefetch_related("skills")
    if query.q:  # last: a search among what the other filters leave (discover/search.py)
        return search.mentors_matching(qs, query.q, order=order, best_rated=best_rated)
    return qs.order_by(*(order or best_rated), "pk")


def mentor_page(*, slug: str) -> MentorProfile:
    """An approved mentor and their user, what a profile needs around its content (title, meta
    tags), in one query: the content itself (`mentor_profile`) is often in the page cache."""
    return approved_mentors().defer("bio", "upcoming_slots", "search_document").get(slug=slug)


def mentor_profile(*, slug: str) -> MentorProfile:
    """An approved mentor with `sessions_held` (their completed sessions), in one query."""
    completed = (
        Booking.objects.filter(mentor=OuterRef("pk"), state=Booking.State.COMPLETED)
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    held = Coalesce(Subquery(completed, output_field=IntegerField()), Value(0))
    mentors = approved_mentors().annotate(sessions_held=held)
    return mentors.prefetch_related("skills", "languages").get(slug=slug)


def mentor_reviews(mentor: MentorProfile, *, limit: int = 5) -> list[Review]:
    """A profile's reviews (hidden ones left out): those with a text first, newest first in each."""
    reviews = Review.objects.filter(booking__mentor=mentor, is_hidden=False)
    with_text_first = Case(When(text="", then=Value(1)), default=Value(0))
    ordered = reviews.select_related("booking__mentee").order_by(with_text_first, "-created_at")
    return list(ordered[:limit])


def bookable_previews(mentors: Iterable[MentorProfile], *, now: datetime | None = None) -> datetime | None:
    """Cards show a mentor's next free time only while it can still be booked: one already inside
    the minimum notice (the stored preview lags the clock by minutes) is left off. Answers when
    the first one still shown stops being bookable (the page's latest expiry)."""
    now = now or timezone.now()
    first = None
    for mentor in mentors:
        at = mentor.next_free_slot_at
        if at is None:
            continue
        if at < now + mentor.notice:
            mentor.next_free_slot_at = None
        elif first is None or at - mentor.notice < first:
            first = at - mentor.notice
    return first
