from django.db.models import QuerySet

from sessions.models import ActionItem, Booking

from .models import Notification
from .tokens import CheckinLinkError, checkin_token_read


def booking_notifications(*, booking: Booking) -> QuerySet[Notification]:
    """The booking's reminders for its page: one query, no joins."""
    return Notification.objects.filter(booking_id=booking.pk).only(
        "kind", "due_at", "state", "sent_at", "booking_id"
    )


def booking_page_context(*, booking: Booking, viewer, now, forms) -> dict:
    """The reminders on the booking's page, for its mentee and mentor (sessions.hooks)."""
    takes_part = viewer.pk in (booking.mentee_id, booking.mentor.user_id)
    return {"reminders": list(booking_notifications(booking=booking)) if takes_part else []}


def checkin_action_item(*, token: str) -> ActionItem:
    """The one action item a check-in link answers for, still its mentee's; else CheckinLinkError."""
    claim = checkin_token_read(token)
    item = (
        ActionItem.objects.select_related("booking__offering", "booking__mentor__user", "booking__mentee")
        .filter(pk=claim.action_item_id, booking__mentee_id=claim.user_id)
        .first()
    )
    if item is None:
        raise CheckinLinkError("This link does not lead to an action item of yours.", status=404)
    return item
