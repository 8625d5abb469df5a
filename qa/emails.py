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


QUESTION_SUBJECTS = {
    "asked": "{mentee} asked you a question",
    "reminder": "Reminder: {mentee}'s paid question is due tomorrow",
    "answered": "{mentor} answered your question",
    "declined": "{mentor} declined your question",
}


def question_email(*, question, what: str) -> EmailMultiAlternatives:
    """A question's e-mail: `asked` and `reminder` to the mentor, `answered` and `declined` to the
    mentee; times in the recipient's zone."""
    mentee, mentor = question.mentee, question.mentor.user
    recipient = mentee if what in ("answered", "declined") else mentor
    return templated_email(
        template=f"qa/email/question_{what}",
        subject=QUESTION_SUBJECTS[what].format(mentee=mentee.name, mentor=mentor.name),
        to=[recipient.email],
        zone=recipient.zone,
        context={
            "recipient": recipient,
            "question": question,
            "mentee": mentee,
            "mentor": mentor,
            "zone": recipient.zone.key,
            "question_url": settings.SITE_URL + question.get_absolute_url(),
            "mentor_url": settings.SITE_URL + question.mentor.get_absolute_url(),
        },
    )
