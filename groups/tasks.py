"""Thin tasks: each loads ids and calls a service or sends one e-mail; all idempotent."""

from celery import shared_task

from . import emails, services  # services queues these tasks: a cycle Python resolves at call time


@shared_task(acks_late=True)
def send_seat_confirmation(seat_id: str) -> None:
    emails.seat_confirmation_send(seat_id=seat_id)


@shared_task(acks_late=True)
def send_seat_reminder(seat_id: str) -> None:
    emails.seat_reminder_send(seat_id=seat_id)


@shared_task(acks_late=True)
def send_seat_cancelled(seat_id: str) -> None:
    emails.seat_cancelled_send(seat_id=seat_id)


@shared_task(acks_late=True)
def send_session_cancelled_to_mentor(group_session_id: str) -> None:
    emails.session_cancelled_to_mentor_send(group_session_id=group_session_id)


@shared_task(acks_late=True)
def sweep() -> None:
    """Every minute: let lapsed holds go, decide sessions at their decision time, send reminders."""
    services.seats_release_lapsed()
    services.group_sessions_decide()
    services.seat_reminders_send()
