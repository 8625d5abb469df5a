"""The pages around promotion codes and intro calls: the mentor's codes page, the admin's
platform-wide codes, the figures on the insight page, and the e-mail that shows the discount."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from billing.code_selectors import code_redemptions_by_month, intro_conversion_by_month
from billing.models import CodeRedemption, PromotionCode
from billing.services.codes import code_create, code_redeem
from sessions.models import Booking
from tests.billing.helpers import next_weekday_at
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_mentor_makes_a_code_and_bad_input_is_shown_next_to_its_field(client):
    mentor = MentorFactory()
    client.force_login(mentor.user)
    url = reverse("billing:codes")
    bad = client.post(url, {"code": "x!", "off": "percent", "value": "120", "currency": "USD"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["value"] == ["A whole percentage from 1 to 100."]
    assert not PromotionCode.objects.exists()

    body = {"code": "spring-15", "off": "amount", "value": "10", "currency": "EUR", "max_uses": "3"}
    body["expires_on"] = (timezone.now() + timedelta(days=10)).date().isoformat()
    response = client.post(url, body, follow=True)
    code = PromotionCode.objects.get()
    assert (code.code, code.amount_off, code.currency, code.max_uses) == ("SPRING-15", 1000, "EUR", 3)
    assert code.mentor == mentor
    assert "The code SPRING-15 is live: €10 off." in response.content.decode()

    taken = client.post(url, {**body, "code": "Spring-15"})
    assert taken.context["form"].errors["code"] == ["The code SPRING-15 is taken; pick another."]

    other = MentorFactory()
    client.force_login(other.user)
    assert client.post(reverse("billing:code_deactivate", args=[code.pk])).status_code == 404
    client.force_login(mentor.user)
    client.post(reverse("billing:code_deactivate", args=[code.pk]))
    code.refresh_from_db()
    assert not code.is_active


def test_staff_make_a_platform_wide_code_in_the_admin(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:billing_promotioncode_add"),
        {"code": "welcome5", "amount_off": "500", "currency": "USD", "applies_to": "", "is_active": "on"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    code = PromotionCode.objects.get()
    assert (code.code, code.mentor, code.created_by) == ("WELCOME5", None, admin_user)
    both = admin_client.post(
        reverse("admin:billing_promotioncode_add"), {"code": "both", "amount_off": "5", "percent_off": "5"}
    )
    assert both.status_code == 200
    assert PromotionCode.objects.count() == 1


def test_the_figures_count_redemptions_and_intros_that_led_to_a_paid_session(client):
    mentor = MentorFactory()
    intro = OfferingFactory(mentor=mentor, is_intro=True)
    paid = OfferingFactory(mentor=mentor, price_amount=4500)
    past = timezone.now() - timedelta(days=20)
    converted, stayed = UserFactory(), UserFactory()
    for mentee in (converted, stayed):
        BookingFactory(offering=intro, mentee=mentee, starts_at=past, state=Booking.State.COMPLETED)
    BookingFactory(
        offering=paid, mentee=converted, starts_at=past + timedelta(days=7), price_amount=4500,
        state=Booking.State.COMPLETED,
    )  # fmt: skip
    rows = intro_conversion_by_month(mentor=mentor)
    assert [(r["intros"], r["paid_after"], r["rate"]) for r in rows] == [(2, 1, 50.0)]

    code = code_create(by=mentor.user, mentor=mentor, code="TEN", percent_off=10)
    booking = BookingFactory(offering=paid, price_amount=4050, state=Booking.State.HELD)
    CodeRedemption.objects.create(
        code=code, buyer=booking.mentee, kind="session", purchase_id=str(booking.pk),
        list_amount=4500, discount=450, currency="USD",
    )  # fmt: skip
    assert code_redemptions_by_month(mentor=mentor) == []  # held is not redeemed

    code_redeem(purchase_id=booking.pk)
    code_redeem(purchase_id=booking.pk)
    rows = code_redemptions_by_month(mentor=mentor)
    assert [(r["redemptions"], r["discount_total"], r["codes"]) for r in rows] == [(1, 450, "mentors'")]

    client.force_login(mentor.user)
    page = client.get(reverse("billing:codes")).content.decode()
    assert "50 %" in page and "1 of 2 mentees" in page
    assert 'id="code-redemptions">1' in page


def test_the_confirmation_e_mail_shows_what_the_code_took_off(settings, django_capture_on_commit_callbacks):
    from sessions.services import BookingRequest, booking_confirm_payment, booking_create

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    offering = OfferingFactory(price_amount=4500)
    code_create(by=offering.mentor.user, mentor=offering.mentor, code="FIVE", amount_off=500, currency="USD")
    booking = booking_create(
        offering=offering,
        mentee=UserFactory(),
        request=BookingRequest(starts_at=next_weekday_at(10), outcome="x", prework_answers=["a", "b"]),
        code="five",
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_confirm_payment(booking=booking)
    to_mentee = next(m for m in mail.outbox if booking.mentee.email in m.to)
    assert "Paid: $40 (code FIVE took $5 off $45)" in to_mentee.body
