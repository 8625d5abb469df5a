"""What the mentee reads right after booking or paying: the booking page's confirmation, shown
once the booking is confirmed and the page is opened with `?confirmed=1` (where the booking flow
and the checkout's return send them). Pure: reads the loaded booking, writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .models import Booking
from .policy import JOIN_OPENS_BEFORE, join_opens_at

CONFIRMED_PARAM = "confirmed"


@dataclass(frozen=True)
class Confirmation:
    mentor_zone: ZoneInfo | None  # None when the mentor's clock reads the same as the viewer's
    join_opens_at: datetime
    join_open_now: bool
    join_minutes_before: int
    prework_todo: list[str]  # the prompts still unanswered


def wants_confirmation(request, booking: Booking) -> bool:
    return (
        request.GET.get(CONFIRMED_PARAM) == "1"
        and booking.state == Booking.State.CONFIRMED
        and booking.mentee_id == request.user.pk
    )


def booking_confirmation(booking: Booking, *, viewer_zone: ZoneInfo, now: datetime) -> Confirmation:
    mentor_zone = booking.mentor.zone  # the zone their availability is set in
    same_clock = (
        booking.starts_at.astimezone(mentor_zone).utcoffset()
        == booking.starts_at.astimezone(viewer_zone).utcoffset()
    )
    opens = join_opens_at(booking)
    return Confirmation(
        mentor_zone=None if same_clock else mentor_zone,
        join_opens_at=opens,
        join_open_now=opens <= now < booking.ends_at,
        join_minutes_before=int(JOIN_OPENS_BEFORE.total_seconds() // 60),
        prework_todo=[prompt for prompt, answer in booking.prework_pairs if not answer.strip()],
    )


def confirmation_url(booking: Booking) -> str:
    """Where a mentee lands once the booking is confirmed (free, by credit, or paid)."""
    return f"{booking.get_absolute_url()}?{CONFIRMED_PARAM}=1"
