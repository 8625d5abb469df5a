"""One way to build an e-mail: a plain-text and an HTML template, times in the reader's zone."""

from __future__ import annotations

import smtplib
from datetime import tzinfo

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

# Transient delivery failures (the mail server refused for now, or could not be reached): the
# sending tasks retry them with a back-off, up to their attempt limit.
RETRYABLE_ERRORS = (smtplib.SMTPException, OSError)


def templated_email(
    *, template: str, subject: str, to: list[str], context: dict, zone: tzinfo | None = None
) -> EmailMultiAlternatives:
    """`{template}.txt` as the body and `{template}.html` as its alternative, both rendered with
    the times in `zone` (the recipient's; the current zone when None). The caller sends it."""
    with timezone.override(zone or timezone.get_current_timezone()):
        message = EmailMultiAlternatives(
            subject=subject, body=render_to_string(f"{template}.txt", context), to=to
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
