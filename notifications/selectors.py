from django.db.models import QuerySet

from sessions.models import Booking

from .models import Notification


def booking_notifications(*, booking: Booking) -> QuerySet[Notification]:
    """The booking's reminders for its page: one query, no joins."""
    return Notification.objects.filter(booking_id=booking.pk).only(
        "kind", "due_at", "state", "sent_at", "booking_id"
    )
