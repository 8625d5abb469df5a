"""What a person may do with a booking is decided once: the booking page's buttons and the
services give the same answer, with the same words, for every state, moment and person."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from sessions import policy, services
from sessions.models import Booking
from tests.factories import BookingFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 10, 9, 0, tzinfo=ZoneInfo("UTC"))
END = START + timedelta(minutes=30)
MOMENTS = {
    "two days before": START - timedelta(days=2),
    "inside the cancellation window": START - timedelta(hours=1),
    "during the session": START + timedelta(minutes=15),
    "an hour after the end": END + timedelta(hours=1),
    "two days after the end": END + timedelta(days=2),
}
STATES = [
    Booking.State.HELD,
    Booking.State.CONFIRMED,
    Booking.State.COMPLETED,
    Booking.State.CANCELLED_BY_MENTEE,
    Booking.State.NO_SHOW_MENTEE,
]
PAST = "That time is in the past. Please pick a slot ahead."


class _Undo(Exception):
    pass


def service_answer(booking: Booking, action: str, by) -> str:
    """Run the service and undo it: "" when it went through, else the refusal's words."""
    calls = {
        "cancel": lambda: services.booking_cancel(booking=booking, by=by),
        # A time in the past: refused by the rules first, and by the time only when allowed.
        "reschedule": lambda: services.booking_reschedule(
            booking=booking, by=by, starts_at=START - timedelta(days=9)
        ),
        "edit_prework": lambda: services.booking_update_prework(
            booking=booking, by=by, outcome="A plan", prework_answers=["Two offers"]
        ),
        "close": lambda: services.booking_close(
            booking=booking, by=by, action_item="Send the answer", due_date=date(2026, 7, 1)
        ),
        "report_no_show": lambda: services.booking_report_no_show(booking=booking, by=by),
    }
    try:
        with transaction.atomic():
            calls[action]()
            raise _Undo
    except _Undo:
        return ""
    except services.BookingError as error:
        return "" if error.message == PAST else error.message


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("state", STATES)
def test_the_booking_page_offers_exactly_what_the_services_allow(client, state, moment):
    booking = BookingFactory(
        starts_at=START,
        ends_at=END,
        state=state,
        hold_expires_at=START if state == Booking.State.HELD else None,
    )
    people = {"mentee": booking.mentee, "mentor": booking.mentor.user, "someone else": UserFactory()}
    with time_machine.travel(MOMENTS[moment], tick=False):
        for who, person in people.items():
            if who != "someone else":
                client.force_login(person)
                page = client.get(booking.get_absolute_url()).context
                buttons = {
                    "cancel": page["can_cancel"],
                    "reschedule": page["can_reschedule"],
                    "edit_prework": page["can_edit_prework"],
                    "close": page["can_close"],
                    "report_no_show": page["can_report"],
                }
            verdicts = {
                "cancel": policy.may_cancel(booking, by=person, now=MOMENTS[moment]),
                "reschedule": policy.may_reschedule(booking, by=person, now=MOMENTS[moment]),
                "edit_prework": policy.may_edit_prework(booking, by=person, now=MOMENTS[moment]),
                "close": policy.may_close(booking, by=person, now=MOMENTS[moment]),
                "report_no_show": policy.may_report_no_show(booking, by=person, now=MOMENTS[moment]),
            }
            for action, verdict in verdicts.items():
                said = service_answer(booking, action, person)
                assert said == verdict.reason, (who, action)
                if who != "someone else":
                    assert buttons[action] == verdict.allowed, (who, action)
