"""Promotion codes: what a code takes off, what Stripe is asked for, and that each use is counted
exactly once (held while paying, redeemed by the webhook, given back when the checkout ends)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import CodeRedemption, Payment, PromotionCode
from billing.services.codes import CodeError, code_create, code_deactivate
from sessions.models import Booking
from sessions.services import BookingError, BookingRequest, booking_create
from tests.billing.helpers import fixture_text, next_weekday_at
from tests.factories import MentorFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_code(mentor=None, **fields):
    by = mentor.user if mentor is not None else UserFactory(is_staff=True)
    fields.setdefault("percent_off", 20)
    return code_create(by=by, mentor=mentor, code=fields.pop("code", "SAVE20"), **fields)


def book_with(offering, code, mentee=None, hour=10):
    return booking_create(
        offering=offering,
        mentee=mentee or UserFactory(),
        request=BookingRequest(
            starts_at=next_weekday_at(hour), outcome="A decision", prework_answers=["Two", "Growth"]
        ),
        code=code,
    )


@pytest.fixture
def offering(db):
    return OfferingFactory(price_amount=4500, currency="USD")


def start_checkout(booking):
    from billing import services

    return services.payment_start_checkout(
        booking=booking, success_url="http://testserver/ok", cancel_url="http://testserver/no"
    )


def completed(payment, booking, redemption, **extra):
    return fixture_text(
        "event_checkout_session_completed_discounted.json",
        session_id=payment.checkout_session_id,
        booking_id=booking.pk,
        payment_id=payment.pk,
        amount=payment.amount,
        subtotal=redemption.list_amount,
        discount=redemption.discount,
        coupon=redemption.stripe_coupon_id,
        **extra,
    )


def test_a_code_lowers_the_held_price_and_checkout_shows_the_full_price_with_a_coupon_of_the_discount(
    offering, stripe_http
):
    stripe_http.answer("post", "/v1/coupons", "response_coupon_code.json")
    make_code(offering.mentor, code="save20")
    booking = book_with(offering, " Save20 ")
    assert booking.state == Booking.State.HELD
    assert booking.price_amount == 3600

    payment = start_checkout(booking)

    assert payment.amount == 3600
    coupon = stripe_http.only("post", "/v1/coupons")
    assert coupon.params["amount_off"] == "900"
    assert coupon.params["currency"] == "usd"
    assert coupon.params["max_redemptions"] == "1"
    assert coupon.params["name"] == "SAVE20"
    redemption = CodeRedemption.objects.get()
    assert coupon.idempotency_key == f"code-redemption-{redemption.pk}-coupon"
    session = stripe_http.only("post", "/v1/checkout/sessions")
    assert session.params["line_items[0][price_data][unit_amount]"] == "4500"
    assert session.params["discounts[0][coupon]"] == "SAVE20_r1"
    assert session.params["metadata[promotion_code]"] == "SAVE20"
    assert redemption.state == CodeRedemption.State.HELD


def test_the_use_counts_once_when_the_webhook_confirms_the_payment_however_often_it_comes(
    offering, stripe_http, post_event
):
    stripe_http.answer("post", "/v1/coupons", "response_coupon_code.json")
    code = make_code(offering.mentor, max_uses=5)
    booking = book_with(offering, "SAVE20")
    payment = start_checkout(booking)
    redemption = CodeRedemption.objects.get()
    assert code.redemptions.filter(state=CodeRedemption.State.REDEEMED).count() == 0

    body = completed(payment, booking, redemption)
    post_event(body)
    post_event(body)  # the same event again
    post_event(completed(payment, booking, redemption))  # another delivery of the same news

    booking.refresh_from_db()
    redemption.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED
    assert redemption.state == CodeRedemption.State.REDEEMED
    assert code.redemptions.filter(state=CodeRedemption.State.REDEEMED).count() == 1
    assert Payment.objects.get().state == Payment.State.PAID


def test_an_expired_checkout_gives_the_use_back_and_a_late_expiry_after_payment_does_not(
    offering, stripe_http, post_event
):
    stripe_http.answer("post", "/v1/coupons", "response_coupon_code.json")
    code = make_code(offering.mentor, max_uses=1)
    mentee = UserFactory()  # one Stripe customer in the fixtures: the same buyer comes back
    first = book_with(offering, "SAVE20", mentee=mentee)
    payment = start_checkout(first)
    # The last use is held: nobody else gets it meanwhile.
    with pytest.raises(BookingError) as refused:
        book_with(offering, "SAVE20", hour=12)
    assert refused.value.field == "code"
    assert "used up" in refused.value.message

    expired = fixture_text(
        "event_checkout_session_expired.json",
        session_id=payment.checkout_session_id,
        booking_id=first.pk,
        payment_id=payment.pk,
        amount=payment.amount,
    )
    post_event(expired)
    assert CodeRedemption.objects.get(purchase_id=first.pk).state == CodeRedemption.State.RELEASED

    second = book_with(offering, "SAVE20", mentee=mentee, hour=14)
    assert second.price_amount == 3600
    stripe_http.answer("post", "/v1/checkout/sessions", "response_checkout_session_second.json")
    payment2 = start_checkout(second)
    redemption = CodeRedemption.objects.get(purchase_id=second.pk)
    post_event(completed(payment2, second, redemption))
    # Reordered: the session's expiry is delivered after its completion.
    post_event(
        fixture_text(
            "event_checkout_session_expired.json",
            session_id=payment2.checkout_session_id,
            booking_id=second.pk,
            payment_id=payment2.pk,
            amount=payment2.amount,
        )
    )
    redemption.refresh_from_db()
    assert redemption.state == CodeRedemption.State.REDEEMED
    assert code.redemptions.filter(state__in=CodeRedemption.TAKEN).count() == 1


def test_abandoning_the_demo_checkout_gives_the_use_back(
    offering, settings, client, django_capture_on_commit_callbacks
):
    from billing import services

    settings.BILLING_PROVIDER = "demo"
    make_code(offering.mentor, max_uses=1)
    mentee = UserFactory()
    booking = book_with(offering, "SAVE20", mentee=mentee)
    with django_capture_on_commit_callbacks(execute=True):
        services.checkout_abandon(booking=booking, by=mentee)
    assert CodeRedemption.objects.get().state == CodeRedemption.State.RELEASED
    assert book_with(offering, "SAVE20", hour=12).price_amount == 3600


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires_at": None, "is_active": False}, "switched off"),
        ({"first_purchase_only": True}, "first purchase"),
        ({"amount_off": 500, "percent_off": None, "currency": "EUR"}, "amount in EUR"),
        ({"only_on": "seat"}, "not good on sessions"),
    ],
)
def test_a_code_that_cannot_be_used_says_why_next_to_the_field_and_holds_nothing(
    offering, stripe_http, post_event, fields, message
):
    active = fields.pop("is_active", True)
    only_on = fields.pop("only_on", "")
    first_purchase = fields.get("first_purchase_only")
    code = make_code(offering.mentor, **fields)
    PromotionCode.objects.filter(pk=code.pk).update(applies_to=only_on)  # a kind sessions are not
    if not active:
        code_deactivate(code=code, by=offering.mentor.user)
    mentee = UserFactory()
    if first_purchase:  # this mentee paid this mentor before
        earlier = booking_create(
            offering=OfferingFactory(mentor=offering.mentor, price_amount=3000),
            mentee=mentee,
            request=BookingRequest(starts_at=next_weekday_at(15), outcome="x", prework_answers=["a", "b"]),
        )
        payment = start_checkout(earlier)
        post_event(
            fixture_text(
                "event_checkout_session_completed.json",
                session_id=payment.checkout_session_id,
                booking_id=earlier.pk,
                payment_id=payment.pk,
                amount=payment.amount,
            )
        )
    before = Booking.objects.count()
    with pytest.raises(BookingError) as refused:
        book_with(offering, "SAVE20", mentee=mentee)
    assert refused.value.field == "code"
    assert message in refused.value.message
    assert Booking.objects.count() == before
    assert not CodeRedemption.objects.exists()


def test_unknown_expired_and_other_mentors_codes_are_refused(offering):
    make_code(MentorFactory(), code="THEIRS")
    code = make_code(offering.mentor, code="OLD", expires_at=timezone.now() + timedelta(hours=1))
    PromotionCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - timedelta(days=1))
    for text, message in [("NOPE", "no code NOPE"), ("THEIRS", "offerings only"), ("old", "expired on")]:
        with pytest.raises(BookingError) as refused:
            book_with(offering, text)
        assert message in refused.value.message


def test_a_buyer_uses_a_code_once(offering):
    make_code(offering.mentor)
    mentee = UserFactory()
    book_with(offering, "SAVE20", mentee=mentee)
    with pytest.raises(BookingError, match="already used"):
        book_with(offering, "SAVE20", mentee=mentee, hour=13)


def test_a_discount_never_leaves_less_than_stripes_minimum_charge(db):
    offering = OfferingFactory(price_amount=4500, currency="USD")
    make_code(offering.mentor, code="FREE", percent_off=100)
    assert book_with(offering, "FREE").price_amount == 50
    cheap = OfferingFactory(mentor=offering.mentor, price_amount=50, currency="USD")
    with pytest.raises(BookingError, match="smallest card payment"):
        book_with(cheap, "FREE", hour=13)


def test_a_platform_wide_code_comes_out_of_the_platform_fee_first(offering, settings):
    settings.BILLING_PROVIDER = "demo"
    make_code(None, code="WELCOME", amount_off=500, currency="USD", percent_off=None)
    booking = book_with(offering, "WELCOME")
    payment = start_checkout(booking)
    assert payment.amount == 4000
    assert payment.platform_fee == 675 - 500  # 15 % of 45.00, less the 5.00 the platform gives
    assert payment.mentor_share == 4500 - 675  # the mentor is paid as if at full price


def test_only_staff_make_platform_wide_codes_and_codes_are_unique_in_any_case(offering):
    with pytest.raises(CodeError, match="Only staff"):
        code_create(by=UserFactory(), mentor=None, code="MINE", percent_off=10)
    make_code(offering.mentor, code="SPRING")
    with pytest.raises(CodeError, match="taken"):
        make_code(MentorFactory(), code="spring")
    with pytest.raises(CodeError, match="either a percentage or an amount"):
        code_create(by=offering.mentor.user, mentor=offering.mentor, code="BOTH", percent_off=5, amount_off=5)


def test_a_seat_credit_never_leaves_less_than_the_minimum_charge(db):
    from billing.models import UpgradeOffer

    offer = UpgradeOffer(amount=4980, currency="USD")
    assert offer.price_after(5000, card_minimum=True) == 50
    assert offer.price_after(4980, card_minimum=True) == 0  # paid in full by the credit: free
    assert offer.price_after(9000, card_minimum=True) == 4020
