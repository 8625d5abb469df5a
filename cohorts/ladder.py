"""What cohorts answer to billing's ladder up (billing.hooks): the open cohort an upgrade offer
names, where a credit can be spent, and which seats bought with one were kept; and the credit a
cohort's page shows. Registered from cohorts.apps."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q
from django.utils import timezone

from billing.models import UpgradeOffer
from billing.selectors import UpgradeTarget, live_upgrade_offers
from mentors.models import MentorProfile

from .models import Cohort, Enrollment
from .selectors import with_seats


def offerable_cohorts(*, mentor_ids, currency: str | None = None, now: datetime | None = None):
    """The mentors' paid cohorts that take members now: published, enrolment open (the deadline
    is never after the start), a seat left; soonest first, with `seats_taken`."""
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


def upgrade_offer_target(
    *, mentor: MentorProfile, mentee, currency: str, now: datetime | None = None
) -> dict | None:
    """The soonest open cohort of the mentor's that the mentee has no place in."""
    cohort = (
        offerable_cohorts(mentor_ids=[mentor.pk], currency=currency, now=now)
        .exclude(
            pk__in=Enrollment.objects.filter(member=mentee, state__in=Enrollment.OPEN_STATES).values(
                "cohort_id"
            )
        )
        .first()
    )
    return {"cohort": cohort} if cohort is not None else None


def upgrade_spend_targets(*, offers, now: datetime | None = None, per_kind: int) -> dict:
    """Each offer's mentor's open cohorts in its currency, the one its e-mail named first."""
    cohorts = list(offerable_cohorts(mentor_ids={offer.mentor_id for offer in offers}, now=now))
    targets = {}
    for offer in offers:
        mine = [c for c in cohorts if c.facilitator_id == offer.mentor_id and c.currency == offer.currency]
        mine.sort(key=lambda c: c.pk != offer.cohort_id)
        targets[offer.pk] = [
            UpgradeTarget(
                kind="cohort",
                title=c.title,
                url=c.get_absolute_url(),
                price_amount=c.price_amount,
                price_after_credit=offer.price_after(c.price_amount, card_minimum=True),
                currency=c.currency,
                start_date=c.start_date,
            )
            for c in mine[:per_kind]
        ]
    return targets


def upgrade_credit_kept() -> Q:
    """A seat bought with a credit was kept: its member joined (or finished) the cohort."""
    return Q(enrollment__state__in=Enrollment.MEMBER_STATES)


def cohort_upgrade_offer(*, cohort: Cohort, user, now: datetime | None = None) -> UpgradeOffer | None:
    """On a paid cohort's page: the credit the viewer's seat was priced with, or the one taking a
    seat (enrolling, or claiming a waitlist offer) would use."""
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
        live_upgrade_offers(now)
        .filter(mentee=user, mentor_id=cohort.facilitator_id, currency=cohort.currency)
        .select_related("mentee")
        .order_by("-amount", "expires_at", "pk")
        .first()
    )
