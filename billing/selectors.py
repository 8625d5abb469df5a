from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, F, Prefetch, Q
from django.urls import NoReverseMatch
from django.utils import timezone

from mentors.models import MentorProfile

from .models import Payment, Refund, UpgradeOffer


def booking_payment(*, booking) -> Payment | None:
    return (
        Payment.objects.filter(booking=booking).prefetch_related("refunds").select_related("transfer").first()
    )


def booking_page_context(*, booking, viewer, now, forms) -> dict:
    """On the booking's page: its receipt, and the upgrade offer its review earned, shown to its
    mentee (sessions.hooks.booking_page_context)."""
    reviewed = getattr(booking, "review", None) is not None
    return {
        "payment": booking_payment(booking=booking) if booking.price_amount else None,
        "upgrade_offer": booking_upgrade_offer(booking=booking, user=viewer) if reviewed else None,
    }


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
        paid_out = transfer.amount - transfer.amount_reversed if transfer and transfer.state == "paid" else 0
        net = payment.amount - refunded
        from .services import platform_fee

        share = max(net - platform_fee(net), 0)
        pending = 0 if transfer and transfer.state == "paid" else share
        status = "paid out" if paid_out else ("refunded" if refunded >= payment.amount else "pending")
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


def offerable_cohorts(*, mentor_ids, currency: str | None = None, now: datetime | None = None):
    """The mentors' paid cohorts that take members now: published, enrolment open (the deadline
    is never after the start), a seat left; soonest first, with `seats_taken`."""
    from cohorts.models import Cohort
    from cohorts.selectors import with_seats

    now = now or timezone.now()
    cohorts = Cohort.objects.filter(
        facilitator_id__in=mentor_ids,
        status=Cohort.Status.PUBLISHED,
        enrollment_deadline__gt=now,
        price_amount__gt=0,
    )
    if currency:
        cohorts = cohorts.filter(currency=currency.upper())
    return with_seats(cohorts, now).filter(seats_taken__lt=F("seats_max")).order_by("start_date", "pk")


def offerable_plans(*, mentor_ids, currency: str | None = None):
    from subscriptions.models import Plan

    plans = Plan.objects.filter(mentor_id__in=mentor_ids, is_published=True)
    if currency:
        plans = plans.filter(currency=currency.upper())
    return plans.order_by("price_amount", "pk")


def plan_url(plan) -> str:
    """The plan's page; the mentor's profile until subscription pages are routed."""
    try:
        return plan.get_absolute_url()
    except NoReverseMatch:
        return plan.mentor.get_absolute_url() + "#plans"


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
    currency, the ones the e-mail named first. Two queries for all the offers; offers with nowhere
    to spend them left out."""
    offers = list(offers)
    if not offers:
        return []
    mentor_ids = {offer.mentor_id for offer in offers}
    cohorts = list(offerable_cohorts(mentor_ids=mentor_ids, now=now))
    plans = list(offerable_plans(mentor_ids=mentor_ids).select_related("mentor"))
    cards = []
    for offer in offers:
        mine = [c for c in cohorts if c.facilitator_id == offer.mentor_id and c.currency == offer.currency]
        mine.sort(key=lambda c: c.pk != offer.cohort_id)
        my_plans = [p for p in plans if p.mentor_id == offer.mentor_id and p.currency == offer.currency]
        my_plans.sort(key=lambda p: p.pk != offer.plan_id)
        targets = [
            UpgradeTarget(
                kind="cohort",
                title=c.title,
                url=c.get_absolute_url(),
                price_amount=c.price_amount,
                price_after_credit=offer.price_after(c.price_amount),
                currency=c.currency,
                start_date=c.start_date,
            )
            for c in mine[:per_kind]
        ] + [
            UpgradeTarget(
                kind="plan",
                title=p.name,
                url=plan_url(p),
                price_amount=p.price_amount,
                price_after_credit=offer.price_after(p.price_amount),
                currency=p.currency,
            )
            for p in my_plans[:per_kind]
        ]
        if targets:
            cards.append(UpgradeOfferCard(offer=offer, targets=targets))
    return cards


def _live_offers(now: datetime | None = None):
    return UpgradeOffer.objects.filter(
        redeemed_at__isnull=True, expires_at__gt=now or timezone.now()
    ).select_related("mentor__user", "booking__offering")


def mentee_upgrade_offers(*, mentee, now: datetime | None = None) -> list[UpgradeOfferCard]:
    """The mentee's live credits (the dashboard), soonest to expire first."""
    if not getattr(mentee, "is_authenticated", False):
        return []
    offers = _live_offers(now).filter(mentee=mentee).order_by("expires_at", "pk")
    return upgrade_offer_cards(offers, now=now)


def booking_upgrade_offer(*, booking, user, now: datetime | None = None) -> UpgradeOfferCard | None:
    """The live credit this session earned, shown on its page to its mentee only."""
    if not getattr(user, "is_authenticated", False) or booking.mentee_id != user.pk:
        return None
    cards = upgrade_offer_cards(_live_offers(now).filter(booking_id=booking.pk), now=now)
    return cards[0] if cards else None


def cohort_upgrade_offer(*, cohort, user, now: datetime | None = None) -> UpgradeOffer | None:
    """On a paid cohort's page: the credit the viewer's seat was priced with, or the one taking a
    seat (enrolling, or claiming a waitlist offer) would use."""
    from cohorts.models import Enrollment

    if not getattr(user, "is_authenticated", False) or not cohort.price_amount:
        return None
    applied = (
        UpgradeOffer.objects.filter(
            enrollment__cohort=cohort,
            enrollment__member=user,
            enrollment__state__in=Enrollment.OPEN_STATES,
            redeemed_at__isnull=False,
        )
        .select_related("mentee")
        .first()
    )
    if applied is not None:
        return applied
    seated = Enrollment.objects.filter(
        cohort=cohort, member=user, state__in=[Enrollment.State.HELD, *Enrollment.MEMBER_STATES]
    )
    if seated.exists():
        return None  # their seat was priced without a credit
    return (
        _live_offers(now)
        .filter(mentee=user, mentor_id=cohort.facilitator_id, currency=cohort.currency)
        .select_related("mentee")
        .order_by("-amount", "expires_at", "pk")
        .first()
    )


def mentor_laddered_up_count(*, mentor: MentorProfile) -> int:
    """How many mentees joined this mentor's cohort (a seat kept) or plan (a subscription past its
    first payment) with an upgrade credit. One aggregate query."""
    from cohorts.models import Enrollment
    from subscriptions.models import Subscription

    not_started = (Subscription.Status.INCOMPLETE, Subscription.Status.INCOMPLETE_EXPIRED)
    joined = Q(enrollment__state__in=Enrollment.MEMBER_STATES) | Q(
        subscription__status__in=[s for s in Subscription.Status.values if s not in not_started]
    )
    return UpgradeOffer.objects.filter(mentor=mentor, redeemed_at__isnull=False).aggregate(
        n=Count("mentee", distinct=True, filter=joined)
    )["n"]
