from celery import shared_task

from . import emails


@shared_task(acks_late=True)
def send_application_decision(mentor_id: int) -> None:
    emails.send_application_decision(mentor_id=mentor_id)


@shared_task(acks_late=True)
def send_suspension_started(suspension_id: int) -> None:
    emails.send_suspension_started(suspension_id=suspension_id)


@shared_task(acks_late=True)
def send_reinstated(mentor_id: int, reason: str) -> None:
    emails.send_reinstated(mentor_id=mentor_id, reason=reason)
