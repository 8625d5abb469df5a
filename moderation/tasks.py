from celery import shared_task

from . import emails, services


@shared_task(acks_late=True)
def uphold_due_strikes() -> int:
    return services.strikes_uphold_due()


@shared_task(acks_late=True)
def send_noshow_decision(booking_id: str, outcome: str, reason: str, was: str) -> None:
    emails.send_noshow_decision(booking_id=booking_id, outcome=outcome, reason=reason, was=was)


@shared_task(acks_late=True)
def send_noshow_contested(dispute_id: int) -> None:
    emails.send_noshow_contested(dispute_id=dispute_id)


@shared_task(acks_late=True)
def send_offering_taken_down(offering_id: int, reason: str) -> None:
    emails.send_offering_taken_down(offering_id=offering_id, reason=reason)
