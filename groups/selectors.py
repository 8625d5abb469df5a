"""Reads of group sessions, with what their pages show loaded once."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from core.db import epoch_span

from .models import GroupSeat, GroupSession

Seat = GroupSeat.State
Session = GroupSession.State


def with_seats_taken(queryset: QuerySet[GroupSession], now: datetime) -> QuerySet[GroupSession]:
    return queryset.annotate(
        taken=Count(
            "group_seats",
            filter=Q(group_seats__state=Seat.CONFIRMED)
            | Q(group_seats__state=Seat.HELD, group_seats__hold_expires_at__gt=now),
        )
    )


def mentors_busy(*, mentor_ids: list[int], start: datetime, end: datetime) -> QuerySet:
    """The mentors' group sessions (drafts and published) overlapping [start, end), as (mentor id,
    start, end) in epoch seconds: busy time for their 1:1 slots (sessions.hooks.busy_elsewhere)."""
    return (
        GroupSession.objects.filter(mentor_id__in=mentor_ids, ends_at__gt=start, starts_at__lt=end)
        .exclude(state=Session.CANCELLED)
        .values_list("mentor_id", *epoch_span("starts_at", "ends_at"))
    )


def upcoming_of(*, mentor_id: int, now: datetime | None = None) -> QuerySet[GroupSession]:
    """A mentor's published group sessions not yet started, soonest first (their profile)."""
    now = now or timezone.now()
    return with_seats_taken(
        GroupSession.objects.filter(mentor_id=mentor_id, state=Session.PUBLISHED, starts_at__gt=now), now
    ).order_by("starts_at", "pk")


def group_session_for_viewer(*, group_session_id, user) -> GroupSession:
    """A published session for anyone; a draft only for its mentor (and staff); else 404."""
    now = timezone.now()
    group_session = (
        with_seats_taken(GroupSession.objects.select_related("mentor__user"), now)
        .filter(pk=group_session_id)
        .first()
    )
    if group_session is None:
        raise Http404("No such group session.")
    is_mentor = getattr(user, "is_authenticated", False) and group_session.mentor.user_id == user.pk
    if group_session.state == Session.DRAFT and not (is_mentor or getattr(user, "is_staff", False)):
        raise Http404("No such group session.")
    return group_session


def seat_of(*, group_session: GroupSession, user) -> GroupSeat | None:
    """The viewer's live seat (held or confirmed), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        group_session.group_seats.filter(mentee=user, state__in=GroupSeat.TAKEN_STATES)
        .order_by("-created_at")
        .first()
    )


def seats_ahead_of(*, user, now: datetime) -> QuerySet[GroupSeat]:
    """The mentee's confirmed seats in group sessions not yet ended, soonest first (their
    dashboard)."""
    return (
        GroupSeat.objects.filter(mentee=user, state=GroupSeat.State.CONFIRMED, group_session__ends_at__gt=now)
        .select_related("group_session__mentor__user")
        .order_by("group_session__starts_at")
    )


def last_seat_of(*, group_session: GroupSession, user) -> GroupSeat | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return group_session.group_seats.filter(mentee=user).order_by("-created_at").first()


def attendees(*, group_session: GroupSession) -> QuerySet[GroupSeat]:
    return (
        group_session.group_seats.filter(state=Seat.CONFIRMED)
        .select_related("mentee")
        .order_by("confirmed_at")
    )


def mentor_group_sessions(*, mentor) -> QuerySet[GroupSession]:
    now = timezone.now()
    return with_seats_taken(GroupSession.objects.filter(mentor=mentor), now).order_by("-starts_at")


def mentor_figures(*, mentor, now: datetime | None = None) -> dict:
    """The insight: seats filled of seats offered, and group sessions run (ended, not cancelled)."""
    now = now or timezone.now()
    run = GroupSession.objects.filter(mentor=mentor, state=Session.PUBLISHED, ends_at__lte=now)
    figures = run.aggregate(
        sessions=Count("pk", distinct=True),
        filled=Count("group_seats", filter=Q(group_seats__state=Seat.CONFIRMED)),
    )
    offered = sum(run.values_list("seats", flat=True))
    return {"run": figures["sessions"], "filled": figures["filled"], "offered": offered}


def group_fill_by_month(*, now: datetime | None = None) -> list[dict]:
    """The insight page's figure, by month of the start (UTC): group sessions run (ended, not
    cancelled), their seats, the seats filled (confirmed) and the fill rate; and how many were
    cancelled (below their minimum, or by their mentor)."""
    now = now or timezone.now()
    rows = (
        GroupSession.objects.filter(ends_at__lte=now)
        .exclude(state=Session.DRAFT)
        .annotate(month=TruncMonth("starts_at", tzinfo=UTC))
        .values("month")
        .annotate(
            run=Count("pk", distinct=True, filter=Q(state=Session.PUBLISHED)),
            cancelled=Count("pk", distinct=True, filter=Q(state=Session.CANCELLED)),
            filled=Count("group_seats", filter=Q(state=Session.PUBLISHED, group_seats__state=Seat.CONFIRMED)),
        )
        .order_by("month")
    )
    seats = dict(
        GroupSession.objects.filter(ends_at__lte=now, state=Session.PUBLISHED)
        .annotate(month=TruncMonth("starts_at", tzinfo=UTC))
        .values("month")
        .annotate(total=Sum("seats"))
        .values_list("month", "total")
    )
    result = []
    for r in rows:
        offered = seats.get(r["month"]) or 0
        result.append(
            {
                "month": r["month"].strftime("%Y-%m") if r["month"] else "",
                "run": r["run"],
                "cancelled": r["cancelled"],
                "seats": offered,
                "filled": r["filled"],
                "rate": round(100 * r["filled"] / offered, 1) if offered else None,
            }
        )
    return result
