"""E-mails that tell a mentor what moderators did to their content, and why."""

from django.conf import settings

from core.emails import templated_email
from sessions.models import Offering


def send_offering_taken_down(*, offering_id: int, reason: str) -> None:
    offering = Offering.objects.select_related("mentor__user").get(pk=offering_id)
    if offering.is_published:  # published again since: nothing to tell
        return
    templated_email(
        template="moderation/email/offering_taken_down",
        subject=f"Your offering “{offering.title}” was taken down",
        to=[offering.mentor.user.email],
        context={"offering": offering, "reason": reason, "site_url": settings.SITE_URL},
    ).send()
