"""Nothing secret in the logs: a login, a Stripe checkout, its signed webhook (and a forged one)
and a refund, with every logger at DEBUG, leave no key, webhook secret, password or session id in
any log record. The stripe SDK logs each request's parameters at INFO/DEBUG: config/settings.py
keeps its logger at WARNING."""

import logging

import pytest
from django.conf import settings
from django.urls import reverse

from billing.models import Refund
from sessions import services as booking_services
from tests.billing.helpers import CONNECT_SECRET, PLATFORM_SECRET, book, fixture_text, pay
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple-81"


def everything_logged(records) -> str:
    """Each record's message, arguments and every attribute, and both formatters' lines."""
    from core.logging import JsonFormatter

    plain = logging.Formatter("%(name)s %(message)s")
    lines = []
    for record in records:
        lines += [
            record.getMessage(),
            repr(record.args),
            JsonFormatter().format(record),
            plain.format(record),
        ]
        lines += [repr(value) for value in vars(record).values()]
    return "\n".join(lines)


def test_checkout_webhook_and_refund_log_no_secret(
    client, caplog, stripe_http, paid_offering, post_event, django_capture_on_commit_callbacks
):
    mentee = UserFactory(password=PASSWORD)  # before capturing: factory_boy logs its arguments
    caplog.set_level(logging.DEBUG)  # the root logger; and the ones with a level of their own:
    for name in ("django", "billing", "allauth"):
        caplog.set_level(logging.DEBUG, logger=name)

    response = client.post(reverse("account_login"), {"login": mentee.email, "password": PASSWORD})
    assert response.status_code == 302
    client.post(reverse("account_login"), {"login": mentee.email, "password": PASSWORD + "-wrong"})
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value

    booking = book(paid_offering, mentee=mentee)
    payment = pay(booking, post_event)  # Checkout Session, then the signed completed event
    assert payment.state == "paid"
    forged = fixture_text(
        "event_checkout_session_completed.json", session_id="cs_x", booking_id=0, payment_id=0, amount=1
    )
    assert post_event(forged, secret="whsec_forged").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=booking, by=mentee)
    assert Refund.objects.get().state == Refund.State.SUCCEEDED
    assert stripe_http.count("post", "/v1/refunds") == 1

    logged = everything_logged(caplog.records)
    assert "refused a webhook" in logged  # the forged one was logged, without its secret
    secrets = {
        "Stripe secret key": settings.STRIPE_SECRET_KEY,
        "webhook secret": PLATFORM_SECRET,
        "Connect webhook secret": CONNECT_SECRET,
        "password": PASSWORD,
        "session id": session_id,
        "SECRET_KEY": settings.SECRET_KEY,
    }
    for what, secret in secrets.items():
        assert secret and secret not in logged, f"the {what} is in the logs"
    assert not [r for r in caplog.records if r.name.startswith("stripe") and r.levelno < logging.WARNING]


def test_the_stripe_sdk_logger_stays_at_warning_even_at_log_level_debug():
    assert settings.LOGGING["loggers"]["stripe"]["level"] == "WARNING"
    assert logging.getLogger("stripe").getEffectiveLevel() == logging.WARNING
