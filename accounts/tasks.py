from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from core.emails import language_of_code

from . import emails


@shared_task(acks_late=True)
def send_account_deleted(email: str, name: str, language: str = "") -> None:
    """The last e-mail to an address we no longer keep, in the language the account had."""
    with translation.override(language_of_code(language)):
        send_mail(
            _("Your TheMentors account is deleted"),
            _(
                "Hello %(name)s,\n\nYour TheMentors account and what you wrote on it are deleted, as you "
                "asked.\nWe keep the records of payments and sessions (amounts and dates, without your "
                "name) for as long as bookkeeping law requires.\n\n— TheMentors\n%(site)s\n"
            )
            % {"name": name, "site": settings.SITE_URL},
            None,
            [email],
        )


@shared_task(acks_late=True)
def send_new_device(device_id: int) -> None:
    emails.send_new_device(device_id=device_id)
