"""E-mails of a request to book, each in its recipient's zone: the mentor is asked and reminded,
the mentee is told the answer, both are told when it lapses. Each checks the state it is about."""

from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _

from core.emails import templated_email

from .models import Booking

State = Booking.State


def _booking(booking_id) -> Booking:
    return Booking.objects.select_related("offering", "mentor__user", "mentee", "approval").get(pk=booking_id)


def _send(booking: Booking, *, template: str, subject: Callable[[], str], roles: tuple[str, ...]) -> None:
    people = {"mentee": booking.mentee, "mentor": booking.mentor.user}
    for role in roles:
        recipient = people[role]
        templated_email(
            template=f"sessions/email/{template}",
            subject=subject,
            to=[recipient.email],
            context={
                "booking": booking,
                "approval": booking.approval,
                "recipient": recipient,
                "role": role,
                "zone": recipient.timezone,
                "site_url": settings.SITE_URL,
            },
            zone=recipient.zone,
        ).send()


def send_request_received(*, booking_id) -> None:
    booking = _booking(booking_id)
    if booking.state == State.REQUESTED:

        def subject():
            return _("New request to book: %(title)s") % {"title": booking.offering.title}

        _send(booking, template="request_received", subject=subject, roles=("mentor",))


def send_request_reminder(*, booking_id) -> None:
    booking = _booking(booking_id)
    if booking.state == State.REQUESTED:

        def subject():
            return _("Reminder: a request to book waits for your answer (%(title)s)") % {
                "title": booking.offering.title
            }

        _send(booking, template="request_received", subject=subject, roles=("mentor",))


def send_request_answered(*, booking_id) -> None:
    booking = _booking(booking_id)
    decision = booking.approval.decision
    if decision == booking.approval.Decision.ACCEPTED:
        _send(
            booking,
            template="request_answered",
            subject=lambda: _("Accepted: %(title)s") % {"title": booking.offering.title},
            roles=("mentee",),
        )
    elif decision == booking.approval.Decision.DECLINED:
        _send(
            booking,
            template="request_answered",
            subject=lambda: _("Declined: %(title)s") % {"title": booking.offering.title},
            roles=("mentee",),
        )


def send_request_lapsed(*, booking_id) -> None:
    booking = _booking(booking_id)
    if booking.state == State.LAPSED:

        def subject():
            return _("Request lapsed: %(title)s") % {"title": booking.offering.title}

        _send(booking, template="request_lapsed", subject=subject, roles=("mentee", "mentor"))
