"""The task outbox: a task a write asks for is saved with the write, then queued.

`Task.delay_on_commit` (config/celery.py) saves an OutboxTask row in the caller's transaction.
After commit the row is queued at once and deleted; if the broker is unreachable the row stays,
and `outbox_flush` (beat, every minute) queues what is older than OUTBOX_GRACE. So a committed
write never loses its e-mail, refund or payout to a Redis outage, and a rolled-back write never
sends one. Delivery is at least once: a process that dies between queueing and deleting leaves
the row to be queued again, which the tasks tolerate (they are idempotent, or guarded by the
state they change).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import OutboxTask

logger = logging.getLogger(__name__)

# Left to the committing process before the sweep queues a row itself.
OUTBOX_GRACE = timedelta(seconds=60)
FLUSH_BATCH = 500
# A row older than this means the sweep is not running (beat down) or the broker is still away.
OUTBOX_STUCK = timedelta(minutes=10)


# The tasks asked for inside an `outbox_batch()` block, written together when it ends.
_batch: ContextVar[list[tuple[OutboxTask, Callable[[], object]]] | None] = ContextVar(
    "outbox_batch", default=None
)


def outbox_later(*, task: str, args: tuple, kwargs: dict, send: Callable[[], object]) -> None:
    """`delay_on_commit`'s body: save the row now (or at the end of the open `outbox_batch()`
    block), queue it through `send` after commit."""
    batch = _batch.get()
    row = OutboxTask(task=task, args=list(args), kwargs=kwargs)
    if batch is not None:
        batch.append((row, send))
        return
    row.save()
    transaction.on_commit(lambda: outbox_send(row=row, send=send))


@contextmanager
def outbox_batch() -> Iterator[None]:
    """Inside a transaction: the tasks asked for in this block are saved in one INSERT when it ends
    (still in the transaction) and, after commit, queued and deleted with one DELETE. A write that
    asks for several tasks (a booking: its e-mail, the free-slot preview, a calendar push) pays
    two round trips for them instead of two each. A nested block joins the outer one."""
    if _batch.get() is not None:
        yield
        return
    token = _batch.set([])
    try:
        yield
        batch = _batch.get()
    finally:
        _batch.reset(token)
    if batch:
        OutboxTask.objects.bulk_create([row for row, _ in batch])
        transaction.on_commit(lambda: outbox_send_many(batch))


def outbox_send_many(batch: list[tuple[OutboxTask, Callable[[], object]]]) -> int:
    """After commit: queue each row and delete the queued ones together; a row the broker did not
    take stays for the sweep. How many were queued."""
    queued = []
    for row, send in batch:
        try:
            send()
        except OperationalError:
            logger.error("broker unreachable: %s kept in the outbox for the sweep", row.task, exc_info=True)
            continue
        queued.append(row.pk)
    if queued:
        # One plain DELETE (the rows have no relations or signals), without the transaction
        # QuerySet.delete() would open around it: a round trip instead of three.
        rows = OutboxTask.objects.filter(pk__in=queued)
        rows._raw_delete(rows.db)
    return len(queued)


def outbox_send(*, row: OutboxTask, send) -> bool:
    """After commit: queue through `send` (the task's own delay) and forget the row; with the
    broker down keep it for the sweep. Whether it was queued."""
    try:
        send()
    except OperationalError:
        logger.error("broker unreachable: %s kept in the outbox for the sweep", row.task, exc_info=True)
        return False
    OutboxTask.objects.filter(pk=row.pk).delete()
    return True


def outbox_flush(*, now: datetime | None = None) -> int:
    """Queue the rows their process could not (older than OUTBOX_GRACE), oldest first. A row is
    locked while it is queued, so two sweeps never queue it twice. How many were queued."""
    from config.celery import app

    before = (now or timezone.now()) - OUTBOX_GRACE
    queued = 0
    with transaction.atomic():
        rows = list(
            OutboxTask.objects.select_for_update(skip_locked=True)
            .filter(created_at__lte=before)
            .order_by("created_at", "pk")[:FLUSH_BATCH]
        )
        for position, row in enumerate(rows):
            task = app.tasks.get(row.task)
            if task is None:
                logger.error("outbox row %s names no known task (%s): dropped", row.pk, row.task)
                row.delete()
                continue
            try:
                task.delay(*row.args, **row.kwargs)
            except OperationalError as error:
                # The broker is still down: the next sweep tries again from here.
                OutboxTask.objects.filter(pk__in=[r.pk for r in rows[position:]]).update(
                    attempts=F("attempts") + 1, last_error=str(error)[:500]
                )
                break
            row.delete()
            queued += 1
    return queued


def outbox_stuck(*, now: datetime | None = None) -> tuple[int, datetime | None]:
    """How many tasks have waited longer than OUTBOX_STUCK, and since when the oldest (/healthz)."""
    stuck = OutboxTask.objects.filter(created_at__lte=(now or timezone.now()) - OUTBOX_STUCK)
    oldest = stuck.order_by("created_at").values_list("created_at", flat=True).first()
    return (stuck.count() if oldest else 0), oldest
