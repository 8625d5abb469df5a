"""The one e-mail a participant gets for a thread: the messages they have not read yet."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext

from core.emails import templated_email

from .models import Message, ThreadReader


def digest_email(*, reader: ThreadReader, messages: list[Message], total: int) -> EmailMultiAlternatives:
    """`messages` are the newest of the `total` unread ones, oldest first; times in the
    recipient's zone."""
    user, thread = reader.user, reader.thread
    sender = thread.other_participant(user)

    def subject() -> str:
        if total == 1:
            return gettext("New message from %(name)s: %(title)s") % {
                "name": sender.name,
                "title": thread.title,
            }
        return ngettext(
            "%(total)s new message from %(name)s: %(title)s",
            "%(total)s new messages from %(name)s: %(title)s",
            total,
        ) % {"total": total, "name": sender.name, "title": thread.title}

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
    "asked": gettext_lazy("%(mentee)s asked you a question"),
    "reminder": gettext_lazy("Reminder: %(mentee)s's paid question is due tomorrow"),
    "answered": gettext_lazy("%(mentor)s answered your question"),
    "declined": gettext_lazy("%(mentor)s declined your question"),
}


def question_email(*, question, what: str) -> EmailMultiAlternatives:
    """A question's e-mail: `asked` and `reminder` to the mentor, `answered` and `declined` to the
    mentee; times in the recipient's zone."""
    mentee, mentor = question.mentee, question.mentor.user
    recipient = mentee if what in ("answered", "declined") else mentor
    return templated_email(
        template=f"qa/email/question_{what}",
        subject=lambda: str(QUESTION_SUBJECTS[what]) % {"mentee": mentee.name, "mentor": mentor.name},
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
