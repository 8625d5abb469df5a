"""A mentor's webhook endpoints, and each event delivered (or still to deliver) to one of them."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from mentors.models import MentorProfile


class EventType(models.TextChoices):
    BOOKING_CREATED = "booking.created", _("Booking created (confirmed)")
    BOOKING_RESCHEDULED = "booking.rescheduled", _("Booking rescheduled")
    BOOKING_CANCELLED = "booking.cancelled", _("Booking cancelled")
    BOOKING_COMPLETED = "booking.completed", _("Booking completed")
    COHORT_ENROLLED = "cohort.enrolled", _("Cohort enrolment confirmed")


PING = "ping"  # the test event a mentor sends from the page; never chosen, always delivered


class WebhookEndpoint(models.Model):
    """An https address a mentor asked us to POST some of their events to, signed with its secret."""

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("endpoint URL"), max_length=500)
    description = models.CharField(_("description"), max_length=120, blank=True)
    events = models.JSONField(default=list, help_text="The EventType values sent to it.")
    # Used for HMAC, so kept recoverable, but encrypted at rest; shown to the mentor once.
    secret = EncryptedTextField()
    # After "roll secret", the old one still signs (a second v1) until it expires.
    previous_secret = EncryptedTextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # When we turned it off because nothing reached it for three days (None: on, or off by hand).
    turned_off_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        labels = dict(EventType.choices)
        return [str(labels.get(event, event)) for event in self.events]


class WebhookDelivery(models.Model):
    """One event for one endpoint: written in the transaction of the change it tells (the outbox),
    then sent, retried with back-off, and kept as the endpoint's delivery log."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=40)
    event_id = models.CharField(max_length=40, help_text="Payload's id: the same on every attempt.")
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    give_up_at = models.DateTimeField(help_text="No retry is planned after this.")
    # A worker owns the delivery while it sends it, until then (so it is never sent twice at once).
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response_excerpt = models.CharField(max_length=300, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_event_once_per_endpoint")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id}"
