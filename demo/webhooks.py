"""The demo mentor's webhook endpoint and a short delivery log: one event delivered, one that
failed for three days (the page's "Send again" then has something to do). Written as the sending
would leave them; a second run finds them and adds nothing. No delivery is left pending, so the
demo's worker sends nothing to the example address."""

from __future__ import annotations

from datetime import datetime, timedelta

from mentors.models import MentorProfile
from sessions.models import Booking
from webhooks.events import booking_data
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from webhooks.services import RETRY_FOR, new_secret

DEMO_URL = "https://hooks.example.com/thementors"


def seed_webhooks(*, now: datetime, demo_mentor: MentorProfile) -> None:
    endpoint, created = WebhookEndpoint.objects.get_or_create(
        mentor=demo_mentor,
        url=DEMO_URL,
        defaults={
            "description": "My CRM (demo)",
            "events": EventType.values,
            "secret": new_secret(),
            "created_at": now - timedelta(days=10),
        },
    )
    if not created:
        return
    bookings = list(
        Booking.objects.filter(mentor=demo_mentor, state=Booking.State.CONFIRMED)
        .select_related("offering", "mentee")
        .order_by("starts_at")[:2]
    )
    for number, booking in enumerate(bookings):
        at = (now - timedelta(days=5 - number)).replace(microsecond=0)
        delivered = number == 0
        event_id = f"evt_demo{booking.pk.hex[:24]}"
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_type=EventType.BOOKING_CREATED,
            event_id=event_id,
            payload={
                "id": event_id,
                "type": EventType.BOOKING_CREATED.value,
                "created": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "data": booking_data(booking),
            },
            state=WebhookDelivery.State.DELIVERED if delivered else WebhookDelivery.State.FAILED,
            attempts=1 if delivered else 12,
            next_attempt_at=at,
            give_up_at=at + RETRY_FOR,
            last_attempt_at=at if delivered else at + timedelta(hours=67, minutes=36),
            last_response_code=200 if delivered else 500,
            last_response_excerpt='{"received": true}' if delivered else "Internal Server Error",
            last_error="" if delivered else "The endpoint answered 500.",
            delivered_at=at if delivered else None,
            created_at=at,
        )
