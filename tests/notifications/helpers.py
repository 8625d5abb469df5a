"""Bookings made through the real services at a frozen moment, and the dispatcher run as beat runs it."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail

from notifications import tasks
from notifications.models import Notification
from sessions.services import BookingRequest, booking_create

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
Kind = Notification.Kind


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def book(offering, mentee, starts_at: datetime, *, answers=("Two offers", "Growth"), booked_at: datetime):
    """Book through the service as the mentee would, at `booked_at`."""
    with time_machine.travel(booked_at, tick=False):
        return booking_create(
            offering=offering,
            mentee=mentee,
            request=BookingRequest(starts_at=starts_at, outcome="A decision", prework_answers=list(answers)),
        )


def dispatch_at(moment: datetime) -> list:
    """Run the beat task once at `moment` (tasks are eager in tests) and return the mail it sent."""
    before = len(mail.outbox)
    with time_machine.travel(moment, tick=False):
        tasks.dispatch_due()
    return mail.outbox[before:]


def rows(booking) -> dict[str, Notification]:
    return {n.kind: n for n in Notification.objects.filter(booking=booking)}
