"""A booking's history as its two people read it: a short list of what happened, in plain words.

The audit trail (BookingEvent: from and to states, notes for staff) stays what staff see; this
turns it into sentences for the mentee and the mentor ("You cancelled on 4 Dec — a refund of
$45.00 is on its way"). Pure: reads the booking's loaded events, writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from core.clock import moment_label
from core.money import format_money

from .models import Booking, BookingEvent
from .policy import mentee_cancel_refunds

State = Booking.State

# The note a reschedule writes in the trail (services.changes), read back to say when it was.
RESCHEDULED_NOTE = "rescheduled from {:%Y-%m-%d %H:%M} UTC"
FLAGGED_NOTE = "flagged for staff review"  # staff's business: not shown to the two people
PAID_WITH_CREDIT_NOTE = "paid with a subscription credit"  # on the booking's first event
PAID_WITH_PACK_NOTE = "paid with a pack session"  # on the booking's first event
CREDIT_NAMES = {PAID_WITH_CREDIT_NOTE: "subscription credit", PAID_WITH_PACK_NOTE: "pack session"}


@dataclass(frozen=True)
class Activity:
    at: datetime
    text: str


def _who(event: BookingEvent, viewer: User) -> str:
    if event.actor_id is None:
        return "TheMentors"
    if event.actor_id == viewer.pk:
        return "You"
    return event.actor.name


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j M")


def _when(moment: datetime, *, twelve_hour: bool) -> str:
    return moment_label(timezone.localtime(moment), twelve_hour=twelve_hour, date_part="D j M")


def _refund(booking: Booking, event: BookingEvent, *, with_credit: str) -> str:
    """What the cancellation gives back, by the same rule the service applied."""
    refunded = event.to_state == State.CANCELLED_BY_MENTOR or mentee_cancel_refunds(booking, at=event.at)
    if with_credit:
        return f" — the {with_credit} comes back" if refunded else f" — the {with_credit} is used"
    if not booking.price_amount or event.from_state not in (State.CONFIRMED, State.EXPIRED):
        return ""  # free, or cancelled before the payment arrived
    if refunded:
        return f" — a refund of {format_money(booking.price_amount, booking.currency)} is on its way"
    return " — after the free-cancellation deadline, so there is no refund"


def _rescheduled_from(note: str) -> datetime | None:
    try:
        return datetime.strptime(note, RESCHEDULED_NOTE.replace("{:", "").replace("}", "")).replace(
            tzinfo=UTC
        )
    except ValueError:
        return None


def _request_sentence(booking: Booking, event: BookingEvent, who: str) -> str | None:
    """A request to book's steps (sessions/services/requests.py), or None for any other event."""
    to, was = event.to_state, event.from_state
    if to == State.REQUESTED:
        card = "card authorised, " if booking.price_amount else ""
        return f"Request sent ({card}waiting for {booking.mentor.user.name})"
    if was != State.REQUESTED:
        return None
    if to == State.CONFIRMED:
        return f"{who} accepted the request: the session is confirmed"
    if to == State.DECLINED:
        return f"{who} declined the request; nothing was charged"
    if to == State.LAPSED:
        return "No answer in time: the request lapsed and the time was released"
    if to == State.CANCELLED_BY_MENTEE:
        return f"{who} withdrew the request; nothing was charged"
    return None


def _sentence(
    booking: Booking, event: BookingEvent, viewer: User, *, with_credit: str, twelve_hour: bool
) -> str | None:
    who, to, was = _who(event, viewer), event.to_state, event.from_state
    mentee, mentor = booking.mentee.name, booking.mentor.user.name
    if FLAGGED_NOTE in event.note:
        return None
    if not was:
        credit = f" with a {with_credit}" if with_credit else ""
        waiting = {State.HELD: "; waiting for the payment", State.REQUESTED: "; waiting for the mentor"}
        waiting = waiting.get(to, "")
        return f"{who} booked this session{credit}{waiting}"
    if (request := _request_sentence(booking, event, who)) is not None:
        return request
    if to == was == State.CONFIRMED:
        old = _rescheduled_from(event.note)
        return f"{who} moved the session" + (f" from {_when(old, twelve_hour=twelve_hour)}" if old else "")
    if to == State.CONFIRMED:
        return "Payment received: the session is confirmed"
    if to == State.EXPIRED:
        return "The hold ran out before the payment arrived, so the time was released"
    if to in (State.CANCELLED_BY_MENTEE, State.CANCELLED_BY_MENTOR):
        return f"{who} cancelled on {_day(event.at)}{_refund(booking, event, with_credit=with_credit)}"
    if to == State.COMPLETED and was == State.CONFIRMED:
        return f"{who} closed the session with its action item"
    if to == State.COMPLETED:
        return "Our team found that the session happened"
    if to in (State.NO_SHOW_MENTEE, State.NO_SHOW_MENTOR):
        absent_id, absent = (
            (booking.mentee_id, mentee) if to == State.NO_SHOW_MENTEE else (booking.mentor.user_id, mentor)
        )
        absent = "you" if absent_id == viewer.pk else absent
        verb = "found" if was in (State.NO_SHOW_MENTEE, State.NO_SHOW_MENTOR) else "reported"
        return f"{who} {verb} that {absent} did not come"
    if to == was:
        return "Our team reviewed what happened at the session"
    return f"{who} changed the booking: {booking.get_state_display().lower()}"


def booking_activity(booking: Booking, *, viewer: User, twelve_hour: bool = False) -> list[Activity]:
    """Oldest first, as the page reads top to bottom; times in the viewer's clock (core.clock)."""
    events = list(booking.events.all())
    with_credit = CREDIT_NAMES.get(events[0].note, "") if events else ""
    sentences = (
        (event, _sentence(booking, event, viewer, with_credit=with_credit, twelve_hour=twelve_hour))
        for event in events
    )
    return [Activity(at=event.at, text=text) for event, text in sentences if text is not None]
