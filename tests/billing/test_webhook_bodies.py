"""Correctly signed bodies that are not events we can store: refused with 400, nothing stored.

Only Stripe (or whoever holds the secret) can sign, so these are bugs or a leaked secret, not
Stripe's ordinary traffic; either way the endpoint answers 400 rather than failing with a 500,
and no half-event is left in the table for the worker to trip on.
"""

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from billing.models import WebhookEvent
from tests.billing.helpers import CONNECT_SECRET, PLATFORM_SECRET

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("/billing/stripe/webhook/", PLATFORM_SECRET),
    ("/billing/stripe/connect-webhook/", CONNECT_SECRET),
]


def signed_post(path: str, secret: str, body: bytes, *, timestamp: int | None = None):
    """POST the exact bytes with Stripe's signature over them (also bytes that are not UTF-8)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return Client().post(
        path, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={digest}"
    )


def event(**fields) -> dict:
    return {
        "id": "evt_1Body",
        "object": "event",
        "type": "charge.dispute.created",
        "data": {"object": {"id": "dp_1", "object": "dispute"}},
        **fields,
    }


def without(key: str) -> dict:
    body = event()
    del body[key]
    return body


MALFORMED = {
    "an array": b"[]",
    "an array of events": json.dumps([event()]).encode(),
    "a number": b"42",
    "a string": b'"evt_1Body"',
    "null": b"null",
    "true": b"true",
    "empty": b"",
    "not UTF-8": json.dumps(event()).encode().replace(b'"dp_1"', b'"dp_\xff\xfe"'),
    "an id longer than the column": json.dumps(event(id="evt_" + "x" * 252)).encode(),
    "a type longer than the column": json.dumps(event(type="charge." + "x" * 94)).encode(),
    "an empty id": json.dumps(event(id="")).encode(),
    "no id": json.dumps(without("id")).encode(),
    "no type": json.dumps(without("type")).encode(),
    "a number for the id": json.dumps(event(id=12345)).encode(),
    "null for the id": json.dumps(event(id=None)).encode(),
    "a list for the type": json.dumps(event(type=["charge.refunded"])).encode(),
    "an object for the type": json.dumps(event(type={"x": 1})).encode(),
    "no data": json.dumps(without("data")).encode(),
    "data is a list": json.dumps(event(data=[{"object": {}}])).encode(),
    "no data.object": json.dumps(event(data={"previous_attributes": {}})).encode(),
    "data.object is a string": json.dumps(event(data={"object": "dispute"})).encode(),
    "data.object is null": json.dumps(event(data={"object": None})).encode(),
    "data.object is a list": json.dumps(event(data={"object": [1]})).encode(),
    "NaN": json.dumps(event(data={"object": {"amount": float("nan")}})).encode(),
    "Infinity": json.dumps(event(data={"object": {"amount": float("inf")}})).encode(),
    "a number too big for a float": json.dumps(event()).encode().replace(b'"dp_1"', b"1e400"),
    "an integer of 5000 digits": json.dumps(event()).encode().replace(b'"dp_1"', b"9" * 5000),
    "NUL in the id": json.dumps(event(id="evt_\u0000")).encode(),
    "NUL in a value": json.dumps(event(data={"object": {"name": "a\u0000b"}})).encode(),
    "NUL in a key": json.dumps(event(data={"object": {"a\u0000": 1}})).encode(),
    "a lone surrogate": json.dumps(event(data={"object": {"name": "\ud800"}})).encode(),
    "nested a thousand deep": json.dumps(event()).encode().replace(b'"dp_1"', b"[" * 1000 + b"]" * 1000),
    "nested a hundred deep": json.dumps(event()).encode().replace(b'"dp_1"', b"[" * 100 + b"]" * 100),
    "a UTF-8 byte order mark": b"\xef\xbb\xbf" + json.dumps(event()).encode(),
    "two JSON values": json.dumps(event()).encode() * 2,
}


@pytest.mark.parametrize(("path", "secret"), ENDPOINTS)
@pytest.mark.parametrize("what", sorted(MALFORMED))
def test_a_signed_body_that_is_not_a_storable_event_is_refused_and_nothing_stored(
    stripe_on, path, secret, what
):
    response = signed_post(path, secret, MALFORMED[what])
    assert response.status_code == 400, what
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(("path", "secret"), ENDPOINTS)
def test_a_well_formed_event_at_the_column_limits_is_stored_once(stripe_on, path, secret):
    body = event(id="evt_" + "x" * 251, type="charge." + "x" * 93)
    response = signed_post(path, secret, json.dumps(body).encode())
    assert response.status_code == 200
    stored = WebhookEvent.objects.get()
    assert stored.stripe_event_id == body["id"] and stored.type == body["type"]
    assert stored.payload == body


def test_a_signature_timestamp_more_than_five_minutes_ahead_is_refused_like_a_stale_one(stripe_on):
    path, secret = ENDPOINTS[0]
    body = json.dumps(event()).encode()
    assert signed_post(path, secret, body, timestamp=int(time.time()) + 301).status_code == 400
    assert signed_post(path, secret, body, timestamp=int(time.time()) - 301).status_code == 400
    assert not WebhookEvent.objects.exists()


def test_a_clock_a_minute_ahead_of_ours_is_still_accepted(stripe_on):
    path, secret = ENDPOINTS[0]
    response = signed_post(path, secret, json.dumps(event()).encode(), timestamp=int(time.time()) + 60)
    assert response.status_code == 200
    assert WebhookEvent.objects.count() == 1


@pytest.mark.parametrize(
    "signature",
    ["t=1,v1=\xe9\xe9", "t=١٢٣,v1=abc", "t=,v1=", "v1=abc", "t=" + "9" * 5000 + ",v1=abc", "t=1,v1=\x00"],
)
def test_a_signature_header_that_is_not_stripes_is_refused(stripe_on, signature):
    body = json.dumps(event()).encode()
    response = Client().post(
        ENDPOINTS[0][0], data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_a_correctly_signed_body_that_is_refused_is_logged_as_an_error_for_staff(stripe_on, caplog):
    path, secret = ENDPOINTS[0]
    signed_post(path, secret, b"[]")
    signed_post(path, "whsec_someone_else", json.dumps(event()).encode())
    levels = {record.getMessage().split(":")[0]: record.levelname for record in caplog.records}
    assert levels["refused a correctly signed webhook on platform"] == "ERROR"
    assert levels["refused a webhook on platform"] == "WARNING"  # forged: noise, not news
