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
from django.utils.translation import gettext as _

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
PACK_SESSION, SUBSCRIPTION_CREDIT = "pack session", "subscription credit"
CREDIT_NAMES = {PAID_WITH_CREDIT_NOTE: SUBSCRIPTION_CREDIT, PAID_WITH_PACK_NOTE: PACK_SESSION}


@dataclass(frozen=True)
class Activity:
    at: datetime
    text: str


def _said(event: BookingEvent, viewer: User, you: str, other: str, **params) -> str:
    """One sentence about what the event's actor did: `you` when the viewer did it, else `other`
    with the actor's name (TheMentors for the system) as %(name)s. Both are whole translated
    sentences, as their grammar differs in other languages."""
    if event.actor_id is not None and event.actor_id == viewer.pk:
        return you % params
    name = "TheMentors" if event.actor_id is None else event.actor.name
    return other % {"name": name, **params}


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j M")


def _when(moment: datetime, *, twelve_hour: bool) -> str:
    return moment_label(timezone.localtime(moment), twelve_hour=twelve_hour, date_part="D j M")


def _refund(booking: Booking, event: BookingEvent, *, with_credit: str) -> str:
    """What the cancellation gives back, by the same rule the service applied: a clause that
    follows the sentence after a dash, or ""."""
    refunded = event.to_state == State.CANCELLED_BY_MENTOR or mentee_cancel_refunds(booking, at=event.at)
    if with_credit == PACK_SESSION:
        return _("the pack session comes back") if refunded else _("the pack session is used")
    if with_credit:
        return _("the subscription credit comes back") if refunded else _("the subscription credit is used")
    if not booking.price_amount or event.from_state not in (State.CONFIRMED, State.EXPIRED):
        return ""  # free, or cancelled before the payment arrived
    if refunded:
        amount = format_money(booking.price_amount, booking.currency)
        return _("a refund of %(amount)s is on its way") % {"amount": amount}
    return _("after the free-cancellation deadline, so there is no refund")


def _rescheduled_from(note: str) -> datetime | None:
    try:
        return datetime.strptime(note, RESCHEDULED_NOTE.replace("{:", "").replace("}", "")).replace(
            tzinfo=UTC
        )
    except ValueError:
        return None


def _request_sentence(booking: Booking, event: BookingEvent, viewer: User) -> str | None:
    """A request to book's steps (sessions/services/requests.py), or None for any other event."""
    to, was = event.to_state, event.from_state
    if to == State.REQUESTED:
        name = booking.mentor.user.name
        if booking.price_amount:
            return _("Request sent (card authorised, waiting for %(mentor)s)") % {"mentor": name}
        return _("Request sent (waiting for %(mentor)s)") % {"mentor": name}
    if was != State.REQUESTED:
        return None
    if to == State.CONFIRMED:
        return _said(
            event,
            viewer,
            _("You accepted the request: the session is confirmed"),
            _("%(name)s accepted the request: the session is confirmed"),
        )
    if to == State.DECLINED:
        return _said(
            event,
            viewer,
            _("You declined the request; nothing was charged"),
            _("%(name)s declined the request; nothing was charged"),
        )
    if to == State.LAPSED:
        return _("No answer in time: the request lapsed and the time was released")
    if to == State.CANCELLED_BY_MENTEE:
        return _said(
            event,
            viewer,
            _("You withdrew the request; nothing was charged"),
            _("%(name)s withdrew the request; nothing was charged"),
        )
    return None


def _booked(event: BookingEvent, viewer: User, *, with_credit: str) -> str:
    """The first event: who booked, with what, and what it waits for."""
    if with_credit == PACK_SESSION:
        said = _said(
            event,
            viewer,
            _("You booked this session with a pack session"),
            _("%(name)s booked this session with a pack session"),
        )
    elif with_credit:
        said = _said(
            event,
            viewer,
            _("You booked this session with a subscription credit"),
            _("%(name)s booked this session with a subscription credit"),
        )
    else:
        said = _said(event, viewer, _("You booked this session"), _("%(name)s booked this session"))
    if event.to_state == State.HELD:
        return _("%(sentence)s; waiting for the payment") % {"sentence": said}
    if event.to_state == State.REQUESTED:
        return _("%(sentence)s; waiting for the mentor") % {"sentence": said}
    return said


def _absent(booking: Booking, event: BookingEvent, viewer: User) -> str:
    """Who did not come, as the report (or staff's finding) says it."""
    to, was = event.to_state, event.from_state
    absent_id, absent = (
        (booking.mentee_id, booking.mentee.name)
        if to == State.NO_SHOW_MENTEE
        else (booking.mentor.user_id, booking.mentor.user.name)
    )
    found = was in (State.NO_SHOW_MENTEE, State.NO_SHOW_MENTOR)
    if absent_id == viewer.pk:
        if found:
            return _said(
                event, viewer, _("You found that you did not come"), _("%(name)s found that you did not come")
            )
        return _said(
            event,
            viewer,
            _("You reported that you did not come"),
            _("%(name)s reported that you did not come"),
        )
    if found:
        return _said(
            event,
            viewer,
            _("You found that %(absent)s did not come"),
            _("%(name)s found that %(absent)s did not come"),
            absent=absent,
        )
    return _said(
        event,
        viewer,
        _("You reported that %(absent)s did not come"),
        _("%(name)s reported that %(absent)s did not come"),
        absent=absent,
    )


def _sentence(
    booking: Booking, event: BookingEvent, viewer: User, *, with_credit: str, twelve_hour: bool
) -> str | None:
    to, was = event.to_state, event.from_state
    if FLAGGED_NOTE in event.note:
        return None
    if not was:
        return _booked(event, viewer, with_credit=with_credit)
    if (request := _request_sentence(booking, event, viewer)) is not None:
        return request
    if to == was == State.CONFIRMED:
        old = _rescheduled_from(event.note)
        if old:
            when = _when(old, twelve_hour=twelve_hour)
            return _said(
                event,
                viewer,
                _("You moved the session from %(when)s"),
                _("%(name)s moved the session from %(when)s"),
                when=when,
            )
        return _said(event, viewer, _("You moved the session"), _("%(name)s moved the session"))
    if to == State.CONFIRMED:
        return _("Payment received: the session is confirmed")
    if to == State.EXPIRED:
        return _("The hold ran out before the payment arrived, so the time was released")
    if to in (State.CANCELLED_BY_MENTEE, State.CANCELLED_BY_MENTOR):
        said = _said(
            event,
            viewer,
            _("You cancelled on %(day)s"),
            _("%(name)s cancelled on %(day)s"),
            day=_day(event.at),
        )
        refund = _refund(booking, event, with_credit=with_credit)
        return _("%(sentence)s — %(refund)s") % {"sentence": said, "refund": refund} if refund else said
    if to == State.COMPLETED and was == State.CONFIRMED:
        return _said(
            event,
            viewer,
            _("You closed the session with its action item"),
            _("%(name)s closed the session with its action item"),
        )
    if to == State.COMPLETED:
        return _("Our team found that the session happened")
    if to in (State.NO_SHOW_MENTEE, State.NO_SHOW_MENTOR):
        return _absent(booking, event, viewer)
    if to == was:
        return _("Our team reviewed what happened at the session")
    state = booking.get_state_display().lower()
    return _said(
        event,
        viewer,
        _("You changed the booking: %(state)s"),
        _("%(name)s changed the booking: %(state)s"),
        state=state,
    )


def booking_activity(booking: Booking, *, viewer: User, twelve_hour: bool = False) -> list[Activity]:
    """Oldest first, as the page reads top to bottom; times in the viewer's clock (core.clock)."""
    events = list(booking.events.all())
    with_credit = CREDIT_NAMES.get(events[0].note, "") if events else ""
    sentences = (
        (event, _sentence(booking, event, viewer, with_credit=with_credit, twelve_hour=twelve_hour))
        for event in events
    )
    return [Activity(at=event.at, text=text) for event, text in sentences if text is not None]
