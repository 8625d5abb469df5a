from celery import shared_task

from . import outbox


@shared_task(acks_late=True)
def flush_outbox() -> int:
    """Beat, every minute: queue the tasks a write saved while the broker was down."""
    return outbox.outbox_flush()
