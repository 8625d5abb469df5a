"""The one e-mail a participant gets for a thread: the messages they have not read yet."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from core.emails import templated_email

from .models import Message, ThreadReader


def digest_email(*, reader: ThreadReader, messages: list[Message], total: int) -> EmailMultiAlternatives:
    """`messages` are the newest of the `total` unread ones, oldest first; times in the
    recipient's zone."""
    user, thread = reader.user, reader.thread
    sender = thread.other_participant(user)
    if total == 1:
        subject = f"New message from {sender.name}: {thread.title}"
    else:
        subject = f"{total} new messages from {sender.name}: {thread.title}"
    return templated_email(
        template="qa/email/new_messages",
        subject=subject,
        to=[user.email],
        zone=user.zone,
        context={
            "recipient": user,
            "sender": sender,
            "thread": thread,
            "thread_messages": messages,
            "total": total,
            "more": total - len(messages),
            "zone": user.zone.key,
            "thread_url": settings.SITE_URL + thread.get_absolute_url(),
            "settings_url": settings.SITE_URL + reverse("accounts:settings"),
            "can_turn_off": True,
        },
    )
