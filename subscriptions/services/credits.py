"""Session credits: granted per paid period (unique rows, so no replay grants twice), ended with
their period, spent on a booking under the subscription's lock, given back when it is cancelled
in time."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from sessions.hooks import CREDIT_SUBSCRIPTION
from sessions.models import Booking

from ..models import Credit, Subscription
from ..selectors import unspent_credits
from .base import SubscriptionError


def credits_end_before(*, subscription: Subscription, period_start: datetime) -> None:
    """A new period has begun: unspent credits of earlier periods end with theirs (they already
    do with Stripe, whose periods meet; the demo can end a period early)."""
    with transaction.atomic():
        ending = list(
            Credit.objects.select_for_update().filter(
                subscription=subscription,
                booking__isnull=True,
                period_start__lt=period_start,
                expires_at__gt=period_start,
            )
        )
        for credit in ending:
            credit.expires_at = period_start
        bulk_update_with_history(
            ending, Credit, ["expires_at"], default_change_reason="unspent at the start of a new period"
        )


def credits_grant(
    *, subscription: Subscription, period_start: datetime, period_end: datetime, count: int
) -> int:
    """Credits 1..count of the period starting at `period_start` (existing numbers stay as they
    are, so a replay grants nothing and a switch to a bigger plan tops up). Call under the
    subscription's lock."""
    credits_end_before(subscription=subscription, period_start=period_start)
    granted = set(
        Credit.objects.filter(subscription=subscription, period_start=period_start).values_list(
            "number", flat=True
        )
    )
    new = [
        Credit(subscription=subscription, period_start=period_start, number=n, expires_at=period_end)
        for n in range(1, count + 1)
        if n not in granted
    ]
    bulk_create_with_history(new, Credit, default_change_reason="granted for a paid period")
    return len(new)


def credit_spend(
    *, booking: Booking, source: str = CREDIT_SUBSCRIPTION, now: datetime | None = None
) -> Credit | None:
    """Pay for a booking with one of the mentee's credits with its mentor (inside the booking's
    transaction). The subscription's row lock makes two bookings at once share, never double-spend,
    the last credit. None when another kind of credit was asked for (a pack's)."""
    if source != CREDIT_SUBSCRIPTION:
        return None
    now = now or timezone.now()
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(
            mentee_id=booking.mentee_id, mentor_id=booking.mentor_id, status__in=Subscription.LIVE_STATUSES
        )
        .first()
    )
    if subscription is None:
        raise SubscriptionError(_("You have no subscription with this mentor."))
    if not subscription.credits_usable(now):
        raise SubscriptionError(_("Your credits are on hold until the subscription's payment goes through."))
    if booking.duration > timedelta(minutes=subscription.plan.max_session_minutes):
        raise SubscriptionError(
            _("Your plan's credits cover sessions up to %(minutes)s minutes.")
            % {"minutes": subscription.plan.max_session_minutes}
        )
    credit = unspent_credits(subscription, now).select_for_update().order_by("expires_at", "number").first()
    if credit is None:
        renews = subscription.current_period_end
        if renews:
            day = date_format(timezone.localtime(renews, booking.mentee.zone), "j F")
            raise SubscriptionError(
                _("You have no credits left this period. They renew on %(day)s.") % {"day": day}
            )
        raise SubscriptionError(_("You have no credits left this period."))
    credit.booking = booking
    credit.spent_at = now
    credit.save(update_fields=["booking", "spent_at"])
    return credit


def credit_return(*, booking: Booking) -> Credit | None:
    """A session paid with a credit was cancelled in time (or by the mentor): the credit is
    usable again until its period ends. Inside the booking's transaction."""
    credit = Credit.objects.select_for_update().filter(booking=booking).first()
    if credit is None:
        return None
    credit.booking = None
    credit.spent_at = None
    credit.save(update_fields=["booking", "spent_at"])
    return credit
