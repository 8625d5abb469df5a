"""Sending a claimed batch of reminders: one query, one mail connection, a commit per e-mail."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.emails import RETRYABLE_ERRORS

from . import services, tasks
from .emails import BatchCache, build_message
from .models import Notification

State = Notification.State
# A batch that takes longer (a slow mail server) queues the rest as a new batch, well inside the
# tasks' 60 s soft time limit.
SEND_BATCH_SECONDS = 30


def notifications_send_batch(*, notification_ids: list[int], now: datetime | None = None) -> Counter:
    """Send a claimed batch: the rows and what their e-mails show read in one query, each e-mail
    built outside any lock (a booking's .ics and a digest's past action items once per batch), all
    of them over one mail connection. Each row is then marked sent by one UPDATE that takes its
    lock and re-checks that it still waits, the e-mail goes out, and the row commits, a
    transaction per row: a worker killed mid-batch resends at most the one message the mail server
    had accepted and its row had not yet recorded, the same one-message gap as a single send.
    A concurrent sender or a cancel waits on that lock, then finds the row sent. Returns the
    rows' states.

    A delivery failure rolls its row's mark back and ends the batch: the row records its attempt,
    and it and the rows not yet tried go to `send_notification`, the single-row task with its
    back-off and attempt limit.
    """
    now = now or timezone.now()
    rows = list(
        Notification.objects.filter(pk__in=notification_ids, state__in=services.WAITING)
        .select_related(*services.SEND_RELATED)
        .order_by("due_at", "pk")
    )
    cache = BatchCache.for_rows(rows)
    states: Counter = Counter()
    handed_over: list[int] = []
    rest: list[int] = []
    connection = get_connection()
    opened = False
    started = time.monotonic()
    try:
        for position, notification in enumerate(rows):
            if time.monotonic() - started > SEND_BATCH_SECONDS:
                rest = [row.pk for row in rows[position:]]  # a slow mail server: well inside the time limit
                break
            if notification.state == State.PENDING and notification.due_at > now:
                states[notification.state] += 1  # a stray id for a row that is not due yet
                continue
            reason = services.skip_reason(notification=notification, now=now)
            message = None if reason else build_message(notification, cache=cache)
            waiting = Notification.objects.filter(pk=notification.pk, state__in=services.WAITING)
            if message is None:
                if waiting.update(state=State.CANCELLED, last_error=reason or "no recipient"):
                    states[State.CANCELLED] += 1
                continue
            try:
                with transaction.atomic():
                    if not waiting.update(
                        state=State.SENT, sent_at=now, attempts=F("attempts") + 1, last_error=""
                    ):
                        continue  # sent or cancelled since it was read
                    if not opened:
                        connection.open()
                        opened = True
                    message.connection = connection
                    connection.send_messages([message])
            except RETRYABLE_ERRORS as error:  # the row's mark rolled back
                dead = notification.attempts + 1 >= settings.NOTIFICATION_MAX_ATTEMPTS
                waiting.update(
                    attempts=F("attempts") + 1,
                    last_error=f"{type(error).__name__}: {error}"[:2000],
                    claimed_at=now,
                    **({"state": State.DEAD} if dead else {}),
                )
                states[State.DEAD if dead else State.SENDING] += 1
                handed_over = ([] if dead else [notification.pk]) + [row.pk for row in rows[position + 1 :]]
                break
            states[State.SENT] += 1
    finally:
        if opened:
            connection.close()
    for notification_id in handed_over:
        services.queue_quietly(tasks.send_notification, notification_id)
    if rest:
        services.queue_quietly(tasks.send_notifications, rest)
    return states
