from celery import shared_task

from . import emails, services, writing
from .fetch import FetchError


@shared_task(acks_late=True, ignore_result=True)
def sync_calendar(connection_id: int) -> None:
    services.sync_connection(connection_id=connection_id)


@shared_task(ignore_result=True)
def sync_due_calendars() -> None:
    services.sync_due()


@shared_task(acks_late=True)
def send_sync_failing(connection_id: int) -> None:
    emails.send_sync_failing(connection_id=connection_id)


@shared_task(acks_late=True)
def send_clashes_found(connection_id: int, booking_ids: list[str]) -> None:
    emails.send_clashes_found(connection_id=connection_id, booking_ids=booking_ids)


@shared_task(acks_late=True, autoretry_for=(FetchError,), retry_backoff=60, max_retries=6)
def push_booking(booking_id: str) -> None:
    writing.push_booking(booking_id=booking_id)


@shared_task(acks_late=True, autoretry_for=(FetchError,), retry_backoff=60, max_retries=6)
def push_cohort(cohort_id: int) -> None:
    writing.push_cohort(cohort_id=cohort_id)
