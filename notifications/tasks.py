from celery import shared_task
from django.conf import settings

from core.emails import RETRYABLE_ERRORS

from . import batches, emails, services

# A run drains at most this many batches; what is left waits for the next minute.
MAX_BATCHES_PER_RUN = 50


@shared_task(acks_late=True)
def dispatch_due() -> int:
    """Beat, every minute: claim due rows in batches and queue one send task per batch."""
    claimed = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        ids = services.notifications_claim_due()
        if ids:
            send_notifications.delay(ids)
        claimed += len(ids)
        if len(ids) < settings.NOTIFICATION_BATCH_SIZE:
            break
    return claimed


@shared_task(acks_late=True)
def send_notifications(notification_ids: list[int]) -> None:
    """A claimed batch over one mail connection; a failure hands the rest to send_notification."""
    batches.notifications_send_batch(notification_ids=notification_ids)


@shared_task(
    acks_late=True,
    autoretry_for=RETRYABLE_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,  # below the claim timeout, so the dispatcher does not re-queue a retrying row
    retry_jitter=True,
    max_retries=settings.NOTIFICATION_MAX_ATTEMPTS,
)
def send_notification(notification_id: int) -> str:
    return services.notification_send(notification_id=notification_id)


# Queued by name: it kept the name it had in sessions, so flags queued before an upgrade are sent.
@shared_task(acks_late=True, name="sessions.tasks.send_review_flags")
def send_review_flags(booking_ids: list[str]) -> None:
    """Staff are told which sessions were just flagged for review (sessions.hooks.bookings_flagged)."""
    emails.send_review_flags(booking_ids=booking_ids)
