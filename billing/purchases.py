"""What billing sells: the kinds of purchase, and what billing asks of each.

billing takes the money (checkout, webhook events, refunds, payouts) for things other apps own:
a session (`sessions`), a cohort seat (`cohorts`), a subscription's first month
(`subscriptions`), a session pack (`packs`). It never imports the apps above it. Each kind is a
PurchaseKind, registered once from the app that owns the thing: the session kind from billing's
own ready() (billing may import sessions), the seat kind from cohorts.apps, the subscription kind
from subscriptions.apps, the pack kind from packs.apps. A Payment names its purchase by one of
its fields (`booking`, `enrollment`, `subscription`, `pack_purchase`); the
kind registered for that field answers for it (`Payment.kind`).

    # cohorts/apps.py, in ready()
    from billing.purchases import register
    register(SeatPurchase())
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.errors import DomainError

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User

    from .models import Payment


class PaidTooLate(DomainError):
    """The money arrived, but the purchase can no longer be had (the slot or the seat went to
    someone else, or was cancelled): billing refunds it in full."""


@dataclass(frozen=True)
class CheckoutItem:
    """The line a hosted checkout shows for a purchase, and how Stripe groups its transfer."""

    name: str
    description: str
    transfer_group: str
    metadata: dict[str, str] = field(default_factory=dict)  # added to the purchase's own ids
    capture_manually: bool = False  # a request to book: authorised now, captured when accepted


class PurchaseKind:
    """One kind of thing a buyer pays for. A subclass sets the names and implements what its
    purchases need: every kind says what it is (price, buyer, title, page); a kind bought through
    billing's hosted checkout also holds, confirms, releases, is cancelled when refunded in full in
    Stripe and pays its mentor out. Those a kind never does raise NotImplementedError.

    A purchase with a hosted checkout has `state`, `price_amount`, `currency` and
    `hold_expires_at`, as bookings and enrolments do."""

    name: str  # how code names the kind: "session", "seat", "subscription"
    field: str  # the Payment's field that holds it: "booking", "enrollment", "subscription"
    model: type  # that field's model
    noun: str  # the buyer's word for it, in messages: "session", "seat"
    plural_noun: str = ""  # the same, translatable, for many: gettext_lazy("sessions")
    refund_key: str = ""  # how its refund keys begin: "booking" → "booking-<id>-policy"
    # Its checkout cannot be paid: it is not held (or free), or its hold ran out.
    not_waiting: str = ""
    hold_ran_out: str = ""
    # The refund of a payment that arrived too late (PaidTooLate): its key's end and its reason.
    paid_too_late_key: str = ""
    paid_too_late_reason: str = ""
    destination_charge: bool = False  # charged on the mentor's account (a refund reverses the transfer)
    cancelled_when_refunded_in_full: bool = True
    # Promotion codes (billing/services/codes.py): a kind opts in with `accepts_codes`, names
    # itself for a code's "good on" choice, and says how a Payment reaches its buyer and mentor
    # ("booking__mentee", "booking__mentor") for "first purchase only". Its purchases call
    # codes.code_apply inside their own transaction and are held at the price it answers.
    accepts_codes: bool = False
    code_label: str = ""  # "1:1 sessions", "cohort seats"
    buyer_path: str = ""
    mentor_path: str = ""

    @property
    def metadata_key(self) -> str:
        """The key that names the purchase in the metadata of Stripe objects."""
        return f"{self.field}_id"

    def __repr__(self) -> str:
        return f"<PurchaseKind {self.name}>"

    # --- what it is ----------------------------------------------------------------------------

    def price(self, purchase) -> tuple[int, str]:
        """What its checkout asks for: minor units and an ISO currency (after discounts and credits)."""
        return purchase.price_amount, purchase.currency

    def buyer(self, purchase) -> User:
        raise NotImplementedError

    def title(self, purchase) -> str:
        """What was bought, in the buyer's words ("Career chat", "your seat in …")."""
        raise NotImplementedError

    def url(self, purchase) -> str:
        """The page of the purchase (links in e-mails)."""
        raise NotImplementedError

    def mentor_id(self, purchase) -> int:
        """The mentor whose thing it is (a mentor's promotion code is good only with them)."""
        raise NotImplementedError

    # --- the hosted checkout -------------------------------------------------------------------

    def lock_for_checkout(self, purchase):
        """The purchase read again under its row lock, with what its checkout shows."""
        raise NotImplementedError

    def is_held(self, purchase) -> bool:
        """Waiting for its payment."""
        raise NotImplementedError

    def extend_hold(self, purchase, *, until: datetime) -> None:
        """The hold ends with the checkout (inside the transaction that locked the purchase)."""
        raise NotImplementedError

    def checkout_item(self, purchase) -> CheckoutItem:
        raise NotImplementedError

    def return_urls(self, purchase) -> tuple[str, str] | None:
        """Where the demo's test checkout sends the buyer once paid, and when they give up (paths);
        None: billing's own pages for sessions and seats."""
        return None

    # --- what the money does -------------------------------------------------------------------

    def confirm(self, purchase) -> None:
        """It was paid (as asked): the buyer has it (idempotent). PaidTooLate when it is gone."""
        raise NotImplementedError

    def release(self, purchase, *, note: str) -> None:
        """Its checkout will not be paid, or its payment was refused: it ends before it starts."""
        raise NotImplementedError

    def cancel_refunded(self, purchase, *, reason: str) -> None:
        """Its price went back in full in Stripe: cancel it as staff would, refunding nothing again
        (when cancelled_when_refunded_in_full)."""
        raise NotImplementedError

    def dispute_won(self, payment: Payment) -> None:
        """A dispute on its payment was won: a payout held back for it may go now."""

    def retry_payouts(self, *, cutoff: datetime) -> int:
        """The sweep: pay out what is due (paid before `cutoff`) and not sent yet; how many it tried."""
        return 0


_kinds: dict[str, PurchaseKind] = {}


def register(kind: PurchaseKind) -> PurchaseKind:
    """Add a kind (once, however often ready() runs); two kinds may not share a name or a field."""
    for known in _kinds.values():
        same_name, same_field = known.name == kind.name, known.field == kind.field
        if (same_name or same_field) and type(known) is not type(kind):
            raise ValueError(f"{kind!r} and {known!r} claim the same name or Payment.{kind.field}")
    _kinds[kind.name] = kind
    return kind


def kinds() -> tuple[PurchaseKind, ...]:
    """Every registered kind, in registration order (INSTALLED_APPS order)."""
    return tuple(_kinds.values())


def kinds_taking_codes() -> tuple[PurchaseKind, ...]:
    return tuple(kind for kind in _kinds.values() if kind.accepts_codes)


def kind_named(name: str) -> PurchaseKind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"no purchase kind {name!r} is registered") from None


def kind_for(purchase: Any) -> PurchaseKind:
    """The kind of a booking, an enrolment, a subscription…"""
    for kind in _kinds.values():
        if isinstance(purchase, kind.model):
            return kind
    raise LookupError(f"no purchase kind for {type(purchase).__name__}")


def kind_of(payment: Payment) -> PurchaseKind:
    """The kind of what a payment is for (the one field of its that is set)."""
    for kind in _kinds.values():
        if getattr(payment, f"{kind.field}_id") is not None:
            return kind
    raise LookupError(f"no purchase kind for payment {payment.pk}")
