"""The tasks of a request to book (sessions/services/requests.py): its e-mails
(the beat sweep is sessions.tasks.sweep_requests).
Queued through the outbox (delay_on_commit); each e-mail reads the request's state first, so a
task queued twice or late sends nothing wrong."""

from celery import shared_task

from . import request_emails


@shared_task(acks_late=True)
def send_request_received(booking_id: str) -> None:
    request_emails.send_request_received(booking_id=booking_id)


@shared_task(acks_late=True)
def send_request_reminder(booking_id: str) -> None:
    request_emails.send_request_reminder(booking_id=booking_id)


@shared_task(acks_late=True)
def send_request_answered(booking_id: str) -> None:
    request_emails.send_request_answered(booking_id=booking_id)


@shared_task(acks_late=True)
def send_request_lapsed(booking_id: str) -> None:
    request_emails.send_request_lapsed(booking_id=booking_id)
