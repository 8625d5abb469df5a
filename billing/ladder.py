"""Ladder up: after a micro-session rated 4 or 5, the mentee is offered the mentor's open
cohort or plan, with what the session cost as an upgrade credit for 14 days, usable once.

What there is to offer is for cohorts and subscriptions to say, and the offer's e-mail is for
notifications to send: they register with billing.hooks. The offer is made when a session is
reviewed (sessions calls upgrade_offer_create_for_review).

The credit is applied by the purchase itself: a cohort seat is held at its price minus the credit
(cohorts.services), a subscription's first invoice gets a one-time Stripe coupon
(`upgrade_offer_coupon_id`). `upgrade_offer_redeem` marks the credit used under the offer's row
lock, so no second purchase gets it; `upgrade_offer_release` gives it back when that purchase
falls through (an abandoned or expired checkout), and then it is usable again until it expires.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts.models import User
from mentors.models import MentorProfile
from sessions.models import Booking, Review

from . import stripe_client
from .hooks import upgrade_offer_created, upgrade_offer_target
from .models import Payment, UpgradeOffer
from .services.payments import provider
from .stripe_client import BillingError

MIN_RATING = 4


# --- what can be offered ----------------------------------------------------------------------


def offer_targets(
    *, mentor: MentorProfile, mentee: User, currency: str, now: datetime | None = None
) -> dict[str, Model]:
    """What to name in this mentee's offer, as UpgradeOffer fields ({"cohort": …, "plan": …}): the
    soonest open cohort they have no place in and the cheapest published plan unless they already
    subscribe to this mentor, as cohorts and subscriptions answer (hooks.upgrade_offer_target)."""
    targets = {}
    for answer in upgrade_offer_target.call(mentor=mentor, mentee=mentee, currency=currency, now=now):
        targets.update(answer or {})
    return targets


def session_cost(booking: Booking) -> int:
    """What the mentee paid for the session and kept: the payment less refunds; nothing for a free
    session or one paid with a subscription credit (booked at no price: sessions.booking_create)."""
    payment = Payment.objects.filter(booking=booking).first()
    if payment is not None:
        return payment.amount - payment.refunded_total if payment.state == Payment.State.PAID else 0
    return booking.price_amount


# --- the offer --------------------------------------------------------------------------------


def upgrade_offer_create_for_review(*, review: Review) -> UpgradeOffer | None:
    """Call inside the review's transaction (the booking is locked): the offer and its e-mail,
    once per session, when the rating is 4 or 5, the mentor has nudges on, the session cost
    something and the mentor has an open cohort or a published plan in that currency."""
    booking = review.booking
    if review.rating < MIN_RATING:
        return None
    mentor = MentorProfile.objects.get(pk=booking.mentor_id)
    if not mentor.ladder_up_nudges:
        return None
    existing = UpgradeOffer.objects.filter(booking=booking).first()
    if existing is not None:
        return existing
    amount = session_cost(booking)
    if amount <= 0:
        return None
    now = review.created_at
    targets = offer_targets(mentor=mentor, mentee=booking.mentee, currency=booking.currency, now=now)
    if not any(targets.values()):
        return None
    offer = UpgradeOffer.objects.create(
        booking=booking,
        mentee_id=booking.mentee_id,
        mentor=mentor,
        amount=amount,
        currency=booking.currency.upper(),
        expires_at=now + timedelta(days=UpgradeOffer.VALID_FOR_DAYS),
        **targets,
    )
    upgrade_offer_created.call(offer=offer, at=now)
    return offer


def mentor_set_ladder_up_nudges(*, mentor: MentorProfile, on: bool) -> MentorProfile:
    """Turn ladder-up offers on or off; off also stops offers not e-mailed yet (the send re-checks)."""
    MentorProfile.objects.filter(pk=mentor.pk).update(ladder_up_nudges=on)
    mentor.ladder_up_nudges = on
    return mentor


def upgrade_offer_available(
    *,
    mentee: User | AnonymousUser,
    mentor: MentorProfile | int,
    currency: str,
    now: datetime | None = None,
    for_update: bool = False,
) -> UpgradeOffer | None:
    """The mentee's unused, unexpired credit with this mentor in this currency (the largest, then
    the one expiring first). `for_update` locks it: call inside the purchase's transaction."""
    if not getattr(mentee, "is_authenticated", False):
        return None
    now = now or timezone.now()
    offers = UpgradeOffer.objects.filter(
        mentee=mentee,
        mentor=mentor,
        currency=currency.upper(),
        redeemed_at__isnull=True,
        expires_at__gt=now,
    ).order_by("-amount", "expires_at", "pk")
    if for_update:
        offers = offers.select_for_update()
    return offers.first()


def expiry_display(offer: UpgradeOffer) -> str:
    """The day it expires where the mentee lives, e.g. "12 Dec 2026"."""
    return date_format(offer.expires_at.astimezone(offer.mentee.zone), "j M Y")


def upgrade_offer_redeem(
    *,
    offer: UpgradeOffer,
    enrollment: Model | None = None,
    subscription: Model | None = None,
    now: datetime | None = None,
) -> UpgradeOffer:
    """Spend the credit on one cohort seat or one subscription of the same mentee, mentor and
    currency. Refused (BillingError) when it was used on something else or has expired; asking
    again for the same purchase changes nothing."""
    if (enrollment is None) == (subscription is None):
        raise TypeError("redeem an upgrade credit on exactly one enrollment or subscription")
    now = now or timezone.now()
    with transaction.atomic():
        offer = UpgradeOffer.objects.select_for_update().select_related("mentee").get(pk=offer.pk)
        if enrollment is not None:
            mentee_id, mentor_id = enrollment.member_id, enrollment.cohort.facilitator_id
            currency, same = enrollment.currency, offer.enrollment_id == enrollment.pk
        else:
            mentee_id, mentor_id = subscription.mentee_id, subscription.mentor_id
            currency, same = subscription.plan.currency, offer.subscription_id == subscription.pk
        if offer.is_redeemed:
            if same:
                return offer
            raise BillingError(_("This upgrade credit has already been used."), code="upgrade_credit_used")
        if offer.is_expired(now):
            raise BillingError(
                _("This upgrade credit expired on %(day)s.") % {"day": expiry_display(offer)},
                code="upgrade_credit_expired",
            )
        if (mentee_id, mentor_id) != (offer.mentee_id, offer.mentor_id):
            raise BillingError(_("This upgrade credit is for another mentee or mentor."))
        if currency.upper() != offer.currency:
            raise BillingError(_("This upgrade credit is in %(currency)s.") % {"currency": offer.currency})
        offer.redeemed_at = now
        offer.enrollment = enrollment
        offer.subscription = subscription
        offer.save(update_fields=["redeemed_at", "enrollment", "subscription"])
    return offer


def upgrade_offer_release(*, offer: UpgradeOffer) -> UpgradeOffer:
    """The purchase it was spent on fell through (checkout abandoned or expired): the credit is
    unused again, so it can be spent until it expires. What it was applied to stays recorded."""
    with transaction.atomic():
        offer = UpgradeOffer.objects.select_for_update().get(pk=offer.pk)
        if offer.redeemed_at is not None:
            offer.redeemed_at = None
            offer.save(update_fields=["redeemed_at"])
    return offer


def upgrade_offers_release_for_seats(*, enrollment_ids: Iterable[UUID | str]) -> int:
    """Seats that ended without being kept (hold lapsed or abandoned, left before the start with
    a refund, cohort cancelled): their credits are given back. Inside the cohort's transaction."""
    offers = list(
        UpgradeOffer.objects.select_for_update().filter(
            enrollment_id__in=enrollment_ids, redeemed_at__isnull=False
        )
    )
    for offer in offers:
        offer.redeemed_at = None
    return bulk_update_with_history(
        offers, UpgradeOffer, ["redeemed_at"], default_change_reason="the seat it was spent on ended"
    )


def upgrade_offer_reclaim_for_seat(*, enrollment: Model, now: datetime | None = None) -> UpgradeOffer | None:
    """A payment that arrived after the seat's hold lapsed still seats the member: it was made at
    the credited price, so the credit given back at the lapse is spent again (expired or not)."""
    now = now or timezone.now()
    offer = (
        UpgradeOffer.objects.select_for_update()
        .filter(enrollment=enrollment, redeemed_at__isnull=True)
        .first()
    )
    if offer is not None:
        offer.redeemed_at = now
        offer.save(update_fields=["redeemed_at"])
    return offer


def seat_upgrade_credit(*, enrollment: Model) -> UpgradeOffer | None:
    """The credit spent on this seat (its price already has it taken off)."""
    return UpgradeOffer.objects.filter(enrollment=enrollment, redeemed_at__isnull=False).first()


def upgrade_offer_coupon_id(*, offer: UpgradeOffer, now: datetime | None = None) -> str:
    """The Stripe coupon that applies this credit to a subscription's first invoice: created once
    (one redemption, until the offer expires) and reused. Outside any transaction (a network call).
    The demo provider has no coupons: its checkout lowers the amount itself (UpgradeOffer.price_after)."""
    offer = UpgradeOffer.objects.get(pk=offer.pk)
    if offer.stripe_coupon_id:
        return offer.stripe_coupon_id
    if offer.is_expired(now):
        raise BillingError(
            _("This upgrade credit expired on %(day)s.") % {"day": expiry_display(offer)},
            code="upgrade_credit_expired",
        )
    if provider() == Payment.Provider.DEMO:
        coupon_id = f"coupon_demo_{offer.pk}"
    else:
        coupon_id = stripe_client.coupon_create(
            offer_id=offer.pk,
            amount_off=offer.amount,
            currency=offer.currency,
            redeem_by=int(offer.expires_at.timestamp()),
        ).id
    UpgradeOffer.objects.filter(pk=offer.pk, stripe_coupon_id="").update(stripe_coupon_id=coupon_id)
    offer.refresh_from_db()
    return offer.stripe_coupon_id
