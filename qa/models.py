"""Async Q&A: one private thread per booking, and per subscription whose plan includes Q&A."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mentors.models import MentorProfile

MAX_MESSAGE_LENGTH = 4000


class Thread(models.Model):
    """The conversation of one booking or one subscription between its mentee and its mentor.

    Exactly one of `booking` and `subscription` is set. The two participants are copied from it
    (neither ever changes), so "my threads" and "may I read this" need no join to either.
    Created with its first message; until then the pages show an unsaved instance.
    """

    booking = models.OneToOneField(
        "mentoring.Booking", on_delete=models.CASCADE, related_name="thread", null=True, blank=True
    )
    subscription = models.OneToOneField(
        "subscriptions.Subscription", on_delete=models.CASCADE, related_name="thread", null=True, blank=True
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
                condition=Q(booking__isnull=False, subscription__isnull=True)
                | Q(booking__isnull=True, subscription__isnull=False),
                name="thread_of_a_booking_or_a_subscription",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.mentee.name} and {self.mentor.user.name})"

    def get_absolute_url(self) -> str:
        if self.booking_id:
            return reverse("qa:booking_thread", args=[self.booking_id])
        return reverse("qa:subscription_thread", args=[self.subscription_id])

    @property
    def subject(self):
        """The booking or the subscription the thread is about."""
        return self.booking if self.booking_id else self.subscription

    @property
    def title(self) -> str:
        if self.booking_id:
            return f"Session: {self.booking.offering.title}"
        return f"Subscription: {self.subscription.plan.name}"

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
