"""What each event tells a mentor's endpoint, and the moments (hooks) that raise it.

The hooks of sessions and cohorts call these receivers inside the change's own transaction, so
the delivery rows are written with the change or not at all (services.event_record). A payload
holds what the mentor already sees on the booking or roster page, never the mentee's e-mail
address or payment details: docs/design/mentor-webhooks.md lists every field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.conf import settings

from .models import EventType
from .services import event_record

if TYPE_CHECKING:
    from cohorts.models import Enrollment
    from sessions.models import Booking


def _utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second: what every time in a payload looks like."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def booking_data(booking: Booking) -> dict:
    offering = booking.offering
    return {
        "booking": {
            "id": str(booking.pk),
            "url": settings.SITE_URL.rstrip("/") + booking.get_absolute_url(),
            "state": booking.state,
            "starts_at": _utc(booking.starts_at),
            "ends_at": _utc(booking.ends_at),
            "duration_minutes": int((booking.ends_at - booking.starts_at).total_seconds() // 60),
            "join_url": booking.join_url,
            "outcome": booking.outcome,
            "price": {"amount": booking.price_amount, "currency": booking.currency},
            "series_id": str(booking.series_id) if booking.series_id else None,
            "offering": {"id": offering.pk, "slug": offering.slug, "title": offering.title},
            "mentee": {"name": booking.mentee.name, "timezone": booking.mentee.timezone},
        }
    }


def on_booking_confirmed(*, booking: Booking) -> None:
    event_record(
        mentor_id=booking.mentor_id, event_type=EventType.BOOKING_CREATED, data=booking_data(booking)
    )


def on_booking_rescheduled(*, booking: Booking, previous_starts_at: datetime) -> None:
    data = booking_data(booking)
    data["previous_starts_at"] = _utc(previous_starts_at)
    event_record(mentor_id=booking.mentor_id, event_type=EventType.BOOKING_RESCHEDULED, data=data)


def on_booking_cancelled(*, booking: Booking, was_confirmed: bool) -> None:
    """Only a booking the mentor was told of (confirmed) is cancelled for them: a hold that lapsed
    or a request never accepted was never booking.created."""
    if not was_confirmed:
        return
    data = booking_data(booking)
    data["cancelled_by"] = "mentor" if booking.state == booking.State.CANCELLED_BY_MENTOR else "mentee"
    event_record(mentor_id=booking.mentor_id, event_type=EventType.BOOKING_CANCELLED, data=data)


def on_booking_completed(*, booking: Booking) -> None:
    event_record(
        mentor_id=booking.mentor_id, event_type=EventType.BOOKING_COMPLETED, data=booking_data(booking)
    )


def enrollment_data(enrollment: Enrollment) -> dict:
    cohort = enrollment.cohort
    return {
        "enrollment": {
            "id": str(enrollment.pk),
            "state": enrollment.state,
            "joined_at": _utc(enrollment.joined_at) if enrollment.joined_at else None,
            "price": {"amount": enrollment.price_amount, "currency": enrollment.currency},
            "member": {"name": enrollment.member.name, "timezone": enrollment.member.timezone},
            "cohort": {
                "id": cohort.pk,
                "slug": cohort.slug,
                "title": cohort.title,
                "url": settings.SITE_URL.rstrip("/") + cohort.get_absolute_url(),
                "start_date": cohort.start_date.isoformat(),
                "weeks": cohort.weeks,
            },
        }
    }


def on_member_joined(*, enrollment: Enrollment) -> None:
    event_record(
        mentor_id=enrollment.cohort.facilitator_id,
        event_type=EventType.COHORT_ENROLLED,
        data=enrollment_data(enrollment),
    )
