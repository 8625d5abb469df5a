from django.conf import settings
from django.utils.translation import gettext as _

from core.emails import templated_email

from .models import MentorProfile, Suspension


def send_application_decision(*, mentor_id: int) -> None:
    mentor = MentorProfile.objects.select_related("user").get(pk=mentor_id)
    if mentor.status == MentorProfile.Status.PENDING:
        return
    context = {"mentor": mentor, "site_url": settings.SITE_URL}
    subject = (
        _("You're approved as a mentor on TheMentors")
        if mentor.is_approved
        else _("About your mentor application on TheMentors")
    )
    templated_email(
        template="mentors/email/decision", subject=subject, to=[mentor.user.email], context=context
    ).send()


def send_suspension_started(*, suspension_id: int) -> None:
    """Why the mentor is suspended, what it changed, and that staff review it."""
    suspension = Suspension.objects.select_related("mentor__user").get(pk=suspension_id)
    user = suspension.mentor.user
    templated_email(
        template="mentors/email/suspended",
        subject=lambda: _("Your mentor account on TheMentors is suspended"),
        to=[user.email],
        context={"suspension": suspension, "mentor": suspension.mentor, "site_url": settings.SITE_URL},
        zone=user.zone,
    ).send()


def send_reinstated(*, mentor_id: int, reason: str) -> None:
    mentor = MentorProfile.objects.select_related("user").get(pk=mentor_id)
    templated_email(
        template="mentors/email/reinstated",
        subject=lambda: _("Your mentor account on TheMentors is active again"),
        to=[mentor.user.email],
        context={"mentor": mentor, "reason": reason, "site_url": settings.SITE_URL},
        zone=mentor.user.zone,
    ).send()
