from django.conf import settings

from core.emails import templated_email

from .models import MentorProfile


def send_application_decision(*, mentor_id: int) -> None:
    mentor = MentorProfile.objects.select_related("user").get(pk=mentor_id)
    if mentor.status == MentorProfile.Status.PENDING:
        return
    context = {"mentor": mentor, "site_url": settings.SITE_URL}
    subject = (
        "You're approved as a mentor on TheMentors"
        if mentor.is_approved
        else "About your mentor application on TheMentors"
    )
    templated_email(
        template="mentors/email/decision", subject=subject, to=[mentor.user.email], context=context
    ).send()
