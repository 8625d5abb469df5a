"""billing reaches the apps above it only through what they register: a purchase kind for each
thing a Payment can be for, and one handler per webhook event type (and checkout mode)."""

import pytest

from billing import purchases
from billing.models import PURCHASE_FIELDS, Payment, WebhookEvent
from billing.services import checkout, events, series
from subscriptions import webhooks


def test_every_kind_of_purchase_a_payment_names_has_its_kind_registered():
    fields = {"booking", "enrollment", "subscription", "pack_purchase", "question", "group_seat"}
    assert {kind.field for kind in purchases.kinds()} == fields == set(PURCHASE_FIELDS)
    for name in fields:
        assert Payment._meta.get_field(name).related_model in {kind.model for kind in purchases.kinds()}


def test_a_subscription_checkout_goes_to_subscriptions_and_any_other_to_billing():
    def handler_of(mode):
        event = WebhookEvent(type="checkout.session.completed", payload={"data": {"object": {"mode": mode}}})
        return events.event_handler_for(event).handle

    assert handler_of("subscription") is webhooks.on_checkout_completed
    # billing's own: a weekly series' checkout is settled in series.py, every other passed on to
    # checkout.py.
    assert handler_of("payment") is series.on_checkout_completed
    assert handler_of(None) is series.on_checkout_completed


def test_an_event_type_takes_one_handler_and_registering_it_again_changes_nothing():
    events.register_event_handler("invoice.paid", webhooks.on_invoice_paid, whole_event=True)
    with pytest.raises(ValueError, match="invoice.paid"):
        events.register_event_handler("invoice.paid", checkout.on_checkout_completed)
    assert events.event_handler_for(WebhookEvent(type="invoice.paid", payload={})).handle is (
        webhooks.on_invoice_paid
    )
    assert {"invoice.paid", "checkout.session.completed", "charge.refunded"} <= events.handled_event_types()
