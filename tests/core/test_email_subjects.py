"""Subjects outside ASCII ("“Career chat”", names, emoji) are written as RFC 2047 encoded-words by
core.emails rather than by Python's slow header encoder: a mail reader must read back exactly
the subject we meant, however long, with no encoded-word over 75 characters."""

import base64
import email
import re
from email import policy
from email.header import decode_header, make_header

import pytest
from django.core import mail

from core.emails import Email


def _read(raw: str) -> str:
    """The subject as a mail reader shows it."""
    return str(make_header(decode_header(raw)))


SUBJECTS = [
    "Starting in 15 minutes: “Career chat” with Zoë",
    "Prep for your session with Åsa Öberg-Müller: “" + "Négociation salariale 🚀 " * 8 + "”",
    "日本語のセッション：" * 12,
    "é" * 70,
    "Plain ASCII stays as it is",
]


@pytest.mark.parametrize("subject", SUBJECTS)
def test_a_reader_reads_back_the_subject_we_wrote(subject):
    message = Email(subject=subject, body="Hello", to=["a@example.com"])
    written = message.message().as_bytes()

    raw = email.message_from_bytes(written, policy=policy.compat32)["Subject"]
    assert _read(raw) == subject
    assert message.subject == subject  # the message object keeps the text
    words = re.findall(r"=\?utf-8\?b\?([^?]*)\?=", raw)
    assert all(len(word) + 12 <= 75 for word in words)
    for word in words:  # each word whole characters: some readers decode them one by one
        base64.b64decode(word).decode("utf-8")
    assert subject.isascii() == ("=?" not in raw)


def test_an_encoded_subject_goes_through_the_mail_backend(mailoutbox):
    Email(subject=SUBJECTS[1], body="Hello", to=["a@example.com"]).send()

    assert mail.outbox[0].subject == SUBJECTS[1]
    assert _read(email.message_from_bytes(mail.outbox[0].message().as_bytes())["Subject"]) == SUBJECTS[1]
