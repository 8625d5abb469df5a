"""Attempts, back-off for three days, "send again", the secret rolled, and addresses refused."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from webhooks import sending, services
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import WebhookError
from webhooks.signing import HEADER, verify

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 6, 0, tzinfo=ZoneInfo("UTC"))
DATA = {"booking": {"id": "b1"}}


def record(mentor, capture, event_type="booking.created"):
    with capture(execute=True), transaction.atomic():
        (delivery,) = services.event_record(mentor_id=mentor.pk, event_type=event_type, data=DATA)
    delivery.refresh_from_db()
    return delivery


def test_a_failing_endpoint_is_retried_with_growing_waits_and_given_up_after_three_days(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    with time_machine.travel(NOW, tick=False) as traveller:
        delivery = record(mentor, django_capture_on_commit_callbacks)
        attempts_at = [NOW]
        while delivery.state == WebhookDelivery.State.PENDING:
            traveller.move_to(delivery.next_attempt_at - timedelta(seconds=1))
            assert services.deliveries_send_due() == 0  # not due yet
            traveller.move_to(delivery.next_attempt_at)
            assert services.deliveries_send_due() == 1
            attempts_at.append(delivery.next_attempt_at)
            delivery.refresh_from_db()
        traveller.move_to(NOW + timedelta(days=4))
        assert services.deliveries_send_due() == 0
    gaps = [later - earlier for earlier, later in zip(attempts_at, attempts_at[1:], strict=False)]
    minutes = [int(gap.total_seconds() // 60) for gap in gaps]
    assert minutes[:6] == [1, 5, 30, 120, 300, 600] and set(minutes[5:]) == {600}
    assert attempts_at[-1] <= NOW + timedelta(days=3) < attempts_at[-1] + timedelta(hours=10)
    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.attempts == len(receiver.requests) == len(attempts_at) == 12
    assert delivery.last_response_code == 500 and "500" in delivery.last_error
    # Every attempt is the same event: same id, same bytes, signed afresh.
    assert len({r.body for r in receiver.requests}) == 1


def run_until_given_up(delivery, traveller, capture, receiver, *, ping_on_day=None):
    """Sweep at each planned attempt until the delivery is given up; optionally send a test event
    that the receiver takes on the given day."""
    while delivery.state == WebhookDelivery.State.PENDING:
        if ping_on_day is not None and delivery.next_attempt_at >= NOW + timedelta(days=ping_on_day):
            receiver.answers = [500] * len(receiver.requests) + [200, 500]
            with capture(execute=True):
                services.endpoint_ping(endpoint=delivery.endpoint)
            ping_on_day = None
        traveller.move_to(delivery.next_attempt_at)
        with capture(execute=True):
            services.deliveries_send_due()
        delivery.refresh_from_db()
    return delivery


def test_an_endpoint_nothing_reached_for_three_days_is_turned_off_and_its_mentor_told_once(
    client, mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks, mailoutbox
):
    endpoint, _ = endpoint_with_secret
    receiver.answers = [500]
    with time_machine.travel(NOW, tick=False) as traveller:
        first = record(mentor, django_capture_on_commit_callbacks)
        second = record(mentor, django_capture_on_commit_callbacks, event_type="booking.cancelled")
        run_until_given_up(first, traveller, django_capture_on_commit_callbacks, receiver)
        second.refresh_from_db()
        turned_off_at = first.last_attempt_at
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.turned_off_at == turned_off_at
    assert second.state == WebhookDelivery.State.FAILED
    (mail,) = mailoutbox
    assert mail.to == [mentor.user.email] and "turned off" in mail.subject
    assert (
        endpoint.url in mail.body
        and "HTTP 500" in mail.body
        and f"/mentor/webhooks/{endpoint.pk}/" in mail.body
    )
    client.force_login(mentor.user)
    assert (
        "none of its events could be delivered for three days"
        in client.get(f"/mentor/webhooks/{endpoint.pk}/").content.decode()
    )
    # Turned on again by the mentor: on, and no longer marked as turned off by us.
    services.endpoint_update(endpoint=endpoint, url=endpoint.url, events=endpoint.events, is_active=True)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.turned_off_at is None


def test_an_endpoint_that_took_an_event_in_those_three_days_stays_on(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks, mailoutbox
):
    endpoint, _ = endpoint_with_secret
    receiver.answers = [500]
    with time_machine.travel(NOW, tick=False) as traveller:
        delivery = record(mentor, django_capture_on_commit_callbacks)
        run_until_given_up(delivery, traveller, django_capture_on_commit_callbacks, receiver, ping_on_day=2)
    endpoint.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.FAILED
    assert endpoint.is_active and endpoint.turned_off_at is None and not mailoutbox


def test_an_endpoint_that_recovers_gets_the_event_on_the_next_attempt(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    receiver.answers = [503, 200]
    with time_machine.travel(NOW, tick=False) as traveller:
        delivery = record(mentor, django_capture_on_commit_callbacks)
        assert delivery.state == WebhookDelivery.State.PENDING and delivery.last_response_code == 503
        traveller.move_to(NOW + timedelta(minutes=1))
        services.deliveries_send_due()
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED and delivery.attempts == 2
    assert delivery.delivered_at == NOW + timedelta(minutes=1)


def test_send_again_sends_the_same_event_afresh_once_it_was_given_up(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    _, secret = endpoint_with_secret
    receiver.answers = [500]
    with time_machine.travel(NOW, tick=False):
        delivery = record(mentor, django_capture_on_commit_callbacks)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state=WebhookDelivery.State.FAILED)
    receiver.answers = [500, 200]
    with time_machine.travel(NOW + timedelta(days=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.delivery_resend(delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED and delivery.attempts == 2
    first, again = receiver.requests
    assert first.body == again.body and json.loads(again.body)["id"] == delivery.event_id
    sent_at = (NOW + timedelta(days=5)).timestamp()
    assert verify(header=again.headers[HEADER], body=again.body, secret=secret, now=sent_at)


def test_send_again_after_three_days_is_one_attempt(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    with time_machine.travel(NOW, tick=False):
        delivery = record(mentor, django_capture_on_commit_callbacks)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state=WebhookDelivery.State.FAILED)
    with time_machine.travel(NOW + timedelta(days=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.delivery_resend(delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.FAILED and len(receiver.requests) == 2


def test_a_redirect_is_not_followed_and_counts_as_a_failed_attempt(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    receiver.answers, receiver.location = [302], "http://169.254.169.254/latest/meta-data/"
    delivery = record(mentor, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 1
    assert delivery.state == WebhookDelivery.State.PENDING and delivery.last_response_code == 302
    assert "redirect" in delivery.last_error


def test_a_slow_endpoint_is_cut_off_and_retried(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(sending, "READ_TIMEOUT", 0.3)
    receiver.delay = 1.0
    delivery = record(mentor, django_capture_on_commit_callbacks)
    assert delivery.state == WebhookDelivery.State.PENDING and delivery.last_response_code is None
    assert "did not answer in time" in delivery.last_error


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/hook",
        "https://192.168.1.1/hook",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
    ],
)
def test_a_private_or_local_address_is_refused_when_saved(mentor, url):
    with pytest.raises(WebhookError) as error:
        services.endpoint_create(mentor=mentor, url=url, events=["booking.created"])
    assert error.value.field == "url" and "private or local network" in error.value.message
    assert not WebhookEndpoint.objects.exists()


def test_in_production_only_https_to_a_public_address_is_accepted(mentor, settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    for url, says in [
        ("http://127.0.0.1:8000/hook", "https://"),
        ("https://127.0.0.1/hook", "private or local network"),
        ("https://localhost/hook", "private or local network"),
        ("ftp://example.com/hook", "https://"),
        ("https://no-such-host.invalid/hook", "could not be found"),
    ]:
        with pytest.raises(WebhookError, match=says):
            services.endpoint_create(mentor=mentor, url=url, events=["booking.created"])


def test_an_address_that_turned_private_is_refused_when_sent_and_never_reached(
    mentor, receiver, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(
        mentor=mentor, url="https://169.254.169.254/hook", events=["booking.created"], secret="whsec_x"
    )
    delivery = record(mentor, django_capture_on_commit_callbacks)
    assert delivery.state == WebhookDelivery.State.PENDING and delivery.attempts == 1
    assert "private or local network" in delivery.last_error and delivery.last_response_code is None


def test_plain_http_outside_the_allowed_networks_is_refused_when_sent(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    delivery = record(mentor, django_capture_on_commit_callbacks)
    assert receiver.requests == [] and "https://" in delivery.last_error


def test_a_rolled_secret_signs_beside_the_old_one_for_a_day(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    endpoint, old = endpoint_with_secret
    with time_machine.travel(NOW, tick=False):
        new = services.endpoint_roll_secret(endpoint=endpoint)
        record(mentor, django_capture_on_commit_callbacks)
    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        record(mentor, django_capture_on_commit_callbacks)
    during, after = receiver.requests
    assert new != old and new.startswith("whsec_")
    assert verify(header=during.headers[HEADER], body=during.body, secret=new, now=NOW.timestamp())
    assert verify(header=during.headers[HEADER], body=during.body, secret=old, now=NOW.timestamp())
    later = (NOW + timedelta(hours=25)).timestamp()
    assert verify(header=after.headers[HEADER], body=after.body, secret=new, now=later)
    assert not verify(header=after.headers[HEADER], body=after.body, secret=old, now=later)


def test_a_test_event_reaches_the_endpoint_whatever_it_chose(
    mentor, receiver, django_capture_on_commit_callbacks
):
    endpoint, secret = services.endpoint_create(mentor=mentor, url=receiver.url, events=["cohort.enrolled"])
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_ping(endpoint=endpoint)
    (request,) = receiver.requests
    assert json.loads(request.body)["type"] == "ping"
    assert verify(header=request.headers[HEADER], body=request.body, secret=secret)


def test_a_turned_off_endpoint_gets_nothing_still_waiting(
    mentor, receiver, endpoint_with_secret, django_capture_on_commit_callbacks
):
    endpoint, _ = endpoint_with_secret
    receiver.answers = [500]
    with time_machine.travel(NOW, tick=False) as traveller:
        delivery = record(mentor, django_capture_on_commit_callbacks)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
        traveller.move_to(NOW + timedelta(minutes=1))
        services.deliveries_send_due()
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.FAILED and len(receiver.requests) == 1


def test_the_secret_is_stored_encrypted(mentor, endpoint_with_secret):
    endpoint, secret = endpoint_with_secret
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        (stored,) = cursor.fetchone()
    assert secret not in stored and WebhookEndpoint.objects.get().secret == secret
