"""The mentor's webhooks pages: their own endpoints only, the secret shown once, the delivery log
in their time zone, "Send again", and a refused address explained next to its field."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories import MentorFactory, UserFactory
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 6, 0, tzinfo=ZoneInfo("UTC"))


def test_a_mentor_adds_an_endpoint_and_sees_its_secret_once(client, mentor, receiver):
    client.force_login(mentor.user)
    response = client.post(
        reverse("webhooks:new"),
        {
            "url": receiver.url,
            "description": "CRM",
            "events": ["booking.created", "cohort.enrolled"],
            "is_active": "on",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "webhooks:endpoint", args=[endpoint.pk]
    )
    assert endpoint.events == ["booking.created", "cohort.enrolled"] and endpoint.mentor == mentor
    first = client.get(response["Location"])
    assert endpoint.secret in first.content.decode()
    again = client.get(response["Location"])
    assert endpoint.secret not in again.content.decode()
    assert "CRM" in client.get(reverse("webhooks:list")).content.decode()


def test_a_private_address_is_refused_with_the_reason_next_to_the_field(client, mentor):
    client.force_login(mentor.user)
    response = client.post(
        reverse("webhooks:new"), {"url": "https://169.254.169.254/latest/", "events": ["booking.created"]}
    )
    assert response.status_code == 400
    assert "private or local network" in " ".join(response.context["form"].errors["url"])
    assert not WebhookEndpoint.objects.exists()


def test_no_event_chosen_is_refused(client, mentor, receiver):
    client.force_login(mentor.user)
    response = client.post(reverse("webhooks:new"), {"url": receiver.url})
    assert response.status_code == 400 and response.context["form"].errors["events"]


def test_someone_elses_endpoints_and_deliveries_are_not_found(client, mentor, endpoint_with_secret):
    endpoint, _ = endpoint_with_secret
    (delivery,) = services.event_record(mentor_id=mentor.pk, event_type="booking.created", data={})
    other = MentorFactory()
    client.force_login(other.user)
    assert client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).status_code == 404
    assert client.get(reverse("webhooks:edit", args=[endpoint.pk])).status_code == 404
    url = reverse("webhooks:endpoint", args=[endpoint.pk])
    assert client.post(url, {"section": "delete"}).status_code == 404
    # Their own endpoint's page cannot send another mentor's delivery again either.
    own, _ = services.endpoint_create(mentor=other, url=endpoint.url, events=["booking.created"])
    response = client.post(
        reverse("webhooks:endpoint", args=[own.pk]), {"section": "resend", "delivery": str(delivery.pk)}
    )
    assert response.status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    client.force_login(UserFactory())  # not a mentor
    assert client.get(reverse("webhooks:list")).status_code == 404
    client.logout()
    assert client.get(reverse("webhooks:list")).status_code == 302


def test_the_log_shows_each_event_in_the_viewers_zone_and_sends_one_again(
    client, mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    endpoint, _ = endpoint_with_secret
    receiver.answers = [500, 200]
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        (delivery,) = services.event_record(mentor_id=mentor.pk, event_type="booking.created", data={})
    client.force_login(mentor.user)  # in Berlin: 06:00 UTC is 08:00 there
    page = client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).content.decode()
    assert "booking.created" in page and "500" in page and "08:00" in page and "Send again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("webhooks:endpoint", args=[endpoint.pk]),
            {"section": "resend", "delivery": str(delivery.pk)},
        )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED and len(receiver.requests) == 2


def test_edit_ping_roll_and_delete_from_the_endpoint_page(
    client, mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    endpoint, old = endpoint_with_secret
    client.force_login(mentor.user)
    url = reverse("webhooks:endpoint", args=[endpoint.pk])
    response = client.post(
        reverse("webhooks:edit", args=[endpoint.pk]), {"url": receiver.url, "events": ["booking.cancelled"]}
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["booking.cancelled"] and not endpoint.is_active
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"section": "ping"})
    assert WebhookDelivery.objects.get().event_type == "ping"
    client.post(url, {"section": "roll"})
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in client.get(url).content.decode()
    assert client.post(url, {"section": "resend", "delivery": "not-a-uuid"}).status_code == 404
    assert client.post(url, {"section": "delete"}).status_code == 302
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
