from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

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
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("mentors/email/decision.txt", context),
        to=[mentor.user.email],
    )
    message.attach_alternative(render_to_string("mentors/email/decision.html", context), "text/html")
    message.send()
