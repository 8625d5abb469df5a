"""My bookings with a personal token: read them, and book, cancel and reschedule through the
same services as the pages, so every rule and message of the pages applies."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import override_settings
from django.utils import timezone

from api.models import ApiToken
from billing.models import Payment
from packs import services as pack_services
from packs.models import PackPurchase
from sessions.models import Booking
from sessions.services import SLOT_TAKEN
from tests.billing.helpers import next_weekday_at
from tests.factories import BookingFactory, OfferingFactory, UserFactory
from tests.packs.helpers import pack_of

pytestmark = pytest.mark.django_db


def post(client, path, body, header):
    return client.post(path, json.dumps(body), content_type="application/json", **header)


def booking_body(slug="career-call", *, at=None, **more):
    at = at or next_weekday_at(10)
    return {"offering": slug, "starts_at": at.isoformat(), "outcome": "A decision", **more}


def test_my_bookings_are_mine_as_mentee_and_as_mentor_and_nobody_elses(client, token_of, api_mentee):
    mine = BookingFactory(mentee=api_mentee)
    as_mentor = BookingFactory()
    BookingFactory()  # someone else's
    body = client.get("/api/v1/bookings", **token_of(api_mentee)).json()
    assert [b["id"] for b in body["results"]] == [str(mine.pk)]
    assert body["results"][0]["role"] == "mentee"
    mentor_view = client.get("/api/v1/bookings", **token_of(as_mentor.mentor.user)).json()
    assert [(b["id"], b["role"]) for b in mentor_view["results"]] == [(str(as_mentor.pk), "mentor")]


def test_staff_tokens_see_their_own_bookings_only(client, token_of):
    BookingFactory()
    staff = UserFactory(is_staff=True)
    assert client.get("/api/v1/bookings", **token_of(staff)).json()["results"] == []


def test_someone_elses_booking_is_not_found(client, token_of, api_mentee):
    theirs = BookingFactory()
    header = token_of(api_mentee)
    for path in (f"/api/v1/bookings/{theirs.pk}", f"/api/v1/bookings/{theirs.pk}/cancel"):
        method = client.get if path.endswith(str(theirs.pk)) else lambda p, **h: post(client, p, {}, h)
        response = method(path, **header)
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "No such booking."
    theirs.refresh_from_db()
    assert theirs.state == Booking.State.CONFIRMED


def test_without_a_token_or_with_a_read_token_nothing_is_booked(client, token_of, api_mentee, free_offering):
    response = post(client, "/api/v1/bookings", booking_body(), {})
    assert response.status_code == 401 and "Bearer" in response.json()["error"]["message"]
    response = post(client, "/api/v1/bookings", booking_body(), token_of(api_mentee, ApiToken.Scope.READ))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not Booking.objects.exists()


def test_booking_a_free_slot_confirms_it_as_the_page_does(client, token_of, api_mentee, free_offering):
    at = next_weekday_at(10)
    body = booking_body(at=at, prework_answers=["Two offers", "Growth"], context_notes="Both remote")
    response = post(client, "/api/v1/bookings", body, token_of(api_mentee))
    assert response.status_code == 201, response.content
    booking = Booking.objects.get()
    assert booking.mentee == api_mentee and booking.starts_at == at
    assert booking.state == Booking.State.CONFIRMED and booking.price_amount == 0
    assert booking.prework_answers[1] == {"prompt": "What matters most to you?", "answer": "Growth"}
    shown = response.json()
    assert shown["id"] == str(booking.pk) and shown["state"] == "confirmed" and shown["can_cancel"]
    assert shown["url"].endswith(booking.get_absolute_url())


def test_the_same_slot_twice_is_refused_with_the_pages_message(client, token_of, api_mentee, free_offering):
    at = next_weekday_at(11)
    assert post(client, "/api/v1/bookings", booking_body(at=at), token_of(api_mentee)).status_code == 201
    second = post(client, "/api/v1/bookings", booking_body(at=at), token_of(UserFactory()))
    assert second.status_code == 409
    assert second.json() == {
        "error": {"code": "refused", "message": SLOT_TAKEN, "fields": {"starts_at": [SLOT_TAKEN]}}
    }
    assert Booking.objects.count() == 1


def test_a_time_inside_the_minimum_notice_is_refused(client, token_of, api_mentee, free_offering):
    soon = (timezone.now() + timedelta(minutes=20)).replace(second=0, microsecond=0)
    response = post(client, "/api/v1/bookings", booking_body(at=soon), token_of(api_mentee))
    assert response.status_code == 409 and response.json()["error"]["message"] == SLOT_TAKEN


def test_missing_outcome_and_unverified_address_say_what_the_page_says(client, token_of, free_offering):
    person = UserFactory()
    body = booking_body()
    body.pop("outcome")
    missing = post(client, "/api/v1/bookings", body, token_of(person))
    assert missing.status_code == 422 and "outcome" in missing.json()["error"]["fields"]
    empty = post(client, "/api/v1/bookings", booking_body(outcome=""), token_of(person))
    assert empty.json()["error"]["fields"] == {"outcome": ["This field is required."]}
    broken = client.post("/api/v1/bookings", "{not json", content_type="application/json", **token_of(person))
    assert broken.status_code == 400
    assert broken.json()["error"] == {
        "code": "bad_request",
        "message": "The body is not valid JSON.",
        "fields": {},
    }
    EmailAddress.objects.filter(user=person).update(verified=False)
    unverified = post(client, "/api/v1/bookings", booking_body(), token_of(person))
    assert unverified.status_code == 409
    assert unverified.json()["error"]["message"] == "Please verify your e-mail address before booking."


def test_a_session_paid_by_card_is_sent_to_the_site(client, token_of, api_mentee):
    paid = OfferingFactory(slug="paid-call", price_amount=4500)
    response = post(client, "/api/v1/bookings", booking_body("paid-call"), token_of(api_mentee))
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "payment_on_site"
    assert f"http://testserver{paid.get_absolute_url()}" in error["message"]
    assert not Booking.objects.exists()


def _paid_pack(mentee):
    pack = pack_of()
    with override_settings(BILLING_PROVIDER="demo", DEBUG=True):
        purchase = pack_services.pack_purchase_hold(pack=pack, mentee=mentee)
    Payment.objects.create(
        pack_purchase=purchase,
        provider=Payment.Provider.DEMO,
        amount=purchase.price_amount,
        currency=purchase.currency,
        platform_fee=0,
        state=Payment.State.PAID,
        paid_at=timezone.now(),
    )
    pack_services.pack_purchase_confirm(purchase=purchase)
    return pack


def test_a_session_of_a_pack_pays_and_confirms_at_once(client, token_of, api_mentee):
    pack = _paid_pack(api_mentee)
    body = booking_body(pack.offering.slug, use_pack=True, prework_answers=["a", "b"])
    response = post(client, "/api/v1/bookings", body, token_of(api_mentee))
    assert response.status_code == 201, response.content
    booking = Booking.objects.get()
    assert booking.state == Booking.State.CONFIRMED and booking.price_amount == 0
    assert PackPurchase.objects.get().pack_sessions.filter(booking=booking).exists()


def test_asking_for_a_credit_one_does_not_have_says_so_beside_the_choice(client, token_of, api_mentee):
    offering = OfferingFactory(slug="paid-call", price_amount=4500)
    response = post(
        client, "/api/v1/bookings", booking_body(offering.slug, use_credit=True), token_of(api_mentee)
    )
    assert response.status_code == 409
    assert list(response.json()["error"]["fields"]) == ["use_credit"]
    assert not Booking.objects.exists()


def test_cancel_and_reschedule_go_through_the_services_and_their_rules(
    client, token_of, api_mentee, free_offering
):
    header = token_of(api_mentee)
    created = post(
        client, "/api/v1/bookings", booking_body(at=next_weekday_at(10, days_ahead=5)), header
    ).json()
    path = f"/api/v1/bookings/{created['id']}"
    later = next_weekday_at(14, days_ahead=5)
    moved = post(client, f"{path}/reschedule", {"starts_at": later.isoformat()}, header)
    assert moved.status_code == 200 and moved.json()["reschedule_count"] == 1
    again = post(
        client, f"{path}/reschedule", {"starts_at": next_weekday_at(15, days_ahead=5).isoformat()}, header
    )
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "This booking has already been rescheduled once."
    cancelled = post(client, f"{path}/cancel", {"reason": "Found the answer"}, header)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled_by_mentee"
    booking = Booking.objects.get()
    assert booking.starts_at == later and booking.state == Booking.State.CANCELLED_BY_MENTEE
    assert post(client, f"{path}/cancel", {}, header).status_code == 409


def test_booking_counts_against_the_pages_booking_limit(
    client, settings, token_of, api_mentee, free_offering
):
    settings.RATELIMIT_BOOKING_PER_USER = "1/m"
    header = token_of(api_mentee)
    assert post(client, "/api/v1/bookings", booking_body(at=next_weekday_at(10)), header).status_code == 201
    refused = post(client, "/api/v1/bookings", booking_body(at=next_weekday_at(12)), header)
    assert refused.status_code == 429 and refused["Retry-After"]
    assert Booking.objects.count() == 1
