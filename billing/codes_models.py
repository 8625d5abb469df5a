"""Promotion codes and their uses (billing/services/codes.py applies them).

A code belongs to a mentor (good on their offerings, seats and what else opts in: PurchaseKind
.accepts_codes) or to no one (staff's, platform-wide). Each purchase a code is entered on gets one
CodeRedemption: `held` while its checkout is open (it counts against the code's maximum uses, so
two buyers can never both take the last one), `redeemed` once the payment is confirmed by its
webhook (counted once, however often the event is replayed), `released` when the checkout ends
unpaid (the use is free again).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.history import ChangeHistory
from core.money import CURRENCIES, format_money
from mentors.models import MentorProfile

from .purchases import kinds

CODE_PATTERN = r"^[A-Z0-9][A-Z0-9_-]{2,31}$"


class PromotionCode(models.Model):
    code = models.CharField(
        max_length=32,
        validators=[RegexValidator(CODE_PATTERN, "3 to 32 letters, digits, - or _.")],
        help_text="What buyers type; letters are kept in capitals and matched in any case.",
    )
    mentor = models.ForeignKey(
        MentorProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="promotion_codes",
        help_text="Empty: a platform-wide code from staff, good with every mentor.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    percent_off = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    amount_off = models.PositiveIntegerField(null=True, blank=True, help_text="Minor units.")
    currency = models.CharField(max_length=3, choices=CURRENCIES, blank=True, help_text="Of the amount off.")
    applies_to = models.CharField(
        max_length=20,
        blank=True,
        help_text="A purchase kind's name (session, seat…); empty: everything that takes codes.",
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Empty: no limit."
    )
    first_purchase_only = models.BooleanField(
        default=False,
        help_text="Only for a buyer's first paid purchase (with this mentor; anywhere, for a staff code).",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="promotion_code_created")]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="promotion_code_unique"),
            models.CheckConstraint(
                condition=Q(percent_off__isnull=False, amount_off__isnull=True, percent_off__gte=1)
                & Q(percent_off__lte=100)
                | Q(percent_off__isnull=True, amount_off__gt=0) & ~Q(currency=""),
                name="promotion_code_percent_or_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_platform_wide(self) -> bool:
        return self.mentor_id is None

    @property
    def off_display(self) -> str:
        """ "20% off" or "$10 off"."""
        if self.percent_off:
            return gettext("%(percent)s%% off") % {"percent": self.percent_off}
        return gettext("%(amount)s off") % {"amount": format_money(self.amount_off or 0, self.currency)}

    @property
    def applies_to_display(self) -> str:
        """What it is good on, in the buyer's words ("1:1 sessions", "everything")."""
        labels = {kind.name: kind.code_label for kind in kinds()}
        return labels.get(self.applies_to, self.applies_to) if self.applies_to else gettext("everything")

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at


class CodeRedemption(models.Model):
    """One code on one purchase (named by its kind and id, as Payment names it)."""

    class State(models.TextChoices):
        HELD = "held", _("Held while paying")
        REDEEMED = "redeemed", _("Redeemed")
        RELEASED = "released", _("Released (not paid)")

    TAKEN = (State.HELD, State.REDEEMED)  # what counts against the code's maximum uses

    code = models.ForeignKey(PromotionCode, on_delete=models.PROTECT, related_name="redemptions")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, help_text="The purchase kind: session, seat…")
    purchase_id = models.CharField(max_length=40)
    list_amount = models.PositiveIntegerField(help_text="Minor units: the price before the code.")
    discount = models.PositiveIntegerField(help_text="Minor units taken off by the code.")
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=8, choices=State.choices, default=State.HELD)
    stripe_coupon_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["code", "state"]),
            models.Index(fields=["created_at"], name="code_redemption_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "purchase_id"], name="code_redemption_one_per_purchase"),
            # A buyer uses a code once (a use given back by an unpaid checkout does not count).
            models.UniqueConstraint(
                fields=["code", "buyer"],
                condition=Q(state__in=["held", "redeemed"]),
                name="code_used_once_by_buyer",
            ),
            models.CheckConstraint(
                condition=Q(discount__gt=0, discount__lt=models.F("list_amount")),
                name="code_redemption_discount_within_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code_id} on {self.kind} {self.purchase_id}"

    @property
    def amount(self) -> int:
        """What the buyer pays after the code."""
        return self.list_amount - self.discount

    @property
    def discount_display(self) -> str:
        return format_money(self.discount, self.currency)

    @property
    def list_price_display(self) -> str:
        return format_money(self.list_amount, self.currency)
