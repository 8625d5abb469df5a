"""One way to build an e-mail: a plain-text and an HTML template, in the reader's language, times
in the reader's zone.

The language: the one passed, else the account's of the address it goes to (one reader; several
readers who share a language), which is the browser's as last seen when the account has none of
its own, else the site's (English). The subject may be given as a
callable, so that it too is written in that language: `subject=lambda: _("Soon: %(title)s") % …`;
or build the whole message inside `with reader_language(user):`."""

from __future__ import annotations

import base64
import smtplib
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import tzinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

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


def language_of(user) -> str:
    """The language a person reads their e-mails in: their account's, else their browser's as
    last seen, else the site's."""
    return language_of_code(getattr(user, "language", "") or getattr(user, "browser_language", "") or "")


def reader_language(user) -> AbstractContextManager:
    """`with reader_language(user):` — what is written inside (a subject, an .ics) is in their language."""
    return translation.override(language_of(user))


def addressees_language(addresses: Iterable[str]) -> str:
    """The language of the accounts these addresses belong to, when they share one; else the site's."""
    addresses = [address.lower() for address in addresses]
    if not addresses:
        return settings.LANGUAGE_CODE
    readers = get_user_model().objects.filter(email__in=addresses)
    found = {own or browser for own, browser in readers.values_list("language", "browser_language")}
    languages = {language_of_code(code) for code in found} or {settings.LANGUAGE_CODE}
    return languages.pop() if len(languages) == 1 else settings.LANGUAGE_CODE


def language_of_code(code: str) -> str:
    """A language the site is translated into, or the site's own."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def templated_email(
    *,
    template: str,
    subject: str | Callable[[], str],
    to: list[str],
    context: dict,
    zone: tzinfo | None = None,
    language: str | None = None,
) -> Email:
    """`{template}.txt` as the body and `{template}.html` as its alternative, both rendered in
    `language` (the readers' own when None: `addressees_language`) with the times in `zone` (the
    recipient's; the current zone when None). The caller sends it."""
    language = language_of_code(language) if language else addressees_language(to)
    with timezone.override(zone or timezone.get_current_timezone()), translation.override(language):
        message = Email(
            subject=str(subject() if callable(subject) else subject),
            body=render_to_string(f"{template}.txt", context),
            to=to,
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
