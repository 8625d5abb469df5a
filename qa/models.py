"""Async Q&A: one private thread per booking, per subscription whose plan includes Q&A, and per
question a mentee asks a mentor from their profile (a free first question, or a paid one)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.money import CURRENCIES, format_money
from mentors.models import MentorProfile

MAX_MESSAGE_LENGTH = 4000
# A free first question is short; a paid one may say as much as a message.
MAX_FREE_QUESTION_LENGTH = 600
MAX_PAID_QUESTION_LENGTH = MAX_MESSAGE_LENGTH
MIN_ANSWER_DAYS, MAX_ANSWER_DAYS = 1, 14


class QuestionOffer(models.Model):
    """A mentor's paid questions (Topmate's "priority DM"): a written answer for a fixed price
    within a promised number of days. Off until the mentor turns it on."""

    mentor = models.OneToOneField(MentorProfile, on_delete=models.CASCADE, related_name="question_offer")
    is_active = models.BooleanField(_("offer paid questions"), default=False)
    price_amount = models.PositiveIntegerField(help_text="Minor units.")
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    answer_days = models.PositiveSmallIntegerField(
        default=3,
        help_text=f"The mentor answers within this many days ({MIN_ANSWER_DAYS}–{MAX_ANSWER_DAYS}).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(price_amount__gt=0), name="question_offer_price_positive"),
            models.CheckConstraint(
                condition=Q(answer_days__gte=MIN_ANSWER_DAYS, answer_days__lte=MAX_ANSWER_DAYS),
                name="question_offer_answer_days_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.price_display} within {self.answer_days} days ({self.mentor})"

    @property
    def price_display(self) -> str:
        return format_money(self.price_amount, self.currency)


class Question(models.Model):
    """One question a mentee asked a mentor outside any booking, answered once in its thread.

    A free question (one per mentee and mentor, ever) is open at once. A paid one is held while
    the mentee pays in billing's checkout (the question kind of billing's purchases), opens when
    the payment arrives with its deadline `answer_days` later, pays the mentor out when answered,
    and is refunded in full when the deadline passes unanswered. Its text waits in `body` until it
    opens; then it is the thread's first message."""

    class Kind(models.TextChoices):
        FREE = "free", _("Free first question")
        PAID = "paid", _("Paid question")

    class State(models.TextChoices):
        HELD = "held", _("Waiting for payment")
        OPEN = "open", _("Waiting for the answer")
        ANSWERED = "answered", _("Answered")
        RELEASED = "released", _("Not paid")
        EXPIRED = "expired", _("Not answered in time (refunded)")
        CANCELLED = "cancelled", _("Cancelled (refunded)")
        DECLINED = "declined", _("Declined by the mentor")

    # Still waiting: a held or open paid question keeps the mentee from asking another of the
    # same mentor until it is answered or ends.
    WAITING_STATES = (State.HELD, State.OPEN)
    REMIND_BEFORE = timedelta(days=1)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    state = models.CharField(max_length=9, choices=State.choices)
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questions_asked"
    )
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="questions")
    body = models.TextField(max_length=MAX_PAID_QUESTION_LENGTH, help_text="What was asked (Markdown).")
    price_amount = models.PositiveIntegerField(default=0, help_text="Minor units; 0 for a free question.")
    currency = models.CharField(max_length=3, blank=True)
    answer_days = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    asked_at = models.DateTimeField(null=True, blank=True, help_text="When the mentor could first read it.")
    due_at = models.DateTimeField(null=True, blank=True, help_text="A paid question's deadline.")
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it expired, was cancelled or was declined."
    )
    # The e-mails each happen once: stamped under the question's lock with the send.
    mentor_told_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    mentee_told_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["mentor", "state"]),
            models.Index(fields=["mentee", "state"]),
            models.Index(fields=["created_at"], name="qa_question_created"),  # the admin's order
            models.Index(
                fields=["due_at"], name="qa_question_open_due", condition=Q(state="open", kind="paid")
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee", "mentor"], condition=Q(kind="free"), name="one_free_question_per_pair"
            ),
            models.UniqueConstraint(
                fields=["mentee", "mentor"],
                condition=Q(kind="paid", state__in=["held", "open"]),
                name="one_waiting_paid_question_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(kind="free", price_amount=0)
                | Q(kind="paid", price_amount__gt=0, answer_days__isnull=False),
                name="question_priced_by_its_kind",
            ),
            models.CheckConstraint(condition=~Q(body=""), name="question_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.mentor} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("qa:question", args=[self.pk])

    @property
    def is_paid(self) -> bool:
        return self.kind == self.Kind.PAID

    @property
    def price_display(self) -> str:
        return format_money(self.price_amount, self.currency or "USD")

    @property
    def remind_at(self):
        return self.due_at - self.REMIND_BEFORE if self.due_at else None

    def is_participant(self, user) -> bool:
        return user.is_authenticated and user.pk in (self.mentee_id, self.mentor.user_id)


class Thread(models.Model):
    """The conversation of one booking, one subscription or one question between its mentee and
    its mentor.

    Exactly one of `booking`, `subscription` and `question` is set. The two participants are copied from it
    (neither ever changes), so "my threads" and "may I read this" need no join to either.
    Created with its first message; until then the pages show an unsaved instance.
    """

    booking = models.OneToOneField(
        "mentoring.Booking", on_delete=models.CASCADE, related_name="thread", null=True, blank=True
    )
    subscription = models.OneToOneField(
        "subscriptions.Subscription", on_delete=models.CASCADE, related_name="thread", null=True, blank=True
    )
    question = models.OneToOneField(
        Question, on_delete=models.CASCADE, related_name="thread", null=True, blank=True
    )
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="threads")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        indexes = [
            models.Index(fields=["mentor", "last_message_at"]),
            models.Index(fields=["last_message_at"], name="qa_thread_last_message"),  # the admin list
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(booking__isnull=False, subscription__isnull=True, question__isnull=True)
                | Q(booking__isnull=True, subscription__isnull=False, question__isnull=True)
                | Q(booking__isnull=True, subscription__isnull=True, question__isnull=False),
                name="thread_of_a_booking_subscription_or_question",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.mentee.name} and {self.mentor.user.name})"

    def get_absolute_url(self) -> str:
        if self.booking_id:
            return reverse("qa:booking_thread", args=[self.booking_id])
        if self.question_id:
            return reverse("qa:question", args=[self.question_id])
        return reverse("qa:subscription_thread", args=[self.subscription_id])

    @property
    def subject(self):
        """The booking, the subscription or the question the thread is about."""
        if self.question_id:
            return self.question
        return self.booking if self.booking_id else self.subscription

    @property
    def title(self) -> str:
        if self.booking_id:
            return gettext("Session: %(title)s") % {"title": self.booking.offering.title}
        if self.question_id:
            return gettext("Paid question") if self.question.is_paid else gettext("Question before booking")
        return gettext("Subscription: %(plan)s") % {"plan": self.subscription.plan.name}

    def is_participant(self, user) -> bool:
        return user.is_authenticated and user.pk in (self.mentee_id, self.mentor.user_id)

    def other_participant(self, user):
        return self.mentor.user if user.pk == self.mentee_id else self.mentee


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=MAX_MESSAGE_LENGTH, help_text="Markdown.")
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when moderators uphold a report of this message; its text is no longer shown.",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["thread", "created_at"]),
            models.Index(fields=["created_at"], name="qa_message_created"),  # the admin's dates
        ]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="message_not_empty")]

    def __str__(self) -> str:
        return f"{self.author} at {self.created_at:%Y-%m-%d %H:%M} UTC"


class ThreadReader(models.Model):
    """One participant of one thread: how far they have read, and their pending e-mail.

    `email_due_at` is set when someone else writes and cleared when the e-mail goes out (or
    turns out not to be needed); it is never earlier than an hour after `last_emailed_at`, so a
    busy thread sends at most one e-mail an hour to each participant.
    """

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="readers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField(null=True, blank=True)
    email_due_at = models.DateTimeField(null=True, blank=True)
    last_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["email_due_at"], name="qa_reader_email_due", condition=Q(email_due_at__isnull=False)
            )
        ]
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="one_reader_per_thread_user")]

    def __str__(self) -> str:
        return f"{self.user} in thread {self.thread_id}"
