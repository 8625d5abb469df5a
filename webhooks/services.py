"""Every write of outgoing webhooks: a mentor's endpoints, and each delivery's attempts.

Deliveries are an outbox: `event_record` writes one row per subscribed endpoint inside the
transaction of the change it tells (a rolled-back booking sends nothing), and asks for a send
after the commit; the beat sweep (`deliveries_send_due`) picks up whatever is due, retries
included, so a broker outage only delays. `delivery_attempt` claims the row with one conditional
UPDATE before it sends, so two workers never send one delivery at the same time.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from core.errors import DomainError
from mentors.models import MentorProfile

from . import sending, signing, tasks
from .models import PING, EventType, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

# Wait after the 1st, 2nd… failed attempt; then every 10 hours, until RETRY_FOR after the event.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
RETRY_FOR = timedelta(days=3)
# How long a worker owns a delivery it is sending: longer than one attempt can take.
CLAIM_FOR = timedelta(seconds=60)
# After "roll secret", the old secret still signs for this long (a second v1), as at Stripe.
PREVIOUS_SECRET_VALID = timedelta(hours=24)
SWEEP_BATCH = 200
MAX_ENDPOINTS = 10


class WebhookError(DomainError):
    pass


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _clean(*, url: str, events: list[str], description: str) -> tuple[str, list[str], str]:
    url = url.strip()
    try:
        sending.check_url(url)
    except sending.EndpointRefused as error:
        raise WebhookError(str(error), field="url") from error
    known = set(EventType.values)
    chosen = [event for event in EventType.values if event in set(events)]
    if not chosen or set(events) - known:
        raise WebhookError(_("Choose at least one event to send."), field="events")
    return url, chosen, description.strip()[:120]


def endpoint_create(
    *, mentor: MentorProfile, url: str, events: list[str], description: str = "", is_active: bool = True
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (returned here, shown to the mentor once)."""
    url, events, description = _clean(url=url, events=events, description=description)
    with transaction.atomic():
        MentorProfile.objects.select_for_update().filter(pk=mentor.pk).first()
        if WebhookEndpoint.objects.filter(mentor=mentor).count() >= MAX_ENDPOINTS:
            raise WebhookError(
                _("You can have up to %(count)s endpoints; delete one first.") % {"count": MAX_ENDPOINTS}
            )
        secret = new_secret()
        endpoint = WebhookEndpoint.objects.create(
            mentor=mentor, url=url, events=events, description=description, is_active=is_active, secret=secret
        )
    return endpoint, secret


def endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events: list[str], description: str = "", is_active: bool = True
) -> WebhookEndpoint:
    url, events, description = _clean(url=url, events=events, description=description)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.url, endpoint.events, endpoint.description = url, events, description
        endpoint.is_active = is_active
        endpoint.turned_off_at = None  # on again, or off by the mentor's own hand
        endpoint.save(update_fields=["url", "events", "description", "is_active", "turned_off_at"])
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Gone with its delivery log; what was still pending is never sent."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


def endpoint_roll_secret(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> str:
    """A new secret (returned, shown once); the old one keeps signing for PREVIOUS_SECRET_VALID so
    the mentor can update their receiver without losing events."""
    now = now or timezone.now()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = now + PREVIOUS_SECRET_VALID
        endpoint.secret = new_secret()
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint.secret


def signing_secrets(endpoint: WebhookEndpoint, *, now: datetime) -> list[str]:
    keys = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_expires_at
        and now < endpoint.previous_secret_expires_at
    ):
        keys.append(endpoint.previous_secret)
    return keys


def _payload(*, event_id: str, event_type: str, data: dict, now: datetime) -> dict:
    return {
        "id": event_id,
        "type": event_type,
        "created": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": data,
    }


def _send_after_commit(ids: list) -> None:
    def send() -> None:
        for pk in ids:
            try:
                tasks.send_delivery.delay(str(pk))
            except OperationalError:  # the broker is away: the sweep sends it within a minute
                logger.warning("broker unreachable: webhook delivery %s left for the sweep", pk)
                return

    transaction.on_commit(send)


def event_record(
    *, mentor_id: int, event_type: str, data: dict, now: datetime | None = None
) -> list[WebhookDelivery]:
    """One delivery of the event per active endpoint of the mentor that chose it, written in the
    caller's transaction (the outbox), sent after its commit. All share the event's id."""
    now = now or timezone.now()
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(mentor_id=mentor_id, is_active=True)
        if event_type in e.events
    ]
    if not endpoints:
        return []
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = _payload(event_id=event_id, event_type=event_type, data=data, now=now)
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event_type=event_type,
                event_id=event_id,
                payload=payload,
                next_attempt_at=now,
                give_up_at=now + RETRY_FOR,
                created_at=now,
            )
            for endpoint in endpoints
        ]
    )
    _send_after_commit([d.pk for d in deliveries])
    return deliveries


def endpoint_ping(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> WebhookDelivery:
    """A test event ("ping") sent to this endpoint once, now, whatever events it chose."""
    now = now or timezone.now()
    event_id = f"evt_{uuid.uuid4().hex}"
    data = {"endpoint": {"id": endpoint.pk, "url": endpoint.url}, "message": "A test event from TheMentors."}
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_type=PING,
            event_id=event_id,
            payload=_payload(event_id=event_id, event_type=PING, data=data, now=now),
            next_attempt_at=now,
            give_up_at=now,
            created_at=now,
        )
        _send_after_commit([delivery.pk])
    return delivery


def delivery_resend(*, delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """ "Send again": the same event (same id and body), attempted afresh now. Within the first
    three days a failure is retried as before; after them it is this one attempt."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.claimed_until and delivery.claimed_until > now:
            raise WebhookError(_("This event is being sent right now."))
        delivery.state = WebhookDelivery.State.PENDING
        delivery.next_attempt_at = now
        delivery.give_up_at = max(delivery.give_up_at, now)
        delivery.save(update_fields=["state", "next_attempt_at", "give_up_at"])
        _send_after_commit([delivery.pk])
    return delivery


def _claim(delivery_id, *, now: datetime) -> bool:
    """Own the delivery for CLAIM_FOR if it is due and nobody else owns it (one UPDATE: on
    PostgreSQL a second worker waits for the first's row and then finds it claimed)."""
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(claimed_until=now + CLAIM_FOR, attempts=F("attempts") + 1, last_attempt_at=now)
    )


def retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def delivery_attempt(*, delivery_id, now: datetime | None = None) -> WebhookDelivery | None:
    """Send the delivery if it is due and unclaimed; record the answer and plan the next attempt
    (or give up). None when there was nothing to do (sent, not due, or another worker has it)."""
    now = now or timezone.now()
    if not _claim(delivery_id, now=now):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        answer = sending.Answer(status=None, error=_("The endpoint is turned off."))
    else:
        body = signing.body_bytes(delivery.payload)
        sent_at = int(timezone.now().timestamp())
        headers = {
            signing.HEADER: signing.signature_header(
                secrets=signing_secrets(endpoint, now=now), timestamp=sent_at, body=body
            ),
            "TheMentors-Event": delivery.event_type,
            "TheMentors-Delivery": str(delivery.pk),
        }
        answer = sending.post(endpoint.url, body=body, headers=headers)
    fields = {
        "claimed_until": None,
        "last_response_code": answer.status,
        "last_response_excerpt": answer.excerpt,
        "last_error": answer.error[:300],
    }
    if answer.ok:
        fields |= {"state": WebhookDelivery.State.DELIVERED, "delivered_at": now}
    else:
        retry_at = now + retry_delay(delivery.attempts)
        if retry_at > delivery.give_up_at or not endpoint.is_active:
            fields |= {"state": WebhookDelivery.State.FAILED}
        else:
            fields |= {"next_attempt_at": retry_at}
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    delivery.refresh_from_db()
    if delivery.state == WebhookDelivery.State.FAILED and endpoint.is_active:
        _turn_off_if_unreachable(delivery, now=now)
    return delivery


def _turn_off_if_unreachable(delivery: WebhookDelivery, *, now: datetime) -> None:
    """An endpoint that took none of its events while one was retried for its three days is
    turned off, and its mentor told once (as Stripe does with a failing endpoint): it is theirs
    to fix and turn on again."""
    if delivery.give_up_at - delivery.created_at < RETRY_FOR:
        return  # a test event (one attempt), not retried
    endpoint_id = delivery.endpoint_id
    if WebhookDelivery.objects.filter(
        endpoint_id=endpoint_id, delivered_at__gte=delivery.created_at
    ).exists():
        return  # other events got through meanwhile: this one is the receiver's to explain
    with transaction.atomic():
        if WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True).update(
            is_active=False, turned_off_at=now
        ):
            tasks.send_endpoint_turned_off.delay_on_commit(endpoint_id)


def deliveries_send_due(*, now: datetime | None = None) -> int:
    """The sweep (beat, every minute): queue each due, unclaimed delivery (the claim makes a
    delivery queued twice harmless). How many were queued."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in due:
        tasks.send_delivery.delay(str(pk))
    return len(due)
