"""Writes for Q&A threads: posting, reading, the batched e-mail, and the mentor's response time.

Rules in one place each: who may post (`thread_post_refusal`), when a participant is e-mailed
(`_schedule_email`: at most once an hour per thread), how the response time is measured
(`mentor_refresh_response_time`).
"""

from __future__ import annotations

import logging
import statistics
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.emails import RETRYABLE_ERRORS
from core.errors import DomainError
from mentors.models import MentorProfile
from sessions.models import Booking
from subscriptions.models import Subscription

from .emails import digest_email
from .models import MAX_MESSAGE_LENGTH, Message, Thread, ThreadReader
from .selectors import thread_readable

logger = logging.getLogger("qa")

# The first e-mail waits a little, so a burst of messages (or an instant reply read on screen)
# becomes one e-mail or none; later ones wait for the hour since the previous e-mail.
FIRST_EMAIL_DELAY = timedelta(minutes=2)
EMAIL_INTERVAL = timedelta(hours=1)
EMAIL_RETRY = timedelta(minutes=5)
EMAILED_MESSAGES = 20
DIGEST_BATCH = 500

# The mentor's response time is measured over this window, and at most this many messages.
RESPONSE_WINDOW = timedelta(days=90)
RESPONSE_MAX_MESSAGES = 2000

POSTABLE_BOOKING_STATES = (
    Booking.State.CONFIRMED,
    Booking.State.COMPLETED,
    Booking.State.NO_SHOW_MENTEE,
    Booking.State.NO_SHOW_MENTOR,
)


class QAError(DomainError):
    """A rule about Q&A threads said no."""


def thread_post_refusal(*, thread: Thread, user: User) -> str:
    """Why `user` cannot write in `thread` now; empty when they can."""
    if not thread.is_participant(user):
        return _("Only the mentee and the mentor write here; staff can read.")
    if thread.question_id:
        return _("A question is answered once, on its own page.")
    if thread.booking_id:
        state = thread.booking.state
        if state in POSTABLE_BOOKING_STATES:
            return ""
        if state == Booking.State.HELD:
            return _("You can write here once the booking is paid and confirmed.")
        if state == Booking.State.EXPIRED:
            return _("This booking's hold expired, so its thread is closed.")
        if state == Booking.State.REQUESTED:
            return _("You can write here once the mentor accepts the request.")
        if state in (Booking.State.DECLINED, Booking.State.LAPSED):
            return _("This request was not accepted, so its messages are read-only.")
        return _("This booking was cancelled, so its messages are read-only.")
    subscription = thread.subscription
    if not subscription.plan.includes_qa:
        return _("This subscription's plan does not include Q&A, so its messages are read-only.")
    if subscription.status not in Subscription.LIVE_STATUSES:
        return _("This subscription is not active, so its messages are read-only.")
    return ""


def _thread_get_or_create(*, mentee_id: int, mentor: MentorProfile, **subject) -> Thread:
    with transaction.atomic():
        thread, created = Thread.objects.get_or_create(
            **subject, defaults={"mentee_id": mentee_id, "mentor": mentor}
        )
        if created:
            ThreadReader.objects.bulk_create(
                [ThreadReader(thread=thread, user_id=user_id) for user_id in (mentee_id, mentor.user_id)]
            )
    return thread


def thread_for_booking(*, booking: Booking) -> Thread:
    return _thread_get_or_create(booking=booking, mentee_id=booking.mentee_id, mentor=booking.mentor)


def thread_for_subscription(*, subscription: Subscription) -> Thread:
    return _thread_get_or_create(
        subscription=subscription, mentee_id=subscription.mentee_id, mentor=subscription.mentor
    )


def message_clean(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise QAError(_("Write a message first."), field="body")
    if len(body) > MAX_MESSAGE_LENGTH:
        raise QAError(
            _("Keep it to %(limit)s characters (this one has %(length)s).")
            % {"limit": MAX_MESSAGE_LENGTH, "length": len(body)},
            field="body",
        )
    if "\x00" in body:
        raise QAError(_("The message contains a character that cannot be stored."), field="body")
    return body


def message_post(*, thread: Thread, author: User, body: str, now: datetime | None = None) -> Message:
    """Post in the thread of a booking or subscription (`thread` may be the unsaved instance the
    page showed); the thread is created with its first message, and nothing is saved when the
    post is refused. Schedules the other participant's e-mail; a mentor's answer refreshes their
    measured response time."""
    body = message_clean(body)
    now = now or timezone.now()
    with transaction.atomic():
        if thread.pk is None:
            thread = (
                thread_for_booking(booking=thread.booking)
                if thread.booking_id
                else thread_for_subscription(subscription=thread.subscription)
            )
        # The thread's lock orders the posts (and the e-mail schedule) of one thread; the booking's
        # or subscription's state is read afresh with it.
        thread = (
            Thread.objects.select_for_update(of=("self",))
            .select_related("booking__offering", "subscription__plan", "mentee", "mentor__user")
            .get(pk=thread.pk)
        )
        refusal = thread_post_refusal(thread=thread, user=author)
        if refusal:
            raise QAError(refusal)
        message = Message.objects.create(thread=thread, author=author, body=body, created_at=now)
        thread.last_message_at = now
        thread.save(update_fields=["last_message_at"])
        for reader in ThreadReader.objects.select_for_update().filter(thread=thread):
            if reader.user_id == author.pk:
                reader.last_read_at = max(reader.last_read_at or now, now)
                reader.save(update_fields=["last_read_at"])
            elif reader.email_due_at is None:
                reader.email_due_at = _email_due_at(reader=reader, now=now)
                reader.save(update_fields=["email_due_at"])
        if author.pk == thread.mentor.user_id:
            mentor_refresh_response_time(mentor_id=thread.mentor_id, now=now)
    return message


def _email_due_at(*, reader: ThreadReader, now: datetime) -> datetime:
    due = now + FIRST_EMAIL_DELAY
    if reader.last_emailed_at is not None:
        due = max(due, reader.last_emailed_at + EMAIL_INTERVAL)
    return due


def thread_mark_read(*, thread: Thread, user: User, up_to: datetime) -> None:
    """The viewer has seen the thread up to the newest message shown to them (not "now": a
    message posted while the page was being built stays unread)."""
    if thread.pk is None:
        return
    ThreadReader.objects.filter(thread=thread, user=user).filter(
        Q(last_read_at__isnull=True) | Q(last_read_at__lt=up_to)
    ).update(last_read_at=up_to)


def unread_messages(*, reader: ThreadReader) -> list[Message]:
    messages = Message.objects.filter(thread_id=reader.thread_id, hidden_at__isnull=True).exclude(
        author_id=reader.user_id
    )
    if reader.last_read_at is not None:
        messages = messages.filter(created_at__gt=reader.last_read_at)
    return list(messages.select_related("author").order_by("created_at", "pk"))


# --- the batched e-mail ----------------------------------------------------------------------


def digests_send(*, now: datetime | None = None, limit: int = DIGEST_BATCH) -> int:
    """Send the e-mails that are due; the number sent. Two runs at once each take readers the
    other has not locked."""
    now = now or timezone.now()
    due = list(
        ThreadReader.objects.filter(email_due_at__lte=now)
        .order_by("email_due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(digest_send(reader_id=reader_id, now=now) for reader_id in due)


def digest_send(*, reader_id: int, now: datetime | None = None) -> bool:
    """One participant's e-mail for one thread: what they have not read yet. Skipped (and the
    schedule cleared) when they have read it all meanwhile, turned these e-mails off, or may no
    longer read the thread. The row stays locked while the mail goes out and is stamped in the
    same transaction, so a second run finds nothing due."""
    now = now or timezone.now()
    with transaction.atomic():
        reader = (
            ThreadReader.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "user",
                "thread__mentee",
                "thread__mentor__user",
                "thread__booking__offering",
                "thread__subscription__plan",
            )
            .filter(pk=reader_id, email_due_at__lte=now)
            .first()
        )
        if reader is None:
            return False  # sent, or being sent by another worker
        user, thread = reader.user, reader.thread
        unread = unread_messages(reader=reader)
        wanted = bool(unread) and user.is_active and user.email_messages
        if wanted and thread_readable(thread=thread, user=user):
            try:
                digest_email(reader=reader, messages=unread[-EMAILED_MESSAGES:], total=len(unread)).send()
            except RETRYABLE_ERRORS as error:
                logger.warning("Q&A e-mail to reader %s failed (%s); retrying later", reader_id, error)
                reader.email_due_at = now + EMAIL_RETRY
                reader.save(update_fields=["email_due_at"])
                return False
            reader.last_emailed_at = now
            sent = True
        else:
            sent = False
        reader.email_due_at = None
        reader.save(update_fields=["email_due_at", "last_emailed_at"])
    return sent


# --- response time ---------------------------------------------------------------------------


def mentor_refresh_response_time(*, mentor_id: int, now: datetime | None = None) -> int | None:
    """Median minutes from a mentee's message to the mentor's next message in the same thread,
    over the mentor's threads in the last 90 days (the newest 2,000 messages at most). A run of
    mentee messages counts once, from the first: that is how long the mentee waited.
    Computed here rather than in SQL so it is the same on SQLite and PostgreSQL."""
    now = now or timezone.now()
    rows = list(
        Message.objects.filter(thread__mentor_id=mentor_id, created_at__gte=now - RESPONSE_WINDOW)
        .order_by("-created_at", "-pk")
        .values_list("thread_id", "author_id", "thread__mentee_id", "created_at")[:RESPONSE_MAX_MESSAGES]
    )
    waiting: dict[int, datetime] = {}
    gaps: list[float] = []
    for thread_id, author_id, mentee_id, created_at in reversed(rows):
        if author_id == mentee_id:
            waiting.setdefault(thread_id, created_at)
        elif thread_id in waiting:
            gaps.append((created_at - waiting.pop(thread_id)).total_seconds() / 60)
    median = round(statistics.median(gaps)) if gaps else None
    MentorProfile.objects.filter(pk=mentor_id).update(median_response_minutes=median)
    return median


def mentor_set_expected_response_hours(*, mentor: MentorProfile, hours: int | None) -> MentorProfile:
    """What the mentor promises, shown on their profile beside what they measure."""
    mentor.expected_response_hours = hours
    MentorProfile.objects.filter(pk=mentor.pk).update(expected_response_hours=hours)
    return mentor
