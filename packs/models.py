"""Session packs: a mentor sells N sessions of one offering at a discount, valid for some months;
a mentee buys one in a single checkout and each booking of that offering spends one of its
sessions (a row, like a subscription credit), given back when the booking is cancelled in time."""

import calendar
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
from core.money import format_money
from mentors.models import MentorProfile
from sessions.models import Booking, Offering

MIN_SESSIONS, MAX_SESSIONS = 2, 20
MAX_DISCOUNT_PERCENT = 50
MAX_VALID_MONTHS = 24


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (the month's last day when it is shorter)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def pack_price(*, unit_price: int, sessions: int, discount_percent: int) -> int:
    """N sessions at the offering's price less the discount, rounded half up to a minor unit:
    the one place a pack's price is worked out (prices come only from the server)."""
    return (unit_price * sessions * (100 - discount_percent) + 50) // 100


class Pack(models.Model):
    """What a mentor sells: `sessions` sessions of one offering at `discount_percent` off, to be
    used within `valid_months` of buying. One per offering; its price follows the offering's."""

    offering = models.OneToOneField(Offering, on_delete=models.CASCADE, related_name="pack")
    sessions = models.PositiveSmallIntegerField(
        _("sessions in the pack"),
        default=3,
        validators=[MinValueValidator(MIN_SESSIONS), MaxValueValidator(MAX_SESSIONS)],
    )
    discount_percent = models.PositiveSmallIntegerField(
        _("discount (%)"), default=15, validators=[MaxValueValidator(MAX_DISCOUNT_PERCENT)]
    )
    valid_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_VALID_MONTHS)],
    )
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["offering__title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions__gte=MIN_SESSIONS, sessions__lte=MAX_SESSIONS),
                name="pack_sessions_range",
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__lte=MAX_DISCOUNT_PERCENT), name="pack_discount_range"
            ),
            models.CheckConstraint(
                condition=Q(valid_months__gte=1, valid_months__lte=MAX_VALID_MONTHS),
                name="pack_validity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sessions} × {self.offering.title}"

    def get_absolute_url(self) -> str:
        return self.offering.get_absolute_url() + "#pack"

    @property
    def price_amount(self) -> int:
        return pack_price(
            unit_price=self.offering.price_amount,
            sessions=self.sessions,
            discount_percent=self.discount_percent,
        )

    @property
    def currency(self) -> str:
        return self.offering.currency

    @property
    def price_display(self) -> str:
        return format_money(self.price_amount, self.currency)

    @property
    def full_price_display(self) -> str:
        return format_money(self.offering.price_amount * self.sessions, self.currency)

    @property
    def paid_sessions(self) -> str:
        """ "3 sessions for the price of 2.5": how many single sessions the pack costs."""
        return f"{self.sessions * (100 - self.discount_percent) / 100:.2f}".rstrip("0").rstrip(".")

    @property
    def is_for_sale(self) -> bool:
        return self.is_published and self.offering.is_published and self.offering.price_amount > 0


class PackPurchase(models.Model):
    """A mentee's pack: held while they pay, active once paid (its sessions rows written then),
    closed when its unused sessions were refunded on request, cancelled when its whole price went
    back. Price, sessions and validity are copied from the pack when it is bought."""

    class State(models.TextChoices):
        HELD = "held", _("Waiting for payment")
        ACTIVE = "active", _("Active")
        RELEASED = "released", _("Checkout not completed")
        CLOSED = "closed", _("Unused sessions refunded")
        CANCELLED = "cancelled", _("Cancelled and refunded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pack = models.ForeignKey(Pack, on_delete=models.PROTECT, related_name="purchases")
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="pack_purchases")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="pack_purchases")
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pack_purchases"
    )
    sessions = models.PositiveSmallIntegerField()
    valid_months = models.PositiveSmallIntegerField()
    price_amount = models.PositiveIntegerField(help_text="Minor units.")
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=9, choices=State.choices, default=State.HELD)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Sessions must start before this.")
    closed_at = models.DateTimeField(null=True, blank=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    ending_reminder_sent_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the mentee was told the pack ends soon."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["mentee", "offering", "state"]),
            models.Index(fields=["created_at"], name="pack_purchase_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price_amount__gt=0), name="pack_purchase_price_positive"),
            # Buying again while a checkout is open reopens it.
            models.UniqueConstraint(
                fields=["mentee", "pack"], condition=Q(state="held"), name="one_held_pack_per_mentee"
            ),
        ]

    # The mentee is told this long before a pack with unused sessions ends.
    REMIND_BEFORE = timedelta(days=14)

    def __str__(self) -> str:
        return f"{self.sessions} × {self.offering.title} for {self.mentee}"

    def get_absolute_url(self) -> str:
        return reverse("packs:detail", args=[self.pk])

    @property
    def price_display(self) -> str:
        return format_money(self.price_amount, self.currency)

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.state == self.State.ACTIVE and self.expires_at is not None and now < self.expires_at

    def ends_after(self, paid_at: datetime) -> datetime:
        return add_months(paid_at, self.valid_months)


class PackSession(models.Model):
    """One session of a paid pack: spent by a booking, given back when it is cancelled in time.
    Unique per (purchase, number), so a replayed payment writes none twice."""

    purchase = models.ForeignKey(PackPurchase, on_delete=models.CASCADE, related_name="pack_sessions")
    number = models.PositiveSmallIntegerField()
    booking = models.OneToOneField(
        Booking, on_delete=models.PROTECT, related_name="pack_session", null=True, blank=True
    )
    spent_at = models.DateTimeField(null=True, blank=True)

    history = ChangeHistory()

    credit_name = "pack session"  # how a booking's trail names it when it comes back

    class Meta:
        ordering = ["purchase", "number"]
        constraints = [
            models.UniqueConstraint(fields=["purchase", "number"], name="pack_session_once"),
        ]

    def __str__(self) -> str:
        return f"session {self.number} of {self.purchase_id}"
