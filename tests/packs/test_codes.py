"""Promotion codes on packs: the mentor's or staff's code lowers the pack's price through Stripe
Checkout's discounts, its use counts once when the payment arrives, and a code that cannot be used
is said next to its field with nothing bought."""

import pytest
from django.urls import reverse

from billing.models import CodeRedemption, Payment, Refund
from billing.services.checkout import purchase_start_checkout
from billing.services.codes import code_create
from packs import services
from packs.models import PackPurchase
from tests.factories import OfferingFactory, UserFactory
from tests.packs.helpers import completed, pack_of

pytestmark = pytest.mark.django_db
State = PackPurchase.State


def mentor_code(pack, **fields):
    mentor = pack.offering.mentor
    fields.setdefault("percent_off", 20)
    return code_create(by=mentor.user, mentor=mentor, code=fields.pop("code", "PACK20"), **fields)


def hold_with(pack, code, mentee=None):
    return services.pack_purchase_hold(pack=pack, mentee=mentee or UserFactory(), code=code)


def test_a_code_lowers_the_packs_price_and_checkout_shows_the_full_price_with_a_coupon(stripe_http):
    stripe_http.answer("post", "/v1/coupons", "response_coupon_code.json")
    pack = pack_of()  # $114.75
    mentor_code(pack, code="pack20")
    purchase = hold_with(pack, " Pack20 ")
    assert (purchase.state, purchase.price_amount) == (State.HELD, 9180)

    payment = purchase_start_checkout(purchase=purchase, success_url="http://t/ok", cancel_url="http://t/no")

    assert (payment.amount, payment.currency) == (9180, "USD")
    coupon = stripe_http.only("post", "/v1/coupons")
    assert (coupon.params["amount_off"], coupon.params["max_redemptions"]) == ("2295", "1")
    session = stripe_http.only("post", "/v1/checkout/sessions")
    assert session.params["line_items[0][price_data][unit_amount]"] == "11475"
    assert session.params["discounts[0][coupon]"] == "SAVE20_r1"
    assert CodeRedemption.objects.get().state == CodeRedemption.State.HELD


def test_the_codes_use_counts_once_however_often_the_payment_event_comes_and_refunds_follow_the_price(
    stripe_http, post_event, django_capture_on_commit_callbacks
):
    stripe_http.answer("post", "/v1/coupons", "response_coupon_code.json")
    pack = pack_of()
    code = mentor_code(pack, max_uses=3)
    mentee = UserFactory()
    purchase = hold_with(pack, "PACK20", mentee)
    payment = purchase_start_checkout(purchase=purchase, success_url="http://t/ok", cancel_url="http://t/no")
    event = completed(purchase, payment)
    post_event(event)
    post_event(event)  # replayed
    post_event(completed(purchase, payment))  # delivered again as another event

    purchase.refresh_from_db()
    assert purchase.state == State.ACTIVE
    assert code.redemptions.filter(state=CodeRedemption.State.REDEEMED).count() == 1
    assert Payment.objects.get().state == Payment.State.PAID

    stripe_http.answer("post", "/v1/refunds", "response_refund.json")
    with django_capture_on_commit_callbacks(execute=True):
        services.pack_refund_unused(purchase=purchase, by=mentee)
    assert Refund.objects.get().amount == 9180  # all three unused, of what was paid


def test_buying_again_with_the_same_code_reuses_the_checkout_and_another_code_starts_a_new_one(stripe_http):
    stripe_http.answer("post", "/v1/coupons", "response_coupon_code.json")
    pack = pack_of()
    mentor_code(pack)
    mentor_code(pack, code="PACK10", percent_off=10)
    mentee = UserFactory()
    first = hold_with(pack, "PACK20", mentee)
    assert hold_with(pack, "pack20", mentee).pk == first.pk
    assert services.pack_purchase_hold(pack=pack, mentee=mentee).pk == first.pk  # no code: the same
    other = hold_with(pack, "PACK10", mentee)
    first.refresh_from_db()
    assert other.pk != first.pk
    assert (first.state, other.state, other.price_amount) == (State.RELEASED, State.HELD, 10327)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("NOPE", "There is no code NOPE"),
        ("ELSEWHERE", "offerings only"),
    ],
)
def test_a_code_that_cannot_be_used_is_said_next_to_the_field_and_nothing_is_bought(
    client, settings, code, message
):
    settings.DEBUG, settings.BILLING_PROVIDER = True, "demo"
    pack = pack_of()
    other_mentor = OfferingFactory().mentor
    code_create(by=other_mentor.user, mentor=other_mentor, code="ELSEWHERE", percent_off=10)
    mentee = UserFactory()
    client.force_login(mentee)

    response = client.post(reverse("packs:buy", args=[pack.pk]), {"code": code})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_pack_code_error"' in page and message in page
    assert 'aria-invalid="true"' in page
    assert not PackPurchase.objects.exists() and not CodeRedemption.objects.exists()


def test_the_offering_page_offers_a_code_field_with_the_pack_and_a_good_code_goes_to_the_checkout(
    client, settings
):
    settings.DEBUG, settings.BILLING_PROVIDER = True, "demo"
    pack = pack_of()
    mentor_code(pack)
    client.force_login(UserFactory())
    page = client.get(pack.offering.get_absolute_url()).content.decode()
    assert "Have a promotion code?" in page and 'name="code"' in page

    response = client.post(reverse("packs:buy", args=[pack.pk]), {"code": "PACK20"})

    payment = Payment.objects.get()
    assert response.status_code == 302 and response.url == payment.checkout_url
    assert payment.amount == 9180 and PackPurchase.objects.get().price_amount == 9180
