"""Reads of the API that no page makes: a person's tokens, and the bookings a token may see."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q, QuerySet

from sessions.models import Booking
from sessions.selectors import bookings_for

from .models import ApiToken


def tokens_of(user) -> QuerySet[ApiToken]:
    """The user's tokens, active ones first, newest first."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-pk"
    )


def own_bookings(user, *, when: str = "", now: datetime | None = None) -> QuerySet[Booking]:
    """The bookings the user is a party to, as mentee or as mentor: never all of them, even for
    staff (a token acts as its person, not as a moderator)."""
    qs = bookings_for(user).filter(Q(mentee=user) | Q(mentor__user=user))
    if when == "upcoming":
        qs = qs.filter(ends_at__gt=now).order_by("starts_at", "pk")
    elif when == "past":
        qs = qs.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
    else:
        qs = qs.order_by("-starts_at", "-pk")
    return qs
