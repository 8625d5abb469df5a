from celery import shared_task

from . import emails


@shared_task(acks_late=True)
def send_offering_taken_down(offering_id: int, reason: str) -> None:
    emails.send_offering_taken_down(offering_id=offering_id, reason=reason)
