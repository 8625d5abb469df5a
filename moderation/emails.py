"""E-mails about moderators' decisions: offerings taken down, no-show contests and decisions
(times in each recipient's own zone)."""

from datetime import UTC

from django.conf import settings
from django.utils.translation import gettext as _

from core.emails import templated_email
from notifications.emails import staff_recipient
from sessions.models import Booking, Offering

from .models import NoShowDispute


def send_noshow_decision(*, booking_id, outcome: str, reason: str, was: str) -> None:
    """Both sides learn what staff decided about the session, why, and what it means for money."""
    booking = Booking.objects.select_related("offering", "mentor__user", "mentee").get(pk=booking_id)
    label = NoShowDispute.Outcome(outcome).label
    for recipient, role in ((booking.mentee, "mentee"), (booking.mentor.user, "mentor")):
        templated_email(
            template="moderation/email/noshow_decision",
            subject=lambda: (
                _("Our decision about %(title)s: %(decision)s")
                % {"title": booking.offering.title, "decision": label.lower()}
            ),
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


def send_noshow_contested(*, dispute_id: int) -> None:
    """The person who reported the no-show learns it is contested; staff get it to decide."""
    dispute = NoShowDispute.objects.select_related(
        "booking__offering", "booking__mentor__user", "booking__mentee", "contested_by"
    ).get(pk=dispute_id)
    booking = dispute.booking
    mentee_absent = dispute.reported_state == Booking.State.NO_SHOW_MENTEE
    reporter = booking.mentor.user if mentee_absent else booking.mentee
    context = {"dispute": dispute, "booking": booking, "site_url": settings.SITE_URL}
    templated_email(
        template="moderation/email/noshow_contested",
        subject=lambda: _("Your no-show report is contested: %(title)s") % {"title": booking.offering.title},
        to=[reporter.email],
        context={**context, "recipient": reporter, "zone": reporter.timezone},
        zone=reporter.zone,
    ).send()
    staff = staff_recipient()
    if staff is not None:
        templated_email(
            template="moderation/email/noshow_contested",
            subject=f"[staff] No-show contested: {booking.offering.title}",
            to=staff.emails,
            context={**context, "recipient": None, "zone": "UTC"},
            zone=UTC,
        ).send()


def send_offering_taken_down(*, offering_id: int, reason: str) -> None:
    offering = Offering.objects.select_related("mentor__user").get(pk=offering_id)
    if offering.is_published:  # published again since: nothing to tell
        return
    templated_email(
        template="moderation/email/offering_taken_down",
        subject=lambda: _("Your offering “%(title)s” was taken down") % {"title": offering.title},
        to=[offering.mentor.user.email],
        context={"offering": offering, "reason": reason, "site_url": settings.SITE_URL},
    ).send()
