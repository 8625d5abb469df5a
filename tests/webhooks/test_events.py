"""Each event a mentor can choose is written with the change that raises it, sent once, and signed
so that the receiver can check it (a real POST to a local receiver)."""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from cohorts import services as cohorts_services
from sessions import services as sessions_services
from sessions.models import Booking
from sessions.services import BookingRequest
from tests.cohorts.factories import CohortEventFactory, CohortFactory, ModuleFactory
from tests.factories import MentorFactory, OfferingFactory, UserFactory
from webhooks import services
from webhooks.models import EventType, WebhookDelivery
from webhooks.signing import HEADER, verify

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 1, 6, 0, tzinfo=ZoneInfo("UTC"))  # a Monday
TUESDAY_10 = datetime(2026, 6, 2, 10, 0, tzinfo=BERLIN)


def book(offering, mentee, starts_at=TUESDAY_10):
    request = BookingRequest(
        starts_at=starts_at, outcome="A decision", prework_answers=["Two offers", "Growth"]
    )
    return sessions_services.booking_create(offering=offering, mentee=mentee, request=request)


def bodies(receiver) -> list[dict]:
    return [json.loads(r.body) for r in receiver.requests]


@time_machine.travel(NOW, tick=False)
def test_a_free_booking_sends_booking_created_once_signed_so_the_receiver_can_verify_it(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    _, secret = endpoint_with_secret
    offering = OfferingFactory(mentor=mentor, title="Job offer call")
    mentee = UserFactory(display_name="Ada Lovelace", timezone="America/New_York")
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(offering, mentee)
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.path == "/hooks/thementors"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["TheMentors-Event"] == "booking.created"
    assert verify(header=request.headers[HEADER], body=request.body, secret=secret)
    assert not verify(header=request.headers[HEADER], body=request.body, secret="whsec_wrong")
    assert not verify(header=request.headers[HEADER], body=request.body + b" ", secret=secret)
    assert not verify(
        header=request.headers[HEADER], body=request.body, secret=secret, now=NOW.timestamp() + 301
    )
    event = json.loads(request.body)
    assert event["type"] == "booking.created" and event["id"].startswith("evt_")
    assert event["created"] == "2026-06-01T06:00:00Z"
    data = event["data"]["booking"]
    assert data["id"] == str(booking.pk)
    assert data["starts_at"] == "2026-06-02T08:00:00Z" and data["ends_at"] == "2026-06-02T08:30:00Z"
    assert data["state"] == "confirmed" and data["offering"]["title"] == "Job offer call"
    assert data["mentee"] == {"name": "Ada Lovelace", "timezone": "America/New_York"}
    assert "email" not in json.dumps(event)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert delivery.last_response_code == 200 and delivery.attempts == 1
    assert delivery.delivered_at == NOW and delivery.last_response_excerpt == '{"ok": true}'


@time_machine.travel(NOW, tick=False)
def test_a_paid_booking_is_created_for_the_mentor_when_it_is_paid_not_while_it_is_held(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    offering = OfferingFactory(mentor=mentor, price_amount=4500)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(offering, UserFactory())
    assert booking.state == Booking.State.HELD and receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        sessions_services.booking_confirm_payment(booking=booking)
        sessions_services.booking_confirm_payment(booking=booking)  # a second payment event: no-op
    assert [b["type"] for b in bodies(receiver)] == ["booking.created"]
    assert bodies(receiver)[0]["data"]["booking"]["price"] == {"amount": 4500, "currency": "USD"}


@time_machine.travel(NOW, tick=False)
def test_rescheduled_cancelled_and_completed_are_each_sent_once(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    offering = OfferingFactory(mentor=mentor)
    mentee = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        moved = book(offering, mentee)
        sessions_services.booking_reschedule(
            booking=moved, by=mentee, starts_at=TUESDAY_10 + timedelta(hours=2)
        )
        sessions_services.booking_cancel(booking=moved, by=mentor.user, reason="Ill")
        done = book(offering, mentee, starts_at=TUESDAY_10 + timedelta(days=1))
    types = [b["type"] for b in bodies(receiver)]
    assert types == ["booking.created", "booking.rescheduled", "booking.cancelled", "booking.created"]
    rescheduled, cancelled = bodies(receiver)[1]["data"], bodies(receiver)[2]["data"]
    assert rescheduled["previous_starts_at"] == "2026-06-02T08:00:00Z"
    assert rescheduled["booking"]["starts_at"] == "2026-06-02T10:00:00Z"
    assert cancelled["cancelled_by"] == "mentor" and cancelled["booking"]["state"] == "cancelled_by_mentor"
    with time_machine.travel(done.ends_at + timedelta(minutes=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            sessions_services.booking_close(
                booking=done, by=mentor.user, action_item="Send the e-mail", due_date=date(2026, 6, 10)
            )
    assert [b["type"] for b in bodies(receiver)][-1] == "booking.completed"
    assert len(receiver.requests) == 5
    # Every event has its own id, the receivers' key to ignore one they have seen.
    assert len({b["id"] for b in bodies(receiver)}) == 5


@time_machine.travel(NOW, tick=False)
def test_a_hold_cancelled_before_it_was_paid_tells_the_mentor_nothing(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    mentee = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        held = book(OfferingFactory(mentor=mentor, price_amount=4500), mentee)
        sessions_services.booking_cancel(booking=held, by=mentee)
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_change_that_rolls_back_leaves_no_delivery_and_sends_nothing(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    offering = OfferingFactory(mentor=mentor)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            book(offering, UserFactory())
            assert WebhookDelivery.objects.count() == 1  # written with the booking: the outbox
            raise RuntimeError("the request failed after booking")
    assert not Booking.objects.exists()
    assert not WebhookDelivery.objects.exists() and receiver.requests == []


@time_machine.travel(NOW, tick=False)
def test_only_the_mentors_active_endpoints_that_chose_the_event_receive_it(
    mentor, receiver, django_capture_on_commit_callbacks
):
    chosen, _ = services.endpoint_create(mentor=mentor, url=receiver.url + "?a", events=["booking.created"])
    services.endpoint_create(mentor=mentor, url=receiver.url + "?b", events=["booking.cancelled"])
    services.endpoint_create(mentor=mentor, url=receiver.url + "?c", events=EventType.values, is_active=False)
    services.endpoint_create(mentor=MentorFactory(), url=receiver.url + "?d", events=EventType.values)
    with django_capture_on_commit_callbacks(execute=True):
        book(OfferingFactory(mentor=mentor), UserFactory())
    assert [r.path for r in receiver.requests] == ["/hooks/thementors?a"]
    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [chosen.pk]


def test_a_confirmed_cohort_seat_sends_cohort_enrolled_to_its_facilitator(
    receiver, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(published=True, price_amount=0, seats_min=2, seats_max=3)
    ModuleFactory(cohort=cohort, week=1)
    CohortEventFactory(cohort=cohort)
    _, secret = services.endpoint_create(
        mentor=cohort.facilitator, url=receiver.url, events=["cohort.enrolled"]
    )
    member = UserFactory(display_name="Grace")
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = cohorts_services.cohort_enroll(cohort=cohort, member=member, accept_norms=True)
    (request,) = receiver.requests
    assert verify(header=request.headers[HEADER], body=request.body, secret=secret)
    event = json.loads(request.body)
    assert event["type"] == "cohort.enrolled"
    data = event["data"]["enrollment"]
    assert data["id"] == str(enrollment.pk) and data["state"] == "active"
    assert data["member"]["name"] == "Grace" and data["cohort"]["slug"] == cohort.slug
