from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from mentors.models import MentorProfile
from sessions.policy import refund_promised

from .hooks import upgrade_credit_kept, upgrade_spend_targets
from .models import CodeRedemption, Payment, Refund, Transfer, UpgradeOffer
from .services.payments import platform_fee


def booking_payment(*, booking) -> Payment | None:
    return (
        Payment.objects.filter(booking=booking).prefetch_related("refunds").select_related("transfer").first()
    )


def booking_page_context(*, booking, viewer, now, forms) -> dict:
    """On the booking's page: its receipt, and the upgrade offer its review earned, shown to its
    mentee (sessions.hooks.booking_page_context)."""
    reviewed = getattr(booking, "review", None) is not None
    payment = booking_payment(booking=booking) if booking.price_amount else None
    return {
        "payment": payment,
        "code_redemption": CodeRedemption.objects.select_related("code")
        .filter(purchase_id=str(booking.pk))
        .first()
        if payment
        else None,
        "refund_requested": _refund_requested(booking, payment),
        "upgrade_offer": booking_upgrade_offer(booking=booking, user=viewer) if reviewed else None,
    }


def _refund_requested(booking, payment: Payment | None) -> bool:
    """A refund the booking's cancellation promised that is not written yet: the refund task runs
    once the cancellation commits, so the page right after it says "requested" from the rule."""
    if payment is None or payment.state != Payment.State.PAID or payment.refunds.all():
        return False
    return refund_promised(booking)


def seat_payment(*, cohort, user) -> Payment | None:
    """The viewer's latest paid seat in the cohort, with its refunds (a seat a refund cancelled too)."""
    if not user.is_authenticated:
        return None
    return (
        Payment.objects.filter(enrollment__cohort=cohort, enrollment__member=user, state=Payment.State.PAID)
        .select_related("enrollment__member")
        .prefetch_related("refunds")
        .order_by("-created_at")
        .first()
    )


def mentor_earnings(*, mentor: MentorProfile) -> dict:
    """Per paid booking: what the mentee paid, the fee, refunds, and where the mentor's share is."""
    payments = list(
        Payment.objects.filter(booking__mentor=mentor, state=Payment.State.PAID, amount_mismatch=False)
        .select_related("booking__offering", "booking__mentee", "transfer")
        .prefetch_related(Prefetch("refunds", queryset=Refund.objects.exclude(state=Refund.State.FAILED)))
        .order_by("-booking__starts_at")
    )
    rows = []
    totals = {"gross": 0, "fees": 0, "refunded": 0, "pending": 0, "paid_out": 0}
    currency = payments[0].currency if payments else "USD"
    for payment in payments:
        refunded = max(sum(r.amount for r in payment.refunds.all()), payment.amount_refunded)
        transfer = getattr(payment, "transfer", None)
        paid_out = (
            transfer.amount - transfer.amount_reversed
            if transfer and transfer.state == Transfer.State.PAID
            else 0
        )
        net = payment.amount - refunded
        share = max(net - platform_fee(net), 0)
        pending = 0 if transfer and transfer.state == Transfer.State.PAID else share
        if paid_out:
            status = gettext("paid out")
        else:
            status = gettext("refunded") if refunded >= payment.amount else gettext("pending")
        rows.append(
            {
                "payment": payment,
                "booking": payment.booking,
                "refunded": refunded,
                "share": share,
                "paid_out": paid_out,
                "pending": pending,
                "status": status,
            }
        )
        totals["gross"] += payment.amount
        totals["fees"] += payment.amount - refunded - share if net > 0 else 0
        totals["refunded"] += refunded
        totals["pending"] += pending
        totals["paid_out"] += paid_out
    return {"rows": rows, "totals": totals, "currency": currency}


# --- ladder up: upgrade offers ---------------------------------------------------------------


@dataclass
class UpgradeTarget:
    """A cohort or plan the credit can be spent on, with its price before and after."""

    kind: str  # "cohort" or "plan"
    title: str
    url: str
    price_amount: int
    price_after_credit: int
    currency: str
    start_date: date | None = None


@dataclass
class UpgradeOfferCard:
    offer: UpgradeOffer
    targets: list[UpgradeTarget] = field(default_factory=list)


def upgrade_offer_cards(offers, *, now: datetime | None = None, per_kind: int = 3) -> list[UpgradeOfferCard]:
    """Each offer with where it can be spent: the mentor's open cohorts and published plans in its
    currency, the ones the e-mail named first (hooks.upgrade_spend_targets: one query per kind
    for all the offers); offers with nowhere to spend them left out."""
    offers = list(offers)
    if not offers:
        return []
    answers = upgrade_spend_targets.call(offers=offers, now=now, per_kind=per_kind)
    cards = []
    for offer in offers:
        targets = [target for answer in answers for target in answer.get(offer.pk, [])]
        if targets:
            cards.append(UpgradeOfferCard(offer=offer, targets=targets))
    return cards


def live_upgrade_offers(now: datetime | None = None):
    """Credits not used and not expired, with what their cards show."""
    return unspent_upgrade_offers(now).select_related("mentor__user", "booking__offering")


def unspent_upgrade_offers(now: datetime | None = None):
    """Credits not used and not expired."""
    return UpgradeOffer.objects.filter(redeemed_at__isnull=True, expires_at__gt=now or timezone.now())


def mentee_upgrade_offers(*, mentee, now: datetime | None = None) -> list[UpgradeOfferCard]:
    """The mentee's live credits (the dashboard), soonest to expire first."""
    if not getattr(mentee, "is_authenticated", False):
        return []
    offers = (
        live_upgrade_offers(now)
        .filter(mentee=mentee)
        .only(  # the offer's own columns (the spend-target hooks read them) and what its card shows
            *(f.name for f in UpgradeOffer._meta.concrete_fields),
            "mentor__id",
            "mentor__user__id",
            "mentor__user__display_name",
            "mentor__user__email",
            "booking__id",
            "booking__offering__id",
            "booking__offering__title",
        )
        .order_by("expires_at", "pk")
    )
    return upgrade_offer_cards(offers, now=now)


def booking_upgrade_offer(*, booking, user, now: datetime | None = None) -> UpgradeOfferCard | None:
    """The live credit this session earned, shown on its page to its mentee only."""
    if not getattr(user, "is_authenticated", False) or booking.mentee_id != user.pk:
        return None
    cards = upgrade_offer_cards(live_upgrade_offers(now).filter(booking_id=booking.pk), now=now)
    return cards[0] if cards else None


def mentor_laddered_up_count(*, mentor: MentorProfile) -> int:
    """How many mentees joined this mentor's cohort (a seat kept) or plan (a subscription past its
    first payment) with an upgrade credit (hooks.upgrade_credit_kept). One aggregate query."""
    kept = upgrade_credit_kept.call()
    if not kept:
        return 0
    joined = reduce(operator.or_, kept)
    return UpgradeOffer.objects.filter(mentor=mentor, redeemed_at__isnull=False).aggregate(
        n=Count("mentee", distinct=True, filter=joined)
    )["n"]
