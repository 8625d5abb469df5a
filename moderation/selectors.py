"""Reads for reports: what a viewer may report (only what they can see), and who owns it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Model, QuerySet

from mentors.models import MentorProfile
from mentors.selectors import approved_mentors
from qa.models import Message
from qa.selectors import thread_readable
from sessions.models import Booking, BookingEvent, Offering, Review
from sessions.selectors import published_offerings

from .models import Report, Strike

Kind = Report.Kind


class NotReportable(Exception):
    """The object does not exist, or the viewer cannot see it (the view answers 404 either way)."""


def report_target_for_viewer(*, kind: str, object_id: int, user) -> Model:
    """The object behind a report URL, if `user` can see it where it is shown."""
    target = None
    if kind == Kind.REVIEW:
        target = (
            Review.objects.filter(is_hidden=False, booking__mentor__status=MentorProfile.Status.APPROVED)
            .select_related("booking__mentee", "booking__mentor__user", "booking__offering")
            .filter(pk=object_id)
            .first()
        )
    elif kind == Kind.MESSAGE:
        target = (
            Message.objects.select_related("author", "thread__mentor__user", "thread__subscription__plan")
            .filter(pk=object_id)
            .first()
        )
        if target is not None and not thread_readable(thread=target.thread, user=user):
            target = None
    elif kind == Kind.PROFILE:
        target = approved_mentors().filter(pk=object_id).first()
    elif kind == Kind.OFFERING:
        target = published_offerings().select_related("mentor__user").filter(pk=object_id).first()
    if target is None:
        raise NotReportable
    return target


_KINDS = {Review: Kind.REVIEW, Message: Kind.MESSAGE, MentorProfile: Kind.PROFILE, Offering: Kind.OFFERING}


def kind_of(target: Model) -> str:
    return _KINDS[type(target)]


def author_id_of(target: Model) -> int:
    """The user whose content this is (nobody may report their own)."""
    kind = kind_of(target)
    if kind == Kind.REVIEW:
        return target.booking.mentee_id
    if kind == Kind.MESSAGE:
        return target.author_id
    if kind == Kind.PROFILE:
        return target.user_id
    return target.mentor.user_id


def describe(target: Model) -> str:
    """A short text that still identifies the object once it is hidden or deleted."""
    kind = kind_of(target)
    if kind == Kind.REVIEW:
        text = f"{target.rating}★ review by {target.booking.mentee.name} of {target.booking.mentor.user.name}"
        if target.text:
            text += f": {target.text[:80]}"
    elif kind == Kind.MESSAGE:
        text = f"message by {target.author.name}: {target.body[:80]}"
    elif kind == Kind.PROFILE:
        text = f"profile of {target.user.name} ({target.slug})"
    else:
        text = f"offering {target.title} ({target.slug})"
    return text[:200]


def no_show_report(booking: Booking) -> BookingEvent | None:
    """The report that put the booking in its no-show state, if its mentee or mentor made it
    (a staff decision is not contested); reads the booking's prefetched events."""
    if booking.state not in (Booking.State.NO_SHOW_MENTEE, Booking.State.NO_SHOW_MENTOR):
        return None
    reports = [e for e in booking.events.all() if e.to_state == booking.state and e.from_state != e.to_state]
    if not reports or reports[-1].actor_id not in (booking.mentee_id, booking.mentor.user_id):
        return None
    return reports[-1]


STRIKE_PERIOD = timedelta(days=90)


def upheld_strikes(*, mentor_id: int, now: datetime) -> QuerySet[Strike]:
    """The mentor's upheld no-shows of sessions in the last 90 days (three suspend them)."""
    return (
        Strike.objects.filter(
            mentor_id=mentor_id, status=Strike.Status.UPHELD, booking__starts_at__gte=now - STRIKE_PERIOD
        )
        .select_related("booking")
        .order_by("booking__starts_at")
    )
