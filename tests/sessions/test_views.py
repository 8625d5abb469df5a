from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from sessions.models import Booking
from tests.factories import BookingFactory, OfferingFactory, UserFactory
from tests.sessions.helpers import BERLIN, NOW, form_data

pytestmark = pytest.mark.django_db


@time_machine.travel(NOW, tick=False)
def test_slots_are_shown_in_the_viewers_time_zone(client, offering):
    viewer = UserFactory(timezone="America/New_York")
    client.force_login(viewer)
    response = client.get(offering.get_absolute_url(), {"day": "2026-06-02"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the htmx partial only
    # 09:00 Berlin (CEST, +2) is 03:00 in New York (EDT, -4).
    assert ">03:00<" in html and ">10:30<" in html
    assert "America/New_York" in html


@time_machine.travel(NOW, tick=False)
def test_a_bad_day_in_the_url_is_answered_not_crashed(client, offering):
    for day in ["yesterday", "2026-05-01", "2027-12-31", "9999-99-99"]:
        response = client.get(offering.get_absolute_url(), {"day": day, "slot": "nonsense"})
        assert response.status_code == 200


@time_machine.travel(NOW, tick=False)
def test_booking_through_the_form_redirects_to_the_private_booking_page(client, offering, mentee):
    client.force_login(mentee)
    response = client.post(reverse("sessions:book", args=[offering.slug]), form_data())
    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == f"{booking.get_absolute_url()}?confirmed=1"
    page = client.get(booking.get_absolute_url()).content.decode()
    assert "A decision between two offers" in page and "Two offers" in page and "Confirmed" in page


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"outcome": ""}, "This field is required."),
        ({"outcome": "x" * 301}, "Ensure this value has at most 300 characters"),
        ({"prework_1": "x" * 2001}, "Ensure this value has at most 2000 characters"),
        ({"starts_at": "not-a-time"}, "Pick one of the times shown."),
        ({"starts_at": "9999-12-31T23:59:00+00:00"}, "Pick one of the times shown."),
        ({"starts_at": "2026-02-30T10:00:00+00:00"}, "Pick one of the times shown."),
        ({"starts_at": "2026-06-02T10:00:00"}, "Pick one of the times shown."),
        (
            {"starts_at": "2026-06-02T20:00:00+02:00"},
            "That slot was just taken",
        ),  # outside availability
        ({"starts_at": "2026-05-01T10:00:00+02:00"}, "That time is in the past"),
        ({"starts_at": "2026-06-02T10:05:00+02:00"}, "That slot was just taken"),  # off the grid
        ({"context_notes": "x" * 5000}, "Ensure this value has at most 4000 characters"),
    ],
)
def test_bad_booking_input_gets_a_message_and_books_nothing(
    client, offering, mentee, overrides, field_message
):
    client.force_login(mentee)
    response = client.post(reverse("sessions:book", args=[offering.slug]), form_data(**overrides))
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not Booking.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_slot_just_taken_is_explained(client, offering, mentee):
    client.force_login(UserFactory())
    client.post(reverse("sessions:book", args=[offering.slug]), form_data())
    client.force_login(mentee)
    response = client.post(reverse("sessions:book", args=[offering.slug]), form_data())
    assert response.status_code == 400
    assert "That slot was just taken. Please pick another time." in response.content.decode()
    assert Booking.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_an_unpublished_or_unknown_offering_is_not_found(client, mentee):
    client.force_login(mentee)
    hidden = OfferingFactory(is_published=False)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.post(reverse("sessions:book", args=[hidden.slug]), form_data()).status_code == 404
    assert client.post(reverse("sessions:book", args=["no-such-offering"]), form_data()).status_code == 404


def test_booking_requires_login(client, offering):
    response = client.post(reverse("sessions:book", args=[offering.slug]), form_data())
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_booking_is_visible_only_to_its_mentee_its_mentor_and_staff(client):
    booking = BookingFactory()
    urls = [
        booking.get_absolute_url(),
        reverse("sessions:booking_ics", args=[booking.pk]),
    ]
    for viewer, expected in [
        (booking.mentee, 200),
        (booking.mentor.user, 200),
        (UserFactory(is_staff=True), 200),
        (UserFactory(), 404),
    ]:
        client.force_login(viewer)
        for url in urls:
            assert client.get(url).status_code == expected, (viewer, url)
    client.logout()
    for url in urls:  # signed out (a link from an e-mail): to the login, and back after it
        response = client.get(url)
        assert (
            response.status_code == 302 and response["Location"] == f"{reverse('account_login')}?next={url}"
        )


def test_a_stranger_cannot_act_on_a_booking(client):
    booking = BookingFactory(
        starts_at=datetime(2030, 1, 1, 10, tzinfo=ZoneInfo("UTC")),
        ends_at=datetime(2030, 1, 1, 10, 30, tzinfo=ZoneInfo("UTC")),
    )
    client.force_login(UserFactory())
    for name in ["booking_cancel", "booking_close", "review", "action_item_done", "report_no_show"]:
        assert client.post(reverse(f"sessions:{name}", args=[booking.pk])).status_code == 404
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED


def test_the_ics_download_has_the_session_in_utc(client):
    start = datetime(2026, 7, 1, 8, 0, tzinfo=ZoneInfo("UTC"))
    booking = BookingFactory(starts_at=start, ends_at=start + timedelta(minutes=30))
    client.force_login(booking.mentee)
    response = client.get(reverse("sessions:booking_ics", args=[booking.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "DTSTART:20260701T080000Z" in body and "DTEND:20260701T083000Z" in body


def test_closing_with_a_bad_due_date_shows_the_message_next_to_the_field(client):
    start = datetime(2026, 6, 2, 8, 0, tzinfo=ZoneInfo("UTC"))
    booking = BookingFactory(starts_at=start, ends_at=start + timedelta(minutes=30))
    client.force_login(booking.mentor.user)
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        response = client.post(
            reverse("sessions:booking_close", args=[booking.pk]),
            {"action_item": "Send the e-mail", "due_date": "2026-05-01"},
        )
        assert response.status_code == 400
        assert "The due date cannot be before the session." in response.content.decode()
        response = client.post(
            reverse("sessions:booking_close", args=[booking.pk]),
            {"action_item": "", "due_date": "2026-06-09"},
        )
        assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED


@time_machine.travel(NOW, tick=False)
def test_reschedule_page_moves_the_booking(client, offering, mentee):
    start = datetime(2026, 6, 4, 10, 0, tzinfo=BERLIN)
    client.force_login(mentee)
    client.post(reverse("sessions:book", args=[offering.slug]), form_data(starts_at=start.isoformat()))
    booking = Booking.objects.get()
    url = reverse("sessions:booking_reschedule", args=[booking.pk])
    assert client.get(url, {"day": "2026-06-05"}).status_code == 200
    new = datetime(2026, 6, 5, 11, 0, tzinfo=BERLIN)
    response = client.post(url, {"starts_at": new.isoformat()})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.starts_at == new and booking.reschedule_count == 1


@time_machine.travel(NOW, tick=False)
def test_pre_work_can_be_left_for_later_and_finished_on_the_booking_page(client, offering, mentee):
    client.force_login(mentee)
    client.post(reverse("sessions:book", args=[offering.slug]), form_data(prework_0="", prework_1=""))
    booking = Booking.objects.get()
    assert not booking.prework_complete
    dashboard = client.get("/dashboard/").content.decode()
    assert "Pre-work still to write" in dashboard
    url = reverse("sessions:booking_prework", args=[booking.pk])
    response = client.post(url, {"outcome": "", "prework_0": "Two offers", "prework_1": "Growth"})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    client.post(url, {"outcome": "A decision", "prework_0": "Two offers", "prework_1": "Growth"})
    booking.refresh_from_db()
    assert booking.prework_complete and booking.outcome == "A decision"
    client.force_login(booking.mentor.user)
    assert client.post(url, {"outcome": "Hijack", "prework_0": "x", "prework_1": "y"}).status_code == 400
    booking.refresh_from_db()
    assert booking.outcome == "A decision"


@pytest.mark.parametrize(
    ("hours_ahead", "says"),
    [
        (48, "Free cancellation until"),
        (3, "The free cancellation window closed"),
    ],
)
def test_the_booking_page_says_whether_cancelling_still_refunds(client, hours_ahead, says):
    from django.utils import timezone

    start = timezone.now().replace(microsecond=0) + timedelta(hours=hours_ahead)
    booking = BookingFactory(
        offering=OfferingFactory(price_amount=4500, cancellation_window_hours=24), starts_at=start
    )
    client.force_login(booking.mentee)
    page = client.get(booking.get_absolute_url()).content.decode()
    assert says in page
