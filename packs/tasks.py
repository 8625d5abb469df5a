from celery import shared_task

from . import emails


@shared_task(acks_late=True)
def send_pack_receipt(purchase_id: str) -> None:
    emails.pack_receipt_send(purchase_id=purchase_id)
