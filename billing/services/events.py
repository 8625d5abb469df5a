"""Webhook events: stored once, processed after commit, each by the one handler registered for
its type.

billing owns the endpoints and the event store. Every app that acts on Stripe's events registers
its handlers here from its AppConfig.ready(): billing its own (billing/apps.py), subscriptions
Stripe Billing's subscription and invoice events and the checkouts in "subscription" mode
(subscriptions/apps.py). A handler gets the event's object (`data.object`), or the whole event
when it needs the event's `created` time to be tolerant of reordering (`whole_event=True`).

    # subscriptions/apps.py, in ready()
    register_event_handler("invoice.paid", webhooks.on_invoice_paid, whole_event=True)
    register_event_handler(
        "checkout.session.completed", webhooks.on_checkout_completed, checkout_mode="subscription"
    )
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.history import change_reason

from .. import tasks
from ..models import WebhookEvent

logger = logging.getLogger("billing")

MAX_EVENT_ATTEMPTS = 5


# --- the registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EventHandler:
    handle: Callable[[dict], None]
    whole_event: bool = False  # gets the whole event, not only its data.object

    def __call__(self, event: WebhookEvent) -> None:
        self.handle(event.payload if self.whole_event else event.data_object)


_handlers: dict[tuple[str, str | None], EventHandler] = {}


def register_event_handler(
    event_type: str,
    handle: Callable[[dict], None],
    *,
    checkout_mode: str | None = None,
    whole_event: bool = False,
) -> Callable[[dict], None]:
    """Apply events of `event_type` with `handle` (once, however often ready() runs). With
    `checkout_mode`, only checkout sessions of that mode ("subscription"); the handler without a
    mode takes the others. One handler per type and mode: a second one is a mistake."""
    handler = EventHandler(handle=handle, whole_event=whole_event)
    key = (event_type, checkout_mode)
    if _handlers.get(key, handler) != handler:
        raise ValueError(f"{event_type} ({checkout_mode or 'any mode'}) already has a handler")
    _handlers[key] = handler
    return handle


def event_handler_for(event: WebhookEvent) -> EventHandler | None:
    """The handler of a stored event: the one for its checkout's mode, else the one for its type."""
    if any(mode is not None and event_type == event.type for event_type, mode in _handlers):
        mode = event.data_object.get("mode")
        if isinstance(mode, str) and (event.type, mode) in _handlers:
            return _handlers[(event.type, mode)]
    return _handlers.get((event.type, None))


def handled_event_types() -> set[str]:
    """Every event type some app acts on (the rest are stored and marked processed)."""
    return {event_type for event_type, _ in _handlers}


# --- storing and processing ------------------------------------------------------------------


def event_record(*, event_id: str, type: str, endpoint: str, payload: dict) -> tuple[WebhookEvent, bool]:
    """Store an event once (unique on its id) and process it after commit; duplicates change nothing.

    A duplicate of an event not processed yet (its task was lost) is queued again: processing is
    idempotent, so the worst case is a no-op.
    """
    with transaction.atomic():
        event, created = WebhookEvent.objects.get_or_create(
            stripe_event_id=event_id, defaults={"type": type, "endpoint": endpoint, "payload": payload}
        )
        if created or event.state == WebhookEvent.State.RECEIVED:
            pk = event.pk
            transaction.on_commit(lambda: _dispatch_event(pk))
    return event, created


def _dispatch_event(event_pk: int) -> None:
    """Queue the processing task; with the broker down the event stays stored and the sweep runs it."""
    try:
        tasks.process_event.delay(event_pk)
    except Exception:  # noqa: BLE001 - Stripe must get its 200; events_process_pending picks it up
        logger.exception("could not queue webhook event %s; the periodic sweep will process it", event_pk)


def events_process_pending(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """The sweep for events whose task was lost, or that failed because they came too early
    (e.g. transfer.reversed before our transfer was stored): try again, a few times."""
    cutoff = timezone.now() - older_than
    pending = (
        WebhookEvent.objects.filter(received_at__lte=cutoff)
        .filter(
            Q(state=WebhookEvent.State.RECEIVED)
            | Q(state=WebhookEvent.State.FAILED, attempts__lt=MAX_EVENT_ATTEMPTS)
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:200]
    )
    count = 0
    for event_pk in list(pending):
        event_process(event_id=event_pk)
        count += 1
    return count


def event_process(*, event_id: int) -> WebhookEvent:
    """Apply one event; safe to run any number of times, in any order relative to others."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_id)
        if event.state == WebhookEvent.State.PROCESSED:
            return event
        event.attempts += 1
        try:
            with transaction.atomic(), change_reason(f"{event.type} ({event.stripe_event_id})"):
                if handler := event_handler_for(event):
                    handler(event)
        except Exception as error:  # noqa: BLE001 - stored and shown in the admin, reprocessable
            logger.exception("processing %s %s failed", event.type, event.stripe_event_id)
            event.state = WebhookEvent.State.FAILED
            event.last_error = f"{type(error).__name__}: {error}"[:2000]
        else:
            event.state = WebhookEvent.State.PROCESSED
            event.processed_at = timezone.now()
            event.last_error = ""
        event.save(update_fields=["state", "attempts", "last_error", "processed_at"])
    return event


def event_reprocess(*, event: WebhookEvent) -> WebhookEvent:
    """Staff run a failed event again (admin action)."""
    return event_process(event_id=event.pk)


def event_apply_again(event: WebhookEvent) -> None:
    """Apply a stored event's handler once more, inside the caller's transaction (a refund event
    heard before its payment could be named: refunds_in_stripe.take_refunds_heard_before)."""
    handler = event_handler_for(event)
    if handler:
        handler(event)
