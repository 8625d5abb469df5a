"""E-mails to cohort members: welcome, messages, cancellation. (Their reminders are notifications'
rows; notifications/emails.py builds those.)"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.models import Payment
from core.emails import templated_email

from .models import CohortMessage, Enrollment


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _send_to_enrollment(enrollment: Enrollment, *, template: str, subject: str, **context) -> None:
    member = enrollment.member
    templated_email(
        template=template,
        subject=subject,
        to=[member.email],
        context={
            "enrollment": enrollment,
            "cohort": enrollment.cohort,
            "member": member,
            "zone": member.timezone,
            "cohort_url": _url("cohorts:detail", enrollment.cohort.slug),
            "space_url": _url("cohorts:space", enrollment.cohort.slug),
            **context,
        },
        zone=member.zone,
    ).send()


def send_welcome(*, enrollment_id) -> None:
    enrollment = Enrollment.objects.select_related("cohort__facilitator__user", "member").get(
        pk=enrollment_id
    )
    if enrollment.state != Enrollment.State.ACTIVE:
        return
    _send_to_enrollment(
        enrollment,
        template="cohorts/email/welcome",
        subject=lambda: _("Welcome to “%(title)s”") % {"title": enrollment.cohort.title},
    )


def send_cohort_message(*, message_id: int) -> None:
    message = CohortMessage.objects.select_related("cohort__facilitator__user").get(pk=message_id)
    members = Enrollment.objects.filter(
        cohort=message.cohort, state__in=Enrollment.MEMBER_STATES
    ).select_related("member", "cohort")
    for enrollment in members:
        _send_to_enrollment(
            enrollment,
            template="cohorts/email/message",
            subject=f"[{message.cohort.title}] {message.subject}",
            message=message,
        )


def send_cohort_cancelled(*, enrollment_ids: list[str]) -> None:
    enrollments = Enrollment.objects.filter(pk__in=enrollment_ids).select_related(
        "member", "cohort", "payment"
    )
    for enrollment in enrollments:
        payment = getattr(enrollment, "payment", None)
        _send_to_enrollment(
            enrollment,
            template="cohorts/email/cancelled",
            subject=lambda enrollment=enrollment: (
                _("Cancelled: “%(title)s”") % {"title": enrollment.cohort.title}
            ),
            refunded=payment is not None and payment.state == Payment.State.PAID,
        )


def send_seat_cancelled(*, enrollment_id, reason: str, tell_facilitator: bool) -> None:
    """A seat cancelled because its payment was refunded in full in Stripe: the member is told
    why, and the facilitator too when it was a member's seat (a held one they never saw)."""
    enrollment = Enrollment.objects.select_related("member", "cohort__facilitator__user").get(
        pk=enrollment_id
    )
    title = enrollment.cohort.title
    _send_to_enrollment(
        enrollment,
        template="cohorts/email/seat_cancelled",
        subject=lambda: _("Cancelled: your seat in “%(title)s”") % {"title": title},
        reason=reason,
        role="member",
    )
    if not tell_facilitator:
        return
    facilitator = enrollment.cohort.facilitator.user
    templated_email(
        template="cohorts/email/seat_cancelled",
        subject=lambda: (
            _("Cancelled: %(name)s's seat in “%(title)s”") % {"name": enrollment.member.name, "title": title}
        ),
        to=[facilitator.email],
        context={
            "enrollment": enrollment,
            "cohort": enrollment.cohort,
            "member": enrollment.member,
            "recipient": facilitator,
            "reason": reason,
            "role": "facilitator",
            "manage_url": _url("cohorts:manage", enrollment.cohort.slug),
        },
        zone=facilitator.zone,
    ).send()
