"""Bookings and offerings keep their change history, and staff read it (never restore it) in the admin."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from sessions import services
from sessions.models import Booking
from sessions.services import BookingRequest
from tests.factories import BookingFactory, OfferingFactory, UserFactory
from tests.support import offering_admin_form

NOW = datetime(2026, 6, 1, 6, 0, tzinfo=ZoneInfo("UTC"))  # a Monday
TUESDAY_10_BERLIN = datetime(2026, 6, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))

pytestmark = pytest.mark.django_db


@time_machine.travel(NOW, tick=False)
def test_a_booking_held_then_confirmed_then_cancelled_leaves_those_versions_in_order(mentee):
    offering = OfferingFactory(price_amount=4500)
    booking = services.booking_create(
        offering=offering,
        mentee=mentee,
        request=BookingRequest(
            starts_at=TUESDAY_10_BERLIN, outcome="A decision", prework_answers=["Two offers", "Growth"]
        ),
    )
    services.booking_update_prework(
        booking=booking, by=mentee, outcome="A clear decision", prework_answers=["Three offers", "Pay"]
    )
    services.booking_confirm_payment(booking=booking)
    services.booking_cancel(booking=booking, by=mentee, reason="Got the job")

    versions = list(booking.history.order_by("history_date", "history_id"))
    assert [(v.history_type, v.state) for v in versions] == [
        ("+", Booking.State.HELD),
        ("~", Booking.State.CONFIRMED),
        ("~", Booking.State.CANCELLED_BY_MENTEE),
    ]
    assert [v.history_change_reason for v in versions] == [None, "payment received", "Got the job"]
    assert versions[0].hold_expires_at is not None and versions[1].hold_expires_at is None
    # The pre-work is the mentee's own: neither copied nor a version of its own.
    assert not hasattr(versions[0], "context_notes") and not hasattr(versions[0], "prework_answers")


def test_a_booking_made_on_the_site_names_the_mentee_who_made_it(client, mentee):
    offering = OfferingFactory()
    with time_machine.travel(NOW, tick=False):
        client.force_login(mentee)
        response = client.post(
            reverse("sessions:book", args=[offering.slug]),
            {
                "starts_at": TUESDAY_10_BERLIN.isoformat(),
                "outcome": "A decision",
                "prework_0": "Two offers",
                "prework_1": "Growth",
            },
        )
    assert response.status_code == 302
    created = Booking.objects.get().history.get()
    assert (created.history_type, created.state, created.history_user) == ("+", "confirmed", mentee)


def test_a_staff_change_to_an_offering_is_recorded_with_the_staff_member(admin_client, admin_user):
    offering = OfferingFactory(title="Should I take this job offer?")
    url = reverse("admin:mentoring_offering_change", args=[offering.pk])
    response = admin_client.post(url, offering_admin_form(offering, title="Which of two offers?"))
    assert response.status_code == 302
    latest = offering.history.latest()
    assert (latest.history_type, latest.title, latest.history_user) == (
        "~",
        "Which of two offers?",
        admin_user,
    )
    diff = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in diff.changes] == [
        ("title", "Should I take this job offer?", "Which of two offers?")
    ]


def test_taking_offerings_down_in_the_admin_is_recorded_with_the_staff_member(admin_client, admin_user):
    offering = OfferingFactory()
    admin_client.post(
        reverse("admin:mentoring_offering_changelist"),
        {"action": "take_down", "_selected_action": [offering.pk], "note": "Misleading title"},
    )
    latest = offering.history.latest()
    assert (latest.is_published, latest.history_user, latest.history_change_reason) == (
        False,
        admin_user,
        "taken down by staff: Misleading title",
    )


@pytest.fixture
def booking_with_history(mentee):
    booking = BookingFactory(mentee=mentee, state=Booking.State.HELD)
    booking.state = Booking.State.CONFIRMED
    booking.save(update_fields=["state"])
    return booking


def test_staff_see_a_bookings_history_in_the_admin(admin_client, booking_with_history):
    booking = booking_with_history
    change = admin_client.get(reverse("admin:mentoring_booking_change", args=[booking.pk]))
    history_url = reverse("admin:mentoring_booking_history", args=[booking.pk])
    assert history_url in change.content.decode()
    page = admin_client.get(history_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Held while paying" in text and "Confirmed" in text and "Revert" not in text
    # A past version can be looked at, never restored.
    version = booking.history.earliest()
    version_url = reverse("admin:mentoring_booking_simple_history", args=[booking.pk, version.history_id])
    assert admin_client.get(version_url).status_code == 200
    assert admin_client.post(version_url, {"state": "held"}).status_code == 403
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED and booking.history.count() == 2


def test_a_past_offering_version_cannot_be_restored_by_staff(admin_client):
    offering = OfferingFactory(title="Old title")
    offering.title = "New title"
    offering.save()
    version = offering.history.earliest()
    url = reverse("admin:mentoring_offering_simple_history", args=[offering.pk, version.history_id])
    assert admin_client.post(url, offering_admin_form(offering, title="Old title")).status_code == 403
    offering.refresh_from_db()
    assert offering.title == "New title"


def test_people_who_are_not_staff_cannot_see_the_history(client, booking_with_history):
    history_url = reverse("admin:mentoring_booking_history", args=[booking_with_history.pk])
    assert client.get(history_url)["Location"].startswith(reverse("admin:login"))
    client.force_login(booking_with_history.mentee)
    response = client.get(history_url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    staff_without_rights = UserFactory(is_staff=True)
    client.force_login(staff_without_rights)
    assert client.get(history_url).status_code == 403
