"""The notification outbox: which reminders a booking has, and sending each one at most once.

Rows are written in the same transaction as the booking change that makes them due (confirm,
reschedule, cancel), so the outbox never disagrees with the booking. A beat task claims due rows
under `select_for_update(skip_locked=True)`; the send re-locks the row, re-checks that the reminder
still makes sense, and marks it sent in the same transaction, so a duplicate task finds it sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import UpgradeOffer
from cohorts.models import CohortEvent, Enrollment, Module, PeerReview, Submission
from core.emails import RETRYABLE_ERRORS
from sessions.models import ActionItem, Booking
from sessions.policy import JOIN_OPENS_BEFORE
from sessions.services import action_item_mark_done

from . import tasks
from .emails import build_message, turned_off_by_recipient
from .models import Notification
from .selectors import checkin_action_item
from .tokens import CheckinLinkError

logger = logging.getLogger("notifications")
Kind = Notification.Kind
State = Notification.State

# (which end of the booking, offset): negative before the start, positive after the end.
SCHEDULE: dict[str, tuple[str, timedelta]] = {
    Kind.PREWORK_REMINDER_48H: ("starts_at", -timedelta(hours=48)),
    Kind.PREWORK_REMINDER_24H: ("starts_at", -timedelta(hours=24)),
    Kind.MENTOR_PREP_DIGEST: ("starts_at", -timedelta(hours=2)),
    Kind.STARTING_SOON_MENTEE: ("starts_at", -JOIN_OPENS_BEFORE),
    Kind.STARTING_SOON_MENTOR: ("starts_at", -JOIN_OPENS_BEFORE),
    Kind.CLOSEOUT_NUDGE_2H: ("ends_at", timedelta(hours=2)),
    Kind.CLOSEOUT_NUDGE_24H: ("ends_at", timedelta(hours=24)),
    Kind.CLOSEOUT_STAFF_48H: ("ends_at", timedelta(hours=48)),
}
BEFORE_THE_SESSION = {
    Kind.PREWORK_REMINDER_48H,
    Kind.PREWORK_REMINDER_24H,
    Kind.MENTOR_PREP_DIGEST,
    Kind.STARTING_SOON_MENTEE,
    Kind.STARTING_SOON_MENTOR,
}
RESCHEDULED = "booking rescheduled"
# Not sent yet: claimed rows too, so a claim racing a reschedule or cancel finds itself cancelled.
WAITING = (State.PENDING, State.SENDING)
PREWORK_REMINDERS = {Kind.PREWORK_REMINDER_48H, Kind.PREWORK_REMINDER_24H}
CLOSEOUT_REMINDERS = {Kind.CLOSEOUT_NUDGE_2H, Kind.CLOSEOUT_NUDGE_24H, Kind.CLOSEOUT_STAFF_48H}
# The check-in reaches the mentee at this hour of their own day, on the action item's due date.
CHECKIN_LOCAL_TIME = time(9)
TURNED_OFF = "turned off by the recipient"


def due_time(*, kind: str, booking: Booking) -> datetime:
    """In UTC: arithmetic on a zoned datetime is wall-clock, and would make "48 h" 47 across DST."""
    field, offset = SCHEDULE[kind]
    return getattr(booking, field).astimezone(UTC) + offset


def schedule_for_booking(
    booking: Booking, *, now: datetime | None = None, new: bool = False
) -> list[Notification]:
    """Make the booking's pending rows match its current times; call inside the booking's transaction.

    Rows already due when the booking is confirmed are not created (a session booked 3 h ahead
    gets no 24 h reminder). Pending rows for old times are cancelled; rows already sent stay sent.
    A booking `new` in this transaction has no rows yet: its rows are written in one INSERT.
    """
    now = now or timezone.now()
    if booking.state != Booking.State.CONFIRMED:
        if not new:
            cancel_for_booking(booking)
        return []
    planned = [
        Notification(booking=booking, kind=kind, due_at=due)
        for kind in SCHEDULE
        if (due := due_time(kind=kind, booking=booking)) > now
    ]
    if new:
        return Notification.objects.bulk_create(planned)
    _sync_waiting_rows(Notification.objects.filter(booking=booking), planned)
    return list(Notification.objects.filter(booking=booking, state=State.PENDING))


def _sync_waiting_rows(rows: QuerySet[Notification], planned: list[Notification]) -> None:
    """Make one booking's or one member's rows match `planned` (unsaved rows): rows waiting for a
    moment no longer planned are cancelled, rows cancelled by a reschedule and planned again come
    back, the rest are created; rows already sent stay sent. A savepoint inside the caller's
    transaction."""

    def key(row: Notification) -> tuple:
        return (row.kind, row.cohort_event_id, row.module_id, row.due_at)

    plan = {key(row): row for row in planned}
    with transaction.atomic():
        existing = list(rows.select_for_update())
        for row in existing:
            is_planned = key(row) in plan
            if row.state in WAITING and not is_planned:
                row.state, row.last_error = State.CANCELLED, RESCHEDULED
                row.save(update_fields=["state", "last_error"])
            elif row.state == State.CANCELLED and row.last_error == RESCHEDULED and is_planned:
                # Moved back to a time it had before.
                row.state, row.last_error = State.PENDING, ""
                row.save(update_fields=["state", "last_error"])
        known = {key(row) for row in existing}
        Notification.objects.bulk_create(
            sorted((row for k, row in plan.items() if k not in known), key=lambda row: row.due_at)
        )


def cancel_for_booking(booking: Booking, *, reason: str = "booking no longer confirmed") -> int:
    """The booking ended early (cancelled, no-show, closed): its unsent reminders will not go out.

    A row being sent right now is locked by its sender; the update waits, then finds it sent.
    """
    return Notification.objects.filter(booking=booking, state__in=WAITING).update(
        state=State.CANCELLED, last_error=reason
    )


# --- cohort members -------------------------------------------------------------------------

# Before each live event, and before each assignment is due.
EVENT_REMINDERS = {Kind.COHORT_EVENT_24H: timedelta(hours=24), Kind.COHORT_EVENT_1H: timedelta(hours=1)}
ASSIGNMENT_REMINDER = timedelta(hours=24)
COHORT_KINDS = {
    Kind.COHORT_EVENT_24H,
    Kind.COHORT_EVENT_1H,
    Kind.ASSIGNMENT_DUE_24H,
    Kind.PEER_REVIEWS_WAITING,
    Kind.SEAT_OFFERED,
}


def schedule_for_member(enrollment: Enrollment, *, now: datetime | None = None) -> None:
    schedule_for_members([enrollment], now=now)


def schedule_for_members(enrollments: Iterable[Enrollment], *, now: datetime | None = None) -> None:
    """Make members' pending event and assignment reminders match their cohort's calendar; call
    inside the transaction that changed it (the calendar is read once for all of them). Rows for
    moved or cancelled events are cancelled, rows already sent stay sent (like bookings)."""
    now = now or timezone.now()
    calendars: dict[int, tuple[list, list]] = {}
    for enrollment in enrollments:
        if enrollment.state != Enrollment.State.ACTIVE:
            cancel_for_member(enrollment)
            continue
        if enrollment.cohort_id not in calendars:
            events = CohortEvent.objects.filter(
                cohort_id=enrollment.cohort_id, is_cancelled=False, starts_at__gt=now
            ).values_list("pk", "starts_at")
            modules = (
                Module.objects.filter(cohort_id=enrollment.cohort_id, assignment_due_at__gt=now)
                .exclude(assignment="")
                .values_list("pk", "assignment_due_at")
            )
            calendars[enrollment.cohort_id] = (list(events), list(modules))
        events, modules = calendars[enrollment.cohort_id]
        planned = [
            Notification(enrollment=enrollment, kind=kind, cohort_event_id=event_id, due_at=due)
            for event_id, starts_at in events
            for kind, before in EVENT_REMINDERS.items()
            if (due := starts_at.astimezone(UTC) - before) > now
        ] + [
            Notification(enrollment=enrollment, kind=Kind.ASSIGNMENT_DUE_24H, module_id=module_id, due_at=due)
            for module_id, due_at in modules
            if (due := due_at.astimezone(UTC) - ASSIGNMENT_REMINDER) > now
        ]
        rows = Notification.objects.filter(
            enrollment=enrollment, kind__in=[*EVENT_REMINDERS, Kind.ASSIGNMENT_DUE_24H]
        )
        _sync_waiting_rows(rows, planned)


def cancel_for_member(enrollment: Enrollment, *, reason: str = "no longer a member") -> int:
    return Notification.objects.filter(enrollment=enrollment, state__in=WAITING).update(
        state=State.CANCELLED, last_error=reason
    )


def _send_soon(notification: Notification) -> None:
    """Due now: queue its send after commit rather than wait for the next dispatcher minute.
    The row is the guarantee (sent at most once); a lost task leaves it for the dispatcher."""
    pk = notification.pk
    transaction.on_commit(lambda: queue_quietly(tasks.send_notification, pk))


def queue_quietly(task: Task, *args: object) -> None:
    try:
        task.delay(*args)
    except Exception:  # noqa: BLE001 - broker down: the row is pending and the dispatcher sends it
        logger.warning("could not queue %s%s; the dispatcher will send it", task.name, args)


def seat_offer_schedule(enrollment: Enrollment, *, now: datetime) -> Notification:
    """The waitlist offer e-mail: one row per offer moment, sent once."""
    notification, _ = Notification.objects.get_or_create(
        enrollment=enrollment, kind=Kind.SEAT_OFFERED, due_at=now, cohort_event=None, module=None
    )
    _send_soon(notification)
    return notification


def ladder_up_offer_schedule(offer: UpgradeOffer, *, at: datetime) -> Notification:
    """The ladder-up e-mail of an upgrade offer: one row per session (due when it was rated), sent
    once, soon after the review's transaction commits."""
    notification, _ = Notification.objects.get_or_create(
        booking_id=offer.booking_id, kind=Kind.LADDER_UP_OFFER, due_at=at
    )
    _send_soon(notification)
    return notification


def peer_reviews_schedule(
    enrollment: Enrollment, *, module: Module, now: datetime | None = None
) -> Notification:
    notification, _ = Notification.objects.get_or_create(
        enrollment=enrollment, kind=Kind.PEER_REVIEWS_WAITING, module=module, due_at=now or timezone.now()
    )
    _send_soon(notification)
    return notification


# --- delivery -------------------------------------------------------------------------------


def _claim_timeout() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS)


def notifications_claim_due(
    *, now: datetime | None = None, due_by: datetime | None = None, limit: int | None = None
) -> list[int]:
    """Claim a batch of rows due by `due_by` (default now; later only for the demo's fast-forward)
    and rows a dead worker left "sending", for this dispatcher.

    `skip_locked` lets two dispatchers run at once: each takes rows the other has not locked.
    """
    now = now or timezone.now()
    limit = limit or settings.NOTIFICATION_BATCH_SIZE
    due = Q(state=State.PENDING, due_at__lte=due_by or now) | Q(
        state=State.SENDING, claimed_at__lt=now - _claim_timeout()
    )
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(due)
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=ids).update(state=State.SENDING, claimed_at=now)
    return ids


def skip_reason(*, notification: Notification, now: datetime) -> str:
    """Why this reminder no longer makes sense at send time; empty when it should go out."""
    if notification.kind in COHORT_KINDS:
        reason = _member_skip_reason(notification=notification, now=now)
    elif notification.kind == Kind.ACTION_ITEM_CHECKIN:
        reason = _checkin_skip_reason(notification)
    elif notification.kind == Kind.LADDER_UP_OFFER:
        reason = _ladder_up_skip_reason(notification=notification, now=now)
    else:
        reason = _booking_skip_reason(notification=notification, now=now)
    return reason or (TURNED_OFF if turned_off_by_recipient(notification) else "")


def _checkin_skip_reason(notification: Notification) -> str:
    booking = notification.booking
    if booking.state != Booking.State.COMPLETED:
        return f"booking is {booking.get_state_display().lower()}"
    item = ActionItem.objects.filter(booking=booking).only("done_at").first()
    if item is None:
        return "no action item"
    if item.is_done:
        return "action item already done"
    return ""


def _ladder_up_skip_reason(*, notification: Notification, now: datetime) -> str:
    offer = UpgradeOffer.objects.filter(booking_id=notification.booking_id).select_related("mentor").first()
    if offer is None:
        return "no upgrade offer"
    if offer.is_redeemed:
        return "upgrade credit already used"
    if offer.is_expired(now):
        return "upgrade offer expired"
    if not offer.mentor.ladder_up_nudges:
        return "the mentor turned ladder-up offers off"
    return ""


def _member_skip_reason(*, notification: Notification, now: datetime) -> str:
    enrollment = notification.enrollment
    kind = notification.kind
    if kind == Kind.SEAT_OFFERED:
        if enrollment.state != Enrollment.State.OFFERED:
            return "the offer is no longer open"
        return ""
    if enrollment.state != Enrollment.State.ACTIVE:
        return f"member is {enrollment.get_state_display().lower()}"
    if kind in EVENT_REMINDERS:
        event = notification.cohort_event
        if event.is_cancelled:
            return "event cancelled"
        if now >= event.starts_at:
            return "too late: the event has started"
    if kind == Kind.ASSIGNMENT_DUE_24H:
        if Submission.objects.filter(module_id=notification.module_id, enrollment=enrollment).exists():
            return "assignment submitted"
        if now >= notification.module.assignment_due_at:
            return "too late: the assignment was due"
    if (
        kind == Kind.PEER_REVIEWS_WAITING
        and not PeerReview.objects.filter(
            reviewer=enrollment, submission__module_id=notification.module_id, submitted_at__isnull=True
        ).exists()
    ):
        return "reviews written"
    return ""


def _booking_skip_reason(*, notification: Notification, now: datetime) -> str:
    booking = notification.booking
    kind = notification.kind
    if booking.state != Booking.State.CONFIRMED:
        return f"booking is {booking.get_state_display().lower()}"
    if kind in BEFORE_THE_SESSION and now >= booking.starts_at:
        return "too late: the session has started"
    if kind in PREWORK_REMINDERS and booking.prework_complete:
        return "pre-work complete"
    if kind in CLOSEOUT_REMINDERS and ActionItem.objects.filter(booking=booking).exists():
        return "action item recorded"
    return ""


# What a reminder's send-time checks and e-mail read, loaded with the row (one query per batch).
SEND_RELATED = (
    "booking__offering",
    "booking__mentor__user",
    "booking__mentee",
    "enrollment__member",
    "enrollment__cohort__facilitator__user",
    "cohort_event",
    "module",
)


def notification_send(*, notification_id: int, now: datetime | None = None) -> str:
    """Send one row if it still should go; returns the row's state. Safe to call any number of times.

    The row stays locked while the mail goes out, so a second call waits and then finds it sent.
    A transient failure is recorded and re-raised for the task to retry, until the attempt limit
    marks the row dead.
    """
    now = now or timezone.now()
    failure: Exception | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related(*SEND_RELATED)
            .get(pk=notification_id)
        )
        if notification.state not in WAITING:
            return notification.state
        if notification.state == State.PENDING and notification.due_at > now:
            return notification.state  # a stray task for a row that is not due yet
        reason = skip_reason(notification=notification, now=now)
        message = None if reason else build_message(notification)
        if message is None:
            notification.state = State.CANCELLED
            notification.last_error = reason or "no recipient"
            notification.save(update_fields=["state", "last_error"])
            return notification.state
        notification.attempts += 1
        try:
            message.send()
        except RETRYABLE_ERRORS as error:
            failure = error
            notification.last_error = f"{type(error).__name__}: {error}"[:2000]
            notification.claimed_at = now
            if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                notification.state = State.DEAD
        else:
            notification.state = State.SENT
            notification.sent_at = now
            notification.last_error = ""
        notification.save(update_fields=["state", "attempts", "last_error", "claimed_at", "sent_at"])
    if failure is not None and notification.state != State.DEAD:
        raise failure
    return notification.state


def notification_send_again(*, notification: Notification, now: datetime | None = None) -> Notification:
    """Staff put a row back in the queue, due now; the send-time checks still apply."""
    now = now or timezone.now()
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        notification.state = State.PENDING
        notification.due_at = now
        notification.attempts = 0
        notification.last_error = ""
        notification.claimed_at = None
        notification.save(update_fields=["state", "due_at", "attempts", "last_error", "claimed_at"])
    return notification


# --- action-item check-ins ------------------------------------------------------------------


def checkin_due_time(*, action_item: ActionItem) -> datetime:
    """09:00 on the due date where the mentee lives, in UTC (so 09:00 holds across a DST change)."""
    zone = action_item.booking.mentee.zone
    return datetime.combine(action_item.due_date, CHECKIN_LOCAL_TIME, tzinfo=zone).astimezone(UTC)


def checkin_schedule(*, action_item: ActionItem, now: datetime | None = None) -> Notification | None:
    """Queue the mentee's "Did you do it?" e-mail; call inside the transaction that closes the session.

    None when that moment has already passed (an item due the same day, closed after 09:00).
    """
    now = now or timezone.now()
    due = checkin_due_time(action_item=action_item)
    if due <= now:
        return None
    with transaction.atomic():
        notification, _ = Notification.objects.get_or_create(
            booking_id=action_item.booking_id, kind=Kind.ACTION_ITEM_CHECKIN, due_at=due
        )
    return notification


def checkin_answer(*, token: str, answer: str, now: datetime | None = None) -> ActionItem:
    """The mentee answered a check-in from its e-mail, without logging in.

    The token is the only authority, so this touches the token's own item and nothing else:
    "done" marks it done through the usual service (the mentor's figures follow), "not yet" only
    notes the answer on the check-in row. Raises CheckinLinkError for a bad token or answer.
    """
    now = now or timezone.now()
    if answer not in Notification.Answer.values:
        raise CheckinLinkError(_("There is no such answer."), status=404)
    item = checkin_action_item(token=token)
    with transaction.atomic():
        # The booking's lock first, as action_item_mark_done takes it: a double click waits here.
        booking = Booking.objects.select_for_update().select_related("mentee").get(pk=item.booking_id)
        item = ActionItem.objects.get(pk=item.pk)
        if answer == Notification.Answer.DONE and not item.is_done:
            item = action_item_mark_done(booking=booking, by=booking.mentee, done=True)
        if answer == Notification.Answer.DONE or not item.is_done:
            Notification.objects.filter(booking_id=booking.pk, kind=Kind.ACTION_ITEM_CHECKIN).update(
                answer=answer, answered_at=now
            )
    return item
