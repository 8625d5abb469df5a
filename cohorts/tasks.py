from celery import shared_task

from . import emails, purchases, services


@shared_task(acks_late=True)
def sweep() -> dict:
    return services.cohorts_sweep()


@shared_task(acks_late=True)
def send_welcome(enrollment_id: str) -> None:
    emails.send_welcome(enrollment_id=enrollment_id)


@shared_task(acks_late=True)
def send_cohort_message(message_id: int) -> None:
    emails.send_cohort_message(message_id=message_id)


@shared_task(acks_late=True)
def send_cohort_cancelled(enrollment_ids: list[str]) -> None:
    emails.send_cohort_cancelled(enrollment_ids=enrollment_ids)


@shared_task(acks_late=True)
def send_seat_cancelled(enrollment_id: str, reason: str, tell_facilitator: bool) -> None:
    emails.send_seat_cancelled(enrollment_id=enrollment_id, reason=reason, tell_facilitator=tell_facilitator)


# Queued by name: it kept the name it had in billing, so a payout queued before an upgrade runs.
@shared_task(acks_late=True, name="billing.tasks.payout_cohort")
def payout_cohort(cohort_id: int) -> None:
    purchases.cohort_payout(cohort_id=cohort_id)
