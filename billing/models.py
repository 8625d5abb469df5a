"""Money records: integer minor units and an ISO currency on every amount."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.history import ChangeHistory
from core.money import format_money, price_after_discount
from mentors.models import MentorProfile
from sessions.models import Booking

from .purchases import PurchaseKind, kind_of


class ConnectedAccount(models.Model):
    """A mentor's Stripe Connect Express account, kept in step by account.updated."""

    class State(models.TextChoices):
        DETAILS_MISSING = "details_missing", _("Details missing")
        PENDING = "pending", _("Pending verification")
        PAYOUTS_ENABLED = "payouts_enabled", _("Payouts enabled")

    mentor = models.OneToOneField(MentorProfile, on_delete=models.PROTECT, related_name="connected_account")
    stripe_account_id = models.CharField(max_length=255, unique=True)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = ChangeHistory()

    def __str__(self) -> str:
        return f"{self.stripe_account_id} ({self.get_state_display()})"

    @property
    def state(self) -> str:
        if self.payouts_enabled:
            return self.State.PAYOUTS_ENABLED
        if self.details_submitted:
            return self.State.PENDING
        return self.State.DETAILS_MISSING

    def get_state_display(self) -> str:
        return self.State(self.state).label


class BillingCustomer(models.Model):
    """The platform's Stripe Customer for a mentee: created once, reused for every checkout."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="billing_customer"
    )
    stripe_customer_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.stripe_customer_id


# The Payment's fields that name what it pays for (billing.purchases: each kind's `field`).
PURCHASE_FIELDS = ("booking", "enrollment", "subscription", "pack_purchase", "question", "group_seat")


def _exactly_one_of(fields: tuple[str, ...]) -> Q:
    either = Q()
    for chosen in fields:
        either |= Q(**{f"{name}__isnull": name != chosen for name in fields})
    return either


class Payment(models.Model):
    """What a mentee paid (or is paying) for one purchase, exactly one of: a booking, a cohort seat,
    a session pack, a subscription's first payment, or a paid question. `amount` in `currency` is
    what we asked for; a booking's, seat's, pack's or question's row is written when its checkout
    opens. A subscription's row is written only when its first payment was refused (Stripe Billing
    keeps the rest), so that money can be refunded."""

    class Provider(models.TextChoices):
        STRIPE = "stripe", _("Stripe")
        DEMO = "demo", _("Demo (no real money)")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Checkout expired")
        # A request to book's card (manual capture): authorised, then captured (paid) or released.
        AUTHORIZED = "authorized", _("Authorised, not captured")
        RELEASED = "released", _("Authorisation released")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    booking = models.OneToOneField(
        Booking, on_delete=models.PROTECT, related_name="payment", null=True, blank=True
    )
    enrollment = models.OneToOneField(
        "cohorts.Enrollment", on_delete=models.PROTECT, related_name="payment", null=True, blank=True
    )
    subscription = models.OneToOneField(
        "subscriptions.Subscription", on_delete=models.PROTECT, related_name="payment", null=True, blank=True
    )
    pack_purchase = models.OneToOneField(
        "packs.PackPurchase", on_delete=models.PROTECT, related_name="payment", null=True, blank=True
    )
    question = models.OneToOneField(
        "qa.Question", on_delete=models.PROTECT, related_name="payment", null=True, blank=True
    )
    group_seat = models.OneToOneField(
        "groups.GroupSeat", on_delete=models.PROTECT, related_name="payment", null=True, blank=True
    )
    provider = models.CharField(max_length=8, choices=Provider.choices)
    checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    amount = models.PositiveIntegerField(help_text="Minor units.")
    currency = models.CharField(max_length=3)
    platform_fee = models.PositiveIntegerField(help_text="Minor units kept by the platform.")
    amount_refunded = models.PositiveIntegerField(default=0, help_text="Minor units, as Stripe reports it.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    invoice_id = models.CharField(
        max_length=255, blank=True, help_text="The Stripe invoice a subscription's payment paid."
    )
    is_disputed = models.BooleanField(default=False)
    amount_mismatch = models.BooleanField(
        "not the amount asked for",
        default=False,
        help_text="Stripe took another amount or currency than `amount`: the purchase was not "
        "confirmed and the money is refunded.",
    )
    reported_amount = models.PositiveIntegerField(
        null=True, blank=True, help_text="Minor units Stripe reported it took, when that was not `amount`."
    )
    reported_currency = models.CharField(
        max_length=3, blank=True, help_text="The currency Stripe reported, when that was not `currency`."
    )
    mismatch_reviewed_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff looked into the amount mismatch (it leaves the queue)."
    )
    last_error = models.CharField(max_length=500, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"], name="payment_created"),  # the admin's order
            # The moderation queue's section: only the mismatches staff have not looked into.
            models.Index(
                fields=["created_at"],
                name="payment_mismatch_to_review",
                condition=Q(amount_mismatch=True, mismatch_reviewed_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(platform_fee__lte=models.F("amount")), name="payment_fee_le_amount"
            ),
            models.CheckConstraint(
                condition=_exactly_one_of(PURCHASE_FIELDS), name="payment_for_one_purchase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount_display} for {self.purchase_id}"

    @property
    def kind(self) -> PurchaseKind:
        """What kind of purchase this pays for (billing.purchases): a session, a seat, a subscription."""
        return kind_of(self)

    @property
    def purchase(self):
        """The booking, the cohort seat or the subscription this payment is for."""
        return getattr(self, self.kind.field)

    @property
    def purchase_id(self) -> str:
        return str(next(filter(None, (getattr(self, f"{name}_id") for name in PURCHASE_FIELDS)), None))

    @property
    def purchase_key(self) -> str:
        """The metadata key that names the purchase in Stripe objects."""
        return self.kind.metadata_key

    @property
    def buyer(self):
        return self.kind.buyer(self.purchase)

    @property
    def purchase_title(self) -> str:
        """What was bought, in the buyer's words ("Career chat", "your seat in …")."""
        return self.kind.title(self.purchase)

    @property
    def purchase_url(self) -> str:
        """The page of what was bought (a path; e-mails put the site's address before it)."""
        return self.kind.url(self.purchase)

    @property
    def amount_display(self) -> str:
        return format_money(self.amount, self.currency)

    @property
    def charged_amount(self) -> int:
        """What the buyer was charged: what we asked for, unless Stripe reported another amount."""
        if self.amount_mismatch and self.reported_amount is not None:
            return self.reported_amount
        return self.amount

    @property
    def charged_currency(self) -> str:
        return (self.amount_mismatch and self.reported_currency) or self.currency

    @property
    def charged_display(self) -> str:
        return format_money(self.charged_amount, self.charged_currency)

    @property
    def mentor_share(self) -> int:
        return self.amount - self.platform_fee

    @property
    def refunded_total(self) -> int:
        """Refunds we asked for (or saw) that did not fail; never less than Stripe's own figure."""
        ours = self.refunds.exclude(state=Refund.State.FAILED).aggregate(s=Sum("amount"))["s"] or 0
        return max(ours, self.amount_refunded)

    @property
    def refundable(self) -> int:
        return max(self.charged_amount - self.refunded_total, 0) if self.state == self.State.PAID else 0


# Refund.follow_up_due as a filter (the sweep's, and its index's).
REFUND_FOLLOW_UP_DUE = Q(state__in=["pending", "succeeded"], stripe_refund_id__isnull=False) & (
    Q(buyer_told_at__isnull=True) | Q(payout_adjusted_at__isnull=True)
)


class Refund(models.Model):
    """Money going back to the buyer. Once Stripe (or the demo provider) has taken it, two
    follow-ups happen exactly once each, marked in the transaction that does them: the buyer is
    told, and the mentor's share is taken back from a payout already sent."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    key = models.CharField(
        max_length=120, unique=True, help_text="Why this refund exists; one refund per key, ever."
    )
    amount = models.PositiveIntegerField(help_text="Minor units.")
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stripe_refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    made_in_stripe = models.BooleanField(
        "made in Stripe",
        default=False,
        help_text="Made outside the product (the Stripe Dashboard, Stripe's dispute flow), not asked for by "
        "us: recorded from Stripe's events, never asked of Stripe again.",
    )
    state = models.CharField(max_length=9, choices=State.choices, default=State.PENDING)
    last_error = models.CharField(max_length=500, blank=True)
    buyer_told_at = models.DateTimeField(
        null=True, blank=True, help_text="When the buyer was e-mailed that the money is on its way back."
    )
    payout_adjusted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the mentor's share of this refund was taken back from their payout (or found "
        "not sent yet, so nothing to take back).",
    )
    payout_reversed_amount = models.PositiveIntegerField(
        default=0, help_text="Minor units of this refund taken back from the mentor's payout."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]
        # The sweep's look for follow-ups a lost task never did: only those rows are indexed.
        indexes = [
            models.Index(
                fields=["created_at"],
                name="refund_follow_up_due",
                condition=REFUND_FOLLOW_UP_DUE,
            )
        ]

    def __str__(self) -> str:
        return f"{format_money(self.amount, self.currency)} refund ({self.get_state_display()})"

    @property
    def is_taken(self) -> bool:
        """Stripe (or the demo provider) has it and has not failed it: the money is on its way."""
        return self.stripe_refund_id is not None and self.state != self.State.FAILED

    @property
    def follow_up_due(self) -> bool:
        return self.is_taken and (self.buyer_told_at is None or self.payout_adjusted_at is None)

    def moves_forward_to(self, state: str) -> bool:
        """Whether a state Stripe reports (its answer to our request or an event, which come in
        any order) is news. Stripe moves a refund forward only: pending, then succeeded or
        failed, and a succeeded one can still fail later; a report of an earlier state is late or
        replayed (a slow answer after the event settled it) and changes nothing. A refund Stripe
        never took (our request failed: failed, without a Stripe id) may become anything."""
        if self.state == self.State.FAILED and not self.stripe_refund_id:
            return True
        order = [self.State.PENDING, self.State.SUCCEEDED, self.State.FAILED]
        return order.index(state) > order.index(self.state)


class Transfer(models.Model):
    """The mentor's share sent to their connected account after the session."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Sent")
        FAILED = "failed", _("Failed")

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="transfer")
    amount = models.PositiveIntegerField(help_text="Minor units.")
    currency = models.CharField(max_length=3)
    destination = models.CharField(max_length=255)
    stripe_transfer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    reversed = models.BooleanField(default=False)
    amount_reversed = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="transfer_created")]

    def __str__(self) -> str:
        return f"{format_money(self.amount, self.currency)} to {self.destination}"


class WebhookEvent(models.Model):
    """Every event Stripe (or the demo provider) sent us, stored before it is processed."""

    class Endpoint(models.TextChoices):
        PLATFORM = "platform", _("Platform")
        CONNECT = "connect", _("Connect")
        DEMO = "demo", _("Demo provider")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")

    stripe_event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    endpoint = models.CharField(max_length=8, choices=Endpoint.choices)
    payload = models.JSONField()
    state = models.CharField(max_length=9, choices=State.choices, default=State.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["state", "received_at"]),
            models.Index(fields=["received_at"], name="webhook_event_received"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_event_id}"

    @property
    def data_object(self) -> dict:
        return self.payload.get("data", {}).get("object", {})


class UpgradeOffer(models.Model):
    """Ladder up: after a well-rated micro-session, what it cost is credited on the mentor's
    cohort seat or plan if the mentee joins within 14 days. One offer per session, used once:
    `redeemed_at` is set while a purchase holds it, and cleared again only when that purchase
    falls through (an abandoned checkout, a lapsed hold), so the credit is never spent twice."""

    VALID_FOR_DAYS = 14

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="upgrade_offer")
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="upgrade_offers"
    )
    mentor = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="upgrade_offers")
    amount = models.PositiveIntegerField(help_text="Minor units: what the micro-session cost.")
    currency = models.CharField(max_length=3)
    expires_at = models.DateTimeField()
    # What the e-mail offered; the credit is good on any of this mentor's cohorts or plans.
    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    plan = models.ForeignKey(
        "subscriptions.Plan", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    redeemed_at = models.DateTimeField(null=True, blank=True)
    # What it was (last) applied to; kept when a purchase falls through, replaced by the next one.
    enrollment = models.OneToOneField(
        "cohorts.Enrollment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="upgrade_offer",
    )
    subscription = models.OneToOneField(
        "subscriptions.Subscription",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="upgrade_offer",
    )
    stripe_coupon_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["mentee", "mentor", "expires_at"]),
            models.Index(fields=["created_at"], name="upgrade_offer_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="upgrade_offer_amount_positive"),
            models.CheckConstraint(
                condition=Q(redeemed_at__isnull=True)
                | Q(enrollment__isnull=False, subscription__isnull=True)
                | Q(enrollment__isnull=True, subscription__isnull=False),
                name="upgrade_offer_used_on_one_purchase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount_display} upgrade credit for {self.mentee_id} with {self.mentor_id}"

    @property
    def amount_display(self) -> str:
        return format_money(self.amount, self.currency)

    @property
    def is_redeemed(self) -> bool:
        return self.redeemed_at is not None

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    def is_usable(self, now=None) -> bool:
        return not self.is_redeemed and not self.is_expired(now)

    def price_after(self, price_amount: int, *, card_minimum: bool = False) -> int:
        """A price with this credit taken off, never below zero. `card_minimum` (a seat's
        checkout): what is left to pay is free or at least Stripe's minimum charge."""
        if card_minimum:
            return price_after_discount(price_amount, self.amount, self.currency)
        return max(price_amount - self.amount, 0)


from .codes_models import CodeRedemption, PromotionCode  # noqa: E402  (billing's models, kept in their own module)

__all__ = [
    "BillingCustomer",
    "CodeRedemption",
    "ConnectedAccount",
    "Payment",
    "PromotionCode",
    "Refund",
    "Transfer",
    "UpgradeOffer",
    "WebhookEvent",
]
