"""E-mails about staff decisions, with times in each recipient's own zone."""

from django.conf import settings

from core.emails import templated_email
from sessions.models import Booking

from .models import NoShowDispute


def send_noshow_decision(*, booking_id, outcome: str, reason: str, was: str) -> None:
    """Both sides learn what staff decided about the session, why, and what it means for money."""
    booking = Booking.objects.select_related("offering", "mentor__user", "mentee").get(pk=booking_id)
    label = NoShowDispute.Outcome(outcome).label
    for recipient, role in ((booking.mentee, "mentee"), (booking.mentor.user, "mentor")):
        templated_email(
            template="moderation/email/noshow_decision",
            subject=f"Our decision about {booking.offering.title}: {label.lower()}",
            to=[recipient.email],
            context={
                "booking": booking,
                "recipient": recipient,
                "role": role,
                "outcome": outcome,
                "label": label,
                "reason": reason,
                "was_mentor_no_show": was == Booking.State.NO_SHOW_MENTOR,
                "zone": recipient.timezone,
                "site_url": settings.SITE_URL,
            },
            zone=recipient.zone,
        ).send()
