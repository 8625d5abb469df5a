"""A mentor's standing on the marketplace, decided by staff: the application (approve or reject,
the applicant e-mailed either way), suspension (offerings, plans and unstarted cohorts
unpublished, future sessions cancelled and refunded, renewals stopped) and reinstatement. Each
decision leaves an AuditEntry. MentorError, as these are rules about mentors."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cohorts.models import Cohort
from core.history import update_with_history
from mentors.models import MentorProfile, Suspension
from mentors.selectors import directory_vocabulary_changed
from mentors.services import MentorError, mentor_listing_changed
from mentors.tasks import send_application_decision, send_reinstated, send_suspension_started
from sessions.models import Offering
from sessions.previews import mentor_refresh_free_slots_later
from sessions.selectors import active_bookings
from sessions.services import booking_cancel_by_staff
from subscriptions.models import Plan
from subscriptions.tasks import stop_renewals_of

from .audit import audit


def mentor_review(
    *, mentor: MentorProfile, approve: bool, reason: str = "", by: User | None = None
) -> MentorProfile:
    """Staff decide on an application; the applicant is e-mailed either way."""
    if not approve and not reason.strip():
        raise MentorError(_("Give the applicant a reason."), field="reason")
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().get(pk=mentor.pk)
        if mentor.status == MentorProfile.Status.SUSPENDED:
            raise MentorError(_("%(mentor)s is suspended; reinstate them instead.") % {"mentor": mentor})
        mentor.status = MentorProfile.Status.APPROVED if approve else MentorProfile.Status.REJECTED
        mentor.review_reason = reason.strip()
        mentor.reviewed_at = timezone.now()
        mentor.save(update_fields=["status", "review_reason", "reviewed_at"])
        audit(
            actor=by,
            action="mentor.approve" if approve else "mentor.reject",
            target=mentor,
            reason=reason.strip(),
        )
        directory_vocabulary_changed()
        send_application_decision.delay_on_commit(mentor.pk)
        mentor_refresh_free_slots_later(mentor_id=mentor.pk)
    return mentor


def mentor_suspend(
    *, mentor: MentorProfile, by: User | None, reason: str, automatic: bool = False
) -> Suspension:
    """Take a mentor off the marketplace pending review: their offerings, plans and cohorts not yet
    begun are unpublished (cohort members keep their seats), every future session is cancelled on
    the mentor's side with a full refund, their subscriptions stop renewing (after commit: a
    Stripe call each), and the mentees and the mentor are e-mailed why.
    `by=None` is the automatic rule (three upheld no-shows in 90 days)."""
    reason = reason.strip()
    if not reason:
        raise MentorError(_("Give a reason for the suspension."), field="reason")
    now = timezone.now()
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().select_related("user").get(pk=mentor.pk)
        if mentor.status == MentorProfile.Status.SUSPENDED:
            raise MentorError(_("%(mentor)s is already suspended.") % {"mentor": mentor})
        if mentor.status != MentorProfile.Status.APPROVED:
            raise MentorError(
                _("%(mentor)s is not an approved mentor; decide the application instead.")
                % {"mentor": mentor}
            )
        offerings = Offering.objects.filter(mentor=mentor, is_published=True)
        plans = Plan.objects.filter(mentor=mentor, is_published=True)
        cohorts = [
            cohort.pk
            for cohort in Cohort.objects.filter(facilitator=mentor, status=Cohort.Status.PUBLISHED)
            if now < cohort.starts_at
        ]
        suspension = Suspension.objects.create(
            mentor=mentor,
            reason=reason,
            automatic=automatic,
            started_at=now,
            started_by=by,
            offering_ids=sorted(offerings.values_list("pk", flat=True)),
            plan_ids=sorted(plans.values_list("pk", flat=True)),
            cohort_ids=sorted(cohorts),
        )
        update_with_history(offerings, reason="mentor suspended", is_published=False)
        update_with_history(plans, reason="mentor suspended", is_published=False)
        update_with_history(
            Cohort.objects.filter(pk__in=cohorts), reason="mentor suspended", status=Cohort.Status.DRAFT
        )
        mentor.status = MentorProfile.Status.SUSPENDED
        mentor.save(update_fields=["status"])
        for booking in active_bookings(mentor_id=mentor.pk, now=now).filter(starts_at__gt=now):
            booking_cancel_by_staff(
                booking=booking, by=by, reason="Your mentor is no longer available on TheMentors.", now=now
            )
        audit(actor=by, action="mentor.suspend", target=mentor, reason=reason)
        mentor_listing_changed(mentor_id=mentor.pk)
        send_suspension_started.delay_on_commit(suspension.pk)
        stop_renewals_of.delay_on_commit(mentor.pk)
    return suspension


def mentor_reinstate(*, mentor: MentorProfile, by: User, reason: str) -> Suspension | None:
    """Staff end a suspension: the mentor is approved again and exactly what the suspension
    unpublished is published again (if still theirs; cohorts only if not yet begun). Cancelled
    sessions stay cancelled."""
    reason = reason.strip()
    if not reason:
        raise MentorError(_("Give a reason for reinstating the mentor."), field="reason")
    now = timezone.now()
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().select_related("user").get(pk=mentor.pk)
        if mentor.status != MentorProfile.Status.SUSPENDED:
            raise MentorError(_("%(mentor)s is not suspended.") % {"mentor": mentor})
        suspension = (
            Suspension.objects.select_for_update().filter(mentor=mentor, ended_at__isnull=True).first()
        )
        mentor.status = MentorProfile.Status.APPROVED
        mentor.save(update_fields=["status"])
        if suspension is not None:
            reinstated = "mentor reinstated"
            update_with_history(
                Offering.objects.filter(mentor=mentor, pk__in=suspension.offering_ids),
                reason=reinstated,
                is_published=True,
            )
            update_with_history(
                Plan.objects.filter(mentor=mentor, pk__in=suspension.plan_ids),
                reason=reinstated,
                is_published=True,
            )
            unstarted = [
                cohort.pk
                for cohort in Cohort.objects.filter(
                    facilitator=mentor, pk__in=suspension.cohort_ids, status=Cohort.Status.DRAFT
                )
                if now < cohort.starts_at
            ]
            update_with_history(
                Cohort.objects.filter(pk__in=unstarted), reason=reinstated, status=Cohort.Status.PUBLISHED
            )
            suspension.ended_at = now
            suspension.ended_by = by
            suspension.end_reason = reason
            suspension.save(update_fields=["ended_at", "ended_by", "end_reason"])
        audit(actor=by, action="mentor.reinstate", target=mentor, reason=reason)
        mentor_listing_changed(mentor_id=mentor.pk)
        send_reinstated.delay_on_commit(mentor.pk, reason)
    return suspension
