"""Request to book, as the services see it (no card: free offerings, and paid ones held): the time
is held while the mentor decides, the answer or the lapse frees or confirms it, and each side is
told once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from sessions import services
from sessions.models import Booking, BookingApproval
from sessions.selectors import mentor_free_slots
from sessions.services import BookingError, BookingRequest
from tests.factories import OfferingFactory, UserFactory

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 1, 6, 0, tzinfo=ZoneInfo("UTC"))  # a Monday
TUESDAY_10 = datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN)  # 26 hours ahead
NEXT_TUESDAY_10 = datetime(2026, 6, 9, 10, 0, tzinfo=BERLIN)  # a week ahead
State = Booking.State

pytestmark = pytest.mark.django_db


def ask(offering, mentee=None, starts_at=NEXT_TUESDAY_10, **options):
    return services.booking_create(
        offering=offering,
        mentee=mentee or UserFactory(),
        request=BookingRequest(
            starts_at=starts_at, outcome="A decision between two offers", prework_answers=["Two", "Growth"]
        ),
        **options,
    )


@pytest.fixture
def free_request_offering(db):
    return OfferingFactory(requires_approval=True)


def subjects():
    return [(m.to[0], m.subject) for m in mail.outbox]


@time_machine.travel(NOW, tick=False)
def test_a_free_request_holds_the_time_and_asks_the_mentor_with_48_hours_to_answer(
    free_request_offering, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = ask(free_request_offering)

    assert booking.state == State.REQUESTED
    assert booking.approval.requested_at == NOW
    assert booking.approval.answer_by == NOW + timedelta(hours=48)
    mentor = free_request_offering.mentor
    assert subjects() == [(mentor.user.email, f"New request to book: {free_request_offering.title}")]
    assert "accept or decline by" in mail.outbox[0].body
    free = mentor_free_slots(
        mentor=mentor,
        duration=timedelta(minutes=30),
        start=NEXT_TUESDAY_10,
        end=NEXT_TUESDAY_10 + timedelta(hours=1),
        now=NOW,
    )
    assert NEXT_TUESDAY_10 not in free
    with pytest.raises(BookingError, match="just taken"):
        ask(free_request_offering)


@time_machine.travel(NOW, tick=False)
def test_a_request_for_a_session_sooner_than_48_hours_must_be_answered_before_it_starts(
    free_request_offering,
):
    booking = ask(free_request_offering, starts_at=TUESDAY_10)
    assert booking.approval.answer_by == TUESDAY_10


@time_machine.travel(NOW, tick=False)
def test_the_mentor_accepts_and_the_booking_is_confirmed_with_the_usual_confirmation(
    free_request_offering, django_capture_on_commit_callbacks
):
    booking = ask(free_request_offering)
    mail.outbox.clear()
    mentor = free_request_offering.mentor.user

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_request_accept(booking=booking, by=mentor, message="See you then!")

    booking.refresh_from_db()
    assert booking.state == State.CONFIRMED
    assert booking.approval.decision == BookingApproval.Decision.ACCEPTED
    title = free_request_offering.title
    assert sorted(subjects()) == sorted(
        [
            (booking.mentee.email, f"Booked: {title}"),
            (mentor.email, f"Booked: {title}"),
            (booking.mentee.email, f"Accepted: {title}"),
        ]
    )
    accepted = next(m for m in mail.outbox if m.subject.startswith("Accepted"))
    assert "See you then!" in accepted.body
    assert any(a[0] == "session.ics" for m in mail.outbox for a in m.attachments)
    with pytest.raises(BookingError, match="no longer waiting"):
        services.booking_request_decline(booking=booking, by=mentor)


@time_machine.travel(NOW, tick=False)
def test_the_mentor_declines_with_a_message_and_the_time_is_free_again(
    free_request_offering, django_capture_on_commit_callbacks
):
    booking = ask(free_request_offering)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_request_decline(
            booking=booking, by=free_request_offering.mentor.user, message="Fully booked that week, sorry"
        )

    booking.refresh_from_db()
    assert booking.state == State.DECLINED
    assert subjects() == [(booking.mentee.email, f"Declined: {free_request_offering.title}")]
    assert "Fully booked that week, sorry" in mail.outbox[0].body
    assert ask(free_request_offering).state == State.REQUESTED  # the same time, asked again


@time_machine.travel(NOW, tick=False)
def test_only_the_mentor_answers_and_only_the_mentee_withdraws(free_request_offering):
    booking = ask(free_request_offering)
    for someone in (booking.mentee, UserFactory()):
        with pytest.raises(BookingError, match="Only the mentor"):
            services.booking_request_accept(booking=booking, by=someone)
        with pytest.raises(BookingError, match="Only the mentor"):
            services.booking_request_decline(booking=booking, by=someone)
    with pytest.raises(BookingError, match="Only the mentee"):
        services.booking_request_withdraw(booking=booking, by=free_request_offering.mentor.user)

    services.booking_request_withdraw(booking=booking, by=booking.mentee)

    booking.refresh_from_db()
    assert booking.state == State.CANCELLED_BY_MENTEE
    assert booking.approval.decision == BookingApproval.Decision.WITHDRAWN


def test_an_unanswered_request_is_reminded_once_a_day_before_then_lapses_and_both_are_told(
    free_request_offering, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        booking = ask(free_request_offering)
    mail.outbox.clear()

    with time_machine.travel(NOW + timedelta(hours=12), tick=False):
        assert services.booking_requests_remind() == 0
    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.booking_requests_remind() == 1
            assert services.booking_requests_remind() == 0
            assert services.booking_requests_lapse_due() == 0
    assert [s for _, s in subjects()] == [
        f"Reminder: a request to book waits for your answer ({free_request_offering.title})"
    ]
    mail.outbox.clear()

    with time_machine.travel(NOW + timedelta(hours=48), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.booking_requests_lapse_due() == 1
            assert services.booking_requests_lapse_due() == 0  # idempotent
        with pytest.raises(BookingError, match="no longer waiting"):
            services.booking_request_accept(booking=booking, by=free_request_offering.mentor.user)

    booking.refresh_from_db()
    assert booking.state == State.LAPSED
    assert booking.approval.decision == BookingApproval.Decision.LAPSED
    assert sorted(subjects()) == sorted(
        [
            (booking.mentee.email, f"Request lapsed: {free_request_offering.title}"),
            (free_request_offering.mentor.user.email, f"Request lapsed: {free_request_offering.title}"),
        ]
    )


def test_a_request_past_its_answer_time_cannot_be_accepted_even_before_the_sweep(free_request_offering):
    with time_machine.travel(NOW, tick=False):
        booking = ask(free_request_offering)
    with time_machine.travel(NOW + timedelta(hours=49), tick=False):
        with pytest.raises(BookingError, match="lapsed"):
            services.booking_request_accept(booking=booking, by=free_request_offering.mentor.user)


@time_machine.travel(NOW, tick=False)
def test_a_paid_request_is_held_while_the_card_is_authorised_and_sent_only_then():
    offering = OfferingFactory(requires_approval=True, price_amount=4500)
    booking = ask(offering)
    assert booking.state == State.HELD
    assert booking.approval.requested_at is None

    services.booking_request_authorised(booking=booking)
    services.booking_request_authorised(booking=booking)  # a replay

    booking.refresh_from_db()
    assert booking.state == State.REQUESTED
    assert booking.hold_expires_at is None
    assert booking.approval.answer_by == NOW + timedelta(hours=48)
    assert booking.events.filter(to_state=State.REQUESTED).count() == 1


@time_machine.travel(NOW, tick=False)
def test_credits_packs_and_codes_are_refused_for_a_request_with_a_clear_message():
    offering = OfferingFactory(requires_approval=True, price_amount=4500)
    with pytest.raises(BookingError, match="cannot be held for a request") as refused:
        ask(offering, use_credit=True)
    assert refused.value.field == "use_credit"
    with pytest.raises(BookingError, match="cannot be held for a request"):
        ask(offering, use_pack=True)
    with pytest.raises(BookingError, match="Promotion codes cannot be used with a request") as refused:
        ask(offering, code="WELCOME10")
    assert refused.value.field == "code"
    assert not Booking.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_staff_cancelling_a_waiting_request_releases_it_without_a_refund(free_request_offering):
    booking = ask(free_request_offering)
    services.booking_cancel_by_staff(booking=booking, by=None, reason="Mentor suspended")
    booking.refresh_from_db()
    assert booking.state == State.CANCELLED_BY_MENTOR


def test_the_insight_counts_answers_by_month_with_the_median_time_to_answer(free_request_offering):
    from sessions.request_stats import request_outcomes_by_month

    mentor = free_request_offering.mentor.user
    with time_machine.travel(NOW, tick=False):
        accepted, declined, lapsed = (
            ask(free_request_offering, starts_at=NEXT_TUESDAY_10 + timedelta(hours=h)) for h in (0, 1, 2)
        )
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        services.booking_request_accept(booking=accepted, by=mentor)
    with time_machine.travel(NOW + timedelta(hours=6), tick=False):
        services.booking_request_decline(booking=declined, by=mentor)
    with time_machine.travel(NOW + timedelta(hours=48), tick=False):
        services.booking_requests_lapse_due()

    (row,) = request_outcomes_by_month()
    assert row == {
        "month": "2026-06",
        "requests": 3,
        "accepted": 1,
        "declined": 1,
        "lapsed": 1,
        "withdrawn": 0,
        "decided": 3,
        "rate": 33.3,
        "median_hours": 4.0,
    }
    assert request_outcomes_by_month(mentor=OfferingFactory().mentor) == []
    # The staff page gives the rate its interval: 1 of 3 decided, Wilson: centre =
    # (.333333 + .640243) / 2.280486 = .426914, half = 1.96 · √(.074074 + .106707) / 2.280486
    # = .365431, so 6.1 % to 79.2 %, and too few (3 < 10) to draw a point.
    from dashboard.insights import figure_rows

    (shown,) = figure_rows("requests")
    assert (shown["low"], shown["high"], shown["too_few"]) == (6.1, 79.2, True)


@time_machine.travel(NOW, tick=False)
def test_the_booking_form_sends_a_free_request_and_the_mentor_answers_on_the_booking_page(
    client, free_request_offering
):
    from django.urls import reverse

    mentee = UserFactory()
    client.force_login(mentee)
    page = client.get(free_request_offering.get_absolute_url()).content.decode()
    assert "the mentor replies within 48 h" in page
    response = client.post(
        reverse("sessions:book", args=[free_request_offering.slug]),
        {
            "starts_at": NEXT_TUESDAY_10.isoformat(),
            "outcome": "A decision",
            "prework_0": "a",
            "prework_1": "b",
        },
    )
    booking = Booking.objects.get()
    assert response["Location"] == booking.get_absolute_url()
    assert booking.state == State.REQUESTED
    assert client.post(reverse("sessions:request_accept", args=[booking.pk])).status_code == 302
    assert Booking.objects.get().state == State.REQUESTED  # the mentee cannot accept

    client.force_login(free_request_offering.mentor.user)
    page = client.get(booking.get_absolute_url()).content.decode()
    assert 'id="request-answer"' in page and "Cancel booking" not in page
    too_long = client.post(reverse("sessions:request_decline", args=[booking.pk]), {"message": "x" * 301})
    assert too_long.status_code == 400
    assert Booking.objects.get().state == State.REQUESTED
    client.post(reverse("sessions:request_accept", args=[booking.pk]), {"message": "See you"})
    assert Booking.objects.get().state == State.CONFIRMED
    listing = client.get(reverse("mentors:mentor_requests")).content.decode()
    assert "Accepted" in listing
    title = listing[listing.index("<title>") : listing.index("</title>")]
    assert "<" not in title[len("<title>") :]  # the page's title is words only
    assert listing.index("<h1>") < listing.index('id="request-insights"')  # the figures are on the page
