"""Buying a pack: the price is the server's, the checkout is billing's, and the money moves once
however Stripe's events are replayed or reordered."""

import pytest
from django.core import mail

from billing.models import Payment, Refund
from packs import services
from packs.models import Pack, PackPurchase, PackSession, pack_price
from tests.billing.helpers import fixture_text
from tests.factories import OfferingFactory, UserFactory
from tests.packs.helpers import completed, expired, hold, pack_of

pytestmark = pytest.mark.django_db
State = PackPurchase.State


def test_the_price_is_the_sessions_at_the_offering_price_less_the_discount_in_minor_units():
    assert pack_price(unit_price=4500, sessions=3, discount_percent=15) == 11475
    assert pack_price(unit_price=4500, sessions=3, discount_percent=0) == 13500
    assert pack_price(unit_price=999, sessions=3, discount_percent=17) == 2488  # 2487.51 rounds up
    pack = Pack(
        offering=OfferingFactory.build(price_amount=6000, currency="EUR"), sessions=3, discount_percent=17
    )
    assert (pack.price_amount, pack.currency, pack.paid_sessions) == (14940, "EUR", "2.49")


def test_a_mentor_sells_packs_of_their_own_paid_offerings_only_one_each():
    offering = OfferingFactory(price_amount=4500)
    with pytest.raises(services.PackError, match="paid offering"):
        services.pack_save(
            mentor=offering.mentor,
            offering=OfferingFactory(mentor=offering.mentor, price_amount=0),
            sessions=3,
            discount_percent=10,
            valid_months=6,
        )
    with pytest.raises(services.PackError, match="your own"):
        services.pack_save(
            mentor=OfferingFactory().mentor,
            offering=offering,
            sessions=3,
            discount_percent=10,
            valid_months=6,
        )
    pack_of(offering)
    with pytest.raises(services.PackError, match="has a pack already"):
        services.pack_save(
            mentor=offering.mentor, offering=offering, sessions=5, discount_percent=10, valid_months=6
        )
    assert Pack.objects.count() == 1


def test_terms_outside_their_range_are_refused_and_nothing_is_saved():
    offering = OfferingFactory(price_amount=4500)
    with pytest.raises(Exception, match="sessions|20"):
        services.pack_save(
            mentor=offering.mentor, offering=offering, sessions=50, discount_percent=10, valid_months=6
        )
    assert not Pack.objects.exists()


def test_buying_holds_the_pack_at_the_server_price_and_asks_stripe_for_exactly_that(stripe_http):
    pack = pack_of()
    purchase, payment = hold(pack)
    assert (purchase.state, purchase.price_amount, purchase.currency) == (State.HELD, 11475, "USD")
    assert (payment.amount, payment.currency, payment.kind.name) == (11475, "USD", "pack")
    call = stripe_http.only("post", "/v1/checkout/sessions")
    assert call.params["line_items[0][price_data][unit_amount]"] == "11475"
    assert call.params["metadata[pack_purchase_id]"] == str(purchase.pk)
    assert call.params["payment_intent_data[transfer_group]"] == f"pack-{purchase.pk}"
    assert call.idempotency_key == f"checkout-{payment.pk}"


def test_buying_twice_while_the_checkout_is_open_reuses_it(stripe_http):
    pack = pack_of()
    mentee = UserFactory()
    first, payment = hold(pack, mentee)
    again, same = hold(pack, mentee)
    assert (again.pk, same.pk) == (first.pk, payment.pk)
    assert stripe_http.count("post", "/v1/checkout/sessions") == 1


def test_nobody_buys_their_own_pack_or_an_unpublished_one(stripe_http):
    pack = pack_of()
    with pytest.raises(services.PackError, match="your own"):
        services.pack_purchase_hold(pack=pack, mentee=pack.offering.mentor.user)
    services.pack_set_published(pack=pack, mentor=pack.offering.mentor, published=False)
    with pytest.raises(services.PackError, match="not for sale"):
        services.pack_purchase_hold(pack=pack, mentee=UserFactory())
    assert not PackPurchase.objects.exists()


def test_the_signed_payment_makes_the_pack_active_with_its_sessions_and_one_receipt(stripe_http, post_event):
    purchase, payment = hold(pack_of())
    event = completed(purchase, payment)
    post_event(event)
    post_event(event)  # the same event delivered again
    post_event(completed(purchase, payment))  # and another delivery of the same news
    purchase.refresh_from_db()
    assert purchase.state == State.ACTIVE
    assert purchase.expires_at.month == (purchase.paid_at.month + 5) % 12 + 1
    assert PackSession.objects.filter(purchase=purchase).count() == 3
    subjects = [m.subject for m in mail.outbox]
    assert subjects.count("Your pack: 3 × Should I take this job offer? ($114.75)") == 1
    assert len([s for s in subjects if "bought a pack" in s]) == 1


def test_an_expiry_after_the_payment_changes_nothing_and_a_payment_after_the_expiry_still_counts(
    stripe_http, post_event
):
    pack = pack_of()
    mentee = UserFactory()  # one Stripe customer (the fixture's) for both checkouts
    paid_first, payment = hold(pack, mentee)
    post_event(completed(paid_first, payment))
    post_event(expired(paid_first, payment))
    paid_first.refresh_from_db()
    assert paid_first.state == State.ACTIVE

    stripe_http.answer("post", "/v1/checkout/sessions", "response_checkout_session_second.json")
    late, late_payment = hold(pack, mentee)
    post_event(expired(late, late_payment))
    late.refresh_from_db()
    assert late.state == State.RELEASED
    post_event(completed(late, late_payment))  # paid in the moment before the expiry, told after
    late.refresh_from_db()
    assert late.state == State.ACTIVE and late.pack_sessions.count() == 3
    assert not Refund.objects.exists()


def test_a_payment_of_another_amount_activates_nothing_and_is_refunded(stripe_http, post_event):
    purchase, payment = hold(pack_of())
    post_event(completed(purchase, payment, amount=100))
    purchase.refresh_from_db()
    payment.refresh_from_db()
    assert purchase.state == State.RELEASED
    assert payment.amount_mismatch
    assert not purchase.pack_sessions.exists()
    assert Refund.objects.get().amount == 100


def test_a_full_refund_made_in_stripe_before_the_payment_is_heard_keeps_the_pack_from_starting(
    stripe_http, post_event
):
    purchase, payment = hold(pack_of())
    made_in_stripe = fixture_text(
        "event_refund_made_in_stripe.json",
        type="refund.created",
        refund_id="re_Dashboard1",
        amount=11475,
        status="succeeded",
        failure_reason="null",
    )
    post_event(made_in_stripe)  # names only the charge and the payment intent, unknown here yet
    post_event(completed(purchase, payment))
    purchase.refresh_from_db()
    assert purchase.state == State.CANCELLED
    assert not purchase.pack_sessions.exists()
    assert Payment.objects.get().state == Payment.State.PAID
    assert stripe_http.count("post", "/v1/refunds") == 0
