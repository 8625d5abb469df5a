from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from . import emails


@shared_task(acks_late=True)
def send_account_deleted(email: str, name: str) -> None:
    """The last e-mail to an address we no longer keep."""
    send_mail(
        "Your TheMentors account is deleted",
        f"Hello {name},\n\nYour TheMentors account and what you wrote on it are deleted, as you asked.\n"
        "We keep the records of payments and sessions (amounts and dates, without your name) for as long "
        f"as bookkeeping law requires.\n\n— TheMentors\n{settings.SITE_URL}\n",
        None,
        [email],
    )


@shared_task(acks_late=True)
def send_new_device(device_id: int) -> None:
    emails.send_new_device(device_id=device_id)
