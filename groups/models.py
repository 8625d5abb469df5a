"""Group sessions: a mentor's one-off offering with seats (2–50) at one time — a workshop,
office hours, an AMA. Each seat is booked (and paid, unless free) by one mentee; below its
minimum at the decision time before the start it is cancelled and every seat refunded."""

import uuid
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.timezones import validate_timezone
from core.history import ChangeHistory
from core.money import format_money
from mentors.models import MentorProfile

MIN_SEATS, MAX_SEATS = 2, 50
MIN_MINUTES, MAX_MINUTES = 15, 240
# How long before the start the minimum is checked: below it then, the session is cancelled.
DECISION_HOURS = 24
# The attendees' reminder, this long before the start.
REMINDER_BEFORE = timedelta(hours=2)


class GroupSession(models.Model):
    """A one-off session for up to `seats` people at one time, published by its mentor."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    mentor = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="group_sessions")
    title = models.CharField(max_length=120)
    description = models.TextField(_("what attendees get"), max_length=4000)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, validators=[validate_timezone], help_text="The mentor's zone.")
    seats = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_SEATS), MaxValueValidator(MAX_SEATS)]
    )
    seats_min = models.PositiveSmallIntegerField(
        _("minimum to run"), validators=[MinValueValidator(1), MaxValueValidator(MAX_SEATS)]
    )
    price_amount = models.PositiveIntegerField(default=0, help_text="Minor units; 0 is free.")
    currency = models.CharField(max_length=3, default="USD")
    join_url = models.URLField(max_length=500)
    cancellation_hours = models.PositiveSmallIntegerField(
        _("refund if cancelled up to (hours before)"), default=24, validators=[MaxValueValidator(168)]
    )
    state = models.CharField(max_length=9, choices=State.choices, default=State.DRAFT)
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When the minimum was checked.")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    cancel_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["mentor", "starts_at"]),
            models.Index(fields=["state", "starts_at"]),
            models.Index(fields=["created_at"], name="group_session_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=MIN_SEATS, seats__lte=MAX_SEATS), name="group_session_seats_range"
            ),
            models.CheckConstraint(
                condition=Q(seats_min__gte=1, seats_min__lte=F("seats")),
                name="group_session_min_within_seats",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="group_session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M} UTC)"

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", args=[self.pk])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def is_free(self) -> bool:
        return self.price_amount == 0

    @property
    def price_display(self) -> str:
        return format_money(self.price_amount, self.currency)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def decision_at(self) -> datetime:
        return self.starts_at - timedelta(hours=DECISION_HOURS)

    @property
    def refund_until(self) -> datetime:
        return self.starts_at - timedelta(hours=self.cancellation_hours)

    def is_upcoming(self, now: datetime | None = None) -> bool:
        return self.starts_at > (now or timezone.now())


class GroupSeat(models.Model):
    """One mentee's seat: held while they pay, confirmed once paid (at once when free), released
    when the checkout is not completed, cancelled by its mentee or with the whole session."""

    class State(models.TextChoices):
        HELD = "held", _("Waiting for payment")
        CONFIRMED = "confirmed", _("Confirmed")
        RELEASED = "released", _("Checkout not completed")
        CANCELLED = "cancelled", _("Cancelled")

    TAKEN_STATES = (State.HELD, State.CONFIRMED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group_session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="group_seats")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="group_seats")
    price_amount = models.PositiveIntegerField(help_text="Minor units, copied when booked.")
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=9, choices=State.choices, default=State.HELD)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_note = models.CharField(max_length=300, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancel_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["group_session", "state"]),
            models.Index(fields=["created_at"], name="group_seat_created"),
        ]
        constraints = [
            # One live seat per person: booking again while a checkout is open reopens it.
            models.UniqueConstraint(
                fields=["group_session", "mentee"],
                condition=Q(state__in=["held", "confirmed"]),
                name="one_live_group_seat_per_mentee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentee} in {self.group_session.title}"

    def get_absolute_url(self) -> str:
        return self.group_session.get_absolute_url()

    @property
    def price_display(self) -> str:
        return format_money(self.price_amount, self.currency)
