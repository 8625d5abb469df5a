"""What a person may do with a booking right now, and what follows from it.

One place for the rules: the booking page shows a button only when `booking_actions` says so, and
each service refuses with the same `Verdict` (`may_cancel`, `may_reschedule`, `may_edit_prework`,
`may_close`, `may_report_no_show`, `may_contest_no_show`). The state machine, the windows and
who is refunded live here too. Pure: no writes, no queries beyond the booking's loaded relations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User

from .models import Booking, BookingEvent

State = Booking.State
JOIN_OPENS_BEFORE = timedelta(minutes=15)  # the join link is sent, and the page offers "Join now"
NO_SHOW_GRACE = timedelta(minutes=10)  # a no-show can be reported this long after the start
NO_SHOW_WINDOW = timedelta(hours=24)  # ... until this long after the end
CONTEST_WINDOW = timedelta(hours=48)  # the person reported absent may contest this long after
NO_SHOW_STATES = (State.NO_SHOW_MENTEE, State.NO_SHOW_MENTOR)

TRANSITIONS = {
    # CANCELLED_BY_MENTOR from HELD: the mentor, or staff for them (a suspension), cancel while
    # the mentee is paying; the checkout is closed and a payment that slips through is refunded.
    State.HELD: {
        State.CONFIRMED,
        State.REQUESTED,
        State.EXPIRED,
        State.CANCELLED_BY_MENTEE,
        State.CANCELLED_BY_MENTOR,
    },
    # Only booking_confirm_payment (or a request's authorisation): a payment that arrives after
    # the hold ran out, slot still free.
    State.EXPIRED: {State.CONFIRMED, State.REQUESTED},
    # Request to book (sessions/services/requests.py): the mentor accepts or declines, it lapses
    # after 48 h (or at the start), the mentee withdraws it, staff cancel it.
    State.REQUESTED: {
        State.CONFIRMED,
        State.DECLINED,
        State.LAPSED,
        State.CANCELLED_BY_MENTEE,
        State.CANCELLED_BY_MENTOR,  # staff, for a suspended mentor
    },
    State.CONFIRMED: {
        State.COMPLETED,
        State.CANCELLED_BY_MENTEE,
        State.CANCELLED_BY_MENTOR,
        State.NO_SHOW_MENTEE,
        State.NO_SHOW_MENTOR,
    },
    # Only booking_settle_no_show: staff overturn a contested no-show report.
    State.NO_SHOW_MENTEE: {State.COMPLETED, State.NO_SHOW_MENTOR},
    State.NO_SHOW_MENTOR: {State.COMPLETED, State.NO_SHOW_MENTEE},
}


@dataclass(frozen=True)
class Verdict:
    """May they? `reason` says why not, in the words shown to them; `to` is the state it leads to."""

    reason: str = ""
    to: str = ""

    @property
    def allowed(self) -> bool:
        return not self.reason


def transition_refusal(booking: Booking, to: str) -> str:
    """Why the booking cannot move to `to` from its state; empty when it can."""
    if to in TRANSITIONS.get(booking.state, set()):
        return ""
    return _("A %(state)s booking cannot become %(to)s.") % {
        "state": booking.get_state_display().lower(),
        "to": to,
    }


def is_mentor(user: User, booking: Booking) -> bool:
    return user.is_authenticated and booking.mentor.user_id == user.pk


def is_mentee(user: User, booking: Booking) -> bool:
    return user.is_authenticated and booking.mentee_id == user.pk


# --- windows and money ------------------------------------------------------------------------


def free_cancellation_deadline(starts_at: datetime, *, window_hours: int) -> datetime:
    """A session starting then may be cancelled for a full refund until this moment."""
    return starts_at - timedelta(hours=window_hours)


def cancellation_deadline(booking: Booking) -> datetime:
    """Until then the mentee cancels for a full refund, and either side may reschedule."""
    window_hours = booking.offering.cancellation_window_hours
    return free_cancellation_deadline(booking.starts_at, window_hours=window_hours)


def join_opens_at(booking: Booking) -> datetime:
    """From then until the end the booking page offers "Join now", and the mentee is e-mailed the link."""
    return booking.starts_at - JOIN_OPENS_BEFORE


def late_booking_notice(starts_at: datetime, *, window_hours: int, now: datetime) -> str:
    """What a mentee booking now should know before paying: a time that starts inside the
    free-cancellation window could not be cancelled for a refund. Empty when it could."""
    if now <= free_cancellation_deadline(starts_at, window_hours=window_hours):
        return ""
    minutes = max(int((starts_at - now).total_seconds() // 60), 0)
    hours = minutes // 60
    if hours:
        return ngettext(
            "Starts in %(count)s hour: cancelling will not be refunded",
            "Starts in %(count)s hours: cancelling will not be refunded",
            hours,
        ) % {"count": hours}
    return ngettext(
        "Starts in %(count)s minute: cancelling will not be refunded",
        "Starts in %(count)s minutes: cancelling will not be refunded",
        minutes,
    ) % {"count": minutes}


def mentee_cancel_refunds(booking: Booking, *, at: datetime) -> bool:
    """A mentee cancelling at `at` is refunded in full before the window; inside it the mentor
    keeps the fee (billing pays it out like a completed session)."""
    return at <= cancellation_deadline(booking)


def refund_promised(booking: Booking) -> bool:
    """Whether the change that ended this booking refunds it (by refund_due's rule, at the moment
    it happened): what its page says until billing has written the refund. Reads the loaded events."""
    ends = [
        e for e in booking.events.all() if e.to_state == booking.state and e.from_state == State.CONFIRMED
    ]
    if not ends or not booking.price_amount:
        return False
    if booking.state in (State.CANCELLED_BY_MENTOR, State.NO_SHOW_MENTOR):
        return True
    return booking.state == State.CANCELLED_BY_MENTEE and mentee_cancel_refunds(booking, at=ends[-1].at)


def refund_due(*, booking: Booking, to: str, now: datetime) -> bool:
    """The mentor cancelling or not showing up refunds in full, always; the mentee cancelling
    refunds in full before the offering's window and not at all inside it."""
    if booking.state != State.CONFIRMED or not booking.price_amount:
        return False
    if to in (State.CANCELLED_BY_MENTOR, State.NO_SHOW_MENTOR):
        return True
    if to == State.CANCELLED_BY_MENTEE:
        return mentee_cancel_refunds(booking, at=now)
    return False


def no_show_report(booking: Booking) -> BookingEvent | None:
    """The report that put the booking in its no-show state, if its mentee or mentor made it
    (a staff decision is not contested); reads the booking's prefetched events."""
    if booking.state not in NO_SHOW_STATES:
        return None
    reports = [e for e in booking.events.all() if e.to_state == booking.state and e.from_state != e.to_state]
    if not reports or reports[-1].actor_id not in (booking.mentee_id, booking.mentor.user_id):
        return None
    return reports[-1]


# --- what a person may do ---------------------------------------------------------------------


def may_cancel(booking: Booking, *, by: User, now: datetime) -> Verdict:
    """The mentee or the mentor, before the start, while it is held or confirmed."""
    if is_mentee(by, booking):
        to = State.CANCELLED_BY_MENTEE
    elif is_mentor(by, booking):
        to = State.CANCELLED_BY_MENTOR
    else:
        return Verdict(_("Only the mentee or the mentor can cancel this booking."))
    if booking.state == State.REQUESTED:  # its card was only authorised: sessions/services/requests.py
        return Verdict(
            _("A request waiting for its answer is declined by the mentor or withdrawn by the mentee.")
        )
    if booking.starts_at <= now:
        return Verdict(_("This session has already started; report a no-show instead."))
    return Verdict(transition_refusal(booking, to), to=to)


def may_reschedule(booking: Booking, *, by: User, now: datetime) -> Verdict:
    """Either side, once, a confirmed booking, until the cancellation window closes."""
    if not (is_mentee(by, booking) or is_mentor(by, booking)):
        return Verdict(_("Only the mentee or the mentor can reschedule this booking."))
    if booking.state != State.CONFIRMED:
        return Verdict(_("Only a confirmed booking can be rescheduled."))
    if booking.reschedule_count >= 1:
        return Verdict(_("This booking has already been rescheduled once."))
    if now > cancellation_deadline(booking):
        return Verdict(_("The window for rescheduling has closed."))
    return Verdict(to=State.CONFIRMED)


def may_edit_prework(booking: Booking, *, by: User, now: datetime) -> Verdict:
    """The mentee, until the session starts."""
    if not is_mentee(by, booking):
        return Verdict(_("Only the mentee writes the pre-work."))
    if not booking.is_active or booking.starts_at <= now:
        return Verdict(_("The pre-work can be changed until the session starts."))
    return Verdict(to=booking.state)


def may_close(booking: Booking, *, by: User, now: datetime) -> Verdict:
    """The mentor, once a confirmed session has ended."""
    if not is_mentor(by, booking):
        return Verdict(_("Only the mentor closes a session."))
    if booking.state != State.CONFIRMED:
        return Verdict(_("Only a confirmed session can be closed."))
    if now < booking.ends_at:
        return Verdict(_("You can close the session once it has ended."))
    return Verdict(to=State.COMPLETED)


def may_report_no_show(booking: Booking, *, by: User, now: datetime) -> Verdict:
    """Either side reports the other absent, from 10 minutes after the start to 24 h after the end."""
    if is_mentor(by, booking):
        to = State.NO_SHOW_MENTEE
    elif is_mentee(by, booking):
        to = State.NO_SHOW_MENTOR
    else:
        return Verdict(_("Only the mentee or the mentor can report a no-show."))
    if booking.state != State.CONFIRMED:
        return Verdict(_("Only a confirmed session can be reported."))
    if now < booking.starts_at + NO_SHOW_GRACE:
        return Verdict(_("You can report a no-show 10 minutes after the start."))
    if now > booking.ends_at + NO_SHOW_WINDOW:
        return Verdict(_("No-shows must be reported within 24 hours of the end."))
    return Verdict(to=to)


def may_contest_no_show(booking: Booking, *, by: User, now: datetime, contested: bool) -> Verdict:
    """The person reported absent says they were there: once (`contested`: a contest exists
    already, moderation keeps them), within 48 h of a report its mentee or mentor made."""
    reported = {State.NO_SHOW_MENTEE: booking.mentee_id, State.NO_SHOW_MENTOR: booking.mentor.user_id}
    if booking.state not in reported:
        return Verdict(_("Only a reported no-show can be contested."))
    if by.pk != reported[booking.state]:
        return Verdict(_("Only the person reported absent can contest the report."))
    if contested:
        return Verdict(_("This report has already been contested; our team decides it."))
    report = no_show_report(booking)
    if report is None:
        return Verdict(_("Our team decided this no-show; it cannot be contested here."))
    if now > report.at + CONTEST_WINDOW:
        return Verdict(_("A no-show report can be contested within 48 hours; that time has passed."))
    return Verdict(to=booking.state)


@dataclass(frozen=True)
class BookingActions:
    """The buttons the booking page shows its viewer (a contest is moderation's card: it asks
    may_contest_no_show itself, knowing whether a contest exists)."""

    cancel: bool
    reschedule: bool
    edit_prework: bool
    close: bool
    report_no_show: bool


def booking_actions(booking: Booking, *, user: User, now: datetime) -> BookingActions:
    return BookingActions(
        cancel=may_cancel(booking, by=user, now=now).allowed,
        reschedule=may_reschedule(booking, by=user, now=now).allowed,
        edit_prework=may_edit_prework(booking, by=user, now=now).allowed,
        close=may_close(booking, by=user, now=now).allowed,
        report_no_show=may_report_no_show(booking, by=user, now=now).allowed,
    )
