from celery import shared_task

from . import emails, services


@shared_task(acks_late=True, ignore_result=True)
def send_delivery(delivery_id: str) -> None:
    """One attempt at a webhook delivery (a no-op if it is not due, or another worker has it)."""
    services.delivery_attempt(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def send_due_deliveries() -> int:
    """Beat, every minute: queue the deliveries due (retries, and any the commit could not queue)."""
    return services.deliveries_send_due()


@shared_task(acks_late=True, ignore_result=True)
def send_endpoint_turned_off(endpoint_id: int) -> None:
    emails.send_endpoint_turned_off(endpoint_id=endpoint_id)
