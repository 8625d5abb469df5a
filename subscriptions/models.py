"""Mentor subscriptions: plans, the mentee's subscription (kept in step with Stripe Billing) and
the session credits each paid period grants."""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.history import ChangeHistory
from core.money import CURRENCIES, format_money
from mentors.models import MentorProfile

DURATIONS = [(15, "15 minutes"), (30, "30 minutes"), (45, "45 minutes"), (60, "60 minutes")]


class Plan(models.Model):
    """What a mentor sells monthly: N session credits per period, and Q&A with them or not."""

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(max_length=80)
    description = models.TextField(max_length=3000, blank=True, help_text="Markdown.")
    price_amount = models.PositiveIntegerField(
        _("monthly price"), validators=[MinValueValidator(1)], help_text="Minor units (cents)."
    )
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    credits_per_period = models.PositiveSmallIntegerField(
        _("session credits per month"), default=2, validators=[MaxValueValidator(20)]
    )
    max_session_minutes = models.PositiveSmallIntegerField(
        _("credits cover sessions up to"), choices=DURATIONS, default=30
    )
    includes_qa = models.BooleanField(_("async Q&A included"), default=True)
    max_subscribers = models.PositiveIntegerField(
        _("most open subscriptions"), null=True, blank=True, help_text="Empty: no limit."
    )
    is_published = models.BooleanField(default=False)
    # The Stripe Product of this plan, and the recurring Price for its current amount: a new
    # Price is made when the amount or currency changes (Stripe prices are immutable).
    stripe_product_id = models.CharField(max_length=255, blank=True)
    stripe_price_id = models.CharField(max_length=255, blank=True)
    stripe_price_key = models.CharField(max_length=40, blank=True, help_text="amount:currency of the Price.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["price_amount", "pk"]
        indexes = [models.Index(fields=["mentor", "is_published"])]
        constraints = [
            models.CheckConstraint(condition=Q(price_amount__gt=0), name="plan_price_positive"),
            models.CheckConstraint(
                condition=Q(max_session_minutes__in=[15, 30, 45, 60]), name="plan_duration_on_the_grid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.price_display}/month)"

    def get_absolute_url(self) -> str:
        return reverse("subscriptions:plan", args=[self.pk])

    @property
    def price_display(self) -> str:
        return format_money(self.price_amount, self.currency)


class SubscriptionStatus(models.TextChoices):
    """Subscription.Status (Stripe's), defined out here so that the model's Meta can name them."""

    INCOMPLETE = "incomplete", _("Waiting for the first payment")
    ACTIVE = "active", _("Active")
    TRIALING = "trialing", _("Trial")
    PAST_DUE = "past_due", _("Payment failed (retrying)")
    UNPAID = "unpaid", _("Unpaid")
    CANCELED = "canceled", _("Cancelled")
    INCOMPLETE_EXPIRED = "incomplete_expired", _("Checkout not completed")
    PAUSED = "paused", _("Paused")


class Subscription(models.Model):
    """A mentee's subscription to one of a mentor's plans; `status` mirrors Stripe's."""

    Status = SubscriptionStatus

    # A mentee has at most one of these with each mentor (switching plan keeps the same one).
    OPEN_STATUSES = (Status.INCOMPLETE, Status.ACTIVE, Status.TRIALING, Status.PAST_DUE, Status.UNPAID)
    # Credits can be spent (past_due only inside the grace period).
    LIVE_STATUSES = (Status.ACTIVE, Status.TRIALING, Status.PAST_DUE)

    class Provider(models.TextChoices):
        STRIPE = "stripe", _("Stripe")
        DEMO = "demo", _("Demo (no real money)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="subscriptions")
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subscriptions"
    )
    provider = models.CharField(max_length=8, choices=Provider.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INCOMPLETE)
    stripe_subscription_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_item_id = models.CharField(max_length=255, blank=True)
    checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    checkout_expires_at = models.DateTimeField(null=True, blank=True)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    past_due_since = models.DateTimeField(null=True, blank=True)
    past_due_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The `created` time of the newest Stripe subscription event applied: an older event that
    # arrives late does not overwrite newer state.
    synced_at = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["mentee", "status"]), models.Index(fields=["plan", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee", "mentor"],
                condition=Q(
                    status__in=[
                        SubscriptionStatus.INCOMPLETE,
                        SubscriptionStatus.ACTIVE,
                        SubscriptionStatus.TRIALING,
                        SubscriptionStatus.PAST_DUE,
                        SubscriptionStatus.UNPAID,
                    ]
                ),
                name="one_open_subscription_per_mentor",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan.name} for {self.mentee.email} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("subscriptions:detail", args=[self.pk])

    @property
    def grace_ends_at(self) -> datetime | None:
        if self.past_due_since is None:
            return None
        return self.past_due_since + timedelta(days=settings.SUBSCRIPTION_GRACE_DAYS)

    def credits_usable(self, now: datetime | None = None) -> bool:
        """Active (or trial), or past due but still inside the grace period: after it, frozen."""
        now = now or timezone.now()
        if self.status in (self.Status.ACTIVE, self.Status.TRIALING):
            return True
        grace_ends_at = self.grace_ends_at
        return self.status == self.Status.PAST_DUE and (grace_ends_at is None or now < grace_ends_at)


class Credit(models.Model):
    """One session credit of one paid period: spent by a booking, returned when it is cancelled
    in time, gone at the end of its period. Unique per (subscription, period, number), so a
    replayed invoice grants nothing twice."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="credits")
    period_start = models.DateTimeField()
    number = models.PositiveSmallIntegerField()
    expires_at = models.DateTimeField()
    booking = models.OneToOneField(
        "mentoring.Booking", on_delete=models.PROTECT, related_name="credit", null=True, blank=True
    )
    spent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["expires_at", "number"]
        indexes = [models.Index(fields=["subscription", "expires_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start", "number"], name="credit_once_per_period_number"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="credit_number_from_one"),
        ]

    def __str__(self) -> str:
        state = f"spent on {self.booking_id}" if self.booking_id else "unspent"
        return f"Credit {self.number} of {self.period_start:%Y-%m-%d} ({state})"
