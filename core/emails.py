"""One way to build an e-mail: a plain-text and an HTML template, times in the reader's zone."""

from __future__ import annotations

import base64
import smtplib
from datetime import tzinfo

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

# Transient delivery failures (the mail server refused for now, or could not be reached): the
# sending tasks retry them with a back-off, up to their attempt limit.
RETRYABLE_ERRORS = (smtplib.SMTPException, OSError)


def encoded_words(value: str) -> str:
    """`value` as RFC 2047 encoded-words ("=?utf-8?b?...?="), each at most 75 characters and cut on
    a character's boundary, as a mail reader decodes them back to `value`."""
    data, words, start = value.encode(), [], 0
    while start < len(data):
        end = min(start + 45, len(data))  # 45 bytes: 60 in base64, 72 with the markers
        while end < len(data) and data[end] & 0xC0 == 0x80:  # not inside a character
            end -= 1
        words.append(f"=?utf-8?b?{base64.b64encode(data[start:end]).decode()}?=")
        start = end
    return " ".join(words)


class Email(EmailMultiAlternatives):
    """An e-mail whose non-ASCII subject ("Starting in 15 minutes: “Career chat”") is encoded here.

    Python's own header encoder measures its quoted-printable length character by character for
    every line it tries, growing with the square of the subject's length: a sixth of the CPU of
    sending a reminder (issue 22). `subject` stays the text; only the written message differs.
    """

    def message(self):
        subject = self.subject
        if not subject.isascii():
            self.subject = encoded_words(subject)
        try:
            return super().message()
        finally:
            self.subject = subject


def templated_email(
    *, template: str, subject: str, to: list[str], context: dict, zone: tzinfo | None = None
) -> Email:
    """`{template}.txt` as the body and `{template}.html` as its alternative, both rendered with
    the times in `zone` (the recipient's; the current zone when None). The caller sends it."""
    with timezone.override(zone or timezone.get_current_timezone()):
        message = Email(subject=subject, body=render_to_string(f"{template}.txt", context), to=to)
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
