from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_message_digests() -> int:
    """Beat, every minute: the Q&A e-mails that are due (at most one per thread an hour each)."""
    return services.digests_send()
