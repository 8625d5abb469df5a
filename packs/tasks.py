from celery import shared_task

from . import emails


@shared_task(acks_late=True)
def send_pack_receipt(purchase_id: str) -> None:
    emails.pack_receipt_send(purchase_id=purchase_id)


@shared_task(acks_late=True)
def remind_packs_ending() -> int:
    """Beat, hourly: mentees told, once, that a pack with unused sessions ends within two weeks."""
    return emails.packs_ending_remind()
